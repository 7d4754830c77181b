/*
 * The decode loop: prefixes, opcode, table walk, ModRM/SIB/displacement,
 * immediate.  Everything that differs per opcode comes from x86/tables.c;
 * the code here knows only the shape of an instruction.
 */
#include "x86/decode.h"

#include "x86/operand.h"
#include "x86/tables.h"

/* Bytes p[0..lim) may be read; lim is min(n, X86_MAX_LEN).  Asking for more
 * fails with TOOLONG past 15 bytes, else TRUNCATED. */
struct cur {
	const uint8_t *p;
	size_t n;
	unsigned i;
};

static int need(const struct cur *c, unsigned len)
{
	if (len > X86_MAX_LEN)
		return X86_ERR_TOOLONG;
	return len > c->n ? X86_ERR_TRUNCATED : 0;
}

static void clear(struct x86_insn *in, enum x86_mode mode)
{
	in->len = 0;
	in->mode = (uint8_t)mode;
	in->op = X86_OP_OTHER;
	in->map = 0;
	in->vex = 0;
	in->opcode = 0;
	in->prefixes = 0;
	in->seg_override = X86_SEG_NONE;
	in->rex = 0;
	in->has_modrm = in->modrm = in->has_sib = in->sib = 0;
	in->opsize = in->addrsize = 0;
	in->nopnd = 0;
	in->disp_len = in->imm_len = in->disp_off = in->imm_off = 0;
	for (unsigned k = 0; k < 3; k++)
		in->opnd[k].type = X86_OPND_NONE;
}

/* Legacy prefixes and REX.  A REX byte counts only right before the opcode;
 * of several f2/f3 the last is the mandatory prefix of SSE opcodes. */
static int prefixes(struct cur *c, struct x86_insn *in, unsigned *mand)
{
	for (;;) {
		int e = need(c, c->i + 1);
		if (e)
			return e;
		uint8_t b = c->p[c->i];
		if (in->mode == X86_MODE64 && (b & 0xf0) == 0x40) {
			in->rex = b;
			c->i++;
			continue;
		}
		unsigned k = x86_prefix[b];
		if (!k)
			return 0;
		in->rex = 0;
		c->i++;
		if (k <= 1 + X86_SEG_GS)
			in->seg_override = (uint8_t)(k - 1);
		else if (k == X86_PK_66)
			in->prefixes |= X86_PFX_OPSIZE;
		else if (k == X86_PK_67)
			in->prefixes |= X86_PFX_ADSIZE;
		else if (k == X86_PK_LOCK)
			in->prefixes |= X86_PFX_LOCK;
		else if (k == X86_PK_REP)
			in->prefixes |= X86_PFX_REP, *mand = 2;
		else
			in->prefixes |= X86_PFX_REPNE, *mand = 3;
	}
}

static int mode64(const struct x86_insn *in)
{
	return in->mode == X86_MODE64;
}

static unsigned imm_size(unsigned kind, const struct x86_insn *in)
{
	switch (kind) {
	case X86_I_B: return 1;
	case X86_I_W: return 2;
	case X86_I_Z: return in->opsize == 2 ? 2 : 4;
	case X86_I_V: return in->opsize;
	case X86_I_WB: return 3;
	case X86_I_BB: return 2;
	case X86_I_O: return in->addrsize;
	case X86_I_AP: return in->opsize == 2 ? 4 : 6;
	}
	return 0;
}

/* ModRM, SIB and displacement at c->i; fills the memory operand. */
static int modrm(struct cur *c, struct x86_insn *in, int regmod, struct x86_opnd *mem)
{
	unsigned mod = in->modrm >> 6, rm = in->modrm & 7, disp = 0;
	if (mod == 3 || regmod)
		return 0;
	mem->type = X86_OPND_MEM;
	mem->size = 0;
	mem->u.mem.seg = X86_SEG_DS;
	mem->u.mem.base = mem->u.mem.index = X86_NOREG;
	mem->u.mem.scale = 1;
	mem->u.mem.addr_size = in->addrsize;
	mem->u.mem.rip_rel = 0;
	if (in->addrsize == 2) {
		/* bx+si bx+di bp+si bp+di si di bp bx */
		static const uint8_t base16[8] = {3, 3, 5, 5, 6, 7, 5, 3};
		static const uint8_t index16[8] = {6, 7, 6, 7, X86_NOREG, X86_NOREG, X86_NOREG,
						   X86_NOREG};
		disp = mod == 1 ? 1 : mod == 2 || rm == 6 ? 2 : 0;
		if (mod != 0 || rm != 6) {
			mem->u.mem.base = base16[rm];
			mem->u.mem.index = index16[rm];
			if (base16[rm] == 5)
				mem->u.mem.seg = X86_SEG_SS;
		}
	} else {
		unsigned base = rm;
		if (rm == 4) {
			int e = need(c, c->i + 1);
			if (e)
				return e;
			in->has_sib = 1;
			in->sib = c->p[c->i++];
			base = in->sib & 7;
			unsigned index = ((in->sib >> 3) & 7) | (in->rex & 2) << 2;
			if (index != 4)
				mem->u.mem.index = (uint8_t)index;
			mem->u.mem.scale = (uint8_t)(1u << (in->sib >> 6));
		}
		disp = mod == 1 ? 1 : mod == 2 ? 4 : 0;
		if (mod == 0 && base == 5) {
			disp = 4;
			/* no base; without SIB in 64-bit mode: RIP-relative */
			mem->u.mem.rip_rel = rm == 5 && in->mode == X86_MODE64;
		} else {
			mem->u.mem.base = (uint8_t)(base | (in->rex & 1) << 3);
			if (base == 4 || base == 5)
				mem->u.mem.seg = X86_SEG_SS;
		}
	}
	if (in->seg_override != X86_SEG_NONE)
		mem->u.mem.seg = in->seg_override;
	int e = need(c, c->i + disp);
	if (e)
		return e;
	int64_t v = 0;
	for (unsigned k = disp; k > 0; k--)
		v = v << 8 | c->p[c->i + k - 1];
	if (disp == 1)
		v = (int8_t)v;
	else if (disp == 2)
		v = (int16_t)v;
	else if (disp == 4)
		v = (int32_t)v;
	mem->u.mem.disp = v;
	in->disp_off = (uint8_t)c->i;
	in->disp_len = (uint8_t)disp;
	c->i += disp;
	return 0;
}

static int operand_size(const struct x86_insn *in, unsigned flags)
{
	int o16 = (in->prefixes & X86_PFX_OPSIZE) != 0;
	if (in->mode == X86_MODE16)
		return o16 ? 4 : 2;
	if (in->mode == X86_MODE32)
		return o16 ? 2 : 4;
	if ((in->rex & 8) || (flags & X86_T_F64))
		return 8;
	return o16 ? 2 : (flags & X86_T_D64) ? 8 : 4;
}

static int address_size(const struct x86_insn *in)
{
	int a = (in->prefixes & X86_PFX_ADSIZE) != 0;
	if (in->mode == X86_MODE16)
		return a ? 4 : 2;
	if (in->mode == X86_MODE32)
		return a ? 2 : 4;
	return a ? 4 : 8;
}

/* The index a selector picks in its pool run. */
static unsigned pick(unsigned sel, const struct x86_insn *in, unsigned mand)
{
	unsigned reg = (in->modrm >> 3) & 7;
	switch (sel) {
	case X86_S_REG: return reg;
	case X86_S_MODREG: return (in->modrm >= 0xc0 ? 8 : 0) + reg;
	case X86_S_RM: return in->modrm & 7;
	case X86_S_MOD: return in->modrm >= 0xc0;
	case X86_S_PFX: return mand;
	case X86_S_REXB: return in->rex & 1;
	case X86_S_MODE64: return in->mode == X86_MODE64;
	}
	return 0; /* X87, 3DNOW: one entry, checked against their bitmaps */
}

static int x87_defined(const struct x86_insn *in)
{
	unsigned esc = in->opcode - 0xd8;
	if (in->modrm < 0xc0)
		return x86_x87_mem[esc] >> ((in->modrm >> 3) & 7) & 1;
	return (int)(x86_x87_reg[esc] >> (in->modrm & 0x3f) & 1);
}

/* c4/c5 (VEX) and 62 (EVEX), c->i at the byte after the escape: lengths
 * only; the payload's fields are not checked beyond the map. */
static int vex(struct cur *c, struct x86_insn *in, uint8_t esc)
{
	unsigned plen = esc == 0xc5 ? 1 : esc == 0xc4 ? 2 : 3;
	if (in->rex || (in->prefixes & (X86_PFX_OPSIZE | X86_PFX_REP | X86_PFX_REPNE | X86_PFX_LOCK)))
		return X86_ERR_INVALID; /* #UD on every CPU */
	int e = need(c, c->i + plen + 1);
	if (e)
		return e;
	const uint8_t *v = c->p + c->i;
	unsigned map = 1;
	if (esc == 0xc4)
		map = v[0] & 0x1f;
	else if (esc == 0x62) {
		if ((v[0] & 0x0c) || !(v[1] & 0x04))
			return X86_ERR_INVALID;
		map = v[0] & 3;
	}
	if (map < 1 || map > 3)
		return X86_ERR_INVALID;
	in->vex = (uint8_t)(plen + 1);
	in->map = (uint8_t)map;
	c->i += plen;
	in->opcode = c->p[c->i++];
	/* R, X, B (inverted in the prefix; X and B only in 64-bit mode) and W
	 * in REX's bit positions, for the ModRM decoding below */
	if (!(v[0] & 0x80))
		in->rex |= 4;
	if (esc != 0xc5 && mode64(in))
		in->rex |= (uint8_t)((~v[0] >> 5) & 3);
	if (esc != 0xc5 && (v[1] & 0x80))
		in->rex |= 8;
	in->opsize = (uint8_t)operand_size(in, 0);
	unsigned w = in->opcode >> 5, bit = in->opcode & 31;
	struct x86_opnd mem;
	mem.type = X86_OPND_NONE;
	if (x86_vex_modrm[map][w] >> bit & 1) {
		e = need(c, c->i + 1);
		if (e)
			return e;
		in->has_modrm = 1;
		in->modrm = c->p[c->i++];
		e = modrm(c, in, 0, &mem);
		if (e)
			return e;
	}
	unsigned imm = x86_vex_imm[map][w] >> bit & 1;
	e = need(c, c->i + imm);
	if (e)
		return e;
	in->imm_off = (uint8_t)(imm ? c->i : 0);
	in->imm_len = (uint8_t)imm;
	c->i += imm;
	in->rex = 0;
	if (mem.type == X86_OPND_MEM) {
		in->opnd[0] = mem;
		in->nopnd = 1;
	}
	in->len = (uint8_t)c->i;
	return c->i;
}

int x86_decode(const uint8_t *p, size_t n, enum x86_mode mode, struct x86_insn *in)
{
	if (mode != X86_MODE16 && mode != X86_MODE32 && mode != X86_MODE64)
		return X86_ERR_INVALID;
	clear(in, mode);
	struct cur c = {p, n < X86_MAX_LEN ? n : X86_MAX_LEN, 0};
	unsigned mand = 0; /* none, 66, f3, f2 */
	int e = prefixes(&c, in, &mand);
	if (e)
		return e;
	if (mand == 0 && (in->prefixes & X86_PFX_OPSIZE))
		mand = 1;
	in->addrsize = (uint8_t)address_size(in);
	uint8_t b = c.p[c.i++];
	if (b == 0x0f) {
		if ((e = need(&c, c.i + 1)))
			return e;
		b = c.p[c.i++];
		in->map = 1;
		if (b == 0x38 || b == 0x3a) {
			if ((e = need(&c, c.i + 1)))
				return e;
			in->map = b == 0x38 ? 2 : 3;
			b = c.p[c.i++];
		}
	} else if (b == 0xc4 || b == 0xc5 || b == 0x62) {
		/* les/lds/bound outside 64-bit mode unless ModRM says register */
		if ((e = need(&c, c.i + 1)))
			return e;
		if (mode == X86_MODE64 || c.p[c.i] >= 0xc0)
			return vex(&c, in, b);
	}
	in->opcode = b;
	const struct x86_ent *t = &x86_map[in->map][b];
	unsigned flags = t->flags, imm = t->imm, bad = t->pfx;
	const uint16_t *spec = t->o;
	if (flags & X86_T_MODRM) {
		if ((e = need(&c, c.i + 1)))
			return e;
		in->has_modrm = 1;
		in->modrm = c.p[c.i++];
	}
	while (t->sel) {
		unsigned sel = t->sel;
		if (sel == X86_S_X87 && !x87_defined(in))
			return X86_ERR_INVALID;
		t = &x86_pool[t->next + pick(sel, in, mand)];
		flags |= t->flags;
		bad |= t->pfx;
		if (t->imm)
			imm = t->imm;
		if (t->o[0])
			spec = t->o;
	}
	/* A prefix that selects no form of an opcode that has an unprefixed
	 * form is ignored (66 or f3 before an MMX instruction), as the CPUs do. */
	if (!(t->flags & X86_T_OK) || ((bad >> mand & 1) && (bad & X86_P_NONE)))
		return X86_ERR_INVALID;
	if ((flags & X86_T_I64) ? mode == X86_MODE64 : (flags & X86_T_O64) && mode != X86_MODE64)
		return X86_ERR_INVALID;
	int memform = in->has_modrm && in->modrm < 0xc0 && !(flags & X86_T_REGMOD);
	if ((flags & X86_T_MEM) ? !memform : (flags & X86_T_REG) && memform)
		return X86_ERR_INVALID;
	if ((in->prefixes & X86_PFX_LOCK) && !((flags & X86_T_LOCK) && memform))
		return X86_ERR_INVALID;
	in->op = t->op;
	in->opsize = (uint8_t)operand_size(in, flags);
	struct x86_opnd mem;
	mem.type = X86_OPND_NONE;
	if (in->has_modrm && (e = modrm(&c, in, flags & X86_T_REGMOD, &mem)))
		return e;
	unsigned il = imm_size(imm, in);
	if ((e = need(&c, c.i + il)))
		return e;
	in->imm_off = (uint8_t)(il ? c.i : 0);
	in->imm_len = (uint8_t)il;
	c.i += il;
	if (in->map == 1 && b == 0x0f && !(x86_3dnow[c.p[c.i - 1] >> 5] >> (c.p[c.i - 1] & 31) & 1))
		return X86_ERR_INVALID;
	in->len = (uint8_t)c.i;
	if (in->op == X86_OP_OTHER) {
		if (mem.type == X86_OPND_MEM) {
			mem.size = 0;
			in->opnd[0] = mem;
			in->nopnd = 1;
		}
		return c.i;
	}
	if (x86_operands(in, spec, &mem, p))
		return X86_ERR_INVALID;
	return c.i;
}
