#!/bin/sh
# Runs the device models' unit tests (built by `make tests` with ASan and
# UBSan): prints one line per device and "dev: N checks, N failed".
top=$(cd "$(dirname "$0")/../.." && pwd)
# B=<dir> as for make: the build directory (default build/).
bin=${B:-$top/build}/tests/dev-test
[ -x "$bin" ] || { echo "tests/dev/run.sh: $bin missing: run 'make tests' first" >&2; exit 2; }
exec "$bin"
