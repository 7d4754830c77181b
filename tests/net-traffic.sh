#!/bin/sh
# Traffic through the DP83820 and Linux's unmodified ns83820 driver, in
# place, on the two host ends of `previrt run --net`:
#
#   tests/net-traffic.sh user VMLINUX_DIR   libslirp, through hostfwd ports
#   tests/net-traffic.sh tap VMLINUX_DIR    a TAP device in a network
#                                            namespace this test makes and
#                                            removes (root)
#
# VMLINUX_DIR is the afterburnt i386 build.  The guest (guests/linux/
# net-traffic.sh) pings the host side (3 of 3 answered); the host fetches
# 1 MiB from the guest's busybox httpd; then the guest takes NET_MIB MiB
# (default 64) from the host and sends as many back, by TCP; the SHA-256
# of each stream is checked at both ends against the same pseudo-random
# stream (guests/linux/prng.c) computed on the host.  Nothing lost,
# nothing corrupted, no guest error, the guest's script ends, and the run
# stops with status 0.  The helper process that holds the host end maps
# none of guest RAM or the VMM's state.  For tap also: a second run on the
# same device and a run without CAP_NET_ADMIN are refused with a clear
# message before any guest starts.
#
# The process platform only (tests/run starts it through
# tests/process-host.sh).  Prints the throughput each way (the nested
# host's is emulation speed, not a benchmark: bench/net.sh is for that).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:?usage: tests/net-traffic.sh user|tap VMLINUX_DIR}
kdir=${2:?usage: tests/net-traffic.sh user|tap VMLINUX_DIR}
pv=$top/build/bin/previrt
mib=${NET_MIB:-64}
scale=1
[ "${PREVIRT_NESTED_HOST:-0}" = 1 ] && scale=6
tmp=$(mktemp -d)
pid= ns=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; [ -n "$ns" ] && ip netns del "$ns"; rm -rf "$tmp"' EXIT
fail=0
bad() { echo "net-traffic.sh: FAIL: $*"; fail=1; }

case $mode in
user)
	# two host ports to the guest's 5001 and 5002, one to its httpd
	p1=$((20000 + $$ % 20000))
	p2=$((p1 + 1)) p3=$((p1 + 2))
	net="user,hostfwd=tcp::$p1-:5001,hostfwd=tcp:127.0.0.1:$p2-:5002,hostfwd=tcp::$p3-:80"
	guest=127.0.0.1 gw=10.0.2.2 in=
	args="" ;;
tap)
	[ "$(id -u)" = 0 ] || { echo "net-traffic.sh: tap needs root"; exit 1; }
	modprobe tun 2>/dev/null
	ns=previrt-test-$$
	ip netns add "$ns" || { ns=; echo "net-traffic.sh: ip netns add failed"; exit 1; }
	in="ip netns exec $ns"
	$in ip link set lo up &&
		$in ip tuntap add dev pvtap0 mode tap &&
		$in ip addr add 10.0.3.1/24 dev pvtap0 &&
		$in ip link set pvtap0 up || { echo "net-traffic.sh: cannot make the TAP device"; exit 1; }
	p1=5001 p2=5002 p3=80
	net=tap=pvtap0 guest=10.0.3.15 gw=10.0.3.1
	args="NET_IP=$guest NET_GW=$gw" ;;
*) echo "net-traffic.sh: mode is user or tap, not '$mode'" >&2; exit 2 ;;
esac

gcc -O2 -Wall -Wextra -Werror -o "$tmp/prng" "$top/guests/linux/prng.c" &&
	gcc -m32 -static -O2 -Wall -Wextra -Werror -o "$tmp/prng.i386" "$top/guests/linux/prng.c" || exit 1
initrd=$("$top/guests/linux/initramfs.sh" --arch i386 --add "$tmp/prng.i386=/bin/prng" \
	--add "$top/guests/linux/net-traffic.sh=/net-traffic.sh" | tail -n 1) || exit 1
want=$("$tmp/prng" "$mib" | sha256sum | cut -d' ' -f1)
want_http=$("$tmp/prng" 1 | sha256sum | cut -d' ' -f1)

out=$tmp/out err=$tmp/err
$in "$pv" run --stats --timeout $((300 * scale)) --initrd "$initrd" \
	--append "previrt.script=/net-traffic.sh NET_MIB=$mib $args" --net "$net" \
	"$kdir/vmlinux" </dev/null >"$out" 2>"$err" &
pid=$!
up=0
for _ in $(seq 1 $((120 * scale))); do
	grep -q '^net: listening' "$out" && { up=1; break; }
	kill -0 "$pid" 2>/dev/null || break
	sleep 1
done
# the helper (the child holding the host end) maps nothing of the guest
# or the VMM: an attacker who owns libslirp or the TAP path through a
# crafted frame gets no more
helper=
for c in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do
	ls -l /proc/"$c"/fd 2>/dev/null | grep -q -E 'socket:|/dev/net/tun' && helper=$c
done
if [ -z "$helper" ]; then
	bad "no helper process holding sockets or /dev/net/tun among the run's children"
else
	grep -E 'previrt-guest-ram|previrt-vcpu' /proc/"$helper"/maps >/dev/null &&
		bad "the helper maps guest RAM or the vCPU page"
	# shared anonymous memory shows as /dev/zero: the rings, and nothing
	# else (the VMM's state is such a mapping too, made after the fork)
	shared=$(grep -c '/dev/zero (deleted)' /proc/"$helper"/maps)
	[ "$shared" = 1 ] || bad "the helper has $shared shared anonymous mappings, want 1 (the rings)"
	[ "$(readlink /proc/"$helper"/ns/net)" = "$($in readlink /proc/self/ns/net)" ] ||
		bad "the helper is not in the network namespace previrt was started in"
	echo "net-traffic.sh: helper $helper: $(grep -c . /proc/"$helper"/maps) mappings, none of guest RAM or the VMM's state"
fi
if [ "$mode" = tap ]; then
	# the device is taken: a second run must say so and not start a guest
	$in "$pv" run --net tap=pvtap0 --initrd "$initrd" "$kdir/vmlinux" </dev/null >"$tmp/o2" 2>"$tmp/e2"
	rc2=$?
	{ [ $rc2 = 1 ] && grep -q 'attaching pvtap0: .*another process has it' "$tmp/e2" &&
		! grep -q 'Linux version' "$tmp/o2"; } ||
		bad "a second run on a taken TAP device: status $rc2, $(head -c 300 "$tmp/e2")"
	# without CAP_NET_ADMIN no device may be made or attached
	$in setpriv --inh-caps=-net_admin --bounding-set=-net_admin \
		"$pv" run --net tap=pvtap1 --initrd "$initrd" "$kdir/vmlinux" </dev/null >"$tmp/o3" 2>"$tmp/e3"
	rc3=$?
	{ [ $rc3 = 1 ] && grep -q 'attaching pvtap1: Operation not permitted (needs root' "$tmp/e3"; } ||
		bad "an unprivileged run: status $rc3, $(head -c 300 "$tmp/e3")"
fi
got= got_http=
if [ $up = 1 ]; then
	got_http=$($in timeout $((60 * scale)) busybox wget -q -O - "http://$guest:$p3/blob" | sha256sum | cut -d' ' -f1)
	[ "$got_http" = "$want_http" ] || bad "httpd: the host fetched other bytes than the guest serves"
	t0=$(date +%s.%N)
	"$tmp/prng" "$mib" | $in timeout $((200 * scale)) busybox nc "$guest" "$p1" ||
		bad "host -> guest: nc to $guest port $p1 failed"
	t1=$(date +%s.%N)
	got=$($in timeout $((200 * scale)) busybox nc "$guest" "$p2" </dev/null | sha256sum | cut -d' ' -f1)
	t2=$(date +%s.%N)
	[ $fail = 0 ] && [ "$got" = "$want" ] && awk -v m="$mib" -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN {
		printf "net-traffic.sh: host -> guest %d MiB in %.1f s (%.2f MiB/s), guest -> host in %.1f s (%.2f MiB/s)\n",
			m, b - a, m / (b - a), c - b, m / (c - b) }'
else
	bad "the guest never listened"
fi
wait "$pid"
rc=$?
pid=
tr -d '\r' <"$out" | grep -E '^net: '
grep -E '^  (MEM|network|net (user|tap))' "$err"
[ $rc = 0 ] || { bad "exit status $rc"; tail -n 20 "$out"; tail -n 20 "$err"; }
grep -q '^net: ping: 3 packets transmitted, 3 packets received' "$out" || bad "the host side ($gw) did not answer 3 pings"
grep -q "^net: expect $want" "$out" || bad "the guest's prng stream differs from the host's"
grep -q "^net: received $want" "$out" || bad "host -> guest: the guest received other bytes than the host sent"
[ "$got" = "$want" ] || bad "guest -> host: the host received other bytes than the guest sent"
grep -q '^net: sent' "$out" || bad "the guest's sender did not finish"
grep -q 'previrt-init: /net-traffic.sh exited with status 0' "$out" || bad "the guest script did not finish"
grep -q 'guest error' "$err" && bad "a guest error: $(grep -m1 'guest error' "$err")"
[ $fail = 0 ] && echo "net-traffic.sh: $mode: ok"
exit $fail
