/*
 * Freestanding x86 instruction decoder for 16-, 32- and 64-bit code.
 *
 * Runs inside the in-place VMM (in the guest's address space, in signal
 * handlers), so it uses no libc, no allocation and no globals that change:
 * all opcode knowledge is in const tables (x86/tables.c), and the decode loop
 * stays short.  capstone checks it in tests (tests/x86/).
 *
 * Lengths are decoded for every instruction of the one-byte, 0F, 0F38 and
 * 0F3A maps.  Operands are decoded fully for the instructions that carry an
 * X86_OP_* identity below: the sensitive instructions the afterburner
 * annotates, and the memory-access forms of mov/movzx/movsx/xchg/test/and/or
 * that device drivers use for MMIO.  Every other instruction decodes to
 * X86_OP_OTHER with its length, prefixes, ModRM and memory operand (opnd[0],
 * size 0: not decoded).  VEX and EVEX instructions are measured, not
 * validated (vex says which); AMD's XOP is X86_ERR_INVALID.
 *
 * Register numbers are decoded, not judged: mov to/from cr1, cr5-7, cr9-15
 * and mov to cs decode (as capstone does) and are the emulator's to refuse.
 */
#ifndef X86_DECODE_H
#define X86_DECODE_H

#include <stddef.h>
#include <stdint.h>

enum x86_mode { X86_MODE16 = 16, X86_MODE32 = 32, X86_MODE64 = 64 };

/* Longest legal instruction; longer prefix runs are #UD on hardware. */
#define X86_MAX_LEN 15

/* Results of x86_decode other than a length. */
#define X86_ERR_TRUNCATED (-1) /* needs more bytes than given */
#define X86_ERR_INVALID (-2)   /* undefined opcode, or illegal in this mode */
#define X86_ERR_TOOLONG (-3)   /* more than X86_MAX_LEN bytes */

/* Instruction identities with operand decoding.  Values are internal to
 * the decoder and its users (not an ABI). */
#define X86_OPS(X)                                                            \
	X(OTHER) X(CLI) X(STI) X(PUSHF) X(POPF) X(IRET) X(LRET) X(FARJMP)     \
	X(FARCALL) X(INT) X(INT3) X(INT1) X(INTO) X(HLT) X(IN) X(OUT) X(INS)  \
	X(OUTS) X(CPUID) X(RDMSR) X(WRMSR) X(RDTSC) X(RDTSCP) X(RDPMC)        \
	X(MOV_TO_CR) X(MOV_FROM_CR) X(MOV_TO_DR) X(MOV_FROM_DR)               \
	X(MOV_TO_SEG) X(MOV_FROM_SEG) X(PUSH_SEG) X(POP_SEG) X(LDS) X(LES)    \
	X(LFS) X(LGS) X(LSS) X(LGDT) X(LIDT) X(LLDT) X(LTR) X(SGDT) X(SIDT)   \
	X(SLDT) X(STR) X(SMSW) X(LMSW) X(CLTS) X(INVLPG) X(INVD) X(WBINVD)    \
	X(WBNOINVD) X(LAR) X(LSL) X(VERR) X(VERW) X(SWAPGS) X(SYSRET)         \
	X(SYSEXIT) X(SYSENTER) X(SYSCALL) X(XSETBV) X(UD2) X(UD1) X(UD0)      \
	X(RDPID) X(MONITOR) X(MWAIT) X(INVPCID) X(RDFSBASE) X(RDGSBASE)       \
	X(WRFSBASE) X(WRGSBASE) X(STAC) X(CLAC)                               \
	X(MOV) X(MOVZX) X(MOVSX) X(XCHG) X(TEST) X(AND) X(OR)

enum x86_op {
#define X86_OP_ENUM_(n) X86_OP_##n,
	X86_OPS(X86_OP_ENUM_)
#undef X86_OP_ENUM_
	X86_NOPS
};

enum x86_opnd_type {
	X86_OPND_NONE,
	X86_OPND_REG, /* reg.cls, reg.num */
	X86_OPND_MEM, /* mem.* */
	X86_OPND_IMM, /* imm (sign- or zero-extended as the instruction defines) */
	X86_OPND_FAR, /* far.sel:far.off, direct far jmp/call (ptr16:16/32) */
};

enum x86_reg_class {
	X86_RC_GPR,  /* num 0-15: ax cx dx bx sp bp si di r8-r15, width = size */
	X86_RC_GPR8, /* num 0-15 with REX (spl..dil), 4-7 = ah ch dh bh without */
	X86_RC_SEG,  /* es cs ss ds fs gs = 0-5 */
	X86_RC_CR,
	X86_RC_DR,
};

/* Segment numbers, also used for prefixes; X86_SEG_NONE: no override. */
enum x86_seg { X86_SEG_ES, X86_SEG_CS, X86_SEG_SS, X86_SEG_DS, X86_SEG_FS, X86_SEG_GS, X86_SEG_NONE };

#define X86_NOREG 0xff

struct x86_opnd {
	uint8_t type;  /* enum x86_opnd_type */
	uint8_t size;  /* operand size in bytes (1, 2, 4, 8; 6/10 for descriptor-table pseudo-descriptors) */
	union {
		struct {
			uint8_t cls; /* enum x86_reg_class */
			uint8_t num;
		} reg;
		struct {
			uint8_t seg;       /* effective segment (default or override) */
			uint8_t base;      /* GPR number or X86_NOREG */
			uint8_t index;     /* GPR number or X86_NOREG */
			uint8_t scale;     /* 1, 2, 4, 8 */
			uint8_t addr_size; /* 2, 4, 8 */
			uint8_t rip_rel;   /* 64-bit mode RIP-relative (disp from next insn) */
			int64_t disp;      /* 64-bit only for moffs (a0-a3) */
		} mem;
		int64_t imm;
		struct {
			uint16_t sel;
			uint32_t off;
		} far;
	} u;
};

/* Prefix bits in x86_insn.prefixes. */
#define X86_PFX_LOCK 0x01u
#define X86_PFX_REP 0x02u   /* f3 */
#define X86_PFX_REPNE 0x04u /* f2 */
#define X86_PFX_OPSIZE 0x08u /* 66 */
#define X86_PFX_ADSIZE 0x10u /* 67 */

struct x86_insn {
	uint8_t len;
	uint8_t mode;        /* 16, 32, 64 */
	uint8_t op;          /* enum x86_op */
	uint8_t map;         /* 0: one-byte, 1: 0f, 2: 0f38, 3: 0f3a (VEX/EVEX: their map) */
	uint8_t vex;         /* 0, or the VEX/EVEX prefix length: 2 (c5), 3 (c4), 4 (62) */
	uint8_t opcode;      /* last opcode byte */
	uint8_t prefixes;    /* X86_PFX_* */
	uint8_t seg_override;/* enum x86_seg, X86_SEG_NONE if none */
	uint8_t rex;         /* the REX byte, 0 if none */
	uint8_t has_modrm, modrm, has_sib, sib;
	uint8_t opsize;      /* effective operand size in bytes: 2, 4, 8 */
	uint8_t addrsize;    /* effective address size in bytes: 2, 4, 8 */
	uint8_t nopnd;       /* operands used in opnd[] */
	uint8_t disp_len, imm_len;
	uint8_t disp_off, imm_off; /* byte offsets within the instruction */
	/* AT&T order is not used: opnd[0] is the destination (Intel order) and
	 * implicit operands are listed (in/out: the port as IMM or DX reg, the
	 * accumulator as a GPR). */
	struct x86_opnd opnd[3];
};

/* Decodes the instruction at p[0..n) in the given mode.  Returns its length
 * (1..15) and fills *in, or an X86_ERR_* value (then *in is unspecified). */
int x86_decode(const uint8_t *p, size_t n, enum x86_mode mode, struct x86_insn *in);

/* Name of an X86_OP_* value ("cli", "mov_to_cr", ...), for messages. */
const char *x86_op_name(unsigned op);

#endif
