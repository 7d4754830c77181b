#!/bin/sh
# The DP83820 through Linux's unmodified ns83820 driver, in-process
# (`previrt run --net null`: the card on the PCI bus, its link up, its
# cable going nowhere): the driver probes the model (MAC, IRQ), opens it,
# sees the link, and sends ARP requests (arping) that the host side counts; with
# the driver's register accesses as MEM sites in place (each a call into
# the model) and with `--native MEM` (each a host fault on the unmapped
# BAR, decoded and emulated).  The same vmlinux on QEMU TCG finds no
# DP83820 (QEMU has none; its default e1000 is there).
# Bad --net values are refused.
#
#   tests/net-process.sh [--only process|qemu] VMLINUX_DIR   (the afterburnt i386 build)
#
# --only process: the in-process runs (tests/run starts them through
# tests/process-host.sh); --only qemu: the QEMU run and the bad input.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
only=
case ${1:-} in
--only) only=${2:-}; shift 2 ;;
esac
case $only in ''|process|qemu) ;; *) echo "net-process.sh: --only process or qemu" >&2; exit 2 ;; esac
kdir=${1:?usage: tests/net-process.sh [--only process|qemu] VMLINUX_DIR}
pv=$top/build/bin/previrt
scale=1
[ "${PREVIRT_NESTED_HOST:-0}" = 1 ] && scale=6
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "net-process.sh: FAIL: $*"; fail=1; }
initrd=$("$top/guests/linux/initramfs.sh" --arch i386 --add "$top/guests/linux/net-check.sh=/net-check.sh" |
	tail -n 1) || exit 1

# boot NAME OPTIONS...: console in $tmp/NAME.out, stderr in $tmp/NAME.err
boot() {
	name=$1
	shift
	timeout --kill-after=5 $((120 * scale)) "$pv" run --timeout $((100 * scale)) --initrd "$initrd" \
		--append previrt.script=/net-check.sh "$@" "$kdir/vmlinux" </dev/null 2>"$tmp/$name.err" |
		tr -d '\r' >"$tmp/$name.out"
	echo "--- $name: $(grep -c '^net: ' "$tmp/$name.out") net lines"
	grep '^net: ' "$tmp/$name.out"
	grep -E '^  (MEM|network)' "$tmp/$name.err"
}

# card CONFIG: what the driver must have done in every in-process run
card() {
	o=$tmp/$1.out e=$tmp/$1.err
	grep -q '^net: probe: eth0: ns83820 v0.23: DP83820 v1.3: 52:54:00:12:34:56 io=0x[0-9a-f]* irq=11' "$o" ||
		bad "$1: the driver did not probe the card (MAC 52:54:00:12:34:56, irq 11)"
	grep -q '^net: carrier 1$' "$o" || bad "$1: eth0 has no carrier"
	grep -q '^net: eth0: link now 1000 mbps, full duplex and up' "$o" || bad "$1: the driver saw no 1000 Mb/s link"
	tx=$(sed -n 's/^net: eth0 rx_packets \([0-9]*\) tx_packets \([0-9]*\)$/\2/p' "$o")
	sent=$(sed -n 's/^  network: DP83820, [0-9]* device-register accesses trapped, \([0-9]*\) frames sent.*/\1/p' "$e")
	[ -n "$tx" ] && [ "$tx" -ge 1 ] || bad "$1: the driver sent no frame (tx_packets '${tx:-}')"
	[ "${sent:-x}" = "${tx:-y}" ] || bad "$1: the driver counted ${tx:-?} frames sent, the card ${sent:-?}"
	grep -q '^net: down$' "$o" || bad "$1: ip link set eth0 down failed"
	grep -q 'previrt-init: /net-check.sh exited with status 0' "$o" || bad "$1: the guest script did not finish"
	grep -q 'guest error' "$e" && bad "$1: the card reported a guest error: $(grep -m1 'guest error' "$e")"
}
# MEM KIND-LINE: $1 sites, $2 inline, $3 call, $4 native, $5 vmm entries, $6 traps
mem_line() { awk '$1 == "MEM" { print $2, $3, $4, $5, $6, $7 }' "$tmp/$1.err"; }

in_process() {
	boot inplace --net null --stats
	card inplace
	set -- $(mem_line inplace) x x x x x x
	[ "$1" != x ] && [ "$1" -gt 0 ] || bad "in place: no MEM sites in the vmlinux (mem-sources.txt)"
	[ "$5" != x ] && [ "$5" -gt 0 ] && [ "$6" = 0 ] || bad "in place: MEM sites entered the VMM $5 times with $6 traps"

	boot native --net null --stats --native MEM
	card native
	set -- $(mem_line native) x x x x x x
	[ "$4" != x ] && [ "$4" = "$1" ] && [ "$6" -gt 0 ] || bad "--native MEM: $4 of $1 sites native, $6 traps"
}

on_qemu() {
	boot qemu --platform=qemu
	grep -q '^net: no DP83820 ' "$tmp/qemu.out" || bad "qemu: the same vmlinux should find no DP83820 there"
	for arg in bogus tap= tap=a/b tap=0123456789abcdef tapx '' user,bogus user,hostfwd=tcp::0-:80 user,hostfwd=tcp::80 \
		user,hostfwd=tcp::80-10.0.2.16:80 user,hostfwd=icmp::80-:80; do
		"$pv" run --net "$arg" "$kdir/vmlinux" </dev/null >/dev/null 2>"$tmp/arg.err"
		rc=$?
		[ $rc = 2 ] && grep -q -- '--net' "$tmp/arg.err" || bad "--net '$arg': exit $rc, want 2 and a message"
	done
	"$pv" run --platform=qemu --net null "$kdir/vmlinux" </dev/null >/dev/null 2>"$tmp/arg.err"
	[ $? = 2 ] || bad "--net null --platform=qemu: want exit 2"
}

[ "$only" = qemu ] || in_process
[ "$only" = process ] || on_qemu
[ $fail = 0 ] && echo "net-process.sh: ok"
exit $fail
