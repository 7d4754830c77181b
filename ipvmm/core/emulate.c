/* Emulation of the annotated instructions on the virtual CPU: one handler
 * per decoder identity, in a table.  A handler returns EMU_NEXT (go on
 * after the instruction or site), EMU_JUMP (it set eip itself) or EMU_FAULT
 * (an exception is pending at the instruction, or the guest must stop). */
#include <stdio.h>
#include <string.h>

#include "cpuid.h"
#include "intr.h"
#include "seg.h"
#include "vcpu.h"

enum { EMU_FAULT = -1, EMU_NEXT = 0, EMU_JUMP = 1 };

typedef int (*emu_fn)(struct vcpu *v, const struct x86_insn *in, uint32_t next);

static int gp0(struct vcpu *v)
{
	vcpu_raise(v, 13, 1, 0);
	return EMU_FAULT;
}

static int ud(struct vcpu *v)
{
	vcpu_raise(v, 6, 0, 0);
	return EMU_FAULT;
}

static unsigned iopl(const struct vcpu *v)
{
	return (v->eflags & EFL_IOPL) >> 12;
}

/* Privileged instructions: CPL 0 only. */
#define NEED_CPL0(v)                                                                       \
	do {                                                                               \
		if ((v)->cpl != 0)                                                         \
			return gp0(v);                                                     \
	} while (0)

static uint32_t mem_la(struct vcpu *v, const struct x86_opnd *o)
{
	uint32_t ea = (uint32_t)o->u.mem.disp;
	if (o->u.mem.base != X86_NOREG)
		ea += v->gpr[o->u.mem.base & 7];
	if (o->u.mem.index != X86_NOREG)
		ea += v->gpr[o->u.mem.index & 7] * o->u.mem.scale;
	unsigned s = o->u.mem.seg < S_NSEG ? o->u.mem.seg : S_DS;
	return v->seg[s].base + ea;
}

static int mem_ok(struct vcpu *v, const struct x86_opnd *o)
{
	if (o->u.mem.addr_size != 4)
		return vcpu_fail(v, STOP_UNIMPLEMENTED, "%u-bit addressing at eip %#x",
				 o->u.mem.addr_size * 8u, v->eip) + 1;
	return 1;
}

int emu_read_operand(struct vcpu *v, const struct x86_opnd *o, uint32_t *val)
{
	switch (o->type) {
	case X86_OPND_REG:
		switch (o->u.reg.cls) {
		case X86_RC_GPR:
			*val = v->gpr[o->u.reg.num & 7];
			if (o->size == 2)
				*val &= 0xffff;
			return 0;
		case X86_RC_GPR8:
			*val = o->u.reg.num < 4 ? v->gpr[o->u.reg.num] & 0xff
						: (v->gpr[o->u.reg.num - 4] >> 8) & 0xff;
			return 0;
		case X86_RC_SEG:
			*val = v->seg[o->u.reg.num % S_NSEG].sel;
			return 0;
		}
		break;
	case X86_OPND_MEM: {
		if (!mem_ok(v, o))
			return -1;
		*val = 0;
		unsigned size = o->size > 4 ? 4 : o->size;
		return vmem_read(v, mem_la(v, o), val, size, 0);
	}
	case X86_OPND_IMM:
		*val = (uint32_t)o->u.imm;
		return 0;
	}
	return vcpu_fail(v, STOP_UNIMPLEMENTED, "operand type %u at eip %#x", o->type, v->eip);
}

static int write_operand(struct vcpu *v, const struct x86_opnd *o, uint32_t val)
{
	if (o->type == X86_OPND_REG && o->u.reg.cls == X86_RC_GPR) {
		uint32_t *r = &v->gpr[o->u.reg.num & 7];
		*r = o->size == 2 ? (*r & 0xffff0000u) | (val & 0xffff) : val;
		return 0;
	}
	if (o->type == X86_OPND_REG && o->u.reg.cls == X86_RC_GPR8) {
		unsigned n = o->u.reg.num;
		uint32_t *r = &v->gpr[n < 4 ? n : n - 4];
		unsigned sh = n < 4 ? 0 : 8;
		*r = (*r & ~(0xffu << sh)) | ((val & 0xff) << sh);
		return 0;
	}
	if (o->type == X86_OPND_MEM) {
		if (!mem_ok(v, o))
			return -1;
		unsigned size = o->size > 4 ? 4 : o->size;
		return vmem_write(v, mem_la(v, o), &val, size, 0);
	}
	return vcpu_fail(v, STOP_UNIMPLEMENTED, "destination operand type %u at eip %#x", o->type, v->eip);
}

/* ---- flags, halting ---- */

static int e_cli(struct vcpu *v, const struct x86_insn *in, uint32_t next)
{
	(void)in, (void)next;
	if (v->cpl > iopl(v))
		return gp0(v);
	v->eflags &= ~EFL_IF;
	return EMU_NEXT;
}

static int wait_for_interrupt(struct vcpu *v)
{
	if (!(v->eflags & EFL_IF))
		return vcpu_fail(v, STOP_HALTED, "hlt with interrupts disabled at eip %#x", v->eip);
	while (!v->ops->irq_pending(v->ctx))
		v->ops->halt(v->ctx);
	return 0;
}

static int e_sti(struct vcpu *v, const struct x86_insn *in, uint32_t next)
{
	(void)in, (void)next;
	if (v->cpl > iopl(v))
		return gp0(v);
	v->eflags |= EFL_IF;
	return EMU_NEXT;
}

static int e_hlt(struct vcpu *v, const struct x86_insn *in, uint32_t next)
{
	(void)in, (void)next;
	NEED_CPL0(v);
	return wait_for_interrupt(v) ? EMU_FAULT : EMU_NEXT;
}

static int e_pushf(struct vcpu *v, const struct x86_insn *in, uint32_t next)
{
	(void)next;
	if (in->opsize != 4)
		return vcpu_fail(v, STOP_UNIMPLEMENTED, "pushfw at eip %#x", v->eip);
	return intr_push(v, v->eflags & ~(EFL_VM | EFL_RF)) ? EMU_FAULT : EMU_NEXT;
}

static int e_popf(struct vcpu *v, const struct x86_insn *in, uint32_t next)
{
	(void)next;
	if (in->opsize != 4)
		return vcpu_fail(v, STOP_UNIMPLEMENTED, "popfw at eip %#x", v->eip);
	uint32_t f;
	if (intr_pop(v, &f))
		return EMU_FAULT;
	uint32_t keep = EFL_VM | EFL_RF;
	if (v->cpl > 0)
		keep |= EFL_IOPL;
	if (v->cpl > iopl(v))
		keep |= EFL_IF;
	v->eflags = (v->eflags & keep) | (f & ~keep & 0x3f7fd5u) | 0x2u;
	return EMU_NEXT;
}

/* ---- port I/O ---- */

static int io_allowed(struct vcpu *v)
{
	return v->cpl <= iopl(v); /* no I/O permission bitmap */
}

/* No device at a port: the ISA bus reads all ones and drops writes, which
 * is how a guest finds a device absent; noted once per port. */
static void no_device(struct vcpu *v, const char *what, uint16_t port)
{
	static uint8_t seen[65536 / 8];
	if (seen[port / 8] & (1u << (port % 8)))
		return;
	seen[port / 8] |= (uint8_t)(1u << (port % 8));
	char msg[96];
	snprintf(msg, sizeof msg, "%s port %#x at eip %#x: no device there (reads all ones, writes dropped)",
		 what, port, v->eip);
	v->ops->note(v->ctx, msg);
}

static int port_in(struct vcpu *v, uint16_t port, unsigned size, uint32_t *val)
{
	if (v->ops->io_in(v->ctx, port, size, val)) {
		no_device(v, "in from", port);
		*val = size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
	}
	return v->stop ? -1 : 0;
}

static int port_out(struct vcpu *v, uint16_t port, unsigned size, uint32_t val)
{
	(void)size;
	if (v->ops->io_out(v->ctx, port, size, val))
		no_device(v, "out to", port);
	(void)val;
	return v->stop ? -1 : 0;
}

static uint16_t port_of(struct vcpu *v, const struct x86_opnd *o)
{
	return o->type == X86_OPND_IMM ? (uint16_t)o->u.imm : (uint16_t)v->gpr[R_EDX];
}

static int e_in(struct vcpu *v, const struct x86_insn *in, uint32_t next)
{
	(void)next;
	if (!io_allowed(v))
		return gp0(v);
	uint32_t val;
	unsigned size = in->opnd[0].size;
	if (port_in(v, port_of(v, &in->opnd[1]), size, &val))
		return EMU_FAULT;
	return write_operand(v, &in->opnd[0], val) ? EMU_FAULT : EMU_NEXT;
}

static int e_out(struct vcpu *v, const struct x86_insn *in, uint32_t next)
{
	(void)next;
	if (!io_allowed(v))
		return gp0(v);
	uint32_t val;
	if (emu_read_operand(v, &in->opnd[1], &val))
		return EMU_FAULT;
	return port_out(v, port_of(v, &in->opnd[0]), in->opnd[1].size, val) ? EMU_FAULT : EMU_NEXT;
}

/* ins/outs, with rep: string element size from the memory operand */
static int e_string_io(struct vcpu *v, const struct x86_insn *in, uint32_t next)
{
	(void)next;
	if (!io_allowed(v))
		return gp0(v);
	if (in->addrsize != 4)
		return vcpu_fail(v, STOP_UNIMPLEMENTED, "16-bit string I/O at eip %#x", v->eip);
	int is_in = in->op == X86_OP_INS;
	const struct x86_opnd *m = &in->opnd[is_in ? 0 : 1];
	unsigned size = m->size, seg = is_in ? S_ES : (m->u.mem.seg < S_NSEG ? m->u.mem.seg : S_DS);
	unsigned idx = is_in ? R_EDI : R_ESI;
	int rep = (in->prefixes & (X86_PFX_REP | X86_PFX_REPNE)) != 0;
	int32_t step = v->eflags & EFL_DF ? -(int32_t)size : (int32_t)size;
	uint16_t port = (uint16_t)v->gpr[R_EDX];
	while (!rep || v->gpr[R_ECX]) {
		uint32_t la = v->seg[seg].base + v->gpr[idx], val = 0;
		if (is_in) {
			if (port_in(v, port, size, &val) || vmem_write(v, la, &val, size, 0))
				return EMU_FAULT;
		} else {
			if (vmem_read(v, la, &val, size, 0) || port_out(v, port, size, val))
				return EMU_FAULT;
		}
		v->gpr[idx] += (uint32_t)step;
		if (!rep)
			break;
		v->gpr[R_ECX]--;
	}
	return EMU_NEXT;
}

/* ---- identification, time, MSRs ---- */

static int e_cpuid(struct vcpu *v, const struct x86_insn *in, uint32_t next)
{
	(void)in, (void)next;
	uint32_t r[4];
	cpuid_policy(v->gpr[R_EAX], v->gpr[R_ECX], r);
	v->gpr[R_EAX] = r[0], v->gpr[R_EBX] = r[1], v->gpr[R_ECX] = r[2], v->gpr[R_EDX] = r[3];
	return EMU_NEXT;
}

static int e_rdtsc(struct vcpu *v, const struct x86_insn *in, uint32_t next)
{
	(void)in, (void)next;
	uint64_t t = v->ops->rdtsc(v->ctx);
	v->gpr[R_EAX] = (uint32_t)t, v->gpr[R_EDX] = (uint32_t)(t >> 32);
	return EMU_NEXT;
}

#define MSR_TSC 0x10u
#define MSR_PAT 0x277u
#define MSR_PLATFORM_ID 0x17u
#define MSR_UCODE_REV 0x8bu /* Intel BIOS_SIGN_ID, AMD PATCH_LEVEL */

/* An MSR this virtual CPU does not have: #GP, as on hardware (Linux probes
 * with rdmsr_safe), noted once per MSR number in a small table. */
static int no_msr(struct vcpu *v, const char *op, uint32_t msr)
{
	static uint32_t seen[64];
	static unsigned nseen;
	unsigned i = 0;
	while (i < nseen && seen[i] != msr)
		i++;
	if (i == nseen) {
		if (nseen < 64)
			seen[nseen++] = msr;
		char msg[96];
		snprintf(msg, sizeof msg, "%s of MSR %#x at eip %#x: not implemented, #GP to the guest", op,
			 msr, v->eip);
		v->ops->note(v->ctx, msg);
	}
	return gp0(v);
}

static int e_rdmsr(struct vcpu *v, const struct x86_insn *in, uint32_t next)
{
	(void)in, (void)next;
	NEED_CPL0(v);
	uint64_t val;
	switch (v->gpr[R_ECX]) {
	case MSR_PAT:
		val = v->pat;
		break;
	case MSR_TSC:
		val = v->ops->rdtsc(v->ctx);
		break;
	case MSR_PLATFORM_ID:
	case MSR_UCODE_REV: /* no microcode to report */
		val = 0;
		break;
	default:
		return no_msr(v, "rdmsr", v->gpr[R_ECX]);
	}
	v->gpr[R_EAX] = (uint32_t)val, v->gpr[R_EDX] = (uint32_t)(val >> 32);
	return EMU_NEXT;
}

static int e_wrmsr(struct vcpu *v, const struct x86_insn *in, uint32_t next)
{
	(void)in, (void)next;
	NEED_CPL0(v);
	uint64_t val = (uint64_t)v->gpr[R_EDX] << 32 | v->gpr[R_EAX];
	switch (v->gpr[R_ECX]) {
	case MSR_PAT:
		for (unsigned i = 0; i < 8; i++) {
			unsigned t = (unsigned)(val >> (8 * i)) & 0xff;
			if (t > 7 || t == 2 || t == 3)
				return gp0(v);
		}
		v->pat = val;
		return EMU_NEXT;
	case MSR_UCODE_REV: /* written 0 before cpuid to read the revision back */
		return EMU_NEXT;
	default:
		return no_msr(v, "wrmsr", v->gpr[R_ECX]);
	}
}

/* ---- control and debug registers ---- */

static int set_cr(struct vcpu *v, unsigned n, uint32_t val)
{
	switch (n) {
	case 0: {
		if (!(val & CR0_PE) || ((val & CR0_PG) && !(val & CR0_PE)))
			return vcpu_fail(v, STOP_UNIMPLEMENTED, "cr0 %#x leaves protected mode (eip %#x)", val,
					 v->eip);
		uint32_t changed = v->cr0 ^ val;
		v->cr0 = val | CR0_ET;
		if (changed & (CR0_PG | CR0_WP))
			mmu_tlb_flush(v, 0, 2);
		return 0;
	}
	case 2:
		v->cr2 = val;
		return 0;
	case 3:
		v->cr3 = val;
		mmu_tlb_flush(v, 0, 1);
		return 0;
	case 4: {
		uint32_t ok = CR4_PSE | CR4_PGE | CR4_OSFXSR | CR4_OSXMMEXCPT;
		if (val & ~ok)
			return vcpu_fail(v, STOP_UNIMPLEMENTED, "cr4 bits %#x are not implemented (eip %#x)",
					 val & ~ok, v->eip);
		uint32_t changed = v->cr4 ^ val;
		v->cr4 = val;
		if (changed & (CR4_PSE | CR4_PGE))
			mmu_tlb_flush(v, 0, 2);
		return 0;
	}
	}
	ud(v);
	return -1;
}

static int e_mov_to_cr(struct vcpu *v, const struct x86_insn *in, uint32_t next)
{
	(void)next;
	NEED_CPL0(v);
	uint32_t val;
	if (emu_read_operand(v, &in->opnd[1], &val))
		return EMU_FAULT;
	return set_cr(v, in->opnd[0].u.reg.num, val) ? EMU_FAULT : EMU_NEXT;
}

static int e_mov_from_cr(struct vcpu *v, const struct x86_insn *in, uint32_t next)
{
	(void)next;
	NEED_CPL0(v);
	uint32_t val;
	switch (in->opnd[1].u.reg.num) {
	case 0: val = v->cr0; break;
	case 2: val = v->cr2; break;
	case 3: val = v->cr3; break;
	case 4: val = v->cr4; break;
	default: return ud(v);
	}
	return write_operand(v, &in->opnd[0], val) ? EMU_FAULT : EMU_NEXT;
}

static unsigned dr_index(unsigned n)
{
	return n == 4 ? 6 : n == 5 ? 7 : n;
}

static int e_mov_to_dr(struct vcpu *v, const struct x86_insn *in, uint32_t next)
{
	(void)next;
	NEED_CPL0(v);
	uint32_t val;
	if (emu_read_operand(v, &in->opnd[1], &val))
		return EMU_FAULT;
	unsigned n = dr_index(in->opnd[0].u.reg.num);
	if (n == 7 && (val & 0xff))
		return vcpu_fail(v, STOP_UNIMPLEMENTED, "hardware breakpoints (dr7 %#x) at eip %#x", val, v->eip);
	v->dr[n] = val;
	return EMU_NEXT;
}

static int e_mov_from_dr(struct vcpu *v, const struct x86_insn *in, uint32_t next)
{
	(void)next;
	NEED_CPL0(v);
	unsigned n = dr_index(in->opnd[1].u.reg.num);
	return write_operand(v, &in->opnd[0], v->dr[n]) ? EMU_FAULT : EMU_NEXT;
}

static int e_smsw(struct vcpu *v, const struct x86_insn *in, uint32_t next)
{
	(void)next;
	const struct x86_opnd *o = &in->opnd[0];
	uint32_t val = o->type == X86_OPND_MEM ? v->cr0 & 0xffff : v->cr0;
	return write_operand(v, o, val) ? EMU_FAULT : EMU_NEXT;
}

static int e_lmsw(struct vcpu *v, const struct x86_insn *in, uint32_t next)
{
	(void)next;
	NEED_CPL0(v);
	uint32_t val;
	if (emu_read_operand(v, &in->opnd[0], &val))
		return EMU_FAULT;
	/* PE can be set, never cleared */
	v->cr0 = (v->cr0 & ~0xeu) | (val & 0xfu) | (v->cr0 & CR0_PE);
	return EMU_NEXT;
}

static int e_clts(struct vcpu *v, const struct x86_insn *in, uint32_t next)
{
	(void)in, (void)next;
	NEED_CPL0(v);
	v->cr0 &= ~CR0_TS;
	return EMU_NEXT;
}

static int e_invlpg(struct vcpu *v, const struct x86_insn *in, uint32_t next)
{
	(void)next;
	NEED_CPL0(v);
	mmu_tlb_flush(v, mem_la(v, &in->opnd[0]), 0);
	return EMU_NEXT;
}

static int e_cache(struct vcpu *v, const struct x86_insn *in, uint32_t next)
{
	(void)in, (void)next;
	NEED_CPL0(v); /* memory is coherent: nothing to write back */
	return EMU_NEXT;
}

/* ---- segments and descriptor tables ---- */

static int e_mov_to_seg(struct vcpu *v, const struct x86_insn *in, uint32_t next)
{
	(void)next;
	unsigned seg = in->opnd[0].u.reg.num;
	if (seg == S_CS || seg >= S_NSEG)
		return ud(v);
	uint32_t sel;
	if (emu_read_operand(v, &in->opnd[1], &sel))
		return EMU_FAULT;
	return seg_load_data(v, seg, (uint16_t)sel) ? EMU_FAULT : EMU_NEXT;
}

static int e_mov_from_seg(struct vcpu *v, const struct x86_insn *in, uint32_t next)
{
	(void)next;
	const struct x86_opnd *d = &in->opnd[0];
	uint32_t sel = v->seg[in->opnd[1].u.reg.num % S_NSEG].sel;
	if (d->type == X86_OPND_REG && d->size == 4) {
		v->gpr[d->u.reg.num & 7] = sel; /* zero-extended, as every recent CPU does */
		return EMU_NEXT;
	}
	struct x86_opnd o = *d;
	o.size = 2;
	return write_operand(v, &o, sel) ? EMU_FAULT : EMU_NEXT;
}

static int e_push_seg(struct vcpu *v, const struct x86_insn *in, uint32_t next)
{
	(void)next;
	if (in->opsize != 4)
		return vcpu_fail(v, STOP_UNIMPLEMENTED, "16-bit push of a segment at eip %#x", v->eip);
	return intr_push(v, v->seg[in->opnd[0].u.reg.num % S_NSEG].sel) ? EMU_FAULT : EMU_NEXT;
}

static int e_pop_seg(struct vcpu *v, const struct x86_insn *in, uint32_t next)
{
	(void)next;
	if (in->opsize != 4)
		return vcpu_fail(v, STOP_UNIMPLEMENTED, "16-bit pop of a segment at eip %#x", v->eip);
	uint32_t esp0 = v->gpr[R_ESP], sel;
	if (intr_pop(v, &sel))
		return EMU_FAULT;
	if (seg_load_data(v, in->opnd[0].u.reg.num, (uint16_t)sel)) {
		v->gpr[R_ESP] = esp0;
		return EMU_FAULT;
	}
	return EMU_NEXT;
}

static int e_load_farptr(struct vcpu *v, const struct x86_insn *in, uint32_t next)
{
	(void)next;
	static const uint8_t seg_of[X86_NOPS] = {[X86_OP_LDS] = S_DS, [X86_OP_LES] = S_ES,
						 [X86_OP_LFS] = S_FS, [X86_OP_LGS] = S_GS,
						 [X86_OP_LSS] = S_SS};
	const struct x86_opnd *m = &in->opnd[1];
	if (m->type != X86_OPND_MEM || in->opsize != 4 || !mem_ok(v, m))
		return in->opsize != 4 ? vcpu_fail(v, STOP_UNIMPLEMENTED, "16-bit far pointer load") : ud(v);
	uint8_t p[6];
	if (vmem_read(v, mem_la(v, m), p, 6, 0))
		return EMU_FAULT;
	uint32_t off = p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
	uint16_t sel = (uint16_t)(p[4] | p[5] << 8);
	if (seg_load_data(v, seg_of[in->op], sel))
		return EMU_FAULT;
	v->gpr[in->opnd[0].u.reg.num & 7] = off;
	return EMU_NEXT;
}

static int e_lgdt_lidt(struct vcpu *v, const struct x86_insn *in, uint32_t next)
{
	(void)next;
	NEED_CPL0(v);
	const struct x86_opnd *m = &in->opnd[0];
	uint8_t p[6];
	if (m->type != X86_OPND_MEM || !mem_ok(v, m))
		return ud(v);
	if (vmem_read(v, mem_la(v, m), p, 6, 0))
		return EMU_FAULT;
	struct vdtr t = {p[2] | p[3] << 8 | p[4] << 16 | (uint32_t)p[5] << 24, (uint16_t)(p[0] | p[1] << 8)};
	if (in->opsize == 2)
		t.base &= 0xffffff;
	*(in->op == X86_OP_LGDT ? &v->gdtr : &v->idtr) = t;
	return EMU_NEXT;
}

static int e_sgdt_sidt(struct vcpu *v, const struct x86_insn *in, uint32_t next)
{
	(void)next;
	const struct x86_opnd *m = &in->opnd[0];
	if (m->type != X86_OPND_MEM || !mem_ok(v, m))
		return ud(v);
	const struct vdtr *t = in->op == X86_OP_SGDT ? &v->gdtr : &v->idtr;
	uint8_t p[6] = {(uint8_t)t->limit, (uint8_t)(t->limit >> 8), (uint8_t)t->base,
			(uint8_t)(t->base >> 8), (uint8_t)(t->base >> 16), (uint8_t)(t->base >> 24)};
	return vmem_write(v, mem_la(v, m), p, 6, 0) ? EMU_FAULT : EMU_NEXT;
}

/* lldt / ltr: a system descriptor from the GDT */
static int load_system(struct vcpu *v, const struct x86_insn *in, struct vseg *dst, unsigned want_type)
{
	uint32_t sel, lo, hi;
	if (emu_read_operand(v, &in->opnd[0], &sel))
		return EMU_FAULT;
	sel &= 0xffff;
	if ((sel & ~3u) == 0 && want_type == 2) {
		*dst = (struct vseg){.sel = (uint16_t)sel};
		return EMU_NEXT;
	}
	if (sel & 4) {
		vcpu_raise(v, 13, 1, sel & 0xfffc);
		return EMU_FAULT;
	}
	int r = seg_fetch(v, (uint16_t)sel, &lo, &hi);
	if (r < 0)
		return EMU_FAULT;
	if (r > 0 || (hi & DESC_S) || DESC_TYPE(hi) != want_type) {
		vcpu_raise(v, 13, 1, sel & 0xfffc);
		return EMU_FAULT;
	}
	if (!(hi & DESC_P)) {
		vcpu_raise(v, 11, 1, sel & 0xfffc);
		return EMU_FAULT;
	}
	if (want_type == 9) { /* the TSS becomes busy */
		hi |= 0x200;
		if (seg_store_hi(v, (uint16_t)sel, hi))
			return EMU_FAULT;
	}
	seg_from_desc(dst, (uint16_t)sel, lo, hi);
	return EMU_NEXT;
}

static int e_lldt(struct vcpu *v, const struct x86_insn *in, uint32_t next)
{
	(void)next;
	NEED_CPL0(v);
	return load_system(v, in, &v->ldtr, 2);
}

static int e_ltr(struct vcpu *v, const struct x86_insn *in, uint32_t next)
{
	(void)next;
	NEED_CPL0(v);
	return load_system(v, in, &v->tr, 9);
}

static int e_sldt_str(struct vcpu *v, const struct x86_insn *in, uint32_t next)
{
	(void)next;
	uint16_t sel = in->op == X86_OP_SLDT ? v->ldtr.sel : v->tr.sel;
	const struct x86_opnd *d = &in->opnd[0];
	if (d->type == X86_OPND_REG && d->size == 4) {
		v->gpr[d->u.reg.num & 7] = sel;
		return EMU_NEXT;
	}
	struct x86_opnd o = *d;
	o.size = 2;
	return write_operand(v, &o, sel) ? EMU_FAULT : EMU_NEXT;
}

static int e_lar_lsl(struct vcpu *v, const struct x86_insn *in, uint32_t next)
{
	(void)next;
	seg_lar_lsl(v, in);
	return v->exc_vector >= 0 || v->stop ? EMU_FAULT : EMU_NEXT;
}

static int e_verr_verw(struct vcpu *v, const struct x86_insn *in, uint32_t next)
{
	(void)next;
	seg_verr_verw(v, in);
	return v->exc_vector >= 0 || v->stop ? EMU_FAULT : EMU_NEXT;
}

/* ---- control transfers ---- */

static int e_int(struct vcpu *v, const struct x86_insn *in, uint32_t next)
{
	return intr_soft(v, (unsigned)in->opnd[0].u.imm & 0xff, next) ? EMU_FAULT : EMU_JUMP;
}

static int e_iret(struct vcpu *v, const struct x86_insn *in, uint32_t next)
{
	(void)next;
	return intr_iret(v, in->opsize) ? EMU_FAULT : EMU_JUMP;
}

static int e_lret(struct vcpu *v, const struct x86_insn *in, uint32_t next)
{
	(void)next;
	uint32_t imm = in->nopnd ? (uint32_t)in->opnd[0].u.imm & 0xffff : 0;
	return intr_lret(v, in->opsize, imm) ? EMU_FAULT : EMU_JUMP;
}

static int e_far(struct vcpu *v, const struct x86_insn *in, uint32_t next)
{
	const struct x86_opnd *o = &in->opnd[0];
	uint16_t sel;
	uint32_t off;
	if (in->opsize != 4)
		return vcpu_fail(v, STOP_UNIMPLEMENTED, "16-bit far transfer at eip %#x", v->eip);
	if (o->type == X86_OPND_FAR) {
		sel = o->u.far.sel, off = o->u.far.off;
	} else if (o->type == X86_OPND_MEM && mem_ok(v, o)) {
		uint8_t p[6];
		if (vmem_read(v, mem_la(v, o), p, 6, 0))
			return EMU_FAULT;
		off = p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
		sel = (uint16_t)(p[4] | p[5] << 8);
	} else {
		return ud(v);
	}
	return intr_far(v, sel, off, in->op == X86_OP_FARCALL, next) ? EMU_FAULT : EMU_JUMP;
}

/* mov, movzx, movsx: a MEM site of a driver, or an access to device
 * registers that trapped (vmem_read/vmem_write reach the MMIO ranges). */
static int e_mov(struct vcpu *v, const struct x86_insn *in, uint32_t next)
{
	(void)next;
	const struct x86_opnd *dst = &in->opnd[0], *src = &in->opnd[1];
	if (in->nopnd != 2 || dst->size > 4 || src->size > 4 || (dst->type == X86_OPND_MEM && src->type == X86_OPND_MEM))
		return vcpu_fail(v, STOP_UNIMPLEMENTED, "%s with these operands at eip %#x", x86_op_name(in->op),
				 v->eip);
	uint32_t val;
	if (emu_read_operand(v, src, &val))
		return EMU_FAULT;
	if (in->op == X86_OP_MOVSX)
		val = src->size == 1 ? (uint32_t)(int32_t)(int8_t)val : (uint32_t)(int32_t)(int16_t)val;
	else if (in->op == X86_OP_MOVZX)
		val &= src->size == 1 ? 0xffu : 0xffffu;
	if (write_operand(v, dst, val))
		return EMU_FAULT;
	return EMU_NEXT;
}

static int e_ud(struct vcpu *v, const struct x86_insn *in, uint32_t next)
{
	(void)in, (void)next;
	return ud(v);
}

static const emu_fn handlers[X86_NOPS] = {
	[X86_OP_CLI] = e_cli, [X86_OP_STI] = e_sti, [X86_OP_HLT] = e_hlt,
	[X86_OP_PUSHF] = e_pushf, [X86_OP_POPF] = e_popf,
	[X86_OP_IN] = e_in, [X86_OP_OUT] = e_out, [X86_OP_INS] = e_string_io,
	[X86_OP_OUTS] = e_string_io, [X86_OP_CPUID] = e_cpuid, [X86_OP_RDTSC] = e_rdtsc,
	[X86_OP_RDMSR] = e_rdmsr, [X86_OP_WRMSR] = e_wrmsr,
	[X86_OP_MOV_TO_CR] = e_mov_to_cr, [X86_OP_MOV_FROM_CR] = e_mov_from_cr,
	[X86_OP_MOV_TO_DR] = e_mov_to_dr, [X86_OP_MOV_FROM_DR] = e_mov_from_dr,
	[X86_OP_SMSW] = e_smsw, [X86_OP_LMSW] = e_lmsw, [X86_OP_CLTS] = e_clts,
	[X86_OP_INVLPG] = e_invlpg, [X86_OP_INVD] = e_cache, [X86_OP_WBINVD] = e_cache,
	[X86_OP_WBNOINVD] = e_cache,
	[X86_OP_MOV_TO_SEG] = e_mov_to_seg, [X86_OP_MOV_FROM_SEG] = e_mov_from_seg,
	[X86_OP_PUSH_SEG] = e_push_seg, [X86_OP_POP_SEG] = e_pop_seg,
	[X86_OP_LDS] = e_load_farptr, [X86_OP_LES] = e_load_farptr, [X86_OP_LFS] = e_load_farptr,
	[X86_OP_LGS] = e_load_farptr, [X86_OP_LSS] = e_load_farptr,
	[X86_OP_LGDT] = e_lgdt_lidt, [X86_OP_LIDT] = e_lgdt_lidt,
	[X86_OP_SGDT] = e_sgdt_sidt, [X86_OP_SIDT] = e_sgdt_sidt,
	[X86_OP_LLDT] = e_lldt, [X86_OP_LTR] = e_ltr, [X86_OP_SLDT] = e_sldt_str,
	[X86_OP_STR] = e_sldt_str, [X86_OP_LAR] = e_lar_lsl, [X86_OP_LSL] = e_lar_lsl,
	[X86_OP_VERR] = e_verr_verw, [X86_OP_VERW] = e_verr_verw,
	[X86_OP_INT] = e_int, [X86_OP_IRET] = e_iret, [X86_OP_LRET] = e_lret,
	[X86_OP_FARJMP] = e_far, [X86_OP_FARCALL] = e_far, [X86_OP_UD2] = e_ud,
	[X86_OP_MOV] = e_mov, [X86_OP_MOVZX] = e_mov, [X86_OP_MOVSX] = e_mov,
};

int vcpu_emulate(struct vcpu *v, const struct x86_insn *in, unsigned len)
{
	if (in->op >= X86_NOPS || !handlers[in->op])
		return vcpu_fail(v, STOP_UNIMPLEMENTED, "%s at eip %#x is not implemented",
				 x86_op_name(in->op), v->eip);
	if (in->mode != X86_MODE32)
		return vcpu_fail(v, STOP_UNIMPLEMENTED, "%u-bit code at eip %#x", in->mode, v->eip);
	v->stat_ops[in->op]++;
	int r = handlers[in->op](v, in, v->eip + len);
	if (r == EMU_NEXT)
		v->eip += len;
	return v->stop ? -1 : 0;
}

/* sti; hlt as one site: IF rises and the CPU waits in the shadow. */
int vcpu_sti_hlt(struct vcpu *v, unsigned len)
{
	if (v->cpl > iopl(v)) {
		gp0(v); /* delivered by the caller */
		return 0;
	}
	if (v->cpl != 0) { /* the sti is allowed, the hlt is not */
		v->eflags |= EFL_IF;
		v->eip += 1;
		gp0(v);
		return 0;
	}
	v->eflags |= EFL_IF;
	v->stat_ops[X86_OP_STI]++;
	v->stat_ops[X86_OP_HLT]++;
	if (wait_for_interrupt(v))
		return -1;
	v->eip += len;
	return 0;
}

void vcpu_reset(struct vcpu *v, const struct vcpu_ops *ops, void *ctx)
{
	memset(v, 0, sizeof *v);
	v->ops = ops;
	v->ctx = ctx;
	v->exc_vector = -1;
	v->eflags = 0x2;
	v->cr0 = CR0_PE | CR0_ET;
	v->pat = 0x0007040600070406ull;
	v->dr[6] = 0xffff0ff0u;
	v->dr[7] = 0x400u;
	/* flat segments as a multiboot loader leaves them */
	static const uint32_t code_hi = 0x00cf9b00u, data_hi = 0x00cf9300u;
	for (unsigned s = 0; s < S_NSEG; s++)
		seg_from_desc(&v->seg[s], s == S_CS ? 0x10 : 0x18, 0x0000ffffu, s == S_CS ? code_hi : data_hi);
	v->tr = (struct vseg){0};
	v->ldtr = (struct vseg){0};
	v->gdtr.limit = 0xffff; /* none loaded yet; the guest must lgdt */
}
