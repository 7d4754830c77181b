/* The process back-end's patch policy: which sites become inline code, and
 * which a call into the VMM.  Inline sequences touch only the virtual-CPU
 * page (layout.h); a transfer into the VMM is a far call to its 64-bit
 * entry, which works from any alias of the kernel (absolute, no rel32). */
#include "policy.h"

#include <string.h>

#include "layout.h"
#include "switch.h"

#define K(n) PREVIRT_AB_KIND_##n

static unsigned put32(uint8_t *p, uint32_t v)
{
	for (int k = 0; k < 4; k++)
		p[k] = (uint8_t)(v >> (8 * k));
	return 4;
}

/* Only 32-bit code runs on this back-end; anything else stays native. */
static int mode32(const struct patch_site *s)
{
	return (s->flags & PREVIRT_AB_F_MODE_MASK) == PREVIRT_AB_F_MODE32;
}

/* cli: movb $0, vcpu.if */
static int emit_cli(const struct patch_site *s, uint8_t *b, unsigned room, void *ctx)
{
	(void)ctx;
	if (!mode32(s) || room < 7)
		return -1;
	b[0] = 0xc6, b[1] = 0x05;
	put32(b + 2, PV_VCPU_IF);
	b[6] = 0;
	return 7;
}

/* call *cell: the cell points at a plain `ret` while no interrupt is
 * pending, so raising IF costs a call and a return. */
static unsigned call_cell(uint8_t *b, uint32_t cell)
{
	b[0] = 0xff, b[1] = 0x15;
	put32(b + 2, cell);
	return 6;
}

static unsigned far_call_vmm(uint8_t *b)
{
	b[0] = 0x9a;
	put32(b + 1, PV_ENTRY);
	b[5] = (uint8_t)PV_ENTRY_SEL, b[6] = 0;
	return 7;
}

/* sti: movb $1, vcpu.if; call *irqcheck.  sti+hlt (SHADOW) is one
 * operation, waiting for an interrupt: the VMM does it. */
static int emit_sti(const struct patch_site *s, uint8_t *b, unsigned room, void *ctx)
{
	(void)ctx;
	if (!mode32(s))
		return -1;
	if (s->flags & PREVIRT_AB_F_SHADOW)
		return room < 7 ? -1 : (int)far_call_vmm(b);
	if (room < 13)
		return -1;
	b[0] = 0xc6, b[1] = 0x05;
	put32(b + 2, PV_VCPU_IF);
	b[6] = 1;
	call_cell(b + 7, PV_CELL_IRQCHECK);
	return 13;
}

/* popf: IF comes from the popped value (the host ignores it in user mode),
 * and popfl itself restores the arithmetic flags the test clobbered:
 *   testb $2, 1(%esp); setnz vcpu.if; popfl; call *irqcheck */
static int emit_popf(const struct patch_site *s, uint8_t *b, unsigned room, void *ctx)
{
	(void)ctx;
	/* the 66-prefixed popfw leaves IF where the 16-bit word does not reach */
	if (!mode32(s) || s->insn.opsize != 4 || room < 19)
		return -1;
	static const uint8_t test[] = {0xf6, 0x44, 0x24, 0x01, 0x02};
	for (unsigned k = 0; k < sizeof test; k++)
		b[k] = test[k];
	b[5] = 0x0f, b[6] = 0x95, b[7] = 0x05;
	put32(b + 8, PV_VCPU_IF);
	b[12] = 0x9d;
	call_cell(b + 13, PV_CELL_IRQCHECK);
	return 19;
}

/* pushf: a 32-bit thunk in the VMM area writes virtual IF into the pushed
 * word without disturbing the flags (too long to inline flag-safely). */
static int emit_pushf(const struct patch_site *s, uint8_t *b, unsigned room, void *ctx)
{
	(void)ctx;
	if (!mode32(s) || s->insn.opsize != 4 || room < 6)
		return -1;
	return (int)call_cell(b, PV_CELL_PUSHF);
}

/* The kernel reads and reloads its segment registers on every entry and
 * exit, and reads cr2 on every page fault: those need values the VMM keeps
 * in the virtual-CPU page, read through %ss (flat in the kernel; %ds may
 * hold a user segment on kernel entry).  What no short form covers is a
 * far call into the VMM, as for every other kind. */
static int seg_fallback(uint8_t *b, unsigned room)
{
	return room < 7 ? -1 : (int)far_call_vmm(b);
}

/* One instruction on a u32 of the virtual-CPU page, through %ss:
 * 36 <op> <modrm: reg, disp32> addr (7 bytes). */
static int ss_abs32(uint8_t *b, uint8_t op, unsigned reg, uint32_t addr)
{
	b[0] = 0x36, b[1] = op, b[2] = (uint8_t)(0x05 | reg << 3);
	put32(b + 3, addr);
	return 7;
}

/* A destination the inline reads can write: a 32-bit GPR of i386. */
static int gpr32(const struct x86_opnd *d)
{
	return d->type == X86_OPND_REG && d->u.reg.cls == X86_RC_GPR && d->size == 4 && d->u.reg.num < 8;
}

/* push %sreg: pushl %ss:vcpu.sel[s] (ff /6) */
static int emit_push_seg(const struct patch_site *s, uint8_t *b, unsigned room, void *ctx)
{
	(void)ctx;
	unsigned seg = s->insn.opnd[0].u.reg.num;
	if (!mode32(s) || room < 7)
		return -1;
	if (s->insn.opsize != 4 || seg > 5)
		return seg_fallback(b, room);
	return ss_abs32(b, 0xff, 6, PV_VCPU_SEL(seg));
}

/* mov %sreg, %r32: movl %ss:vcpu.sel[s], %r32 (zero-extended, as recent
 * CPUs do); a 16-bit or memory destination goes to the VMM. */
static int emit_mov_from_seg(const struct patch_site *s, uint8_t *b, unsigned room, void *ctx)
{
	(void)ctx;
	const struct x86_opnd *d = &s->insn.opnd[0];
	unsigned seg = s->insn.opnd[1].u.reg.num;
	if (!mode32(s) || room < 7)
		return -1;
	if (!gpr32(d) || seg > 5)
		return seg_fallback(b, room);
	return ss_abs32(b, 0x8b, d->u.reg.num, PV_VCPU_SEL(seg));
}

/* mov %crN, %r32: movl %ss:vcpu.cr[N], %r32 */
static int emit_mov_from_cr(const struct patch_site *s, uint8_t *b, unsigned room, void *ctx)
{
	(void)ctx;
	const struct x86_opnd *d = &s->insn.opnd[0];
	unsigned n = s->insn.opnd[1].u.reg.num;
	if (!mode32(s) || room < 7)
		return -1;
	if (!gpr32(d) || !(n == 0 || n == 2 || n == 3 || n == 4))
		return seg_fallback(b, room);
	return ss_abs32(b, 0x8b, d->u.reg.num, PV_VCPU_CR(n));
}

/* call *%ss:cell (ff /2), the cell holding a thunk's address, or 0 for none */
static int call_seg_thunk(uint8_t *b, unsigned room, unsigned index, uint32_t cell)
{
	uint32_t off;
	memcpy(&off, pv_blob_segthunks + 4 * index, 4);
	if (!off)
		return seg_fallback(b, room);
	return ss_abs32(b, 0xff, 2, cell);
}

/* mov %r, %sreg: the reload thunk of (sreg, r) */
static int emit_mov_to_seg(const struct patch_site *s, uint8_t *b, unsigned room, void *ctx)
{
	(void)ctx;
	const struct x86_opnd *src = &s->insn.opnd[1];
	unsigned seg = s->insn.opnd[0].u.reg.num;
	if (!mode32(s) || room < 7)
		return -1;
	if (src->type != X86_OPND_REG || src->u.reg.cls != X86_RC_GPR || src->u.reg.num > 7 || seg > 5)
		return seg_fallback(b, room);
	return call_seg_thunk(b, room, PV_SEGTHUNK_MOV(seg, src->u.reg.num), PV_CELL_MOVSEG(seg, src->u.reg.num));
}

/* pop %sreg (32-bit): the pop thunk of sreg */
static int emit_pop_seg(const struct patch_site *s, uint8_t *b, unsigned room, void *ctx)
{
	(void)ctx;
	unsigned seg = s->insn.opnd[0].u.reg.num;
	if (!mode32(s) || room < 7)
		return -1;
	if (s->insn.opsize != 4 || seg > 5)
		return seg_fallback(b, room);
	return call_seg_thunk(b, room, PV_SEGTHUNK_POP(seg), PV_CELL_POPSEG(seg));
}

/* A MEM site (a driver's register access, the afterburner's --mem): a
 * move goes to the VMM, which emulates it against the device (or RAM, for
 * the driver's other inline-asm moves, such as per-CPU variables); the
 * other instruction families it may be (xchg, test, and, or) stay as they
 * were and trap if they ever touch a device. */
static int emit_mem(const struct patch_site *s, uint8_t *b, unsigned room, void *ctx)
{
	(void)ctx;
	unsigned op = s->insn.op;
	if (!mode32(s) || room < 7)
		return -1;
	if (op == X86_OP_MOV || op == X86_OP_MOVZX || op == X86_OP_MOVSX)
		return (int)far_call_vmm(b);
	if (s->insn_len > room || s->insn_len > sizeof s->orig)
		return -1;
	for (unsigned i = 0; i < s->insn_len; i++)
		b[i] = s->orig[i];
	return s->insn_len;
}

void process_policy(struct patch_policy *p)
{
	*p = (struct patch_policy){.name = "process"};
	for (unsigned k = 1; k < PREVIRT_AB_NKINDS; k++)
		p->rule[k] = (struct patch_rule){PATCH_CALL, XFER_FAR, PV_ENTRY_SEL, PV_ENTRY, 0};
	p->rule[K(CLI)] = (struct patch_rule){.action = PATCH_INLINE, .emit = emit_cli};
	p->rule[K(STI)] = (struct patch_rule){.action = PATCH_INLINE, .emit = emit_sti};
	p->rule[K(POPF)] = (struct patch_rule){.action = PATCH_INLINE, .emit = emit_popf};
	p->rule[K(PUSHF)] = (struct patch_rule){.action = PATCH_INLINE, .emit = emit_pushf};
	p->rule[K(PUSH_SEG)] = (struct patch_rule){.action = PATCH_INLINE, .emit = emit_push_seg};
	p->rule[K(MOV_FROM_SEG)] = (struct patch_rule){.action = PATCH_INLINE, .emit = emit_mov_from_seg};
	p->rule[K(MOV_TO_SEG)] = (struct patch_rule){.action = PATCH_INLINE, .emit = emit_mov_to_seg};
	p->rule[K(POP_SEG)] = (struct patch_rule){.action = PATCH_INLINE, .emit = emit_pop_seg};
	p->rule[K(MOV_FROM_CR)] = (struct patch_rule){.action = PATCH_INLINE, .emit = emit_mov_from_cr};
	/* the guest's TSC is the host's (CR4.TSD is not offered): rdtsc runs as it is */
	p->rule[K(RDTSC)] = (struct patch_rule){.action = PATCH_NATIVE};
	p->rule[K(MEM)] = (struct patch_rule){.action = PATCH_INLINE, .emit = emit_mem};
}
