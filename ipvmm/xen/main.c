/* The Xen in-place VMM, first step: booted by Xen as a 64-bit PV dom0, it
 * reports what Xen handed it (start_info), finds the afterburnt guest kernel
 * in its module (bundle.h), and validates the kernel the way the process
 * back-end does before it runs one: the ELF image, then every .afterburn
 * record and site with the core's patcher (no rewrite yet).  Running the
 * guest (soft TLB over mmu_update, traps, events, timer) is the next step
 * (docs/xen.md); until then the VMM stops here.
 *
 * Freestanding: no libc, no allocation; the load area and the site table
 * are fixed arrays in .bss, which Xen's domain builder maps with the image. */
#include <stddef.h>
#include <stdint.h>

#include <xen/version.h>

#include "bundle.h"
#include "console.h"
#include "elf.h"
#include "hypercall.h"
#include "layout.h"
#include "traps.h"
#include "ipvmm/core/patch.h"

void xen_main(const start_info_t *si);
void *memcpy(void *restrict d, const void *restrict s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

_Static_assert(sizeof(struct bundle_desc) == sizeof(struct xen_multiboot_mod_list) &&
		       offsetof(struct bundle_desc, cmdline) ==
			       offsetof(struct xen_multiboot_mod_list, cmdline),
	       "bundle.h spells Xen's multiboot module list");

static uint8_t load_area[XEN_VMM_LOAD_AREA] __attribute__((aligned(4096)));
static struct patch_site sites[XEN_VMM_MAX_SITES];

__attribute__((noreturn)) static void stop(unsigned reason)
{
	xen_sched_shutdown(reason);
	for (;;) /* shutdown does not return to a dom0 that asked for it */
		;
}

__attribute__((noreturn)) static void fail(const char *what, const char *why)
{
	con_printf("previrt-xen: FAIL: %s: %s\n", what, why);
	/* a crash, so that the launcher reports a failed guest */
	stop(SHUTDOWN_crash);
}

struct part {
	const char *name; /* the command line's first word */
	const char *cmdline;
	const uint8_t *data;
	uint64_t len;
};

static int cstr_in(const uint8_t *m, uint64_t len, uint64_t off)
{
	for (uint64_t i = off; i < len; i++)
		if (!m[i])
			return 1;
	return 0;
}

/* A package of parts (bundle.h), validated entirely; 0 if the module is not
 * one (then it is a single part). */
static unsigned bundle_parse(const uint8_t *m, uint64_t len, struct part *p)
{
	struct bundle_desc d[BUNDLE_MAX_PARTS + 1];
	unsigned n = 0;
	for (;; n++) {
		if (n > BUNDLE_MAX_PARTS || (n + 1) * sizeof d[0] > len)
			return 0;
		memcpy(&d[n], m + n * sizeof d[0], sizeof d[0]);
		if (d[n].mod_start == 0)
			break;
	}
	uint64_t table = (n + 1) * sizeof d[0];
	for (unsigned i = 0; i < n; i++) {
		if (d[i].pad || d[i].mod_start < table || d[i].mod_start > (uint64_t)d[i].mod_end + 1 ||
		    d[i].mod_end >= len || d[i].cmdline < table || !cstr_in(m, len, d[i].cmdline))
			return 0;
		p[i] = (struct part){(const char *)m + d[i].cmdline, (const char *)m + d[i].cmdline,
				     m + d[i].mod_start, (uint64_t)d[i].mod_end + 1 - d[i].mod_start};
	}
	return n;
}

/* Compares the first word of a command line with a name. */
static int word_is(const char *cmd, const char *name)
{
	size_t i = 0;
	for (; name[i]; i++)
		if (cmd[i] != name[i])
			return 0;
	return cmd[i] == 0 || cmd[i] == ' ';
}

static void print_word(const char *s)
{
	size_t n = 0;
	while (s[n] && s[n] != ' ')
		n++;
	con_write(s, n);
}

static void report_start_info(const start_info_t *si)
{
	char magic[sizeof si->magic + 1];
	memcpy(magic, si->magic, sizeof si->magic);
	magic[sizeof si->magic] = 0;
	if (memcmp(magic, "xen-", 4) != 0)
		fail("start_info", "no \"xen-\" magic: not entered by Xen");
	long v = xen_version(XENVER_version, NULL);
	xen_extraversion_t extra;
	memset(extra, 0, sizeof extra);
	xen_version(XENVER_extraversion, extra);
	extra[sizeof extra - 1] = 0;
	con_printf("previrt-xen: Xen %ld.%ld%s, start_info %s, 64-bit PV dom0\n", v >> 16, v & 0xffff,
		   extra, magic);
	con_printf("previrt-xen: start_info: %lu pages, flags %#x:%s%s%s%s\n", si->nr_pages, si->flags,
		   si->flags & SIF_PRIVILEGED ? " privileged" : "",
		   si->flags & SIF_INITDOMAIN ? " initdomain" : "",
		   si->flags & SIF_MULTIBOOT_MOD ? " multiboot-mod" : "",
		   si->flags & SIF_MOD_START_PFN ? " mod-start-pfn" : "");
	char cmd[MAX_GUEST_CMDLINE];
	memcpy(cmd, si->cmd_line, sizeof cmd);
	cmd[sizeof cmd - 1] = 0;
	con_printf("previrt-xen: start_info: module at %#lx, %lu bytes; command line '%s'\n",
		   si->mod_start, si->mod_len, cmd);
}

static void report_kinds(const struct patch_stats *st)
{
	unsigned col = 0;
	for (unsigned k = 1; k < PREVIRT_AB_NKINDS; k++) {
		if (!st->kind[k].sites)
			continue;
		if (col == 0)
			con_printf("previrt-xen: sites:");
		con_printf(" %s %u", previrt_ab_kind_name[k], st->kind[k].sites);
		if (++col == 8) {
			con_printf("\n");
			col = 0;
		}
	}
	if (col)
		con_printf("\n");
}

/* The checks the process back-end makes before it runs a kernel: a loadable
 * x86 ELF image, its .afterburn section, and every record and site, which
 * the core's patcher validates and decodes (policy NULL: nothing is
 * rewritten). */
static void validate_kernel(const struct part *k)
{
	struct xelf e;
	const char *err;
	if (xelf_open(&e, k->data, k->len, &err))
		fail(BUNDLE_KERNEL, err);
	con_printf("previrt-xen: %s: %s ELF, entry %#lx, %u loadable segments at %#lx-%#lx (%lu KiB)\n",
		   BUNDLE_KERNEL, e.is64 ? "x86-64" : "i386", e.entry, e.nseg, e.vlo, e.vhi,
		   (e.vhi - e.vlo) >> 10);
	if (!e.ab_size)
		fail(BUNDLE_KERNEL, "no " PREVIRT_AB_SECTION " section: not an afterburnt kernel");
	if (e.vhi - e.vlo > sizeof load_area)
		fail(BUNDLE_KERNEL, "its image is larger than the VMM's 64 MiB load area");
	if (e.ab_size / PREVIRT_AB_RECORD_SIZE > XEN_VMM_MAX_SITES)
		fail(BUNDLE_KERNEL, "more " PREVIRT_AB_SECTION " records than the VMM's site table holds");
	/* The image at its linked layout, bss zeroed, as the patcher reads it. */
	memset(load_area, 0, e.vhi - e.vlo);
	for (unsigned i = 0; i < e.nseg; i++)
		memcpy(load_area + (e.seg[i].vaddr - e.vlo), e.seg[i].data, e.seg[i].filesz);
	struct patch_image pi = {load_area, e.vlo, e.vhi - e.vlo, e.ab_vaddr, e.ab_size, e.code, e.ncode};
	static struct patch_stats st;
	struct patch_error pe;
	uint32_t n = 0;
	if (patch_image(&pi, NULL, sites, XEN_VMM_MAX_SITES, &n, &st, &pe)) {
		con_printf("previrt-xen: FAIL: %s: %s record %u (address %#lx): %s\n", BUNDLE_KERNEL,
			   PREVIRT_AB_SECTION, pe.rec, pe.addr, pe.msg);
		stop(SHUTDOWN_crash);
	}
	con_printf("previrt-xen: %s: %s: %u records, %u object headers, %u sites: all valid\n",
		   BUNDLE_KERNEL, PREVIRT_AB_SECTION, st.records, st.headers, st.sites);
	report_kinds(&st);
}

/* Whether the command line holds the word w. */
static int cmdline_has(const char *cmd, const char *w)
{
	for (const char *p = cmd; *p;) {
		if (word_is(p, w))
			return 1;
		while (*p && *p != ' ')
			p++;
		while (*p == ' ')
			p++;
	}
	return 0;
}

/* previrt.xen-fault=ud2|gp|pf on dom0's command line: a deliberate fault
 * in the VMM, so that a test sees the trap table report it. */
static void selftest_fault(const char *cmd)
{
	if (cmdline_has(cmd, "previrt.xen-fault=ud2"))
		__asm__ volatile("ud2");
	if (cmdline_has(cmd, "previrt.xen-fault=gp"))
		__asm__ volatile("mov %0, %%ds" : : "r"((unsigned)0x7ff8)); /* past Xen's GDT */
	if (cmdline_has(cmd, "previrt.xen-fault=pf"))
		__asm__ volatile("movb 0x10, %%al" : : : "rax"); /* the unmapped null page */
}

void xen_main(const start_info_t *si)
{
	con_printf("previrt-xen: in-place VMM for Xen starting\n");
	long rc = traps_init();
	if (rc)
		con_printf("previrt-xen: FAIL: set_trap_table: %ld\n", rc), stop(SHUTDOWN_crash);
	report_start_info(si);
	char cmd[MAX_GUEST_CMDLINE];
	memcpy(cmd, si->cmd_line, sizeof cmd);
	cmd[sizeof cmd - 1] = 0;
	selftest_fault(cmd);
	if (si->flags & SIF_MOD_START_PFN)
		fail("start_info", "the module is given as a frame number; the VMM asked for a mapping");
	if (!si->mod_start || !si->mod_len)
		fail("start_info", "no module: the guest kernel must follow the VMM as a multiboot module");
	const uint8_t *m = (const uint8_t *)si->mod_start;
	struct part parts[BUNDLE_MAX_PARTS];
	unsigned n = bundle_parse(m, si->mod_len, parts);
	if (n)
		con_printf("previrt-xen: the module is a package of %u parts\n", n);
	else {
		parts[0] = (struct part){"module", "", m, si->mod_len};
		n = 1;
		con_printf("previrt-xen: the module is a single file, not a package\n");
	}
	const struct part *kernel = NULL, *initrd = NULL;
	for (unsigned i = 0; i < n; i++) {
		const struct part *p = &parts[i];
		int elf = xelf_is_elf(p->data, p->len);
		con_printf("previrt-xen: part %u: '", i);
		print_word(p->name);
		con_printf("', %lu bytes at %#lx, %s\n", p->len, (unsigned long)p->data,
			   elf ? "ELF" : p->len >= 6 && memcmp(p->data, "070701", 6) == 0 ? "cpio (newc)"
										 : "data");
		if (word_is(p->name, BUNDLE_KERNEL) || (!kernel && elf && n == 1))
			kernel = p;
		else if (word_is(p->name, BUNDLE_INITRD))
			initrd = p;
	}
	if (!kernel)
		fail("module", "no part named '" BUNDLE_KERNEL "' (the afterburnt guest kernel)");
	const char *args = kernel->cmdline;
	while (*args && *args != ' ')
		args++;
	con_printf("previrt-xen: guest command line '%s'\n", *args ? args + 1 : "");
	if (initrd)
		con_printf("previrt-xen: initrd: %lu bytes\n", initrd->len);
	validate_kernel(kernel);
	con_printf("previrt-xen: stop: the guest kernel is valid; running it is not implemented yet\n");
	stop(SHUTDOWN_reboot);
}
