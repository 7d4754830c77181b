#!/bin/sh
# Golden-file tests of the afterburner: tests/golden/NAME.ARCH.s is the
# input (an optional first line "# afterburn-args: ..." adds options) and
# NAME.ARCH.expected.s the exact expected output.  Each output must also
# assemble, and, when build/tests/abcheck exists, pass the property checker
# against the original object.
#   tests/golden.sh [--update]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
ab=${AFTERBURN:-$top/build/bin/afterburn}
abcheck=$top/build/tests/abcheck
update=0
[ "${1:-}" = --update ] && update=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
for in in "$top"/tests/golden/*.s; do
	case $in in *.expected.s) continue ;; esac
	base=${in%.s}
	name=$(basename "$base")
	arch=${name##*.}
	exp=$base.expected.s
	args=$(sed -n '1s/^# afterburn-args: //p' "$in")
	case $arch in i386) asflag=--32 ;; x86_64) asflag=--64 ;; *) echo "golden: $in: name must end in .i386.s or .x86_64.s" >&2; exit 2 ;; esac
	# shellcheck disable=SC2086
	"$ab" --arch="$arch" $args "$in" >"$tmp/out.s"
	if [ $update = 1 ]; then
		cp "$tmp/out.s" "$exp"
	fi
	ok=1
	if ! cmp -s "$tmp/out.s" "$exp"; then
		echo "golden: FAIL: $name: output differs from $(basename "$exp"):" >&2
		diff "$exp" "$tmp/out.s" | head -n 20 | sed 's/^/  /' >&2
		ok=0
	fi
	if ! as "$asflag" -o "$tmp/ab.o" "$tmp/out.s" 2>"$tmp/as.err"; then
		echo "golden: FAIL: $name: output does not assemble:" >&2
		sed 's/^/  /' "$tmp/as.err" | head -n 10 >&2
		ok=0
	elif [ -x "$abcheck" ]; then
		as "$asflag" -o "$tmp/orig.o" "$in" 2>/dev/null
		if ! "$abcheck" -q "$tmp/orig.o" "$tmp/ab.o" >"$tmp/chk" 2>&1; then
			echo "golden: FAIL: $name: abcheck:" >&2
			sed 's/^/  /' "$tmp/chk" >&2
			ok=0
		fi
	fi
	if [ $ok = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
echo "golden: $pass passed, $fail failed"
[ $fail -eq 0 ]
