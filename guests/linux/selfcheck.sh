# previrt guest self-check: deterministic output, one line per check, so the
# transcript of a plain and an afterburnt kernel can be compared line by line.
fails=0
check() {
	name=$1
	shift
	if "$@" >/dev/null 2>&1; then
		echo "selfcheck: $name: ok"
	else
		echo "selfcheck: $name: FAIL"
		fails=$((fails + 1))
	fi
}
echo "selfcheck: kernel $(uname -s) $(uname -r | cut -d. -f1-2) $(uname -m)"
check proc-cpuinfo grep -q '^processor' /proc/cpuinfo
check proc-interrupts grep -q 'timer' /proc/interrupts
check devtmpfs test -c /dev/null
# a machine with a PCI bus lists its devices (the in-place VMM's bus is empty)
check pci-devices sh -c 'dmesg | grep -q "System does not support PCI" || ls /sys/bus/pci/devices | grep -q .'
check pipeline sh -c '[ "$(echo hello | tr a-z A-Z | sed s/L/l/g)" = HEllO ]'
check fork-exec-50 sh -c 'i=0; while [ $i -lt 50 ]; do /bin/true || exit 1; i=$((i + 1)); done'
check tmpfs sh -c 'mount -t tmpfs t /mnt && echo data >/mnt/f && [ "$(cat /mnt/f)" = data ] && umount /mnt'
# The victim spins instead of sleeping: this check must not depend on the
# guest's timer calibration, which tinyconfig's PIT-only clock gets wrong on
# a busy host (docs/linux-guest.md).
check signal sh -c 'sh -c "while :; do :; done" & p=$!; kill -TERM $p; wait $p; [ $? -eq 143 ]'
check memory-8M sh -c 'dd if=/dev/zero of=/tmp/z bs=1M count=8 && [ "$(wc -c </tmp/z)" -eq 8388608 ] && rm /tmp/z'
check clock-runs sh -c 'a=$(cut -d" " -f1 /proc/uptime); i=0; while [ "$(cut -d" " -f1 /proc/uptime)" = "$a" ]; do i=$((i + 1)); [ $i -lt 100000 ] || exit 1; done'
echo "selfcheck: $fails failed"
exit "$fails"
