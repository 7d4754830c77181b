#!/bin/sh
# The Xen in-place VMM takes an afterburnt Linux vmlinux and its initrd
# through `previrt run --platform=xen`: Xen boots the VMM as 64-bit PV dom0,
# the VMM finds both parts in its one module, and validates every
# .afterburn record and site freestanding, agreeing with previrt's own
# (hosted) count, then shuts down.  Running the kernel: not yet.
#   tests/xen-vmm.sh VMLINUX INITRD
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
vmlinux=${1:?usage: xen-vmm.sh VMLINUX INITRD}
initrd=${2:?usage: xen-vmm.sh VMLINUX INITRD}
make -s -C "$top" all || exit 1
"$top/scripts/xen-packages.sh" xen >/dev/null || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
timeout --kill-after=5 200 "$top/build/bin/previrt" run --platform=xen --timeout 180 \
	--initrd "$initrd" --append "console=hvc0 previrt.test=1" "$vmlinux" </dev/null >"$tmp/out" 2>"$tmp/err"
rc=$?
fail() {
	echo "xen-vmm: FAIL: $*" >&2
	sed 's/^/  /' "$tmp/err" >&2
	grep -E 'previrt-xen|\(XEN\) (Hardware|Domain|Panic|Multiple)' "$tmp/out" | sed 's/^/  /' >&2
	exit 1
}
[ $rc -eq 0 ] || fail "previrt run --platform=xen exited $rc"
sites=$(grep -m1 -oE '[0-9]+ sites valid; starting Xen' "$tmp/err" | cut -d' ' -f1)
[ -n "$sites" ] || fail "previrt did not report the sites it checked"
grep -q '^previrt-xen: start_info: .* flags 0x[0-9a-f]*: privileged initdomain' "$tmp/out" || fail "not booted as the initial domain"
grep -q '^previrt-xen: the module is a package of 2 parts' "$tmp/out" || fail "the module package was not recognised"
grep -q "^previrt-xen: part 0: 'vmlinux', $(wc -c <"$vmlinux") bytes at .*, ELF" "$tmp/out" || fail "vmlinux part wrong"
grep -q "^previrt-xen: part 1: 'initrd', $(wc -c <"$initrd") bytes at .*, cpio (newc)" "$tmp/out" || fail "initrd part wrong"
grep -q "^previrt-xen: guest command line 'console=hvc0 previrt.test=1'" "$tmp/out" || fail "command line lost"
grep -q "^previrt-xen: vmlinux: .afterburn: .*, $sites sites: all valid" "$tmp/out" ||
	fail "the VMM's validation differs from previrt's ($sites sites)"
echo "xen-vmm: $(basename "$(dirname "$vmlinux")"): the Xen VMM validated all $sites sites as dom0; $(grep -oE 'dom0 shut down after [0-9.]+ s' "$tmp/err")"
