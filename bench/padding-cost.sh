#!/bin/sh
# Does the raw-hardware cost of an afterburnt kernel scale with the padding?
# Boots, alternating: the plain kernel, the default afterburnt one, and one
# afterburnt with every site padded to the 7-byte minimum
# (PREVIRT_AFTERBURN_FLAGS="--pad all=7", built in a scratch cache), and runs
# the in-guest null system call row twice per boot.  Prints medians and
# ratios; writes bench/results/padding-cost.json.
#
#   bench/padding-cost.sh [--runs N] [--arch i386|x86_64]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${PREVIRT_CACHE:-$HOME/.cache/previrt}
runs=5 arch=x86_64
while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=${2:?}; shift 2 ;;
	--arch) arch=${2:?}; shift 2 ;;
	-h|--help) sed -n '2,10s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "padding-cost: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
case $runs in ''|*[!0-9]*|0) echo "padding-cost: --runs needs a positive number" >&2; exit 2 ;; esac
case $arch in i386) m=-m32 ;; x86_64) m=-m64 ;; *) echo "padding-cost: --arch i386|x86_64" >&2; exit 2 ;; esac
res=${PREVIRT_BENCH_RESULTS:-$top/bench/results}
mkdir -p "$res"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
plain=$("$top/guests/linux/build.sh" --arch "$arch" --variant plain | tail -n 1)
ab=$("$top/guests/linux/build.sh" --arch "$arch" --variant afterburnt | tail -n 1)
# the flags are part of the cache key, so the minimal-padding build is cached too
pad7=$(PREVIRT_AFTERBURN_FLAGS="--pad all=7" PREVIRT_BUILD_LEAN=1 \
	"$top/guests/linux/build.sh" --arch "$arch" --variant afterburnt | tail -n 1)
gcc -std=c11 -O2 -static $m -o "$tmp/microbench" "$top/bench/guest/microbench.c"
printf '#!/bin/sh\n/microbench null_syscall\n/microbench null_syscall\n' >"$tmp/bench.sh"
initrd=$("$top/guests/linux/initramfs.sh" --arch "$arch" --add "$tmp/microbench=/microbench" \
	--add "$tmp/bench.sh=/bench.sh" | tail -n 1)
r=1
while [ $r -le "$runs" ]; do
	for v in "plain:$plain" "default:$ab" "pad7:$pad7"; do
		echo "padding-cost: ${v%%:*} run $r/$runs" >&2
		"$top/scripts/boot-qemu.sh" --arch "$arch" --kernel "${v#*:}/arch/x86/boot/bzImage" \
			--initrd "$initrd" --append previrt.script=/bench.sh --timeout 300 \
			--expect 'previrt-init: /bench.sh exited with status 0' >"$tmp/console" 2>&1 ||
			{ tail -n 30 "$tmp/console" >&2; exit 1; }
		sed -n "s/^bench: null_syscall \([0-9.]*\).*/${v%%:*} \1/p" "$tmp/console" >>"$tmp/samples"
	done
	r=$((r + 1))
done
awk -v arch="$arch" -v date="$(date -u +%Y-%m-%dT%H:%M:%SZ)" -v json="$res/padding-cost.json" '
function med(a, n,   i, j, t) { for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j > 0 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
	return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
{ n[$1]++; v[$1, n[$1]] = $2 }
END {
	split("plain default pad7", order, " ")
	for (i = 1; i <= 3; i++) { k = order[i]; for (j = 1; j <= n[k]; j++) a[j] = v[k, j]; m[k] = med(a, n[k]) }
	printf "%-8s %-28s %12s %8s\n", "arch", "kernel", "null syscall us (median)", "ratio"
	printf "%-8s %-28s %12.3f %8.3f\n", arch, "plain", m["plain"], 1
	printf "%-8s %-28s %12.3f %8.3f\n", arch, "afterburnt, default padding", m["default"], m["default"] / m["plain"]
	printf "%-8s %-28s %12.3f %8.3f\n", arch, "afterburnt, all sites 7 B", m["pad7"], m["pad7"] / m["plain"]
	printf "{ \"date\": \"%s\", \"arch\": \"%s\", \"samples\": %d, \"null_syscall_us\": { \"plain\": %g, \"default\": %g, \"pad7\": %g } }\n", date, arch, n["plain"], m["plain"], m["default"], m["pad7"] > json
}' "$tmp/samples"
echo "(medians of $runs boots x 2 samples; JSON: $res/padding-cost.json)"
