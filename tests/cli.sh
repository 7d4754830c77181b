#!/bin/sh
# afterburn's command line: help, defaults, stdin/stdout, -o, --pad, and
# bad input (unreadable file, bad option: a message naming it, exit 2).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
ab=${AFTERBURN:-$top/build/bin/afterburn}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "cli: FAIL: $*" >&2; fail=$((fail + 1)); }
# expect STATUS PATTERN-IN-STDERR COMMAND...
expect() {
	want=$1 pat=$2
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" -ne "$want" ]; then bad "'$*': exit $got, expected $want"; return; fi
	if [ -n "$pat" ] && ! grep -q -- "$pat" "$tmp/err"; then
		bad "'$*': stderr lacks '$pat': $(cat "$tmp/err")"; return
	fi
	ok
}
printf '\t.text\n\tcli\n\tret\n' >"$tmp/in.s"
expect 0 "" "$ab" --help
grep -q 'usage: afterburn' "$tmp/out" && ok || bad "--help prints no usage"
expect 2 "no-such-file.s" "$ab" "$tmp/no-such-file.s"
expect 2 "unrecognized option" "$ab" --bogus "$tmp/in.s"
expect 2 "unknown 'arm'" "$ab" --arch=arm "$tmp/in.s"
expect 2 "unknown kind 'FOO'" "$ab" --pad FOO=9 "$tmp/in.s"
expect 2 "7..255" "$ab" --pad CLI=3 "$tmp/in.s"
expect 2 "expected KIND=N" "$ab" --pad CLI "$tmp/in.s"
expect 2 "restart tail, so 9..128" "$ab" --pad INT=7 "$tmp/in.s"
expect 2 "one input file" "$ab" "$tmp/in.s" "$tmp/in.s"
expect 2 "nodir" "$ab" -o "$tmp/nodir/x.s" "$tmp/in.s"
expect 2 "is a directory\|Is a directory" "$ab" "$tmp"
# stdin/stdout, '-' and -o give the same bytes
"$ab" --arch=i386 <"$tmp/in.s" >"$tmp/a.s" && "$ab" --arch=i386 - <"$tmp/in.s" >"$tmp/b.s" &&
	"$ab" --arch=i386 -o "$tmp/c.s" "$tmp/in.s" && cmp -s "$tmp/a.s" "$tmp/b.s" &&
	cmp -s "$tmp/a.s" "$tmp/c.s" && ok || bad "stdin, '-' and -o outputs differ"
# --pad changes the site length; the output still assembles
"$ab" --arch=i386 --pad CLI=12 "$tmp/in.s" >"$tmp/p.s" && as --32 -o "$tmp/p.o" "$tmp/p.s" &&
	[ "$(objdump -d "$tmp/p.o" | grep -c 'nop')" -ge 2 ] &&
	objdump -s -j .afterburn "$tmp/p.o" | grep -q ' 0c010102' && ok || bad "--pad CLI=12 not applied"
# --stats counts per kind; --verbose names what it leaves alone and why
printf '\t.text\n\tcli\n\t.code16\n\tsti\n' | "$ab" --stats --verbose >/dev/null 2>"$tmp/err" &&
	grep -q '^CLI  *1$' "$tmp/err" && grep -q 'STI not annotated: 16-bit code' "$tmp/err" &&
	ok || bad "--stats/--verbose: $(cat "$tmp/err")"
# what it cannot make sense of passes through, with a warning under --verbose
printf '\t.popsection\n\t.ascii "open\n\tret\n/* open\n' >"$tmp/odd.s"
"$ab" --verbose "$tmp/odd.s" >"$tmp/odd.out" 2>"$tmp/err" && cmp -s "$tmp/odd.s" "$tmp/odd.out" &&
	grep -q 'odd.s:1: warning: .popsection without .pushsection' "$tmp/err" &&
	grep -q 'odd.s:2: warning: unterminated string' "$tmp/err" &&
	grep -q 'unterminated /\* comment' "$tmp/err" && ok || bad "odd input: $(cat "$tmp/err")"
# an empty input and a file without sites pass through unchanged
: >"$tmp/empty.s"
"$ab" "$tmp/empty.s" >"$tmp/e.out" && [ ! -s "$tmp/e.out" ] && ok || bad "empty input"
printf 'foo:\n\tret # no sites\n' >"$tmp/plain.s"
"$ab" "$tmp/plain.s" | cmp -s - "$tmp/plain.s" && ok || bad "plain file not byte-identical"
# garbage never crashes and passes through
head -c 4096 /dev/urandom >"$tmp/rand.s"
"$ab" "$tmp/rand.s" >/dev/null 2>&1 && ok || bad "random bytes: non-zero exit"
echo "cli: $pass passed, $fail failed"
[ $fail -eq 0 ]
