#!/bin/sh
# Runs a command on a second Linux host: Debian's amd64 kernel in QEMU TCG,
# with this machine's whole file system shared by 9p, so every tool, build
# and cache is the same.
#
#   scripts/nested-host.sh [--mem MiB] [--smp N] [--dir DIR] -- COMMAND [ARG...]
#
# For hosts whose kernel cannot run the process platform (a PVM guest
# kernel accepts modify_ldt(2) but never loads the LDT; `previrt run` says
# so).  The command runs as root in DIR (default: the current directory)
# with /proc, /sys and /dev mounted; /tmp is the host's own.  The exit
# status is the command's.  Everything runs emulated: for checks, not for
# numbers.
#
# It needs QEMU 9.1 or later: QEMU 7.2 (Debian 12's) makes the stack
# accesses of a ring-3 far call and iretq as supervisor accesses, so the
# nested kernel oopses at the VMM's first far call onto a guest stack page
# that is not mapped yet.  QEMU=PATH names the binary (default: the one
# unpacked from bookworm-backports by --fetch-qemu into the cache).
#
#   scripts/nested-host.sh --fetch-qemu     unpack QEMU 10 from bookworm-backports
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cache=${PREVIRT_CACHE:-$HOME/.cache/previrt}
qroot=$cache/qemu-bpo
mem=4096 smp=2 dir=$(pwd)

fetch_qemu() {
	base=http://deb.debian.org/debian
	tmp=$(mktemp -d)
	curl -fsS -m 120 "$base/dists/bookworm-backports/main/binary-amd64/Packages.xz" | xz -d >"$tmp/Packages" ||
		{ echo "nested-host.sh: cannot read bookworm-backports' package list" >&2; rm -rf "$tmp"; exit 1; }
	rm -rf "$qroot.new"
	for p in qemu-system-x86 qemu-system-common qemu-system-data; do
		f=$(awk -v p="$p" '$1 == "Package:" { hit = ($2 == p) } hit && $1 == "Filename:" { print $2; exit }' "$tmp/Packages")
		[ -n "$f" ] || { echo "nested-host.sh: no $p in bookworm-backports" >&2; rm -rf "$tmp"; exit 1; }
		curl -fsS -m 300 -o "$tmp/p.deb" "$base/$f" && dpkg-deb -x "$tmp/p.deb" "$qroot.new" ||
			{ echo "nested-host.sh: fetching $f failed" >&2; rm -rf "$tmp"; exit 1; }
	done
	rm -rf "$tmp" "$qroot"
	mv "$qroot.new" "$qroot"
	"$qroot/usr/bin/qemu-system-x86_64" --version | head -n 1
}

while [ $# -gt 0 ]; do
	case $1 in
	--mem) mem=${2:?--mem needs MiB}; shift 2 ;;
	--smp) smp=${2:?--smp needs a count}; shift 2 ;;
	--dir) dir=${2:?--dir needs a directory}; shift 2 ;;
	--fetch-qemu) fetch_qemu; exit 0 ;;
	--) shift; break ;;
	-h|--help) sed -n '2,21s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "nested-host.sh: unknown argument '$1' (the command goes after --)" >&2; exit 2 ;;
	esac
done
[ $# -gt 0 ] || { echo "nested-host.sh: no command (after --)" >&2; exit 2; }
case $mem$smp in *[!0-9]*) echo "nested-host.sh: --mem and --smp take numbers" >&2; exit 2 ;; esac
[ -d "$dir" ] || { echo "nested-host.sh: no directory $dir" >&2; exit 2; }
qemu=${QEMU:-$qroot/usr/bin/qemu-system-x86_64}
[ -x "$qemu" ] || { echo "nested-host.sh: no QEMU at $qemu (run --fetch-qemu, or set QEMU)" >&2; exit 2; }
qdata=$(dirname "$(dirname "$qemu")")/share/qemu

# Debian's amd64 kernel (the Xen tests' pv_ops reference) and its 9p and
# virtio modules, unpacked once next to it.
vmlinuz=$("$here/xen-packages.sh" linux | tail -n 1)
kdir=$(dirname "$vmlinuz")
if [ ! -d "$kdir/modules" ]; then
	pkg=$(basename "$kdir")
	tmp=$(mktemp -d)
	(cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "${pkg%_*}=${pkg#*_}" >/dev/null) ||
		{ echo "nested-host.sh: apt-get download ${pkg%_*} failed" >&2; rm -rf "$tmp"; exit 1; }
	dpkg-deb -x "$tmp"/*.deb "$tmp/x"
	mkdir -p "$tmp/m"
	find "$tmp/x/lib/modules" -name '*.ko' -exec cp {} "$tmp/m/" \;
	mv "$tmp/m" "$kdir/modules"
	rm -rf "$tmp"
fi
# load order: each module after those it depends on
order=
want() {
	case " $order " in *" $1 "*) return ;; esac
	[ -f "$kdir/modules/$1.ko" ] || { echo "nested-host.sh: no module $1 in $kdir/modules" >&2; exit 1; }
	for d in $(strings -a "$kdir/modules/$1.ko" | sed -n 's/^depends=//p' | tr ',' ' '); do want "$d"; done
	order="$order $1"
}
for m in virtio_pci 9pnet_virtio 9p tun; do want "$m"; done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/root/bin" "$work/root/m" "$work/root/mnt"
cp "$(command -v busybox)" "$work/root/bin/busybox"
file "$work/root/bin/busybox" | grep -q 'statically linked' ||
	{ echo "nested-host.sh: busybox is not static (package busybox-static)" >&2; exit 1; }
for m in $order; do cp "$kdir/modules/$m.ko" "$work/root/m/"; done
# the command as a script of single-quoted words, so that any argument
# (with spaces, quotes or newlines) arrives as it was
quote() {
	if [ -z "$1" ]; then printf "''"; return; fi
	printf '%s' "$1" | sed "s/'/'\\\\''/g; 1s/^/'/; \$s/\$/'/"
}
for a in "$@"; do quote "$a"; printf ' '; done >"$work/cmd.sh"
echo >>"$work/cmd.sh"
printf '%s\n' "$dir" >"$work/root/dir"
cat >"$work/root/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
mkdir -p /proc; mount -t proc proc /proc
for m in $order; do insmod /m/\$m.ko || echo "nested-host: insmod \$m failed"; done
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,cache=loose host /mnt ||
	{ echo "nested-host: 9p mount failed"; poweroff -f; }
mount -t proc proc /mnt/proc; mount -t sysfs sys /mnt/sys; mount -t devtmpfs dev /mnt/dev
mkdir -p /mnt/dev/pts /mnt/dev/shm; mount -t devpts pts /mnt/dev/pts; mount -t tmpfs shm /mnt/dev/shm
# loopback, for tests that talk to a run's forwarded ports (no other network)
ip link set lo up || echo "nested-host: no loopback"
# the command (cmd.sh, in the host's /tmp), run by the host's own shell
d=\$(cat /dir)
# switch_root, not chroot: a chrooted process may not make user namespaces
exec switch_root /mnt /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	TERM=dumb PREVIRT_NESTED_HOST=1 /bin/sh -c 'cd "\$1" && /bin/sh "\$2"; rc=\$?; echo \$rc >"\$0"; sync; echo "nested-host: exit status \$rc"; echo o >/proc/sysrq-trigger; sleep 60' "$work/rc" "\$d" "$work/cmd.sh"
EOF
chmod +x "$work/root/init"
(cd "$work/root" && find . | cpio -o -H newc --quiet) >"$work/initrd"

"$qemu" -L "$qdata" -L /usr/share/seabios -L /usr/share/qemu -machine pc -cpu max -smp "$smp" -m "$mem" \
	-nographic -no-reboot -nic none -kernel "$vmlinuz" -initrd "$work/initrd" \
	-append "console=ttyS0 quiet panic=-1 rdinit=/init" \
	-virtfs local,path=/,mount_tag=host,security_model=passthrough,multidevs=remap \
	</dev/null | tee "$work/log"
# the status comes back in a file of the host's /tmp, not from the console
# (which the command's own output shares)
rc=$(cat "$work/rc" 2>/dev/null || true)
[ -n "$rc" ] || { echo "nested-host.sh: the nested host stopped before the command ended" >&2; exit 1; }
exit "$rc"
