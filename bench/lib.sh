# Shell pieces shared by the benchmarks under bench/ (sourced, POSIX sh).
# The caller sets $top (the repository root).

# bench_microbench ARCH OUT: builds bench/guest/microbench.c static for
# i386 or x86_64 into OUT (the guest and host-native binaries are the same).
bench_microbench() {
	case $1 in i386) set -- -m32 "$2" ;; x86_64) set -- -m64 "$2" ;;
	*) echo "bench_microbench: arch i386 or x86_64, not '$1'" >&2; return 2 ;; esac
	gcc -std=c11 -Wall -Wextra -Werror -O2 -static "$1" -o "$2" "$top/bench/guest/microbench.c"
}

# bench_stamp: copies stdin to stdout, each line prefixed with the host's
# wall clock (seconds since the epoch, microseconds) when it arrived, so a
# console streamed through a pipe gives the host time of its markers.
bench_stamp() {
	perl -MTime::HiRes=time -ne 'BEGIN { $| = 1 } printf "%.6f %s", time, $_'
}

# bench_rows: from a stamped or plain console on stdin, the in-guest
# "bench: NAME VALUE ops=N" lines as "NAME VALUE".
bench_rows() {
	sed -n 's/^\([0-9.]* \)\{0,1\}bench: \([a-z_0-9]*\) \([0-9.][0-9.]*\) ops=.*/\2 \3/p'
}

# bench_median_awk: an awk function med(a, n) (sorts a[1..n], returns the
# median), to paste in front of an awk program.
bench_median_awk='function med(a, n,   i, j, t) { for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j > 0 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
	return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }'
