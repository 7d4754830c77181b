#!/bin/sh
# The afterburnt vmlinux really holds the sites the wrapper reported:
# counts the site records of vmlinux's .afterburn section and compares them
# with the sum of afterburn-as's per-object counts (sites.log) over the
# objects linked into vmlinux (vmlinux.a members, and lib.a members that the
# link pulled in, judged by their global symbols in System.map).
#   tests/kernel-sites.sh BUILD_DIR
set -eu
b=${1:?usage: kernel-sites.sh BUILD_DIR}
[ -f "$b/vmlinux" ] && [ -f "$b/sites.log" ] || { echo "kernel-sites: $b: no vmlinux or sites.log" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
objcopy -O binary --only-section=.afterburn "$b/vmlinux" "$tmp/ab.bin"
[ -s "$tmp/ab.bin" ] || { echo "kernel-sites: FAIL: $b/vmlinux has no .afterburn section" >&2; exit 1; }
size=$(wc -c <"$tmp/ab.bin")
[ $((size % 8)) -eq 0 ] || { echo "kernel-sites: FAIL: .afterburn size $size is not a multiple of 8" >&2; exit 1; }
in_image=$("$(dirname "$0")/../scripts/count-sites.sh" "$b/vmlinux")
headers=$(od -An -v -tu1 -w8 "$tmp/ab.bin" | awk '$7 == 0' | wc -l)

ar t "$b/vmlinux.a" >"$tmp/members"
for lib in $(find "$b" -name lib.a); do
	for m in $(ar t "$lib"); do
		sym=$(nm --defined-only -g "$m" 2>/dev/null | awk '$2 ~ /[TtDdRrBb]/ {print $3; exit}')
		[ -n "$sym" ] && grep -q " $sym\$" "$b/System.map" && echo "$m"
	done
done >>"$tmp/members"
# Compare paths below the build directory: the cache may have moved since
# the build wrote its absolute paths into sites.log.
name=$(basename "$b")
sed "s|^.*/$name/||" "$tmp/members" | sort -u >"$tmp/members.sorted"
sed "s|^.*/$name/||" "$b/sites.log" >"$tmp/sites"
awk 'NR == FNR { want[$1] = 1; next } ($1 in want) { s += $2; n++ } END { printf "%d %d\n", s, n }' \
	"$tmp/members.sorted" "$tmp/sites" >"$tmp/sum"
read -r reported objs <"$tmp/sum"
echo "kernel-sites: $b/vmlinux: $in_image site records ($headers object headers); wrapper reported $reported sites in $objs linked objects"
if [ "$in_image" -gt 0 ] && [ "$in_image" -eq "$reported" ]; then
	exit 0
fi
echo "kernel-sites: FAIL: record count differs from the wrapper's report" >&2
exit 1
