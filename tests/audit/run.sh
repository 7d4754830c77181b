#!/bin/sh
# Tests of `previrt audit` on small ELF files made here from assembler text:
# clean annotated objects and images, every kind of broken .afterburn record
# (written by hand in .s), the reason classes, exclusion files, JSON, bad
# input, and a short mutation run that must never crash the audit.
#
#   tests/audit/run.sh [--asan]
#
# --asan builds the audit with AddressSanitizer and UndefinedBehaviorSanitizer
# into a temporary directory and tests that binary.  PREVIRT and AFTERBURN
# name other binaries.  Ends with "audit-tests: N passed, N failed"; exit
# status 0 when all passed.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ab=${AFTERBURN:-$top/build/bin/afterburn}
pv=${PREVIRT:-$top/build/bin/previrt}
case ${1:-} in
--asan)
	pv=$top/build/asan/previrt # built by `make tests`
	[ -x "$pv" ] || { echo "tests/audit/run.sh: $pv is missing: run make tests" >&2; exit 2; }
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99
	export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=99
	;;
'') ;;
*) echo "usage: tests/audit/run.sh [--asan]" >&2; exit 2 ;;
esac
for t in "$pv" "$ab"; do
	[ -x "$t" ] || { echo "audit-tests: $t missing (run make)" >&2; exit 1; }
done

pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "audit-tests: FAIL: $*"; fail=$((fail + 1)); }

# expect NAME STATUS [PATTERN...] -- COMMAND...: exit status and every
# fixed-string PATTERN in stdout+stderr; a signal or sanitizer report fails.
expect() {
	name=$1 want=$2
	shift 2
	pats=
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		pats="$pats
$1"
		shift
	done
	shift
	"$@" >"$tmp/out" 2>&1
	got=$?
	if [ "$got" -ge 99 ]; then
		bad "$name: crashed or sanitizer report (status $got): $(tail -5 "$tmp/out")"
		return
	fi
	if [ "$got" -ne "$want" ]; then
		bad "$name: exit $got, expected $want: $(head -40 "$tmp/out")"
		return
	fi
	echo "$pats" | while IFS= read -r p; do
		[ -z "$p" ] && continue
		grep -qF -- "$p" "$tmp/out" || { echo "$p" >"$tmp/missing"; break; }
	done
	if [ -s "$tmp/missing" ]; then
		bad "$name: output lacks '$(cat "$tmp/missing")': $(head -40 "$tmp/out")"
		rm -f "$tmp/missing"
		return
	fi
	ok
}

# asm32 NAME: assembles $tmp/NAME.s (32-bit) into $tmp/NAME.o
asm32() { as --32 -o "$tmp/$1.o" "$tmp/$1.s" || bad "as failed on $1.s"; }
asm64() { as --64 -o "$tmp/$1.o" "$tmp/$1.s" || bad "as failed on $1.s"; }
# burn ARCH NAME: afterburns $tmp/NAME.s into $tmp/NAME.ab.s
burn() { "$ab" --arch="$1" -o "$tmp/$2.ab.s" "$tmp/$2.s" || bad "afterburn failed on $2.s"; }

# The header every hand-written .afterburn starts with, and the code the
# hand-written records point at: a cli site of 8 bytes (cli + 7-byte nop)
# after a 5-byte mov whose immediate holds no useful bytes.
HDR='	.long 0x6e727562; .byte 2,0,0,0'
cat >"$tmp/code.inc" <<'EOF'
	.text
	.globl f
	.type f,@function
f:	movl $0x90909090, %eax
site:	cli
	.byte 0x0f,0x1f,0x80,0,0,0,0
	ret
	.size f,.-f
	.fill 8,1,0xcc
	.section .afterburn,"a",@progbits
	.balign 4
EOF
# handmade NAME RECORD-LINES...: the code above plus these .afterburn lines
handmade() {
	n=$1
	shift
	{ cat "$tmp/code.inc"; for l in "$@"; do printf '%s\n' "$l"; done; } >"$tmp/$n.s"
	asm32 "$n"
}

# --- the front end -----------------------------------------------------------
expect "previrt --help" 0 "usage: previrt COMMAND" "audit" -- "$pv" --help
expect "previrt audit --help" 0 "usage: previrt audit" "--exclusions" "raw-byte" -- "$pv" audit --help
expect "no command" 2 "usage: previrt" -- "$pv"
expect "unknown command" 2 "unknown command 'frob'" -- "$pv" frob
expect "no input" 2 "no input files" -- "$pv" audit
expect "bad option" 2 "usage: previrt audit" -- "$pv" audit --bogus x.o
expect "bad --arch" 2 "unknown --arch 'arm'" -- "$pv" audit --arch=arm x.o

# --- clean annotated files exit 0 -------------------------------------------
cat >"$tmp/clean.s" <<'EOF'
	.text
	.globl f
	.type f,@function
f:	pushfl
	cli
	movl %cr0, %eax
	movl %eax, %cr0
	movw %ax, %ds
	inb $0x60, %al
	outb %al, $0x80
	rep; outsb
	cpuid
	rdmsr
	wrmsr
	rdtsc
	int $0x80
	int $3
	lgdt (%eax)
	ljmp $0x10, $1f
1:	sti
	hlt
	popfl
	iret
	.size f,.-f
EOF
burn i386 clean && cp "$tmp/clean.ab.s" "$tmp/clean32.s" && asm32 clean32
expect "clean annotated i386 object" 0 "coverage complete" "CLI" "MOV_TO_CR" "FARJMP" -- \
	"$pv" audit "$tmp/clean32.o"
ld -m elf_i386 -e f -o "$tmp/clean32.elf" "$tmp/clean32.o" 2>"$tmp/ld.err" ||
	bad "ld failed: $(cat "$tmp/ld.err")"
expect "clean annotated i386 image (ET_EXEC)" 0 "ET_EXEC" "coverage complete" -- \
	"$pv" audit "$tmp/clean32.elf"
cat >"$tmp/clean64src.s" <<'EOF'
	.text
	.globl g
	.type g,@function
g:	cli
	swapgs
	rdgsbase %rax
	movq %cr3, %rax
	movq %rax, %cr3
	rdtscp
	sti
	sysretq
	iretq
	.size g,.-g
EOF
burn x86_64 clean64src && cp "$tmp/clean64src.ab.s" "$tmp/clean64.s" && asm64 clean64
expect "clean annotated x86_64 object" 0 "ELF64 ET_REL" "SWAPGS" "FSGSBASE" "coverage complete" -- \
	"$pv" audit "$tmp/clean64.o"
ld -m elf_x86_64 -shared -o "$tmp/clean64.so" "$tmp/clean64.o" 2>"$tmp/ld.err" ||
	bad "ld -shared failed: $(cat "$tmp/ld.err")"
expect "clean annotated x86_64 shared object (ET_DYN)" 0 "ET_DYN" "coverage complete" -- \
	"$pv" audit "$tmp/clean64.so"
expect "two files, both clean" 0 "clean32.o: coverage complete" "clean64.o: coverage complete" -- \
	"$pv" audit "$tmp/clean32.o" "$tmp/clean64.o"

# --- unannotated instructions exit 1, listed with place and reason ----------
printf '\t.text\n\t.globl f\n\t.type f,@function\nf:\tnop\n\tcli\n\tret\n\t.size f,.-f\n' >"$tmp/plain.s"
asm32 plain
expect "unannotated cli" 1 "no .afterburn section" "f+0x1  .text  CLI  \`cli\`  fa  unknown" \
	"coverage INCOMPLETE: 1 sensitive" -- "$pv" audit "$tmp/plain.o"
expect "plain object, both files reported" 1 "clean32.o: coverage complete" "plain.o: coverage INCOMPLETE" -- \
	"$pv" audit "$tmp/clean32.o" "$tmp/plain.o"
printf 'f:\tcli\n' >"$tmp/plain64.s" && asm64 plain64
expect "--arch=i386 decodes a 64-bit object as 32-bit" 1 "32-bit code by default" -- \
	"$pv" audit --arch=i386 "$tmp/plain64.o"

# exclusions: a documented rule accepts it, and the file is checked
printf '# test rules\nsymbol f  the test says so\n' >"$tmp/ex.txt"
expect "excluded by a symbol rule" 0 "excluded (" "ex.txt:2: the test says so" "coverage complete" -- \
	"$pv" audit --exclusions "$tmp/ex.txt" "$tmp/plain.o"
printf 'section .te*  pattern rule\n' >"$tmp/ex2.txt"
expect "excluded by a section pattern" 0 "ex2.txt:1: pattern rule" -- \
	"$pv" audit --exclusions "$tmp/ex2.txt" "$tmp/plain.o"
printf 'symbol f\n' >"$tmp/ex3.txt"
expect "exclusion without a reason" 2 "ex3.txt:1: 'symbol' needs a NAME and a reason" -- \
	"$pv" audit --exclusions "$tmp/ex3.txt" "$tmp/plain.o"
printf 'function f because\n' >"$tmp/ex4.txt"
expect "unknown exclusion rule" 2 "ex4.txt:1: unknown rule 'function'" -- \
	"$pv" audit --exclusions "$tmp/ex4.txt" "$tmp/plain.o"
expect "missing exclusion file" 2 "nonexistent.txt" -- \
	"$pv" audit --exclusions "$tmp/nonexistent.txt" "$tmp/plain.o"

# the exempt classes exit 0, raw bytes exit 1
cat >"$tmp/classes.s" <<'EOF'
	.section .altinstr_replacement,"ax",@progbits
	clac
	.section .text16,"ax",@progbits
	.code16
	cli
	outb %al, $0x80
	.code32
EOF
asm32 classes
expect "alternative-replacement and 16-bit are exempt" 0 "alternative-replacement" "16-bit" \
	"CLI  \`cli\`  fa  16-bit" "coverage complete" -- "$pv" audit "$tmp/classes.o"
printf '\t.text\nidle:\t.byte 0x0f,0x01,0xc9\n\t.byte 0x0f,0x0b\n' >"$tmp/raw.s" && asm32 raw
expect "raw .byte mwait and ud2" 1 "MWAIT  \`mwait\`  0f01c9  raw-byte (mwait" \
	"UD2  \`ud2\`  0f0b  raw-byte (ud2: ASM_UD2" -- "$pv" audit "$tmp/raw.o"

# --- every broken record is reported precisely, exit 1 ----------------------
handmade good "$HDR" '	.long site-.; .byte 8,1,1,2'
expect "hand-written record is valid" 0 "1 sites), 0 invalid" "coverage complete" -- "$pv" audit "$tmp/good.o"

handmade middle "$HDR" '	.long f+1-.; .byte 8,1,1,2'
expect "record into the middle of an instruction" 1 \
	"record #1 (.afterburn+0x8), site 0x1 (f+0x1, .text): site starts inside an instruction: at byte 1 of the 5-byte \`movl \$0x90909090, %eax\` at 0x0 (f+0x0, .text)" \
	"1 invalid" -- "$pv" audit "$tmp/middle.o"

handmade outside "$HDR" '	.long site+0x1000-.; .byte 8,1,1,2'
expect "record outside its section (object)" 1 \
	"record #1 (.afterburn+0x8), site -: site .text+4101 is outside .text (0x16 bytes)" -- \
	"$pv" audit "$tmp/outside.o"
handmade outexec "$HDR" '	.long 0x40000000; .byte 8,1,1,2'
ld -m elf_i386 -e f -o "$tmp/outexec.elf" "$tmp/outexec.o" 2>/dev/null || bad "ld outexec"
expect "record outside every section (image)" 1 "record #1 (.afterburn+0x8), site 0x4" \
	"is outside every section of the image" -- "$pv" audit "$tmp/outexec.elf"
handmade norel "$HDR" '	.long 0x40; .byte 8,1,1,2'
expect "record without relocation in an object" 1 \
	"CLI record has no relocation on its rel field (value 64)" -- "$pv" audit "$tmp/norel.o"
handmade datasite "$HDR" '	.long d-.; .byte 8,1,1,2' '	.data' 'd: .long 0'
expect "record pointing at data" 1 "site .data+0 is in .data, which is not an executable section" -- \
	"$pv" audit "$tmp/datasite.o"

handmade trunc "$HDR" '	.long site-.; .byte 8,1,1,2' '	.byte 1,2,3'
expect "truncated .afterburn" 1 \
	"record #2 (.afterburn+0x10), site -: .afterburn is 19 bytes, not a multiple of 8: the last 3 bytes are a truncated record" -- \
	"$pv" audit "$tmp/trunc.o"

handmade version '	.long 0x6e727562; .byte 1,0,0,0' '	.long site-.; .byte 8,1,1,2'
expect "wrong ABI version" 1 \
	"record #0 (.afterburn+0x0), site -: HEADER says ABI version 1, expected version 2" -- \
	"$pv" audit "$tmp/version.o"
handmade magic '	.long 0x6e727561; .byte 2,0,0,0' '	.long site-.; .byte 8,1,1,2'
expect "wrong HEADER magic" 1 "HEADER magic 0x6e727561, expected 0x6e727562" -- "$pv" audit "$tmp/magic.o"

handmade overlap "$HDR" '	.long site-.; .byte 8,1,1,2' '	.long site+4-.; .byte 7,1,1,2'
expect "overlapping records" 1 \
	"record #2 (.afterburn+0x10), site 0x9 (site+0x4, .text): site overlaps the 8-byte site of record #1 at 0x5 (site+0x0, .text)" -- \
	"$pv" audit "$tmp/overlap.o"
handmade dup "$HDR" '	.long site-.; .byte 8,1,1,2' '	.long site-.; .byte 8,1,1,2'
expect "duplicate records" 1 "record #2 (.afterburn+0x10), site 0x5 (site+0x0, .text): site overlaps the 8-byte site of record #1" -- \
	"$pv" audit "$tmp/dup.o"

handmade kind "$HDR" '	.long site-.; .byte 8,1,2,2'
expect "kind does not match the instruction" 1 \
	"record #1 (.afterburn+0x8), site 0x5 (site+0x0, .text): STI record, but the site holds \`cli\` (CLI)" \
	"CLI  \`cli\`  fa  invalid-record (record #1)" -- "$pv" audit "$tmp/kind.o"

handmade nohdr '	.long site-.; .byte 8,1,1,2'
expect "missing HEADER" 1 "record #0 (.afterburn+0x0), site 0x5 (site+0x0, .text): CLI record before any HEADER record" -- \
	"$pv" audit "$tmp/nohdr.o"

handmade fields "$HDR" '	.long site-.; .byte 8,1,99,2' '	.long site-.; .byte 8,1,1,0x82' \
	'	.long site-.; .byte 8,1,1,0' '	.long site-.; .byte 8,1,1,0x42' '	.long site-.; .byte 5,1,1,2' \
	'	.long site-.; .byte 8,3,1,2' '	.long site-.; .byte 8,1,1,3'
expect "bad record fields" 1 "record #1 (.afterburn+0x8), site 0x5 (site+0x0, .text): kind 99 is not defined" \
	"record #2 (.afterburn+0x10), site 0x5 (site+0x0, .text): reserved flag 0x80 is set" \
	"record #3 (.afterburn+0x18), site 0x5 (site+0x0, .text): code size bits are 0" \
	"record #4 (.afterburn+0x20), site 0x5 (site+0x0, .text): SHADOW flag on a CLI record" \
	"record #5 (.afterburn+0x28), site 0x5 (site+0x0, .text): site length 5 is below the ABI minimum 7" \
	"CLI site decodes as \`cli\` (1 bytes), record says insn_len 3" \
	"record says 64-bit code, but .text is 32-bit code here" -- "$pv" audit "$tmp/fields.o"

handmade padding "$HDR" '	.long site-.; .byte 9,1,1,2'
expect "padding that is not a NOP pattern" 1 "CLI site padding at +8 is \`c3\`, not one of the afterburner's padding patterns" -- \
	"$pv" audit "$tmp/padding.o"

# --- JSON --------------------------------------------------------------------
expect "--json is one JSON document" 1 -- sh -c "'$pv' audit --json '$tmp/kind.o' '$tmp/plain.o' '$tmp/clean64.o' >'$tmp/j.json'; st=\$?; python3 -m json.tool '$tmp/j.json' >/dev/null || exit 98; exit \$st"
python3 - "$tmp/j.json" <<'EOF' && ok || bad "--json content"
import json, sys
d = json.load(open(sys.argv[1]))
f = d["files"]
assert d["exit_status"] == 1 and len(f) == 3, d
assert f[0]["invalid_records"][0]["index"] == 1 and "STI record" in f[0]["invalid_records"][0]["problem"]
assert f[1]["kinds"]["CLI"] == {"found": 1, "annotated": 0, "not_annotated": 1}
u = f[1]["unannotated"][0]
assert u["symbol"] == "f" and u["offset"] == 1 and u["reason"] == "unknown" and u["bytes"] == "fa"
assert f[2]["complete"] is True and f[2]["kinds"]["SWAPGS"]["annotated"] == 1
EOF
expect "--json with bad input" 2 -- sh -c "'$pv' audit --json '$tmp/none.o' >'$tmp/j2.json'; st=\$?; python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert \"error\" in d[\"files\"][0]' '$tmp/j2.json' || exit 98; exit \$st"

# --- bad input exits 2 with the file and the problem -------------------------
expect "missing file" 2 "previrt audit: $tmp/none.o: No such file or directory" -- "$pv" audit "$tmp/none.o"
printf 'hello, world\n' >"$tmp/text.txt"
expect "not ELF" 2 "text.txt: not an ELF file" -- "$pv" audit "$tmp/text.txt"
expect "directory" 2 "is a directory" -- "$pv" audit "$tmp"
head -c 30 "$tmp/clean32.o" >"$tmp/trunc-hdr.o"
expect "truncated ELF header" 2 "trunc-hdr.o: truncated ELF header" -- "$pv" audit "$tmp/trunc-hdr.o"
head -c 200 "$tmp/clean32.o" >"$tmp/trunc-body.o"
expect "truncated ELF body" 2 "trunc-body.o: section header table" -- "$pv" audit "$tmp/trunc-body.o"
head -c 2000 "$tmp/clean32.elf" >"$tmp/trunc-exec.elf"
expect "truncated image" 2 "trunc-exec.elf:" -- "$pv" audit "$tmp/trunc-exec.elf"
expect "bad input does not stop the other files" 2 "clean32.o: coverage complete" "none.o:" -- \
	"$pv" audit "$tmp/none.o" "$tmp/clean32.o"

# --- mutations never crash: every byte position class, random values --------
python3 - "$tmp/clean32.o" "$tmp/mut" <<'EOF'
import random, sys, os
src = open(sys.argv[1], "rb").read()
os.makedirs(sys.argv[2], exist_ok=True)
rnd = random.Random(1234)
for i in range(300):
    b = bytearray(src)
    for _ in range(rnd.choice([1, 2, 4, 16])):
        p = rnd.randrange(len(b))
        b[p] = rnd.choice([0, 0xff, 0x7f, 0x80, rnd.randrange(256)])
    if i % 10 == 0:
        b = b[:rnd.randrange(len(b))]
    open(os.path.join(sys.argv[2], "m%03d.o" % i), "wb").write(b)
EOF
crashed=0
for m in "$tmp"/mut/*.o; do
	"$pv" audit "$m" >/dev/null 2>"$tmp/merr"
	st=$?
	if [ "$st" -gt 2 ]; then
		crashed=$((crashed + 1))
		[ "$crashed" -le 3 ] && echo "audit-tests: $m: status $st: $(tail -3 "$tmp/merr")"
	fi
done
[ "$crashed" -eq 0 ] && ok || bad "$crashed of 300 mutated objects crashed the audit"

echo "audit-tests: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
