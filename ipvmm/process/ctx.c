/* The guest's registers between the core's struct vcpu and where the host
 * keeps them: the switch context (a patched site's far call) or a signal
 * frame; on the way back, the virtual-CPU page's cells the inline site
 * sequences read. */
#include "machine.h"

#include <string.h>

#include "ipvmm/core/seg.h"

/* ---- moving the guest's registers between the host and the core ---- */

#define VIRT_FLAGS (EFL_IF | EFL_IOPL | EFL_NT | EFL_VM)

static uint32_t real_flags(void)
{
	return (M.cpu.eflags & ~VIRT_FLAGS) | EFL_IF;
}

void cpu_from_ctx(void)
{
	struct vcpu *v = &M.cpu;
	v->gpr[R_EAX] = CTX->eax, v->gpr[R_ECX] = CTX->ecx, v->gpr[R_EDX] = CTX->edx;
	v->gpr[R_EBX] = CTX->ebx, v->gpr[R_ESP] = CTX->esp, v->gpr[R_EBP] = CTX->ebp;
	v->gpr[R_ESI] = CTX->esi, v->gpr[R_EDI] = CTX->edi;
	v->eip = CTX->eip - M.cpu.seg[S_CS].base;
	v->eflags = (CTX->eflags & ~VIRT_FLAGS) | (v->eflags & (EFL_IOPL | EFL_NT)) |
		    (VIF ? EFL_IF : 0);
}

void irqcheck_cell(void)
{
	int want = (M.cpu.eflags & EFL_IF) ? 0 : irq_pending(NULL);
	CELL_IRQ = want ? PV_BLOB_ADDR(pv_blob_irq32) : PV_BLOB_ADDR(pv_blob_ret);
}

void cell_put(uint32_t la, uint32_t val)
{
	memcpy(M.mem.vcpu + (la - PV_VCPU_PAGE), &val, 4);
}

/* The control-register and segment cells of the virtual-CPU page
 * (layout.h): the guest's control registers and selectors, and, at ring 0
 * for a GDT selector whose entry the host has mapped, the entry's address
 * and the descriptor the register holds, which the reload thunks compare
 * (through a flat %ss) before skipping a reload. */
static void seg_cells(void)
{
	const struct vcpu *v = &M.cpu;
	cell_put(PV_VCPU_CR(0), v->cr0);
	cell_put(PV_VCPU_CR(2), v->cr2);
	cell_put(PV_VCPU_CR(3), v->cr3);
	cell_put(PV_VCPU_CR(4), v->cr4);
	const struct vseg *ss = &v->seg[S_SS];
	int fast = v->cpl == 0 && ss->usable && ss->base == 0 && ss->limit == 0xffffffffu;
	for (unsigned s = 0; s < S_NSEG; s++) {
		const struct vseg *g = &v->seg[s];
		uint32_t la = 0, off = g->sel & ~7u;
		cell_put(PV_VCPU_SEL(s), g->sel);
		if (fast && s != S_CS && s != S_SS && g->usable && !(g->sel & 4) && off &&
		    off + 7 <= v->gdtr.limit) {
			la = v->gdtr.base + off;
			if ((la & 0xfff) > 0xff8 || la >= PV_AREA_BASE || !pv_mapped(la))
				la = 0;
		}
		cell_put(PV_VCPU_DLA(s), la);
		if (la) {
			uint32_t raw = g->desc_hi & DESC_G ? g->limit >> 12 : g->limit;
			cell_put(PV_VCPU_DESC(s), (raw & 0xffff) | g->base << 16);
			cell_put(PV_VCPU_DESC(s) + 4, g->desc_hi);
		}
	}
}

void cpu_to_ctx(void)
{
	const struct vcpu *v = &M.cpu;
	CTX->eax = v->gpr[R_EAX], CTX->ecx = v->gpr[R_ECX], CTX->edx = v->gpr[R_EDX];
	CTX->ebx = v->gpr[R_EBX], CTX->esp = v->gpr[R_ESP], CTX->ebp = v->gpr[R_EBP];
	CTX->esi = v->gpr[R_ESI], CTX->edi = v->gpr[R_EDI];
	CTX->eip = v->eip; /* CS-relative: the host segment carries the base */
	CTX->eflags = real_flags();
	CTX->cs = real_selector(S_CS), CTX->ss = real_selector(S_SS), CTX->ds = real_selector(S_DS);
	CTX->es = real_selector(S_ES), CTX->fs = real_selector(S_FS), CTX->gs = real_selector(S_GS);
	VIF = (v->eflags & EFL_IF) != 0;
	irqcheck_cell();
	seg_cells();
}

/* ---- entering the VMM through a host signal ---- */

void cpu_from_uc(const greg_t *g)
{
	struct vcpu *v = &M.cpu;
	v->gpr[R_EAX] = (uint32_t)g[REG_RAX], v->gpr[R_ECX] = (uint32_t)g[REG_RCX];
	v->gpr[R_EDX] = (uint32_t)g[REG_RDX], v->gpr[R_EBX] = (uint32_t)g[REG_RBX];
	v->gpr[R_ESP] = (uint32_t)g[REG_RSP], v->gpr[R_EBP] = (uint32_t)g[REG_RBP];
	v->gpr[R_ESI] = (uint32_t)g[REG_RSI], v->gpr[R_EDI] = (uint32_t)g[REG_RDI];
	v->eip = (uint32_t)g[REG_RIP];
	v->eflags = ((uint32_t)g[REG_EFL] & ~VIRT_FLAGS) | (v->eflags & (EFL_IOPL | EFL_NT)) |
		    (VIF ? EFL_IF : 0);
}

void cpu_to_uc(greg_t *g)
{
	const struct vcpu *v = &M.cpu;
	g[REG_RAX] = v->gpr[R_EAX], g[REG_RCX] = v->gpr[R_ECX], g[REG_RDX] = v->gpr[R_EDX];
	g[REG_RBX] = v->gpr[R_EBX], g[REG_RSP] = v->gpr[R_ESP], g[REG_RBP] = v->gpr[R_EBP];
	g[REG_RSI] = v->gpr[R_ESI], g[REG_RDI] = v->gpr[R_EDI];
	g[REG_RIP] = v->eip;
	g[REG_EFL] = real_flags();
	/* cs and ss return through the signal frame; ds, es and gs are not
	 * touched by sigreturn, so they are loaded here; fs by sigentry.S */
	uint64_t csgsfs = (uint64_t)g[REG_CSGSFS];
	csgsfs = (csgsfs & ~0xffff00000000ffffull) | real_selector(S_CS) |
		 (uint64_t)real_selector(S_SS) << 48;
	g[REG_CSGSFS] = (greg_t)csgsfs;
	uint32_t ds = real_selector(S_DS), es = real_selector(S_ES), gs = real_selector(S_GS);
	__asm__ volatile("mov %0, %%ds; mov %1, %%es; mov %2, %%gs" ::"r"(ds), "r"(es), "r"(gs));
	VIF = (v->eflags & EFL_IF) != 0;
	irqcheck_cell();
	seg_cells();
}
