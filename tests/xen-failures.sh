#!/bin/sh
# previrt run --platform=xen refuses bad input before Xen starts (exit 2, a
# message naming the file and the problem, no Xen output), and the Xen
# in-place VMM itself refuses what reaches it anyway: booted by Xen with a
# corrupt kernel or without one, it names the problem and crashes dom0,
# which the launchers report as a guest failure.  Also the good case on the
# smallest afterburnt kernel, the test kernel.
#   tests/xen-failures.sh
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
make -s -C "$top" all || exit 1
pv=$top/build/bin/previrt
vmm=$top/build/libexec/previrt/ipvmm-xen.elf
tk=$top/build/guests/testkern.elf
"$top/scripts/xen-packages.sh" xen >/dev/null || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

# expect STATUS PATTERN CMD...: CMD exits STATUS and its stderr matches the
# extended regular expression PATTERN; for status 2, Xen never printed.
expect() {
	want=$1 pat=$2
	shift 2
	timeout --kill-after=5 120 "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
	got=$?
	msg=$(grep -m1 -E -- "$pat" "$tmp/err")
	if [ "$got" = "$want" ] && [ -n "$msg" ] && { [ "$want" != 2 ] || ! grep -q '(XEN)' "$tmp/out"; }; then
		passed=$((passed + 1))
		echo "  pass: exit $got: $msg"
	else
		failed=$((failed + 1))
		echo "  FAIL: $*: exit $got (want $want), stderr:"
		sed 's/^/    /' "$tmp/err" | tail -n 12
	fi
}

# a copy of the test kernel with one byte at OFFSET replaced (octal BYTE)
poke() {
	cp "$tk" "$1"
	printf "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}
ab_off=$(readelf -SW "$tk" | awk '{ for (i = 1; i <= NF; i++) if ($i == ".afterburn") print $(i + 3) }')

echo "bad input, refused before Xen starts:"
expect 2 'testkern-plain.elf: no .afterburn section: not an afterburnt kernel' \
	"$pv" run --platform=xen "$top/build/guests/testkern-plain.elf"
poke "$tmp/arm.elf" 18 '\267' # e_machine := 183, AArch64
expect 2 'arm.elf: not an i386 executable' "$pv" run --platform=xen "$tmp/arm.elf"
printf '.globl _start\n_start: hlt\n' >"$tmp/k64.s"
gcc -nostdlib -static -no-pie -o "$tmp/k64.elf" "$tmp/k64.s"
expect 2 'k64.elf: no .afterburn section: not an afterburnt kernel' "$pv" run --platform=xen "$tmp/k64.elf"
poke "$tmp/broken.elf" $((0x$ab_off + 3 * 8 + 6)) '\143' # record 3's kind := 99
expect 2 'broken.elf: .afterburn record 3 \(address 0x[0-9a-f]+\): record 3 .*undefined kind 99' \
	"$pv" run --platform=xen "$tmp/broken.elf"
printf 'not an elf' >"$tmp/junk"
expect 2 "junk: not a regular file with an ELF header|junk: not an ELF file" "$pv" run --platform=xen "$tmp/junk"
expect 2 'initrd-none: No such file' "$pv" run --platform=xen --initrd "$tmp/initrd-none" "$tk"
expect 2 "platform: 'process' or 'qemu' or 'xen', not 'kvm'" "$pv" run --platform=kvm "$tk"
expect 2 'the Xen in-place VMM /nonexistent is missing' env PREVIRT_XEN_VMM=/nonexistent "$pv" run --platform=xen "$tk"
expect 2 'PREVIRT_XEN=/nonexistent: not a readable file' env PREVIRT_XEN=/nonexistent "$pv" run --platform=xen "$tk"
long=$(printf '%01100d' 0)
expect 2 'append: longer than 1023 bytes' "$pv" run --platform=xen --append "$long" "$tk"

echo "the VMM on Xen:"
# the good case: the afterburnt test kernel (a multiboot i386 ELF) is valid
expect 0 'dom0 shut down after' "$pv" run --platform=xen --timeout 100 --append "x=1,y=2" "$tk"
want=$(grep -m1 -oE '[0-9]+ sites valid' "$tmp/err" | cut -d' ' -f1)
if grep -q "previrt-xen: vmlinux: .afterburn: .*, $want sites: all valid" "$tmp/out" &&
	grep -q "previrt-xen: guest command line 'x=1,y=2'" "$tmp/out"; then
	passed=$((passed + 1))
	echo "  pass: the VMM validated the $want sites previrt counted, command line intact"
else
	failed=$((failed + 1))
	echo "  FAIL: the VMM's report differs from previrt's ($want sites):"
	grep previrt-xen "$tmp/out" | sed 's/^/    /'
fi
# the watchdog stops Xen and says so (Xen needs about a second to boot)
expect 1 'stopped \(watchdog\): Xen ran longer than 1 s' "$pv" run --platform=xen --timeout 1 "$tk"
# what gets past the launcher: the VMM's own checks (booted directly)
expect 1 'FAIL: \(XEN\) (Hardware Dom0|Domain 0 .*) crashed' \
	"$top/scripts/boot-xen.sh" --kernel "$vmm" --module "$tmp/broken.elf" --timeout 100 \
	--log "$tmp/vmm.log" --expect previrt-xen
grep -q 'previrt-xen: FAIL: vmlinux: .afterburn record 3 (address 0x[0-9a-f]*): record 3 .*undefined kind 99' "$tmp/vmm.log" &&
	{ passed=$((passed + 1)); echo "  pass: the VMM names the corrupt record"; } ||
	{ failed=$((failed + 1)); echo "  FAIL: the VMM did not name the corrupt record:"; grep previrt-xen "$tmp/vmm.log" | sed 's/^/    /'; }
expect 1 'FAIL: \(XEN\) (Hardware Dom0|Domain 0 .*) crashed' \
	"$top/scripts/boot-xen.sh" --kernel "$vmm" --timeout 100 --log "$tmp/vmm.log" --expect previrt-xen
grep -q 'previrt-xen: FAIL: start_info: no module' "$tmp/vmm.log" &&
	{ passed=$((passed + 1)); echo "  pass: the VMM reports a missing module"; } ||
	{ failed=$((failed + 1)); echo "  FAIL: no report of the missing module:"; grep previrt-xen "$tmp/vmm.log" | sed 's/^/    /'; }
# a fault in the VMM itself: its trap table names the vector and the
# instruction (which must be the faulting one in the image), then dom0 crashes
for f in ud2:6:ud2 gp:13:mov pf:14:mov; do
	word=${f%%:*} rest=${f#*:}
	vec=${rest%%:*} insn=${rest#*:}
	expect 1 'FAIL: \(XEN\) (Hardware Dom0|Domain 0 .*) crashed' \
		"$top/scripts/boot-xen.sh" --kernel "$vmm" --append "previrt.xen-fault=$word" --timeout 100 \
		--log "$tmp/vmm.log" --expect previrt-xen
	rip=$(sed -n "s/.*previrt-xen: FAIL: fault in the VMM: vector $vec (.*) at rip 0x\([0-9a-f]*\),.*/\1/p" "$tmp/vmm.log" | head -n 1)
	if [ -n "$rip" ] && objdump -d "$vmm" | grep -qE "^$rip:.*[[:space:]]$insn([[:space:]]|$)"; then
		passed=$((passed + 1)); echo "  pass: previrt.xen-fault=$word: the VMM reports vector $vec at its $insn ($rip)"
	else
		failed=$((failed + 1)); echo "  FAIL: previrt.xen-fault=$word: no report of vector $vec at the $insn:"
		grep -a 'previrt-xen\|Unhandled' "$tmp/vmm.log" | sed 's/^/    /' | tail -n 4
	fi
done
echo "xen-failures: $passed passed, $failed failed"
[ "$failed" = 0 ]
