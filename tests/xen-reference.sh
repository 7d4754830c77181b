#!/bin/sh
# The yardstick on the Xen platform: Debian's amd64 pv_ops kernel (Linux's
# own Xen PV port) boots as PV dom0 on Debian's Xen 4.17 under QEMU TCG with
# the project's busybox initramfs, and prints the init transcript the
# self-check defines: every check of guests/linux/selfcheck.sh "ok", in
# order.  This proves the harness the Xen in-place VMM is measured with.
#   tests/xen-reference.sh [INITRD]
# INITRD defaults to guests/linux/initramfs.sh --arch x86_64.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
initrd=${1:-}
[ -n "$initrd" ] || initrd=$("$top/guests/linux/initramfs.sh" --arch x86_64 | tail -n 1)
kernel=$("$top/scripts/xen-packages.sh" linux | tail -n 1)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The transcript a healthy 6.1 x86_64 guest prints, from the self-check itself.
{
	echo "previrt-init: start"
	echo "selfcheck: kernel Linux 6.1 x86_64"
	sed -n 's/^check \([^ ]*\) .*/selfcheck: \1: ok/p' "$top/guests/linux/selfcheck.sh"
	echo "selfcheck: 0 failed"
	echo "previrt-init: selfcheck passed"
	echo "previrt-init: shutdown"
} >"$tmp/want"

rc=0
"$top/scripts/boot-xen.sh" --kernel "$kernel" --append "console=hvc0 panic=-1" \
	--initrd "$initrd" --timeout 240 --log "$tmp/log" >/dev/null 2>"$tmp/err" || rc=1
cat "$tmp/err" >&2
tr -d '\r' <"$tmp/log" | grep -E '^(previrt-init|selfcheck):' >"$tmp/got" || true
if [ $rc -ne 0 ]; then
	echo "xen-reference: FAIL: $(basename "$kernel") did not boot cleanly as dom0; console tail:" >&2
	tail -n 40 "$tmp/log" | sed 's/^/  /' >&2
	exit 1
fi
# Linux's own view: it ran as a PV guest, not on emulated hardware.
grep -q 'Hypervisor detected: Xen PV' "$tmp/log" ||
	{ echo "xen-reference: FAIL: the kernel did not report running as a Xen PV guest" >&2; exit 1; }
grep -q '^(XEN) \*\*\* Building a PV Dom0 \*\*\*' "$tmp/log" ||
	{ echo "xen-reference: FAIL: Xen did not build a PV dom0" >&2; exit 1; }
if ! cmp -s "$tmp/want" "$tmp/got"; then
	echo "xen-reference: FAIL: init transcript differs from the self-check's (want vs got):" >&2
	diff "$tmp/want" "$tmp/got" | sed 's/^/  /' >&2
	exit 1
fi
echo "xen-reference: $(basename "$(dirname "$kernel")") as PV dom0 on $(basename "$(dirname "$("$top/scripts/xen-packages.sh" xen | tail -n 1)")"): $(wc -l <"$tmp/got")-line init transcript as expected"
