#!/bin/sh
# The decoder's tests: unit cases, the differential sweep over both
# afterburnt Linux 6.1 kernels, and the random differential test.  Builds
# nothing (run `make tests` first); the kernels come from build.sh's cache.
#
#   tests/x86/run.sh [--count N] [--seed S]
#
# --count and --seed go to the random test (strings per mode).  Prints each
# test's summary and "x86: N passed, N failed"; exit status 0 when all pass.
# X86_VMLINUX_I386 and X86_VMLINUX_X86_64 name other kernels (build.sh
# builds them when its cache lacks the current key, which takes minutes).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/build/tests/x86
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=99
for t in unit kernel random; do
	[ -x "$bin/$t" ] || { echo "tests/x86/run.sh: $bin/$t missing: run make tests" >&2; exit 2; }
done
passed=0 failed=0
run() {
	echo "--- $1"
	shift
	if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}
vmlinux() {
	eval "given=\${X86_VMLINUX_$(echo "$1" | tr a-z A-Z):-}"
	if [ -n "$given" ]; then
		echo "$given"
		return 0
	fi
	dir=$("$top/guests/linux/build.sh" --arch "$1" --variant afterburnt | tail -n 1) || return 1
	[ -f "$dir/vmlinux" ] || return 1
	echo "$dir/vmlinux"
}
run unit "$bin/unit"
k32=$(vmlinux i386) && k64=$(vmlinux x86_64)
if [ -n "${k32:-}" ] && [ -n "${k64:-}" ]; then
	run kernel "$bin/kernel" "$k32" "$k64"
else
	echo "--- kernel"
	echo "tests/x86/run.sh: could not get the afterburnt kernels from guests/linux/build.sh"
	failed=$((failed + 1))
fi
run random "$bin/random" "$@"
echo "x86: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
