# The guest half of tests/net-user.sh: eth0 (the DP83820 through the
# unmodified ns83820 driver) on previrt's --net user, which forwards host
# ports to 5001 and 5002 here.  Pings the gateway, then serves one TCP
# connection on each port: 5001 takes what the host sends and hashes it,
# 5002 sends the host `prng $NET_MIB`.  Prints "net-user: ..." lines.
mib=${NET_MIB:-64}
ip link set lo up
ip link set eth0 up || echo "net-user: ip link set eth0 up failed"
ip addr add 10.0.2.15/24 dev eth0 || echo "net-user: ip addr add failed"
ip route add default via 10.0.2.2 || echo "net-user: no default route"
echo "net-user: ping: $(ping -c 3 -W 10 10.0.2.2 2>&1 | grep 'packets transmitted')"
printf '#!/bin/sh\nsha256sum >/tmp/rx.sha\n' >/tmp/recv
printf '#!/bin/sh\nexec /bin/prng %s\n' "$mib" >/tmp/send
chmod +x /tmp/recv /tmp/send
nc -l -p 5001 -e /tmp/recv &
a=$!
nc -l -p 5002 -e /tmp/send &
b=$!
echo "net-user: expect $(/bin/prng "$mib" | sha256sum | cut -d' ' -f1)"
echo "net-user: listening"
wait $a
echo "net-user: received $(cut -d' ' -f1 /tmp/rx.sha)"
wait $b
echo "net-user: sent"
set -- $(grep 'eth0:' /proc/net/dev | tr ':' ' ')
echo "net-user: eth0 rx_packets $3 tx_packets ${11}"
