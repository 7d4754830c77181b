/* Exceptions and interrupts through the guest's own IDT, and the returns
 * from them (iret) and from far calls (lret): the privilege changes of an
 * i386 in protected mode, with the stack switch through the TSS. */
#include <stdarg.h>
#include <stdio.h>

#include "intr.h"
#include "seg.h"

void vcpu_raise(struct vcpu *v, unsigned vector, int has_err, uint32_t err)
{
	v->exc_vector = (int)vector;
	v->exc_has_err = has_err;
	v->exc_err = err;
}

void vcpu_page_fault(struct vcpu *v, uint32_t la, uint32_t err)
{
	v->cr2 = la;
	vcpu_raise(v, 14, 1, err);
}

int vcpu_fail(struct vcpu *v, enum vcpu_stop why, const char *fmt, ...)
{
	if (v->stop == STOP_NONE) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(v->why, sizeof v->why, fmt, ap);
		va_end(ap);
		v->stop = why;
	}
	return -1;
}

static uint32_t sp_la(struct vcpu *v, uint32_t esp)
{
	return v->seg[S_SS].base + esp;
}

int intr_push(struct vcpu *v, uint32_t val)
{
	uint32_t esp = v->gpr[R_ESP] - 4;
	if (vmem_write(v, sp_la(v, esp), &val, 4, v->cpl < 3))
		return -1;
	v->gpr[R_ESP] = esp;
	return 0;
}

int intr_pop(struct vcpu *v, uint32_t *val)
{
	if (vmem_read(v, sp_la(v, v->gpr[R_ESP]), val, 4, v->cpl < 3))
		return -1;
	v->gpr[R_ESP] += 4;
	return 0;
}

/* Delivers vector vec with the current eip as the return address. */
static int deliver(struct vcpu *v, unsigned vec, int has_err, uint32_t err, int soft)
{
	uint32_t g[2];
	uint32_t gate_err = vec * 8 + 2;
	if (vec * 8 + 7 > v->idtr.limit) {
		vcpu_raise(v, 13, 1, gate_err);
		return -1;
	}
	if (vmem_read(v, v->idtr.base + vec * 8, g, 8, 1))
		return -1;
	unsigned type = (g[1] >> 8) & 0x1f, gdpl = (g[1] >> 13) & 3;
	if (type != 0x0e && type != 0x0f)
		return vcpu_fail(v, STOP_UNIMPLEMENTED,
				 "vector %u: IDT gate type %#x (task or 16-bit gate) is not implemented", vec, type);
	if (soft && gdpl < v->cpl) {
		vcpu_raise(v, 13, 1, gate_err);
		return -1;
	}
	if (!(g[1] & 0x8000)) {
		vcpu_raise(v, 11, 1, gate_err);
		return -1;
	}
	uint16_t sel = (uint16_t)(g[0] >> 16);
	uint32_t off = (g[0] & 0xffff) | (g[1] & 0xffff0000u), lo, hi;
	int r = seg_fetch(v, sel, &lo, &hi);
	if (r < 0)
		return -1;
	if (r > 0 || !DESC_CODE(hi) || DESC_DPL(hi) > v->cpl) {
		vcpu_raise(v, 13, 1, sel & 0xfffcu);
		return -1;
	}
	if (!(hi & DESC_P)) {
		vcpu_raise(v, 11, 1, sel & 0xfffcu);
		return -1;
	}
	unsigned new_cpl = (DESC_TYPE(hi) & 4) ? v->cpl : DESC_DPL(hi);
	uint32_t old_eflags = v->eflags, old_esp = v->gpr[R_ESP];
	uint16_t old_cs = v->seg[S_CS].sel, old_ss = v->seg[S_SS].sel;
	struct vseg saved_ss = v->seg[S_SS];
	unsigned old_cpl = v->cpl;
	if (new_cpl < v->cpl) {
		if (new_cpl != 0)
			return vcpu_fail(v, STOP_UNIMPLEMENTED, "interrupt to ring %u", new_cpl);
		uint32_t tss[3];
		if (!v->tr.usable || v->tr.limit < 11)
			return vcpu_fail(v, STOP_UNIMPLEMENTED,
					 "vector %u from ring %u with no usable TSS loaded", vec, v->cpl);
		if (vmem_read(v, v->tr.base, tss, 12, 1))
			return -1;
		v->cpl = 0; /* the new stack is checked and written at the new level */
		if (seg_load_data(v, S_SS, (uint16_t)tss[2])) {
			v->cpl = old_cpl;
			if (v->exc_vector == 13 || v->exc_vector == 12)
				v->exc_vector = 10; /* invalid TSS */
			return -1;
		}
		v->gpr[R_ESP] = tss[1];
		if (intr_push(v, old_ss) || intr_push(v, old_esp))
			goto undo;
	}
	unsigned save_cpl = v->cpl;
	v->cpl = new_cpl;
	if (intr_push(v, old_eflags) || intr_push(v, old_cs) || intr_push(v, v->eip) ||
	    (has_err && intr_push(v, err))) {
		v->cpl = save_cpl;
		goto undo;
	}
	v->cpl = old_cpl;
	seg_load_cs(v, sel, lo, hi, new_cpl);
	v->eip = off;
	v->eflags &= ~(EFL_TF | EFL_NT | EFL_RF | EFL_VM);
	if (type == 0x0e)
		v->eflags &= ~EFL_IF;
	return 0;
undo:
	v->cpl = old_cpl;
	v->seg[S_SS] = saved_ss;
	v->gpr[R_ESP] = old_esp;
	v->ops->seg_loaded(v->ctx, S_SS);
	return -1;
}

int intr_soft(struct vcpu *v, unsigned vec, uint32_t next_eip)
{
	uint32_t at = v->eip;
	v->eip = next_eip;
	if (deliver(v, vec, 0, 0, 1)) {
		v->eip = at; /* a fault while delivering reports the int instruction */
		return -1;
	}
	return 0;
}

int vcpu_deliver_pending(struct vcpu *v)
{
	while (v->exc_vector >= 0 && !v->stop) {
		unsigned vec = (unsigned)v->exc_vector;
		int has_err = v->exc_has_err;
		uint32_t err = v->exc_err;
		v->exc_vector = -1;
		if (vec < 32)
			v->stat_exc[vec]++;
		if (deliver(v, vec, has_err, err, 0) == 0)
			break;
		if (v->stop)
			break;
		/* delivery itself faulted: a double fault, then a triple */
		if (vec == 8)
			return vcpu_fail(v, STOP_TRIPLE_FAULT,
					 "triple fault: vector %d while delivering a double fault", v->exc_vector);
		v->exc_vector = 8, v->exc_has_err = 1, v->exc_err = 0;
	}
	if (v->stop)
		return -1;
	if ((v->eflags & EFL_IF) && v->ops->irq_pending(v->ctx)) {
		int vec = v->ops->irq_ack(v->ctx);
		if (vec >= 0) {
			v->stat_irq++;
			if (deliver(v, (unsigned)vec, 0, 0, 0))
				return vcpu_deliver_pending(v);
		}
	}
	return v->stop ? -1 : 0;
}

/* Data segment registers the new, outer level may not use become null. */
static void null_inaccessible(struct vcpu *v)
{
	static const unsigned segs[] = {S_ES, S_DS, S_FS, S_GS};
	for (unsigned i = 0; i < 4; i++) {
		struct vseg *s = &v->seg[segs[i]];
		if (!s->usable)
			continue;
		int conforming = DESC_CODE(s->desc_hi) && (DESC_TYPE(s->desc_hi) & 4);
		if (!conforming && DESC_DPL(s->desc_hi) < v->cpl) {
			*s = (struct vseg){0};
			v->ops->seg_loaded(v->ctx, segs[i]);
		}
	}
}

/* Shared by iret and lret once EIP and CS are popped. */
static int far_return(struct vcpu *v, uint32_t eip, uint16_t cs, uint32_t pop_extra, int iret,
		      uint32_t eflags)
{
	uint32_t lo, hi;
	if (seg_check_code(v, cs, 1, &lo, &hi))
		return -1;
	unsigned rpl = cs & 3u;
	uint32_t new_esp = 0, new_ss = 0;
	if (rpl > v->cpl) {
		v->gpr[R_ESP] += pop_extra;
		if (intr_pop(v, &new_esp) || intr_pop(v, &new_ss))
			return -1;
	}
	if (iret) {
		uint32_t keep = EFL_VM;
		if (v->cpl > 0)
			keep |= EFL_IOPL;
		if (v->cpl > ((v->eflags & EFL_IOPL) >> 12))
			keep |= EFL_IF;
		if (eflags & EFL_VM && v->cpl == 0)
			return vcpu_fail(v, STOP_UNIMPLEMENTED, "iret to virtual-8086 mode");
		v->eflags = (v->eflags & keep) | (eflags & ~keep & 0x3f7fd5u) | 0x2u;
	}
	unsigned old_cpl = v->cpl;
	seg_load_cs(v, cs, lo, hi, rpl);
	v->eip = eip;
	if (rpl > old_cpl) {
		if (seg_load_data(v, S_SS, (uint16_t)new_ss)) {
			/* too late to undo the CS load: report loudly */
			return vcpu_fail(v, STOP_UNIMPLEMENTED, "return to ring %u with bad SS %#x", rpl, new_ss);
		}
		v->gpr[R_ESP] = new_esp;
		null_inaccessible(v);
	} else {
		v->gpr[R_ESP] += pop_extra;
	}
	return 0;
}

int intr_iret(struct vcpu *v, unsigned opsize)
{
	if (opsize != 4)
		return vcpu_fail(v, STOP_UNIMPLEMENTED, "16-bit iret at %#x", v->eip);
	uint32_t esp0 = v->gpr[R_ESP], eip, cs, fl;
	if (intr_pop(v, &eip) || intr_pop(v, &cs) || intr_pop(v, &fl)) {
		v->gpr[R_ESP] = esp0;
		return -1;
	}
	if (fl & EFL_NT || v->eflags & EFL_NT)
		return vcpu_fail(v, STOP_UNIMPLEMENTED, "iret with NT set (task return) at %#x", v->eip);
	if (far_return(v, eip, (uint16_t)cs, 0, 1, fl)) {
		if (!v->stop)
			v->gpr[R_ESP] = esp0;
		return -1;
	}
	return 0;
}

int intr_lret(struct vcpu *v, unsigned opsize, uint32_t imm)
{
	if (opsize != 4)
		return vcpu_fail(v, STOP_UNIMPLEMENTED, "16-bit lret at %#x", v->eip);
	uint32_t esp0 = v->gpr[R_ESP], eip, cs;
	if (intr_pop(v, &eip) || intr_pop(v, &cs)) {
		v->gpr[R_ESP] = esp0;
		return -1;
	}
	if (far_return(v, eip, (uint16_t)cs, imm, 0, 0)) {
		if (!v->stop)
			v->gpr[R_ESP] = esp0;
		return -1;
	}
	return 0;
}

int intr_far(struct vcpu *v, uint16_t sel, uint32_t off, int call, uint32_t next_eip)
{
	uint32_t lo, hi, esp0 = v->gpr[R_ESP];
	if (seg_check_code(v, sel, 0, &lo, &hi))
		return -1;
	if (call && (intr_push(v, v->seg[S_CS].sel) || intr_push(v, next_eip))) {
		v->gpr[R_ESP] = esp0;
		return -1;
	}
	seg_load_cs(v, sel, lo, hi, v->cpl);
	v->eip = off;
	return 0;
}
