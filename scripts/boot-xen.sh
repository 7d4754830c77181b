#!/bin/sh
# Boots a dom0 kernel on Xen 4.17 (Debian's), itself on QEMU TCG, no KVM.
#
#   scripts/boot-xen.sh --kernel IMAGE [--append ARGS] [--initrd FILE]
#                       [--module FILE[=ARGS]]... [--xen-append ARGS]
#                       [--cpu MODEL] [--timeout SECONDS] [--log FILE]
#                       [--expect LINE]... [--xen FILE]
#
# IMAGE is the first multiboot module, which Xen builds its PV dom0 from;
# --initrd and each --module follow it in order (Xen gives dom0 the first of
# them as its initrd).  The Xen and dom0 console both go to the serial port,
# lines ending in CR LF: to stdout (and to --log).  Success: every LINE
# (default "previrt-init: selfcheck passed" and "previrt-init: shutdown") was
# printed, dom0 shut the machine down (Xen's "Hardware Dom0 shutdown") and
# QEMU exited by itself; the time to /init's first line is reported.
# A dom0 crash, a Xen panic or a hang (killed at the timeout, default 180 s)
# is a failure, reported with the console output.
# Xen comes from scripts/xen-packages.sh unless --xen names one.
# Exit status: 0 success, 1 guest failure or timeout, 2 bad arguments.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
kernel= append= timeout=180 log= xen= expects= mods=
# -cpu max without SMAP: with SMAP (max, Broadwell, Skylake, EPYC) Xen's
# bounce-frame writes to a 64-bit PV kernel's stack page-fault under QEMU 7.2
# TCG and dom0 dies at its first exception (docs/xen.md).
cpu=max,-smap
xen_append="dom0_mem=512M,max:512M loglvl=all guest_loglvl=all"
nl='
'
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=${2:?}; shift 2 ;;
	--append) append=${2?}; shift 2 ;;
	--initrd) mods="$mods${nl}${2:?}"; shift 2 ;;
	--module) mods="$mods${nl}${2:?}"; shift 2 ;;
	--xen-append) xen_append="$xen_append ${2?}"; shift 2 ;;
	--cpu) cpu=${2:?}; shift 2 ;;
	--timeout) timeout=${2:?}; shift 2 ;;
	--log) log=${2:?}; shift 2 ;;
	--expect) expects="$expects${nl}${2:?}"; shift 2 ;;
	--xen) xen=${2:?}; shift 2 ;;
	-h|--help) sed -n '2,19s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "boot-xen.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
case $timeout in ''|*[!0-9]*) echo "boot-xen.sh: --timeout needs seconds" >&2; exit 2 ;; esac
[ -n "$expects" ] || expects="${nl}previrt-init: selfcheck passed${nl}previrt-init: shutdown"
# QEMU's -initrd splits modules at commas and a module's file from its
# arguments at the first space: such names cannot be passed through.
check_file() {
	case $1 in *,*|*' '*) echo "boot-xen.sh: '$1': a module's file name must not contain ',' or ' '" >&2; exit 2 ;; esac
	[ -r "$1" ] && [ -f "$1" ] || { echo "boot-xen.sh: cannot read '$1'" >&2; exit 2; }
}
[ -n "$kernel" ] || { echo "boot-xen.sh: --kernel is required" >&2; exit 2; }
check_file "$kernel"
case $append in *,*) echo "boot-xen.sh: --append must not contain ','" >&2; exit 2 ;; esac
spec="$kernel${append:+ $append}"
oldifs=$IFS
IFS=$nl
for m in $mods; do
	[ -n "$m" ] || continue
	f=${m%%=*}
	check_file "$f"
	args=
	[ "$f" = "$m" ] || args=${m#*=}
	case $args in *,*) echo "boot-xen.sh: module arguments must not contain ','" >&2; exit 2 ;; esac
	spec="$spec,$f${args:+ $args}"
done
IFS=$oldifs
command -v qemu-system-x86_64 >/dev/null ||
	{ echo "boot-xen.sh: qemu-system-x86_64 missing (package qemu-system-x86)" >&2; exit 2; }
if [ -z "$xen" ]; then
	xen=$("$top/scripts/xen-packages.sh" xen | tail -n 1) || { echo "boot-xen.sh: no Xen binary" >&2; exit 1; }
fi
check_file "$xen"
[ -n "$log" ] || log=$(mktemp)

# Xen's own console is com1 (QEMU's first serial port); dom0's console
# (console_io hypercall, Linux's hvc0) is printed there too, unprefixed.
# The time to the first line of /init is polled from the log, a tenth of a
# second apart (the figure the benchmarks call boot to init).
t0=$(date +%s.%N)
: >"$log"
(
	while ! grep -q '^previrt-init: start' "$log" 2>/dev/null; do
		sleep 0.1
		[ -e "$log" ] || exit 0
	done
	awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f\n", b - a }' >"$log.init"
) &
poller=$!
set +e
timeout --kill-after=5 "$timeout" nice qemu-system-x86_64 -nodefaults -display none \
	-machine q35 -cpu "$cpu" -accel tcg -m 1024 -no-reboot -serial stdio -monitor none \
	-kernel "$xen" -append "console=com1 com1=115200,8n1 $xen_append" \
	-initrd "$spec" </dev/null >"$log" 2>&1
rc=$?
kill $poller 2>/dev/null
wait $poller 2>/dev/null
set -e
init=$(cat "$log.init" 2>/dev/null || echo "-")
rm -f "$log.init"
secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
cat "$log"
if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
	echo "boot-xen.sh: FAIL: dom0 did not shut down within ${timeout}s (console above, log $log)" >&2
	exit 1
fi
if grep -qE '^\(XEN\) (Domain 0 \(vcpu#[0-9]+\) crashed|Hardware Dom0 crashed)|^\(XEN\) Panic on CPU' "$log"; then
	echo "boot-xen.sh: FAIL: $(grep -m1 -E '^\(XEN\) (Domain 0 .*crashed|Hardware Dom0 crashed|Panic on CPU)' "$log") (log $log)" >&2
	exit 1
fi
if [ $rc -ne 0 ]; then
	echo "boot-xen.sh: FAIL: qemu exited with status $rc (log $log)" >&2
	exit 1
fi
IFS=$nl
for e in $expects; do
	[ -n "$e" ] || continue
	grep -qF -- "$e" "$log" || { echo "boot-xen.sh: FAIL: dom0 stopped without printing '$e' (log $log)" >&2; exit 1; }
done
IFS=$oldifs
grep -q '^(XEN) Hardware Dom0 shutdown' "$log" ||
	{ echo "boot-xen.sh: FAIL: Xen did not report dom0's shutdown (log $log)" >&2; exit 1; }
if [ "$init" = - ]; then
	echo "boot-xen.sh: ok: dom0 shut down after ${secs}s" >&2
else
	echo "boot-xen.sh: ok: dom0 reached init after ${init}s, shut down after ${secs}s" >&2
fi
