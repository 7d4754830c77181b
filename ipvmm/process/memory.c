#include "memory.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "layout.h"
#include "switch.h"

#define LOW_START 0x10000ull /* below: vm.mmap_min_addr territory */
#define LOW_END 0x100000000ull

static int fail(char *err, size_t errsz, const char *what)
{
	snprintf(err, errsz, "%s: %s", what, strerror(errno));
	return -1;
}

int pv_mem_init(struct pv_mem *m, uint64_t size, char *err, size_t errsz)
{
	m->size = size;
	/* the guest's linear space: nothing of the host may live there */
	void *low = mmap((void *)LOW_START, LOW_END - LOW_START, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
	if (low == MAP_FAILED)
		return fail(err, errsz, "reserving the low 4 GiB for the guest");
	m->fd = memfd_create("previrt-guest-ram", MFD_CLOEXEC);
	if (m->fd < 0)
		return fail(err, errsz, "memfd_create");
	if (ftruncate(m->fd, (off_t)size) < 0)
		return fail(err, errsz, "sizing guest RAM");
	m->phys = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, m->fd, 0);
	if (m->phys == MAP_FAILED)
		return fail(err, errsz, "mapping guest RAM");
	/* the VMM area: its own memory, not guest RAM */
	void *area = mmap((void *)(uintptr_t)PV_AREA_BASE, PV_AREA_SIZE,
			  PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (area == MAP_FAILED)
		return fail(err, errsz, "mapping the VMM area");
	/* the virtual-CPU page twice: the guest's view at its fixed address,
	 * whose protection follows the CPL, and the VMM's */
	int vfd = memfd_create("previrt-vcpu", MFD_CLOEXEC);
	if (vfd < 0 || ftruncate(vfd, 0x1000) < 0)
		return fail(err, errsz, "creating the virtual-CPU page");
	m->vcpu = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE, MAP_SHARED, vfd, 0);
	void *gv = mmap((void *)(uintptr_t)PV_VCPU_PAGE, 0x1000, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_FIXED, vfd, 0);
	close(vfd);
	if (m->vcpu == MAP_FAILED || gv == MAP_FAILED)
		return fail(err, errsz, "mapping the virtual-CPU page");
	size_t blob = (size_t)(pv_blob_end - pv_blob_start);
	memcpy((void *)(uintptr_t)PV_CODE_PAGE, pv_blob_start, blob);
	return 0;
}

void *pv_phys(const struct pv_mem *m, uint64_t pa, uint64_t len)
{
	if (pa > m->size || len > m->size - pa)
		return NULL;
	return m->phys + pa;
}

int pv_map(const struct pv_mem *m, uint32_t la, uint64_t pa, uint32_t len, int writable)
{
	if ((la | pa | len) & 0xfff || la < LOW_START || (uint64_t)la + len > PV_AREA_BASE ||
	    !pv_phys(m, pa, len))
		return -1;
	void *p = mmap((void *)(uintptr_t)la, len, PROT_READ | PROT_EXEC | (writable ? PROT_WRITE : 0),
		       MAP_SHARED | MAP_FIXED, m->fd, (off_t)pa);
	return p == MAP_FAILED ? -1 : 0;
}

int pv_vcpu_page_access(int guest_may_touch)
{
	return mprotect((void *)(uintptr_t)PV_VCPU_PAGE, 0x1000,
			guest_may_touch ? PROT_READ | PROT_WRITE : PROT_NONE);
}

int pv_unmap(uint32_t la, uint32_t len)
{
	if ((la | len) & 0xfff || la < LOW_START || (uint64_t)la + len > PV_AREA_BASE)
		return -1;
	void *p = mmap((void *)(uintptr_t)la, len, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
	return p == MAP_FAILED ? -1 : 0;
}
