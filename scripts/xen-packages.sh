#!/bin/sh
# Fetches the Xen platform's Debian binaries into the cache and prints a path.
#
#   scripts/xen-packages.sh xen      the hypervisor, gunzipped (ELF32 multiboot)
#   scripts/xen-packages.sh linux    Debian's amd64 pv_ops kernel (vmlinuz)
#
# The packages are downloaded with `apt-get download` and unpacked into
# ~/.cache/previrt/xen/PACKAGE_VERSION/ (or $PREVIRT_CACHE/xen/...), not
# installed: installing xen-hypervisor-4.17-amd64 would add a GRUB entry and
# files under /boot on this host, which only QEMU needs.  Next to each binary
# the cache keeps the package's build config (xen-4.17-amd64.config, the
# kernel's config), the record of what the build supports (CONFIG_PV32,
# CONFIG_XEN_PV).  When apt knows no candidate (offline, no package lists)
# the newest cached version is used.  The last line printed is the path.
set -eu
cache=${PREVIRT_CACHE:-$HOME/.cache/previrt}/xen
what=${1:-}
case $what in
xen) pkg=xen-hypervisor-4.17-amd64 ;;
linux)
	# linux-image-amd64 is a metapackage: the kernel is the package it needs.
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n 1)
	[ -n "$pkg" ] || pkg=linux-image-amd64 ;;
-h|--help) sed -n '2,15s/^# \{0,1\}//p' "$0"; exit 0 ;;
*) echo "xen-packages.sh: expected 'xen' or 'linux', got '$what'" >&2; exit 2 ;;
esac

ver=$(apt-cache policy "$pkg" 2>/dev/null | sed -n 's/^ *Candidate: //p')
if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
	prefix=$pkg
	[ "$what" = linux ] && prefix=linux-image-
	dir=$(ls -d "$cache/$prefix"*_* 2>/dev/null | sort -V | tail -n 1)
	[ -n "$dir" ] || { echo "xen-packages.sh: apt knows no $pkg and none is cached (run apt-get update)" >&2; exit 1; }
	echo "xen-packages.sh: apt knows no $pkg; using the cached $(basename "$dir")" >&2
else
	dir=$cache/${pkg}_$ver
fi

if [ ! -f "$dir/done" ]; then
	echo "xen-packages.sh: fetching $pkg $ver" >&2
	tmp=$dir.tmp.$$
	rm -rf "$tmp"
	mkdir -p "$tmp"
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "$pkg=$ver" >/dev/null) ||
		{ echo "xen-packages.sh: apt-get download $pkg=$ver failed" >&2; exit 1; }
	dpkg-deb -x "$tmp"/*.deb "$tmp/x"
	case $what in
	xen)
		gz=$(ls "$tmp"/x/boot/xen-*-amd64.gz | head -n 1)
		gunzip -c "$gz" >"$tmp/xen"
		cp "${gz%.gz}.config" "$tmp/xen.config"
		# QEMU's -kernel loads a multiboot ELF; say so if the package changed.
		file "$tmp/xen" | grep -q 'ELF 32-bit LSB executable' ||
			{ echo "xen-packages.sh: $gz is not an ELF32 image: $(file -b "$tmp/xen")" >&2; exit 1; } ;;
	linux)
		cp "$tmp"/x/boot/vmlinuz-* "$tmp/vmlinuz"
		cp "$tmp"/x/boot/config-* "$tmp/config"
		grep -q '^CONFIG_XEN_PV=y' "$tmp/config" ||
			{ echo "xen-packages.sh: $pkg is built without CONFIG_XEN_PV" >&2; exit 1; } ;;
	esac
	rm -rf "$tmp/x" "$tmp"/*.deb
	echo "$pkg $ver" >"$tmp/done"
	# The rename is atomic; a run that lost the race keeps the winner's copy.
	[ -e "$dir" ] || mv -T "$tmp" "$dir" 2>/dev/null || true
	rm -rf "$tmp"
	trap - EXIT
	[ -f "$dir/done" ] || { echo "xen-packages.sh: could not store $dir" >&2; exit 1; }
fi
case $what in xen) echo "$dir/xen" ;; linux) echo "$dir/vmlinuz" ;; esac
