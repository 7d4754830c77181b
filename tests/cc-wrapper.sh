#!/bin/sh
# afterburn-cc and afterburn-as: .c and .S, -pipe, -m32/-m64, -o -,
# dependency flags, preprocess-only and link-only runs, --mem-sources,
# --exclude, the site log, and a clear error for a missing compiler.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cc="$top/build/bin/afterburn-cc"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 2
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "cc-wrapper: FAIL: $*" >&2; fail=$((fail + 1)); }
# sites OBJ: number of site records in OBJ's .afterburn section
sites() {
	"$top/scripts/count-sites.sh" "$1"
}
cat >c.c <<'C'
static inline unsigned long rd(volatile unsigned *p) { unsigned v; asm volatile("movl %1,%0" : "=r"(v) : "m"(*p)); return v; }
unsigned f(volatile unsigned *p) { asm volatile("cli"); unsigned v = rd(p); asm volatile("sti; hlt"); return v; }
int main(void) { return 0; }
C
cat >s.S <<'S'
#define PORT 0x80
	.text
	.globl g
g:	outb %al, $PORT
	ret
S
for m in -m32 -m64; do
	"$cc" gcc $m -O2 -c c.c -o c$m.o && [ "$(sites c$m.o)" = 2 ] && ok || bad "gcc $m -c c.c: expected 2 sites, got $(sites c$m.o)"
	"$cc" gcc $m -O2 -pipe -c c.c -o p$m.o && cmp -s c$m.o p$m.o && ok || bad "-pipe $m differs from no -pipe"
	"$cc" gcc $m -c s.S -o s$m.o && [ "$(sites s$m.o)" = 1 ] && ok || bad "gcc $m -c s.S: expected 1 site"
done
"$cc" gcc -O2 -c c.c -o - >stdout.o && [ "$(sites stdout.o)" = 2 ] && ok || bad "-o - (object on stdout)"
"$cc" gcc -O2 -MD -MF c.d -c c.c -o d.o && grep -q 'c.c' c.d && ok || bad "-MD -MF dependency file"
"$cc" gcc -E c.c -o c.i && grep -q 'asm volatile' c.i && ok || bad "-E preprocess only"
"$cc" gcc -O2 -S c.c -o c.s && ! grep -q afterburn c.s && ok || bad "-S must give the compiler's own output"
"$cc" gcc c-m64.o -o prog 2>/dev/null; [ -x prog ] && ok || bad "link only"
"$cc" gcc -O2 c.c -o prog2 && [ "$(sites prog2)" = 2 ] && ok || bad "compile and link in one run"
"$cc" --mem-sources='*c.c' gcc -O2 -c c.c -o mem.o && [ "$(sites mem.o)" = 3 ] && ok || bad "--mem-sources: expected 3 sites, got $(sites mem.o)"
PREVIRT_MEM_SOURCES='*c.c' "$cc" gcc -O2 -c c.c -o mem2.o && [ "$(sites mem2.o)" = 3 ] && ok || bad "PREVIRT_MEM_SOURCES"
"$cc" --exclude='*c.c' gcc -O2 -c c.c -o ex.o && [ "$(sites ex.o)" = 0 ] && ok || bad "--exclude"
PREVIRT_SITE_LOG=$tmp/sites.log "$cc" gcc -O2 -c c.c -o log.o && grep -q "/log.o 2 0\$" sites.log && ok || bad "PREVIRT_SITE_LOG: $(cat sites.log 2>/dev/null)"
printf 'int x;\n' | "$cc" gcc -x c -c - -o stdin.o && [ -s stdin.o ] && ok || bad "source on stdin"
"$cc" gcc -c -x assembler -o /dev/null /dev/null && ok || bad "as-option style probe"
"$cc" no-such-compiler -c c.c 2>err; [ $? -eq 127 ] && grep -q "no-such-compiler" err && ok || bad "missing compiler: $(cat err)"
"$cc" 2>err; [ $? -eq 2 ] && grep -q "no compiler given" err && ok || bad "no compiler"
"$cc" --help | grep -q 'usage: afterburn-cc' && ok || bad "--help"
echo "cc-wrapper: $pass passed, $fail failed"
[ $fail -eq 0 ]
