#!/bin/sh
# Boots a kernel + initramfs on "raw hardware": QEMU TCG, no KVM.
#
#   scripts/boot-qemu.sh --arch i386|x86_64 --kernel IMAGE --initrd CPIO
#                        [--append ARGS] [--timeout SECONDS] [--log FILE]
#                        [--expect LINE]
#
# The serial console goes to stdout (and to --log).  Success means the guest
# printed a line containing LINE (default "previrt-init: selfcheck passed")
# and "previrt-init: shutdown", and QEMU then exited by itself (reboot -f
# with -no-reboot).  A guest that hangs is killed at the timeout and reported
# as a failure with its console output.
# Exit status: 0 success, 1 guest failure or timeout, 2 bad arguments.
set -eu
arch= kernel= initrd= append= timeout=180 log= expect='previrt-init: selfcheck passed'
while [ $# -gt 0 ]; do
	case $1 in
	--arch) arch=${2:?}; shift 2 ;;
	--kernel) kernel=${2:?}; shift 2 ;;
	--initrd) initrd=${2:?}; shift 2 ;;
	--append) append=${2?}; shift 2 ;;
	--timeout) timeout=${2:?}; shift 2 ;;
	--log) log=${2:?}; shift 2 ;;
	--expect) expect=${2:?}; shift 2 ;;
	-h|--help) sed -n '2,13s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "boot-qemu.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
case $arch in i386|x86_64) ;; *) echo "boot-qemu.sh: --arch must be i386 or x86_64" >&2; exit 2 ;; esac
for f in "$kernel" "$initrd"; do
	[ -r "$f" ] || { echo "boot-qemu.sh: cannot read '$f'" >&2; exit 2; }
done
case $timeout in ''|*[!0-9]*) echo "boot-qemu.sh: --timeout needs seconds" >&2; exit 2 ;; esac
command -v "qemu-system-$arch" >/dev/null ||
	{ echo "boot-qemu.sh: qemu-system-$arch missing (package qemu-system-x86)" >&2; exit 2; }
[ -n "$log" ] || log=$(mktemp)

set +e
timeout --kill-after=5 "$timeout" "qemu-system-$arch" -nodefaults -display none \
	-machine pc -m 256 -no-reboot -serial stdio -nic user,model=e1000 \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 $append" </dev/null >"$log" 2>&1
rc=$?
set -e
cat "$log"
if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
	echo "boot-qemu.sh: FAIL: guest did not shut down within ${timeout}s (console above, log $log)" >&2
	exit 1
fi
if [ $rc -ne 0 ]; then
	echo "boot-qemu.sh: FAIL: qemu exited with status $rc (log $log)" >&2
	exit 1
fi
if grep -qF -- "$expect" "$log" && grep -q '^previrt-init: shutdown' "$log"; then
	exit 0
fi
echo "boot-qemu.sh: FAIL: guest shut down without printing '$expect' (log $log)" >&2
exit 1
