#!/bin/sh
# previrt's main job on its built-in default: build the tools, run the
# afterburnt test kernel in this process (in-place VMM) and on QEMU TCG,
# build an afterburnt Linux 6.1 (i386 unless --arch says otherwise), boot it
# in this process (i386) and on raw hardware (QEMU TCG) with a busybox
# initramfs that runs a self-check.
#
#   scripts/afterburn-and-boot.sh [--arch i386|x86_64]
#
# Everything it needs comes from Debian packages (scripts/deps.sh); kernel
# builds are cached under ~/.cache/previrt.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
arch=i386
while [ $# -gt 0 ]; do
	case $1 in
	--arch) arch=${2:?--arch needs a value}; shift 2 ;;
	--arch=*) arch=${1#*=}; shift ;;
	-h|--help) sed -n '2,12s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "afterburn-and-boot.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
case $arch in i386|x86_64) ;; *) echo "afterburn-and-boot.sh: --arch must be i386 or x86_64" >&2; exit 2 ;; esac
"$top/scripts/deps.sh"
make -s -C "$top" all
# The in-place VMM: the afterburnt test kernel inside this process, then the
# same binary on QEMU TCG (transcripts end with "testkern: PASS").
echo "previrt: running build/guests/testkern.elf in this process (in-place VMM)"
"$top/build/bin/previrt" run --platform=process --timeout 60 "$top/build/guests/testkern.elf" | tail -n 3
echo "previrt: the same binary on QEMU TCG"
"$top/build/bin/previrt" run --platform=qemu "$top/build/guests/testkern.elf" | tail -n 3
kdir=$("$top/guests/linux/build.sh" --arch "$arch" --variant afterburnt | tail -n 1)
initrd=$("$top/guests/linux/initramfs.sh" --arch "$arch" | tail -n 1)
sites=$("$top/scripts/count-sites.sh" "$kdir/vmlinux")
echo "previrt: afterburnt $arch vmlinux: $kdir/vmlinux ($sites annotated sites in .afterburn)"
if [ "$arch" = i386 ]; then
	# the same vmlinux, in this process, through the in-place VMM
	echo "previrt: booting $kdir/vmlinux in this process (previrt run --platform=process)"
	"$top/build/bin/previrt" run --timeout 180 --initrd "$initrd" "$kdir/vmlinux" </dev/null
fi
echo "previrt: booting $kdir/arch/x86/boot/bzImage on qemu-system-$arch (TCG)"
exec "$top/scripts/boot-qemu.sh" --arch "$arch" --kernel "$kdir/arch/x86/boot/bzImage" \
	--initrd "$initrd" --timeout 180
