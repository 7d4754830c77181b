/* Operand comparison.  Where capstone 4's operand details are known to be
 * wrong or follow another convention, the rule here says so:
 *   - immediates are compared by value within the decoder's operand size;
 *     capstone's immediate sizes are its printing width (the port of
 *     `out $0x80` is 4 bytes to it), not the encoding;
 *   - control and debug register sizes are not compared: capstone 4 gives
 *     cr5 8 bytes in 32-bit code and cr3 4;
 *   - lds/les/lfs/lgs/lss memory: capstone gives the offset's size, not the
 *     far pointer's (6 for m16:32);
 *   - lar/lsl memory: capstone gives the operand size, the SDM says m16;
 *   - far jmp/call through memory: capstone's sizes do not follow the
 *     operand size (m16:64 without REX.W in 64-bit code, 4 for m16:32 in
 *     16-bit code, 6 for m16:16 in 32-bit code);
 *   - capstone lists a direct far pointer as two immediates (selector,
 *     offset);
 *   - ud0/ud1: capstone 4 decodes them without their ModRM operands;
 *   - rdpid: capstone 4 decodes f3 0f c7 /7 as rdseed with the operand size
 *     instead of rdpid's r32/r64;
 *   - a segment override is compared when either side names one, except
 *     es/cs/ss/ds in 64-bit code, which capstone drops (they do nothing). */
#include "compare.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void hex(char *buf, size_t n, const uint8_t *p, size_t len)
{
	size_t o = 0;
	buf[0] = 0;
	for (size_t i = 0; i < len && o + 4 < n; i++)
		o += (size_t)snprintf(buf + o, n - o, "%s%02x", i ? " " : "", p[i]);
}

static void show_opnd(char *buf, size_t n, const struct x86_opnd *o)
{
	static const char *const cls[] = {"r", "b", "seg", "cr", "dr"};
	switch (o->type) {
	case X86_OPND_REG:
		snprintf(buf, n, "%s%u/%u", o->u.reg.cls < 5 ? cls[o->u.reg.cls] : "?", o->u.reg.num,
			 o->size);
		break;
	case X86_OPND_MEM:
		snprintf(buf, n, "mem[seg%u b%u i%u*%u d%#llx a%u%s]/%u", o->u.mem.seg, o->u.mem.base,
			 o->u.mem.index, o->u.mem.scale, (unsigned long long)o->u.mem.disp,
			 o->u.mem.addr_size, o->u.mem.rip_rel ? " rip" : "", o->size);
		break;
	case X86_OPND_IMM:
		snprintf(buf, n, "imm%#llx/%u", (unsigned long long)o->u.imm, o->size);
		break;
	case X86_OPND_FAR:
		snprintf(buf, n, "far%#x:%#x/%u", o->u.far.sel, o->u.far.off, o->size);
		break;
	default:
		snprintf(buf, n, "?");
	}
}

void show_insn(char *buf, size_t n, const struct x86_insn *in)
{
	size_t o = (size_t)snprintf(buf, n, "%s len %u", x86_op_name(in->op), in->len);
	for (unsigned k = 0; k < in->nopnd && o < n; k++) {
		char t[96];
		show_opnd(t, sizeof t, &in->opnd[k]);
		o += (size_t)snprintf(buf + o, n - o, " %s", t);
	}
}

static int fail(char *msg, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *msg, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, n, fmt, ap);
	va_end(ap);
	return -1;
}

static uint64_t mask(unsigned size)
{
	return size >= 8 || size == 0 ? ~0ull : (1ull << (size * 8)) - 1;
}

static int mem_size_checked(const struct x86_insn *in)
{
	switch (in->op) {
	case X86_OP_LDS: case X86_OP_LES: case X86_OP_LFS: case X86_OP_LGS: case X86_OP_LSS:
	case X86_OP_LAR: case X86_OP_LSL:
		return 0;
	case X86_OP_FARJMP: case X86_OP_FARCALL:
		return 0;
	}
	return 1;
}

static int same_seg(const struct x86_insn *in, unsigned mine, unsigned theirs, int string)
{
	if (theirs == X86_SEG_NONE) {
		if (string)
			return 1; /* capstone names es: for the destination only sometimes */
		if (in->seg_override == X86_SEG_NONE)
			return 1;
		return in->mode == X86_MODE64 && in->seg_override < X86_SEG_FS;
	}
	return mine == theirs;
}

static int one(const struct x86_insn *in, unsigned k, const struct x86_opnd *a,
	       const struct ref_opnd *ro, char *msg, size_t n)
{
	const struct x86_opnd *b = &ro->o;
	if (a->type != b->type)
		return fail(msg, n, "operand %u: type %u, capstone %u", k, a->type, b->type);
	switch (a->type) {
	case X86_OPND_REG:
		if (a->u.reg.cls != b->u.reg.cls || a->u.reg.num != b->u.reg.num)
			return fail(msg, n, "operand %u: register class %u num %u, capstone %u %u", k,
				    a->u.reg.cls, a->u.reg.num, b->u.reg.cls, b->u.reg.num);
		if (ro->high8 && in->rex)
			return fail(msg, n, "operand %u: capstone says ah-bh, but there is REX", k);
		if (a->u.reg.cls != X86_RC_CR && a->u.reg.cls != X86_RC_DR && a->size != b->size &&
		    in->op != X86_OP_RDPID)
			return fail(msg, n, "operand %u: register size %u, capstone %u", k, a->size,
				    b->size);
		return 0;
	case X86_OPND_IMM:
		if (((uint64_t)a->u.imm & mask(a->size)) != ((uint64_t)b->u.imm & mask(a->size)))
			return fail(msg, n, "operand %u: immediate %#llx, capstone %#llx", k,
				    (unsigned long long)a->u.imm, (unsigned long long)b->u.imm);
		return 0;
	case X86_OPND_MEM: {
		int string = in->op == X86_OP_INS || in->op == X86_OP_OUTS;
		unsigned base = a->u.mem.rip_rel ? 0xfe : a->u.mem.base;
		if (!same_seg(in, a->u.mem.seg, b->u.mem.seg, string))
			return fail(msg, n, "operand %u: segment %u (override %u), capstone %u", k,
				    a->u.mem.seg, in->seg_override, b->u.mem.seg);
		if (base != b->u.mem.base || a->u.mem.index != b->u.mem.index)
			return fail(msg, n, "operand %u: base %u index %u, capstone %u %u", k, base,
				    a->u.mem.index, b->u.mem.base, b->u.mem.index);
		if (a->u.mem.index != X86_NOREG && a->u.mem.scale != b->u.mem.scale)
			return fail(msg, n, "operand %u: scale %u, capstone %u", k, a->u.mem.scale,
				    b->u.mem.scale);
		uint64_t dm = mask(a->u.mem.addr_size);
		if (((uint64_t)a->u.mem.disp & dm) != ((uint64_t)b->u.mem.disp & dm))
			return fail(msg, n, "operand %u: displacement %#llx, capstone %#llx", k,
				    (unsigned long long)a->u.mem.disp,
				    (unsigned long long)b->u.mem.disp);
		if (mem_size_checked(in) && a->size != b->size)
			return fail(msg, n, "operand %u: memory size %u, capstone %u", k, a->size,
				    b->size);
		return 0;
	}
	}
	return fail(msg, n, "operand %u: unexpected type %u", k, a->type);
}

int compare_operands(const struct x86_insn *in, const struct ref *r, char *msg, size_t n)
{
	if (in->op != r->op)
		return fail(msg, n, "identity %s, capstone %s (%s)", x86_op_name(in->op),
			    x86_op_name(r->op), r->text);
	if (in->op == X86_OP_OTHER || in->op == X86_OP_UD0 || in->op == X86_OP_UD1)
		return 0;
	unsigned rk = 0;
	for (unsigned k = 0; k < in->nopnd; k++) {
		const struct x86_opnd *a = &in->opnd[k];
		if (a->type == X86_OPND_FAR) {
			if (rk + 2 > r->nopnd || r->opnd[rk].o.type != X86_OPND_IMM ||
			    r->opnd[rk + 1].o.type != X86_OPND_IMM)
				return fail(msg, n, "operand %u: far pointer, capstone has no pair", k);
			if ((uint64_t)r->opnd[rk].o.u.imm != a->u.far.sel ||
			    (uint64_t)r->opnd[rk + 1].o.u.imm != a->u.far.off)
				return fail(msg, n, "far pointer %#x:%#x, capstone %#llx:%#llx",
					    a->u.far.sel, a->u.far.off,
					    (unsigned long long)r->opnd[rk].o.u.imm,
					    (unsigned long long)r->opnd[rk + 1].o.u.imm);
			rk += 2;
			continue;
		}
		if (rk >= r->nopnd)
			return fail(msg, n, "%u operands, capstone %u", in->nopnd, r->nopnd);
		if (one(in, k, a, &r->opnd[rk], msg, n))
			return -1;
		rk++;
	}
	if (rk != r->nopnd)
		return fail(msg, n, "%u operands, capstone %u", in->nopnd, r->nopnd);
	return 0;
}
