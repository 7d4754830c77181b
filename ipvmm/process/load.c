/* Loading the kernel into guest RAM, patching its sites and its vDSO, and
 * the boot information: multiboot, or Linux's 32-bit boot protocol. */
#include "machine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hosttsc.h"
#include "linuxboot.h"
#include "policy.h"
#include "vdso.h"

/* ---- loading ---- */

static int linux_setup(const struct pv_config *cfg, const struct elfimage *im, int64_t delta);

int pv_load(const struct pv_config *cfg, struct elfimage *im)
{
	char err[256];
	if (elfimage_open(im, cfg->kernel, err, sizeof err)) {
		fprintf(stderr, "previrt: %s: %s\n", cfg->kernel, err);
		return 2;
	}
	if (im->is64) {
		fprintf(stderr, "previrt: %s: a 64-bit kernel; the process back-end runs i386 kernels\n",
			cfg->kernel);
		return 2;
	}
	int64_t delta = (int64_t)(im->seg[0].vaddr - im->seg[0].paddr);
	for (unsigned i = 0; i < im->nseg; i++) {
		const struct elfimage_seg *s = &im->seg[i];
		if ((int64_t)(s->vaddr - s->paddr) != delta || !pv_phys(&M.mem, s->paddr, s->memsz) ||
		    s->paddr < 0x10000) {
			fprintf(stderr,
				"previrt: %s: segment at physical %#llx (+%#llx) does not fit the guest's %llu MiB "
				"of RAM\n",
				cfg->kernel, (unsigned long long)s->paddr, (unsigned long long)s->memsz,
				(unsigned long long)(cfg->mem >> 20));
			return 2;
		}
		uint8_t *dst = pv_phys(&M.mem, s->paddr, s->memsz);
		memcpy(dst, s->data, s->filesz);
		memset(dst + s->filesz, 0, s->memsz - s->filesz);
	}
	if (!im->ab_size) {
		fprintf(stderr, "previrt: %s: no %s section: not an afterburnt kernel\n", cfg->kernel,
			PREVIRT_AB_SECTION);
		return 2;
	}
	/* the image as the patcher sees it: linked addresses over guest RAM */
	uint64_t plo = im->vlo - (uint64_t)delta;
	struct patch_image pi = {pv_phys(&M.mem, plo, im->vhi - im->vlo), im->vlo, im->vhi - im->vlo,
				 im->ab_vaddr, im->ab_size, im->code, im->ncode};
	uint32_t max = (uint32_t)(im->ab_size / PREVIRT_AB_RECORD_SIZE);
	M.sites = calloc(max ? max : 1, sizeof *M.sites);
	struct patch_policy pol;
	process_policy(&pol);
	for (unsigned k = 1; k < PREVIRT_AB_NKINDS; k++)
		if (cfg->native[k])
			pol.rule[k] = (struct patch_rule){.action = PATCH_NATIVE};
	struct patch_error pe;
	if (!M.sites || patch_image(&pi, &pol, M.sites, max, &M.nsites, &M.pstats, &pe)) {
		fprintf(stderr, "previrt: %s: %s record %u (address %#llx): %s\n", cfg->kernel,
			PREVIRT_AB_SECTION, pe.rec, (unsigned long long)pe.addr, pe.msg);
		return 2;
	}
	/* the vDSO(s) inside the image: fast system calls for guest user code */
	M.vdsos = vdso_patch(pi.mem, pi.size, PV_ENTRY_SEL, PV_BLOB_ADDR(pv_blob_entry_int80),
			     &M.vdso_stats, err, sizeof err);
	if (M.vdsos < 0) {
		fprintf(stderr, "previrt: %s: %s\n", cfg->kernel, err);
		return 2;
	}
	M.linux = !elf_has_multiboot(im->file, im->file_len);
	if (!M.linux) {
		/* the multiboot information: lower and upper memory in KiB */
		uint32_t *mb = pv_phys(&M.mem, MB_INFO, 16);
		mb[0] = 1;
		mb[1] = 640;
		mb[2] = (uint32_t)((cfg->mem >> 10) - 1024);
		return 0;
	}
	return linux_setup(cfg, im, delta);
}

/* Linux: the 32-bit boot protocol, the VMM area kept out of the kernel's
 * way with reservetop=, the console on the 16550. */
static int linux_setup(const struct pv_config *cfg, const struct elfimage *im, int64_t delta)
{
	char cmdline[LB_CMDLINE_MAX], err[256];
	/* The guest's TSC is the host's: tell Linux its rate rather than let
	 * it calibrate against the PIT, whose port reads cost a VMM entry each
	 * and fail the calibration's jitter checks on a loaded host; and that
	 * it is reliable, so a tick lost to host scheduling (the PIT's edges
	 * are coalesced when the VMM runs late) does not get the TSC judged
	 * unstable against jiffies. */
	char tsc[64] = "";
	uint32_t khz = pv_host_tsc_khz();
	if (khz)
		snprintf(tsc, sizeof tsc, " tsc_early_khz=%u tsc=reliable", khz);
	int n = snprintf(cmdline, sizeof cmdline, "reservetop=%u console=ttyS0%s%s%s", PV_AREA_SIZE,
			 tsc, cfg->append ? " " : "", cfg->append ? cfg->append : "");
	if (n < 0 || (size_t)n >= sizeof cmdline) {
		fprintf(stderr, "previrt: --append: command line too long\n");
		return 2;
	}
	uint64_t kend = 0;
	for (unsigned i = 0; i < im->nseg; i++)
		if (im->seg[i].paddr + im->seg[i].memsz > kend)
			kend = im->seg[i].paddr + im->seg[i].memsz;
	struct lb_layout l = {cfg->mem, kend, NULL, 0, cmdline};
	uint8_t *initrd = NULL;
	if (cfg->initrd) {
		FILE *f = fopen(cfg->initrd, "rb");
		long size = -1;
		if (f && fseek(f, 0, SEEK_END) == 0)
			size = ftell(f);
		if (size > 0 && fseek(f, 0, SEEK_SET) == 0 && (initrd = malloc((size_t)size)) &&
		    fread(initrd, 1, (size_t)size, f) == (size_t)size) {
			l.initrd = initrd;
			l.initrd_size = (uint64_t)size;
		}
		if (f)
			fclose(f);
		if (!l.initrd) {
			fprintf(stderr, "previrt: %s: cannot read the initrd\n", cfg->initrd);
			return 2;
		}
	}
	int rc = lb_setup(M.mem.phys, &l, err, sizeof err);
	free(initrd);
	if (rc) {
		fprintf(stderr, "previrt: %s: %s\n", cfg->kernel, err);
		return 2;
	}
	M.alias = delta > 0 ? (uint64_t)delta : 0;
	return 0;
}
