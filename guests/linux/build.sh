#!/bin/sh
# Builds Linux 6.1 (Debian's linux-source-6.1) for previrt, cached.
#
#   guests/linux/build.sh [--arch i386|x86_64] [--variant afterburnt|plain]
#                         [--fragment FILE] [-j N]
#
# The afterburnt variant is built with CC="afterburn-cc gcc"; the plain one
# with gcc, same config, for comparison.  Results live in
#   ${PREVIRT_CACHE:-~/.cache/previrt}/linux/<arch>-<variant>-<key>/
# keyed by the source package version, the config fragment, the compiler and
# assembler versions and (afterburnt) the afterburner's sources, so a build is
# redone only when one of them changes.  The last line printed is that
# directory; it holds vmlinux, arch/x86/boot/bzImage, build.log and, for
# afterburnt builds, sites.log (one "OBJECT SITES SKIPPED" line per object).
# --fragment adds a config fragment after previrt's own (part of the key:
# bench/net.sh's virtio-net kernel).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cache=${PREVIRT_CACHE:-$HOME/.cache/previrt}
arch=i386 variant=afterburnt jobs=$(nproc) extra=

usage() {
	sed -n '2,13s/^# \{0,1\}//p' "$0"
}
while [ $# -gt 0 ]; do
	case $1 in
	--arch) arch=${2:?--arch needs a value}; shift 2 ;;
	--arch=*) arch=${1#*=}; shift ;;
	--variant) variant=${2:?--variant needs a value}; shift 2 ;;
	--variant=*) variant=${1#*=}; shift ;;
	--fragment) extra=$(realpath "${2:?--fragment needs a file}"); shift 2 ;;
	-j) jobs=${2:?-j needs a value}; shift 2 ;;
	-j*) jobs=${1#-j}; shift ;;
	-h|--help) usage; exit 0 ;;
	*) echo "build.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
	esac
done
case $arch in i386|x86_64) ;; *) echo "build.sh: --arch must be i386 or x86_64, not '$arch'" >&2; exit 2 ;; esac
case $variant in afterburnt|plain) ;; *) echo "build.sh: --variant must be afterburnt or plain, not '$variant'" >&2; exit 2 ;; esac
case $jobs in ''|*[!0-9]*) echo "build.sh: -j needs a number, not '$jobs'" >&2; exit 2 ;; esac

"$top/scripts/deps.sh"
tarball=/usr/src/linux-source-6.1.tar.xz
[ -r "$tarball" ] || { echo "build.sh: $tarball missing (package linux-source-6.1)" >&2; exit 1; }
pkgver=$(dpkg-query -W -f='${Version}' linux-source-6.1)

# The unpacked source, shared by every build of this package version.
src=$cache/src/linux-source-6.1-$pkgver
if [ ! -f "$src/.unpacked" ]; then
	echo "build.sh: unpacking $tarball ($pkgver)" >&2
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	tar -C "$src.tmp" -xJf "$tarball"
	mv "$src.tmp/linux-source-6.1" "$src"
	rmdir "$src.tmp"
	touch "$src/.unpacked"
fi

if [ "$variant" = afterburnt ]; then
	make -s -C "$top" all >&2
fi

# Drivers whose register accesses become MEM sites (mem-sources.txt), on
# i386, unless PREVIRT_MEM_SOURCES names others ("" for none).
if [ "$variant" = afterburnt ] && [ "$arch" = i386 ] && [ -z "${PREVIRT_MEM_SOURCES+set}" ]; then
	PREVIRT_MEM_SOURCES=$(grep -v '^#' "$here/mem-sources.txt" | grep . | tr '\n' ':' | sed 's/:$//')
fi
export PREVIRT_MEM_SOURCES=${PREVIRT_MEM_SOURCES:-}

# The config: the common fragment, then the arch's own if it has one.
fragments="$here/config.fragment"
[ -f "$here/config.$arch.fragment" ] && fragments="$fragments $here/config.$arch.fragment"
[ -z "$extra" ] || fragments="$fragments $extra"

key=$( {
	echo "$pkgver $arch $variant"
	cat $fragments
	gcc --version | head -n 1
	as --version | head -n 1
	if [ "$variant" = afterburnt ]; then
		# what afterburn-as and afterburn-cc are built from (not the CLI's main.c)
		for f in $(sed -n 's/^AB_CORE *:= *//p' "$top/Makefile") afterburn/as_wrap.c \
			afterburn/objcount.c afterburn/cc_wrap.c; do
			cat "$top/$f"
		done
		cat "$top"/include/previrt/*.h "$top"/afterburn/*.h "$here/exclude.txt"
		# options that change afterburn's output (only when set, so the
		# default key stays what it was)
		[ -z "${PREVIRT_AFTERBURN_FLAGS:-}" ] || echo "flags: $PREVIRT_AFTERBURN_FLAGS"
		[ -z "${PREVIRT_MEM_SOURCES:-}" ] || echo "mem: $PREVIRT_MEM_SOURCES"
	fi
} | sha256sum | cut -c1-12)
out=$cache/linux/$arch-$variant-$key
mkdir -p "$cache/linux"
# Two builds of one key (two test runs at once) wait for each other
# instead of removing each other's files.
exec 9>"$out.lock"
flock 9
if [ -f "$out/.done" ]; then
	echo "build.sh: $arch $variant: cached" >&2
	echo "$out"
	exit 0
fi
rm -rf "$out"
mkdir -p "$out"
log=$out/build.log
cc="gcc"
if [ "$variant" = afterburnt ]; then
	# A private copy: rebuilding the tools during a kernel build must not
	# give the kernel two afterburner versions.
	mkdir -p "$out/previrt-tools"
	cp -a "$top/build/bin" "$top/build/libexec" "$out/previrt-tools/"
	cc="$out/previrt-tools/bin/afterburn-cc gcc"
fi

# Same version string in both variants, so their console output can match.
export KBUILD_BUILD_TIMESTAMP="Thu Jan  1 00:00:00 UTC 2026"
export KBUILD_BUILD_USER=previrt KBUILD_BUILD_HOST=previrt
# The site log and the original assembler input of every object, for the
# tests and benchmarks (tests/kernel-sites.sh, tests/kernel-corpus.sh,
# bench/afterburn-vs-as.sh).  PREVIRT_BUILD_LEAN=1 leaves them out, so that
# bench/build-cost.sh times the afterburner alone.
if [ "${PREVIRT_BUILD_LEAN:-0}" != 1 ]; then
	export PREVIRT_SITE_LOG="$out/sites.log"
	export PREVIRT_CORPUS_DIR="$out/corpus"
	mkdir -p "$PREVIRT_CORPUS_DIR"
fi
# Source files left alone (see exclude.txt for why), as ':'-separated globs.
PREVIRT_NO_AFTERBURN=$(grep -v '^#' "$here/exclude.txt" | grep . | tr '\n' ':' | sed 's/:$//')
export PREVIRT_NO_AFTERBURN

kmake() {
	make -C "$src" O="$out" ARCH="$arch" CC="$cc" "$@"
}

fail() {
	echo "build.sh: $arch $variant: $1 failed; last lines of $log:" >&2
	tail -n 30 "$log" >&2
	echo "build.sh: full log: $log" >&2
	exit 1
}

echo "build.sh: $arch $variant: configuring in $out" >&2
{
	kmake tinyconfig &&
	# shellcheck disable=SC2086
	"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" $fragments &&
	kmake olddefconfig
} >"$log" 2>&1 || fail "configuration"
# merge_config only warns when a value does not stick; we insist.
# shellcheck disable=SC2086
cat $fragments | grep -v '^#' | grep . | while read -r want; do
	grep -qx "$want" "$out/.config" || { echo "build.sh: config: '$want' did not stick" >&2; exit 1; }
done
# shellcheck disable=SC2086
cat $fragments | grep '^# CONFIG_.* is not set' | while read -r want; do
	name=$(echo "$want" | cut -d' ' -f2)
	if grep -q "^$name=" "$out/.config"; then echo "build.sh: config: $name is set" >&2; exit 1; fi
done

start=$(date +%s)
echo "build.sh: $arch $variant: building with CC=\"$cc\" -j$jobs (log: $log)" >&2
kmake -j"$jobs" vmlinux bzImage >>"$log" 2>&1 &
pid=$!
# Progress: compiled objects so far, every 20 seconds.
while kill -0 "$pid" 2>/dev/null; do
	sleep 20
	kill -0 "$pid" 2>/dev/null || break
	n=$(grep -c '^  CC ' "$log" || true)
	echo "build.sh: $arch $variant: $n files compiled, $(( $(date +%s) - start ))s" >&2
done
wait "$pid" || fail "kernel build"
echo "build.sh: $arch $variant: done in $(( $(date +%s) - start ))s" >&2
touch "$out/.done"
echo "$out"
