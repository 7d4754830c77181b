#!/bin/bash
# abcheck's own test: afterburnt objects that are right pass, and objects
# broken on purpose (bytes patched, afterburn output edited) fail with the
# expected message; unusable input exits 2; mutated objects never crash it.
#   tests/abcheck/negative.sh      (after `make all tests`)
# ABCHECK and AFTERBURN override the binaries (e.g. an ASan build of abcheck).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
ab=${AFTERBURN:-$top/build/bin/afterburn}
check=${ABCHECK:-$top/build/tests/abcheck}
[ -x "$ab" ] && [ -x "$check" ] || { echo "negative.sh: build the tools first (make all tests)" >&2; exit 2; }
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
cd "$t" || exit 2
pass=0 fail=0

# expect NAME RC SUBSTRING ORIG.o AB.o: abcheck exits RC and says SUBSTRING
expect() {
	local name=$1 rc=$2 want=$3 out got
	out=$(timeout 60 "$check" "$4" "$5" 2>&1)
	got=$?
	if [ "$got" = "$rc" ] && case $out in *"$want"*) true ;; *) false ;; esac; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "not ok - $name: exit $got (want $rc), output lacks '$want':"
		echo "$out" | sed 's/^/    /'
	fi
}

# burn BITS NAME: NAME.s -> NAME.o and NAME.ab.s -> NAME.ab.o
burn() {
	local arch=x86_64
	[ "$1" = 32 ] && arch=i386
	"$ab" --arch=$arch "$2.s" >"$2.ab.s" && as --"$1" "$2.s" -o "$2.o" &&
		as --"$1" "$2.ab.s" -o "$2.ab.o"
}

# edited BITS NAME SED-SCRIPT: NAME.ab.s edited -> n.o
edited() {
	sed -e "$3" "$2.ab.s" >n.s && as --"$1" n.s -o n.o 2>/dev/null
}

# patched IN SECTION OFFSET HEX: IN with bytes of SECTION overwritten -> n.o
patched() {
	local off esc="" b
	off=$(readelf -SW "$1" | awk -v n="$2" '{for (i = 1; i < NF; i++) if ($i == n) {print $(i + 3); exit}}')
	for b in $(echo "$4" | sed 's/../& /g'); do
		esc="$esc\\$(printf %03o $((0x$b)))"
	done
	cp "$1" n.o
	printf "$esc" | dd of=n.o bs=1 seek=$((0x$off + $3)) conv=notrunc 2>/dev/null
}

cat >x.s <<'EOF'
	.text
	.globl f
	.type f,@function
f:	cli
	jmp f
	rdtsc
	sti; hlt
	movl %eax,%cr3
	ret
	.size f, .-f
	.data
	.long f, 0
EOF
burn 32 x

cat >all32.s <<'EOF'
	.text
	.globl f
	.type f,@function
f:
1:	cli
	.rept 20
	cli
	.endr
	jmp 1b
	jne 1b
	sti
	pushf; pushfl; popf; popfl; pushfw; iret; iretw; lret; lret $4
	ljmp $0x10,$1f
1:	ljmp *(%eax); lcall $0x10,$2f; lcall *(%eax)
2:	int $0x80; hlt; inb $0x60,%al; inw %dx,%ax; outb %al,$0x80; outl %eax,%dx
	insb; insw; insl; rep insb; outsb; outsw; outsl
	rep; outsb
	cpuid; rdmsr; wrmsr; rdtsc
	movl %eax,%cr3; movl %cr0,%eax; movl %eax,%db7; movl %dr6,%eax
	movw %ax,%ds; movl %eax,%ss; movw %ds,%ax; movw %fs,(%eax); mov (%eax),%es
	push %ds; push %es; push %fs; push %gs; pop %ds; pop %es; pop %fs; pop %gs; pop %ss
	lds (%eax),%eax; les (%eax),%eax; lfs (%eax),%eax; lgs (%eax),%eax; lss (%eax),%esp
	lgdt (%eax); lidt (%eax); lldt %ax; ltr %ax; sgdt (%eax); sidt (%eax); sldt %eax; str %eax
	smsw %eax; lmsw %ax; clts; invlpg (%eax); invd; wbinvd
	lar %eax,%eax; lsl %eax,%eax; verr %ax; verw %ax; sysexit; sysenter; xsetbv; rdpmc
	ud2; ud1 %eax,%eax; ud0 4(%eax,%ebx,2),%ecx
	rdtscp; rdpid %eax; monitor; mwait; monitorx; mwaitx; invpcid (%eax),%eax; wbnoinvd
	stac; clac; sysretl; syscall
	sti; hlt
	sti; sysexit
	sti; mwait
	sti
	.byte 0x0f,0x01,0xc9
	call g
	call ext
	jmp .Lfix
	movl $1b, %eax
	ret
	.size f, .-f
	.p2align 4
	.type g,@function
g:	cli
	.p2align 4,,10
	ret
	.size g, .-g
	.section .fixup,"ax"
.Lfix:	jmp 1b
	.section __ex_table,"a"
	.long 1b - ., .Lfix - .
	.long g, f
	.data
	.long 1b, 2b
	.code64
	.text
	swapgs
	sysretq
EOF
burn 32 all32

cat >all64.s <<'EOF'
	.text
	.globl f
	.type f,@function
f:	endbr64
1:	cli
	.rept 20
	cli
	.endr
	jmp 1b
	jrcxz 3f
3:	sti
	pushfq; popfq; iretq; lretq; ljmp *(%rax); lcall *(%rax); rex64 ljmp *(%rax)
	int $0x80; hlt; rep insb; rep outsw
	rep; outsb
	movq %rax,%cr8; movq %cr8,%rax; movq %rax,%db7; movq %ds,%rax; movw %gs,4(%rsp)
	push %fs; pop %gs; lgs (%rax),%ax
	sysexitq; ud1 (%rax),%rax; rdpid %rax; monitorx; mwaitx; wbnoinvd; sysretq; swapgs
	rdfsbase %rax; rdgsbase %eax; wrfsbase %rax; wrgsbase %rax
	sti; sysretq
	movq foo(%rip), %rax
	cmpl $5, foo(%rip)
	leaq 1b(%rip), %rdi
	call ext
	jmp .Lfix
	ret
	.size f, .-f
	.section .text.unlikely,"ax",@progbits
	sti
	jmp 1b
	.section .fixup,"ax"
.Lfix:	jmp 1b
	.section __ex_table,"a"
	.long 1b - ., .Lfix - .
	.data
foo:	.quad 1b, 3b
	.code32
	.text
	pushl %ds
	lds (%eax),%eax
	.code64
	nop
EOF
burn 64 all64

# A PIC jump table ("label - table" differences) and call frame information.
cat >pic64.s <<'EOF'
	.text
	.globl sw
	.type sw,@function
sw:	.cfi_startproc
	pushq %rbp
	.cfi_def_cfa_offset 16
	cli
	movq %rsp, %rbp
	.cfi_def_cfa_register 6
	leaq .LT(%rip), %rdx
	movslq (%rdx,%rdi,4), %rax
	addq %rdx, %rax
	jmp *%rax
.L1:	cli
	popq %rbp
	.cfi_remember_state
	.cfi_def_cfa 7, 8
	ret
.L2:	.cfi_restore_state
	sti
	popq %rbp
	.cfi_def_cfa 7, 8
	ret
	.cfi_endproc
	.size sw, .-sw
	.section .rodata
	.align 4
.LT:	.long .L1-.LT
	.long .L2-.LT
EOF
burn 64 pic64

# An alternative (Linux 6.1 layout) whose original instruction is a site.
cat >altlen.s <<'EOF'
	.text
f:
661:	rdtsc
662:
	.skip -(((665f-664f)-(662b-661b)) > 0) * ((665f-664f)-(662b-661b)),0x90
663:
	ret
	.pushsection .altinstructions,"a"
	.long 661b - .
	.long 664f - .
	.word 123
	.byte 663b-661b
	.byte 665f-664f
	.popsection
	.pushsection .altinstr_replacement,"ax"
664:	rdtscp
665:
	.popsection
EOF
burn 64 altlen

# A site record in .altinstr_replacement, written by hand.
cat >alt.s <<'EOF'
	.text
	nop
	.pushsection .altinstr_replacement,"ax"
1:	movl %eax,%gs
2:	.fill 5,1,0x90
	.popsection
EOF
sed -e 's/^2:\t\.fill 5,1,0x90$/2:\t.byte 0x0f,0x1f,0x44,0,0/' alt.s >alt.ab.s
cat >>alt.ab.s <<'EOF'
	.pushsection .afterburn,"a",@progbits
	.balign 4
	.long 0x6e727562; .byte 2,0,0,0
	.long 1b - .; .byte 7, 2, 23, 3
	.popsection
EOF
sed -i -e 's/^2:\t\.fill 5,1,0x90$/2:/' alt.s
as --64 alt.s -o alt.o && as --64 alt.ab.s -o alt.ab.o

# An int3 site (INT kind) between filler, written by hand.
printf '\t.text\nf:\tnop\n\tret\n\tint3\n\tnop\n\tret\n' >int3.s
cat >int3.ab.s <<'EOF'
	.text
f:	nop
	ret
1:	int3
	.byte 0xeb,6,0x0f,0x1f,0x40,0,0xeb,0xf7
	nop
	ret
	.pushsection .afterburn,"a",@progbits
	.balign 4
	.long 0x6e727562; .byte 2,0,0,0
	.long 1b - .; .byte 9, 1, 9, 3
	.popsection
EOF
as --64 int3.s -o int3.o && as --64 int3.ab.s -o int3.ab.o

# Sites written by hand: in a COMDAT group member, and in init code without
# the INIT flag (safe, a note).
for g in grp:'.section .text.x,"axG",@progbits,x,comdat':3 init:'.section .init.text,"ax"':3; do
	IFS=: read -r name sec flags <<<"$g"
	printf '\t%s\n\tcli\n\tret\n' "$sec" >$name.s
	printf '\t%s\n1:\tcli\n\t.byte 0x0f,0x1f,0x80,0,0,0,0\n\tret\n' "$sec" >$name.ab.s
	printf '\t.section .afterburn,"a",@progbits\n\t.balign 4\n\t.long 0x6e727562; .byte 2,0,0,0\n\t.long 1b - .; .byte 8,1,1,%s\n' \
		"$flags" >>$name.ab.s
	as --64 $name.s -o $name.o && as --64 $name.ab.s -o $name.ab.o
done
expect "site in a COMDAT group" 1 "in a section group member" grp.o grp.ab.o
expect "init site without INIT" 0 "1 sites in init code without the INIT flag" init.o init.ab.o

for c in x all32 all64 pic64 int3; do
	expect "$c is afterburnt correctly" 0 "abcheck: OK $c.ab.o" $c.o $c.ab.o
done
expect "alternative instrlen grows" 0 ".altinstructions: 1 instrlen bytes differ" altlen.o altlen.ab.o

# Compiler output with inline assembly, as gcc -S gives it to as.
cat >c.c <<'EOF'
typedef unsigned long long u64;
volatile int flag;
int table[64];
u64 sum;
static inline u64 rdmsr(unsigned m) { unsigned lo, hi; asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(m)); return (u64)hi << 32 | lo; }
static inline int rdmsr_safe(unsigned m, u64 *v)
{
	unsigned lo = 0, hi = 0; int err = 0;
	asm volatile("1: rdmsr\n2:\n.section .fixup,\"ax\"\n3: movl $-5, %2\n jmp 2b\n.previous\n"
		     ".pushsection __ex_table,\"a\"\n.balign 4\n.long 1b - ., 3b - .\n.popsection"
		     : "=a"(lo), "=d"(hi), "+r"(err) : "c"(m));
	*v = (u64)hi << 32 | lo;
	return err;
}
void spin(int n) { unsigned long f; asm volatile("pushf; pop %0; cli" : "=r"(f) :: "memory"); for (int i = 0; i < n && !flag; i++) table[i & 63] += i; asm volatile("push %0; popf" :: "r"(f) : "memory", "cc"); }
int probe(const unsigned *m, int n) { int bad = 0; for (int i = 0; i < n; i++) { u64 v; if (rdmsr_safe(m[i], &v)) bad++; else sum += v; } return bad; }
void idle(void) { while (!flag) asm volatile("cli; sti; hlt" ::: "memory"); }
int sw(int x)
{
	switch (x) {
	case 0: { unsigned char v; asm volatile("inb $0x60, %0" : "=a"(v)); return v; }
	case 1: asm volatile("outb %%al, $0x80" :: "a"(1)); return 1;
	case 2: { unsigned lo, hi; asm volatile("rdtsc" : "=a"(lo), "=d"(hi)); return (int)lo; }
	case 3: { unsigned long v; asm volatile("mov %%cr3, %0; mov %0, %%cr3" : "=r"(v) :: "memory"); return 3; }
	case 4: return (int)rdmsr(0x10);
	case 5: return table[5] * 3;
	case 6: return flag + 9;
	}
	return -1;
}
__attribute__((cold)) void cold(void) { for (;;) asm volatile("cli; hlt"); }
int hot(int x) { if (__builtin_expect(x == 42, 0)) cold(); return x + 1; }
EOF
for bits in 32 64; do
	for pic in -fpie -fno-pic; do
		if gcc -S -O2 -m$bits $pic c.c -o c$bits.s 2>/dev/null && burn $bits c$bits; then
			expect "gcc -m$bits $pic output" 0 "abcheck: OK c$bits.ab.o" c$bits.o c$bits.ab.o
		else
			fail=$((fail + 1))
			echo "not ok - gcc -m$bits $pic output does not build"
		fi
	done
done

# Broken records and sites (byte offsets: x.ab.o's record 1 is cli at .text+0,
# record 2 rdtsc at .text+0xa; a record is rel(4) len insn_len kind flags).
patched x.ab.o .text 3 01; expect "padding byte" 1 "is not the afterburner's padding" x.o n.o
patched x.ab.o .afterburn 14 02; expect "kind CLI->STI" 1 "STI site holds \`cli\`" x.o n.o
patched x.ab.o .afterburn 14 63; expect "kind 99" 1 "kind 99 out of range" x.o n.o
patched x.ab.o .afterburn 14 63; expect "lost record" 1 "which has no site record" x.o n.o
patched x.ab.o .afterburn 15 82; expect "reserved flag" 1 "reserved flag 0x80" x.o n.o
patched x.ab.o .afterburn 15 01; expect "16-bit mode" 1 "code size bits 1" x.o n.o
patched x.ab.o .afterburn 15 42; expect "SHADOW on CLI" 1 "SHADOW flag on a CLI record" x.o n.o
patched x.ab.o .afterburn 15 06; expect "INIT in .text" 1 "INIT flag set outside init code" x.o n.o
patched x.ab.o .afterburn 15 12; expect "PREFIXED without prefix" 1 "PREFIXED flag" x.o n.o
patched x.ab.o .afterburn 12 06; expect "site too short" 1 "below the minimum 7" x.o n.o
patched x.ab.o .afterburn 12 09; expect "site overlaps" 1 "is not the afterburner's padding" x.o n.o
patched x.ab.o .afterburn 13 02; expect "insn_len" 1 "record says 2 bytes" x.o n.o
patched x.ab.o .afterburn 0 6275726f; expect "HEADER magic" 1 "HEADER magic 0x6f727562" x.o n.o
patched x.ab.o .afterburn 4 01; expect "HEADER version" 1 "HEADER version 1" x.o n.o
patched x.ab.o .afterburn 16 f0000000; expect "site outside section" 1 "is outside .text" x.o n.o
patched x.ab.o .afterburn 16 00000000; expect "two records, one site" 1 "overlaps site" x.o n.o
patched x.ab.o .text 9 f7; expect "branch target" 1 "\`jmp 1\` refers to 0x1, expected 0x0" x.o n.o
patched x.ab.o .data 4 01; expect "data byte" 1 ".data+0x4: data differs" x.o n.o
patched altlen.ab.o .altinstructions 10 06; expect "instrlen" 1 "instrlen 6 does not span" altlen.o n.o
patched altlen.ab.o .altinstructions 11 04; expect "replacementlen" 1 ".altinstructions+0xb: data differs" altlen.o n.o
expect "site in .altinstr_replacement" 1 "in alternative replacement code" alt.o alt.ab.o

# Broken afterburn output.
edited 32 x 's/;\.byte [0-9b-]*,[0-9b-]*,18,2;/;/'
expect "4-byte record" 1 "not a multiple of 8" x.o n.o
edited 32 x '/\.long 0x6e727562/d'; expect "no HEADER" 1 "CLI record before any HEADER" x.o n.o
edited 32 x 's/^\tjmp f$/\tjmp f; nop/'; expect "extra nop" 1 "alignment does not explain" x.o n.o
edited 32 x 's/^\tjmp f$/\tjmp f; cld/'; expect "extra instruction" 1 "found \`cld\`" x.o n.o
edited 32 x 's/^f:\t\([0-9]*\):cli;\(.*;\)\([0-9]*\):;\(.*\)$/\t\1:cli;\2\3:;f:\4/'
expect "label after padding" 1 "symbol f: value 0x8, expected 0x0" x.o n.o
edited 32 x 's/^\t\.long f, 0$/\t.long f+1, 0/'; expect "address into code" 1 ".data+0x0: relocation against f" x.o n.o
edited 32 all32 's/^\tcall ext$/\tcall ext@PLT/'; expect "relocation type" 1 "relocation type 4, expected 2" all32.o n.o
edited 32 all32 's/^\t\.type g,@function$/\t.globl g; .type g,@function/'
expect "symbol binding" 1 "symbol g: bind/type/other 1/2/0, expected 0/2/0" all32.o n.o
edited 32 all32 's/^\t\.long 1b - ., \.Lfix - \.$/\t.long 1b+1 - ., .Lfix - ./'
expect "__ex_table entry" 1 "__ex_table+0x0: relocation against .text aims at" all32.o n.o
edited 64 pic64 's/^\t\.long \.L2-\.LT$/\t.long .L1-.LT/'; expect "jump table entry" 1 ".rodata+0x4: relocation against .text aims at" pic64.o n.o
edited 64 pic64 '/^\tmovq %rsp, %rbp$/{h;d};/cfi_def_cfa_register 6/G'
expect "CFI moved" 1 "call frame rule applies at" pic64.o n.o
edited 64 pic64 's/^\t\.cfi_def_cfa_offset 16$/\t.cfi_def_cfa_offset 24/'; expect "CFI changed" 1 "call frame rules differ" pic64.o n.o
edited 64 pic64 '/^\t\.cfi_endproc$/d;/^\tret$/{x;s/^/x/;/^xx$/{x;s/^/\t.cfi_endproc\n/;b};x}'
expect "FDE range" 1 "FDE for .text+0x0 ends at" pic64.o n.o

# Unusable input.
expect "missing file" 2 "No such file" x.o /nonexistent.o
expect "not ELF" 2 "not an ELF file" x.o x.s
expect "classes differ" 2 "is ELF32 but" x.o all64.ab.o
head -c 100 x.ab.o >tr.o; expect "truncated" 2 "outside the file" x.o tr.o

# Mutated objects: any verdict, but no crash, hang or exit status beyond 2.
n=0
while [ $n -lt 300 ]; do
	n=$((n + 1))
	for f in x.ab.o all64.ab.o c32.ab.o; do
		cp $f m.o
		size=$(stat -c %s m.o)
		for k in 1 2 3; do
			r=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
			printf "\\$(printf %o $((r % 256)))" |
				dd of=m.o bs=1 seek=$(( (r >> 8) % size )) conv=notrunc 2>/dev/null
		done
		timeout 60 "$check" -q ${f%.ab.o}.o m.o >m.out 2>&1
		rc=$?
		if [ $rc -gt 2 ] || grep -q "Sanitizer\|runtime error" m.out; then
			fail=$((fail + 1))
			cp m.o "$top/build/abcheck-crash.o"
			echo "not ok - mutated $f: exit $rc (kept as build/abcheck-crash.o)"
			sed 's/^/    /' m.out | head -n 20
			break 2
		fi
	done
done
[ $n -ge 300 ] && pass=$((pass + 1))

echo "abcheck negative.sh: $pass passed, $fail failed"
[ $fail -eq 0 ]
