# The guest half of tests/net-process.sh: the unmodified ns83820 driver
# against the in-place VMM's DP83820 (--net null: link up, a cable to
# nowhere).  Prints "net: ..." lines the host checks; on a machine without
# the card (QEMU TCG, whose default NIC is an e1000) it says so and stops.
if ! dmesg | grep -q -E '^eth0: ns83820 v'; then
	echo "net: no DP83820 (interfaces: $(ls /sys/class/net | tr '\n' ' '))"
	exit 0
fi
dmesg | grep -E '^eth0: ns83820 v' | sed 's/^/net: probe: /'
ip link set eth0 up || echo "net: ip link set eth0 up failed"
ip addr add 10.0.2.15/24 dev eth0 || echo "net: ip addr add failed"
# the driver reads the link from the PHY at open (it reports no operstate
# of its own: "unknown" with the carrier up, as on the real card)
echo "net: carrier $(cat /sys/class/net/eth0/carrier)"
dmesg | grep -E '^eth0: link now' | tail -n 1 | sed 's/^/net: /'
# ARP requests for a peer that is not there: frames leave, none come back
arping -c 3 -w 2 -I eth0 10.0.2.2 >/dev/null 2>&1
echo "net: arping status $? (no peer on --net null)"
set -- $(grep 'eth0:' /proc/net/dev | tr ':' ' ')
echo "net: eth0 rx_packets $3 tx_packets ${11}"
echo "net: interrupts $(grep ns83820 /proc/interrupts | awk '{ print $2 }')"
ip link set eth0 down && echo "net: down"
