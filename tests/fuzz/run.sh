#!/bin/sh
# Build the afterburn rewriter fuzzer and run it.
#   tests/fuzz/run.sh [SECONDS]      (default 60; works from any directory)
# Output goes to build/fuzz/: the binary, the working corpus (seeded from
# tests/fuzz/seeds), artifacts/ and fuzz.log.  Exits non-zero, naming the
# reproducer, if libFuzzer found a crash, leak, timeout, OOM or an invariant
# abort.  CLANG overrides the compiler.
set -eu

secs=${1:-60}
case $secs in '' | *[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;; esac

root=$(cd "$(dirname "$0")/../.." && pwd)
out=$root/build/fuzz
bin=$out/fuzz_rewrite
mkdir -p "$out/corpus" "$out/artifacts"

${CLANG:-clang} -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-Wall -Wextra -D_GNU_SOURCE -I "$root/include" -I "$root/afterburn" -o "$bin" \
	"$root/tests/fuzz/fuzz_rewrite.c" "$root/afterburn/rewrite.c" \
	"$root/afterburn/classify.c" "$root/afterburn/buf.c"

cp "$root"/tests/fuzz/seeds/* "$out/corpus/"

stamp=$out/.run-start
: >"$stamp"
# POSIX sh has no pipefail: carry the fuzzer's status out of the pipeline.
{
	rc=0
	"$bin" -max_total_time="$secs" -timeout=5 -rss_limit_mb=2048 -max_len=65536 \
		-print_final_stats=1 -dict="$root/tests/fuzz/asm.dict" \
		-artifact_prefix="$out/artifacts/" "$out/corpus" 2>&1 || rc=$?
	echo "$rc" >"$out/.rc"
} | tee "$out/fuzz.log"
rc=$(cat "$out/.rc")

found=$(find "$out/artifacts" -type f -newer "$stamp" ! -name 'slow-unit-*' | sort)
if [ "$rc" -ne 0 ] || [ -n "$found" ]; then
	echo "run.sh: fuzzer failed (exit $rc)" >&2
	for f in $found; do
		echo "run.sh: artifact: $f" >&2
	done
	echo "run.sh: reproduce with: $bin <artifact>" >&2
	[ "$rc" -ne 0 ] || rc=1
	exit "$rc"
fi
echo "run.sh: no findings in ${secs}s (log: $out/fuzz.log)"
