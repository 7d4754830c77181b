/*
 * The process back-end's machine: one guest, one virtual CPU, in this
 * process.  Guest code runs natively in compatibility mode on host LDT
 * segments; it enters the VMM through patched sites (a far call into
 * switch.S, then pv_call) and through host signals (traps of unpatched
 * privileged instructions, page faults of the soft TLB, the timer; then
 * pv_signal).  Both paths copy the guest's registers into the core's
 * struct vcpu, let the core emulate, and copy them back.
 */
#include "run.h"

#include <asm/ldt.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <linux/audit.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "console.h"
#include "elfimage.h"
#include "ipvmm/core/io.h"
#include "ipvmm/core/patch.h"
#include "ipvmm/core/seg.h"
#include "ipvmm/core/vcpu.h"
#include "ipvmm/dev/i8254.h"
#include "ipvmm/dev/i8259.h"
#include "ipvmm/dev/pci.h"
#include "ipvmm/dev/postcode.h"
#include "ipvmm/dev/reset.h"
#include "ipvmm/dev/rtc.h"
#include "ipvmm/dev/uart16550.h"
#include "layout.h"
#include "hosttsc.h"
#include "linuxboot.h"
#include "memory.h"
#include "policy.h"
#include "switch.h"
#include "vdso.h"
#include "aspace.h"

#define K(n) PREVIRT_AB_KIND_##n
#define TICK_NS 1000000u
#define STUCK_NS 10000000000ull /* interrupts off for 10 s: the guest is stuck */ /* host timer period: the PIT is brought up to date at least this often */

/* The host LDT slots that carry guest segment register s: as the guest
 * loaded it, and with its limit capped below the guest kernel (ring 3). */
#define FULL_SLOT(s) ((s) + 1)
#define CAP_SLOT(s) ((s) + 7)
#define SLOT_SEL(n) ((uint16_t)(((n) << 3) | 7))

struct machine {
	const struct pv_config *cfg;
	struct pv_mem mem;
	struct vcpu cpu;
	struct patch_site *sites;
	uint32_t nsites;
	struct patch_stats pstats;
	struct patch_stats vdso_stats; /* the vDSO's sites */
	int vdsos;
	uint64_t vdso_calls;
	struct i8259 pic;
	struct i8254 pit;
	struct uart16550 uart;
	struct rtc rtc;
	struct reset_ctl reset;
	struct pci_host pci;
	struct postcode post;
	struct io_env env;
	volatile sig_atomic_t in_vmm; /* host C code of the VMM is running */
	volatile sig_atomic_t ended;
	volatile sig_atomic_t tick_due; /* the host timer ticked: bring the PIT up to date */
	int status;
	uint64_t hits[PREVIRT_AB_NKINDS];  /* VMM entries from patched sites */
	uint64_t traps[PREVIRT_AB_NKINDS]; /* emulations after a host trap */
	uint64_t faults_filled, faults_around, prefills, signals[65];
	uint32_t pf_la, pf_acc; /* the last ring-3 page fault given to the guest */
	int pf_pending;
	uint64_t drops, uncaps; /* supervisor pages dropped for ring 3; ring-3 #GPs under the cap */
	uint64_t t0_ns, vmm_ns;
	int linux; /* booted through the Linux boot protocol, not multiboot */
	uint64_t alias; /* link address - load address: early code runs at the load address */
	uint64_t if_seen_ns; /* the last time the guest ran with interrupts enabled */
	/* invlpg and full flushes, for the other processes' mappings of
	 * global pages: entry kgen % KLOG is the kgen-th (KLOG_ALL: all) */
	uint32_t kgen;
	uint32_t klog[64];
};

/* The machine lives in memory every VMM process shares (aspace.h). */
static struct machine *Mp;
#define M (*Mp)

/* What belongs to this host process: its mappings' boundary and the
 * segment cap of its LDT (the rest of the VMM is shared). */
static struct {
	/* Ring 3 runs on segments whose limits end at slots_cap, which lies
	 * above every user page and below every supervisor page this process
	 * has mapped, so the kernel's mappings can stay while user code runs.
	 * When no such boundary exists (cap_broken, until the next full
	 * flush) supervisor pages are unmapped instead; after a ring-3 #GP the
	 * cap is suspended until the next kernel entry, so that the access
	 * turns into the guest's own page fault. */
	uint32_t slots_cap, sup_low, user_top;
	int cap_broken, uncapped;
	int switch_pending; /* the guest wrote CR3: hand over at the end of this entry */
	uint32_t kgen;      /* global invalidations applied (M.kgen) */
} P;
static struct pv_ctx *const CTX = (struct pv_ctx *)(uintptr_t)PV_CTX;
/* the VMM's alias of the virtual-CPU page (see memory.h) */
#define VIF (*(volatile uint8_t *)(M.mem.vcpu + (PV_VCPU_IF - PV_VCPU_PAGE)))
#define CELL_IRQ (*(volatile uint32_t *)(M.mem.vcpu + (PV_CELL_IRQCHECK - PV_VCPU_PAGE)))
#define CELL_PUSHF (*(volatile uint32_t *)(M.mem.vcpu + (PV_CELL_PUSHF - PV_VCPU_PAGE)))

/* The site at linear address la, also when la is the physical alias of a
 * kernel linked elsewhere (early boot code, paging off). */
static const struct patch_site *find_site(uint64_t la)
{
	const struct patch_site *s = patch_find(M.sites, M.nsites, la);
	if (!s && M.alias && la < M.alias)
		s = patch_find(M.sites, M.nsites, la + M.alias);
	return s;
}

/* The linear address a site runs at, seen from la (its alias or itself). */
static uint64_t site_here(const struct patch_site *s, uint64_t la)
{
	return la >= s->addr ? s->addr : s->addr - M.alias;
}

static uint64_t now_ns(void);

/* VMM time is measured only for --stats: two clock reads per entry were
 * a tenth of a null system call. */
static uint64_t vmm_clock(void)
{
	return M.cfg && M.cfg->stats ? now_ns() : 0;
}

static uint64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* ---- the end of the run ---- */

static void dump_regs(FILE *f)
{
	const struct vcpu *v = &M.cpu;
	fprintf(f, "  eip %08x eflags %08x cpl %u\n", v->eip, v->eflags, v->cpl);
	fprintf(f, "  eax %08x ebx %08x ecx %08x edx %08x\n", v->gpr[R_EAX], v->gpr[R_EBX],
		v->gpr[R_ECX], v->gpr[R_EDX]);
	fprintf(f, "  esi %08x edi %08x ebp %08x esp %08x\n", v->gpr[R_ESI], v->gpr[R_EDI],
		v->gpr[R_EBP], v->gpr[R_ESP]);
	static const char *names[] = {"es", "cs", "ss", "ds", "fs", "gs"};
	for (unsigned s = 0; s < S_NSEG; s++)
		fprintf(f, "  %s %04x base %08x limit %08x%s", names[s], v->seg[s].sel, v->seg[s].base,
			v->seg[s].limit, s % 2 ? "\n" : "");
	fprintf(f, "  cr0 %08x cr2 %08x cr3 %08x cr4 %08x\n", v->cr0, v->cr2, v->cr3, v->cr4);
	fprintf(f, "  gdt %08x/%04x idt %08x/%04x ldtr %04x tr %04x\n", v->gdtr.base, v->gdtr.limit,
		v->idtr.base, v->idtr.limit, v->ldtr.sel, v->tr.sel);
}

static void print_stats(FILE *f)
{
	fprintf(f, "previrt: statistics\n  %-14s %6s %7s %6s %6s %12s %10s\n", "kind", "sites", "inline",
		"call", "native", "vmm entries", "traps");
	for (unsigned k = 1; k < PREVIRT_AB_NKINDS; k++) {
		const struct patch_kind_stats *s = &M.pstats.kind[k];
		if (!s->sites && !M.traps[k])
			continue;
		fprintf(f, "  %-14s %6u %7u %6u %6u %12llu %10llu\n", previrt_ab_kind_name[k], s->sites,
			s->inlined, s->called + s->jumped, s->native, (unsigned long long)M.hits[k],
			(unsigned long long)M.traps[k]);
	}
	if (M.vdsos)
		fprintf(f, "  vDSO: %u int $0x80 sites rewritten, %llu system calls through them\n",
			M.vdso_stats.kind[PREVIRT_AB_KIND_INT].called, (unsigned long long)M.vdso_calls);
	fprintf(f, "  exceptions delivered:");
	for (unsigned i = 0; i < 32; i++)
		if (M.cpu.stat_exc[i])
			fprintf(f, " #%u:%llu", i, (unsigned long long)M.cpu.stat_exc[i]);
	fprintf(f, "\n  interrupts delivered: %llu, soft-TLB fills: %llu (+%llu pages mapped ahead, "
		   "%llu after the guest's page fault handler)\n",
		(unsigned long long)M.cpu.stat_irq, (unsigned long long)M.faults_filled,
		(unsigned long long)M.faults_around, (unsigned long long)M.prefills);
	fprintf(f, "  ring 3: kernel pages dropped %llu times, segment cap suspended %llu times\n",
		(unsigned long long)M.drops, (unsigned long long)M.uncaps);
	fprintf(f, "  host signals: SIGSEGV %llu SIGSYS %llu SIGALRM %llu SIGILL %llu SIGFPE %llu\n",
		(unsigned long long)M.signals[SIGSEGV], (unsigned long long)M.signals[SIGSYS],
		(unsigned long long)M.signals[SIGALRM], (unsigned long long)M.signals[SIGILL],
		(unsigned long long)M.signals[SIGFPE]);
	uint64_t total = now_ns() - M.t0_ns;
	fprintf(f, "  time: %.3f s, in the VMM %.3f s (%.1f%%)\n", (double)total / 1e9,
		(double)M.vmm_ns / 1e9, total ? 100.0 * (double)M.vmm_ns / (double)total : 0.0);
}

/* Ends the process: reached from signal handlers and VMM calls alike, so
 * it leaves through _exit after flushing what it printed. */
static _Noreturn void finish(int status)
{
	console_restore();
	static const char *const why[] = {"", "unimplemented", "triple fault", "bad memory access",
					  "halted", "watchdog"};
	fflush(stdout);
	if (M.cpu.stop == STOP_HALTED)
		fprintf(stderr, "previrt: the guest halted with interrupts off: powered off (%s)\n", M.cpu.why);
	if (status) {
		fprintf(stderr, "previrt: guest stopped (%s): %s\n",
			M.cpu.stop < 6 ? why[M.cpu.stop] : "?", M.cpu.why);
		dump_regs(stderr);
	}
	if (M.cfg && M.cfg->stats)
		print_stats(stderr);
	fflush(stderr);
	as_exit(status);
}

/* Console input into the UART; the escape key ends the run. */
static void console_input(void)
{
	uint8_t buf[256];
	size_t room = uart16550_rx_space(&M.uart);
	long n = console_poll(buf, room < sizeof buf ? room : sizeof buf);
	if (n < 0) {
		console_restore();
		fprintf(stderr, "\r\nprevirt: quit (Ctrl-])\n");
		M.cfg = NULL;
		finish(3);
	}
	if (n > 0)
		uart16550_receive(&M.uart, buf, (size_t)n);
}

/* ---- host LDT: the guest's segments ---- */

static void ldt_write(unsigned slot, const struct vseg *g, uint32_t cap)
{
	struct user_desc d;
	memset(&d, 0, sizeof d); /* compared whole below: no stray padding bits */
	d.entry_number = slot;
	if (!g->usable) {
		d.seg_not_present = 1;
		d.read_exec_only = 1;
	} else {
		uint32_t hi = g->desc_hi, type = (hi >> 8) & 0xf;
		int code = (hi & 0x1000) && (type & 8), down = !code && (type & 4);
		uint64_t limit = g->limit; /* bytes - 1 */
		if (cap && !down)
			limit = cap > g->base ? (limit < cap - g->base - 1 ? limit : cap - g->base - 1) : 0;
		d.base_addr = g->base;
		d.limit_in_pages = limit > 0xfffff || (hi & 0x800000);
		d.limit = (unsigned)(d.limit_in_pages ? ((limit + 1) >> 12) - ((limit + 1) >= 0x1000) : limit);
		d.seg_32bit = (hi & 0x400000) != 0;
		d.contents = code ? MODIFY_LDT_CONTENTS_CODE
				  : down ? MODIFY_LDT_CONTENTS_STACK : MODIFY_LDT_CONTENTS_DATA;
		d.read_exec_only = !(type & 2);
		d.seg_not_present = !(hi & 0x8000);
		d.useable = 1;
		if (code)
			d.read_exec_only = 0; /* the VMM reads the code it decodes through CS too */
	}
	/* Linux reloads the same selectors on every kernel entry and exit:
	 * a slot that already holds this descriptor needs no system call */
	static struct user_desc slots[16];
	static uint16_t valid;
	if (slot < 16 && (valid & (1u << slot)) && memcmp(&slots[slot], &d, sizeof d) == 0)
		return;
	if (slot < 16) {
		slots[slot] = d;
		valid |= (uint16_t)(1u << slot);
	}
	if (syscall(SYS_modify_ldt, 1, &d, sizeof d) != 0) {
		vcpu_fail(&M.cpu, STOP_UNIMPLEMENTED, "modify_ldt for a guest segment: %s", strerror(errno));
		finish(1);
	}
}

#define CAP_STEP 0x10000000u /* the boundary moves in 256 MiB steps, so it rarely moves */

static void seg_loaded(void *ctx, unsigned s)
{
	(void)ctx;
	ldt_write(FULL_SLOT(s), &M.cpu.seg[s], 0);
	ldt_write(CAP_SLOT(s), &M.cpu.seg[s], P.slots_cap);
}

static int capping(void)
{
	return M.cpu.cpl == 3 && !P.cap_broken && !P.uncapped && !M.cfg->user_sees_kernel;
}

/* The host selector guest segment register s runs on now. */
static uint16_t real_selector(unsigned s)
{
	if (!M.cpu.seg[s].usable)
		return 0;
	return SLOT_SEL(capping() ? CAP_SLOT(s) : FULL_SLOT(s));
}

static void cap_move(uint32_t cap)
{
	P.slots_cap = cap;
	for (unsigned s = 0; s < S_NSEG; s++)
		ldt_write(CAP_SLOT(s), &M.cpu.seg[s], cap);
}

/* A page the VMM maps for the guest: keep the boundary between the user
 * and the supervisor pages, or give it up until the next full flush. */
static void guard_vcpu_page(void);

static void cap_note(uint32_t page, int user)
{
	if (user) {
		if (page + 0x1000 > P.user_top)
			P.user_top = page + 0x1000;
	} else if (page < P.sup_low) {
		P.sup_low = page;
	}
	if (P.cap_broken || (P.user_top <= P.slots_cap && P.slots_cap <= P.sup_low))
		return;
	uint64_t want = user ? ((uint64_t)P.user_top + CAP_STEP - 1) & ~(uint64_t)(CAP_STEP - 1)
			     : P.sup_low & ~(CAP_STEP - 1);
	if (want > P.sup_low)
		want = P.sup_low;
	if (want >= P.user_top && want <= P.sup_low && want != 0)
		cap_move((uint32_t)want);
	else
		P.cap_broken = 1;
	if (P.cap_broken)
		guard_vcpu_page();
}

static void cap_flushed(void)
{
	P.sup_low = PV_AREA_BASE;
	P.user_top = 0;
	P.cap_broken = 0;
}

/* ---- the soft TLB ---- */

/* Host mappings of supervisor-only guest pages, which must go when the
 * guest drops to ring 3: their span, and the span of user pages, so one
 * system call unmaps them when the two do not interleave (Linux: kernel
 * above 0xc0000000, users below), a list otherwise. */
#define SUP_LIST 4096
static struct {
	uint32_t lo, hi;   /* supervisor pages mapped: [lo, hi) */
	uint32_t ulo, uhi; /* user pages mapped */
	uint32_t list[SUP_LIST];
	unsigned n, overflow;
	uint32_t glow, ng_high; /* lowest global page mapped, end of the highest non-global */
	int g_user;             /* a global page is a user page */
} tlb = {UINT32_MAX, 0, UINT32_MAX, 0, {0}, 0, 0, UINT32_MAX, 0, 0};

/* Which linear pages have a host mapping now (fault-around skips them). */
static uint8_t mapped[1u << 17];

static int pv_mapped(uint32_t la)
{
	return mapped[la >> 15] & (1u << ((la >> 12) & 7));
}

static void mapped_set(uint32_t la)
{
	mapped[la >> 15] |= (uint8_t)(1u << ((la >> 12) & 7));
}

static void mapped_clear(uint32_t la, uint32_t len)
{
	uint64_t a = la & ~0xfffu, end = (uint64_t)la + len;
	for (; a < end && (a & 0x7fff); a += 0x1000) /* up to a whole byte of the map */
		mapped[a >> 15] &= (uint8_t)~(1u << ((a >> 12) & 7));
	uint64_t whole = (end - a) >> 15;
	if (a < end && whole) {
		memset(&mapped[a >> 15], 0, whole);
		a += whole << 15;
	}
	for (; a < end; a += 0x1000)
		mapped[a >> 15] &= (uint8_t)~(1u << ((a >> 12) & 7));
}

static void tlb_forget(void)
{
	tlb.glow = UINT32_MAX;
	tlb.ng_high = 0;
	tlb.g_user = 0;
	tlb.lo = tlb.ulo = UINT32_MAX;
	tlb.hi = tlb.uhi = 0;
	tlb.n = tlb.overflow = 0;
}

/* Non-global pages mapped, each with what it maps (pa | NG_*), listed so
 * that a CR3 write can keep the user pages the new tables translate alike
 * (after fork, or between processes sharing a program's pages) instead of
 * dropping them all.  NG_V set <=> the page is in ng_list. */
#define NG_V 1u
#define NG_W 2u
#define NG_U 4u
#define NG_MAX 65536u
static uint32_t *ng_map; /* per linear page, 4 MiB reserved at start */
static uint32_t ng_list[NG_MAX];
static unsigned ng_n;
static int ng_overflow;

static void ng_note(uint32_t page, uint32_t pa, int w, int u)
{
	uint32_t *e = &ng_map[page >> 12];
	if (!(*e & NG_V)) {
		if (ng_n == NG_MAX) {
			ng_overflow = 1;
			return;
		}
		ng_list[ng_n++] = page;
	}
	*e = (pa & ~0xfffu) | NG_V | (w ? NG_W : 0) | (u ? NG_U : 0);
}

static void ng_forget(void)
{
	for (unsigned i = 0; i < ng_n; i++)
		ng_map[ng_list[i] >> 12] = 0;
	ng_n = 0;
	ng_overflow = 0;
}

static void tlb_note(uint32_t page, uint32_t pa, int w, int user)
{
	mapped_set(page);
	if (!M.cpu.fill_global)
		ng_note(page, pa, w, user);
	if (M.cpu.fill_global) {
		if (page < tlb.glow)
			tlb.glow = page;
		tlb.g_user |= user;
	} else if (page + 0x1000 > tlb.ng_high) {
		tlb.ng_high = page + 0x1000;
	}
	if (user) {
		tlb.ulo = page < tlb.ulo ? page : tlb.ulo;
		tlb.uhi = page + 0x1000 > tlb.uhi ? page + 0x1000 : tlb.uhi;
		return;
	}
	tlb.lo = page < tlb.lo ? page : tlb.lo;
	tlb.hi = page + 0x1000 > tlb.hi ? page + 0x1000 : tlb.hi;
	if (tlb.n < SUP_LIST)
		tlb.list[tlb.n++] = page;
	else
		tlb.overflow = 1;
}

/* After a CR3 write: of the non-global pages mapped, keeps the user pages
 * the new tables map to the same frame, still Accessed (and Dirty if
 * mapped writable) -- a TLB may hold any translation the tables give --
 * and unmaps the rest, in runs.  Returns the end of the highest kept page. */
static uint32_t ng_revalidate(void)
{
	uint32_t top = 0, run_la = 0, run_n = 0;
	unsigned k = 0;
	for (unsigned i = 0; i <= ng_n; i++) {
		uint32_t la = i < ng_n ? ng_list[i] : 0, *e = i < ng_n ? &ng_map[la >> 12] : NULL, pa;
		int w, u, gone = 0;
		if (e) {
			if (pv_mapped(la) && (*e & NG_U) && mmu_peek(&M.cpu, la, 0, &pa, &w, &u) == 0 &&
			    !M.cpu.fill_global && u && pa == (*e & ~0xfffu) && (w || !(*e & NG_W))) {
				ng_list[k++] = la;
				top = la + 0x1000 > top ? la + 0x1000 : top;
				continue;
			}
			gone = pv_mapped(la);
			*e = 0;
			if (gone && run_n && la == run_la + run_n * 0x1000) {
				run_n++;
				continue;
			}
		}
		if (run_n) {
			pv_unmap(run_la, run_n * 0x1000);
			mapped_clear(run_la, run_n * 0x1000);
			run_n = 0;
		}
		if (gone)
			run_la = la, run_n = 1;
	}
	ng_n = k;
	return top;
}

/* Drops this process's host mappings as a TLB flush would: all == 0, the
 * page at la (invlpg); 1, a CR3 write; 2, everything (CR0.PG/WP, CR4). */
static void local_flush(uint32_t la, int all)
{
	if (all == 1 && tlb.glow < PV_AREA_BASE && tlb.ng_high <= tlb.glow && !tlb.g_user) {
		/* a CR3 write keeps global pages, as the TLB does, when they
		 * all lie above every non-global one (Linux: the kernel's) */
		if (ng_overflow) {
			pv_unmap(0x10000, tlb.glow - 0x10000);
			mapped_clear(0x10000, tlb.glow - 0x10000);
			ng_forget();
			tlb.ng_high = 0;
		} else {
			tlb.ng_high = ng_revalidate();
		}
		P.user_top = 0;
		P.cap_broken = 0;
		if (tlb.ng_high)
			cap_note(tlb.ng_high - 0x1000, 1);
	} else if (all) {
		pv_unmap(0x10000, PV_AREA_BASE - 0x10000);
		memset(mapped, 0, sizeof mapped);
		ng_forget();
		tlb_forget();
		cap_flushed();
	} else if (la >= 0x10000 && la < PV_AREA_BASE) {
		pv_unmap(la & ~0xfffu, 0x1000);
		mapped_clear(la & ~0xfffu, 0x1000);
	}
}

#define KLOG 64u
#define KLOG_ALL 0xffffffffu

/* The guest's TLB flushes.  With one host process per address space, a
 * CR3 write hands the virtual CPU to the process holding the new one at the
 * end of this VMM entry, and invlpg and full flushes are logged for the
 * other processes' mappings of global pages. */
static void tlb_flush(void *ctx, uint32_t la, int all)
{
	(void)ctx;
	if (as_max() > 1) {
		if (all == 1) {
			P.switch_pending = 1;
			return;
		}
		M.klog[M.kgen % KLOG] = all ? KLOG_ALL : la;
		P.kgen = ++M.kgen;
	}
	local_flush(la, all);
}

/* The flushes other processes made while this one slept. */
static void replay_flushes(void)
{
	if (M.kgen - P.kgen > KLOG)
		local_flush(0, 2);
	for (; P.kgen != M.kgen && M.kgen - P.kgen <= KLOG; P.kgen++) {
		uint32_t e = M.klog[P.kgen % KLOG];
		local_flush(e == KLOG_ALL ? 0 : e, e == KLOG_ALL ? 2 : 0);
	}
	P.kgen = M.kgen;
}

static void drop_supervisor_pages(void)
{
	M.drops++;
	if (tlb.lo >= tlb.hi)
		return;
	if (tlb.uhi <= tlb.lo || tlb.ulo >= tlb.hi) {
		pv_unmap(tlb.lo, tlb.hi - tlb.lo);
		mapped_clear(tlb.lo, tlb.hi - tlb.lo);
	} else if (!tlb.overflow) {
		for (unsigned i = 0; i < tlb.n; i++) {
			pv_unmap(tlb.list[i], 0x1000);
			mapped_clear(tlb.list[i], 0x1000);
		}
	}
	else {
		local_flush(0, 2);
		return;
	}
	tlb.lo = UINT32_MAX, tlb.hi = 0, tlb.n = 0, tlb.overflow = 0;
}

static void fault_around(uint32_t page, unsigned user);

/* Back in ring 3 after the guest handled a page fault of ring 3: the page
 * is most likely in place now (present, Accessed, Dirty for a write, as
 * Linux makes it), so it is mapped before the access runs again instead of
 * after a second host fault.  Only when that changes nothing the guest can
 * see (mmu_peek); otherwise the access faults and fills as usual. */
static void map_after_fault(void)
{
	struct vcpu *v = &M.cpu;
	uint32_t page = M.pf_la & ~0xfffu, pa;
	int w, u;
	M.pf_pending = 0;
	if (page < 0x10000 || page >= PV_AREA_BASE || pv_mapped(page) ||
	    mmu_peek(v, page, M.pf_acc, &pa, &w, &u) || !pv_phys(&M.mem, pa, 0x1000) ||
	    pv_map(&M.mem, page, pa, 0x1000, w))
		return;
	tlb_note(page, pa, w, u);
	cap_note(page, u);
	M.prefills++;
	fault_around(page, M.pf_acc & MMU_USER);
}

/* Ring 3 must not reach the virtual-CPU page (an inline site run by ring-3
 * code then traps into the VMM, which emulates it with ring-3 rights). The
 * capped segments already end below it, so the page is closed with
 * mprotect only while ring 3 runs uncapped: two host system calls per
 * guest system call were a third of its cost. */
static void guard_vcpu_page(void)
{
	static int closed;
	int want = M.cpu.cpl == 3 && !capping() && !M.cfg->user_sees_kernel;
	if (want == closed)
		return;
	if (pv_vcpu_page_access(!want) != 0) {
		vcpu_fail(&M.cpu, STOP_UNIMPLEMENTED, "mprotect of the virtual-CPU page: %s", strerror(errno));
		finish(1);
	}
	closed = want;
}

/* At CPL 3 the supervisor pages mapped for the kernel go (unless the cap
 * keeps them out of reach), so ring 3 faults in only what its page tables
 * allow it. */
static void cpl_changed(void *ctx)
{
	(void)ctx;
	P.uncapped = 0;
	if (M.cpu.cpl == 3 && !M.cfg->user_sees_kernel && P.cap_broken)
		drop_supervisor_pages();
	if (M.cpu.cpl == 3 && M.pf_pending)
		map_after_fault();
	guard_vcpu_page();
}

/* ---- the other vcpu_ops ---- */

static void *phys(void *ctx, uint64_t pa, uint32_t len)
{
	(void)ctx;
	return pv_phys(&M.mem, pa, len);
}

static void halt(void *ctx)
{
	(void)ctx;
	sigset_t none;
	sigemptyset(&none);
	uint64_t t = vmm_clock();
	sigsuspend(&none); /* any signal: the timer brings the PIT up to date */
	console_input();
	M.vmm_ns -= vmm_clock() - t; /* idle is not VMM time */
}

static uint64_t rdtsc(void *ctx)
{
	(void)ctx;
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* The PIT catches up when the host timer has ticked since it last did
 * (tick_due, set by SIGALRM), not at every VMM exit: that was a clock read
 * on every entry. */
static int irq_pending(void *ctx)
{
	(void)ctx;
	if (M.tick_due) {
		M.tick_due = 0;
		i8254_update(&M.pit);
	}
	return i8259_pending(&M.pic);
}

static int irq_ack(void *ctx)
{
	(void)ctx;
	return i8259_ack(&M.pic);
}

static int port_in(void *ctx, uint16_t port, unsigned size, uint32_t *val)
{
	(void)ctx;
	return io_in(port, size, val);
}

static int port_out(void *ctx, uint16_t port, unsigned size, uint32_t val)
{
	(void)ctx;
	int r = io_out(port, size, val);
	if (M.ended)
		finish(M.status);
	return r;
}

static void note(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "previrt: %s\n", msg);
}

static const struct vcpu_ops ops = {
	phys, seg_loaded, tlb_flush, cpl_changed, halt, rdtsc, irq_pending, irq_ack, port_in, port_out,
	note,
};

/* ---- devices ---- */

static void env_set_irq(void *ctx, unsigned line, int level)
{
	(void)ctx;
	i8259_set_irq(&M.pic, line, level);
}

static uint64_t env_now(void *ctx)
{
	(void)ctx;
	return now_ns();
}

static int64_t env_wall(void *ctx)
{
	(void)ctx;
	return (int64_t)time(NULL);
}

static void env_console(void *ctx, const uint8_t *buf, size_t len)
{
	(void)ctx;
	while (len) {
		ssize_t n = write(1, buf, len);
		if (n <= 0 && errno != EINTR)
			break;
		if (n > 0)
			buf += n, len -= (size_t)n;
	}
}

static void env_reset(void *ctx)
{
	(void)ctx;
	M.ended = 1;
	M.status = 0;
}

static void env_unimplemented(void *ctx, const char *dev, const char *what, uint32_t value)
{
	(void)ctx;
	vcpu_fail(&M.cpu, STOP_UNIMPLEMENTED, "%s: %s (value %#x) is not implemented, at eip %#x", dev,
		  what, value, M.cpu.eip);
	M.ended = 1;
	M.status = 1;
}

static int devices_init(void)
{
	M.env = (struct io_env){NULL, env_set_irq, env_now, env_wall, env_console, env_reset,
				env_unimplemented};
	io_reset_table();
	if (i8259_init(&M.pic, &M.env) || i8254_init(&M.pit, &M.env) ||
	    uart16550_init(&M.uart, &M.env, 0x3f8, 4) || rtc_init(&M.rtc, &M.env) ||
	    reset_ctl_init(&M.reset, &M.env) || pci_host_init(&M.pci, &M.env) ||
	    postcode_init(&M.post))
		return -1;
	return 0;
}

/* ---- moving the guest's registers between the host and the core ---- */

#define VIRT_FLAGS (EFL_IF | EFL_IOPL | EFL_NT | EFL_VM)

static uint32_t real_flags(void)
{
	return (M.cpu.eflags & ~VIRT_FLAGS) | EFL_IF;
}

static void cpu_from_ctx(void)
{
	struct vcpu *v = &M.cpu;
	v->gpr[R_EAX] = CTX->eax, v->gpr[R_ECX] = CTX->ecx, v->gpr[R_EDX] = CTX->edx;
	v->gpr[R_EBX] = CTX->ebx, v->gpr[R_ESP] = CTX->esp, v->gpr[R_EBP] = CTX->ebp;
	v->gpr[R_ESI] = CTX->esi, v->gpr[R_EDI] = CTX->edi;
	v->eip = CTX->eip - M.cpu.seg[S_CS].base;
	v->eflags = (CTX->eflags & ~VIRT_FLAGS) | (v->eflags & (EFL_IOPL | EFL_NT)) |
		    (VIF ? EFL_IF : 0);
}

static void irqcheck_cell(void)
{
	int want = (M.cpu.eflags & EFL_IF) ? 0 : irq_pending(NULL);
	CELL_IRQ = want ? PV_BLOB_ADDR(pv_blob_irq32) : PV_BLOB_ADDR(pv_blob_ret);
}

static void cell_put(uint32_t la, uint32_t val)
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

static void cpu_to_ctx(void)
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

/* ---- address spaces in host processes (aspace.h) ---- */

static void timer_arm(int on)
{
	struct itimerval it = {{0, on ? TICK_NS / 1000 : 0}, {0, on ? TICK_NS / 1000 : 0}};
	setitimer(ITIMER_REAL, &it, NULL);
}

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
static void switch_aspace(void)
{
	if (!P.switch_pending)
		return;
	P.switch_pending = 0;
	int r = as_switch_to(M.cpu.cr3 & ~0xfffu);
	if (r == 1)
		timer_arm(1); /* a new process: timers are not inherited */
	if (r != 2)
		local_flush(0, 1);
}

/* ---- entering the VMM from a patched site ---- */

static int step_done(void)
{
	if (M.ended)
		finish(M.status);
	if (M.cpu.stop || vcpu_deliver_pending(&M.cpu))
		finish(M.cpu.stop == STOP_HALTED ? 0 : 1);
	if (M.ended)
		finish(M.status);
	return 0;
}

int vcpu_sti_hlt(struct vcpu *v, unsigned len);
static int adopt_native_segments(const uint16_t now[S_NSEG], int faulting);

static int pv_call(struct pv_ctx *c)
{
	uint64_t t = vmm_clock();
	M.in_vmm = 1;
	cpu_from_ctx();
	uint32_t ret = M.cpu.eip;
	if (c->reason == PV_REASON_INT80) {
		/* the vDSO's int $0x80 site: the far call filled it (7 bytes) */
		if (M.cpu.cpl == 3) {
			const uint16_t now[S_NSEG] = {[S_ES] = (uint16_t)c->es, [S_DS] = (uint16_t)c->ds,
						      [S_FS] = (uint16_t)c->fs, [S_GS] = (uint16_t)c->gs};
			adopt_native_segments(now, 0);
		}
		static struct x86_insn int80;
		static const uint8_t bytes[2] = {0xcd, 0x80};
		if (!int80.len)
			x86_decode(bytes, sizeof bytes, X86_MODE32, &int80);
		M.vdso_calls++;
		M.cpu.eip = ret - 7;
		vcpu_emulate(&M.cpu, &int80, 7);
	} else if (ret + M.cpu.seg[S_CS].base == PV_BLOB_ADDR(pv_blob_irq32) + 7) {
		/* the irqcheck cell: back to after the site's `call *cell`, then the interrupt */
		uint32_t back;
		if (vmem_read(&M.cpu, M.cpu.seg[S_SS].base + M.cpu.gpr[R_ESP], &back, 4, 0) == 0) {
			M.cpu.gpr[R_ESP] += 4;
			M.cpu.eip = back;
		}
	} else {
		uint64_t la = ret + M.cpu.seg[S_CS].base - 1;
		const struct patch_site *s = find_site(la);
		if (!s || s->action == PATCH_NATIVE) {
			vcpu_fail(&M.cpu, STOP_UNIMPLEMENTED, "far call into the VMM from %#x, not a patched site",
				  ret);
			finish(1);
		}
		M.hits[s->kind]++;
		M.cpu.eip = (uint32_t)site_here(s, la) - M.cpu.seg[S_CS].base;
		if (s->flags & PREVIRT_AB_F_SHADOW)
			vcpu_sti_hlt(&M.cpu, s->len);
		else
			vcpu_emulate(&M.cpu, &s->insn, s->len);
	}
	step_done();
	switch_aspace();
	cpu_to_ctx();
	M.in_vmm = 0;
	M.vmm_ns += vmm_clock() - t;
	return 0;
}

/* ---- entering the VMM through a host signal ---- */

static void cpu_from_uc(const greg_t *g)
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

static void cpu_to_uc(greg_t *g)
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

/* Emulates the instruction at eip after a host trap, or reports the trap
 * to the guest as the exception it is. */
static void trap_emulate(unsigned vector, uint32_t err)
{
	struct vcpu *v = &M.cpu;
	uint8_t buf[X86_MAX_LEN] = {0};
	uint32_t la = v->seg[S_CS].base + v->eip;
	unsigned n = 0;
	while (n < sizeof buf && vmem_read(v, la + n, buf + n, 1, 0) == 0)
		n++;
	v->exc_vector = -1; /* a page fault reading past the end is not the guest's */
	struct x86_insn in;
	int len = x86_decode(buf, n, X86_MODE32, &in);
	const struct patch_site *s = find_site(la);
	if (s && site_here(s, la) == la && s->action == PATCH_NATIVE && len == s->insn_len) {
		M.traps[s->kind]++;
		if (s->flags & PREVIRT_AB_F_SHADOW)
			vcpu_sti_hlt(v, s->len);
		else
			vcpu_emulate(v, &s->insn, s->len);
		return;
	}
	if (len > 0 && in.op != X86_OP_OTHER && vector == 13) {
		/* unannotated code (ring 3) doing something privileged */
		if (in.op == X86_OP_MOV_TO_SEG || in.op == X86_OP_POP_SEG || in.op == X86_OP_IRET ||
		    in.op == X86_OP_LRET || in.op == X86_OP_FARJMP || in.op == X86_OP_FARCALL ||
		    in.op == X86_OP_LDS || in.op == X86_OP_LES || in.op == X86_OP_LFS ||
		    in.op == X86_OP_LGS || in.op == X86_OP_LSS || v->cpl == 0) {
			vcpu_emulate(v, &in, (unsigned)len);
			return;
		}
	}
	vcpu_raise(v, vector, vector == 13 || vector == 14 || (vector >= 10 && vector <= 12), err);
}

/* A fault on the VMM page at CPL 3: ring-3 code ran an inline site. */
static void inline_site_at_cpl3(void)
{
	struct vcpu *v = &M.cpu;
	uint32_t la = v->seg[S_CS].base + v->eip;
	const struct patch_site *s = find_site(la);
	if (!s || (s->action != PATCH_INLINE)) {
		vcpu_fail(v, STOP_UNIMPLEMENTED, "ring-3 access to the VMM area at eip %#x", v->eip);
		return;
	}
	M.hits[s->kind]++;
	/* the inline sequences touch the VMM page first, or after changing
	 * only flags the instruction sets anyway: start over at the site */
	v->eip = (uint32_t)site_here(s, la) - v->seg[S_CS].base;
	vcpu_emulate(v, &s->insn, s->len);
}

static void fault_around(uint32_t page, unsigned user);

static void page_fault(uint32_t la, uint64_t hwerr)
{
	struct vcpu *v = &M.cpu;
	if (la >= PV_AREA_BASE) {
		if (v->cpl == 3)
			inline_site_at_cpl3();
		else
			vcpu_fail(v, STOP_UNIMPLEMENTED, "guest touched the VMM area at %#x (eip %#x)", la,
				  v->eip);
		return;
	}
	unsigned acc = (hwerr & 2 ? MMU_WRITE : 0) | (v->cpl == 3 ? MMU_USER : 0);
	uint32_t pa;
	int w, u;
	if (mmu_fill(v, la, acc, &pa, &w, &u)) {
		/* #PF raised for the guest (or stopped): map the page when
		 * the guest's handler returns to ring 3 with it in place */
		if (v->exc_vector == 14 && v->cpl == 3)
			M.pf_la = la, M.pf_acc = acc, M.pf_pending = 1;
		return;
	}
	if (la < 0x10000) {
		vcpu_fail(v, STOP_UNIMPLEMENTED,
			  "guest access to linear %#x: the host cannot map the first 64 KiB (eip %#x)", la,
			  v->eip);
		return;
	}
	if (!pv_phys(&M.mem, pa, 0x1000)) {
		vcpu_fail(v, STOP_BAD_MEMORY,
			  "guest touched guest-physical %#x (linear %#x), outside its %llu MiB of RAM (eip %#x)",
			  pa, la, (unsigned long long)(M.mem.size >> 20), v->eip);
		return;
	}
	if (v->cpl == 3 && !u) { /* cannot happen: the walk checked U */
		vcpu_page_fault(v, la, 5);
		return;
	}
	if (pv_map(&M.mem, la & ~0xfffu, pa, 0x1000, w)) {
		vcpu_fail(v, STOP_BAD_MEMORY, "mapping linear %#x: %s", la, strerror(errno));
		return;
	}
	tlb_note(la & ~0xfffu, pa, w, u);
	cap_note(la & ~0xfffu, u);
	M.faults_filled++;
	fault_around(la & ~0xfffu, acc & MMU_USER);
}

/* Guest user code is not afterburnt: a segment load there runs natively and
 * may pick up a host GDT descriptor (glibc's `mov $0x33, %gs` loads the
 * host's 64-bit code segment, base 0).  Its first use faults; load the
 * guest's descriptor behind it and let the instruction run again.  Every
 * other entry from ring 3 (a timer tick, a system call) adopts such a load
 * too, or returning to ring 3 would put back the old selector and lose it.
 * now[]: the host registers as ring 3 left them.  Returns whether one
 * changed; with faulting set, 0 when the guest refuses the selector (its
 * own #GP/#NP is then pending); otherwise a refused selector becomes null,
 * as the mov would have faulted at a point that is gone. */
static int adopt_native_segments(const uint16_t now[S_NSEG], int faulting)
{
	static const unsigned segs[] = {S_ES, S_DS, S_FS, S_GS};
	int fixed = 0;
	for (unsigned i = 0; i < 4; i++) {
		unsigned s = segs[i];
		if (now[s] == real_selector(s))
			continue;
		if (seg_load_data(&M.cpu, s, now[s])) {
			if (faulting)
				return 0;
			M.cpu.exc_vector = -1;
			seg_load_data(&M.cpu, s, 0);
		}
		fixed = 1;
	}
	return fixed;
}

static int fix_native_segments(int faulting)
{
	/* the host's sigcontext has no data selectors (it writes 0 for fs and
	 * gs): the registers themselves still hold the interrupted values */
	uint16_t ds, es, fs, gs;
	__asm__ volatile("mov %%ds, %0; mov %%es, %1; mov %%fs, %2; mov %%gs, %3"
			 : "=r"(ds), "=r"(es), "=r"(fs), "=r"(gs));
	const uint16_t now[S_NSEG] = {[S_ES] = es, [S_DS] = ds, [S_FS] = fs, [S_GS] = gs};
	return adopt_native_segments(now, faulting);
}

/* Maps the already-accessed pages around a fault, in the aligned window
 * of FAULT_AROUND pages, in runs of contiguous frames (one mmap each):
 * the guest's next accesses nearby then cost no host fault.  Only pages
 * whose Accessed bit (and, for write access, Dirty bit) the guest already
 * has are mapped, so nothing the guest can see changes. */
#define FAULT_AROUND 16u
/* Supervisor pages: a ring-3 stint without the segment cap drops them all,
 * and the next kernel entry faults its working set back; a window of 4 MiB
 * (the direct map is contiguous: mostly one mmap) made a busybox workload
 * 2x faster than 16 pages did, and 16 MiB slower again. */
#define SUP_AROUND 1024u
static void fault_around(uint32_t page, unsigned user)
{
	struct vcpu *v = &M.cpu;
	uint32_t span = user ? FAULT_AROUND : SUP_AROUND;
	uint32_t lo = page & ~(span * 0x1000 - 1), run_la = 0, run_pa = 0, run_n = 0;
	int run_w = 0, run_u = 0, run_g = 0;
	for (uint32_t i = 0; i <= span; i++) {
		uint32_t la = lo + i * 0x1000, pa = 0;
		int w = 0, u = 0, ok = 0, g = 0;
		if (i < span && la != page && la >= 0x10000 && la < PV_AREA_BASE &&
		    !pv_mapped(la)) {
			ok = mmu_peek(v, la, user, &pa, &w, &u) == 0 && pv_phys(&M.mem, pa, 0x1000);
			g = v->fill_global;
		}
		if (run_n && ok && pa == run_pa + run_n * 0x1000 && la == run_la + run_n * 0x1000 &&
		    w == run_w && u == run_u && g == run_g) {
			run_n++;
			continue;
		}
		if (run_n && pv_map(&M.mem, run_la, run_pa, run_n * 0x1000, run_w) == 0) {
			v->fill_global = run_g;
			for (uint32_t k = 0; k < run_n; k++) {
				tlb_note(run_la + k * 0x1000, run_pa + k * 0x1000, run_w, run_u);
				cap_note(run_la + k * 0x1000, run_u);
			}
			M.faults_around += run_n;
		}
		run_n = 0;
		if (ok)
			run_la = la, run_pa = pa, run_n = 1, run_w = w, run_u = u, run_g = g;
	}
}

static int in_guest_code(const greg_t *g)
{
	uint16_t cs = (uint16_t)(g[REG_CSGSFS] & 0xffff);
	return cs != 0x33;
}

/* Whether an interrupt may be delivered at the interrupted guest eip: not
 * in the middle of a site's inline sequence, not in the VMM's thunks. */
static int interruptible(uint32_t la)
{
	if (la >= PV_AREA_BASE)
		return 0;
	const struct patch_site *s = find_site(la);
	return !s || site_here(s, la) == la;
}

int pv_signal(int sig, siginfo_t *si, void *ucv);
int pv_signal(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	greg_t *g = uc->uc_mcontext.gregs;
	if (sig > 0 && sig < 65)
		M.signals[sig]++;
	/* A guest that keeps interrupts off this long is hung or has given up
	 * (a Linux panic spins with them off): end it rather than hang. */
	if (sig == SIGALRM && in_guest_code(g) && !M.in_vmm) {
		uint64_t t = now_ns();
		if (VIF)
			M.if_seen_ns = t;
		else if (M.if_seen_ns && t - M.if_seen_ns > STUCK_NS) {
			vcpu_fail(&M.cpu, STOP_TIMEOUT,
				  "the guest ran %u s with interrupts disabled: hung or panicked",
				  (unsigned)(STUCK_NS / 1000000000u));
			finish(1);
		}
	}
	if (sig == SIGALRM && M.cfg->timeout && now_ns() - M.t0_ns > M.cfg->timeout * 1000000000ull) {
		vcpu_fail(&M.cpu, STOP_TIMEOUT, "the guest ran longer than %u s (--timeout)",
			  M.cfg->timeout);
		finish(1);
	}
	if (sig == SIGALRM)
		M.tick_due = 1;
	if (!in_guest_code(g) || M.in_vmm) {
		if (sig == SIGALRM)
			return -1; /* the PIT catches up when the VMM next looks */
		static char msg[160];
		int n = snprintf(msg, sizeof msg, "previrt: internal error: signal %d at host %#llx (addr %p)\n",
				 sig, (unsigned long long)g[REG_RIP], si->si_addr);
		if (write(2, msg, (size_t)n) < 0)
			_exit(70);
		_exit(70);
	}
	uint64_t t = vmm_clock();
	M.in_vmm = 1;
	cpu_from_uc(g);
	struct vcpu *v = &M.cpu;
	uint32_t trapno = (uint32_t)g[REG_TRAPNO];
	if (v->cpl == 3 && sig != SIGSEGV && sig != SIGBUS)
		fix_native_segments(0);
	switch (sig) {
	case SIGSEGV:
	case SIGBUS:
		if (v->cpl == 3 && fix_native_segments(1))
			break;
		if (trapno != 14 && capping()) {
			/* maybe a ring-3 access above the cap: run it again on
			 * full segments, without the kernel's pages, so it page
			 * faults (or #GPs) exactly as the guest would see */
			P.uncapped = 1;
			M.uncaps++;
			drop_supervisor_pages();
			guard_vcpu_page();
			break;
		}
		if (trapno == 14)
			page_fault((uint32_t)(uintptr_t)si->si_addr, (uint64_t)g[REG_ERR]);
		else
			trap_emulate(trapno == 12 ? 12 : 13, (uint32_t)g[REG_ERR]);
		break;
	case SIGILL:
		trap_emulate(6, 0);
		break;
	case SIGFPE:
		vcpu_raise(v, 0, 0, 0);
		break;
	case SIGTRAP:
		if (trapno == 3)
			vcpu_raise(v, 3, 0, 0); /* eip is after the int3 already: a trap */
		else
			vcpu_raise(v, 1, 0, 0);
		break;
	case SIGSYS: {
		/* a system-call instruction the guest ran natively (unpatched) */
		uint8_t b[2] = {0, 0};
		uint32_t at = v->eip - 2;
		vmem_read(v, v->seg[S_CS].base + at, b, 2, 0);
		v->exc_vector = -1;
		v->eip = at;
		if (b[0] == 0xcd) {
			struct x86_insn in;
			if (x86_decode(b, 2, X86_MODE32, &in) == 2)
				vcpu_emulate(v, &in, 2);
		} else {
			vcpu_raise(v, 6, 0, 0); /* sysenter/syscall: hidden in CPUID */
		}
		break;
	}
	case SIGALRM:
		M.tick_due = 0;
		i8254_update(&M.pit);
		console_input();
		if (!interruptible(v->seg[S_CS].base + v->eip)) {
			irqcheck_cell();
			goto out;
		}
		break;
	}
	step_done();
out:
	switch_aspace();
	cpu_to_uc(g);
	M.in_vmm = 0;
	M.vmm_ns += vmm_clock() - t;
	return real_selector(S_FS);
}

void pv_sig_entry(int sig, siginfo_t *si, void *uc);

static int signals_init(void)
{
	static uint8_t altstack[256 * 1024];
	stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
	if (sigaltstack(&ss, NULL))
		return -1;
	struct sigaction sa = {.sa_sigaction = pv_sig_entry, .sa_flags = SA_SIGINFO | SA_ONSTACK};
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGALRM); /* no timer inside another handler */
	static const int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS, SIGALRM};
	for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		if (sigaction(sigs[i], &sa, NULL))
			return -1;
	struct itimerval it = {{0, TICK_NS / 1000}, {0, TICK_NS / 1000}};
	return setitimer(ITIMER_REAL, &it, NULL);
}

/* System calls from guest code (the low 4 GiB, or the i386 entry) trap;
 * the VMM's own, from the host binary far above, pass. */
static int seccomp_init(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, instruction_pointer) + 4),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {sizeof f / sizeof f[0], f};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

/* ---- loading ---- */

#define MB_INFO 0x9000u

static int linux_setup(const struct pv_config *cfg, const struct elfimage *im, int64_t delta);

static int load(const struct pv_config *cfg, struct elfimage *im)
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

int pv_run(const struct pv_config *cfg)
{
	char err[256];
	Mp = as_shared_alloc(sizeof *Mp);
	if (!Mp || as_init(cfg->processes ? cfg->processes : 1, &as_hooks, err, sizeof err)) {
		fprintf(stderr, "previrt: %s\n", Mp ? err : "shared memory for the VMM");
		return 1;
	}
	M.cfg = cfg;
	M.t0_ns = now_ns();
	if (cfg->mem < (2u << 20) || cfg->mem > (3ull << 30)) {
		fprintf(stderr, "previrt: --mem must be 2 MiB..3 GiB\n");
		return 2;
	}
	if (pv_mem_init(&M.mem, cfg->mem, err, sizeof err)) {
		fprintf(stderr, "previrt: %s\n", err);
		return 1;
	}
	void *ng = mmap(NULL, (1u << 20) * sizeof *ng_map, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (ng == MAP_FAILED) {
		fprintf(stderr, "previrt: reserving the soft TLB's page map: %s\n", strerror(errno));
		return 1;
	}
	ng_map = ng;
	struct elfimage im;
	int rc = load(cfg, &im);
	if (rc)
		return rc;
	if (devices_init()) {
		fprintf(stderr, "previrt: device setup failed\n");
		return 1;
	}
	vcpu_reset(&M.cpu, &ops, NULL);
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
	if (signals_init() || seccomp_init()) {
		fprintf(stderr, "previrt: signal/seccomp setup: %s\n", strerror(errno));
		return 1;
	}
	if (as_supervise(M.cpu.cr3 & ~0xfffu)) {
		fprintf(stderr, "previrt: fork: %s\n", strerror(errno));
		return 1;
	}
	timer_arm(1); /* in a new process: timers are not inherited */
	int (*run)(void) = (int (*)(void))(uintptr_t)PV_BLOB_ADDR(pv_blob_run);
	run();
	finish(M.status);
}
