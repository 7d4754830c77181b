#!/bin/sh
# Builds the busybox initramfs for one arch, cached.
#
#   guests/linux/initramfs.sh [--arch i386|x86_64] [--add SRC=/DEST]...
#
# --add puts more files into the archive (mode 0755), e.g. a benchmark and the
# script that /init runs with previrt.script=/DEST.
# busybox comes from Debian's busybox-static (for i386 through
# `dpkg --add-architecture i386` and `apt-get download`); the archive is made
# with the kernel's own gen_init_cpio, so no root and no device files on the
# host are needed.  The last line printed is the path of the cpio archive.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cache=${PREVIRT_CACHE:-$HOME/.cache/previrt}
arch=i386
adds=
while [ $# -gt 0 ]; do
	case $1 in
	--add)
		case ${2:-} in /*=*|*=/*) ;; *) echo "initramfs.sh: --add needs SRC=/DEST" >&2; exit 2 ;; esac
		[ -r "${2%%=*}" ] || { echo "initramfs.sh: --add: cannot read '${2%%=*}'" >&2; exit 2; }
		adds="$adds ${2}"; shift 2 ;;
	--arch) arch=${2:?--arch needs a value}; shift 2 ;;
	--arch=*) arch=${1#*=}; shift ;;
	-h|--help) sed -n '2,12s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "initramfs.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
case $arch in i386) debarch=i386 ;; x86_64) debarch=amd64 ;;
*) echo "initramfs.sh: --arch must be i386 or x86_64, not '$arch'" >&2; exit 2 ;; esac

"$top/scripts/deps.sh"
ver=$(apt-cache policy busybox-static | sed -n 's/^ *Candidate: //p')
[ -n "$ver" ] && [ "$ver" != "(none)" ] || { echo "initramfs.sh: no busybox-static package known to apt" >&2; exit 1; }
bbdir=$cache/busybox/$debarch-$ver
if [ ! -x "$bbdir/bin/busybox" ]; then
	echo "initramfs.sh: fetching busybox-static:$debarch $ver" >&2
	rm -rf "$bbdir.tmp"
	mkdir -p "$bbdir.tmp"
	(cd "$bbdir.tmp" && apt-get download -q -o APT::Sandbox::User=root "busybox-static:$debarch=$ver" >/dev/null) ||
		{ echo "initramfs.sh: apt-get download busybox-static:$debarch failed" >&2; exit 1; }
	dpkg-deb -x "$bbdir.tmp"/busybox-static_*.deb "$bbdir.tmp/x"
	mkdir -p "$bbdir/bin"
	mv "$bbdir.tmp/x/bin/busybox" "$bbdir/bin/busybox"
	rm -rf "$bbdir.tmp"
fi
file -L "$bbdir/bin/busybox" | grep -q "statically linked" ||
	{ echo "initramfs.sh: $bbdir/bin/busybox is not a static binary" >&2; exit 1; }

src=$(ls -d "$cache"/src/linux-source-6.1-* 2>/dev/null | head -n 1)
gen=$cache/tools/gen_init_cpio
if [ ! -x "$gen" ]; then
	[ -n "$src" ] || { echo "initramfs.sh: no unpacked Linux source; run build.sh first" >&2; exit 1; }
	mkdir -p "$(dirname "$gen")"
	gcc -O2 -o "$gen" "$src/usr/gen_init_cpio.c"
fi

key=$( {
	cat "$here/init" "$here/selfcheck.sh" "$bbdir/bin/busybox" "$0"
	for a in $adds; do echo "$a"; cat "${a%%=*}"; done
} | sha256sum | cut -c1-12)
out=$cache/initramfs/$arch-$key.cpio
if [ ! -f "$out" ]; then
	mkdir -p "$(dirname "$out")"
	spec=$out.spec
	cat >"$spec" <<SPEC
dir /dev 0755 0 0
nod /dev/console 0600 0 0 c 5 1
nod /dev/ttyS0 0600 0 0 c 4 64
nod /dev/null 0666 0 0 c 1 3
dir /bin 0755 0 0
dir /proc 0755 0 0
dir /sys 0755 0 0
dir /tmp 1777 0 0
dir /mnt 0755 0 0
file /bin/busybox $bbdir/bin/busybox 0755 0 0
file /init $here/init 0755 0 0
file /selfcheck.sh $here/selfcheck.sh 0644 0 0
SPEC
	for a in $adds; do
		echo "file ${a#*=} $(cd "$(dirname "${a%%=*}")" && pwd)/$(basename "${a%%=*}") 0755 0 0" >>"$spec"
	done
	"$gen" "$spec" >"$out.tmp"
	mv "$out.tmp" "$out"
	rm -f "$spec"
fi
echo "$out"
