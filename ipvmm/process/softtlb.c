/* The soft TLB: host mappings of guest pages are a cache of the guest's
 * translations, filled on a host page fault by walking its page tables and
 * dropped at its TLB flushes (invlpg, CR3, CR4.PGE, CR0.PG). */
#include "machine.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "aspace.h"
#include "ipvmm/core/mmio.h"

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

int pv_mapped(uint32_t la)
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
void local_flush(uint32_t la, int all)
{
	if (M.stubbed)
		ring3_flush(la, all);
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
void tlb_flush(void *ctx, uint32_t la, int all)
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
void replay_flushes(void)
{
	if (M.kgen - P.kgen > KLOG)
		local_flush(0, 2);
	for (; P.kgen != M.kgen && M.kgen - P.kgen <= KLOG; P.kgen++) {
		uint32_t e = M.klog[P.kgen % KLOG];
		local_flush(e == KLOG_ALL ? 0 : e, e == KLOG_ALL ? 2 : 0);
	}
	P.kgen = M.kgen;
}

void drop_supervisor_pages(void)
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


/* Back in ring 3 after the guest handled a page fault of ring 3: the page
 * is most likely in place now (present, Accessed, Dirty for a write, as
 * Linux makes it), so it is mapped before the access runs again instead of
 * after a second host fault.  Only when that changes nothing the guest can
 * see (mmu_peek); otherwise the access faults and fills as usual. */
static void fault_around(uint32_t page, unsigned user);

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

/* PREVIRT_DEBUG_TLB=1: at each entry to ring 3, every user page the host
 * maps must be what the guest's tables give now (same frame; writable only
 * if they allow it): a mismatch is a flush the soft TLB missed. */
static int audit_on = -1;
static unsigned audit_bad;
static void tlb_audit(const char *where)
{
	if (audit_on < 0) {
		const char *e = getenv("PREVIRT_DEBUG_TLB");
		audit_on = e && *e == '1';
	}
	if (!audit_on || audit_bad > 40)
		return;
	for (unsigned i = 0; i < ng_n; i++) {
		uint32_t la = ng_list[i], e = ng_map[la >> 12], pa = 0;
		int w = 0, u = 0;
		if (!(e & NG_V) || !(e & NG_U) || !pv_mapped(la))
			continue;
		int r = mmu_peek(&M.cpu, la, MMU_USER, &pa, &w, &u);
		if (r == 0 && pa == (e & ~0xfffu) && (w || !(e & NG_W)))
			continue;
		audit_bad++;
		fprintf(stderr, "previrt: debug-tlb: %s: la %#x maps frame %#x%s; the tables give %s %#x%s "
			"(eip %#x cr3 %#x)\n", where, la, e & ~0xfffu, e & NG_W ? " writable" : "",
			r ? "nothing" : "frame", pa, w ? " writable" : "", M.cpu.eip, M.cpu.cr3);
	}
}

/* At CPL 3 the supervisor pages mapped for the kernel go (unless the cap
 * keeps them out of reach), so ring 3 faults in only what its page tables
 * allow it. */
void cpl_changed(void *ctx)
{
	(void)ctx;
	if (M.stubbed)
		return; /* ring 3 never runs in this process */
	P.uncapped = 0;
	if (M.cpu.cpl == 3 && !M.cfg->user_sees_kernel && P.cap_broken)
		drop_supervisor_pages();
	if (M.cpu.cpl == 3 && M.pf_pending)
		map_after_fault();
	if (M.cpu.cpl == 3)
		tlb_audit("to ring 3");
	guard_vcpu_page();
}


/* A fault on the VMM page at CPL 3: ring-3 code ran an inline site. */
void inline_site_at_cpl3(void)
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

/* An access to device registers (a memory BAR): the instruction at eip
 * is decoded and emulated, its operand reaching the device through
 * vmem_read/vmem_write.  A MEM site left native (--native MEM) counts as
 * its kind's trap. */
static void mmio_trap(uint32_t la)
{
	struct vcpu *v = &M.cpu;
	struct x86_insn in;
	uint32_t ip;
	int len = decode_at_eip(&in, &ip);
	if (len <= 0 || (in.op != X86_OP_MOV && in.op != X86_OP_MOVZX && in.op != X86_OP_MOVSX)) {
		vcpu_fail(v, STOP_UNIMPLEMENTED, "access to device registers at linear %#x by %s at eip %#x",
			  la, len > 0 ? x86_op_name(in.op) : "an undecodable instruction", v->eip);
		return;
	}
	const struct patch_site *s = find_site(ip);
	if (s && s->kind == PREVIRT_AB_KIND_MEM)
		M.traps[s->kind]++;
	M.mmio_traps++;
	vcpu_emulate(v, &in, (unsigned)len);
}

void page_fault(uint32_t la, uint64_t hwerr)
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
	if (!pv_phys(&M.mem, pa, 0x1000) && mmio_claims(pa | (la & 0xfff))) {
		/* a device's registers: never mapped, each access emulated */
		mmio_trap(la);
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

/* ng_map: one word per linear page, reserved (not committed) at start. */
int softtlb_init(char *err, size_t errsz)
{
	void *ng = mmap(NULL, (1u << 20) * sizeof *ng_map, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (ng == MAP_FAILED) {
		snprintf(err, errsz, "reserving the soft TLB's page map: %s", strerror(errno));
		return -1;
	}
	ng_map = ng;
	return 0;
}
