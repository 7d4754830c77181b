# The guest half of tests/net-traffic.sh and bench/net.sh: eth0 (the DP83820 through the
# unmodified ns83820 driver) at NET_IP/24 with the host side at NET_GW
# (defaults: --net user's 10.0.2.15 and 10.0.2.2).  Pings the host side
# NET_PINGS times (3), serves NET_HTTP_MIB MiB of prng output as /blob with busybox httpd on
# port 80, then one TCP connection on each of two ports: 5001 takes what
# the host sends and hashes it, 5002 sends the host `prng $NET_MIB`.
# Prints "net: ..." lines.
mib=${NET_MIB:-64}
ip=${NET_IP:-10.0.2.15}
gw=${NET_GW:-10.0.2.2}
ip link set lo up
ip link set eth0 up || echo "net: ip link set eth0 up failed"
ip addr add "$ip/24" dev eth0 || echo "net: ip addr add failed"
ip route add default via "$gw" || echo "net: no default route"
# the link first, and one ping for ARP, so the round trips measure frames
# (an e1000 on QEMU reports its link a second or two after it is up)
for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	[ "$(cat /sys/class/net/eth0/carrier 2>/dev/null)" = 1 ] && break
	sleep 0.5
done
ping -c 1 -W 10 "$gw" >/dev/null 2>&1
ping -c "${NET_PINGS:-3}" -W 10 "$gw" >/tmp/ping 2>&1
echo "net: ping: $(grep 'packets transmitted' /tmp/ping)"
echo "net: rtt: $(grep 'round-trip' /tmp/ping)"
mkdir -p /www
/bin/prng "${NET_HTTP_MIB:-1}" >/www/blob
httpd -p 80 -h /www || echo "net: httpd did not start"
printf '#!/bin/sh\nsha256sum >/tmp/rx.sha\n' >/tmp/recv
printf '#!/bin/sh\nexec /bin/prng %s\n' "$mib" >/tmp/send
chmod +x /tmp/recv /tmp/send
nc -l -p 5001 -e /tmp/recv &
a=$!
nc -l -p 5002 -e /tmp/send &
b=$!
echo "net: expect $(/bin/prng "$mib" | sha256sum | cut -d' ' -f1)"
echo "net: listening"
wait $a
echo "net: received $(cut -d' ' -f1 /tmp/rx.sha)"
wait $b
echo "net: sent"
set -- $(grep 'eth0:' /proc/net/dev | tr ':' ' ')
echo "net: eth0 rx_packets $3 tx_packets ${11}"
# UML restarts on reboot: bench/net.sh powers it off instead
if grep -q 'net.poweroff=1' /proc/cmdline; then poweroff -f; fi
