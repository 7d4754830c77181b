#!/bin/sh
# Prints the number of site records (HEADER records not counted) in the
# .afterburn section of an ELF file; 0 when it has none.
#   scripts/count-sites.sh ELF
set -eu
f=${1:?usage: count-sites.sh ELF}
[ -r "$f" ] || { echo "count-sites.sh: cannot read '$f'" >&2; exit 2; }
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
objcopy -O binary --only-section=.afterburn "$f" "$tmp" 2>/dev/null || : >"$tmp"
# byte 7 of each 8-byte record is its kind; kind 0 is a HEADER
od -An -v -tu1 -w8 "$tmp" | awk '$7 != 0' | wc -l
