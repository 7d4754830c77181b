/*
 * The process back-end's machine, shared by its files: one guest, one
 * virtual CPU.  Guest code runs natively in compatibility mode on host LDT
 * segments; it enters the VMM through patched sites (a far call into
 * switch.S, then pv_call in run.c) and through host signals (traps of
 * unpatched privileged instructions, page faults of the soft TLB, the
 * timer; then pv_signal in signals.c).  Both paths copy the guest's
 * registers into the core's struct vcpu (ctx.c), let the core emulate, and
 * copy them back.
 *
 *   run.c       the VMM entry from patched sites, address-space handover, pv_run
 *   load.c      loading and patching the kernel, the Linux boot protocol
 *   softtlb.c   the soft TLB: host mappings of guest pages, flushes, faults
 *   segments.c  the host LDT that carries guest segments, the ring-3 cap
 *   ctx.c       guest registers between the switch context or a signal frame and the core
 *   signals.c   host signals as guest exceptions, interrupts and traps
 *   platform.c  the core's vcpu_ops and the devices' io_env, the host timer
 *   report.c    the end of a run: status, registers, statistics; console input
 *   ring3.c     guest ring 3 in stub processes that map only its pages (ustub.S)
 *   seccomp.c   the seccomp filters: guest system calls trap, the VMM's allow-list
 *   jail.c      namespaces, rlimits and capabilities around the VMM
 *
 * Internal to ipvmm/process: the rest of previrt sees run.h only.
 */
#ifndef IPVMM_PROCESS_MACHINE_H
#define IPVMM_PROCESS_MACHINE_H

#include <signal.h>
#include <stdint.h>
#include <ucontext.h>

#include "elfimage.h"
#include "ipvmm/core/io.h"
#include "ipvmm/core/patch.h"
#include "ipvmm/core/vcpu.h"
#include "ipvmm/dev/dp83820.h"
#include "ipvmm/dev/i8254.h"
#include "ipvmm/dev/i8259.h"
#include "ipvmm/dev/pci.h"
#include "ipvmm/dev/postcode.h"
#include "ipvmm/dev/reset.h"
#include "ipvmm/dev/rtc.h"
#include "ipvmm/dev/uart16550.h"
#include "layout.h"
#include "memory.h"
#include "netring.h"
#include "run.h"
#include "switch.h"

#define K(n) PREVIRT_AB_KIND_##n
/* host timer period: the PIT is brought up to date at least this often */
#define TICK_NS 1000000u
#define STUCK_NS 10000000000ull /* interrupts off for 10 s: the guest is stuck */

/* The host LDT slots that carry guest segment register s: as the guest
 * loaded it, and with its limit capped below the guest kernel (ring 3). */
#define FULL_SLOT(s) ((s) + 1)
#define CAP_SLOT(s) ((s) + 7)
#define SLOT_SEL(n) ((uint16_t)(((n) << 3) | 7))

struct machine {
	/* The guest's x87/SSE registers (FXSAVE image) while VMM code runs:
	 * saved at every entry from guest code, loaded at every return, and
	 * shared, so that the process holding the next address space and the
	 * ring-3 stub continue with them (fpu.c). */
	uint8_t fpu[512] __attribute__((aligned(64)));
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
	struct dp83820 nic;     /* on the bus with --net */
	uint64_t net_dropped;   /* frames the guest sent into --net null */
	struct netring_pair *net; /* --net user|tap: the rings to the helper */
	uint64_t net_in_dropped; /* frames from the helper the card refused */
	uint64_t net_kicks;      /* eventfd writes to wake the helper */
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
	uint64_t mmio_traps;    /* accesses to device registers, each a host fault */
	uint64_t ring3_escapes; /* faults of ring 3 in 64-bit code of its own, given to it as #GP */
	int stubbed;            /* guest ring 3 runs in stub processes (ring3.c) */
	uint64_t stubs, stub_events, stub_deaths, agent_batches; /* stubs started, events they posted, stubs ring 3 killed, mapping batches */
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
extern struct machine *pv_machine;
#define M (*pv_machine)

/* What belongs to this host process: its mappings' boundary and the
 * segment cap of its LDT (the rest of the VMM is shared). */
struct pv_proc {
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
};
extern struct pv_proc pv_proc;
#define P pv_proc

#define CTX ((struct pv_ctx *)(uintptr_t)PV_CTX)
/* the VMM's alias of the virtual-CPU page (see memory.h) */
#define VIF (*(volatile uint8_t *)(M.mem.vcpu + (PV_VCPU_IF - PV_VCPU_PAGE)))
#define CELL_IRQ (*(volatile uint32_t *)(M.mem.vcpu + (PV_CELL_IRQCHECK - PV_VCPU_PAGE)))
#define CELL_PUSHF (*(volatile uint32_t *)(M.mem.vcpu + (PV_CELL_PUSHF - PV_VCPU_PAGE)))

/* the multiboot information structure (test kernels) */
#define MB_INFO 0x9000u

/* run.c */
int step_done(void);
void switch_aspace(void);
void vdso_int80(uint32_t ret, const uint16_t now[S_NSEG]);
void site_call(uint32_t ret);
const struct patch_site *find_site(uint64_t la);
uint64_t site_here(const struct patch_site *s, uint64_t la);
uint64_t now_ns(void);
uint64_t vmm_clock(void);

/* load.c: 0, or 2 (bad input, reported) */
int pv_load(const struct pv_config *cfg, struct elfimage *im);

/* report.c */
_Noreturn void finish(int status);
void console_input(void);
/* platform.c: what the host has for the guest (console keys, frames from
 * the network helper), taken at each timer tick and after each halt */
void host_input(void);

/* segments.c */
struct user_desc;
/* the host descriptor for guest segment g in LDT slot 'slot', limit capped at cap (0: none) */
void ldt_desc(unsigned slot, const struct vseg *g, uint32_t cap, struct user_desc *out);
/* fpu.c: the guest's x87/SSE registers while VMM code runs (M.fpu) */
void fpu_init(void);
void fpu_from_frame(const void *uc);
void fpu_to_frame(void *uc);
void fpu_from_image(const uint8_t *img);
void fpu_to_image(uint8_t *img);
void seg_loaded(void *ctx, unsigned s);
int capping(void);
uint16_t real_selector(unsigned s);
void cap_note(uint32_t page, int user);
void cap_flushed(void);
void guard_vcpu_page(void);
int adopt_native_segments(const uint16_t now[S_NSEG], int faulting);
int fix_native_segments(int faulting);

/* softtlb.c */
int softtlb_init(char *err, size_t errsz);
int pv_mapped(uint32_t la);
void local_flush(uint32_t la, int all);
void tlb_flush(void *ctx, uint32_t la, int all);
void replay_flushes(void);
void drop_supervisor_pages(void);
void cpl_changed(void *ctx);
void page_fault(uint32_t la, uint64_t hwerr);
/* ring 3 touched the VMM area: it ran a site's inline sequence */
void inline_site_at_cpl3(void);

/* ctx.c */
void cpu_from_ctx(void);
void cpu_to_ctx(void);
void cpu_from_uc(const greg_t *g);
void cpu_to_uc(greg_t *g);
void irqcheck_cell(void);
void cell_put(uint32_t la, uint32_t val);

/* signals.c */
int signals_init(void);
int pv_signal(int sig, siginfo_t *si, void *ucv);
/* emulates the instruction at eip after a host trap, or raises the trap */
/* Decodes the guest instruction at CS:EIP (its linear address in *la): its
 * length, or an X86_ERR_* value. */
int decode_at_eip(struct x86_insn *in, uint32_t *la);
void trap_emulate(unsigned vector, uint32_t err);

/* platform.c */
extern const struct vcpu_ops pv_vcpu_ops;
int devices_init(void);
int irq_pending(void *ctx);
void timer_arm(int on);

/* ring3.c: guest ring 3 in stub processes */
int ring3_init(char *err, size_t errsz);
void ring3_run(void);
void ring3_flush(uint32_t la, int all);
void ring3_forget(void);

/* seccomp.c: the filter that traps guest system calls */
int guest_trap_init(void);

#endif
