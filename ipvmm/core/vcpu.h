/*
 * The virtual CPU of the in-place VMM: an i386 in protected mode as the
 * guest kernel sees it (EFLAGS.IF and IOPL, CR0/2/3/4, descriptor tables,
 * segment registers with their cached descriptors, CPL, debug registers,
 * the MSRs we model), and the emulation of every annotated instruction on
 * it.  Guest-neutral and hypervisor-neutral: a back-end reaches guest RAM,
 * its TLB and its segment machinery through struct vcpu_ops.
 */
#ifndef IPVMM_CORE_VCPU_H
#define IPVMM_CORE_VCPU_H

#include <stdint.h>

#include "x86/decode.h"

enum { R_EAX, R_ECX, R_EDX, R_EBX, R_ESP, R_EBP, R_ESI, R_EDI };
enum { S_ES, S_CS, S_SS, S_DS, S_FS, S_GS, S_NSEG };

#define EFL_CF 0x1u
#define EFL_ZF 0x40u
#define EFL_TF 0x100u
#define EFL_IF 0x200u
#define EFL_DF 0x400u
#define EFL_IOPL 0x3000u
#define EFL_NT 0x4000u
#define EFL_RF 0x10000u
#define EFL_VM 0x20000u
#define EFL_AC 0x40000u
#define EFL_ID 0x200000u

#define CR0_PE 0x1u
#define CR0_MP 0x2u
#define CR0_EM 0x4u
#define CR0_TS 0x8u
#define CR0_ET 0x10u
#define CR0_NE 0x20u
#define CR0_WP 0x10000u
#define CR0_AM 0x40000u
#define CR0_NW 0x20000000u
#define CR0_CD 0x40000000u
#define CR0_PG 0x80000000u
#define CR4_PSE 0x10u
#define CR4_PAE 0x20u
#define CR4_PGE 0x80u
#define CR4_OSFXSR 0x200u
#define CR4_OSXMMEXCPT 0x400u

/* A segment register: the selector and the descriptor cached at load. */
struct vseg {
	uint16_t sel;
	uint32_t base, limit; /* limit in bytes - 1, granularity applied */
	uint32_t desc_hi;     /* the descriptor's high word (type, DPL, P, D/B, G) */
	uint8_t usable;       /* 0: loaded with a null selector */
};

struct vdtr {
	uint32_t base;
	uint16_t limit;
};

struct vcpu;

/* What the core needs from a back-end.  All required. */
struct vcpu_ops {
	/* host pointer to guest-physical [pa, pa + len), NULL outside RAM */
	void *(*phys)(void *ctx, uint64_t pa, uint32_t len);
	/* a segment register got a new descriptor (S_*) */
	void (*seg_loaded)(void *ctx, unsigned seg);
	/* drop cached translations: one page (all = 0), every non-global one
	 * (all = 1: a CR3 write), or every one (all = 2) */
	void (*tlb_flush)(void *ctx, uint32_t la, int all);
	/* CPL changed (user <-> kernel) */
	void (*cpl_changed)(void *ctx);
	/* wait until an interrupt may be pending (hlt with IF set) */
	void (*halt)(void *ctx);
	uint64_t (*rdtsc)(void *ctx);
	/* the interrupt controller: a maskable interrupt waits / take it */
	int (*irq_pending)(void *ctx);
	int (*irq_ack)(void *ctx);
	/* port I/O: 0, or -1 when no device claims the port */
	int (*io_in)(void *ctx, uint16_t port, unsigned size, uint32_t *val);
	int (*io_out)(void *ctx, uint16_t port, unsigned size, uint32_t val);
	/* something the guest did that the VMM answered as hardware does but
	 * that deserves a line in the log (once per cause) */
	void (*note)(void *ctx, const char *msg);
};

/* Why emulation stopped the guest (vcpu.stop). */
enum vcpu_stop { STOP_NONE, STOP_UNIMPLEMENTED, STOP_TRIPLE_FAULT, STOP_BAD_MEMORY, STOP_HALTED, STOP_TIMEOUT };

struct vcpu {
	uint32_t gpr[8];
	uint32_t eip;
	uint32_t eflags; /* virtual: IF and IOPL are the guest's */
	struct vseg seg[S_NSEG];
	uint32_t cr0, cr2, cr3, cr4;
	uint32_t dr[8];
	struct vdtr gdtr, idtr;
	struct vseg ldtr, tr;
	unsigned cpl;
	uint64_t pat;

	/* an exception raised during emulation, delivered by vcpu_deliver_pending */
	int exc_vector; /* -1: none */
	int exc_has_err;
	uint32_t exc_err;
	int nested; /* faults while delivering: double, then triple fault */

	/* the last mmu_fill/mmu_peek translation is global (G bit, CR4.PGE):
	 * a CR3 write keeps it, as the TLB does */
	int fill_global;

	/* The emulator's own TLB: the last translations of its guest-memory
	 * accesses (frame stack, iret, descriptors), keyed by page and access
	 * kind, dropped with every guest TLB flush (mmu_tlb_flush) */
	uint32_t xc_key[8];
	uint8_t *xc_page[8];
	unsigned xc_next;

	enum vcpu_stop stop;
	char why[200]; /* what the guest tried, for the stop message */

	const struct vcpu_ops *ops;
	void *ctx;
	uint64_t stat_ops[X86_NOPS];  /* emulated instructions by identity */
	uint64_t stat_exc[32], stat_irq;
};

/* Power-on state of a multiboot entry: flat 32-bit protected mode, paging
 * off, IF clear. */
void vcpu_reset(struct vcpu *v, const struct vcpu_ops *ops, void *ctx);

/* Emulates the decoded instruction at v->eip (len bytes to skip: the whole
 * site for a patched site, the instruction for a trap).  Returns 0 when the
 * guest may go on (perhaps with an exception pending), -1 when it must stop
 * (v->stop, v->why). */
int vcpu_emulate(struct vcpu *v, const struct x86_insn *in, unsigned len);
/* sti; hlt in one SHADOW site: IF rises, then the wait for an interrupt. */
int vcpu_sti_hlt(struct vcpu *v, unsigned len);

/* Raises an exception at the current v->eip (fault semantics). */
void vcpu_raise(struct vcpu *v, unsigned vector, int has_err, uint32_t err);
/* Delivers a pending exception, then, if IF is set, a pending interrupt,
 * through the guest IDT.  -1 on a triple fault or an unsupported gate. */
int vcpu_deliver_pending(struct vcpu *v);
/* Delivers a page fault for linear address la with the x86 error code. */
void vcpu_page_fault(struct vcpu *v, uint32_t la, uint32_t err);

/* Soft-TLB fill: translates la for an access (write, and CPL from v) by
 * walking the guest page tables, setting Accessed/Dirty.  Returns 0 with
 * the physical page and whether the host may map it writable / user, or -1
 * after raising #PF (or stopping the guest if the tables are outside RAM). */
#define MMU_WRITE 0x2u
#define MMU_USER 0x4u
#define MMU_FETCH 0x10u
int mmu_fill(struct vcpu *v, uint32_t la, unsigned acc, uint32_t *pa, int *writable, int *user);
/* A guest TLB flush (invlpg: la, all 0; CR3: all 1; everything: all 2):
 * the emulator's translations and the back-end's (ops->tlb_flush). */
void mmu_tlb_flush(struct vcpu *v, uint32_t la, int all);
/* The same walk without side effects, for mapping ahead of a fault: 0 only
 * when la is present, allowed for acc, and already marked Accessed (so
 * mapping it early changes nothing the guest can see). */
int mmu_peek(struct vcpu *v, uint32_t la, unsigned acc, uint32_t *pa, int *writable, int *user);

/* Guest linear memory for the emulator, with the CPL's permissions (or the
 * supervisor's with sup=1, for descriptor tables and stacks the CPU itself
 * touches).  -1 after raising #PF. */
int vmem_read(struct vcpu *v, uint32_t la, void *buf, uint32_t len, int sup);
int vmem_write(struct vcpu *v, uint32_t la, const void *buf, uint32_t len, int sup);

/* Stops the guest with a message (printf-like, no floating point). */
int vcpu_fail(struct vcpu *v, enum vcpu_stop why, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
