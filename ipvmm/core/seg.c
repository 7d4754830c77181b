#include "seg.h"

int seg_fetch(struct vcpu *v, uint16_t sel, uint32_t *lo, uint32_t *hi)
{
	const struct vdtr *t = &v->gdtr;
	struct vdtr ldt;
	if (sel & 4) {
		if (!v->ldtr.usable)
			return 1;
		ldt = (struct vdtr){v->ldtr.base, (uint16_t)(v->ldtr.limit > 0xffff ? 0xffff : v->ldtr.limit)};
		if (v->ldtr.limit > 0xffff)
			ldt.limit = 0xffff;
		t = &ldt;
	} else if ((sel & ~3u) == 0) {
		return 1;
	}
	uint32_t off = sel & ~7u;
	if (off + 7 > t->limit)
		return 1;
	uint32_t d[2];
	if (vmem_read(v, t->base + off, d, 8, 1))
		return -1;
	*lo = d[0];
	*hi = d[1];
	return 0;
}

int seg_store_hi(struct vcpu *v, uint16_t sel, uint32_t hi)
{
	uint32_t base = sel & 4 ? v->ldtr.base : v->gdtr.base;
	return vmem_write(v, base + (sel & ~7u) + 4, &hi, 4, 1);
}

void seg_from_desc(struct vseg *s, uint16_t sel, uint32_t lo, uint32_t hi)
{
	s->sel = sel;
	s->base = (lo >> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000u);
	uint32_t limit = (lo & 0xffff) | (hi & 0xf0000u);
	s->limit = hi & DESC_G ? (limit << 12) | 0xfff : limit;
	s->desc_hi = hi;
	s->usable = 1;
}

static void mark_accessed(struct vcpu *v, uint16_t sel, uint32_t *hi)
{
	if ((*hi & DESC_S) && !(*hi & DESC_A)) {
		*hi |= DESC_A;
		seg_store_hi(v, sel, *hi);
	}
}

int seg_load_data(struct vcpu *v, unsigned seg, uint16_t sel)
{
	unsigned rpl = sel & 3u;
	uint32_t lo, hi;
	uint32_t errsel = sel & 0xfffcu;
	if ((sel & ~3u) == 0 && !(sel & 4)) {
		if (seg == S_SS) {
			vcpu_raise(v, 13, 1, 0);
			return -1;
		}
		v->seg[seg] = (struct vseg){.sel = sel};
		v->ops->seg_loaded(v->ctx, seg);
		return 0;
	}
	int r = seg_fetch(v, sel, &lo, &hi);
	if (r < 0)
		return -1;
	if (r > 0) {
		vcpu_raise(v, 13, 1, errsel);
		return -1;
	}
	unsigned dpl = DESC_DPL(hi), type = DESC_TYPE(hi);
	if (seg == S_SS) {
		/* writable data, RPL = DPL = CPL */
		if (!DESC_DATA(hi) || !(type & 2) || rpl != v->cpl || dpl != v->cpl) {
			vcpu_raise(v, 13, 1, errsel);
			return -1;
		}
		if (!(hi & DESC_P)) {
			vcpu_raise(v, 12, 1, errsel);
			return -1;
		}
	} else {
		/* data or readable code; conforming code skips the privilege test */
		int conforming = DESC_CODE(hi) && (type & 4);
		if (!(hi & DESC_S) || (DESC_CODE(hi) && !(type & 2)) ||
		    (!conforming && (rpl > dpl || v->cpl > dpl))) {
			vcpu_raise(v, 13, 1, errsel);
			return -1;
		}
		if (!(hi & DESC_P)) {
			vcpu_raise(v, 11, 1, errsel);
			return -1;
		}
	}
	mark_accessed(v, sel, &hi);
	seg_from_desc(&v->seg[seg], sel, lo, hi);
	v->ops->seg_loaded(v->ctx, seg);
	return 0;
}

int seg_check_code(struct vcpu *v, uint16_t sel, int is_ret, uint32_t *lo, uint32_t *hi)
{
	uint32_t errsel = sel & 0xfffcu;
	int r = seg_fetch(v, sel, lo, hi);
	if (r < 0)
		return -1;
	if (r > 0 || !DESC_CODE(*hi)) {
		if (r == 0 && !(*hi & DESC_S))
			vcpu_fail(v, STOP_UNIMPLEMENTED,
				  "far transfer through system descriptor %#x (call/task gate) at eip %#x", sel,
				  v->eip);
		vcpu_raise(v, 13, 1, errsel);
		return -1;
	}
	unsigned dpl = DESC_DPL(*hi), rpl = sel & 3u, conforming = DESC_TYPE(*hi) & 4;
	int ok;
	if (is_ret) /* to the same or an outer level */
		ok = rpl >= v->cpl && (conforming ? dpl <= rpl : dpl == rpl);
	else
		ok = conforming ? dpl <= v->cpl : (rpl <= v->cpl && dpl == v->cpl);
	if (!ok) {
		vcpu_raise(v, 13, 1, errsel);
		return -1;
	}
	if (!(*hi & DESC_P)) {
		vcpu_raise(v, 11, 1, errsel);
		return -1;
	}
	return 0;
}

void seg_load_cs(struct vcpu *v, uint16_t sel, uint32_t lo, uint32_t hi, unsigned cpl)
{
	mark_accessed(v, sel, &hi);
	seg_from_desc(&v->seg[S_CS], (uint16_t)((sel & ~3u) | cpl), lo, hi);
	unsigned old = v->cpl;
	v->cpl = cpl;
	v->ops->seg_loaded(v->ctx, S_CS);
	if (old != cpl)
		v->ops->cpl_changed(v->ctx);
}

/* The selector operand of lar/lsl/verr/verw, from a register or memory. */
static int selector_operand(struct vcpu *v, const struct x86_opnd *o, uint16_t *sel);

static int visible(struct vcpu *v, uint16_t sel, uint32_t *lo, uint32_t *hi)
{
	if (seg_fetch(v, sel, lo, hi))
		return 0;
	unsigned dpl = DESC_DPL(*hi), rpl = sel & 3u;
	int conforming = DESC_CODE(*hi) && (DESC_TYPE(*hi) & 4);
	return conforming || (dpl >= v->cpl && dpl >= rpl);
}

void seg_lar_lsl(struct vcpu *v, const struct x86_insn *in)
{
	uint16_t sel;
	uint32_t lo, hi;
	if (selector_operand(v, &in->opnd[1], &sel))
		return;
	int ok = visible(v, sel, &lo, &hi);
	if (ok && !(hi & DESC_S)) {
		/* system types lar/lsl accept: TSS (1,3,9,11), LDT (2), gates for lar only */
		unsigned t = DESC_TYPE(hi);
		int tss_ldt = t == 1 || t == 2 || t == 3 || t == 9 || t == 11;
		int gate = t == 4 || t == 5 || t == 12;
		ok = tss_ldt || (in->op == X86_OP_LAR && gate);
	}
	if (!ok) {
		v->eflags &= ~EFL_ZF;
		return;
	}
	v->eflags |= EFL_ZF;
	uint32_t val;
	if (in->op == X86_OP_LAR) {
		val = hi & 0x00f0ff00u;
	} else {
		struct vseg s;
		seg_from_desc(&s, sel, lo, hi);
		val = s.limit;
	}
	unsigned r = in->opnd[0].u.reg.num;
	if (in->opsize == 2)
		v->gpr[r] = (v->gpr[r] & 0xffff0000u) | (val & 0xffff);
	else
		v->gpr[r] = val;
}

void seg_verr_verw(struct vcpu *v, const struct x86_insn *in)
{
	uint16_t sel;
	uint32_t lo, hi;
	if (selector_operand(v, &in->opnd[0], &sel))
		return;
	int ok = visible(v, sel, &lo, &hi) && (hi & DESC_S);
	if (ok) {
		unsigned t = DESC_TYPE(hi);
		if (in->op == X86_OP_VERR)
			ok = DESC_DATA(hi) || (t & 2); /* data, or readable code */
		else
			ok = DESC_DATA(hi) && (t & 2); /* writable data */
	}
	if (ok)
		v->eflags |= EFL_ZF;
	else
		v->eflags &= ~EFL_ZF;
}

/* shared with emulate.c through this small hook */
int emu_read_operand(struct vcpu *v, const struct x86_opnd *o, uint32_t *val);

static int selector_operand(struct vcpu *v, const struct x86_opnd *o, uint16_t *sel)
{
	uint32_t val;
	if (emu_read_operand(v, o, &val))
		return -1;
	*sel = (uint16_t)val;
	return 0;
}
