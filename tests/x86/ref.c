/* capstone 4 as the reference.  The identity is decided from capstone's
 * instruction id and operands (a mov whose operand is a control register
 * is mov_to_cr or mov_from_cr), never from the bytes, so the comparison
 * does not restate the decoder's own tables.  The exceptions are the
 * instructions capstone 4 misnames (f3 0f c7 /7 is rdpid, not rdseed;
 * f3 0f 09 is wbnoinvd, not wbinvd): the f3 prefix decides those, and
 * diverge.c says why. */
/* capstone's enum x86_insn has the name of the decoder's struct */
#define x86_insn capstone_x86_insn
#include <capstone/capstone.h>
#undef x86_insn

#include "ref.h"
#include <stdio.h>
#include <string.h>

static csh cs[3];
static cs_insn *ci[3];

static int mode_index(int mode)
{
	return mode == 16 ? 0 : mode == 32 ? 1 : 2;
}

int ref_init(void)
{
	static const cs_mode modes[3] = {CS_MODE_16, CS_MODE_32, CS_MODE_64};
	for (int i = 0; i < 3; i++) {
		if (cs_open(CS_ARCH_X86, modes[i], &cs[i]) != CS_ERR_OK)
			return -1;
		cs_option(cs[i], CS_OPT_DETAIL, CS_OPT_ON);
		ci[i] = cs_malloc(cs[i]);
		if (!ci[i])
			return -1;
	}
	return 0;
}

void ref_fini(void)
{
	for (int i = 0; i < 3; i++) {
		if (ci[i])
			cs_free(ci[i], 1);
		ci[i] = NULL;
		if (cs[i])
			cs_close(&cs[i]);
	}
}

#define OP(n) X86_OP_##n
static const struct {
	unsigned id, op;
} by_id[] = {
	{X86_INS_CLI, OP(CLI)}, {X86_INS_STI, OP(STI)}, {X86_INS_PUSHF, OP(PUSHF)},
	{X86_INS_PUSHFD, OP(PUSHF)}, {X86_INS_PUSHFQ, OP(PUSHF)}, {X86_INS_POPF, OP(POPF)},
	{X86_INS_POPFD, OP(POPF)}, {X86_INS_POPFQ, OP(POPF)}, {X86_INS_IRET, OP(IRET)},
	{X86_INS_IRETD, OP(IRET)}, {X86_INS_IRETQ, OP(IRET)}, {X86_INS_RETF, OP(LRET)},
	{X86_INS_RETFQ, OP(LRET)}, {X86_INS_LJMP, OP(FARJMP)}, {X86_INS_LCALL, OP(FARCALL)},
	{X86_INS_INT, OP(INT)}, {X86_INS_INT3, OP(INT3)}, {X86_INS_INT1, OP(INT1)},
	{X86_INS_INTO, OP(INTO)}, {X86_INS_HLT, OP(HLT)}, {X86_INS_IN, OP(IN)},
	{X86_INS_OUT, OP(OUT)}, {X86_INS_INSB, OP(INS)}, {X86_INS_INSW, OP(INS)},
	{X86_INS_INSD, OP(INS)}, {X86_INS_OUTSB, OP(OUTS)}, {X86_INS_OUTSW, OP(OUTS)},
	{X86_INS_OUTSD, OP(OUTS)}, {X86_INS_CPUID, OP(CPUID)}, {X86_INS_RDMSR, OP(RDMSR)},
	{X86_INS_WRMSR, OP(WRMSR)}, {X86_INS_RDTSC, OP(RDTSC)}, {X86_INS_RDTSCP, OP(RDTSCP)},
	{X86_INS_RDPMC, OP(RDPMC)}, {X86_INS_LDS, OP(LDS)}, {X86_INS_LES, OP(LES)},
	{X86_INS_LFS, OP(LFS)}, {X86_INS_LGS, OP(LGS)}, {X86_INS_LSS, OP(LSS)},
	{X86_INS_LGDT, OP(LGDT)}, {X86_INS_LIDT, OP(LIDT)}, {X86_INS_LLDT, OP(LLDT)},
	{X86_INS_LTR, OP(LTR)}, {X86_INS_SGDT, OP(SGDT)}, {X86_INS_SIDT, OP(SIDT)},
	{X86_INS_SLDT, OP(SLDT)}, {X86_INS_STR, OP(STR)}, {X86_INS_SMSW, OP(SMSW)},
	{X86_INS_LMSW, OP(LMSW)}, {X86_INS_CLTS, OP(CLTS)}, {X86_INS_INVLPG, OP(INVLPG)},
	{X86_INS_INVD, OP(INVD)}, {X86_INS_WBINVD, OP(WBINVD)}, {X86_INS_LAR, OP(LAR)},
	{X86_INS_LSL, OP(LSL)}, {X86_INS_VERR, OP(VERR)}, {X86_INS_VERW, OP(VERW)},
	{X86_INS_SWAPGS, OP(SWAPGS)}, {X86_INS_SYSRET, OP(SYSRET)},
	{X86_INS_SYSEXIT, OP(SYSEXIT)}, {X86_INS_SYSENTER, OP(SYSENTER)},
	{X86_INS_SYSCALL, OP(SYSCALL)}, {X86_INS_XSETBV, OP(XSETBV)}, {X86_INS_UD2, OP(UD2)},
	{X86_INS_UD2B, OP(UD1)}, {X86_INS_UD0, OP(UD0)}, {X86_INS_MONITOR, OP(MONITOR)},
	{X86_INS_MWAIT, OP(MWAIT)}, {X86_INS_INVPCID, OP(INVPCID)},
	{X86_INS_RDFSBASE, OP(RDFSBASE)}, {X86_INS_RDGSBASE, OP(RDGSBASE)},
	{X86_INS_WRFSBASE, OP(WRFSBASE)}, {X86_INS_WRGSBASE, OP(WRGSBASE)},
	{X86_INS_STAC, OP(STAC)}, {X86_INS_CLAC, OP(CLAC)}, {X86_INS_MOV, OP(MOV)},
	{X86_INS_MOVABS, OP(MOV)}, {X86_INS_MOVZX, OP(MOVZX)}, {X86_INS_MOVSX, OP(MOVSX)},
	{X86_INS_XCHG, OP(XCHG)}, {X86_INS_TEST, OP(TEST)}, {X86_INS_AND, OP(AND)},
	{X86_INS_OR, OP(OR)}, {X86_INS_PUSH, OP(OTHER)}, {X86_INS_POP, OP(OTHER)},
};

/* capstone register -> class, number, size, high byte register */
static int reg_of(unsigned r, struct ref_opnd *o)
{
	static const unsigned gpr64[16] = {
		X86_REG_RAX, X86_REG_RCX, X86_REG_RDX, X86_REG_RBX, X86_REG_RSP, X86_REG_RBP,
		X86_REG_RSI, X86_REG_RDI, X86_REG_R8, X86_REG_R9, X86_REG_R10, X86_REG_R11,
		X86_REG_R12, X86_REG_R13, X86_REG_R14, X86_REG_R15};
	static const unsigned gpr32[16] = {
		X86_REG_EAX, X86_REG_ECX, X86_REG_EDX, X86_REG_EBX, X86_REG_ESP, X86_REG_EBP,
		X86_REG_ESI, X86_REG_EDI, X86_REG_R8D, X86_REG_R9D, X86_REG_R10D, X86_REG_R11D,
		X86_REG_R12D, X86_REG_R13D, X86_REG_R14D, X86_REG_R15D};
	static const unsigned gpr16[16] = {
		X86_REG_AX, X86_REG_CX, X86_REG_DX, X86_REG_BX, X86_REG_SP, X86_REG_BP,
		X86_REG_SI, X86_REG_DI, X86_REG_R8W, X86_REG_R9W, X86_REG_R10W, X86_REG_R11W,
		X86_REG_R12W, X86_REG_R13W, X86_REG_R14W, X86_REG_R15W};
	static const unsigned gpr8[16] = {
		X86_REG_AL, X86_REG_CL, X86_REG_DL, X86_REG_BL, X86_REG_SPL, X86_REG_BPL,
		X86_REG_SIL, X86_REG_DIL, X86_REG_R8B, X86_REG_R9B, X86_REG_R10B, X86_REG_R11B,
		X86_REG_R12B, X86_REG_R13B, X86_REG_R14B, X86_REG_R15B};
	static const unsigned high[4] = {X86_REG_AH, X86_REG_CH, X86_REG_DH, X86_REG_BH};
	static const unsigned seg[6] = {X86_REG_ES, X86_REG_CS, X86_REG_SS,
					X86_REG_DS, X86_REG_FS, X86_REG_GS};
	struct x86_opnd *x = &o->o;
	x->type = X86_OPND_REG;
	for (unsigned i = 0; i < 16; i++) {
		const struct {
			const unsigned *v;
			unsigned cls, size;
		} w[4] = {{gpr64, X86_RC_GPR, 8}, {gpr32, X86_RC_GPR, 4}, {gpr16, X86_RC_GPR, 2},
			  {gpr8, X86_RC_GPR8, 1}};
		for (unsigned k = 0; k < 4; k++)
			if (w[k].v[i] == r) {
				x->u.reg.cls = (uint8_t)w[k].cls;
				x->u.reg.num = (uint8_t)i;
				x->size = (uint8_t)w[k].size;
				return 0;
			}
		if (r == X86_REG_CR0 + i || r == X86_REG_DR0 + i) {
			x->u.reg.cls = r == X86_REG_CR0 + i ? X86_RC_CR : X86_RC_DR;
			x->u.reg.num = (uint8_t)i;
			return 0;
		}
		if (i < 4 && r == high[i]) {
			x->u.reg.cls = X86_RC_GPR8;
			x->u.reg.num = (uint8_t)(4 + i);
			x->size = 1;
			o->high8 = 1;
			return 0;
		}
		if (i < 6 && r == seg[i]) {
			x->u.reg.cls = X86_RC_SEG;
			x->u.reg.num = (uint8_t)i;
			x->size = 2;
			return 0;
		}
	}
	return -1;
}

/* A general register's number for a memory operand; X86_NOREG for none,
 * 0xfe for the instruction pointer. */
static unsigned addr_reg(unsigned r)
{
	struct ref_opnd t;
	if (r == X86_REG_INVALID)
		return X86_NOREG;
	if (r == X86_REG_RIP || r == X86_REG_EIP || r == X86_REG_IP)
		return 0xfe;
	if (reg_of(r, &t) || t.o.u.reg.cls != X86_RC_GPR)
		return 0xfd;
	return t.o.u.reg.num;
}

static unsigned seg_of(unsigned r)
{
	struct ref_opnd t;
	if (r == X86_REG_INVALID || reg_of(r, &t) || t.o.u.reg.cls != X86_RC_SEG)
		return X86_SEG_NONE;
	return t.o.u.reg.num;
}

static unsigned identity(const cs_insn *c, const struct ref *r, int f3)
{
	unsigned op = OP(OTHER);
	for (size_t i = 0; i < sizeof by_id / sizeof by_id[0]; i++)
		if (by_id[i].id == c->id)
			op = by_id[i].op;
	int seg = -1, cr = -1, dr = -1;
	for (unsigned k = 0; k < r->nopnd; k++) {
		const struct x86_opnd *o = &r->opnd[k].o;
		if (o->type != X86_OPND_REG)
			continue;
		if (o->u.reg.cls == X86_RC_SEG && seg < 0)
			seg = (int)k;
		if (o->u.reg.cls == X86_RC_CR)
			cr = (int)k;
		if (o->u.reg.cls == X86_RC_DR)
			dr = (int)k;
	}
	if (c->id == X86_INS_MOV) {
		if (cr >= 0)
			return cr == 0 ? OP(MOV_TO_CR) : OP(MOV_FROM_CR);
		if (dr >= 0)
			return dr == 0 ? OP(MOV_TO_DR) : OP(MOV_FROM_DR);
		if (seg >= 0)
			return seg == 0 ? OP(MOV_TO_SEG) : OP(MOV_FROM_SEG);
	}
	if ((c->id == X86_INS_PUSH || c->id == X86_INS_POP) && seg == 0)
		return c->id == X86_INS_PUSH ? OP(PUSH_SEG) : OP(POP_SEG);
	if (f3 && c->id == X86_INS_RDSEED && c->detail->x86.opcode[1] == 0xc7)
		return OP(RDPID);
	if (f3 && c->id == X86_INS_WBINVD)
		return OP(WBNOINVD);
	return op;
}

void ref_decode(int mode, const uint8_t *p, size_t n, struct ref *r)
{
	int m = mode_index(mode);
	const uint8_t *code = p;
	size_t size = n < 15 ? n : 15;
	uint64_t addr = 0;
	memset(r, 0, sizeof *r);
	if (!cs_disasm_iter(cs[m], &code, &size, &addr, ci[m]))
		return;
	const cs_insn *c = ci[m];
	const cs_x86 *x = &c->detail->x86;
	r->len = c->size;
	r->id = c->id;
	snprintf(r->text, sizeof r->text, "%s%s%s", c->mnemonic, c->op_str[0] ? " " : "", c->op_str);
	for (unsigned k = 0; k < x->op_count && k < 8; k++) {
		const cs_x86_op *co = &x->operands[k];
		struct ref_opnd *o = &r->opnd[r->nopnd++];
		o->o.size = co->size;
		if (co->type == X86_OP_REG) {
			if (reg_of(co->reg, o))
				o->o.type = 0xff; /* a register the decoder has no class for */
			o->o.size = co->size;
		} else if (co->type == X86_OP_IMM) {
			o->o.type = X86_OPND_IMM;
			o->o.u.imm = co->imm;
		} else if (co->type == X86_OP_MEM) {
			o->o.type = X86_OPND_MEM;
			o->o.u.mem.seg = (uint8_t)seg_of(co->mem.segment);
			o->o.u.mem.base = (uint8_t)addr_reg(co->mem.base);
			o->o.u.mem.index = (uint8_t)addr_reg(co->mem.index);
			o->o.u.mem.scale = (uint8_t)co->mem.scale;
			o->o.u.mem.disp = co->mem.disp;
		} else {
			o->o.type = 0xff;
		}
	}
	/* capstone 4 does not always record the f3 (wbinvd) */
	int f3 = 0;
	for (unsigned k = 0; k < (unsigned)r->len && k + 1 < (unsigned)r->len; k++) {
		uint8_t b = p[k];
		if (b == 0xf3)
			f3 = 1;
		else if (!(b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e || b == 0x64 ||
			   b == 0x65 || b == 0x66 || b == 0x67 || b == 0xf0 || b == 0xf2 ||
			   (mode == 64 && (b & 0xf0) == 0x40)))
			break;
	}
	r->op = identity(c, r, f3);
}
