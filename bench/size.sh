#!/bin/sh
# What afterburning costs in size: text, whole loaded image and bzImage of
# the plain and afterburnt Linux 6.1 builds, and the padding and records per
# kind (from the afterburnt vmlinux's .afterburn section: site bytes beyond
# the instruction, which for SHADOW sites includes the shadowed instruction).
# Writes bench/results/size.json.
#
#   bench/size.sh [--arch i386|x86_64|both]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
arches="i386 x86_64"
while [ $# -gt 0 ]; do
	case $1 in
	--arch) case ${2:?} in both) ;; i386|x86_64) arches=$2 ;; *) echo "size: --arch i386|x86_64|both" >&2; exit 2 ;; esac; shift 2 ;;
	-h|--help) sed -n '2,8s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "size: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
res=${PREVIRT_BENCH_RESULTS:-$top/bench/results}
mkdir -p "$res"
kinds=$(sed -n 's/^\tX(\([A-Z_0-9]*\), \([0-9]*\), [0-9]*).*/\2 \1/p' "$top/include/previrt/afterburn.h")
json=$res/size.json
echo "{ \"date\": \"$(date -u +%Y-%m-%dT%H:%M:%SZ)\", \"arches\": [" >"$json"
sep=
for arch in $arches; do
	plain=$("$top/guests/linux/build.sh" --arch "$arch" --variant plain 2>/dev/null | tail -n 1)
	ab=$("$top/guests/linux/build.sh" --arch "$arch" --variant afterburnt 2>/dev/null | tail -n 1)
	# text = .text section; image = every allocated section (what is loaded)
	# (mawk has no strtonum: hex sizes are converted by the shell)
	text() { echo $((0x$(objdump -h "$1" | awk '$2 == ".text" { print $3 }'))); }
	image() {
		total=0
		for h in $(objdump -h "$1" | awk '/^ +[0-9]+ / { size = $3; getline; if ($0 ~ /ALLOC/) print size }'); do
			total=$((total + 0x$h))
		done
		echo "$total"
	}
	pt=$(text "$plain/vmlinux") at=$(text "$ab/vmlinux")
	pi=$(image "$plain/vmlinux") ai=$(image "$ab/vmlinux")
	pb=$(wc -c <"$plain/arch/x86/boot/bzImage") abz=$(wc -c <"$ab/arch/x86/boot/bzImage")
	objcopy -O binary --only-section=.afterburn "$ab/vmlinux" "$tmp/ab.bin"
	recsz=$(wc -c <"$tmp/ab.bin")
	echo "== $arch"
	printf '%-22s %12s %12s %9s\n' "" plain afterburnt growth
	for row in "text:$pt:$at" "loaded image:$pi:$ai" "bzImage:$pb:$abz"; do
		IFS=: read -r name p a <<ROW
$row
ROW
		printf '%-22s %12d %12d %8.2f%%\n' "$name" "$p" "$a" "$(echo "($a - $p) * 100 / $p" | bc -l)"
	done
	echo "  .afterburn section: $recsz bytes"
	printf '  %-14s %7s %14s %14s\n' kind sites "padding bytes" "avg site len"
	od -An -v -tu1 -w8 "$tmp/ab.bin" | awk '$7 != 0 { n[$7]++; pad[$7] += $5 - $6; len[$7] += $5 }
		END { for (k in n) print k, n[k], pad[k], len[k] }' | sort -k3,3nr >"$tmp/kinds"
	echo "$kinds" >"$tmp/names"
	awk 'NR == FNR { name[$1] = $2; next } { printf "  %-14s %7d %14d %14.1f\n", name[$1], $2, $3, $4 / $2; s += $2; p += $3 }
		END { printf "  %-14s %7d %14d\n", "total", s, p }' "$tmp/names" "$tmp/kinds"
	printf '%s{ "arch": "%s", "text": [%d, %d], "image": [%d, %d], "bzImage": [%d, %d], "afterburn_section": %d, "kinds": {' \
		"$sep" "$arch" "$pt" "$at" "$pi" "$ai" "$pb" "$abz" "$recsz" >>"$json"
	awk 'NR == FNR { name[$1] = $2; next } { printf "%s\"%s\": { \"sites\": %d, \"padding\": %d }", (c++ ? ", " : ""), name[$1], $2, $3 }' \
		"$tmp/names" "$tmp/kinds" >>"$json"
	echo "} }" >>"$json"
	sep=,
done
echo "] }" >>"$json"
echo "(JSON: $json)"
