#!/bin/sh
# Wall time of a whole Linux 6.1 build, plain (CC=gcc) against afterburnt
# (CC="afterburn-cc gcc"), same config, same source, same cache state (every
# build starts from an empty build directory; the unpacked source is shared).
# Builds alternate plain/afterburnt so both see the same machine noise; the
# afterburnt ones keep no site log or corpus (PREVIRT_BUILD_LEAN=1).
# Writes bench/results/build-cost.json.
#
#   bench/build-cost.sh [--runs N] [--arch i386|x86_64] [-j N]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${PREVIRT_CACHE:-$HOME/.cache/previrt}
runs=3 arch=i386 jobs=$(nproc)
while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=${2:?}; shift 2 ;;
	--arch) arch=${2:?}; shift 2 ;;
	-j) jobs=${2:?}; shift 2 ;;
	-h|--help) sed -n '2,9s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "build-cost: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
case $runs in ''|*[!0-9]*|0) echo "build-cost: --runs needs a positive number" >&2; exit 2 ;; esac
case $arch in i386|x86_64) ;; *) echo "build-cost: --arch i386|x86_64" >&2; exit 2 ;; esac
res=${PREVIRT_BENCH_RESULTS:-$top/bench/results}
mkdir -p "$res"
# make sure the shared source is unpacked, then build in scratch caches
"$top/guests/linux/build.sh" --arch "$arch" --variant plain >/dev/null
scratch=$(mktemp -d "$cache/build-cost.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/src"
for d in "$cache"/src/*/; do ln -s "${d%/}" "$scratch/src/$(basename "$d")"; done
: >"$scratch/times"
r=1
while [ $r -le "$runs" ]; do
	for v in plain afterburnt; do
		rm -rf "$scratch/linux"
		t0=$(date +%s.%N)
		PREVIRT_CACHE=$scratch PREVIRT_BUILD_LEAN=1 "$top/guests/linux/build.sh" --arch "$arch" --variant "$v" -j "$jobs" >/dev/null 2>"$scratch/log" ||
			{ cat "$scratch/log" >&2; exit 1; }
		t1=$(date +%s.%N)
		echo "$v $(echo "$t1 - $t0" | bc)" | tee -a "$scratch/times" >&2
	done
	r=$((r + 1))
done
awk -v arch="$arch" -v runs="$runs" -v jobs="$jobs" -v date="$(date -u +%Y-%m-%dT%H:%M:%SZ)" -v json="$res/build-cost.json" '
function med(a, n,   i, j, t) { for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j > 0 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
	return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
{ n[$1]++; v[$1, n[$1]] = $2; if (!($1 in lo) || $2 < lo[$1]) lo[$1] = $2; if ($2 > hi[$1]) hi[$1] = $2 }
END {
	for (j = 1; j <= n["plain"]; j++) a[j] = v["plain", j]; p = med(a, n["plain"])
	for (j = 1; j <= n["afterburnt"]; j++) b[j] = v["afterburnt", j]; q = med(b, n["afterburnt"])
	printf "%-8s %-11s %10s %22s\n", "arch", "variant", "median s", "min..max"
	printf "%-8s %-11s %10.1f %10.1f..%-10.1f\n", arch, "plain", p, lo["plain"], hi["plain"]
	printf "%-8s %-11s %10.1f %10.1f..%-10.1f\n", arch, "afterburnt", q, lo["afterburnt"], hi["afterburnt"]
	printf "afterburnt/plain: %.3f (%+.1f%%), %d runs each, -j%d\n", q / p, (q / p - 1) * 100, runs, jobs
	printf "{ \"date\": \"%s\", \"arch\": \"%s\", \"runs\": %d, \"jobs\": %d, \"plain_s\": { \"median\": %g, \"min\": %g, \"max\": %g }, \"afterburnt_s\": { \"median\": %g, \"min\": %g, \"max\": %g }, \"ratio\": %g }\n", date, arch, runs, jobs, p, lo["plain"], hi["plain"], q, lo["afterburnt"], hi["afterburnt"], q / p > json
}' "$scratch/times"
echo "(JSON: $res/build-cost.json)"
