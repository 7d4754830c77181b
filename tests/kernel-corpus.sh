#!/bin/sh
# The property test over a whole kernel build: every file gcc handed to `as`
# during the afterburnt build (kept in BUILD_DIR/corpus) is assembled as it
# was and after `afterburn`; the afterburnt output must assemble and
# build/tests/abcheck must find the two objects equivalent (same instruction
# stream minus the padding, branch targets and relocations mapped, data
# unchanged, every record valid; see tests/abcheck/abcheck.c).
#   tests/kernel-corpus.sh ARCH BUILD_DIR
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
arch=${1:?usage: kernel-corpus.sh ARCH BUILD_DIR}
b=${2:?usage: kernel-corpus.sh ARCH BUILD_DIR}
case $arch in i386|x86_64) ;; *) echo "kernel-corpus: bad arch '$arch'" >&2; exit 2 ;; esac
[ -d "$b/corpus" ] || { echo "kernel-corpus: $b/corpus missing" >&2; exit 2; }
ab=$top/build/bin/afterburn
check=$top/build/tests/abcheck
[ -x "$ab" ] && [ -x "$check" ] || { echo "kernel-corpus: build the tools first (make all tests)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# One file: prints "OK", "ORIG" (the original does not assemble on its own)
# or "FAIL" and the reason.
cat >"$tmp/one.sh" <<ONE
#!/bin/sh
f=\$1
o=$tmp/\$\$
# the code size as gcc passed it to as (Kconfig probes may use the other one)
case \$f in *.32.s) bits=32 a=i386 ;; *) bits=64 a=x86_64 ;; esac
cd "$b" || exit 1
if ! as --\$bits -o \$o.orig.o "\$f" 2>\$o.err; then echo "ORIG \$f"; rm -f \$o.*; exit 0; fi
if ! "$ab" --arch=\$a "\$f" >\$o.s || ! as --\$bits -o \$o.ab.o \$o.s 2>\$o.err; then
	echo "FAIL \$f: afterburnt output does not assemble: \$(head -n 3 \$o.err | tr '\n' ' ')"
elif ! "$check" -q \$o.orig.o \$o.ab.o >\$o.chk 2>&1; then
	echo "FAIL \$f: \$(head -n 5 \$o.chk | tr '\n' ' ')"
else
	echo "OK \$f"
fi
rm -f \$o.*
ONE
chmod +x "$tmp/one.sh"
ls "$b"/corpus/*.s | xargs -P "$(nproc)" -n 1 "$tmp/one.sh" >"$tmp/results"
total=$(wc -l <"$tmp/results")
ok=$(grep -c '^OK ' "$tmp/results" || true)
orig=$(grep -c '^ORIG ' "$tmp/results" || true)
bad=$(grep -c '^FAIL ' "$tmp/results" || true)
bytes=$(cat "$b"/corpus/*.s | wc -c)
echo "kernel-corpus: $arch: $total files ($((bytes / 1048576)) MB): $ok equivalent, $bad failed, $orig whose original does not assemble outside the build"
grep '^ORIG ' "$tmp/results" | head -n 5 | sed 's/^/  /'
grep '^FAIL ' "$tmp/results" | head -n 20 | sed 's/^/  /' >&2
[ "$bad" -eq 0 ] && [ "$orig" -eq 0 ] && [ "$ok" -gt 0 ]
