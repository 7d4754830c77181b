/* Where the process back-end keeps the in-place VMM inside the guest's
 * 4 GiB linear space (= the host process's low 4 GiB).  The guest is told
 * to leave the top alone (Linux: reservetop=), and this area is mapped at
 * the same linear address whatever the guest's paging mode, so patched
 * sites reach it from the kernel's physical alias during early boot too.
 *
 * Included by assembly (switch.S): numbers only. */
#ifndef IPVMM_PROCESS_LAYOUT_H
#define IPVMM_PROCESS_LAYOUT_H

#define PV_AREA_BASE 0xff800000 /* 8 MiB below 4 GiB */
#define PV_AREA_SIZE 0x00800000

/* The virtual-CPU page, read and written by inline site sequences. */
#define PV_VCPU_PAGE PV_AREA_BASE
#define PV_VCPU_IF (PV_VCPU_PAGE + 0x00)       /* byte: virtual EFLAGS.IF */
#define PV_CELL_IRQCHECK (PV_VCPU_PAGE + 0x04) /* u32: called when IF may have risen */
#define PV_CELL_PUSHF (PV_VCPU_PAGE + 0x08)    /* u32: 32-bit pushf thunk */

/* Control registers cr0, cr2, cr3, cr4 as the guest sees them (u32 at
 * PV_VCPU_CR(n)), kept current by the VMM: mov from a control register is
 * inline (the page-fault handler reads cr2 on every fault). */
#define PV_VCPU_CR(n) (PV_VCPU_PAGE + 0x20 + 4 * (n))

/* Segment registers as the guest sees them, s in x86 order (es cs ss ds
 * fs gs), kept current by the VMM at every return to the guest: push and
 * mov-from of a segment read the selector inline, and a reload of the
 * selector already loaded, whose descriptor still holds the bytes it was
 * loaded from, is done by a thunk without entering the VMM (switch.S). */
#define PV_VCPU_SEL(s) (PV_VCPU_PAGE + 0x40 + 4 * (s))  /* u32: selector */
#define PV_VCPU_DLA(s) (PV_VCPU_PAGE + 0x60 + 4 * (s))  /* u32: its GDT entry's address, 0: no fast reload */
#define PV_VCPU_DESC(s) (PV_VCPU_PAGE + 0x80 + 8 * (s)) /* 2 x u32: the descriptor it was loaded from */
/* u32 cells holding the reload thunks' addresses: mov from GPR r into
 * segment s at PV_CELL_MOVSEG(s, r), pop into s at PV_CELL_POPSEG(s);
 * 0 where there is no thunk (cs, ss, esp). */
#define PV_CELL_MOVSEG(s, r) (PV_VCPU_PAGE + 0x100 + 4 * (8 * (s) + (r)))
#define PV_CELL_POPSEG(s) (PV_VCPU_PAGE + 0x200 + 4 * (s))

/* The guest register context shared by the switch code and C (struct
 * pv_ctx in switch.h; offsets below must match it).  Its own page: the
 * virtual-CPU page is out of the guest's reach while it runs ring 3. */
#define PV_CTX (PV_AREA_BASE + 0x3000)
#define CTX_EAX 0
#define CTX_ECX 4
#define CTX_EDX 8
#define CTX_EBX 12
#define CTX_ESP 16
#define CTX_EBP 20
#define CTX_ESI 24
#define CTX_EDI 28
#define CTX_EIP 32
#define CTX_EFLAGS 36
#define CTX_CS 40
#define CTX_SS 44
#define CTX_DS 48
#define CTX_ES 52
#define CTX_FS 56
#define CTX_GS 60
#define CTX_HOST_RSP 64
#define CTX_HOST_FSBASE 72
#define CTX_HANDLER 80 /* C function: int handler(struct pv_ctx *) */
#define CTX_REASON 88  /* which entry: 0 a patched site, 1 the vDSO's int $0x80 */
#define CTX_FPU 96     /* the guest's FXSAVE image (struct machine's fpu) */
#define CTX_SIZE 104

/* The switch code (switch.S) is copied here; patched sites reach its
 * 64-bit entry with `lcall $PV_ENTRY_SEL, $PV_ENTRY`, and the 32-bit
 * thunks sit behind it. */
#define PV_CODE_PAGE (PV_AREA_BASE + 0x1000)
#define PV_ENTRY_SEL 0x33 /* the host's 64-bit user code segment */
#define PV_ENTRY PV_CODE_PAGE /* pv_blob_entry is the first thing in the blob */

#endif
