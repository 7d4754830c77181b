/* The guest's page tables, walked in software: the soft TLB's fill, and
 * linear-memory access for the emulator.  32-bit paging without PAE, with
 * 4 MiB pages under CR4.PSE; Accessed and Dirty set as the CPU would. */
#include <string.h>

#include "mmio.h"
#include "vcpu.h"

#define PTE_P 0x1u
#define PTE_RW 0x2u
#define PTE_US 0x4u
#define PTE_A 0x20u
#define PTE_D 0x40u
#define PTE_PS 0x80u
#define PTE_G 0x100u

static uint32_t *table_entry(struct vcpu *v, uint32_t pa)
{
	uint32_t *e = v->ops->phys(v->ctx, pa, 4);
	if (!e)
		vcpu_fail(v, STOP_BAD_MEMORY, "page-table entry at physical %#x is outside RAM (cr3 %#x)",
			  pa, v->cr3);
	return e;
}

/* x86 page-fault error code: P (protection), W, U */
static uint32_t pf_err(unsigned acc, int present)
{
	return (present ? 1u : 0u) | (acc & MMU_WRITE) | (acc & MMU_USER);
}

int mmu_fill(struct vcpu *v, uint32_t la, unsigned acc, uint32_t *pa, int *writable, int *user)
{
	v->fill_global = 0;
	if (!(v->cr0 & CR0_PG)) {
		*pa = la & ~0xfffu;
		*writable = 1;
		*user = 1;
		return 0;
	}
	int is_user = (acc & MMU_USER) != 0, is_write = (acc & MMU_WRITE) != 0;
	int wp = is_user || (v->cr0 & CR0_WP);
	uint32_t *pde = table_entry(v, (v->cr3 & ~0xfffu) + (la >> 22) * 4);
	if (!pde)
		return -1;
	if (!(*pde & PTE_P))
		goto fault_np;
	if ((*pde & PTE_PS) && (v->cr4 & CR4_PSE)) {
		uint32_t e = *pde;
		if ((is_user && !(e & PTE_US)) || (is_write && wp && !(e & PTE_RW)))
			goto fault_prot;
		*pde |= PTE_A | (is_write ? PTE_D : 0);
		*pa = (e & 0xffc00000u) | (la & 0x003ff000u);
		v->fill_global = (v->cr4 & CR4_PGE) && (e & PTE_G);
		/* map writable only once Dirty is set, so the first write is seen */
		*writable = (e & PTE_RW || !wp) && (*pde & PTE_D);
		*user = (e & PTE_US) != 0;
		return 0;
	}
	uint32_t *pte = table_entry(v, (*pde & ~0xfffu) + ((la >> 12) & 0x3ff) * 4);
	if (!pte)
		return -1;
	if (!(*pte & PTE_P))
		goto fault_np;
	uint32_t us = *pde & *pte & PTE_US, rw = *pde & *pte & PTE_RW;
	if ((is_user && !us) || (is_write && wp && !rw))
		goto fault_prot;
	*pde |= PTE_A;
	*pte |= PTE_A | (is_write ? PTE_D : 0);
	*pa = *pte & ~0xfffu;
	v->fill_global = (v->cr4 & CR4_PGE) && (*pte & PTE_G);
	/* at CPL 0 without WP a read-only page is writable, but a user-mode
	 * mapping must not be: the back-end maps per CPL (user) */
	*writable = (rw || !wp) && (*pte & PTE_D);
	*user = us != 0;
	return 0;
fault_np:
	vcpu_page_fault(v, la, pf_err(acc, 0));
	return -1;
fault_prot:
	vcpu_page_fault(v, la, pf_err(acc, 1));
	return -1;
}

void mmu_tlb_flush(struct vcpu *v, uint32_t la, int all)
{
	memset(v->xc_key, 0, sizeof v->xc_key);
	v->ops->tlb_flush(v->ctx, la, all);
}

/* The host address of the page holding la for an access of kind acc: from
 * the emulator's TLB, or a walk (which sets Accessed/Dirty, as a TLB fill
 * does) that is then remembered. */
static uint8_t *vmem_page(struct vcpu *v, uint32_t la, unsigned acc, int *outside, uint32_t *pa_out)
{
	uint32_t key = (la & ~0xfffu) | acc | 0x800u, pa;
	*outside = 0;
	for (unsigned i = 0; i < 8; i++)
		if (v->xc_key[i] == key)
			return v->xc_page[i];
	int w, u;
	if (mmu_fill(v, la, acc, &pa, &w, &u))
		return NULL;
	uint8_t *p = v->ops->phys(v->ctx, pa, 0x1000);
	if (!p) {
		/* not RAM: a device's registers, if one decodes there */
		*outside = 1;
		*pa_out = pa + (la & 0xfff);
		return NULL;
	}
	unsigned i = v->xc_next++ & 7;
	v->xc_key[i] = key;
	v->xc_page[i] = p;
	return p;
}

static int vmem_access(struct vcpu *v, uint32_t la, uint8_t *buf, uint32_t len, int sup, int write)
{
	unsigned acc = (write ? MMU_WRITE : 0) | (!sup && v->cpl == 3 ? MMU_USER : 0);
	while (len) {
		uint32_t chunk = 0x1000 - (la & 0xfff);
		if (chunk > len)
			chunk = len;
		int outside;
		uint32_t pa;
		uint8_t *p = vmem_page(v, la, acc, &outside, &pa);
		if (!p && outside && chunk == len && (len == 1 || len == 2 || len == 4)) {
			/* one access of an instruction to a device register */
			uint32_t val = 0;
			if (write)
				memcpy(&val, buf, len);
			if (write ? mmio_write(pa, len, val) == 0 : mmio_read(pa, len, &val) == 0) {
				if (!write)
					memcpy(buf, &val, len);
				return 0;
			}
		}
		if (!p && outside)
			vcpu_fail(v, STOP_BAD_MEMORY, "guest touched physical %#x (linear %#x) outside RAM%s", pa,
				  la, len > 4 || chunk != len ? "" : ", where no device decodes");
		if (!p)
			return -1;
		p += la & 0xfff;
		if (write)
			memcpy(p, buf, chunk);
		else
			memcpy(buf, p, chunk);
		buf += chunk;
		la += chunk;
		len -= chunk;
	}
	return 0;
}

int vmem_read(struct vcpu *v, uint32_t la, void *buf, uint32_t len, int sup)
{
	return vmem_access(v, la, buf, len, sup, 0);
}

int vmem_write(struct vcpu *v, uint32_t la, const void *buf, uint32_t len, int sup)
{
	return vmem_access(v, la, (uint8_t *)(uintptr_t)buf, len, sup, 1);
}

int mmu_peek(struct vcpu *v, uint32_t la, unsigned acc, uint32_t *pa, int *writable, int *user)
{
	if (!(v->cr0 & CR0_PG))
		return -1; /* paging off: every page is its own fault anyway */
	int is_user = (acc & MMU_USER) != 0;
	int wp = is_user || (v->cr0 & CR0_WP);
	const uint32_t *pde = v->ops->phys(v->ctx, (v->cr3 & ~0xfffu) + (la >> 22) * 4, 4);
	if (!pde || (*pde & (PTE_P | PTE_A)) != (PTE_P | PTE_A))
		return -1;
	uint32_t e = *pde, us = e & PTE_US, rw = e & PTE_RW;
	v->fill_global = 0;
	if ((e & PTE_PS) && (v->cr4 & CR4_PSE)) {
		*pa = (e & 0xffc00000u) | (la & 0x003ff000u);
	} else {
		const uint32_t *pte = v->ops->phys(v->ctx, (e & ~0xfffu) + ((la >> 12) & 0x3ff) * 4, 4);
		if (!pte || (*pte & (PTE_P | PTE_A)) != (PTE_P | PTE_A))
			return -1;
		us &= *pte, rw &= *pte;
		e = *pte;
		*pa = e & ~0xfffu;
	}
	if (is_user && !us)
		return -1;
	v->fill_global = (v->cr4 & CR4_PGE) && (e & PTE_G);
	*writable = (rw || !wp) && (e & PTE_D);
	*user = us != 0;
	return 0;
}
