#!/bin/sh
# Macro workload of bench/vs-uml-qemu-host.sh, run by busybox sh inside the
# guest (from the initramfs) and on the host (with the same static busybox
# first in PATH): writes FILES small files into WORKDIR (a tmpfs), tars them,
# gzips the archive, untars it, lists the tree with `ls -lR`, then starts
# PROCS short processes (BINDIR/true, a real fork+exec of busybox: a path
# with a slash is never run as an in-shell applet).  Timed with /proc/uptime
# (10 ms resolution, the same clock in every guest and on the host); prints
#     bench: macro_start
#     bench: macro_end
#     bench: macro SECONDS ops=1
# (the first two let a host time the same interval by the console lines)
#
#   macro.sh FILES PROCS BINDIR WORKDIR
set -eu
[ $# -eq 4 ] || { echo "macro.sh: usage: macro.sh FILES PROCS BINDIR WORKDIR" >&2; exit 2; }
files=$1 procs=$2 bin=$3 w=$4
[ -d "$w" ] && [ -x "$bin/true" ] || { echo "macro.sh: no directory '$w' or no '$bin/true'" >&2; exit 2; }
cd "$w"
echo "bench: macro_start"
read -r t0 _ </proc/uptime
mkdir src
d=0
while [ $d -lt 20 ]; do
	mkdir "src/d$d"
	d=$((d + 1))
done
i=0
while [ $i -lt "$files" ]; do
	echo "file $i of the previrt macro benchmark: some text to tar and gzip" >"src/d$((i % 20))/f$i"
	i=$((i + 1))
done
tar -cf src.tar src
gzip src.tar
mkdir out
tar -xzf src.tar.gz -C out
ls -lR out >/dev/null
i=0
while [ $i -lt "$procs" ]; do
	"$bin/true"
	i=$((i + 1))
done
read -r t1 _ </proc/uptime
echo "bench: macro_end"
n=$(find out -type f | wc -l)
[ "$n" -eq "$files" ] || { echo "macro.sh: untarred $n files, wrote $files" >&2; exit 1; }
echo "bench: macro $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') ops=1"
cd /
rm -rf "$w/src" "$w/out" "$w/src.tar.gz"
