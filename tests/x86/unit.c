/* Unit tests: hand-written encodings with the decoder's expected answer,
 * written as show_insn() prints it: identity, length, then operands in
 * Intel order (destination first).  Operands read
 *   rN/size     general register N (0 ax, 1 cx, 2 dx, 3 bx, 4 sp, 5 bp, 6 si,
 *               7 di, 8-15 r8-r15); bN/1 a byte register (4-7: ah-bh
 *               without REX, spl-dil with it)
 *   segN crN drN  segment (0 es 1 cs 2 ss 3 ds 4 fs 5 gs), control, debug
 *   mem[segS bB iI*scale dDISP aADDRSIZE rip]/size   (255: no register)
 *   immV/size, farSEL:OFF/size
 * Every case that both decoders accept is also compared with capstone 4
 * (lengths and operands), so a wrong expectation here cannot hide a
 * disagreement with the reference; diverge.c's entries apply. */
#include <stdio.h>
#include <string.h>

#include "compare.h"
#include "diverge.h"
#include "ref.h"
#include "x86/decode.h"

static const struct {
	int mode;
	const char *bytes, *want;
} cases[] = {
	{32, "0f 22 d8", "MOV_TO_CR len 3 cr3/4 r0/4"},
	{32, "e6 80", "OUT len 2 imm0x80/1 b0/1"},
	{32, "ec", "IN len 1 b0/1 r2/2"},
	{32, "66 ef", "OUT len 2 r2/2 r0/2"},
	{32, "e4 71", "IN len 2 b0/1 imm0x71/1"},
	{32, "e5 71", "IN len 2 r0/4 imm0x71/1"},
	{32, "ed", "IN len 1 r0/4 r2/2"},
	{32, "ee", "OUT len 1 r2/2 b0/1"},
	{32, "8e d8", "MOV_TO_SEG len 2 seg3/2 r0/4"},
	{32, "8c d8", "MOV_FROM_SEG len 2 r0/4 seg3/2"},
	{32, "8c 18", "MOV_FROM_SEG len 2 mem[seg3 b0 i255*1 d0 a4]/2 seg3/2"},
	{32, "0f 01 15 78 56 34 12", "LGDT len 7 mem[seg3 b255 i255*1 d0x12345678 a4]/6"},
	{32, "ea 78 56 34 12 10 00", "FARJMP len 7 far0x10:0x12345678/6"},
	{32, "66 ea 34 12 08 00", "FARJMP len 6 far0x8:0x1234/4"},
	{32, "65 8b 05 78 56 34 12", "MOV len 7 r0/4 mem[seg5 b255 i255*1 d0x12345678 a4]/4"},
	{32, "fa", "CLI len 1"},
	{32, "fb", "STI len 1"},
	{32, "9c", "PUSHF len 1"},
	{32, "9d", "POPF len 1"},
	{32, "cf", "IRET len 1"},
	{32, "66 cf", "IRET len 2"},
	{32, "cb", "LRET len 1"},
	{32, "ca 08 00", "LRET len 3 imm0x8/2"},
	{32, "9a 78 56 34 12 10 00", "FARCALL len 7 far0x10:0x12345678/6"},
	{32, "ff 1d 00 10 00 00", "FARCALL len 6 mem[seg3 b255 i255*1 d0x1000 a4]/6"},
	{32, "ff 2b", "FARJMP len 2 mem[seg3 b3 i255*1 d0 a4]/6"},
	{32, "cd 80", "INT len 2 imm0x80/1"},
	{32, "cc", "INT3 len 1"},
	{32, "f1", "INT1 len 1"},
	{32, "ce", "INTO len 1"},
	{32, "f4", "HLT len 1"},
	{32, "6c", "INS len 1 mem[seg0 b7 i255*1 d0 a4]/1 r2/2"},
	{32, "66 6d", "INS len 2 mem[seg0 b7 i255*1 d0 a4]/2 r2/2"},
	{32, "6e", "OUTS len 1 r2/2 mem[seg3 b6 i255*1 d0 a4]/1"},
	{32, "f3 6f", "OUTS len 2 r2/2 mem[seg3 b6 i255*1 d0 a4]/4"},
	{32, "2e 6e", "OUTS len 2 r2/2 mem[seg1 b6 i255*1 d0 a4]/1"},
	{32, "0f a2", "CPUID len 2"},
	{32, "0f 32", "RDMSR len 2"},
	{32, "0f 30", "WRMSR len 2"},
	{32, "0f 31", "RDTSC len 2"},
	{32, "0f 01 f9", "RDTSCP len 3"},
	{32, "0f 33", "RDPMC len 2"},
	{32, "0f 20 e0", "MOV_FROM_CR len 3 r0/4 cr4/4"},
	{32, "0f 21 f8", "MOV_FROM_DR len 3 r0/4 dr7/4"},
	{32, "0f 23 c0", "MOV_TO_DR len 3 dr0/4 r0/4"},
	{32, "0f 20 00", "MOV_FROM_CR len 3 r0/4 cr0/4"},
	{32, "0f a0", "PUSH_SEG len 2 seg4/2"},
	{32, "0f a9", "POP_SEG len 2 seg5/2"},
	{32, "06", "PUSH_SEG len 1 seg0/2"},
	{32, "1f", "POP_SEG len 1 seg3/2"},
	{32, "c5 0b", "LDS len 2 r1/4 mem[seg3 b3 i255*1 d0 a4]/6"},
	{32, "c4 33", "LES len 2 r6/4 mem[seg3 b3 i255*1 d0 a4]/6"},
	{32, "0f b2 26", "LSS len 3 r4/4 mem[seg3 b6 i255*1 d0 a4]/6"},
	{32, "0f b4 00", "LFS len 3 r0/4 mem[seg3 b0 i255*1 d0 a4]/6"},
	{32, "0f b5 00", "LGS len 3 r0/4 mem[seg3 b0 i255*1 d0 a4]/6"},
	{32, "0f 01 0d 00 00 00 00", "SIDT len 7 mem[seg3 b255 i255*1 d0 a4]/6"},
	{32, "0f 01 1a", "LIDT len 3 mem[seg3 b2 i255*1 d0 a4]/6"},
	{32, "0f 01 00", "SGDT len 3 mem[seg3 b0 i255*1 d0 a4]/6"},
	{32, "0f 00 d0", "LLDT len 3 r0/2"},
	{32, "0f 00 18", "LTR len 3 mem[seg3 b0 i255*1 d0 a4]/2"},
	{32, "0f 00 c0", "SLDT len 3 r0/4"},
	{32, "0f 00 08", "STR len 3 mem[seg3 b0 i255*1 d0 a4]/2"},
	{32, "0f 01 e0", "SMSW len 3 r0/4"},
	{32, "0f 01 f0", "LMSW len 3 r0/2"},
	{32, "0f 06", "CLTS len 2"},
	{32, "0f 01 38", "INVLPG len 3 mem[seg3 b0 i255*1 d0 a4]/1"},
	{32, "0f 08", "INVD len 2"},
	{32, "0f 09", "WBINVD len 2"},
	{32, "f3 0f 09", "WBNOINVD len 3"},
	{32, "0f 02 c1", "LAR len 3 r0/4 r1/4"},
	{32, "0f 03 06", "LSL len 3 r0/4 mem[seg3 b6 i255*1 d0 a4]/2"},
	{32, "0f 00 e0", "VERR len 3 r0/2"},
	{32, "0f 00 2b", "VERW len 3 mem[seg3 b3 i255*1 d0 a4]/2"},
	{32, "0f 35", "SYSEXIT len 2"},
	{32, "0f 34", "SYSENTER len 2"},
	{32, "0f 05", "SYSCALL len 2"},
	{32, "0f 07", "SYSRET len 2"},
	{32, "0f 01 d1", "XSETBV len 3"},
	{32, "0f 0b", "UD2 len 2"},
	{32, "0f b9 40 0c", "UD1 len 4 r0/4 mem[seg3 b0 i255*1 d0xc a4]/4"},
	{32, "0f ff c0", "UD0 len 3 r0/4 r0/4"},
	{32, "f3 0f c7 f8", "RDPID len 4 r0/4"},
	{32, "0f 01 c8", "MONITOR len 3"},
	{32, "0f 01 c9", "MWAIT len 3"},
	{32, "66 0f 38 82 0e", "INVPCID len 5 r1/4 mem[seg3 b6 i255*1 d0 a4]/16"},
	{32, "0f 01 cb", "STAC len 3"},
	{32, "0f 01 ca", "CLAC len 3"},
	{32, "89 03", "MOV len 2 mem[seg3 b3 i255*1 d0 a4]/4 r0/4"},
	{32, "8b 44 24 08", "MOV len 4 r0/4 mem[seg2 b4 i255*1 d0x8 a4]/4"},
	{32, "a1 00 b0 fe ff", "MOV len 5 r0/4 mem[seg3 b255 i255*1 d0xfffeb000 a4]/4"},
	{32, "a2 00 10 00 00", "MOV len 5 mem[seg3 b255 i255*1 d0x1000 a4]/1 b0/1"},
	{32, "c7 05 00 10 00 00 01 00 00 00", "MOV len 10 mem[seg3 b255 i255*1 d0x1000 a4]/4 imm0x1/4"},
	{32, "c6 00 ff", "MOV len 3 mem[seg3 b0 i255*1 d0 a4]/1 imm0xffffffffffffffff/1"},
	{32, "b8 01 00 00 00", "MOV len 5 r0/4 imm0x1/4"},
	{32, "0f b6 06", "MOVZX len 3 r0/4 mem[seg3 b6 i255*1 d0 a4]/1"},
	{32, "0f b7 46 02", "MOVZX len 4 r0/4 mem[seg3 b6 i255*1 d0x2 a4]/2"},
	{32, "0f be 08", "MOVSX len 3 r1/4 mem[seg3 b0 i255*1 d0 a4]/1"},
	{32, "0f bf 08", "MOVSX len 3 r1/4 mem[seg3 b0 i255*1 d0 a4]/2"},
	{32, "87 03", "XCHG len 2 mem[seg3 b3 i255*1 d0 a4]/4 r0/4"},
	{32, "86 08", "XCHG len 2 mem[seg3 b0 i255*1 d0 a4]/1 b1/1"},
	{32, "93", "XCHG len 1 r0/4 r3/4"},
	{32, "85 03", "TEST len 2 mem[seg3 b3 i255*1 d0 a4]/4 r0/4"},
	{32, "f7 00 00 00 01 00", "TEST len 6 mem[seg3 b0 i255*1 d0 a4]/4 imm0x10000/4"},
	{32, "a8 01", "TEST len 2 b0/1 imm0x1/1"},
	{32, "a9 00 01 00 00", "TEST len 5 r0/4 imm0x100/4"},
	{32, "f6 40 04 80", "TEST len 4 mem[seg3 b0 i255*1 d0x4 a4]/1 imm0xffffffffffffff80/1"},
	{32, "21 03", "AND len 2 mem[seg3 b3 i255*1 d0 a4]/4 r0/4"},
	{32, "81 20 ff ff 00 00", "AND len 6 mem[seg3 b0 i255*1 d0 a4]/4 imm0xffff/4"},
	{32, "83 20 fc", "AND len 3 mem[seg3 b0 i255*1 d0 a4]/4 imm0xfffffffffffffffc/4"},
	{32, "25 ff 00 00 00", "AND len 5 r0/4 imm0xff/4"},
	{32, "09 03", "OR len 2 mem[seg3 b3 i255*1 d0 a4]/4 r0/4"},
	{32, "0b 03", "OR len 2 r0/4 mem[seg3 b3 i255*1 d0 a4]/4"},
	{32, "83 08 01", "OR len 3 mem[seg3 b0 i255*1 d0 a4]/4 imm0x1/4"},
	{32, "80 08 01", "OR len 3 mem[seg3 b0 i255*1 d0 a4]/1 imm0x1/1"},
	{32, "0c 01", "OR len 2 b0/1 imm0x1/1"},
	{32, "f0 09 03", "OR len 3 mem[seg3 b3 i255*1 d0 a4]/4 r0/4"},
	{32, "c4 e1 7a 10 04 c8", "OTHER len 6 mem[seg3 b0 i1*8 d0 a4]/0"},
	{32, "62 f1 7c 48 10 00", "OTHER len 6 mem[seg3 b0 i255*1 d0 a4]/0"},
	{32, "c4 00", "LES len 2 r0/4 mem[seg3 b0 i255*1 d0 a4]/6"},
	{32, "62 00 00", "OTHER len 2 mem[seg3 b0 i255*1 d0 a4]/0"},
	{32, "0f 0f c1 b4", "OTHER len 4"},
	{32, "0f 0f c1 00", "INVALID"},
	{32, "d9 d1", "INVALID"},
	{32, "de d9", "OTHER len 2"},
	{32, "f0 01 c0", "INVALID"},
	{32, "f0 38 00", "INVALID"},
	{32, "f0 01 00", "OTHER len 3 mem[seg3 b0 i255*1 d0 a4]/0"},
	{32, "26 26 26 26 26 26 26 26 26 26 26 26 26 26 90", "OTHER len 15"},
	{32, "26 26 26 26 26 26 26 26 26 26 26 26 26 26 26 90", "TOOLONG"},
	{32, "8e c8", "MOV_TO_SEG len 2 seg1/2 r0/4"},
	{32, "8e f0", "INVALID"},
	{32, "0f 01 f8", "INVALID"},
	{32, "0f 22", "TRUNCATED"},
	{32, "c7 05 00 10", "TRUNCATED"},
	{32, "66", "TRUNCATED"},
	{32, "0f 38", "TRUNCATED"},
	{64, "0f 22 d8", "MOV_TO_CR len 3 cr3/8 r0/8"},
	{64, "44 0f 22 c0", "MOV_TO_CR len 4 cr8/8 r0/8"},
	{64, "0f 20 d8", "MOV_FROM_CR len 3 r0/8 cr3/8"},
	{64, "41 0f 23 c7", "MOV_TO_DR len 4 dr0/8 r15/8"},
	{64, "65 48 8b 04 25 28 00 00 00", "MOV len 9 r0/8 mem[seg5 b255 i255*1 d0x28 a8]/8"},
	{64, "48 8b 05 00 10 00 00", "MOV len 7 r0/8 mem[seg3 b255 i255*1 d0x1000 a8 rip]/8"},
	{64, "67 8b 05 00 10 00 00", "MOV len 7 r0/4 mem[seg3 b255 i255*1 d0x1000 a4 rip]/4"},
	{64, "48 a1 88 77 66 55 44 33 22 11", "MOV len 10 r0/8 mem[seg3 b255 i255*1 d0x1122334455667788 a8]/8"},
	{64, "a0 88 77 66 55 44 33 22 11", "MOV len 9 b0/1 mem[seg3 b255 i255*1 d0x1122334455667788 a8]/1"},
	{64, "67 a0 44 33 22 11", "MOV len 6 b0/1 mem[seg3 b255 i255*1 d0x11223344 a4]/1"},
	{64, "48 b8 88 77 66 55 44 33 22 11", "MOV len 10 r0/8 imm0x1122334455667788/8"},
	{64, "41 b8 01 00 00 00", "MOV len 6 r8/4 imm0x1/4"},
	{64, "40 88 f0", "MOV len 3 b0/1 b6/1"},
	{64, "88 f0", "MOV len 2 b0/1 b6/1"},
	{64, "41 8a 44 24 01", "MOV len 5 b0/1 mem[seg2 b12 i255*1 d0x1 a8]/1"},
	{64, "48 c7 00 ff ff ff ff", "MOV len 7 mem[seg3 b0 i255*1 d0 a8]/8 imm0xffffffffffffffff/8"},
	{64, "66 c7 00 34 12", "MOV len 5 mem[seg3 b0 i255*1 d0 a8]/2 imm0x1234/2"},
	{64, "66 48 c7 00 ff ff ff ff", "MOV len 8 mem[seg3 b0 i255*1 d0 a8]/8 imm0xffffffffffffffff/8"},
	{64, "48 0f b6 06", "MOVZX len 4 r0/8 mem[seg3 b6 i255*1 d0 a8]/1"},
	{64, "4c 0f bf 04 4e", "MOVSX len 5 r8/8 mem[seg3 b6 i1*2 d0 a8]/2"},
	{64, "49 87 03", "XCHG len 3 mem[seg3 b11 i255*1 d0 a8]/8 r0/8"},
	{64, "41 90", "XCHG len 2 r0/4 r8/4"},
	{64, "90", "OTHER len 1"},
	{64, "48 83 20 f0", "AND len 4 mem[seg3 b0 i255*1 d0 a8]/8 imm0xfffffffffffffff0/8"},
	{64, "48 0b 07", "OR len 3 r0/8 mem[seg3 b7 i255*1 d0 a8]/8"},
	{64, "48 85 c0", "TEST len 3 r0/8 r0/8"},
	{64, "9c", "PUSHF len 1"},
	{64, "66 9c", "PUSHF len 2"},
	{64, "48 cf", "IRET len 2"},
	{64, "cf", "IRET len 1"},
	{64, "48 cb", "LRET len 2"},
	{64, "48 ff 2e", "FARJMP len 3 mem[seg3 b6 i255*1 d0 a8]/10"},
	{64, "ff 2e", "FARJMP len 2 mem[seg3 b6 i255*1 d0 a8]/6"},
	{64, "0f 01 f8", "SWAPGS len 3"},
	{64, "0f 07", "SYSRET len 2"},
	{64, "48 0f 07", "SYSRET len 3"},
	{64, "0f 05", "SYSCALL len 2"},
	{64, "f3 48 0f ae c0", "RDFSBASE len 5 r0/8"},
	{64, "f3 0f ae c8", "RDGSBASE len 4 r0/4"},
	{64, "f3 0f ae d7", "WRFSBASE len 4 r7/4"},
	{64, "f3 49 0f ae df", "WRGSBASE len 5 r15/8"},
	{64, "f3 0f c7 f8", "RDPID len 4 r0/8"},
	{64, "66 0f 38 82 0e", "INVPCID len 5 r1/8 mem[seg3 b6 i255*1 d0 a8]/16"},
	{64, "0f 01 15 00 00 00 00", "LGDT len 7 mem[seg3 b255 i255*1 d0 a8 rip]/10"},
	{64, "0f 00 d8", "LTR len 3 r0/2"},
	{64, "48 0f 00 c0", "SLDT len 4 r0/8"},
	{64, "48 8c d8", "MOV_FROM_SEG len 3 r0/8 seg3/2"},
	{64, "8e e0", "MOV_TO_SEG len 2 seg4/2 r0/4"},
	{64, "0f a8", "PUSH_SEG len 2 seg5/2"},
	{64, "0f a1", "POP_SEG len 2 seg4/2"},
	{64, "0f 01 ea", "INVALID"},
	{64, "e4 70", "IN len 2 b0/1 imm0x70/1"},
	{64, "48 ed", "IN len 2 r0/4 r2/2"},
	{64, "cd 03", "INT len 2 imm0x3/1"},
	{64, "06", "INVALID"},
	{64, "ea 00 00 00 00 10 00", "INVALID"},
	{64, "9a 00 00 00 00 10 00", "INVALID"},
	{64, "c4 e2 78 49 c0", "OTHER len 5"},
	{64, "c5 f8 77", "OTHER len 3"},
	{64, "c5 fc 58 07", "OTHER len 4 mem[seg3 b7 i255*1 d0 a8]/0"},
	{64, "62 f1 7c 48 10 00", "OTHER len 6 mem[seg3 b0 i255*1 d0 a8]/0"},
	{64, "c4 a1 7a 10 04 c8", "OTHER len 6 mem[seg3 b0 i9*8 d0 a8]/0"},
	{64, "62", "TRUNCATED"},
	{64, "60", "INVALID"},
	{64, "ce", "INVALID"},
	{64, "d6", "INVALID"},
	{64, "82 c0 01", "INVALID"},
	{64, "40", "TRUNCATED"},
	{64, "0f 01 d1", "XSETBV len 3"},
	{64, "48 0f 03 c1", "LSL len 4 r0/8 r1/4"},
	{64, "e8 00 00 00 00", "OTHER len 5"},
	{64, "66 e8 00 00 00 00", "OTHER len 6"},
	{64, "0f 84 00 00 00 00", "OTHER len 6"},
	{64, "f3 0f ae c0", "RDFSBASE len 4 r0/4"},
	{16, "8b 00", "MOV len 2 r0/2 mem[seg3 b3 i6*1 d0 a2]/2"},
	{16, "8b 46 fe", "MOV len 3 r0/2 mem[seg2 b5 i255*1 d0xfffffffffffffffe a2]/2"},
	{16, "8b 06 34 12", "MOV len 4 r0/2 mem[seg3 b255 i255*1 d0x1234 a2]/2"},
	{16, "66 8b 00", "MOV len 3 r0/4 mem[seg3 b3 i6*1 d0 a2]/4"},
	{16, "67 8b 04 24", "MOV len 4 r0/2 mem[seg2 b4 i255*1 d0 a4]/2"},
	{16, "67 66 8b 44 24 08", "MOV len 6 r0/4 mem[seg2 b4 i255*1 d0x8 a4]/4"},
	{16, "ea 34 12 00 f0", "FARJMP len 5 far0xf000:0x1234/4"},
	{16, "66 ea 78 56 34 12 10 00", "FARJMP len 8 far0x10:0x12345678/6"},
	{16, "e6 80", "OUT len 2 imm0x80/1 b0/1"},
	{16, "66 e5 80", "IN len 3 r0/4 imm0x80/1"},
	{16, "ed", "IN len 1 r0/2 r2/2"},
	{16, "cd 10", "INT len 2 imm0x10/1"},
	{16, "fa", "CLI len 1"},
	{16, "0f 22 c0", "MOV_TO_CR len 3 cr0/4 r0/4"},
	{16, "66 0f 20 c0", "MOV_FROM_CR len 4 r0/4 cr0/4"},
	{16, "8e d8", "MOV_TO_SEG len 2 seg3/2 r0/2"},
	{16, "cf", "IRET len 1"},
	{16, "66 cf", "IRET len 2"},
	{16, "e8 00 00", "OTHER len 3"},
	{16, "66 e8 00 00 00 00", "OTHER len 6"},
	{16, "0f 01 16 00 10", "LGDT len 5 mem[seg3 b255 i255*1 d0x1000 a2]/6"},
	{16, "9a 00 00 00 f0", "FARCALL len 5 far0xf000:0/4"},
	{16, "6c", "INS len 1 mem[seg0 b7 i255*1 d0 a2]/1 r2/2"},
	{16, "67 6c", "INS len 2 mem[seg0 b7 i255*1 d0 a4]/1 r2/2"},
	{16, "36 8b 07", "MOV len 3 r0/2 mem[seg2 b3 i255*1 d0 a2]/2"},
	{16, "0f 01 f8", "INVALID"},
};

static size_t parse(const char *s, uint8_t *b, size_t max)
{
	size_t n = 0;
	unsigned v;
	int k;
	while (n < max && sscanf(s, " %2x%n", &v, &k) == 1) {
		b[n++] = (uint8_t)v;
		s += k;
	}
	return n;
}

int main(void)
{
	unsigned fails = 0, compared = 0, explained = 0;
	if (ref_init()) {
		fprintf(stderr, "unit: capstone initialisation failed\n");
		return 2;
	}
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint8_t b[20];
		size_t n = parse(cases[i].bytes, b, sizeof b);
		struct x86_insn in;
		char got[300];
		int rc = x86_decode(b, n, (enum x86_mode)cases[i].mode, &in);
		if (rc > 0)
			show_insn(got, sizeof got, &in);
		else
			snprintf(got, sizeof got, "%s", rc == X86_ERR_TRUNCATED ? "TRUNCATED"
						 : rc == X86_ERR_INVALID   ? "INVALID"
						 : rc == X86_ERR_TOOLONG   ? "TOOLONG" : "?");
		if (strcmp(got, cases[i].want) != 0) {
			printf("  %d-bit %s: got \"%s\", want \"%s\"\n", cases[i].mode, cases[i].bytes,
			       got, cases[i].want);
			fails++;
			continue;
		}
		/* cross-check with capstone where the bytes are a whole instruction */
		struct ref r;
		ref_decode(cases[i].mode, b, n, &r);
		if (rc == X86_ERR_TRUNCATED || rc == X86_ERR_TOOLONG)
			continue;
		char msg[200] = "";
		struct dcase c = {cases[i].mode, b, n, rc, &in, &r, D_NKINDS};
		if (rc > 0 && r.len) {
			compared++;
			if (rc != r.len) {
				c.kind = D_LENGTH;
				snprintf(msg, sizeof msg, "length %d, capstone %d", rc, r.len);
			} else if (compare_operands(&in, &r, msg, sizeof msg)) {
				c.kind = D_OPERANDS;
			}
		} else if (rc > 0) {
			c.kind = D_ONLY_OURS;
			snprintf(msg, sizeof msg, "capstone rejects it");
		} else if (r.len) {
			c.kind = D_ONLY_REF;
			snprintf(msg, sizeof msg, "capstone decodes it");
		}
		if (c.kind == D_NKINDS)
			continue;
		if (diverge_classify(&c)) {
			explained++;
			continue;
		}
		printf("  %d-bit %s: %s (capstone: %s)\n", cases[i].mode, cases[i].bytes, msg,
		       r.len ? r.text : "-");
		fails++;
	}
	/* mode and size checks at the boundary */
	static const uint8_t nop = 0x90;
	struct x86_insn in;
	if (x86_decode(&nop, 1, (enum x86_mode)48, &in) != X86_ERR_INVALID ||
	    x86_decode(&nop, 0, X86_MODE32, &in) != X86_ERR_TRUNCATED) {
		printf("  bad mode or empty input not rejected\n");
		fails++;
	}
	if (strcmp(x86_op_name(X86_OP_MOV_TO_CR), "MOV_TO_CR") != 0 ||
	    strcmp(x86_op_name(X86_NOPS), "?") != 0) {
		printf("  x86_op_name\n");
		fails++;
	}
	ref_fini();
	printf("unit: %zu cases, %u compared with capstone (%u listed divergences): %s\n",
	       sizeof cases / sizeof cases[0], compared, explained, fails ? "FAIL" : "ok");
	return fails ? 1 : 0;
}
