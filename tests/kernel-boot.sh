#!/bin/sh
# Both kernels of an arch boot on raw hardware (QEMU TCG) to the init marker
# and a clean shutdown, and print the same init transcript.
#   tests/kernel-boot.sh ARCH PLAIN_DIR AFTERBURNT_DIR INITRD
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
arch=${1:?usage: kernel-boot.sh ARCH PLAIN_DIR AFTERBURNT_DIR INITRD}
p=${2:?} a=${3:?} initrd=${4:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rc=0
for v in plain afterburnt; do
	[ $v = plain ] && d=$p || d=$a
	if "$top/scripts/boot-qemu.sh" --arch "$arch" --kernel "$d/arch/x86/boot/bzImage" \
		--initrd "$initrd" --timeout 180 --log "$tmp/$v.log" >/dev/null; then
		echo "kernel-boot: $arch $v: booted, self-check passed, clean shutdown"
	else
		echo "kernel-boot: FAIL: $arch $v did not boot cleanly; console:" >&2
		tail -n 40 "$tmp/$v.log" | sed 's/^/  /' >&2
		rc=1
	fi
	grep -E '^(previrt-init|selfcheck):' "$tmp/$v.log" >"$tmp/$v.init" || true
done
if ! cmp -s "$tmp/plain.init" "$tmp/afterburnt.init"; then
	echo "kernel-boot: FAIL: $arch init transcripts differ (plain vs afterburnt):" >&2
	diff "$tmp/plain.init" "$tmp/afterburnt.init" | sed 's/^/  /' >&2
	rc=1
else
	echo "kernel-boot: $arch: identical init transcripts ($(wc -l <"$tmp/plain.init") lines)"
fi
exit $rc
