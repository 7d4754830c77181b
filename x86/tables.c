/*
 * Opcode tables: the Intel SDM volume 2 opcode maps (appendix A), one entry
 * per opcode, groups and prefix-selected forms in x86_pool.
 *
 * Where the manuals leave an encoding reserved or vendor-specific and no
 * compiler or assembler emits it, the entry follows what capstone 4 (the
 * tests' reference) accepts, so the differential tests stay quiet about
 * things no code contains.  Where capstone 4 is wrong about an encoding that
 * real code uses (ud0/ud1 take a ModRM byte, 0f 1f is "nop Ev" for every
 * ModRM), the entry follows the manuals and tests/x86/diverge.c lists the
 * difference.
 *
 * Operand specifications matter only for entries with an identity other
 * than X86_OP_OTHER; they are written out for the rest where it costs
 * nothing, as documentation of the encoding.
 */
#include "x86/tables.h"

#include "x86/decode.h"

/* Pool runs, each named by its first index (enum trick: NAME, NAME_END_). */
#define X86_RUNS(X)                                                             \
	X(G_ALU, 8) X(G_SHIFT, 8) X(G_F6, 8) X(G_F7, 8) X(G_FE, 8) X(G_FF, 8)   \
	X(G_8F, 8) X(G_C6, 16) X(G_C6_7, 8) X(G_C7, 16) X(G_C7_7, 8)            \
	X(G_90, 2) X(G_X87, 1) X(G_63, 2)                                       \
	X(G_0F00, 8) X(G_0F01, 16) X(G_0F01_0, 8) X(G_0F01_1, 8)                \
	X(G_0F01_2, 8) X(G_0F01_3, 8) X(G_0F01_5, 8) X(G_0F01_7, 8)             \
	X(G_0F01_5M, 4) X(G_0FA6, 2) X(G_0FA6_R, 8) X(G_0FA6_RR, 8) X(G_0FA7, 2) X(G_0FA7_R, 8) X(G_0FA7_RR, 8) X(G_0F09, 4) X(G_0F0D, 16) X(G_0F18, 16)                \
	X(G_0F71, 16) X(G_0F72, 16) X(G_0F73, 16) X(G_0F78, 4) X(G_0F78_X, 2)  \
	X(G_0F79, 4) X(G_0FAE, 16) X(G_0FAE_0, 4) X(G_0FAE_1, 4)                \
	X(G_0FAE_2, 4) X(G_0FAE_3, 4) X(G_0FAE_5, 8) X(G_0FAE_6, 8)             \
	X(G_0FAE_7, 8) X(G_0FAE_6M, 4) X(G_0FAE_7M, 4) X(G_0FB8, 4)             \
	X(G_0FBA, 8) X(G_0FC7, 16) X(G_0FC7_6M, 4) X(G_0FC7_7, 4) X(G_3DNOW, 1) \
	X(G_38F0, 4) X(G_38F1, 4) X(G_38F6, 4) X(G_38F8, 4) X(G_0FD6, 4)
enum {
#define X86_RUN_(name, n) name, name##_END_ = name + (n)-1,
	X86_RUNS(X86_RUN_)
#undef X86_RUN_
	X86_POOL_SIZE
};

#define OK X86_T_OK
#define MR X86_T_MODRM
#define MEM X86_T_MEM
#define I64 X86_T_I64
#define O64 X86_T_O64
#define D64 X86_T_D64
#define F64 X86_T_F64
#define LK X86_T_LOCK
#define REGMOD X86_T_REGMOD
#define RO X86_T_REG

/* An instruction: flags, immediate, identity, operands. */
#define I(fl, im, opn, ...)                                                     \
	{ .flags = OK | (fl), .imm = X86_I_##im, .op = X86_OP_##opn, .o = {__VA_ARGS__} }
/* The same, undefined with the mandatory prefixes in bad (X86_P_*). */
#define IP(fl, im, opn, bad, ...)                                               \
	{ .flags = OK | (fl), .imm = X86_I_##im, .op = X86_OP_##opn, .pfx = (bad),  \
	  .o = {__VA_ARGS__} }
/* Chosen by selector s from the pool run that starts at run. */
#define SEL(fl, s, run, ...)                                                    \
	{ .flags = OK | (fl), .sel = X86_S_##s, .next = (run), .o = {__VA_ARGS__} }
#define SELI(fl, im, s, run, ...)                                               \
	{ .flags = OK | (fl), .imm = X86_I_##im, .sel = X86_S_##s, .next = (run),  \
	  .o = {__VA_ARGS__} }
#define UD {0}

#define PN X86_P_NONE
#define P66 X86_P_66
#define PF3 X86_P_F3
#define PF2 X86_P_F2
#define SSE_NP66 (PF3 | PF2)     /* defined without prefix and with 66 */
#define ONLY66 (PN | PF3 | PF2)
#define ONLYNP (P66 | PF3 | PF2)
#define ONLYF3 (PN | P66 | PF2)

#define Eb X86_O(E, B)
#define Ew X86_O(E, W)
#define Ev X86_O(E, V)
#define Ewv X86_O(E, WV)
#define Ewz X86_O(E, WZ)
#define Gb X86_O(G, B)
#define Gv X86_O(G, V)
#define Gy X86_O(G, Y)
#define Mp X86_O(M, P)
#define Ms X86_O(M, S)
#define Mb X86_O(M, B)
#define Mw X86_O(M, W)
#define Mdq X86_O(M, DQ)
#define Ry X86_O(R, Y)
#define Rrw X86_O(R, RY)
#define Rwv X86_O(R, WV)
#define Rw X86_O(R, W)
#define Sw X86_O(SEG, W)
#define Cy X86_O(CR, Y)
#define Dy X86_O(DR, Y)
#define ALb X86_O(ACC, B)
#define ACv X86_O(ACC, V)
#define ACz X86_O(ACC, Z)
#define DXw X86_O(DX, W)
#define Ib X86_O(IMM, B)
#define Ibv X86_O(IMM, V) /* imm8 sign-extended to the operand size */
#define Iz X86_O(IMM, V)  /* imm16/32 sign-extended to the operand size */
#define Iv X86_O(IMM, V)
#define Ub X86_O(UIMM, B)
#define Uw X86_O(UIMM, W)
#define Zb X86_O(Z, B)
#define Zv X86_O(Z, V)
#define Ob X86_O(MOFFS, B)
#define Ov X86_O(MOFFS, V)
#define Ap X86_O(FAR, P)
#define Xb X86_O(SRC, B)
#define Xz X86_O(SRC, Z)
#define Yb X86_O(DST, B)
#define Yz X86_O(DST, Z)

/* The six ALU encodings at b: Eb,Gb Ev,Gv Gb,Eb Gv,Ev AL,Ib eAX,Iz; lk is
 * LK where lock may prefix the memory-destination forms (not cmp). */
#define ALUL(b, opn, lk)                                                        \
	[(b) + 0] = I(MR | (lk), NONE, opn, Eb, Gb),                            \
	[(b) + 1] = I(MR | (lk), NONE, opn, Ev, Gv),                            \
	[(b) + 2] = I(MR, NONE, opn, Gb, Eb), [(b) + 3] = I(MR, NONE, opn, Gv, Ev), \
	[(b) + 4] = I(0, B, opn, ALb, Ib), [(b) + 5] = I(0, Z, opn, ACv, Iz)
#define ALU(b, opn) ALUL(b, opn, LK)
#define R8(b, ...) [(b)] = __VA_ARGS__, [(b) + 1] = __VA_ARGS__, [(b) + 2] = __VA_ARGS__, \
	[(b) + 3] = __VA_ARGS__, [(b) + 4] = __VA_ARGS__, [(b) + 5] = __VA_ARGS__, \
	[(b) + 6] = __VA_ARGS__, [(b) + 7] = __VA_ARGS__
#define R16(b, ...) R8(b, __VA_ARGS__), R8((b) + 8, __VA_ARGS__)
#define FIXSEG(s) X86_OSEG(X86_SEG_##s)

const uint8_t x86_prefix[256] = {
	[0x26] = 1 + X86_SEG_ES, [0x2e] = 1 + X86_SEG_CS, [0x36] = 1 + X86_SEG_SS,
	[0x3e] = 1 + X86_SEG_DS, [0x64] = 1 + X86_SEG_FS, [0x65] = 1 + X86_SEG_GS,
	[0x66] = X86_PK_66, [0x67] = X86_PK_67, [0xf0] = X86_PK_LOCK,
	[0xf2] = X86_PK_REPNE, [0xf3] = X86_PK_REP,
};

const struct x86_ent x86_map[4][256] = {
	[0] = {
		ALU(0x00, OTHER),
		[0x06] = I(I64, NONE, PUSH_SEG, FIXSEG(ES)),
		[0x07] = I(I64, NONE, POP_SEG, FIXSEG(ES)),
		ALU(0x08, OR),
		[0x0e] = I(I64, NONE, PUSH_SEG, FIXSEG(CS)),
		ALU(0x10, OTHER),
		[0x16] = I(I64, NONE, PUSH_SEG, FIXSEG(SS)),
		[0x17] = I(I64, NONE, POP_SEG, FIXSEG(SS)),
		ALU(0x18, OTHER),
		[0x1e] = I(I64, NONE, PUSH_SEG, FIXSEG(DS)),
		[0x1f] = I(I64, NONE, POP_SEG, FIXSEG(DS)),
		ALU(0x20, AND),
		[0x27] = I(I64, NONE, OTHER),
		ALU(0x28, OTHER),
		[0x2f] = I(I64, NONE, OTHER),
		ALU(0x30, OTHER),
		[0x37] = I(I64, NONE, OTHER),
		ALUL(0x38, OTHER, 0),
		[0x3f] = I(I64, NONE, OTHER),
		/* 40-4f are REX in 64-bit mode; the prefix loop takes them first */
		R16(0x40, I(I64, NONE, OTHER)),
		R8(0x50, I(D64, NONE, OTHER, Zv)),
		R8(0x58, I(D64, NONE, OTHER, Zv)),
		[0x60] = I(I64, NONE, OTHER),
		[0x61] = I(I64, NONE, OTHER),
		/* bound; EVEX in 64-bit mode or with mod 11 (decode.c) */
		[0x62] = I(I64 | MR | MEM, NONE, OTHER),
		/* arpl Ew,Gw; movsxd Gv,Ed in 64-bit mode */
		[0x63] = I(MR, NONE, OTHER),
		[0x68] = I(D64, Z, OTHER, Iz),
		[0x69] = I(MR, Z, OTHER),
		[0x6a] = I(D64, B, OTHER, Ibv),
		[0x6b] = I(MR, B, OTHER),
		[0x6c] = I(0, NONE, INS, Yb, DXw),
		[0x6d] = I(0, NONE, INS, Yz, DXw),
		[0x6e] = I(0, NONE, OUTS, DXw, Xb),
		[0x6f] = I(0, NONE, OUTS, DXw, Xz),
		R16(0x70, I(F64, B, OTHER)),
		[0x80] = SELI(MR, B, REG, G_ALU, Eb, Ib),
		[0x81] = SELI(MR, Z, REG, G_ALU, Ev, Iz),
		[0x82] = SELI(MR | I64, B, REG, G_ALU, Eb, Ib),
		[0x83] = SELI(MR, B, REG, G_ALU, Ev, Ibv),
		[0x84] = I(MR, NONE, TEST, Eb, Gb),
		[0x85] = I(MR, NONE, TEST, Ev, Gv),
		[0x86] = I(MR | LK, NONE, XCHG, Eb, Gb),
		[0x87] = I(MR | LK, NONE, XCHG, Ev, Gv),
		[0x88] = I(MR, NONE, MOV, Eb, Gb),
		[0x89] = I(MR, NONE, MOV, Ev, Gv),
		[0x8a] = I(MR, NONE, MOV, Gb, Eb),
		[0x8b] = I(MR, NONE, MOV, Gv, Ev),
		[0x8c] = I(MR, NONE, MOV_FROM_SEG, Ewv, Sw),
		[0x8d] = I(MR | MEM, NONE, OTHER),
		[0x8e] = I(MR, NONE, MOV_TO_SEG, Sw, Ewv),
		[0x8f] = SEL(MR, REG, G_8F),
		[0x90] = SEL(0, REXB, G_90),
		[0x91] = I(0, NONE, XCHG, ACv, Zv),
		[0x92] = I(0, NONE, XCHG, ACv, Zv),
		[0x93] = I(0, NONE, XCHG, ACv, Zv),
		[0x94] = I(0, NONE, XCHG, ACv, Zv),
		[0x95] = I(0, NONE, XCHG, ACv, Zv),
		[0x96] = I(0, NONE, XCHG, ACv, Zv),
		[0x97] = I(0, NONE, XCHG, ACv, Zv),
		[0x98] = I(0, NONE, OTHER),
		[0x99] = I(0, NONE, OTHER),
		[0x9a] = I(I64, AP, FARCALL, Ap),
		[0x9b] = I(0, NONE, OTHER),
		[0x9c] = I(D64, NONE, PUSHF),
		[0x9d] = I(D64, NONE, POPF),
		[0x9e] = I(0, NONE, OTHER),
		[0x9f] = I(0, NONE, OTHER),
		[0xa0] = I(0, O, MOV, ALb, Ob),
		[0xa1] = I(0, O, MOV, ACv, Ov),
		[0xa2] = I(0, O, MOV, Ob, ALb),
		[0xa3] = I(0, O, MOV, Ov, ACv),
		[0xa4] = I(0, NONE, OTHER), [0xa5] = I(0, NONE, OTHER), /* movs */
		[0xa6] = I(0, NONE, OTHER), [0xa7] = I(0, NONE, OTHER), /* cmps */
		[0xa8] = I(0, B, TEST, ALb, Ib),
		[0xa9] = I(0, Z, TEST, ACv, Iz),
		[0xaa] = I(0, NONE, OTHER), [0xab] = I(0, NONE, OTHER), /* stos */
		[0xac] = I(0, NONE, OTHER), [0xad] = I(0, NONE, OTHER), /* lods */
		[0xae] = I(0, NONE, OTHER), [0xaf] = I(0, NONE, OTHER), /* scas */
		R8(0xb0, I(0, B, MOV, Zb, Ib)),
		R8(0xb8, I(0, V, MOV, Zv, Iv)),
		[0xc0] = SELI(MR, B, REG, G_SHIFT),
		[0xc1] = SELI(MR, B, REG, G_SHIFT),
		[0xc2] = I(F64, W, OTHER),
		[0xc3] = I(F64, NONE, OTHER),
		/* les, lds; VEX in 64-bit mode or with mod 11 (decode.c) */
		[0xc4] = I(I64 | MR | MEM, NONE, LES, Gv, Mp),
		[0xc5] = I(I64 | MR | MEM, NONE, LDS, Gv, Mp),
		[0xc6] = SEL(MR, MODREG, G_C6),
		[0xc7] = SEL(MR, MODREG, G_C7),
		[0xc8] = I(D64, WB, OTHER),
		[0xc9] = I(D64, NONE, OTHER),
		[0xca] = I(0, W, LRET, Uw),
		[0xcb] = I(0, NONE, LRET),
		[0xcc] = I(0, NONE, INT3),
		[0xcd] = I(0, B, INT, Ub),
		[0xce] = I(I64, NONE, INTO),
		[0xcf] = I(0, NONE, IRET),
		[0xd0] = SEL(MR, REG, G_SHIFT),
		[0xd1] = SEL(MR, REG, G_SHIFT),
		[0xd2] = SEL(MR, REG, G_SHIFT),
		[0xd3] = SEL(MR, REG, G_SHIFT),
		[0xd4] = I(I64, B, OTHER),
		[0xd5] = I(I64, B, OTHER),
		[0xd6] = I(I64, NONE, OTHER), /* salc */
		[0xd7] = I(0, NONE, OTHER),
		R8(0xd8, SEL(MR, X87, G_X87)),
		[0xe0] = I(F64, B, OTHER),
		[0xe1] = I(F64, B, OTHER),
		[0xe2] = I(F64, B, OTHER),
		[0xe3] = I(F64, B, OTHER),
		[0xe4] = I(0, B, IN, ALb, Ub),
		[0xe5] = I(0, B, IN, ACz, Ub),
		[0xe6] = I(0, B, OUT, Ub, ALb),
		[0xe7] = I(0, B, OUT, Ub, ACz),
		[0xe8] = I(F64, Z, OTHER),
		[0xe9] = I(F64, Z, OTHER),
		[0xea] = I(I64, AP, FARJMP, Ap),
		[0xeb] = I(F64, B, OTHER),
		[0xec] = I(0, NONE, IN, ALb, DXw),
		[0xed] = I(0, NONE, IN, ACz, DXw),
		[0xee] = I(0, NONE, OUT, DXw, ALb),
		[0xef] = I(0, NONE, OUT, DXw, ACz),
		[0xf1] = I(0, NONE, INT1),
		[0xf4] = I(0, NONE, HLT),
		[0xf5] = I(0, NONE, OTHER),
		[0xf6] = SEL(MR, REG, G_F6),
		[0xf7] = SEL(MR, REG, G_F7),
		[0xf8] = I(0, NONE, OTHER),
		[0xf9] = I(0, NONE, OTHER),
		[0xfa] = I(0, NONE, CLI),
		[0xfb] = I(0, NONE, STI),
		[0xfc] = I(0, NONE, OTHER),
		[0xfd] = I(0, NONE, OTHER),
		[0xfe] = SEL(MR, REG, G_FE),
		[0xff] = SEL(MR, REG, G_FF),
	},
	[1] = {
		[0x00] = SEL(MR, REG, G_0F00),
		[0x01] = SEL(MR, MODREG, G_0F01),
		[0x02] = I(MR, NONE, LAR, Gv, Ewz),
		[0x03] = I(MR, NONE, LSL, Gv, Ewz),
		[0x05] = I(0, NONE, SYSCALL),
		[0x06] = I(0, NONE, CLTS),
		[0x07] = I(0, NONE, SYSRET),
		[0x08] = I(0, NONE, INVD),
		[0x09] = SEL(0, PFX, G_0F09),
		[0x0b] = I(0, NONE, UD2),
		[0x0d] = SEL(MR, MODREG, G_0F0D),
		[0x0e] = I(0, NONE, OTHER), /* femms */
		[0x0f] = SELI(MR, B, 3DNOW, G_3DNOW),
		[0x10] = I(MR, NONE, OTHER),
		[0x11] = I(MR, NONE, OTHER),
		[0x12] = I(MR, NONE, OTHER),
		[0x13] = IP(MR | MEM, NONE, OTHER, PF3 | PF2),
		[0x14] = IP(MR, NONE, OTHER, SSE_NP66),
		[0x15] = IP(MR, NONE, OTHER, SSE_NP66),
		[0x16] = IP(MR, NONE, OTHER, PF2),
		[0x17] = IP(MR | MEM, NONE, OTHER, PF3 | PF2),
		/* hint NOPs and their newer meanings (prefetch, MPX, endbr) */
		[0x18] = SEL(MR, MODREG, G_0F18),
		[0x19] = I(MR, NONE, OTHER),
		[0x1a] = I(MR, NONE, OTHER),
		[0x1b] = I(MR, NONE, OTHER),
		[0x1c] = I(MR, NONE, OTHER),
		[0x1d] = I(MR, NONE, OTHER),
		[0x1e] = I(MR, NONE, OTHER),
		[0x1f] = I(MR, NONE, OTHER),
		[0x20] = I(MR | REGMOD, NONE, MOV_FROM_CR, Ry, Cy),
		[0x21] = I(MR | REGMOD, NONE, MOV_FROM_DR, Ry, Dy),
		[0x22] = I(MR | REGMOD, NONE, MOV_TO_CR, Cy, Ry),
		[0x23] = I(MR | REGMOD, NONE, MOV_TO_DR, Dy, Ry),
		[0x28] = IP(MR, NONE, OTHER, SSE_NP66),
		[0x29] = IP(MR, NONE, OTHER, SSE_NP66),
		[0x2a] = I(MR, NONE, OTHER),
		[0x2b] = IP(MR | MEM, NONE, OTHER, SSE_NP66),
		[0x2c] = I(MR, NONE, OTHER),
		[0x2d] = I(MR, NONE, OTHER),
		[0x2e] = IP(MR, NONE, OTHER, SSE_NP66),
		[0x2f] = IP(MR, NONE, OTHER, SSE_NP66),
		[0x30] = I(0, NONE, WRMSR),
		[0x31] = I(0, NONE, RDTSC),
		[0x32] = I(0, NONE, RDMSR),
		[0x33] = I(0, NONE, RDPMC),
		[0x34] = I(0, NONE, SYSENTER),
		[0x35] = I(0, NONE, SYSEXIT),
		[0x37] = I(0, NONE, OTHER), /* getsec */
		R16(0x40, I(MR, NONE, OTHER)), /* cmovcc */
		[0x50] = IP(MR | RO, NONE, OTHER, SSE_NP66),
		[0x51] = I(MR, NONE, OTHER),
		[0x52] = IP(MR, NONE, OTHER, P66 | PF2),
		[0x53] = IP(MR, NONE, OTHER, P66 | PF2),
		[0x54] = IP(MR, NONE, OTHER, SSE_NP66),
		[0x55] = IP(MR, NONE, OTHER, SSE_NP66),
		[0x56] = IP(MR, NONE, OTHER, SSE_NP66),
		[0x57] = IP(MR, NONE, OTHER, SSE_NP66),
		[0x58] = I(MR, NONE, OTHER),
		[0x59] = I(MR, NONE, OTHER),
		[0x5a] = I(MR, NONE, OTHER),
		[0x5b] = IP(MR, NONE, OTHER, PF2),
		[0x5c] = I(MR, NONE, OTHER),
		[0x5d] = I(MR, NONE, OTHER),
		[0x5e] = I(MR, NONE, OTHER),
		[0x5f] = I(MR, NONE, OTHER),
		R8(0x60, IP(MR, NONE, OTHER, SSE_NP66)),
		[0x68] = IP(MR, NONE, OTHER, SSE_NP66),
		[0x69] = IP(MR, NONE, OTHER, SSE_NP66),
		[0x6a] = IP(MR, NONE, OTHER, SSE_NP66),
		[0x6b] = IP(MR, NONE, OTHER, SSE_NP66),
		[0x6c] = IP(MR, NONE, OTHER, ONLY66),
		[0x6d] = IP(MR, NONE, OTHER, ONLY66),
		[0x6e] = IP(MR, NONE, OTHER, SSE_NP66),
		[0x6f] = IP(MR, NONE, OTHER, PF2),
		[0x70] = I(MR, B, OTHER),
		[0x71] = SEL(MR, MODREG, G_0F71),
		[0x72] = SEL(MR, MODREG, G_0F72),
		[0x73] = SEL(MR, MODREG, G_0F73),
		[0x74] = IP(MR, NONE, OTHER, SSE_NP66),
		[0x75] = IP(MR, NONE, OTHER, SSE_NP66),
		[0x76] = IP(MR, NONE, OTHER, SSE_NP66),
		[0x77] = IP(0, NONE, OTHER, ONLYNP), /* emms */
		[0x78] = SEL(MR, PFX, G_0F78),
		[0x79] = SEL(MR, PFX, G_0F79),
		[0x7c] = IP(MR, NONE, OTHER, PN | PF3),
		[0x7d] = IP(MR, NONE, OTHER, PN | PF3),
		[0x7e] = IP(MR, NONE, OTHER, PF2),
		[0x7f] = IP(MR, NONE, OTHER, PF2),
		R16(0x80, I(F64, Z, OTHER)), /* jcc rel16/32 */
		R16(0x90, I(MR, NONE, OTHER)), /* setcc */
		[0xa0] = I(D64, NONE, PUSH_SEG, FIXSEG(FS)),
		[0xa1] = I(D64, NONE, POP_SEG, FIXSEG(FS)),
		[0xa2] = I(0, NONE, CPUID),
		[0xa3] = I(MR, NONE, OTHER),
		[0xa4] = I(MR, B, OTHER),
		[0xa5] = I(MR, NONE, OTHER),
		[0xa6] = SEL(MR, MOD, G_0FA6), /* VIA PadLock */
		[0xa7] = SEL(MR, MOD, G_0FA7),
		[0xa8] = I(D64, NONE, PUSH_SEG, FIXSEG(GS)),
		[0xa9] = I(D64, NONE, POP_SEG, FIXSEG(GS)),
		[0xaa] = I(0, NONE, OTHER), /* rsm */
		[0xab] = I(MR | LK, NONE, OTHER),
		[0xac] = I(MR, B, OTHER),
		[0xad] = I(MR, NONE, OTHER),
		[0xae] = SEL(MR, MODREG, G_0FAE),
		[0xaf] = I(MR, NONE, OTHER),
		[0xb0] = I(MR | LK, NONE, OTHER),
		[0xb1] = I(MR | LK, NONE, OTHER),
		[0xb2] = I(MR | MEM, NONE, LSS, Gv, Mp),
		[0xb3] = I(MR | LK, NONE, OTHER),
		[0xb4] = I(MR | MEM, NONE, LFS, Gv, Mp),
		[0xb5] = I(MR | MEM, NONE, LGS, Gv, Mp),
		[0xb6] = I(MR, NONE, MOVZX, Gv, Eb),
		[0xb7] = I(MR, NONE, MOVZX, Gv, Ew),
		[0xb8] = SEL(MR, PFX, G_0FB8),
		[0xb9] = I(MR, NONE, UD1, Gv, Ev),
		[0xba] = SELI(MR, B, REG, G_0FBA, Ev, Ib),
		[0xbb] = I(MR | LK, NONE, OTHER),
		[0xbc] = I(MR, NONE, OTHER),
		[0xbd] = I(MR, NONE, OTHER),
		[0xbe] = I(MR, NONE, MOVSX, Gv, Eb),
		[0xbf] = I(MR, NONE, MOVSX, Gv, Ew),
		[0xc0] = I(MR | LK, NONE, OTHER),
		[0xc1] = I(MR | LK, NONE, OTHER),
		[0xc2] = I(MR, B, OTHER),
		[0xc3] = IP(MR | MEM, NONE, OTHER, ONLYNP),
		[0xc4] = IP(MR, B, OTHER, SSE_NP66),
		[0xc5] = IP(MR | RO, B, OTHER, SSE_NP66),
		[0xc6] = IP(MR, B, OTHER, SSE_NP66),
		[0xc7] = SEL(MR, MODREG, G_0FC7),
		R8(0xc8, I(0, NONE, OTHER, Zv)), /* bswap */
		[0xd0] = IP(MR, NONE, OTHER, PN | PF3),
		[0xd1] = IP(MR, NONE, OTHER, SSE_NP66),
		[0xd2] = IP(MR, NONE, OTHER, SSE_NP66),
		[0xd3] = IP(MR, NONE, OTHER, SSE_NP66),
		[0xd4] = IP(MR, NONE, OTHER, SSE_NP66),
		[0xd5] = IP(MR, NONE, OTHER, SSE_NP66),
		[0xd6] = SEL(MR, PFX, G_0FD6),
		[0xd7] = IP(MR | RO, NONE, OTHER, SSE_NP66),
		R8(0xd8, IP(MR, NONE, OTHER, SSE_NP66)),
		[0xe0] = IP(MR, NONE, OTHER, SSE_NP66),
		[0xe1] = IP(MR, NONE, OTHER, SSE_NP66),
		[0xe2] = IP(MR, NONE, OTHER, SSE_NP66),
		[0xe3] = IP(MR, NONE, OTHER, SSE_NP66),
		[0xe4] = IP(MR, NONE, OTHER, SSE_NP66),
		[0xe5] = IP(MR, NONE, OTHER, SSE_NP66),
		[0xe6] = IP(MR, NONE, OTHER, PN),
		[0xe7] = IP(MR | MEM, NONE, OTHER, SSE_NP66),
		R8(0xe8, IP(MR, NONE, OTHER, SSE_NP66)),
		[0xf0] = IP(MR | MEM, NONE, OTHER, PN | P66 | PF3),
		[0xf1] = IP(MR, NONE, OTHER, SSE_NP66),
		[0xf2] = IP(MR, NONE, OTHER, SSE_NP66),
		[0xf3] = IP(MR, NONE, OTHER, SSE_NP66),
		[0xf4] = IP(MR, NONE, OTHER, SSE_NP66),
		[0xf5] = IP(MR, NONE, OTHER, SSE_NP66),
		[0xf6] = IP(MR, NONE, OTHER, SSE_NP66),
		[0xf7] = IP(MR | RO, NONE, OTHER, SSE_NP66),
		[0xf8] = IP(MR, NONE, OTHER, SSE_NP66),
		[0xf9] = IP(MR, NONE, OTHER, SSE_NP66),
		[0xfa] = IP(MR, NONE, OTHER, SSE_NP66),
		[0xfb] = IP(MR, NONE, OTHER, SSE_NP66),
		[0xfc] = IP(MR, NONE, OTHER, SSE_NP66),
		[0xfd] = IP(MR, NONE, OTHER, SSE_NP66),
		[0xfe] = IP(MR, NONE, OTHER, SSE_NP66),
		[0xff] = I(MR, NONE, UD0, Gv, Ev),
	},
	[2] = {
		R8(0x00, IP(MR, NONE, OTHER, SSE_NP66)),
		[0x08] = IP(MR, NONE, OTHER, SSE_NP66),
		[0x09] = IP(MR, NONE, OTHER, SSE_NP66),
		[0x0a] = IP(MR, NONE, OTHER, SSE_NP66),
		[0x0b] = IP(MR, NONE, OTHER, SSE_NP66),
		[0x10] = IP(MR, NONE, OTHER, ONLY66),
		[0x14] = IP(MR, NONE, OTHER, ONLY66),
		[0x15] = IP(MR, NONE, OTHER, ONLY66),
		[0x17] = IP(MR, NONE, OTHER, ONLY66),
		[0x1c] = IP(MR, NONE, OTHER, SSE_NP66),
		[0x1d] = IP(MR, NONE, OTHER, SSE_NP66),
		[0x1e] = IP(MR, NONE, OTHER, SSE_NP66),
		[0x20] = IP(MR, NONE, OTHER, ONLY66),
		[0x21] = IP(MR, NONE, OTHER, ONLY66),
		[0x22] = IP(MR, NONE, OTHER, ONLY66),
		[0x23] = IP(MR, NONE, OTHER, ONLY66),
		[0x24] = IP(MR, NONE, OTHER, ONLY66),
		[0x25] = IP(MR, NONE, OTHER, ONLY66),
		[0x28] = IP(MR, NONE, OTHER, ONLY66),
		[0x29] = IP(MR, NONE, OTHER, ONLY66),
		[0x2a] = IP(MR | MEM, NONE, OTHER, ONLY66),
		[0x2b] = IP(MR, NONE, OTHER, ONLY66),
		[0x30] = IP(MR, NONE, OTHER, ONLY66),
		[0x31] = IP(MR, NONE, OTHER, ONLY66),
		[0x32] = IP(MR, NONE, OTHER, ONLY66),
		[0x33] = IP(MR, NONE, OTHER, ONLY66),
		[0x34] = IP(MR, NONE, OTHER, ONLY66),
		[0x35] = IP(MR, NONE, OTHER, ONLY66),
		[0x37] = IP(MR, NONE, OTHER, ONLY66),
		R8(0x38, IP(MR, NONE, OTHER, ONLY66)),
		[0x40] = IP(MR, NONE, OTHER, ONLY66),
		[0x41] = IP(MR, NONE, OTHER, ONLY66),
		[0x80] = IP(MR | MEM, NONE, OTHER, ONLY66), /* invept */
		[0x81] = IP(MR | MEM, NONE, OTHER, ONLY66), /* invvpid */
		[0x82] = IP(MR | MEM, NONE, INVPCID, ONLY66, Gy, Mdq),
		[0xc8] = IP(MR, NONE, OTHER, ONLYNP), /* sha */
		[0xc9] = IP(MR, NONE, OTHER, ONLYNP),
		[0xca] = IP(MR, NONE, OTHER, ONLYNP),
		[0xcb] = IP(MR, NONE, OTHER, ONLYNP),
		[0xcc] = IP(MR, NONE, OTHER, ONLYNP),
		[0xcd] = IP(MR, NONE, OTHER, ONLYNP),
		[0xdb] = IP(MR, NONE, OTHER, ONLY66),
		[0xdc] = IP(MR, NONE, OTHER, ONLY66),
		[0xdd] = IP(MR, NONE, OTHER, ONLY66),
		[0xde] = IP(MR, NONE, OTHER, ONLY66),
		[0xdf] = IP(MR, NONE, OTHER, ONLY66),
		[0xf0] = SEL(MR, PFX, G_38F0),
		[0xf1] = SEL(MR, PFX, G_38F1),
		[0xf6] = SEL(MR, PFX, G_38F6),
		[0xf8] = SEL(MR, PFX, G_38F8),
		[0xf9] = IP(MR | MEM, NONE, OTHER, ONLYNP), /* movdiri */
	},
	[3] = {
		[0x08] = IP(MR, B, OTHER, ONLY66),
		[0x09] = IP(MR, B, OTHER, ONLY66),
		[0x0a] = IP(MR, B, OTHER, ONLY66),
		[0x0b] = IP(MR, B, OTHER, ONLY66),
		[0x0c] = IP(MR, B, OTHER, ONLY66),
		[0x0d] = IP(MR, B, OTHER, ONLY66),
		[0x0e] = IP(MR, B, OTHER, ONLY66),
		[0x0f] = IP(MR, B, OTHER, SSE_NP66),
		[0x14] = IP(MR, B, OTHER, ONLY66),
		[0x15] = IP(MR, B, OTHER, ONLY66),
		[0x16] = IP(MR, B, OTHER, ONLY66),
		[0x17] = IP(MR, B, OTHER, ONLY66),
		[0x20] = IP(MR, B, OTHER, ONLY66),
		[0x21] = IP(MR, B, OTHER, ONLY66),
		[0x22] = IP(MR, B, OTHER, ONLY66),
		[0x40] = IP(MR, B, OTHER, ONLY66),
		[0x41] = IP(MR, B, OTHER, ONLY66),
		[0x42] = IP(MR, B, OTHER, ONLY66),
		[0x44] = IP(MR, B, OTHER, ONLY66),
		[0x60] = IP(MR, B, OTHER, ONLY66),
		[0x61] = IP(MR, B, OTHER, ONLY66),
		[0x62] = IP(MR, B, OTHER, ONLY66),
		[0x63] = IP(MR, B, OTHER, ONLY66),
		[0xcc] = IP(MR, B, OTHER, ONLYNP),
		[0xdf] = IP(MR, B, OTHER, ONLY66),
	},
};

#define AT(run, i) [(run) + (i)]
/* Eight entries of a run indexed by ModRM reg. */
#define RUN8(run, e0, e1, e2, e3, e4, e5, e6, e7)                               \
	AT(run, 0) = e0, AT(run, 1) = e1, AT(run, 2) = e2, AT(run, 3) = e3,     \
	AT(run, 4) = e4, AT(run, 5) = e5, AT(run, 6) = e6, AT(run, 7) = e7
/* Four entries indexed by mandatory prefix: none, 66, f3, f2. */
#define RUN4(run, e0, e1, e2, e3)                                               \
	AT(run, 0) = e0, AT(run, 1) = e1, AT(run, 2) = e2, AT(run, 3) = e3
#define ANY I(0, NONE, OTHER)
#define ANYL I(LK, NONE, OTHER)

const struct x86_ent x86_pool[X86_POOL_SIZE] = {
	/* 80-83: the opcode gives operands and immediate */
	RUN8(G_ALU, ANYL, I(LK, NONE, OR), ANYL, ANYL, I(LK, NONE, AND), ANYL, ANYL, ANY), /* /7 cmp */
	/* c0 c1 d0-d3; /6 is sal, an alias of shl */
	RUN8(G_SHIFT, ANY, ANY, ANY, ANY, ANY, ANY, ANY, ANY),
	RUN8(G_F6, I(0, B, TEST, Eb, Ib), I(0, B, TEST, Eb, Ib), ANYL, ANYL, ANY, ANY, ANY, ANY),
	RUN8(G_F7, I(0, Z, TEST, Ev, Iz), I(0, Z, TEST, Ev, Iz), ANYL, ANYL, ANY, ANY, ANY, ANY),
	RUN8(G_FE, ANYL, ANYL, UD, UD, UD, UD, UD, UD),
	RUN8(G_FF, ANYL, ANYL, I(F64, NONE, OTHER), I(MEM, NONE, FARCALL, Mp),
	     I(F64, NONE, OTHER), I(MEM, NONE, FARJMP, Mp), I(D64, NONE, OTHER), UD),
	/* pop Ev; 8f with reg != 0 is AMD's XOP prefix, not decoded */
	RUN8(G_8F, I(D64, NONE, OTHER), UD, UD, UD, UD, UD, UD, UD),
	RUN8(G_C6, I(0, B, MOV, Eb, Ib), UD, UD, UD, UD, UD, UD, UD),
	RUN8(G_C6 + 8, I(0, B, MOV, Eb, Ib), UD, UD, UD, UD, UD, UD, SEL(0, RM, G_C6_7)),
	AT(G_C6_7, 0) = I(0, B, OTHER), /* xabort */
	RUN8(G_C7, I(0, Z, MOV, Ev, Iz), UD, UD, UD, UD, UD, UD, UD),
	RUN8(G_C7 + 8, I(0, Z, MOV, Ev, Iz), UD, UD, UD, UD, UD, UD, SEL(0, RM, G_C7_7)),
	AT(G_C7_7, 0) = I(0, Z, OTHER), /* xbegin */
	/* 90: nop (and pause), or xchg with r8 */
	AT(G_90, 0) = ANY,
	AT(G_90, 1) = I(0, NONE, XCHG, ACv, Zv),
	AT(G_X87, 0) = I(0, NONE, OTHER),
	AT(G_3DNOW, 0) = I(0, NONE, OTHER),

	RUN8(G_0F00, I(0, NONE, SLDT, Ewv), I(0, NONE, STR, Ewv), I(0, NONE, LLDT, Ew),
	     I(0, NONE, LTR, Ew), I(0, NONE, VERR, Ew), I(0, NONE, VERW, Ew), UD, UD),
	RUN8(G_0F01, I(0, NONE, SGDT, Ms), I(0, NONE, SIDT, Ms), I(0, NONE, LGDT, Ms),
	     I(0, NONE, LIDT, Ms), I(0, NONE, SMSW, Ewv), SEL(0, PFX, G_0F01_5M),
	     I(0, NONE, LMSW, Ew), I(0, NONE, INVLPG, Mb)),
	RUN8(G_0F01 + 8, SEL(0, RM, G_0F01_0), SEL(0, RM, G_0F01_1), SEL(0, RM, G_0F01_2),
	     SEL(0, RM, G_0F01_3), I(0, NONE, SMSW, Ewv), SEL(0, RM, G_0F01_5),
	     I(0, NONE, LMSW, Ew), SEL(0, RM, G_0F01_7)),
	/* vmcall vmlaunch vmresume vmxoff */
	RUN8(G_0F01_0, UD, ANY, ANY, ANY, ANY, UD, UD, UD),
	RUN8(G_0F01_1, I(0, NONE, MONITOR), I(0, NONE, MWAIT), I(0, NONE, CLAC),
	     I(0, NONE, STAC), UD, UD, UD, ANY),
	/* xgetbv xsetbv - - vmfunc xend xtest enclu */
	RUN8(G_0F01_2, ANY, I(0, NONE, XSETBV), UD, UD, ANY, ANY, ANY, ANY),
	/* vmrun vmmcall vmload vmsave stgi clgi skinit invlpga */
	RUN8(G_0F01_3, ANY, ANY, ANY, ANY, ANY, ANY, ANY, ANY),
	/* serialize; rdpkru wrpkru: newer than capstone 4 */
	RUN8(G_0F01_5, ANY, UD, UD, UD, UD, UD, ANY, ANY),
	/* rstorssp m64 (f3) */
	RUN4(G_0F01_5M, UD, UD, ANY, UD),
	/* swapgs rdtscp monitorx mwaitx clzero rdpru */
	RUN8(G_0F01_7, I(O64, NONE, SWAPGS), I(0, NONE, RDTSCP), I(0, NONE, MONITOR),
	     I(0, NONE, MWAIT), ANY, ANY, UD, UD),
	RUN4(G_0F09, I(0, NONE, WBINVD), I(0, NONE, WBINVD), I(0, NONE, WBNOINVD),
	     I(0, NONE, WBINVD)),
	/* AMD prefetch /0 and prefetchw /1; capstone 4 knows only /1 */
	RUN8(G_0F0D, ANY, ANY, UD, UD, UD, UD, UD, UD),
	/* prefetchnta t0 t1 t2, then hint NOPs */
	RUN8(G_0F18, ANY, ANY, ANY, ANY, ANY, ANY, ANY, ANY),
	RUN8(G_0F18 + 8, UD, UD, UD, UD, ANY, ANY, ANY, ANY),
	/* MMX/SSE shifts by immediate: register forms only */
	RUN8(G_0F71 + 8, UD, UD, IP(0, B, OTHER, SSE_NP66), UD, IP(0, B, OTHER, SSE_NP66), UD,
	     IP(0, B, OTHER, SSE_NP66), UD),
	RUN8(G_0F72 + 8, UD, UD, IP(0, B, OTHER, SSE_NP66), UD, IP(0, B, OTHER, SSE_NP66), UD,
	     IP(0, B, OTHER, SSE_NP66), UD),
	RUN8(G_0F73 + 8, UD, UD, IP(0, B, OTHER, SSE_NP66), IP(0, B, OTHER, ONLY66), UD, UD,
	     IP(0, B, OTHER, SSE_NP66), IP(0, B, OTHER, ONLY66)),
	/* vmread; with 66 or f2 and mod 11: extrq xmm, ib, ib or insertq xmm,
	 * xmm, ib, ib (AMD SSE4a); with memory the prefix is ignored */
	RUN4(G_0F78, ANY, SEL(0, MOD, G_0F78_X), ANY, SEL(0, MOD, G_0F78_X)),
	AT(G_0F78_X, 0) = ANY,
	AT(G_0F78_X, 1) = I(0, BB, OTHER),
	/* vmwrite; extrq/insertq xmm, xmm */
	RUN4(G_0F79, ANY, ANY, ANY, ANY),
	/* fxsave fxrstor ldmxcsr stmxcsr xsave xrstor xsaveopt/clwb clflush(opt) */
	RUN8(G_0FAE, ANY, ANY, ANY, ANY, ANY, ANY, SEL(0, PFX, G_0FAE_6M), SEL(0, PFX, G_0FAE_7M)),
	RUN8(G_0FAE + 8, SEL(0, PFX, G_0FAE_0), SEL(0, PFX, G_0FAE_1), SEL(0, PFX, G_0FAE_2),
	     SEL(0, PFX, G_0FAE_3), UD, SEL(0, RM, G_0FAE_5), SEL(0, RM, G_0FAE_6),
	     SEL(0, RM, G_0FAE_7)),
	RUN4(G_0FAE_0, UD, UD, I(O64, NONE, RDFSBASE, Rrw), UD),
	RUN4(G_0FAE_1, UD, UD, I(O64, NONE, RDGSBASE, Rrw), UD),
	RUN4(G_0FAE_2, UD, UD, I(O64, NONE, WRFSBASE, Rrw), UD),
	RUN4(G_0FAE_3, UD, UD, I(O64, NONE, WRGSBASE, Rrw), UD),
	/* lfence, mfence, sfence: capstone 4 takes only rm 0 */
	AT(G_0FAE_5, 0) = ANY,
	AT(G_0FAE_6, 0) = ANY,
	AT(G_0FAE_7, 0) = ANY,
	RUN4(G_0FAE_6M, ANY, ANY, ANY, ANY),
	RUN4(G_0FAE_7M, ANY, ANY, ANY, ANY),
	/* jmpe (Itanium) without f3 */
	RUN4(G_0FB8, UD, UD, I(0, NONE, OTHER), UD),
	/* VIA PadLock, ModRM c0 c8 d0 (montmul xsha1 xsha256) and c0-e8 (xstore
	 * xcryptecb cbc ctr cfb ofb): register forms with rm 0, by reg */
	AT(G_0FA6, 1) = SEL(0, RM, G_0FA6_R),
	AT(G_0FA6_R, 0) = SEL(0, REG, G_0FA6_RR),
	RUN8(G_0FA6_RR, ANY, ANY, ANY, UD, UD, UD, UD, UD),
	AT(G_0FA7, 1) = SEL(0, RM, G_0FA7_R),
	AT(G_0FA7_R, 0) = SEL(0, REG, G_0FA7_RR),
	RUN8(G_0FA7_RR, ANY, ANY, ANY, ANY, ANY, ANY, UD, UD),
	/* bt bts btr btc Ev, Ib */
	RUN8(G_0FBA, UD, UD, UD, UD, ANY, ANYL, ANYL, ANYL),
	/* cmpxchg8b/16b xrstors xsavec xsaves vmptrld/vmclear/vmxon vmptrst */
	RUN8(G_0FC7, UD, ANYL, UD, ANY, ANY, ANY, SEL(0, PFX, G_0FC7_6M), ANY),
	RUN8(G_0FC7 + 8, UD, UD, UD, UD, UD, UD, ANY, SEL(0, PFX, G_0FC7_7)),
	RUN4(G_0FC7_6M, ANY, ANY, ANY, ANY), /* f2 ignored */
	/* rdseed (f2 ignored); f3: rdpid */
	RUN4(G_0FC7_7, ANY, ANY, I(0, NONE, RDPID, Ry), ANY),
	/* movq; movq2dq and movdq2q take registers */
	RUN4(G_0FD6, UD, ANY, I(RO, NONE, OTHER), I(RO, NONE, OTHER)),
	/* movbe (memory only; f3 ignored); crc32 */
	RUN4(G_38F0, I(MEM, NONE, OTHER), I(MEM, NONE, OTHER), I(MEM, NONE, OTHER), ANY),
	RUN4(G_38F1, I(MEM, NONE, OTHER), I(MEM, NONE, OTHER), I(MEM, NONE, OTHER), ANY),
	/* wrss; adcx; adox */
	RUN4(G_38F6, I(MEM, NONE, OTHER), ANY, ANY, UD),
	/* movdir64b, enqcmds, enqcmd */
	RUN4(G_38F8, UD, I(MEM, NONE, OTHER), I(MEM, NONE, OTHER), I(MEM, NONE, OTHER)),
};

/* Undefined x87 encodings, as capstone 4 and the CPUs agree: the aliases
 * (fstp1, fxch4, fcomp5, ffreep, ...) execute on hardware and are defined. */
const uint8_t x86_x87_mem[8] = {0xff, 0xfd, 0xff, 0xaf, 0xff, 0xdf, 0xff, 0xff};
const uint64_t x86_x87_reg[8] = {
	~0ull,
	~((0x7full << 17) | (3ull << 34) | (3ull << 38) | (1ull << 47)),
	0xffffffffull | (1ull << 41),
	~((7ull << 37) | (0xffull << 56)),
	~0ull,
	~(0xffffull << 48),
	~((1ull << 24) | (0x3full << 26)),
	~((0x7full << 33) | (0xffull << 56)),
};

/* 3DNow! suffixes: pi2fw pi2fd pf2iw pf2id pfnacc pfpnacc pfcmpge pfmin pfrcp
 * pfrsqrt pfsub pfadd pfcmpgt pfmax pfrcpit1 pfrsqit1 pfsubr pfacc pfcmpeq
 * pfmul pfrcpit2 pmulhrw pswapd pavgusb */
const uint32_t x86_3dnow[8] = {
	[0] = (1u << 0x0c) | (1u << 0x0d) | (1u << 0x1c) | (1u << 0x1d),
	[4] = (1u << (0x8a - 0x80)) | (1u << (0x8e - 0x80)) | (1u << (0x90 - 0x80)) |
	      (1u << (0x94 - 0x80)) | (1u << (0x96 - 0x80)) | (1u << (0x97 - 0x80)) |
	      (1u << (0x9a - 0x80)) | (1u << (0x9e - 0x80)),
	[5] = (1u << (0xa0 - 0xa0)) | (1u << (0xa4 - 0xa0)) | (1u << (0xa6 - 0xa0)) |
	      (1u << (0xa7 - 0xa0)) | (1u << (0xaa - 0xa0)) | (1u << (0xae - 0xa0)) |
	      (1u << (0xb0 - 0xa0)) | (1u << (0xb4 - 0xa0)) | (1u << (0xb6 - 0xa0)) |
	      (1u << (0xb7 - 0xa0)) | (1u << (0xbb - 0xa0)) | (1u << (0xbf - 0xa0)),
};

/* VEX and EVEX: every opcode but vzeroupper/vzeroall (map 1, 77) has a
 * ModRM byte; map 3 and a few of map 1 (shifts by immediate, pshufd,
 * cmpps, pinsrw, pextrw, shufps) have an imm8. */
const uint32_t x86_vex_modrm[4][8] = {
	[1] = {~0u, ~0u, ~0u, ~(1u << (0x77 - 0x60)), ~0u, ~0u, ~0u, ~0u},
	[2] = {~0u, ~0u, ~0u, ~0u, ~0u, ~0u, ~0u, ~0u},
	[3] = {~0u, ~0u, ~0u, ~0u, ~0u, ~0u, ~0u, ~0u},
};
const uint32_t x86_vex_imm[4][8] = {
	[1] = {[3] = 0xfu << (0x70 - 0x60), [6] = 0x7u << (0xc4 - 0xc0) | 1u << (0xc2 - 0xc0)},
	[3] = {~0u, ~0u, ~0u, ~0u, ~0u, ~0u, ~0u, ~0u},
};
