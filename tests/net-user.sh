#!/bin/sh
# Traffic through the DP83820 and Linux's unmodified ns83820 driver, in
# place, on `previrt run --net user` (libslirp in a helper process outside
# the jail): the guest pings the gateway (3 of 3 answered), then takes
# NET_MIB MiB (default 64) from the host through a hostfwd port and sends
# as many back through another; the SHA-256 of each stream is checked at
# both ends against the same pseudo-random stream (guests/linux/prng.c)
# computed on the host.  Nothing lost, nothing corrupted, no guest error,
# the guest's script ends, and the run stops with status 0.
#
#   tests/net-user.sh VMLINUX_DIR   (the afterburnt i386 build)
#
# The process platform only (tests/run starts it through
# tests/process-host.sh).  Prints the throughput each way (the nested
# host's is emulation speed, not a benchmark: bench/ is for that).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
kdir=${1:?usage: tests/net-user.sh VMLINUX_DIR}
pv=$top/build/bin/previrt
mib=${NET_MIB:-64}
scale=1
[ "${PREVIRT_NESTED_HOST:-0}" = 1 ] && scale=6
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0
bad() { echo "net-user.sh: FAIL: $*"; fail=1; }

gcc -O2 -Wall -Wextra -Werror -o "$tmp/prng" "$top/guests/linux/prng.c" &&
	gcc -m32 -static -O2 -Wall -Wextra -Werror -o "$tmp/prng.i386" "$top/guests/linux/prng.c" || exit 1
initrd=$("$top/guests/linux/initramfs.sh" --arch i386 --add "$tmp/prng.i386=/bin/prng" \
	--add "$top/guests/linux/net-user-check.sh=/net-user-check.sh" | tail -n 1) || exit 1
want=$("$tmp/prng" "$mib" | sha256sum | cut -d' ' -f1)

# two host ports for this run: one to the guest's 5001, one to its 5002
p1=$((20000 + $$ % 20000))
p2=$((p1 + 1))
out=$tmp/out err=$tmp/err
"$pv" run --stats --timeout $((300 * scale)) --initrd "$initrd" \
	--append "previrt.script=/net-user-check.sh NET_MIB=$mib" \
	--net "user,hostfwd=tcp::$p1-:5001,hostfwd=tcp:127.0.0.1:$p2-:5002" \
	"$kdir/vmlinux" </dev/null >"$out" 2>"$err" &
pid=$!
up=0
for _ in $(seq 1 $((120 * scale))); do
	grep -q '^net-user: listening' "$out" && { up=1; break; }
	kill -0 "$pid" 2>/dev/null || break
	sleep 1
done
# the helper (the child holding sockets) maps nothing of the guest or the
# VMM: an attacker who owns libslirp through a crafted frame gets no more
helper=
for c in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do
	ls -l /proc/"$c"/fd 2>/dev/null | grep -q 'socket:' && helper=$c
done
if [ -z "$helper" ]; then
	bad "no helper process with sockets among the run's children"
else
	grep -E 'previrt-guest-ram|previrt-vcpu' /proc/"$helper"/maps >/dev/null &&
		bad "the helper maps guest RAM or the vCPU page"
	# shared anonymous memory shows as /dev/zero: the rings, and nothing
	# else (the VMM's state is such a mapping too, made after the fork)
	shared=$(grep -c '/dev/zero (deleted)' /proc/"$helper"/maps)
	[ "$shared" = 1 ] || bad "the helper has $shared shared anonymous mappings, want 1 (the rings)"
	[ "$(readlink /proc/"$helper"/ns/net)" = "$(readlink /proc/self/ns/net)" ] ||
		bad "the helper is not in the host's network namespace"
	echo "net-user.sh: helper $helper: $(grep -c . /proc/"$helper"/maps) mappings, none of guest RAM or the VMM's state"
fi
if [ $up = 1 ]; then
	t0=$(date +%s.%N)
	"$tmp/prng" "$mib" | timeout $((200 * scale)) busybox nc 127.0.0.1 "$p1" ||
		bad "host -> guest: nc to port $p1 failed"
	t1=$(date +%s.%N)
	got=$(timeout $((200 * scale)) busybox nc 127.0.0.1 "$p2" </dev/null | sha256sum | cut -d' ' -f1)
	t2=$(date +%s.%N)
	[ $fail = 0 ] && [ "$got" = "$want" ] && awk -v m="$mib" -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN {
		printf "net-user.sh: host -> guest %d MiB in %.1f s (%.2f MiB/s), guest -> host in %.1f s (%.2f MiB/s)\n",
			m, b - a, m / (b - a), c - b, m / (c - b) }'
else
	bad "the guest never listened"
	got=
fi
wait "$pid"
rc=$?
pid=
tr -d '\r' <"$out" | grep -E '^net-user: '
grep -E '^  (MEM|network|net user)' "$err"
[ $rc = 0 ] || { bad "exit status $rc"; tail -n 20 "$out"; tail -n 20 "$err"; }
grep -q '^net-user: ping: 3 packets transmitted, 3 packets received' "$out" || bad "the gateway did not answer 3 pings"
grep -q "^net-user: expect $want" "$out" || bad "the guest's prng stream differs from the host's"
grep -q "^net-user: received $want" "$out" || bad "host -> guest: the guest received other bytes than the host sent"
[ "$got" = "$want" ] || bad "guest -> host: the host received other bytes than the guest sent"
grep -q '^net-user: sent' "$out" || bad "the guest's sender did not finish"
grep -q 'previrt-init: /net-user-check.sh exited with status 0' "$out" || bad "the guest script did not finish"
grep -q 'guest error' "$err" && bad "a guest error: $(grep -m1 'guest error' "$err")"
[ $fail = 0 ] && echo "net-user.sh: ok"
exit $fail
