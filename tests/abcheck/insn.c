/* Instruction decoding on top of capstone 4, which misses or misdecodes a
 * few instructions that kernels use (ud0/ud1 lengths, monitorx, mwaitx,
 * rdpid, wbnoinvd): those are recognised from their bytes here, so that both
 * the site checks and the linear disassembly see true lengths. */
#include <capstone/capstone.h>
#include <stdio.h>
#include <string.h>

#include "abcheck.h"
#include "previrt/afterburn.h"

static csh cs[2];
static cs_insn *ci[2];

int dis_init(void)
{
	static const cs_mode modes[2] = {CS_MODE_32, CS_MODE_64};
	for (int i = 0; i < 2; i++) {
		if (cs_open(CS_ARCH_X86, modes[i], &cs[i]) != CS_ERR_OK)
			return -1;
		cs_option(cs[i], CS_OPT_DETAIL, CS_OPT_ON);
		ci[i] = cs_malloc(cs[i]);
		if (!ci[i])
			return -1;
	}
	return 0;
}

void dis_fini(void)
{
	for (int i = 0; i < 2; i++) {
		if (ci[i])
			cs_free(ci[i], 1);
		if (cs[i])
			cs_close(&cs[i]);
	}
}

static int is_legacy_prefix(uint8_t b)
{
	switch (b) {
	case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
	case 0x66: case 0x67: case 0xf0: case 0xf2: case 0xf3:
		return 1;
	}
	return 0;
}

static unsigned prefix_len(int bits, const uint8_t *p, size_t n)
{
	unsigned i = 0;
	while (i < n && i < 14 && is_legacy_prefix(p[i]))
		i++;
	if (bits == 64 && i < n && (p[i] & 0xf0) == 0x40)
		i++;
	return i;
}

/* Runs capstone on p; returns the decoded instruction or NULL. */
static cs_insn *cs_one(int bits, const uint8_t *p, size_t n, uint64_t off)
{
	int m = bits == 64;
	const uint8_t *code = p;
	size_t size = n < 15 ? n : 15;
	uint64_t addr = off;
	return cs_disasm_iter(cs[m], &code, &size, &addr, ci[m]) ? ci[m] : NULL;
}

/* ud0/ud1 take a ModRM operand that capstone 4 ignores: measure the
 * instruction as imul (0f af), which has the same operand encoding. */
static unsigned modrm_len_as_imul(int bits, const uint8_t *p, size_t n, unsigned opc)
{
	uint8_t tmp[15];
	size_t k = n < sizeof tmp ? n : sizeof tmp;
	memcpy(tmp, p, k);
	tmp[opc + 1] = 0xaf;
	cs_insn *c = cs_one(bits, tmp, k, 0);
	return c && c->id == X86_INS_IMUL ? c->size : 0;
}

/* Instructions capstone 4 cannot decode or measure; 1 if handled. */
static int decode_by_bytes(int bits, const uint8_t *p, size_t n, struct insn *in)
{
	unsigned o = in->npfx;
	if (o + 3 > n || o + 3 > 15)
		return 0;
	if (p[o] == 0x0f && p[o + 1] == 0x01 && (p[o + 2] & 0xfe) == 0xfa) {
		in->id = p[o + 2] == 0xfa ? ABX_INS_MONITORX : ABX_INS_MWAITX;
		in->len = o + 3;
		snprintf(in->text, sizeof in->text, "%s", p[o + 2] == 0xfa ? "monitorx" : "mwaitx");
		return 1;
	}
	if (p[o] == 0x0f && (p[o + 1] == 0xb9 || p[o + 1] == 0xff)) {
		in->len = modrm_len_as_imul(bits, p, n, o);
		if (!in->len)
			return 0;
		in->id = p[o + 1] == 0xb9 ? X86_INS_UD2B : X86_INS_UD0;
		snprintf(in->text, sizeof in->text, "%s", p[o + 1] == 0xb9 ? "ud1" : "ud0");
		return 1;
	}
	return 0;
}

static int is_rel_branch_id(unsigned id)
{
	switch (id) {
	case X86_INS_JMP: case X86_INS_CALL: case X86_INS_XBEGIN:
	case X86_INS_LOOP: case X86_INS_LOOPE: case X86_INS_LOOPNE:
	case X86_INS_JCXZ: case X86_INS_JECXZ: case X86_INS_JRCXZ:
	case X86_INS_JAE: case X86_INS_JA: case X86_INS_JBE: case X86_INS_JB:
	case X86_INS_JE: case X86_INS_JGE: case X86_INS_JG: case X86_INS_JLE:
	case X86_INS_JL: case X86_INS_JNE: case X86_INS_JNO: case X86_INS_JNP:
	case X86_INS_JNS: case X86_INS_JO: case X86_INS_JP: case X86_INS_JS:
		return 1;
	}
	return 0;
}

/* "lea 0(%esi),%esi" and friends: gas's 32-bit alignment NOPs. */
static int is_fill_lea(int bits, const cs_insn *c)
{
	const cs_x86 *x = &c->detail->x86;
	if (bits != 32 || c->id != X86_INS_LEA || x->op_count != 2 ||
	    x->operands[0].type != X86_OP_REG || x->operands[1].type != X86_OP_MEM)
		return 0;
	const x86_op_mem *m = &x->operands[1].mem;
	return m->base == x->operands[0].reg && m->disp == 0 &&
	       (m->index == X86_REG_INVALID || m->index == X86_REG_EIZ) &&
	       m->segment == X86_REG_INVALID;
}

static int is_fill(int bits, const uint8_t *p, const cs_insn *c, unsigned npfx)
{
	if (npfx >= c->size)
		return 0;
	for (unsigned i = 0; i < npfx; i++)
		if (p[i] != 0x66 && p[i] != 0x2e)
			return 0;
	const uint8_t *op = p + npfx;
	if (op[0] == 0xcc) /* ".align 64, 0xcc" in the kernel's entry code */
		return npfx == 0;
	if (op[0] == 0x90)
		return c->id == X86_INS_NOP || c->id == X86_INS_XCHG;
	if (op[0] == 0x0f && c->size > npfx + 2 && op[1] == 0x1f)
		return 1;
	if (npfx)
		return 0;
	/* "mov %esi,%esi": what older gas used for two bytes in 32-bit code */
	if (bits == 32 && c->id == X86_INS_MOV && c->size == 2 && c->detail->x86.op_count == 2 &&
	    c->detail->x86.operands[0].type == X86_OP_REG &&
	    c->detail->x86.operands[1].type == X86_OP_REG &&
	    c->detail->x86.operands[0].reg == c->detail->x86.operands[1].reg)
		return 1;
	return is_fill_lea(bits, c);
}

static void from_capstone(int bits, const uint8_t *p, const cs_insn *c, struct insn *in)
{
	const cs_x86 *x = &c->detail->x86;
	in->len = c->size;
	in->id = c->id;
	snprintf(in->text, sizeof in->text, "%s%s%s", c->mnemonic, c->op_str[0] ? " " : "",
		 c->op_str);
	in->nops = x->op_count;
	for (unsigned i = 0; i < x->op_count; i++) {
		if (x->operands[i].type == X86_OP_MEM)
			in->has_mem = 1;
		if (i < 2) {
			in->op[i].is_reg = x->operands[i].type == X86_OP_REG;
			in->op[i].reg = x->operands[i].reg;
		}
	}
	if (is_rel_branch_id(c->id) && x->op_count == 1 && x->operands[0].type == X86_OP_IMM) {
		in->pcrel = PC_BRANCH;
		in->target = (uint64_t)x->operands[0].imm;
		if (bits == 32)
			in->target &= 0xffffffffu;
	}
	for (unsigned i = 0; i < x->op_count; i++)
		if (x->operands[i].type == X86_OP_MEM && x->operands[i].mem.base == X86_REG_RIP &&
		    x->encoding.disp_offset && x->encoding.disp_size) {
			in->pcrel = PC_RIP;
			in->target = c->address + c->size + (uint64_t)x->operands[i].mem.disp;
			in->disp_off = x->encoding.disp_offset;
			in->disp_size = x->encoding.disp_size;
		}
	in->fill = is_fill(bits, p, c, in->npfx);
	/* capstone 4 drops the f3 that tells these apart from rdseed/wbinvd */
	int f3 = memchr(p, 0xf3, in->npfx) != NULL;
	const uint8_t *op = p + in->npfx;
	if (f3 && c->id == X86_INS_RDSEED && c->size >= in->npfx + 3 && op[0] == 0x0f &&
	    op[1] == 0xc7) {
		in->id = ABX_INS_RDPID;
		snprintf(in->text, sizeof in->text, "rdpid");
	} else if (f3 && c->id == X86_INS_WBINVD) {
		in->id = ABX_INS_WBNOINVD;
		snprintf(in->text, sizeof in->text, "wbnoinvd");
	}
}

void dis_one(int bits, const uint8_t *p, size_t n, uint64_t off, struct insn *in)
{
	memset(in, 0, sizeof *in);
	if (n == 0)
		return;
	in->npfx = prefix_len(bits, p, n);
	if (decode_by_bytes(bits, p, n, in))
		return;
	const cs_insn *c = cs_one(bits, p, n, off);
	if (c) {
		from_capstone(bits, p, c, in);
		return;
	}
	in->len = 0;
	snprintf(in->text, sizeof in->text, ".byte 0x%02x", p[0]);
}

/* --- record kinds -------------------------------------------------------- */

enum rule { IDS, TO_CR, FROM_CR, TO_DR, FROM_DR, TO_SEG, FROM_SEG, SEG_OPERAND, ANY_MEM };

struct kind_rule {
	unsigned char rule;
	unsigned ids[6]; /* terminated by X86_INS_INVALID (0) */
};

#define K(n) [PREVIRT_AB_KIND_##n]
static const struct kind_rule rules[PREVIRT_AB_NKINDS] = {
	K(CLI) = {IDS, {X86_INS_CLI}},
	K(STI) = {IDS, {X86_INS_STI}},
	K(PUSHF) = {IDS, {X86_INS_PUSHF, X86_INS_PUSHFD, X86_INS_PUSHFQ}},
	K(POPF) = {IDS, {X86_INS_POPF, X86_INS_POPFD, X86_INS_POPFQ}},
	K(IRET) = {IDS, {X86_INS_IRET, X86_INS_IRETD, X86_INS_IRETQ}},
	K(LRET) = {IDS, {X86_INS_RETF, X86_INS_RETFQ}},
	K(FARJMP) = {IDS, {X86_INS_LJMP}},
	K(FARCALL) = {IDS, {X86_INS_LCALL}},
	K(INT) = {IDS, {X86_INS_INT, X86_INS_INT3, X86_INS_INTO, X86_INS_INT1}},
	K(HLT) = {IDS, {X86_INS_HLT}},
	K(IN) = {IDS, {X86_INS_IN}},
	K(OUT) = {IDS, {X86_INS_OUT}},
	K(INS) = {IDS, {X86_INS_INSB, X86_INS_INSW, X86_INS_INSD}},
	K(OUTS) = {IDS, {X86_INS_OUTSB, X86_INS_OUTSW, X86_INS_OUTSD}},
	K(CPUID) = {IDS, {X86_INS_CPUID}},
	K(RDMSR) = {IDS, {X86_INS_RDMSR}},
	K(WRMSR) = {IDS, {X86_INS_WRMSR}},
	K(RDTSC) = {IDS, {X86_INS_RDTSC}},
	K(MOV_TO_CR) = {TO_CR, {X86_INS_MOV}},
	K(MOV_FROM_CR) = {FROM_CR, {X86_INS_MOV}},
	K(MOV_TO_DR) = {TO_DR, {X86_INS_MOV}},
	K(MOV_FROM_DR) = {FROM_DR, {X86_INS_MOV}},
	K(MOV_TO_SEG) = {TO_SEG, {X86_INS_MOV}},
	K(MOV_FROM_SEG) = {FROM_SEG, {X86_INS_MOV}},
	K(PUSH_SEG) = {SEG_OPERAND, {X86_INS_PUSH}},
	K(POP_SEG) = {SEG_OPERAND, {X86_INS_POP}},
	K(LOAD_FARPTR) = {IDS, {X86_INS_LDS, X86_INS_LES, X86_INS_LFS, X86_INS_LGS, X86_INS_LSS}},
	K(LGDT) = {IDS, {X86_INS_LGDT}},
	K(LIDT) = {IDS, {X86_INS_LIDT}},
	K(LLDT) = {IDS, {X86_INS_LLDT}},
	K(LTR) = {IDS, {X86_INS_LTR}},
	K(SGDT) = {IDS, {X86_INS_SGDT}},
	K(SIDT) = {IDS, {X86_INS_SIDT}},
	K(SLDT) = {IDS, {X86_INS_SLDT}},
	K(STR) = {IDS, {X86_INS_STR}},
	K(SMSW) = {IDS, {X86_INS_SMSW}},
	K(LMSW) = {IDS, {X86_INS_LMSW}},
	K(CLTS) = {IDS, {X86_INS_CLTS}},
	K(INVLPG) = {IDS, {X86_INS_INVLPG}},
	K(INVD) = {IDS, {X86_INS_INVD}},
	K(WBINVD) = {IDS, {X86_INS_WBINVD}},
	K(LAR) = {IDS, {X86_INS_LAR}},
	K(LSL) = {IDS, {X86_INS_LSL}},
	K(VERR) = {IDS, {X86_INS_VERR}},
	K(VERW) = {IDS, {X86_INS_VERW}},
	K(SWAPGS) = {IDS, {X86_INS_SWAPGS}},
	K(SYSRET) = {IDS, {X86_INS_SYSRET}},
	K(SYSEXIT) = {IDS, {X86_INS_SYSEXIT}},
	K(SYSENTER) = {IDS, {X86_INS_SYSENTER}},
	K(SYSCALL) = {IDS, {X86_INS_SYSCALL}},
	K(XSETBV) = {IDS, {X86_INS_XSETBV}},
	K(RDPMC) = {IDS, {X86_INS_RDPMC}},
	K(UD2) = {IDS, {X86_INS_UD2, X86_INS_UD2B, X86_INS_UD0}},
	K(MEM) = {ANY_MEM, {0}},
	K(RDTSCP) = {IDS, {X86_INS_RDTSCP}},
	K(RDPID) = {IDS, {ABX_INS_RDPID}},
	K(MONITOR) = {IDS, {X86_INS_MONITOR, ABX_INS_MONITORX}},
	K(MWAIT) = {IDS, {X86_INS_MWAIT, ABX_INS_MWAITX}},
	K(INVPCID) = {IDS, {X86_INS_INVPCID}},
	K(WBNOINVD) = {IDS, {ABX_INS_WBNOINVD}},
	K(FSGSBASE) = {IDS, {X86_INS_RDFSBASE, X86_INS_RDGSBASE, X86_INS_WRFSBASE,
			     X86_INS_WRGSBASE}},
	K(STAC) = {IDS, {X86_INS_STAC}},
	K(CLAC) = {IDS, {X86_INS_CLAC}},
};
#undef K

static int is_seg(unsigned r)
{
	return r == X86_REG_ES || r == X86_REG_CS || r == X86_REG_SS || r == X86_REG_DS ||
	       r == X86_REG_FS || r == X86_REG_GS;
}

static int is_cr(unsigned r)
{
	return r >= X86_REG_CR0 && r <= X86_REG_CR15;
}

static int is_dr(unsigned r)
{
	return r >= X86_REG_DR0 && r <= X86_REG_DR15;
}

/* Operand i (capstone order: destination first) is a register of a class. */
static int op_in(const struct insn *in, unsigned i, int (*cls)(unsigned))
{
	return i < in->nops && i < 2 && in->op[i].is_reg && cls(in->op[i].reg);
}

int kind_matches(unsigned kind, const struct insn *in)
{
	if (kind == PREVIRT_AB_KIND_HEADER || kind >= PREVIRT_AB_NKINDS || in->len == 0)
		return 0;
	const struct kind_rule *r = &rules[kind];
	if (r->rule == ANY_MEM)
		return in->has_mem;
	int id_ok = 0;
	for (unsigned i = 0; i < 6 && r->ids[i]; i++)
		id_ok |= r->ids[i] == in->id;
	if (!id_ok)
		return 0;
	switch (r->rule) {
	case TO_CR: return op_in(in, 0, is_cr);
	case FROM_CR: return op_in(in, 1, is_cr);
	case TO_DR: return op_in(in, 0, is_dr);
	case FROM_DR: return op_in(in, 1, is_dr);
	case TO_SEG: return op_in(in, 0, is_seg);
	case FROM_SEG: return op_in(in, 1, is_seg);
	case SEG_OPERAND: return in->nops == 1 && op_in(in, 0, is_seg);
	}
	return 1;
}

unsigned sensitive_kind(const struct insn *in)
{
	for (unsigned k = 1; k < PREVIRT_AB_NKINDS; k++)
		if (k != PREVIRT_AB_KIND_MEM && kind_matches(k, in))
			return k;
	return 0;
}

unsigned pad_pattern(const uint8_t *p, size_t n)
{
	static const struct { unsigned char len, b[7]; } pats[] = {
		{7, {0x0f, 0x1f, 0x80, 0, 0, 0, 0}}, {1, {0x90}}, {2, {0x66, 0x90}},
		{3, {0x0f, 0x1f, 0x00}}, {4, {0x0f, 0x1f, 0x40, 0}}, {5, {0x0f, 0x1f, 0x44, 0, 0}},
		{6, {0x66, 0x0f, 0x1f, 0x44, 0, 0}},
	};
	for (size_t i = 0; i < sizeof pats / sizeof pats[0]; i++)
		if (pats[i].len <= n && memcmp(p, pats[i].b, pats[i].len) == 0)
			return pats[i].len;
	return 0;
}

void hex_bytes(char *out, size_t outsz, const uint8_t *p, size_t n)
{
	size_t k = 0, i;
	out[0] = 0;
	for (i = 0; i < n && k + 8 < outsz; i++)
		k += (size_t)snprintf(out + k, outsz - k, "%s%02x", i ? " " : "", p[i]);
	if (i < n)
		snprintf(out + k, outsz - k, " ...");
}
