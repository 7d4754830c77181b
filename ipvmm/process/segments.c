/* Guest segments on host LDT slots: each guest segment register has two,
 * as the guest loaded it and with its limit capped below the guest kernel's
 * pages for ring 3; and the segment loads ring 3 ran natively. */
#include "machine.h"

#include <asm/ldt.h>
#include <errno.h>
#include <string.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ipvmm/core/seg.h"

/* ---- host LDT: the guest's segments ---- */

void ldt_desc(unsigned slot, const struct vseg *g, uint32_t cap, struct user_desc *out)
{
	struct user_desc d;
	memset(&d, 0, sizeof d); /* compared whole: no stray padding bits */
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
	*out = d;
}

static void ldt_write(unsigned slot, const struct vseg *g, uint32_t cap)
{
	struct user_desc d;
	ldt_desc(slot, g, cap, &d);
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

/* Some hosts accept modify_ldt(2) but never load the LDT (seen on a PVM
 * guest kernel): every LDT selector then faults, and the first guest
 * instruction would be an internal error.  A child tries one selector. */
int ldt_probe(char *err, size_t errsz)
{
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, errsz, "fork for the LDT probe: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		struct user_desc d = {.entry_number = 0, .limit = 0xfffff, .seg_32bit = 1,
				      .limit_in_pages = 1, .useable = 1};
		if (syscall(SYS_modify_ldt, 1, &d, sizeof d) != 0)
			_exit(3);
		/* %ds: ignored for addressing in 64-bit mode, unlike %fs, which
		 * holds libc's thread pointer */
		__asm__ volatile("mov %0, %%ds" : : "r"((uint32_t)7)); /* LDT 0, RPL 3 */
		_exit(0);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			snprintf(err, errsz, "waiting for the LDT probe: %s", strerror(errno));
			return -1;
		}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 3)
		snprintf(err, errsz, "this host's kernel refuses modify_ldt(2), which the process "
			 "platform needs for the guest's segments; use --platform=qemu");
	else
		snprintf(err, errsz, "this host's kernel accepts modify_ldt(2) but does not load the "
			 "LDT (a selector of it faults: seen on PVM guest kernels); the process platform "
			 "cannot run here; use --platform=qemu");
	return -1;
}

#define CAP_STEP 0x10000000u /* the boundary moves in 256 MiB steps, so it rarely moves */

void seg_loaded(void *ctx, unsigned s)
{
	(void)ctx;
	ldt_write(FULL_SLOT(s), &M.cpu.seg[s], 0);
	ldt_write(CAP_SLOT(s), &M.cpu.seg[s], P.slots_cap);
}

int capping(void)
{
	return M.cpu.cpl == 3 && !P.cap_broken && !P.uncapped && !M.cfg->user_sees_kernel && !M.stubbed;
}

/* The host selector guest segment register s runs on now. */
uint16_t real_selector(unsigned s)
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

void cap_note(uint32_t page, int user)
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

void cap_flushed(void)
{
	P.sup_low = PV_AREA_BASE;
	P.user_top = 0;
	P.cap_broken = 0;
}

/* Ring 3 must not reach the virtual-CPU page (an inline site run by ring-3
 * code then traps into the VMM, which emulates it with ring-3 rights). The
 * capped segments already end below it, so the page is closed with
 * mprotect only while ring 3 runs uncapped: two host system calls per
 * guest system call were a third of its cost. */
void guard_vcpu_page(void)
{
	static int closed;
	int want = M.cpu.cpl == 3 && !capping() && !M.cfg->user_sees_kernel && !M.stubbed;
	if (want == closed)
		return;
	if (pv_vcpu_page_access(!want) != 0) {
		vcpu_fail(&M.cpu, STOP_UNIMPLEMENTED, "mprotect of the virtual-CPU page: %s", strerror(errno));
		finish(1);
	}
	closed = want;
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
int adopt_native_segments(const uint16_t now[S_NSEG], int faulting)
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

int fix_native_segments(int faulting)
{
	/* the host's sigcontext has no data selectors (it writes 0 for fs and
	 * gs): the registers themselves still hold the interrupted values */
	uint16_t ds, es, fs, gs;
	__asm__ volatile("mov %%ds, %0; mov %%es, %1; mov %%fs, %2; mov %%gs, %3"
			 : "=r"(ds), "=r"(es), "=r"(fs), "=r"(gs));
	const uint16_t now[S_NSEG] = {[S_ES] = es, [S_DS] = ds, [S_FS] = fs, [S_GS] = gs};
	return adopt_native_segments(now, faulting);
}
