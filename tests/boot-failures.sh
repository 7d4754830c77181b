#!/bin/sh
# scripts/boot-qemu.sh reports guest failures: a guest that hangs is killed
# at the timeout and reported with its console output; one that reboots
# without passing its self-check is a failure too; bad arguments exit 2.
#   tests/boot-failures.sh KERNEL_DIR INITRD
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
k=${1:?usage: boot-failures.sh KERNEL_DIR INITRD}/arch/x86/boot/bzImage
initrd=${2:?}
boot=$top/scripts/boot-qemu.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "boot-failures: FAIL: $*" >&2; fail=$((fail + 1)); }
# No init and panic=0: the kernel panics and waits forever.
"$boot" --arch i386 --kernel "$k" --initrd "$initrd" --timeout 20 \
	--append "rdinit=/nonexistent panic=0" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] && grep -q 'did not shut down within 20s' "$tmp/err" &&
	grep -q 'Kernel panic' "$tmp/out" && ok || bad "hang: $(cat "$tmp/err")"
# No init, default panic=-1: it reboots at once, without the self-check.
"$boot" --arch i386 --kernel "$k" --initrd "$initrd" --timeout 60 \
	--append "rdinit=/nonexistent" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "without printing 'previrt-init: selfcheck passed'" "$tmp/err" && ok || bad "early reboot: $(cat "$tmp/err")"
"$boot" --arch arm --kernel "$k" --initrd "$initrd" 2>"$tmp/err"
[ $? -eq 2 ] && ok || bad "bad --arch"
"$boot" --arch i386 --kernel "$tmp/none" --initrd "$initrd" 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "cannot read" "$tmp/err" && ok || bad "missing kernel"
echo "boot-failures: $pass passed, $fail failed"
[ $fail -eq 0 ]
