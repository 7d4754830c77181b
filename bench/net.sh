#!/bin/sh
# Networking (issue 15): the afterburnt i386 Linux 6.1 with Linux's
# unmodified ns83820 driver on previrt's DP83820, against QEMU TCG's e1000
# and virtio-net and UML, round-robin once per run.  Platforms:
#   previrt            `previrt run --net user` (libslirp), MEM sites in place
#   previrt-native-mem the same with --native MEM (each register access traps)
#   previrt-tap        `previrt run --net tap=` on a TAP device in a network
#                      namespace this script makes and removes
#   qemu-e1000         the plain i386 kernel on QEMU TCG, e1000, -netdev user
#   qemu-virtio        the plain i386 kernel with virtio-net
#                      (bench/guest/virtio-net.fragment), -netdev user
#   uml-tap            Debian's user-mode-linux (x86-64 Linux 6.1) with its
#                      TAP transport, on the same TAP device
# Each run boots the guest with guests/linux/net-traffic.sh: it pings the
# host side --pings times (slirp's gateway for the user rows, the host's
# kernel for the TAP rows), then the host sends --mib MiB by TCP and takes
# as many back (busybox nc on both ends), timed by the host's clock from
# the connect to the last byte; both streams are checked by SHA-256 and a
# run with a wrong hash counts as failed.  For the previrt rows, from
# --stats: VMM entries and traps of the MEM sites per frame, and wakeups
# of the network helper (the VMM's only host system call per frame: an
# eventfd write per frame sent; frames in are taken at ticks and halts
# with none) per frame sent.  The helper's own system calls are not
# counted; the frames the rings and the card dropped are.  Prints medians and min..max; writes JSON (and, with gnuplot, an
# SVG) to ${PREVIRT_BENCH_RESULTS:-bench/results}.  A failed platform is
# reported in its rows and the exit status is 1.
#
#   bench/net.sh [--runs N] [--mib N] [--pings N] [--platforms "NAME..."]
#
# Root (network namespaces, TAP devices).  On a host that cannot run the
# process platform every row runs in the nested host
# (tests/process-host.sh), so that all of them share one machine: the
# outer emulation slows each by its own factor, so compare ratios, not
# absolute numbers, from there.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/lib.sh"
runs=3 mib=16 pings=10
all_platforms="previrt previrt-native-mem previrt-tap qemu-e1000 qemu-virtio uml-tap"
platforms=$all_platforms
args="$*"
while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=${2:-}; shift 2 ;;
	--mib) mib=${2:-}; shift 2 ;;
	--pings) pings=${2:-}; shift 2 ;;
	--platforms) platforms=${2:-}; shift 2 ;;
	-h|--help) sed -n '2,35s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "net.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
for v in "$runs" "$mib" "$pings"; do
	case $v in ''|*[!0-9]*|0) echo "net.sh: --runs, --mib and --pings need positive numbers" >&2; exit 2 ;; esac
done
for p in $platforms; do
	case " $all_platforms " in *" $p "*) ;; *) echo "net.sh: no platform '$p' (there are: $all_platforms)" >&2; exit 2 ;; esac
done
[ -n "$platforms" ] || { echo "net.sh: --platforms needs at least one" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "net.sh: needs root (network namespaces and TAP devices)" >&2; exit 2; }
uml=$(command -v linux.uml || true)
[ -n "$uml" ] || { echo "net.sh: linux.uml missing (package user-mode-linux)" >&2; exit 2; }
for c in qemu-system-i386 busybox ip gcc timeout; do
	command -v $c >/dev/null || { echo "net.sh: '$c' missing" >&2; exit 2; }
done

# kernels first, on this host (a build in the nested host would take hours)
make -s -C "$top" all
ab=$("$top/guests/linux/build.sh" --arch i386 --variant afterburnt | tail -n 1)
plain=$("$top/guests/linux/build.sh" --arch i386 --variant plain | tail -n 1)
virtio=$("$top/guests/linux/build.sh" --arch i386 --variant plain \
	--fragment "$top/bench/guest/virtio-net.fragment" | tail -n 1)
for k in "$ab/vmlinux" "$plain/arch/x86/boot/bzImage" "$virtio/arch/x86/boot/bzImage"; do
	[ -r "$k" ] || { echo "net.sh: no kernel at $k" >&2; exit 1; }
done
if [ "${PREVIRT_NESTED_HOST:-0}" != 1 ] && ! "$top/build/bin/previrt" host-check -q; then
	echo "net.sh: this host cannot run the process platform: every row runs in the nested host"
	# shellcheck disable=SC2086 # the arguments were words
	exec "$top/tests/process-host.sh" "$0" $args
fi
scale=1
[ "${PREVIRT_NESTED_HOST:-0}" = 1 ] && scale=6
to=$((300 * scale))

tmp=$(mktemp -d)
ns=previrt-bench-$$
nsmade=0
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	[ $nsmade = 1 ] && ip netns del "$ns"
	rm -rf "$tmp"
}
trap cleanup EXIT
pv=$tmp/previrt # a copy: the binary measured stays the same while build/ is rebuilt
cp "$top/build/bin/previrt" "$pv"
rev=$(git -C "$top" describe --always --dirty 2>/dev/null || echo unknown)
res=${PREVIRT_BENCH_RESULTS:-$top/bench/results}
mkdir -p "$res"

gcc -O2 -Wall -Wextra -Werror -o "$tmp/prng" "$top/guests/linux/prng.c"
for a in i386 x86_64; do
	m=-m32
	[ $a = x86_64 ] && m=-m64
	gcc $m -static -O2 -Wall -Wextra -Werror -o "$tmp/prng.$a" "$top/guests/linux/prng.c"
	i=$("$top/guests/linux/initramfs.sh" --arch $a --add "$tmp/prng.$a=/bin/prng" \
		--add "$top/guests/linux/net-traffic.sh=/net-traffic.sh" | tail -n 1)
	eval "initrd_$a=\$i"
done
want=$("$tmp/prng" "$mib" | sha256sum | cut -d' ' -f1)

# the TAP rows' wire: 10.0.3.1 on the host side, in a namespace of ours
case " $platforms " in *-tap*)
	ip netns add "$ns" && nsmade=1
	ip -n "$ns" link set lo up
	ip -n "$ns" tuntap add dev pvbench0 mode tap
	ip -n "$ns" addr add 10.0.3.1/24 dev pvbench0
	ip -n "$ns" link set pvbench0 up ;;
esac

guest_args="previrt.script=/net-traffic.sh NET_MIB=$mib NET_PINGS=$pings"
tap_args="NET_IP=10.0.3.15 NET_GW=10.0.3.1"
# where NAME: where the host connects (in, addr, p1, p2) for the guest's
# ports 5001 and 5002, and the hostfwd rules of the user rows
where() {
	p1=$((20000 + $$ % 20000)) p2=$((20001 + $$ % 20000)) p3=$((20002 + $$ % 20000))
	fwd="hostfwd=tcp:127.0.0.1:$p1-:5001,hostfwd=tcp:127.0.0.1:$p2-:5002,hostfwd=tcp:127.0.0.1:$p3-:80"
	in= addr=127.0.0.1
	case $1 in *-tap) in="ip netns exec $ns" addr=10.0.3.15 p1=5001 p2=5002 ;; esac
}
# start_platform NAME: starts it in the background (pid), console in
# $tmp/con, stderr in $tmp/err
start_platform() {
	where "$1"
	case $1 in
	previrt|previrt-native-mem)
		native=
		[ "$1" = previrt-native-mem ] && native="--native MEM"
		# shellcheck disable=SC2086
		"$pv" run --stats $native --timeout $to --initrd "$initrd_i386" --append "$guest_args" \
			--net "user,$fwd" "$ab/vmlinux" ;;
	previrt-tap)
		$in "$pv" run --stats --timeout $to --initrd "$initrd_i386" --append "$guest_args $tap_args" \
			--net tap=pvbench0 "$ab/vmlinux" ;;
	qemu-e1000|qemu-virtio)
		k=$plain/arch/x86/boot/bzImage dev=e1000
		[ "$1" = qemu-virtio ] && k=$virtio/arch/x86/boot/bzImage dev=virtio-net-pci
		timeout -k 5 $to qemu-system-i386 -nodefaults -display none -machine pc -accel tcg -m 256 \
			-no-reboot -serial stdio -monitor none -kernel "$k" -initrd "$initrd_i386" \
			-append "console=ttyS0 $guest_args" -netdev "user,id=n0,$fwd" -device "$dev,netdev=n0" ;;
	uml-tap)
		rm -rf "$tmp/uml" && mkdir -p "$tmp/uml"
		$in timeout -k 5 $to "$uml" mem=256M initrd="$initrd_x86_64" con=null con0=fd:0,fd:1 \
			uml_dir="$tmp/uml" eth0=tuntap,pvbench0 $guest_args $tap_args net.poweroff=1 ;;
	esac </dev/null >"$tmp/con" 2>"$tmp/err" &
	pid=$!
}

# one_run NAME: appends "NAME ROW VALUE" lines to $tmp/samples, or
# "NAME all FAIL" with the reason on stderr
one_run() {
	start_platform "$1"
	up=0
	for _ in $(seq 1 $((240 * scale))); do
		grep -q '^net: listening' "$tmp/con" && { up=1; break; }
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.5
	done
	ok=$up got=
	if [ $up = 1 ]; then
		t0=$(date +%s.%N)
		"$tmp/prng" "$mib" | $in timeout $to busybox nc "$addr" "$p1" || ok=0
		t1=$(date +%s.%N)
		got=$($in timeout $to busybox nc "$addr" "$p2" </dev/null | sha256sum | cut -d' ' -f1)
		t2=$(date +%s.%N)
	fi
	wait "$pid" || true
	pid=
	tr -d '\r' <"$tmp/con" >"$tmp/con.txt"
	grep -q "^net: received $want" "$tmp/con.txt" || ok=0
	[ "$got" = "$want" ] || ok=0
	if [ $ok = 0 ]; then
		log=$res/net-$1-failed.log
		cat "$tmp/con.txt" "$tmp/err" >"$log"
		echo "net.sh: $1 FAILED (up $up; console and stderr: $log)" >&2
		echo "$1 all FAIL" >>"$tmp/samples"
		return
	fi
	awk -v p="$1" -v m="$mib" -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN {
		printf "%s h2g_MiBps %.4f\n%s g2h_MiBps %.4f\n", p, m / (b - a), p, m / (c - b) }' >>"$tmp/samples"
	sed -n 's|^net: rtt: round-trip min/avg/max = [0-9.]*/\([0-9.]*\)/.*|'"$1"' rtt_ms \1|p' "$tmp/con.txt" >>"$tmp/samples"
	case $1 in previrt*)
		awk -v p="$1" '
			$1 == "MEM" { entries = $6; traps = $7 }
			/^  network: DP83820/ { for (i = 2; i <= NF; i++) { if ($i == "frames" && $(i + 1) == "sent") sent = $(i - 1)
				if ($i == "received") recv = $(i - 1) } }
			/wakeups of the helper/ { for (i = 1; i <= NF; i++) { if ($i == "wakeups") kicks = $(i - 1)
				if ($i == "dropped:") drops = $(i + 1) + $(i + 7) + $(i + 10) + $(i + 16) } }
			END { f = sent + recv
				if (f > 0) printf "%s mem_entries_per_frame %.3f\n%s mem_traps_per_frame %.3f\n", p, entries / f, p, traps / f
				if (sent > 0) printf "%s wakeups_per_frame_sent %.3f\n", p, kicks / sent
				printf "%s frames_dropped %d\n", p, drops }' "$tmp/err" >>"$tmp/samples" ;;
	esac
}

: >"$tmp/samples"
r=1
while [ $r -le "$runs" ]; do
	for p in $platforms; do
		echo "net.sh: $p run $r/$runs" >&2
		one_run "$p"
	done
	r=$((r + 1))
done

json=$res/net.json
date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
cpu=$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)
where=host
[ "${PREVIRT_NESTED_HOST:-0}" = 1 ] && where="nested host (QEMU TCG)"
failed=0
grep -q ' all FAIL$' "$tmp/samples" && failed=1
awk -v runs="$runs" -v mib="$mib" -v pings="$pings" -v date="$date" -v json="$json" -v cpu="$cpu" \
    -v where="$where" -v platforms="$platforms" -v rev="$rev" -v dat="$tmp/plot.dat" "$bench_median_awk"'
BEGIN {
	np = split(platforms, P, " ")
	nr = split("h2g_MiBps g2h_MiBps rtt_ms mem_entries_per_frame mem_traps_per_frame wakeups_per_frame_sent frames_dropped", R, " ")
	label["h2g_MiBps"] = "TCP host -> guest (MiB/s)"; label["g2h_MiBps"] = "TCP guest -> host (MiB/s)"
	label["rtt_ms"] = "ping round trip (ms)"; label["mem_entries_per_frame"] = "MEM VMM entries / frame"
	label["mem_traps_per_frame"] = "MEM traps / frame"; label["wakeups_per_frame_sent"] = "helper wakeups / frame sent"
	label["frames_dropped"] = "frames dropped (rings, card)"
}
$2 == "all" && $3 == "FAIL" { fails[$1]++; next }
{ n[$1, $2]++; v[$1, $2, n[$1, $2]] = $3 }
END {
	printf "%-30s %-19s %10s %21s\n", "row", "platform", "median", "min..max"
	printf "{ \"date\": \"%s\", \"runs\": %d, \"mib\": %d, \"pings\": %d, \"cpu\": \"%s\", \"where\": \"%s\", \"previrt\": \"%s\",\n  \"rows\": [\n", date, runs, mib, pings, cpu, where, rev > json
	sep = ""
	for (i = 1; i <= nr; i++) {
		row = R[i]
		for (p = 1; p <= np; p++) {
			pl = P[p]; m = n[pl, row]
			if (i > 3 && pl !~ /^previrt/) continue
			if (!m) {
				printf "%-30s %-19s %10s\n", label[row], pl, "FAILED"
				printf "%s    { \"row\": \"%s\", \"platform\": \"%s\", \"failed_runs\": %d }", sep, row, pl, fails[pl] + 0 > json
				sep = ",\n"; continue
			}
			lo = 1e300; hi = -1
			for (j = 1; j <= m; j++) { a[j] = v[pl, row, j]; if (a[j] < lo) lo = a[j]; if (a[j] > hi) hi = a[j] }
			md = med(a, m); mds[pl, row] = md
			printf "%-30s %-19s %10.3f %10.3f..%-10.3f\n", label[row], pl, md, lo, hi
			printf "%s    { \"row\": \"%s\", \"platform\": \"%s\", \"n\": %d, \"median\": %g, \"min\": %g, \"max\": %g, \"failed_runs\": %d }", \
				sep, row, pl, m, md, lo, hi, fails[pl] + 0 > json
			sep = ",\n"
		}
	}
	printf "\n  ] }\n" > json
	for (p = 1; p <= np; p++)
		printf "%s %s %s %s\n", P[p], mds[P[p], "h2g_MiBps"] + 0, mds[P[p], "g2h_MiBps"] + 0, mds[P[p], "rtt_ms"] + 0 > dat
}' "$tmp/samples"
echo "(median of $runs runs of $mib MiB each way and $pings pings, on the $where; JSON: $json)"

if command -v gnuplot >/dev/null 2>&1; then
	gnuplot <<GP
set terminal svg size 900,420 dynamic font "sans,11"
set output "$res/net.svg"
set multiplot layout 1,2 title "Networking, $mib MiB each way ($(date -u +%Y-%m-%d), bench/net.sh --runs $runs, $where)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.7 border -1
set boxwidth 0.9
set grid ytics
set xtics rotate by -30 noenhanced
set key top right noenhanced
set ylabel "TCP throughput, MiB/s (median)"
plot "$tmp/plot.dat" using 2:xtic(1) title "host -> guest", "" using 3 title "guest -> host"
set ylabel "ping round trip, ms (median)"
plot "$tmp/plot.dat" using 4:xtic(1) title "round trip" lc rgb "#4477aa"
unset multiplot
GP
	echo "(plot: $res/net.svg)"
fi
exit $failed
