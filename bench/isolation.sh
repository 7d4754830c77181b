#!/bin/sh
# What each host mechanism that can contain guest user code costs, each
# measured alone (issue 14; docs/isolation-mechanisms.md): the futex and
# pipe handoffs between two processes, guest RAM's fd passed by
# SCM_RIGHTS, the mapping agent, seccomp user notification and filter
# cost, ptrace-injected system calls, fault delivery (in-process and the
# stub's whole path), and the plain mapping calls under them.  One program
# per mechanism in bench/isolation/; each row is the median over runs of
# each run's median chunk (min..max over runs).  A row the host refuses
# says why instead of a number.  Prints a table and writes
# bench/results/isolation.json.
#
#   bench/isolation.sh [--runs N] [--quick]
#
# --quick: 1 run of short chunks (plumbing check for tests/run).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
runs=5 quick=
while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=${2:?}; shift 2 ;;
	--quick) runs=1 quick=--quick; shift ;;
	-h|--help) sed -n '2,15s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "isolation: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
case $runs in ''|*[!0-9]*|0) echo "isolation: --runs needs a positive number" >&2; exit 2 ;; esac
res=${PREVIRT_BENCH_RESULTS:-$top/bench/results}
mkdir -p "$res"
# B: the build directory, as for make (default build/)
b=${B:-build}
case $b in /*) ;; *) b=$top/$b ;; esac
make -s -C "$top" B="$b" bench-isolation
progs="handoff scm_rights agent seccomp ptrace fault floor"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/lines"
# other work on the machine moves these numbers: the load is recorded
load0=$(cut -d' ' -f1 /proc/loadavg)
r=1
while [ "$r" -le "$runs" ]; do
	echo "isolation: run $r/$runs" >&2
	for p in $progs; do
		st=0
		"$b/bench/isolation/$p" $quick >"$tmp/out" 2>"$tmp/err" || st=$?
		cat "$tmp/out" >>"$tmp/lines"
		if [ "$st" -ne 0 ]; then
			printf 'skip\t%s\t%s exited with status %s: %s\t(the rows it did not print)\n' "$p" "$p" "$st" \
				"$(tr '\t\n' '  ' <"$tmp/err")" >>"$tmp/lines"
		elif [ -s "$tmp/err" ]; then
			sed "s/^/isolation: $p: /" "$tmp/err" >&2
		fi
	done
	r=$((r + 1))
done

json=$res/isolation.json
awk -F '\t' -v runs="$runs" -v json="$json" -v date="$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    -v kernel="$(uname -sr)" -v cpu="$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)" \
    -v cpus="$(nproc)" -v load="$load0 $(cut -d' ' -f1 /proc/loadavg)" -v quick="${quick:+true}" "$(cat <<'AWK'
function med(a, n,   i, j, t) { for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j > 0 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
	return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
function js(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return "\"" s "\"" }
$1 != "row" && $1 != "skip" { next }
{
	if (!($2 in seen)) { seen[$2] = 1; order[++k] = $2 }
	if ($1 == "row") { n[$2]++; v[$2, n[$2]] = $3; if ($4 != "") what[$2] = $4 }
	else { nskip[$2]++; if (!($2 in why)) why[$2] = $3; if (!($2 in what) && $4 != "") what[$2] = $4 }
}
END {
	printf "%-26s %10s %19s  %s\n", "mechanism", "median us", "min..max", "one operation"
	printf "{ \"date\": \"%s\", \"runs\": %d, \"quick\": %s, \"host\": { \"kernel\": %s, \"cpu\": %s, \"cpus\": %d, \"load_1min_before_after\": %s },\n  \"rows\": [\n", \
		date, runs, quick == "" ? "false" : "true", js(kernel), js(cpu), cpus, js(load) > json
	for (i = 1; i <= k; i++) {
		r = order[i]; m = n[r]
		sep = i < k ? "," : ""
		if (m == 0) {
			printf "%-26s %10s %19s  %s\n", r, "-", "-", "no number: " why[r]
			printf "    { \"row\": %s, \"what\": %s, \"refused\": %s }%s\n", js(r), js(what[r]), js(why[r]), sep > json
			continue
		}
		lo = 1e300; hi = -1
		for (j = 1; j <= m; j++) { a[j] = v[r, j] + 0; if (a[j] < lo) lo = a[j]; if (a[j] > hi) hi = a[j] }
		md = med(a, m)
		note = nskip[r] ? sprintf(" [%d of %d runs gave no number: %s]", nskip[r], m + nskip[r], why[r]) : ""
		printf "%-26s %10.2f %19s  %s%s\n", r, md, sprintf("%.2f..%.2f", lo, hi), what[r], note
		printf "    { \"row\": %s, \"what\": %s, \"runs\": %d, \"us\": { \"median\": %.3f, \"min\": %.3f, \"max\": %.3f }%s }%s\n", \
			js(r), js(what[r]), m, md, lo, hi, nskip[r] ? ", \"failed_runs\": " nskip[r] ", \"failure\": " js(why[r]) : "", sep > json
	}
	printf "  ] }\n" > json
}
AWK
)" "$tmp/lines"
echo "(median over $runs runs of each run's median chunk, microseconds; this machine's numbers, 1-minute load" \
	"$load0 before, $(cut -d' ' -f1 /proc/loadavg) after; JSON: $json)"
