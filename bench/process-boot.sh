#!/bin/sh
# Boot time of afterburnt i386 Linux 6.1 as a process: host wall time from
# starting `previrt run` to the guest's init marker ("previrt-init: start"),
# with the in-place VMM in this process (default, --no-jail: what the jail
# costs, and --user-sees-kernel),
# against QEMU TCG booting the same build (--platform=qemu).  Alternating
# runs; medians, minimum and maximum.  Prints a table and writes
# bench/results/process-boot.json.  Target: under 2 s in-process.
#
#   bench/process-boot.sh [--runs N] [--quick] [--configs "NAME..."]
#
# --configs: some of process, no-jail, user-sees-kernel, qemu (tests/run
# boots qemu here and the others in the nested host where this host cannot).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
runs=5
all_configs="process no-jail user-sees-kernel qemu"
configs=$all_configs
while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=${2:?}; shift 2 ;;
	--quick) runs=1; shift ;;
	--configs) configs=${2:?--configs needs a list}; shift 2 ;;
	-h|--help) sed -n '2,13s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "process-boot: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
case $runs in ''|*[!0-9]*|0) echo "process-boot: --runs needs a positive number" >&2; exit 2 ;; esac
[ -n "$configs" ] || { echo "process-boot: --configs needs at least one" >&2; exit 2; }
for c in $configs; do
	case " $all_configs " in *" $c "*) ;; *) echo "process-boot: no config '$c' (there are: $all_configs)" >&2; exit 2 ;; esac
done
# the nested host (tests/process-host.sh) runs everything 20-50x slower
to=120
[ "${PREVIRT_NESTED_HOST:-0}" = 1 ] && to=720
res=${PREVIRT_BENCH_RESULTS:-$top/bench/results}
mkdir -p "$res"
make -s -C "$top" all
kdir=$("$top/guests/linux/build.sh" --arch i386 --variant afterburnt 2>/dev/null | tail -n 1)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo 'exit 0' >"$tmp/exit.sh"
initrd=$("$top/guests/linux/initramfs.sh" --arch i386 --add "$tmp/exit.sh=/exit.sh" 2>/dev/null | tail -n 1)

# one CONFIG [OPTIONS...]: seconds to the init marker, and to the end; a run that
# fails (no marker, or previrt's status not 0) is "fail" with its status
one() {
	c=$1
	shift
	{ rc=0; "$top/build/bin/previrt" run --timeout $to --initrd "$initrd" --append previrt.script=/exit.sh \
		"$@" "$kdir/vmlinux" </dev/null 2>"$tmp/$c.err" || rc=$?; echo; echo "previrt-status: $rc"; } |
		perl -MTime::HiRes=time -ne 'BEGIN { $t0 = time } if (/previrt-init: start/ && !$m) { $m = time - $t0 }
			if (/^previrt-status: (\d+)/) { $rc = $1; $e = time - $t0 }
			END { if (!$m || $rc) { printf "fail %s\n", $rc // "?" } else { printf "%.3f %.3f\n", $m, $e } }'
}
for i in $(seq "$runs"); do
	for c in $configs; do
		case $c in
		process) one process --platform=process ;;
		no-jail) one no-jail --platform=process --no-jail ;;
		user-sees-kernel) one user-sees-kernel --platform=process --user-sees-kernel ;;
		qemu) one qemu --platform=qemu ;;
		esac >>"$tmp/$c"
	done
done
bad=0
for c in $configs; do
	if grep -q '^fail' "$tmp/$c"; then
		echo "process-boot: $c: $(grep -c '^fail' "$tmp/$c") of $runs boots failed (exit $(grep '^fail' "$tmp/$c" | cut -d' ' -f2 | sort -u | tr '\n' ' '| sed 's/ $//')); last stderr: $(tail -n 1 "$tmp/$c.err")" >&2
		bad=1
	fi
done
[ $bad = 0 ] || { echo "process-boot: no table: a boot failed" >&2; exit 1; }
# stats FILE COLUMN: median min max
stats() { cut -d' ' -f"$2" "$1" | sort -n | awk '{ v[NR] = $1 } END { printf "%.3f %.3f %.3f", v[int((NR + 1) / 2)], v[1], v[NR] }'; }
printf '%-20s %10s %10s %10s %12s\n' platform "init med s" "min s" "max s" "run med s"
json=$res/process-boot.json
printf '{ "date": "%s", "runs": %s, "kernel": "%s", "rows": [' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$runs" "$kdir/vmlinux" >"$json"
sep=
for c in $configs; do
	set -- $(stats "$tmp/$c" 1)
	total=$(stats "$tmp/$c" 2 | cut -d' ' -f1)
	printf '%-20s %10s %10s %10s %12s\n' "$c" "$1" "$2" "$3" "$total"
	printf '%s\n  {"platform": "%s", "init_marker_s": {"median": %s, "min": %s, "max": %s}, "whole_run_s": %s}' \
		"$sep" "$c" "$1" "$2" "$3" "$total" >>"$json"
	sep=,
done
echo ' ] }' >>"$json"
echo "process-boot: wrote $json"
