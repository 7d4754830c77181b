#!/bin/sh
# Afterburner cost against the assembler, on the whole assembler corpus of
# the afterburnt Linux 6.1 builds (every file gcc handed to `as`, kept by
# afterburn-as in <build>/corpus).  Three columns, one process per file as in
# a real build, run one at a time: `as` alone, `afterburn` alone, and
# `afterburn-as` (what the build really runs: afterburn in-process, its output
# piped into `as`).  The table shows the median of RUNS repetitions; the JSON
# (bench/results/afterburn-vs-as.json) also has the spread (min..max).
#
#   bench/afterburn-vs-as.sh [--runs N] [--quick] [BUILD_DIR...]
#
# Default BUILD_DIRs: the default afterburnt i386 and x86_64 builds (build.sh).
# --quick: 40 files per corpus, 1 run (plumbing check for the test suite).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
runs=5 quick=0
while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=${2:?}; shift 2 ;;
	--quick) quick=1 runs=1; shift ;;
	-h|--help) sed -n '2,13s/^# \{0,1\}//p' "$0"; exit 0 ;;
	-*) echo "afterburn-vs-as: unknown option '$1'" >&2; exit 2 ;;
	*) break ;;
	esac
done
case $runs in ''|*[!0-9]*|0) echo "afterburn-vs-as: --runs needs a positive number" >&2; exit 2 ;; esac
if [ $# -eq 0 ]; then
	# the default afterburnt builds (cached, or built now), which keep a corpus
	for a in i386 x86_64; do
		set -- "$@" "$("$top/guests/linux/build.sh" --arch "$a" --variant afterburnt | tail -n 1)"
	done
fi
[ $# -gt 0 ] || { echo "afterburn-vs-as: no afterburnt kernel build found; run guests/linux/build.sh" >&2; exit 2; }
make -s -C "$top" all
ab=$top/build/bin/afterburn
abas=$top/build/bin/afterburn-as
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
res=${PREVIRT_BENCH_RESULTS:-$top/bench/results}
mkdir -p "$res"
json=$res/afterburn-vs-as.json

now() { date +%s.%N; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

printf '%-28s %6s %6s %8s %11s %8s %13s %9s\n' corpus files MB "as s" "afterburn s" "ratio" "afterburn-as s" "overhead"
echo "{ \"date\": \"$(date -u +%Y-%m-%dT%H:%M:%SZ)\", \"runs\": $runs, \"corpora\": [" >"$json"
sep=
for d in "$@"; do
	[ -d "$d/corpus" ] || { echo "afterburn-vs-as: $d has no corpus/" >&2; exit 2; }
	name=$(basename "$d")
	case $name in i386-*) bits=32 arch=i386 ;; x86_64-*) bits=64 arch=x86_64 ;; *) echo "afterburn-vs-as: cannot tell the arch of $d" >&2; exit 2 ;; esac
	# the kernel's own code size only (a few Kconfig probes use the other one)
	ls "$d"/corpus/*.$bits.s >"$tmp/files"
	[ $quick = 1 ] && head -n 40 "$tmp/files" >"$tmp/f2" && mv "$tmp/f2" "$tmp/files"
	n=$(wc -l <"$tmp/files")
	bytes=$(xargs cat <"$tmp/files" | wc -c)
	: >"$tmp/as" && : >"$tmp/ab" && : >"$tmp/abas"
	r=0
	while [ $r -lt "$runs" ]; do
		# interleaved, so both tools see the same machine noise
		t0=$(now); (cd "$d" && xargs -n 1 as --$bits -o "$tmp/o.o" <"$tmp/files"); t1=$(now)
		echo "$t1 - $t0" | bc >>"$tmp/as"
		t0=$(now); xargs -n 1 "$ab" --arch=$arch -o "$tmp/o.s" <"$tmp/files"; t1=$(now)
		echo "$t1 - $t0" | bc >>"$tmp/ab"
		t0=$(now); (cd "$d" && xargs -n 1 "$abas" --$bits -o "$tmp/o.o" <"$tmp/files"); t1=$(now)
		echo "$t1 - $t0" | bc >>"$tmp/abas"
		r=$((r + 1))
	done
	stats() { echo "$(median <"$1") $(sort -g "$1" | head -n 1) $(sort -g "$1" | tail -n 1)"; }
	read -r as_med as_min as_max <<S
$(stats "$tmp/as")
S
	read -r ab_med ab_min ab_max <<S
$(stats "$tmp/ab")
S
	read -r w_med w_min w_max <<S
$(stats "$tmp/abas")
S
	ratio=$(echo "scale=4; $ab_med / $as_med" | bc)
	over=$(echo "scale=4; ($w_med - $as_med) / $as_med" | bc)
	printf '%-28s %6d %6.1f %8.2f %11.2f %7.1f%% %13.2f %8.1f%%\n' "$name" "$n" "$(echo "$bytes / 1048576" | bc -l)" \
		"$as_med" "$ab_med" "$(echo "$ratio * 100" | bc -l)" "$w_med" "$(echo "$over * 100" | bc -l)"
	printf '%s{ "corpus": "%s", "files": %d, "bytes": %d, "as_s": { "median": %s, "min": %s, "max": %s }, "afterburn_s": { "median": %s, "min": %s, "max": %s }, "afterburn_as_s": { "median": %s, "min": %s, "max": %s }, "afterburn_over_as": %s, "wrapper_overhead": %s }\n' \
		"$sep" "$name" "$n" "$bytes" "$as_med" "$as_min" "$as_max" "$ab_med" "$ab_min" "$ab_max" "$w_med" "$w_min" "$w_max" "$ratio" "$over" >>"$json"
	sep=,
done
echo "] }" >>"$json"
echo "(median of $runs runs, one process per file; ratio = afterburn/as; overhead = afterburn-as/as - 1; JSON: $json)"
