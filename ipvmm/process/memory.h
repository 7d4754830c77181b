/* Guest memory of the process back-end: guest-physical RAM is a memfd; the
 * guest's 4 GiB linear space is the host's low 4 GiB, reserved at start so
 * no host allocation can land there; the soft TLB maps guest pages into it
 * one by one; the VMM area at the top holds the switch code and the
 * virtual-CPU page. */
#ifndef IPVMM_PROCESS_MEMORY_H
#define IPVMM_PROCESS_MEMORY_H

#include <stddef.h>
#include <stdint.h>

struct pv_mem {
	int fd;          /* the memfd */
	uint64_t size;   /* bytes of guest-physical RAM */
	uint8_t *phys;   /* a host mapping of all of it, for the VMM's own use */
	uint8_t *vcpu;   /* the virtual-CPU page, always writable for the VMM */
};

/* 0, or -1 with errno-style message in err. */
int pv_mem_init(struct pv_mem *m, uint64_t size, char *err, size_t errsz);
/* Host pointer to guest-physical [pa, pa + len), NULL if outside RAM. */
void *pv_phys(const struct pv_mem *m, uint64_t pa, uint64_t len);
/* Maps linear page(s) [la, la + len) to guest-physical pa with prot;
 * 0 or -1.  Both page aligned, below PV_AREA_BASE, inside RAM. */
int pv_map(const struct pv_mem *m, uint32_t la, uint64_t pa, uint32_t len, int writable);
/* The guest's view of the virtual-CPU page: writable at CPL 0, out of
 * reach at CPL 3 (the VMM keeps its own alias, m->vcpu). */
int pv_vcpu_page_access(int guest_may_touch);
/* Unmaps linear [la, la + len) (it stays reserved). */
int pv_unmap(uint32_t la, uint32_t len);

#endif
