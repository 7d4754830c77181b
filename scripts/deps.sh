#!/bin/sh
# Installs every Debian package previrt's build, guests and tests need.
# Safe to run again: apt-get skips what is already there.
set -eu
need="build-essential gcc-multilib make bc flex bison libelf-dev cpio xz-utils
      linux-source-6.1 qemu-system-x86 libcapstone-dev libseccomp-dev busybox-static
      clang libclang-rt-14-dev binutils file gnuplot-nox user-mode-linux"
# The nested host (scripts/nested-host.sh) fetches QEMU 10 from bookworm-backports.
need="$need curl"
# The Xen platform: Xen's public headers for ipvmm/xen (the hypervisor and
# the pv_ops reference kernel are fetched into the cache, scripts/xen-packages.sh).
need="$need libxen-dev"
# previrt run --net user: the host side of the network card.
need="$need libslirp-dev"
missing=""
for p in $need; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || missing="$missing $p"
done
if ! dpkg --print-foreign-architectures | grep -qx i386; then
  dpkg --add-architecture i386
  apt-get update -q || echo "previrt: apt-get update reported errors; trying the install anyway" >&2
fi
if [ -n "$missing" ]; then
  echo "previrt: installing:$missing" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends $missing >/dev/null || {
    { apt-get update -q || true; } && apt-get install -y -q --no-install-recommends $missing; }
fi
