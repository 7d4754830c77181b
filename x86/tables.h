/*
 * The decoder's opcode knowledge, private to x86/.
 *
 * Every opcode of every map has one entry.  An entry either describes the
 * instruction (flags, immediate, identity, operands) or says that the
 * instruction depends on something else (the ModRM reg field, the mandatory
 * prefix, ...), naming a selector and a run of entries in x86_pool indexed
 * by the selector's value.  Selection repeats until an entry describes an
 * instruction, so a group inside a group (0f 01 /1 with mod 11, by rm) is
 * data too.  An entry without X86_T_OK is an undefined opcode.
 */
#ifndef X86_TABLES_H
#define X86_TABLES_H

#include <stdint.h>

/* flags */
#define X86_T_OK 0x01u     /* defined (an all-zero entry is undefined) */
#define X86_T_MODRM 0x02u  /* a ModRM byte follows the opcode */
#define X86_T_MEM 0x04u    /* ModRM must name memory (mod != 11) */
#define X86_T_I64 0x08u    /* undefined in 64-bit mode */
#define X86_T_O64 0x10u    /* defined only in 64-bit mode */
#define X86_T_D64 0x20u    /* 64-bit mode: operand size 64 unless 66 */
#define X86_T_F64 0x40u    /* 64-bit mode: operand size 64 always */
#define X86_T_REGMOD 0x80u /* ModRM's mod is ignored, read as 11 (mov cr/dr) */
#define X86_T_LOCK 0x100u  /* lock allowed (with a memory destination) */
#define X86_T_REG 0x200u   /* ModRM must name a register (mod == 11) */

/* immediate kinds */
enum {
	X86_I_NONE,
	X86_I_B,  /* 1 */
	X86_I_W,  /* 2 */
	X86_I_Z,  /* 2 with 16-bit operand size, else 4 */
	X86_I_V,  /* operand size: 2, 4 or 8 (mov r64, imm64) */
	X86_I_WB, /* 3: enter */
	X86_I_BB, /* 2: extrq/insertq */
	X86_I_O,  /* address size: moffs */
	X86_I_AP, /* 2 + Z: ptr16:16 / ptr16:32 */
};

/* selectors: what picks the entry in the pool run */
enum {
	X86_S_NONE,
	X86_S_REG,    /* ModRM reg: 8 */
	X86_S_MODREG, /* 8 for mod != 11 by reg, then 8 for mod == 11 by reg */
	X86_S_RM,     /* ModRM rm: 8 */
	X86_S_MOD,    /* memory, register (mod == 11) */
	X86_S_PFX,    /* mandatory prefix: none, 66, f3, f2 */
	X86_S_REXB,   /* REX.B clear, set (90: nop or xchg r8) */
	X86_S_MODE64, /* not 64-bit, 64-bit */
	X86_S_X87,    /* d8-df: validity from x86_x87_ok */
	X86_S_3DNOW,  /* 0f 0f: validity from the imm8 suffix */
};

/* Mandatory-prefix validity: bits set for prefixes that make it undefined. */
#define X86_P_NONE 0x1u
#define X86_P_66 0x2u
#define X86_P_F3 0x4u
#define X86_P_F2 0x8u

/* Operand specifications: kind in the high byte, size code in the low. */
enum {
	X86_K_NONE,
	X86_K_E,    /* ModRM r/m: register or memory */
	X86_K_M,    /* ModRM r/m, memory only */
	X86_K_R,    /* ModRM r/m, register only */
	X86_K_G,    /* ModRM reg: GPR */
	X86_K_SEG,  /* ModRM reg: segment register */
	X86_K_CR,   /* ModRM reg: control register */
	X86_K_DR,   /* ModRM reg: debug register */
	X86_K_Z,    /* GPR in the opcode's low three bits (+ REX.B) */
	X86_K_ACC,  /* al / ax / eax / rax */
	X86_K_DX,   /* dx, the port of in/out */
	X86_K_IMM,  /* immediate, sign-extended to the size */
	X86_K_UIMM, /* immediate, zero-extended (ports, int n, ret n) */
	X86_K_MOFFS,
	X86_K_FAR,  /* ptr16:16 / ptr16:32 */
	X86_K_SRC,  /* ds:(e/r)si, string source */
	X86_K_DST,  /* es:(e/r)di, string destination */
	X86_K_FIXSEG, /* the segment register in the size code */
};
enum {
	X86_Z_NONE,
	X86_Z_B,  /* 1 */
	X86_Z_W,  /* 2 */
	X86_Z_D,  /* 4 */
	X86_Z_V,  /* operand size */
	X86_Z_Z,  /* operand size, at most 4 */
	X86_Z_Y,  /* 8 in 64-bit mode, else 4 (cr/dr moves, invpcid) */
	X86_Z_WV, /* memory 2, register operand size (sldt, str, smsw, 8c) */
	X86_Z_WZ, /* memory 2, register operand size up to 4 (lar, lsl) */
	X86_Z_P,  /* far pointer: operand size + 2 */
	X86_Z_S,  /* descriptor-table pseudo-descriptor: 6, 10 in 64-bit mode */
	X86_Z_DQ, /* 16 */
	X86_Z_RY, /* REX.W ? 8 : 4 (rd/wr fs/gs base) */
};
#define X86_O(k, z) ((uint16_t)((X86_K_##k << 8) | X86_Z_##z))
#define X86_OSEG(s) ((uint16_t)((X86_K_FIXSEG << 8) | (s)))

struct x86_ent {
	uint16_t flags; /* X86_T_* */
	uint8_t imm;   /* X86_I_* */
	uint8_t op;    /* enum x86_op */
	uint8_t sel;   /* X86_S_*; then next is the first pool entry of the run */
	uint8_t pfx;   /* X86_P_* that make it undefined */
	uint16_t next;
	uint16_t o[3]; /* operand specifications, X86_O(...) */
};

/* Legacy prefixes: 1 + enum x86_seg for segment overrides, or one of: */
enum { X86_PK_66 = 8, X86_PK_67, X86_PK_LOCK, X86_PK_REP, X86_PK_REPNE };
extern const uint8_t x86_prefix[256];

/* maps 0-3: one-byte, 0f, 0f 38, 0f 3a */
extern const struct x86_ent x86_map[4][256];
extern const struct x86_ent x86_pool[];
/* d8-df: defined memory forms by reg (bit n), register forms by
 * ModRM & 0x3f (bit n) */
extern const uint8_t x86_x87_mem[8];
extern const uint64_t x86_x87_reg[8];
/* 0f 0f: defined imm8 suffixes, bit n of word n / 32 */
extern const uint32_t x86_3dnow[8];
/* VEX/EVEX maps 1-3: opcodes with ModRM (bit set) and with imm8 (bit set) */
extern const uint32_t x86_vex_modrm[4][8];
extern const uint32_t x86_vex_imm[4][8];

#endif
