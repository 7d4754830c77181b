#!/bin/sh
# previrt run must stop a misbehaving guest with a clear message naming what
# it tried and where, and a non-zero status, and refuse bad input before
# running anything; the host process itself never crashes (no status >= 128).
#
#   tests/run-failures.sh
set -u
# time limits, not checks, are 6 times longer in the nested host (tests/process-host.sh)
scale=1
[ "${PREVIRT_NESTED_HOST:-0}" = 1 ] && scale=6
top=$(cd "$(dirname "$0")/.." && pwd)
make -s -C "$top" all || exit 1
pv=$top/build/bin/previrt
bk=$top/build/guests/badkern
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

# expect STATUS PATTERN ARGS...: previrt ARGS exits STATUS and its stderr
# matches the extended regular expression PATTERN.
expect() {
	want=$1 pat=$2
	shift 2
	timeout --kill-after=5 $((30 * scale)) "$pv" "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
	got=$?
	msg=$(grep -m1 -E "$pat" "$tmp/err")
	if [ "$got" = "$want" ] && [ -n "$msg" ]; then
		passed=$((passed + 1))
		echo "  pass: $* -> $got: $msg"
	else
		failed=$((failed + 1))
		echo "  FAIL: $*: exit $got (want $want), stderr:"
		sed 's/^/    /' "$tmp/err" | head -12
	fi
}

expect 1 'wrmsr of MSR 0x1234 at eip 0x[0-9a-f]+: not implemented, #GP to the guest' run "$bk/unknown-msr.elf"
expect 1 'stopped \(bad memory access\): guest touched guest-physical 0x3f000000 .* outside its 16 MiB of RAM \(eip 0x[0-9a-f]+\)' \
	run --mem 16 "$bk/bad-memory.elf"
expect 1 'out to port 0x1234 at eip 0x[0-9a-f]+: no device there \(reads all ones, writes dropped\)' run --timeout 1 "$bk/no-device.elf"
expect 1 'stopped \(unimplemented\): i8254@40: mode 1 .* at eip 0x[0-9a-f]+' run "$bk/pit-mode1.elf"
expect 1 'stopped \(triple fault\)' run "$bk/triple-fault.elf"
expect 1 'stopped \(watchdog\): the guest ran longer than 1 s' run --timeout 1 "$bk/spin.elf"
# the register dump comes with every stop
expect 1 '^  eip [0-9a-f]{8} eflags' run "$bk/unknown-msr.elf"
expect 1 'stopped \(triple fault\)' run "$bk/unknown-msr.elf"

# bad input: refused before the guest runs
printf 'not an elf' >"$tmp/junk"
expect 2 "$tmp/junk: not a regular file with an ELF header|$tmp/junk: not an ELF file" run "$tmp/junk"
expect 2 'no-such-file: No such file' run "$tmp/no-such-file"
expect 2 'testkern-plain.elf: no .afterburn section: not an afterburnt kernel' run "$top/build/guests/testkern-plain.elf"
printf '.globl _start\n_start: hlt\n' >"$tmp/k64.s"
gcc -nostdlib -static -no-pie -o "$tmp/k64.elf" "$tmp/k64.s"
expect 2 'k64.elf: a 64-bit kernel; the process back-end runs i386 kernels' run "$tmp/k64.elf"
expect 2 "unknown kind 'NOPE'" run --native NOPE "$bk/spin.elf"
expect 2 "platform: 'process' or 'qemu'" run --platform=kvm "$bk/spin.elf"
expect 2 'expected a number' run --mem lots "$bk/spin.elf"
expect 2 'processes: expected a number 1..16' run --processes 0 "$bk/spin.elf"
expect 2 'processes: expected a number 1..16' run --processes 17 "$bk/spin.elf"
# a corrupted record: named by index and address, nothing runs
cp "$top/build/guests/testkern.elf" "$tmp/broken.elf"
off=$(readelf -SW "$tmp/broken.elf" | awk '{ for (i = 1; i <= NF; i++) if ($i == ".afterburn") print $(i + 3) }')
# record 3's kind byte := 99
printf '\143' | dd of="$tmp/broken.elf" bs=1 seek=$((0x$off + 3 * 8 + 6)) conv=notrunc 2>/dev/null
expect 2 '.afterburn record 3 \(address 0x[0-9a-f]+\): record 3 .*undefined kind 99' run "$tmp/broken.elf"

echo "run-failures: $passed passed, $failed failed"
[ "$failed" = 0 ]
