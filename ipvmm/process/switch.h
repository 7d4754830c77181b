/* The C side of switch.S: the guest register context and the blob. */
#ifndef IPVMM_PROCESS_SWITCH_H
#define IPVMM_PROCESS_SWITCH_H

#include <stddef.h>
#include <stdint.h>

#include "layout.h"

/* Real (host-level) register values of the guest context. */
struct pv_ctx {
	uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
	uint32_t eip, eflags;
	uint32_t cs, ss, ds, es, fs, gs;
	uint64_t host_rsp, host_fsbase;
	int (*handler)(struct pv_ctx *); /* 0: resume the guest; else end the run */
	uint32_t reason, pad; /* PV_REASON_* */
	uint8_t *fpu;         /* 512 bytes, 16-aligned: the guest's x87/SSE state */
};

#define PV_REASON_SITE 0  /* a patched site of the kernel image */
#define PV_REASON_INT80 1 /* the vDSO's int $0x80, rewritten */

_Static_assert(offsetof(struct pv_ctx, eip) == CTX_EIP, "layout.h CTX_EIP");
_Static_assert(offsetof(struct pv_ctx, gs) == CTX_GS, "layout.h CTX_GS");
_Static_assert(offsetof(struct pv_ctx, host_rsp) == CTX_HOST_RSP, "layout.h CTX_HOST_RSP");
_Static_assert(offsetof(struct pv_ctx, handler) == CTX_HANDLER, "layout.h CTX_HANDLER");
_Static_assert(offsetof(struct pv_ctx, reason) == CTX_REASON, "layout.h CTX_REASON");
_Static_assert(offsetof(struct pv_ctx, fpu) == CTX_FPU, "layout.h CTX_FPU");
_Static_assert(sizeof(struct pv_ctx) == CTX_SIZE, "layout.h CTX_SIZE");

extern const uint8_t pv_blob_start[], pv_blob_end[], pv_blob_run[], pv_blob_pushf[],
	pv_blob_ret[], pv_blob_irq32[], pv_blob_entry_int80[];
/* u32 offsets of the segment-reload thunks in the blob, 0 for none, in the
 * order of switch.S's table: mov (sreg, GPR), then pop (sreg) */
extern const uint8_t pv_blob_segthunks[];
#define PV_SEGTHUNK_MOV(s, r) (8 * (s) + (r))
#define PV_SEGTHUNK_POP(s) (48 + (s))
#define PV_NSEGTHUNKS 54

/* Linear address of a blob symbol once copied to PV_CODE_PAGE. */
#define PV_BLOB_ADDR(sym) ((uint32_t)(PV_CODE_PAGE + (uint32_t)((sym) - pv_blob_start)))

#endif
