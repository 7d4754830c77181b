/*
 * Operand specifications to operands.  Register numbers take their fourth
 * bit from REX (R for ModRM reg, B for ModRM rm and opcode registers).
 */
#include "x86/operand.h"

#include "x86/tables.h"

static unsigned size_of(unsigned z, const struct x86_insn *in, int is_mem)
{
	int m64 = in->mode == X86_MODE64;
	switch (z) {
	case X86_Z_B: return 1;
	case X86_Z_W: return 2;
	case X86_Z_D: return 4;
	case X86_Z_V: return in->opsize;
	case X86_Z_Z: return in->opsize > 4 ? 4 : in->opsize;
	case X86_Z_Y: return m64 ? 8 : 4;
	case X86_Z_WV: return is_mem ? 2 : in->opsize;
	case X86_Z_WZ: return is_mem ? 2 : in->opsize > 4 ? 4 : in->opsize;
	case X86_Z_P: return in->opsize + 2u;
	case X86_Z_S: return m64 ? 10 : 6;
	case X86_Z_DQ: return 16;
	case X86_Z_RY: return (in->rex & 8) ? 8 : 4;
	}
	return 0;
}

/* A general register of the given width; byte registers 4-7 are ah-bh
 * unless a REX prefix is present. */
static void gpr(struct x86_opnd *o, unsigned num, unsigned size)
{
	o->type = X86_OPND_REG;
	o->size = (uint8_t)size;
	o->u.reg.cls = size == 1 ? X86_RC_GPR8 : X86_RC_GPR;
	o->u.reg.num = (uint8_t)num;
}

static void other_reg(struct x86_opnd *o, unsigned cls, unsigned num, unsigned size)
{
	o->type = X86_OPND_REG;
	o->size = (uint8_t)size;
	o->u.reg.cls = (uint8_t)cls;
	o->u.reg.num = (uint8_t)num;
}

static uint64_t le(const uint8_t *p, unsigned len)
{
	uint64_t v = 0;
	for (unsigned k = len; k > 0; k--)
		v = v << 8 | p[k - 1];
	return v;
}

static int64_t sext(uint64_t v, unsigned len)
{
	if (len == 0 || len >= 8)
		return (int64_t)v;
	uint64_t sign = 1ull << (len * 8 - 1);
	return (int64_t)((v ^ sign) - sign);
}

/* String operand: es:di or seg:si at the address size. */
static void string(struct x86_opnd *o, const struct x86_insn *in, unsigned seg, unsigned reg,
		   unsigned size)
{
	o->type = X86_OPND_MEM;
	o->size = (uint8_t)size;
	o->u.mem.seg = (uint8_t)seg;
	o->u.mem.base = (uint8_t)reg;
	o->u.mem.index = X86_NOREG;
	o->u.mem.scale = 1;
	o->u.mem.addr_size = in->addrsize;
	o->u.mem.rip_rel = 0;
	o->u.mem.disp = 0;
}

int x86_operands(struct x86_insn *in, const uint16_t *spec, const struct x86_opnd *mem,
		 const uint8_t *p)
{
	unsigned reg = (in->modrm >> 3) & 7, rm = in->modrm & 7;
	unsigned rexr = (in->rex & 4) << 1, rexb = (in->rex & 1) << 3;
	uint64_t raw = le(p + in->imm_off, in->imm_len);
	unsigned k;
	for (k = 0; k < 3 && spec[k]; k++) {
		struct x86_opnd *o = &in->opnd[k];
		unsigned kind = spec[k] >> 8, z = spec[k] & 0xff;
		int is_mem = mem->type == X86_OPND_MEM;
		unsigned size = size_of(z, in, is_mem);
		switch (kind) {
		case X86_K_E:
		case X86_K_M:
		case X86_K_R:
			if (is_mem) {
				*o = *mem;
				o->size = (uint8_t)size;
			} else {
				gpr(o, rm | rexb, size);
			}
			break;
		case X86_K_G:
			gpr(o, reg | rexr, size);
			break;
		case X86_K_SEG:
			/* REX.R makes 8-15, which do not exist (as capstone 4 says) */
			if ((reg | rexr) > X86_SEG_GS)
				return -1;
			other_reg(o, X86_RC_SEG, reg, 2);
			break;
		case X86_K_CR:
			other_reg(o, X86_RC_CR, reg | rexr, size);
			break;
		case X86_K_DR:
			other_reg(o, X86_RC_DR, reg | rexr, size);
			break;
		case X86_K_Z:
			gpr(o, (in->opcode & 7u) | rexb, size);
			break;
		case X86_K_ACC:
			gpr(o, 0, size);
			break;
		case X86_K_DX:
			gpr(o, 2, 2);
			break;
		case X86_K_IMM:
		case X86_K_UIMM:
			o->type = X86_OPND_IMM;
			o->size = (uint8_t)size;
			o->u.imm = kind == X86_K_IMM ? sext(raw, in->imm_len) : (int64_t)raw;
			break;
		case X86_K_MOFFS:
			string(o, in, in->seg_override != X86_SEG_NONE ? in->seg_override : X86_SEG_DS,
			       X86_NOREG, size);
			o->u.mem.disp = (int64_t)raw;
			break;
		case X86_K_FAR:
			o->type = X86_OPND_FAR;
			o->size = (uint8_t)size;
			o->u.far.off = (uint32_t)le(p + in->imm_off, in->imm_len - 2u);
			o->u.far.sel = (uint16_t)le(p + in->imm_off + in->imm_len - 2, 2);
			break;
		case X86_K_SRC:
			string(o, in, in->seg_override != X86_SEG_NONE ? in->seg_override : X86_SEG_DS,
			       6, size);
			break;
		case X86_K_DST:
			string(o, in, X86_SEG_ES, 7, size);
			break;
		case X86_K_FIXSEG:
			other_reg(o, X86_RC_SEG, z, 2);
			break;
		}
	}
	in->nopnd = (uint8_t)k;
	return 0;
}
