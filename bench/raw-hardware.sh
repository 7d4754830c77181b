#!/bin/sh
# What afterburning costs on raw hardware (QEMU TCG): plain vs afterburnt
# Linux 6.1, same QEMU, same initramfs.  Rows: boot time to the init marker
# (host wall clock from QEMU start, and the guest's own uptime at that
# point), and bench/guest/microbench.c run in the guest (null syscall,
# fork+exit, fork+exec, pipe round trip, page fault, context switch).
# Boots alternate plain/afterburnt so both see the same machine noise; the
# table gives medians, the spread (min..max) and afterburnt/plain ratios.
# Writes bench/results/raw-hardware.json and, with gnuplot, raw-hardware.svg.
#
#   bench/raw-hardware.sh [--runs N] [--arch i386|x86_64|both] [--quick]
#
# --quick: 1 run of a shortened microbench (plumbing check for tests/run).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
runs=5 arches="i386 x86_64" mbargs=
while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=${2:?}; shift 2 ;;
	--arch) case ${2:?} in both) arches="i386 x86_64" ;; i386|x86_64) arches=$2 ;;
		*) echo "raw-hardware: --arch i386|x86_64|both" >&2; exit 2 ;; esac; shift 2 ;;
	--quick) runs=1 mbargs=quick; shift ;;
	-h|--help) sed -n '2,14s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "raw-hardware: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
case $runs in ''|*[!0-9]*|0) echo "raw-hardware: --runs needs a positive number" >&2; exit 2 ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
res=${PREVIRT_BENCH_RESULTS:-$top/bench/results}
mkdir -p "$res"
: >"$tmp/samples" # arch variant row value

for arch in $arches; do
	plain=$("$top/guests/linux/build.sh" --arch "$arch" --variant plain | tail -n 1)
	ab=$("$top/guests/linux/build.sh" --arch "$arch" --variant afterburnt | tail -n 1)
	[ "$arch" = i386 ] && m=-m32 || m=-m64
	gcc -std=c11 -O2 -static $m -o "$tmp/microbench-$arch" "$top/bench/guest/microbench.c"
	printf '#!/bin/sh\necho "bench: guest_uptime_at_init_s $(cut -d" " -f1 /proc/uptime) ops=1"\n/microbench %s\n' \
		"$mbargs" >"$tmp/bench.sh"
	initrd=$("$top/guests/linux/initramfs.sh" --arch "$arch" --add "$tmp/microbench-$arch=/microbench" \
		--add "$tmp/bench.sh=/bench.sh" | tail -n 1)
	r=1
	while [ $r -le "$runs" ]; do
		for v in plain afterburnt; do
			[ $v = plain ] && k=$plain || k=$ab
			echo "raw-hardware: $arch $v run $r/$runs" >&2
			t0=$(date +%s.%N)
			# timestamp the init marker as the console streams by
			"$top/scripts/boot-qemu.sh" --arch "$arch" --kernel "$k/arch/x86/boot/bzImage" \
				--initrd "$initrd" --append previrt.script=/bench.sh --timeout 600 \
				--expect 'previrt-init: /bench.sh exited with status 0' 2>"$tmp/err" |
				while IFS= read -r line; do
					case $line in "previrt-init: start"*) date +%s.%N >"$tmp/marker" ;; esac
					printf '%s\n' "$line"
				done >"$tmp/console" || true
			if ! grep -q 'exited with status 0' "$tmp/console" || [ ! -s "$tmp/marker" ]; then
				echo "raw-hardware: $arch $v: the benchmark boot failed:" >&2
				tail -n 30 "$tmp/console" >&2
				cat "$tmp/err" >&2
				exit 1
			fi
			echo "$arch $v boot_to_init_host_s $(echo "$(cat "$tmp/marker") - $t0" | bc)" >>"$tmp/samples"
			sed -n 's/^bench: \([a-z_0-9]*\) \([0-9.]*\) .*/\1 \2/p' "$tmp/console" |
				sed "s/^/$arch $v /" >>"$tmp/samples"
			rm -f "$tmp/marker"
		done
		r=$((r + 1))
	done
done

# medians, spread and ratios
awk -v runs="$runs" -v date="$(date -u +%Y-%m-%dT%H:%M:%SZ)" -v json="$res/raw-hardware.json" \
    -v dat="$tmp/ratios.dat" '
function med(a, n,   i, j, t) { for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j > 0 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
	return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
{ key = $1 " " $3; n[key, $2]++; v[key, $2, n[key, $2]] = $4; if (!(key in seen)) { seen[key] = 1; order[++k] = key } }
END {
	printf "%-7s %-26s %22s %22s %7s\n", "arch", "row (us, boot rows s)", "plain median (min..max)", "afterburnt (min..max)", "ratio"
	printf "{ \"date\": \"%s\", \"runs\": %d, \"rows\": [\n", date, runs > json
	for (i = 1; i <= k; i++) {
		key = order[i]; split(key, kk, " ")
		for (s = 1; s <= 2; s++) {
			var = s == 1 ? "plain" : "afterburnt"; m = n[key, var]
			lo[s] = 1e300; hi[s] = -1
			for (j = 1; j <= m; j++) { a[j] = v[key, var, j]; if (a[j] < lo[s]) lo[s] = a[j]; if (a[j] > hi[s]) hi[s] = a[j] }
			md[s] = med(a, m)
		}
		ratio = md[1] > 0 ? md[2] / md[1] : 0
		printf "%-7s %-26s %10.3f (%.3f..%.3f) %10.3f (%.3f..%.3f) %7.3f\n", kk[1], kk[2], md[1], lo[1], hi[1], md[2], lo[2], hi[2], ratio
		printf "%s  { \"arch\": \"%s\", \"row\": \"%s\", \"plain\": { \"median\": %g, \"min\": %g, \"max\": %g }, \"afterburnt\": { \"median\": %g, \"min\": %g, \"max\": %g }, \"ratio\": %g }\n", (i > 1 ? "," : ""), kk[1], kk[2], md[1], lo[1], hi[1], md[2], lo[2], hi[2], ratio > json
		printf "\"%s %s\" %g %g %g\n", kk[1], kk[2], ratio, (md[1] > 0 ? lo[2] / hi[1] : 0), (md[1] > 0 ? hi[2] / lo[1] : 0) > dat
	}
	printf "] }\n" > json
}' "$tmp/samples"
echo "(median of $runs runs each; ratio = afterburnt/plain, 1.000 = no cost; JSON: $res/raw-hardware.json)"
if command -v gnuplot >/dev/null 2>&1; then
	gnuplot <<GP
set terminal svg size 900,420 dynamic font "sans,11"
set output "$res/raw-hardware.svg"
set title "previrt: afterburnt / plain Linux 6.1 on QEMU TCG ($(date -u +%Y-%m-%d), bench/raw-hardware.sh --runs $runs)"
set style fill solid 0.6
set boxwidth 0.6
set yrange [0.8:1.2]
set ylabel "ratio (1 = no cost); bars: worst..best pairing"
set xtics rotate by -35 noenhanced
set grid ytics
plot "$tmp/ratios.dat" using 0:2:xtic(1) with boxes notitle, "" using 0:2:3:4 with yerrorbars lc rgb "black" pt 0 notitle, 1 with lines dt 2 lc rgb "gray" notitle
GP
	echo "(plot: $res/raw-hardware.svg)"
fi
