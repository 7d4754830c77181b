#!/bin/sh
# previrt against its competitors and the bare host (issue 9).  Platforms,
# run round-robin once per run so all share the machine's noise:
#   host-x86_64  the benchmarks run directly on the host, x86-64 static
#   host-i386    the same, built -m32 (the baseline for the i386 guests)
#   previrt      afterburnt i386 Linux 6.1 in `previrt run` (process platform)
#   previrt-usk  the same with --user-sees-kernel
#   previrt-r3vmm the same with --ring3-in-vmm (ring 3 in the VMM's processes,
#                the default until 2026-12-03, instead of in stub processes)
#   uml          Debian's user-mode-linux (x86-64 Linux 6.1, linux.uml)
#   qemu         plain i386 Linux 6.1 on QEMU TCG (`previrt run --platform=qemu`)
# Rows: boot to the init marker (host wall clock from start to the line
# "previrt-init: start"), bench/guest/microbench.c, and bench/guest/macro.sh
# (files in tmpfs, tar, gzip, untar, ls -lR, 1000 processes) timed by the
# guest's /proc/uptime and by the host's clock on its console lines.  Host
# runs are pinned to CPU 0 (the guests have one vCPU) and use the guests'
# static busybox.  Prints medians, min..max and ratios to host native (i386
# host for previrt and QEMU, x86-64 host for UML); writes JSON and, with
# gnuplot, an SVG to ${PREVIRT_BENCH_RESULTS:-bench/results}.  A platform
# that fails says so in its rows and the exit status is 1.
#
#   bench/vs-uml-qemu-host.sh [--runs N] [--quick] [--platforms "NAME..."]
#
# --quick: 1 run, microbench "quick", 200 files and 100 processes (a plumbing
# check for tests/run).  --platforms: only those (no plot); tests/run runs
# the process-platform and i386 ones in the nested host where this host
# cannot (tests/process-host.sh).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/lib.sh"
runs=3 quick=0 mbargs= files=2000 procs=1000 to=900
all_platforms="host-x86_64 host-i386 previrt previrt-usk uml qemu previrt-r3vmm"
platforms=$all_platforms
while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=${2:?--runs needs a number}; shift 2 ;;
	--quick) quick=1 runs=1 mbargs=quick files=200 procs=100 to=90; shift ;;
	--platforms) platforms=${2:?--platforms needs a list}; shift 2 ;;
	-h|--help) sed -n '2,27s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "vs-uml-qemu-host: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
case $runs in ''|*[!0-9]*|0) echo "vs-uml-qemu-host: --runs needs a positive number" >&2; exit 2 ;; esac
# the nested host (tests/process-host.sh) runs everything 20-50x slower
[ "${PREVIRT_NESTED_HOST:-0}" = 1 ] && to=$((to * 6))
for p in $platforms; do
	case " $all_platforms " in *" $p "*) ;; *) echo "vs-uml-qemu-host: no platform '$p' (there are: $all_platforms)" >&2; exit 2 ;; esac
done
[ -n "$platforms" ] || { echo "vs-uml-qemu-host: --platforms needs at least one" >&2; exit 2; }
res=${PREVIRT_BENCH_RESULTS:-$top/bench/results}
mkdir -p "$res"

"$top/scripts/deps.sh"
uml=$(command -v linux.uml || true)
[ -n "$uml" ] || { echo "vs-uml-qemu-host: linux.uml missing (package user-mode-linux)" >&2; exit 2; }
for c in taskset perl cpio qemu-system-i386 timeout; do
	command -v $c >/dev/null || { echo "vs-uml-qemu-host: '$c' missing" >&2; exit 2; }
done
make -s -C "$top" all
ab=$("$top/guests/linux/build.sh" --arch i386 --variant afterburnt | tail -n 1)
plain=$("$top/guests/linux/build.sh" --arch i386 --variant plain | tail -n 1)
for k in "$ab/vmlinux" "$plain/vmlinux" "$plain/arch/x86/boot/bzImage"; do
	[ -r "$k" ] || { echo "vs-uml-qemu-host: no kernel at $k" >&2; exit 1; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# a copy: the binary measured stays the same while build/ is rebuilt
pv=$tmp/previrt
cp "$top/build/bin/previrt" "$pv"
rev=$(git -C "$top" describe --always --dirty 2>/dev/null || echo unknown)
shm=/dev/shm
[ -d "$shm" ] && [ -w "$shm" ] || shm=${TMPDIR:-/tmp}
cat >"$tmp/bench.sh" <<EOF
#!/bin/sh
# run by the guest's /init (previrt.script=/bench.sh)
/microbench $mbargs || exit 1
mkdir -p /tmp/macro && mount -t tmpfs tmpfs /tmp/macro || exit 1
sh /macro.sh $files $procs /bin /tmp/macro || exit 1
umount /tmp/macro
echo "bench: done"
# UML restarts itself on reboot: it is powered off instead
if grep -q 'bench.poweroff=1' /proc/cmdline; then poweroff -f; fi
EOF
for a in i386 x86_64; do
	bench_microbench $a "$tmp/microbench-$a"
	initrd=$("$top/guests/linux/initramfs.sh" --arch $a --add "$tmp/microbench-$a=/microbench" \
		--add "$tmp/bench.sh=/bench.sh" --add "$top/bench/guest/macro.sh=/macro.sh" | tail -n 1)
	eval "initrd_$a=\$initrd"
	# the host runs use the guest's own static busybox, with its applets in
	# PATH (only where that host run is asked for: an i386 binary may not
	# run on this host at all)
	case " $platforms " in *" host-$a "*) ;; *) continue ;; esac
	mkdir -p "$tmp/bin-$a"
	(cd "$tmp" && cpio -i --quiet --to-stdout bin/busybox <"$initrd" >"$tmp/bin-$a/busybox")
	chmod +x "$tmp/bin-$a/busybox"
	"$tmp/bin-$a/busybox" --install -s "$tmp/bin-$a"
done

# host_run ARCH: the guest's bench.sh, on the host
host_run() {
	w=$(mktemp -d "$shm/previrt-macro.XXXXXX")
	if MICROBENCH_EXEC=$tmp/bin-$1/true taskset -c 0 "$tmp/microbench-$1" $mbargs &&
		PATH=$tmp/bin-$1 taskset -c 0 "$tmp/bin-$1/busybox" sh "$top/bench/guest/macro.sh" \
			"$files" "$procs" "$tmp/bin-$1" "$w"; then
		echo "bench: done"
	fi
	rm -rf "$w"
}
# run_platform NAME: its console (host runs: output) on stdout
run_platform() {
	case $1 in
	host-*) host_run "${1#host-}" ;;
	previrt) timeout -k 5 $to "$pv" run --timeout $to --initrd "$initrd_i386" \
		--append previrt.script=/bench.sh "$ab/vmlinux" ;;
	previrt-usk) timeout -k 5 $to "$pv" run --user-sees-kernel --timeout $to --initrd "$initrd_i386" \
		--append previrt.script=/bench.sh "$ab/vmlinux" ;;
	previrt-r3vmm) timeout -k 5 $to "$pv" run --ring3-in-vmm --timeout $to --initrd "$initrd_i386" \
		--append previrt.script=/bench.sh "$ab/vmlinux" ;;
	uml) mkdir -p "$tmp/uml"
		timeout -k 5 $to "$uml" mem=128M initrd="$initrd_x86_64" con=null con0=fd:0,fd:1 \
			uml_dir="$tmp/uml" previrt.script=/bench.sh bench.poweroff=1 ;;
	qemu) timeout -k 5 $to "$pv" run --platform=qemu --initrd "$initrd_i386" \
		--append previrt.script=/bench.sh "$plain/vmlinux" ;;
	esac
}

: >"$tmp/samples" # platform row value|FAIL
need="null_syscall fork_exit fork_exec pipe_roundtrip page_fault context_switch macro"
failed=0 r=1
while [ $r -le "$runs" ]; do
	for p in $platforms; do
		echo "vs-uml-qemu-host: $p run $r/$runs" >&2
		t0=$(date +%s.%N)
		{ run_platform $p </dev/null 2>"$tmp/err" || echo "vs-uml-qemu-host: $p exited with status $?"; } |
			bench_stamp >"$tmp/con"
		bench_rows <"$tmp/con" | sed "s/^/$p /" >"$tmp/rows"
		ok=1
		grep -q ' bench: done' "$tmp/con" || ok=0
		for row in $need; do grep -q "^$p $row " "$tmp/rows" || ok=0; done
		case $p in host-*) ;; *) grep -q ' previrt-init: start' "$tmp/con" || ok=0 ;; esac
		if [ $ok = 0 ]; then
			failed=1
			log=$res/vs-uml-qemu-host-$p-run$r.log
			{ cut -d' ' -f2- "$tmp/con"; echo "--- stderr"; cat "$tmp/err"; } >"$log"
			echo "vs-uml-qemu-host: $p run $r FAILED (console and stderr: $log):" >&2
			tail -n 15 "$log" >&2
			echo "$p all FAIL" >>"$tmp/samples"
			continue
		fi
		cat "$tmp/rows" >>"$tmp/samples"
		awk -v t0="$t0" -v p="$p" '
			/ previrt-init: start/ && !b { b = 1; printf "%s boot_to_init_s %.3f\n", p, $1 - t0 }
			/ bench: macro_start/ { s = $1 }
			/ bench: macro_end/ { printf "%s macro_hostclock_s %.3f\n", p, $1 - s }' "$tmp/con" >>"$tmp/samples"
	done
	r=$((r + 1))
done

# medians, spread, ratios to the host baseline
json=$res/vs-uml-qemu-host.json
date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
cpu=$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)
awk -v runs="$runs" -v quick="$quick" -v date="$date" -v json="$json" -v dat="$tmp/ratios.dat" \
    -v bootdat="$tmp/boot.dat" -v platforms="$platforms" -v cpu="$cpu" -v ncpu="$(nproc)" \
    -v ab="$ab/vmlinux" -v plain="$plain/vmlinux" -v uml="$uml $(dpkg-query -W -f='${Version}' user-mode-linux)" \
    -v files="$files" -v procs="$procs" -v rev="$rev" "$bench_median_awk"'
BEGIN {
	np = split(platforms, P, " ")
	nr = split("boot_to_init_s null_syscall fork_exit fork_exec pipe_roundtrip page_fault context_switch macro macro_hostclock_s", R, " ")
	unit["boot_to_init_s"] = "s"; unit["macro"] = "s"; unit["macro_hostclock_s"] = "s"
	label["boot_to_init_s"] = "boot to init marker (s)"; label["macro"] = "macro, guest clock (s)"
	label["macro_hostclock_s"] = "macro, host clock (s)"
	base["previrt"] = base["previrt-usk"] = base["previrt-r3vmm"] = base["qemu"] = "host-i386"
	base["uml"] = "host-x86_64"
}
$2 == "all" && $3 == "FAIL" { fails[$1]++; next }
{ n[$1, $2]++; v[$1, $2, n[$1, $2]] = $3 }
END {
	printf "%-26s %-12s %10s %21s %9s  %s\n", "row (us unless s)", "platform", "median", "min..max", "x host", "(host)"
	printf "{ \"date\": \"%s\", \"runs\": %d, \"quick\": %s, \"cpu\": \"%s\", \"host_cpus\": %d, \"previrt\": \"%s\",\n", date, runs, quick ? "true" : "false", cpu, ncpu, rev > json
	printf "  \"kernels\": { \"previrt\": \"%s\", \"qemu\": \"%s\", \"uml\": \"%s\" },\n", ab, plain, uml > json
	printf "  \"macro\": { \"files\": %d, \"processes\": %d },\n  \"rows\": [\n", files, procs > json
	sep = ""
	for (p = 1; p <= np; p++) if (fails[P[p]]) bad = bad " " P[p] "(" fails[P[p]] "/" runs " runs failed)"
	for (i = 1; i <= nr; i++) {
		row = R[i]; lab = (row in label) ? label[row] : row
		printf "%s", row > dat
		for (p = 1; p <= np; p++) {
			pl = P[p]; m = n[pl, row]
			if (row == "boot_to_init_s" && pl ~ /^host-/) continue
			if (!m) {
				printf "%-26s %-12s %10s\n", lab, pl, "FAILED"
				printf "%s    { \"row\": \"%s\", \"platform\": \"%s\", \"failed_runs\": %d }", sep, row, pl, fails[pl] + 0 > json
				sep = ",\n"
				if (pl !~ /^host-/) printf " -", "" > dat
				continue
			}
			lo = 1e300; hi = -1
			for (j = 1; j <= m; j++) { a[j] = v[pl, row, j]; if (a[j] < lo) lo = a[j]; if (a[j] > hi) hi = a[j] }
			md = med(a, m); mds[pl, row] = md
			ratio = ""; bl = ""
			if (pl in base && row != "boot_to_init_s") {
				bl = base[pl]
				if (mds[bl, row] > 0) ratio = sprintf("%.2f", md / mds[bl, row])
			}
			printf "%-26s %-12s %10.3f %10.3f..%-10.3f %9s  %s\n", lab, pl, md, lo, hi, ratio == "" ? "" : ratio "x", bl
			printf "%s    { \"row\": \"%s\", \"unit\": \"%s\", \"platform\": \"%s\", \"n\": %d, \"median\": %g, \"min\": %g, \"max\": %g, \"failed_runs\": %d%s }", \
				sep, row, (row in unit) ? unit[row] : "us", pl, m, md, lo, hi, fails[pl] + 0, \
				ratio == "" ? "" : sprintf(", \"baseline\": \"%s\", \"ratio\": %s", bl, ratio) > json
			sep = ",\n"
			if (row == "boot_to_init_s") printf "\"%s\" %g %g %g\n", pl, md, lo, hi > bootdat
			else if (pl !~ /^host-/) printf " %s", ratio == "" ? "-" : ratio > dat
		}
		printf "\n" > dat
	}
	printf "\n  ],\n  \"failed\": \"%s\" }\n", substr(bad, 2) > json
	if (bad != "") printf "FAILED:%s\n", bad
}' "$tmp/samples"
echo "(median of $runs runs; x host = median / host-native median: previrt, previrt-usk, previrt-r3vmm and qemu"
echo " against host-i386, uml against host-x86_64; host runs pinned to CPU 0; JSON: $json)"

# the plot's columns are the platforms in their full order
if [ "$platforms" = "$all_platforms" ] && command -v gnuplot >/dev/null 2>&1 && [ -s "$tmp/boot.dat" ]; then
	grep -v '^boot_to_init_s' "$tmp/ratios.dat" >"$tmp/r.dat"
	gnuplot <<GP
set terminal svg size 1150,460 dynamic font "sans,11"
set output "$res/vs-uml-qemu-host.svg"
set multiplot title "previrt vs UML, QEMU TCG and the host ($(date -u +%Y-%m-%d), bench/vs-uml-qemu-host.sh --runs $runs$( [ $quick = 1 ] && echo ' --quick'))"
set datafile missing "-"
set style fill solid 0.7 border -1
set grid ytics
set size 0.24,0.92
set origin 0,0
set ylabel "boot to init marker, s (bars: min..max)"
set xtics rotate by -35 noenhanced
set yrange [0:*]
set boxwidth 0.6
plot "$tmp/boot.dat" using 0:2:xtic(1) with boxes lc rgb "#4477aa" notitle, "" using 0:2:3:4 with yerrorbars lc rgb "black" pt 0 notitle
set size 0.76,0.92
set origin 0.24,0
set ylabel "median / host-native median (log)"
set logscale y
set yrange [*:*]
set style data histograms
set style histogram clustered gap 1
set boxwidth 0.9
set key outside right top vertical noenhanced
plot "$tmp/r.dat" using 2:xtic(1) title "previrt", "" using 3 title "previrt --user-sees-kernel", \
	"" using 4 title "UML (vs x86-64 host)", "" using 5 title "QEMU TCG", \
	"" using 6 title "previrt --ring3-in-vmm", 1 with lines dt 2 lc rgb "gray" notitle
unset multiplot
GP
	echo "(plot: $res/vs-uml-qemu-host.svg)"
fi
exit $failed
