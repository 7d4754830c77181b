#!/bin/sh
# How long the in-place VMM's load-time half takes: validating, decoding and
# rewriting every annotated site of the afterburnt i386 Linux 6.1 image with
# the process back-end's policy (build/bench/patch-speed; target < 10 ms).
# Prints a table and writes bench/results/patch-speed.json.
#
#   bench/patch-speed.sh [--runs N] [--quick]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
runs=51
while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=${2:?}; shift 2 ;;
	--quick) runs=3; shift ;;
	-h|--help) sed -n '2,7s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "patch-speed: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
res=${PREVIRT_BENCH_RESULTS:-$top/bench/results}
mkdir -p "$res"
make -s -C "$top" build/bench/patch-speed
ab=$("$top/guests/linux/build.sh" --arch i386 --variant afterburnt 2>/dev/null | tail -n 1)
"$top/build/bench/patch-speed" --runs "$runs" --json "$res/patch-speed.json" "$ab/vmlinux"
echo "patch-speed: wrote $res/patch-speed.json"
