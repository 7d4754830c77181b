/* The machine's life: entries into the VMM from patched sites, the
 * handover between address-space processes, and pv_run (see machine.h). */
#include "machine.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "aspace.h"
#include "linuxboot.h"
#include "ustub.h"
#include <sys/mman.h>
#include "console.h"
#include "jail.h"
#include "nethost.h"

struct machine *pv_machine;
struct pv_proc pv_proc;

/* The site at linear address la, also when la is the physical alias of a
 * kernel linked elsewhere (early boot code, paging off). */
const struct patch_site *find_site(uint64_t la)
{
	const struct patch_site *s = patch_find(M.sites, M.nsites, la);
	if (!s && M.alias && la < M.alias)
		s = patch_find(M.sites, M.nsites, la + M.alias);
	return s;
}

/* The linear address a site runs at, seen from la (its alias or itself). */
uint64_t site_here(const struct patch_site *s, uint64_t la)
{
	return la >= s->addr ? s->addr : s->addr - M.alias;
}

/* VMM time is measured only for --stats: two clock reads per entry were
 * a tenth of a null system call. */
uint64_t vmm_clock(void)
{
	return M.cfg && M.cfg->stats ? now_ns() : 0;
}

uint64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* ---- address spaces in host processes (aspace.h) ---- */

static uint64_t idle_since;

static void going_idle(void)
{
	timer_arm(0);
	idle_since = vmm_clock();
}

/* Back as the active process: this process's mappings, LDT and cap are as
 * they were when it slept; bring them up to date with the shared state. */
static void became_active(void)
{
	timer_arm(1);
	M.vmm_ns -= vmm_clock() - idle_since; /* the others' time is theirs */
	replay_flushes();
	local_flush(0, 1);
	for (unsigned s = 0; s < S_NSEG; s++)
		seg_loaded(NULL, s);
	guard_vcpu_page();
}

static void exit_all(int status)
{
	(void)status;
	console_restore();
}

static const struct as_hooks as_hooks = {going_idle, became_active, exit_all};

/* At the end of a VMM entry that wrote CR3: on to the process holding the
 * new address space (this one may sleep in here while others run). */
void switch_aspace(void)
{
	if (!P.switch_pending)
		return;
	P.switch_pending = 0;
	int r = as_switch_to(M.cpu.cr3 & ~0xfffu);
	if (r == 1) {
		timer_arm(1); /* a new process: timers are not inherited */
		ring3_forget(); /* nor is its parent's ring-3 stub its own */
	}
	if (r != 2)
		local_flush(0, 1);
}

/* ---- entering the VMM from a patched site ---- */

int step_done(void)
{
	if (M.ended)
		finish(M.status);
	if (M.cpu.stop || vcpu_deliver_pending(&M.cpu))
		finish(M.cpu.stop == STOP_HALTED ? 0 : 1);
	if (M.ended)
		finish(M.status);
	return 0;
}


/* The vDSO's int $0x80 site, which a far call fills but for its restart tail
 * (vdso_patch checked the length): ret is the EIP after the far call, now[]
 * the data selectors ring 3 had loaded.  The return goes past the tail. */
void vdso_int80(uint32_t ret, const uint16_t now[S_NSEG])
{
	if (M.cpu.cpl == 3)
		adopt_native_segments(now, 0);
	static struct x86_insn int80;
	static const uint8_t bytes[2] = {0xcd, 0x80};
	if (!int80.len)
		x86_decode(bytes, sizeof bytes, X86_MODE32, &int80);
	M.vdso_calls++;
	M.cpu.eip = ret - 7;
	vcpu_emulate(&M.cpu, &int80, previrt_ab_site_len[PREVIRT_AB_KIND_INT]);
}

/* A patched site's far call into the VMM: ret is the EIP after it. */
void site_call(uint32_t ret)
{
	uint64_t la = ret + M.cpu.seg[S_CS].base - 1;
	const struct patch_site *s = find_site(la);
	if (!s || s->action == PATCH_NATIVE) {
		if (M.cpu.cpl == 3) {
			/* any ring-3 program can far-call the VMM's entry (its
			 * selector and address are no secret): on an i386 the
			 * far call to 0x33 raises #GP, so here too -- the guest
			 * kernel survives and the program gets its signal */
			M.ring3_escapes++;
			M.cpu.eip = ret;
			vcpu_raise(&M.cpu, 13, 1, 0);
			return;
		}
		vcpu_fail(&M.cpu, STOP_UNIMPLEMENTED, "far call into the VMM from %#x, not a patched site", ret);
		finish(1);
	}
	M.hits[s->kind]++;
	M.cpu.eip = (uint32_t)site_here(s, la) - M.cpu.seg[S_CS].base;
	if (s->flags & PREVIRT_AB_F_SHADOW)
		vcpu_sti_hlt(&M.cpu, s->len);
	else
		vcpu_emulate(&M.cpu, &s->insn, s->len);
}

static int pv_call(struct pv_ctx *c)
{
	uint64_t t = vmm_clock();
	M.in_vmm = 1;
	cpu_from_ctx();
	uint32_t ret = M.cpu.eip;
	if (c->reason == PV_REASON_INT80) {
		const uint16_t now[S_NSEG] = {[S_ES] = (uint16_t)c->es, [S_DS] = (uint16_t)c->ds,
					      [S_FS] = (uint16_t)c->fs, [S_GS] = (uint16_t)c->gs};
		vdso_int80(ret, now);
	} else if (ret + M.cpu.seg[S_CS].base == PV_BLOB_ADDR(pv_blob_irq32) + 7) {
		/* the irqcheck cell: back to after the site's `call *cell`, then the interrupt */
		uint32_t back;
		if (vmem_read(&M.cpu, M.cpu.seg[S_SS].base + M.cpu.gpr[R_ESP], &back, 4, 0) == 0) {
			M.cpu.gpr[R_ESP] += 4;
			M.cpu.eip = back;
		}
	} else {
		site_call(ret);
	}
	step_done();
	switch_aspace();
	if (M.stubbed && M.cpu.cpl == 3)
		ring3_run();
	cpu_to_ctx();
	M.in_vmm = 0;
	M.vmm_ns += vmm_clock() - t;
	return 0;
}

int pv_run(const struct pv_config *cfg)
{
	char err[256];
	/* first: the helper must map nothing of the VMM or the guest */
	struct netring_pair *rings = NULL;
	if ((cfg->net == PV_NET_USER || cfg->net == PV_NET_TAP) &&
	    !(rings = nethost_start(cfg, err, sizeof err))) {
		fprintf(stderr, "previrt: %s\n", err);
		return 1;
	}
	pv_machine = as_shared_alloc(sizeof *pv_machine);
	if (!pv_machine || as_init(cfg->processes ? cfg->processes : 1, &as_hooks, err, sizeof err)) {
		fprintf(stderr, "previrt: %s\n", pv_machine ? err : "shared memory for the VMM");
		return 1;
	}
	M.cfg = cfg;
	M.net = rings;
	M.t0_ns = now_ns();
	M.stubbed = !cfg->user_sees_kernel && !cfg->ring3_in_vmm;
	if (cfg->mem < (2u << 20) || cfg->mem > (3ull << 30)) {
		fprintf(stderr, "previrt: --mem must be 2 MiB..3 GiB\n");
		return 2;
	}
	if (ldt_probe(err, sizeof err)) {
		fprintf(stderr, "previrt: %s\n", err);
		return 1;
	}
	if (pv_mem_init(&M.mem, cfg->mem, err, sizeof err)) {
		fprintf(stderr, "previrt: %s\n", err);
		return 1;
	}
	if (M.stubbed && ring3_init(err, sizeof err)) {
		fprintf(stderr, "previrt: %s\n", err);
		return 1;
	}
	if (softtlb_init(err, sizeof err)) {
		fprintf(stderr, "previrt: %s\n", err);
		return 1;
	}
	struct elfimage im;
	int rc = pv_load(cfg, &im);
	if (rc)
		return rc;
	if (devices_init()) {
		fprintf(stderr, "previrt: device setup failed\n");
		return 1;
	}
	vcpu_reset(&M.cpu, &pv_vcpu_ops, NULL);
	P.slots_cap = PV_AREA_BASE;
	cap_flushed();
	for (unsigned s = 0; s < S_NSEG; s++)
		seg_loaded(NULL, s);
	if (M.linux) {
		/* startup_32 at its physical address; ESI: the zero page */
		M.cpu.eip = (uint32_t)(im.entry >= 0xc0000000u ? im.entry - 0xc0000000u : im.entry);
		M.cpu.gpr[R_ESI] = LB_ZERO_PAGE;
		/* The protocol gives no stack, and startup_32 sets one up only
		 * after its first sites: their far calls into the VMM push a
		 * return frame, so start with a stack in free conventional memory. */
		M.cpu.gpr[R_ESP] = 0x9f000;
	} else {
		M.cpu.eip = (uint32_t)im.entry;
		M.cpu.gpr[R_EAX] = 0x2badb002u;
		M.cpu.gpr[R_EBX] = MB_INFO;
	}
	*CTX = (struct pv_ctx){.handler = pv_call};
	fpu_init();
	__asm__ volatile("rdfsbase %0" : "=r"(CTX->host_fsbase));
	CELL_PUSHF = PV_BLOB_ADDR(pv_blob_pushf);
	for (unsigned i = 0; i < PV_NSEGTHUNKS; i++) {
		uint32_t off;
		memcpy(&off, pv_blob_segthunks + 4 * i, 4);
		unsigned pop = i >= PV_SEGTHUNK_POP(0);
		cell_put(pop ? PV_CELL_POPSEG(i - PV_SEGTHUNK_POP(0)) : PV_CELL_MOVSEG(i / 8, i % 8),
			 off ? PV_CODE_PAGE + off : 0);
	}
	cpu_to_ctx();
	console_init();
	/* The jail comes after everything that opens a file (the kernel, the
	 * initrd, the console) and before any guest code runs. */
	struct jail_report jr = {0};
	if (!cfg->no_jail && jail_enter(&jr, M.mem.fd, err, sizeof err)) {
		fprintf(stderr, "previrt: %s\n", err);
		return 1;
	}
	if (signals_init() || guest_trap_init()) {
		fprintf(stderr, "previrt: signal/seccomp setup: %s\n", strerror(errno));
		return 1;
	}
	if (!cfg->no_jail) {
		if (jail_seccomp(M.mem.fd, &jr.calls, err, sizeof err)) {
			fprintf(stderr, "previrt: %s\n", err);
			return 1;
		}
		if (cfg->stats || jr.refused) {
			char line[256];
			jail_describe(&jr, line, sizeof line);
			fprintf(stderr, "previrt: %s\n", line);
		}
	}
	if (as_supervise(M.cpu.cr3 & ~0xfffu)) {
		fprintf(stderr, "previrt: fork: %s\n", strerror(errno));
		return 1;
	}
	if (!cfg->no_jail && jail_seccomp_vmm(err, sizeof err)) {
		fprintf(stderr, "previrt: %s\n", err);
		return 1;
	}
	timer_arm(1); /* in a new process: timers are not inherited */
	int (*run)(void) = (int (*)(void))(uintptr_t)PV_BLOB_ADDR(pv_blob_run);
	run();
	finish(M.status);
}
