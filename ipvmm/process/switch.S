/*
 * The process back-end's world switch, assembled into the host binary as
 * data and copied to PV_CODE_PAGE at start (layout.h): patched 32-bit guest
 * code reaches it with `lcall $0x33, $PV_ENTRY`, and `call *cell` reaches
 * the 32-bit thunks, from any alias of the guest kernel.  Position
 * independent: only relative branches inside the blob, absolute addresses
 * of the fixed VMM area.
 *
 * Guest registers live in struct pv_ctx at PV_CTX.  r8-r15 are invisible to
 * 32-bit code, so the 64-bit parts use r11 freely.
 */
#include "layout.h"

	.section .rodata.pv_blob, "a"
	.globl pv_blob_start, pv_blob_end, pv_blob_run, pv_blob_pushf, pv_blob_ret, pv_blob_irq32
	.globl pv_blob_entry_int80, pv_blob_segthunks

	.code64
	.p2align 6
pv_blob_start:
/* 64-bit entry from a patched site: the far call left EIP, CS on the guest
 * stack.  Save the guest, run the C handler on the host stack with the
 * host's FS base, then resume the guest from pv_ctx (or leave the run). */
pv_blob_entry:
	mov	$0, %r10d		/* PV_REASON_SITE; mov, not xor: the guest's flags */
	mov	$8, %r9d		/* bytes the transfer left on the guest stack */
pv_blob_common:
	movabs	$PV_CTX, %r11
	mov	%r10d, CTX_REASON(%r11)
	mov	%eax, CTX_EAX(%r11)
	mov	%ecx, CTX_ECX(%r11)
	mov	%edx, CTX_EDX(%r11)
	mov	%ebx, CTX_EBX(%r11)
	mov	%ebp, CTX_EBP(%r11)
	mov	%esi, CTX_ESI(%r11)
	mov	%edi, CTX_EDI(%r11)
	mov	%esp, %eax			/* zero-extends: the guest stack */
	mov	(%rax), %ecx
	mov	%ecx, CTX_EIP(%r11)
	movzwl	4(%rax), %ecx
	mov	%ecx, CTX_CS(%r11)
	add	%r9d, %eax
	mov	%eax, CTX_ESP(%r11)
	mov	%ss, %ecx
	mov	%ecx, CTX_SS(%r11)
	mov	%ds, %ecx
	mov	%ecx, CTX_DS(%r11)
	mov	%es, %ecx
	mov	%ecx, CTX_ES(%r11)
	mov	%fs, %ecx
	mov	%ecx, CTX_FS(%r11)
	mov	%gs, %ecx
	mov	%ecx, CTX_GS(%r11)
	/* the guest's x87/SSE registers: the VMM's C code uses SSE, and the
	 * guest kernel saves them for its tasks only at a context switch */
	mov	CTX_FPU(%r11), %rax
	fxsave64 (%rax)
	ldmxcsr	pv_mxcsr_default(%rip)
	mov	CTX_HOST_RSP(%r11), %rsp
	pushfq
	pop	%rax
	mov	%eax, CTX_EFLAGS(%r11)
	mov	CTX_HOST_FSBASE(%r11), %rax
	wrfsbase %rax
	mov	%r11, %rdi
	sub	$8, %rsp			/* host_rsp is 8 mod 16 */
	call	*CTX_HANDLER(%r11)
	add	$8, %rsp
	test	%eax, %eax
	jnz	pv_blob_exit
/* Resume the guest from pv_ctx. */
pv_blob_resume:
	movabs	$PV_CTX, %r11
	mov	CTX_FPU(%r11), %rax
	fxrstor64 (%rax)
	mov	CTX_HOST_RSP(%r11), %rsp
	mov	CTX_SS(%r11), %eax
	push	%rax
	mov	CTX_ESP(%r11), %eax
	push	%rax
	mov	CTX_EFLAGS(%r11), %eax
	push	%rax
	mov	CTX_CS(%r11), %eax
	push	%rax
	mov	CTX_EIP(%r11), %eax
	push	%rax
	mov	CTX_DS(%r11), %eax
	mov	%eax, %ds
	mov	CTX_ES(%r11), %eax
	mov	%eax, %es
	mov	CTX_FS(%r11), %eax
	mov	%eax, %fs
	mov	CTX_GS(%r11), %eax
	mov	%eax, %gs
	mov	CTX_EAX(%r11), %eax
	mov	CTX_ECX(%r11), %ecx
	mov	CTX_EDX(%r11), %edx
	mov	CTX_EBX(%r11), %ebx
	mov	CTX_EBP(%r11), %ebp
	mov	CTX_ESI(%r11), %esi
	mov	CTX_EDI(%r11), %edi
	iretq
/* Leave pv_blob_run with the handler's status in eax. */
pv_blob_exit:
	movabs	$PV_CTX, %r11
	mov	CTX_HOST_RSP(%r11), %rsp
	mov	%eax, %ebx
	xor	%eax, %eax
	mov	%eax, %fs
	mov	CTX_HOST_FSBASE(%r11), %rax
	wrfsbase %rax
	mov	%ebx, %eax
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbp
	pop	%rbx
	ret

pv_mxcsr_default:
	.long	0x1f80			/* every SSE exception masked, round to nearest */

/* The vDSO's int $0x80, rewritten to a far call here: a system call of
 * guest user code without a host signal. */
pv_blob_entry_int80:
	mov	$1, %r10d		/* PV_REASON_INT80 */
	mov	$8, %r9d
	jmp	pv_blob_common

/* The slow path of a segment-reload thunk: the stack holds a far-call
 * frame for the site (EIP after its `call *cell`, CS) above the near
 * return address the call pushed. */
pv_blob_entry_thunk:
	mov	$0, %r10d
	mov	$12, %r9d
	jmp	pv_blob_common

/* int pv_blob_run(void): enter the guest at pv_ctx; returns the non-zero
 * status of the handler that ends the run. */
pv_blob_run:
	push	%rbx
	push	%rbp
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	movabs	$PV_CTX, %r11
	mov	%rsp, CTX_HOST_RSP(%r11)
	rdfsbase %rax
	mov	%rax, CTX_HOST_FSBASE(%r11)
	jmp	pv_blob_resume

	.code32
/* pushf thunk (`call *PV_CELL_PUSHF` replaces pushfl): pushes the flags
 * with the virtual IF, leaving every flag as it was.  The return address
 * waits in a scratch word; the VMM defers signals that arrive in here. */
#define PV_SCRATCH (PV_VCPU_PAGE + 0x0c)
pv_blob_pushf:
	pushfl					/* [F][ret] */
	push	%eax				/* [eax][F][ret] */
	mov	4(%esp), %eax
	and	$~0x200, %eax
	testb	$1, PV_VCPU_IF
	jz	1f
	or	$0x200, %eax
1:	xchg	%eax, 8(%esp)			/* [eax][F][F'], eax = ret */
	mov	%eax, PV_SCRATCH
	pop	%eax
	popfl					/* [F'] */
	jmp	*PV_SCRATCH

/* PV_CELL_IRQCHECK points here while no interrupt is pending... */
pv_blob_ret:
	ret
/* ...and here when one is: the VMM delivers it, returning to the site. */
pv_blob_irq32:
	lcall	$PV_ENTRY_SEL, $PV_CODE_PAGE
	ret

/* Segment-reload thunks (`call *%ss:cell` replaces mov %r32,%sreg or
 * pop %sreg in kernel code).  Reloading the selector the register holds
 * already, while its GDT entry still holds the descriptor it was loaded
 * from, changes nothing: return at once.  Everything else (and whenever
 * the VMM cleared the entry's address: not ring 0, an LDT or null
 * selector, the GDT page not mapped) goes to the VMM as the site would.
 * Every access goes through %ss: the kernel's stack segment is flat, while
 * %ds may still hold a user segment on kernel entry.  Flags are kept. */
#define SEL(s) (PV_VCPU_PAGE + 0x40 + 4 * (s))
#define DLA(s) (PV_VCPU_PAGE + 0x60 + 4 * (s))
#define DESC(s) (PV_VCPU_PAGE + 0x80 + 8 * (s))

/* stack [flags][ret] (pop: [flags][ret][value]), selector already compared */
.macro SEG_DESC_CHECK s, retn
	push	%eax
	mov	%ss:DLA(\s), %eax
	test	%eax, %eax
	jz	2f
	push	%ecx
	mov	%ss:(%eax), %ecx
	cmp	%ss:DESC(\s), %ecx
	jne	1f
	mov	%ss:4(%eax), %ecx
	cmp	%ss:DESC(\s) + 4, %ecx
	jne	1f
	pop	%ecx
	pop	%eax
	popfl
	ret	$\retn
1:	pop	%ecx
2:	pop	%eax
	popfl
	jmp	pv_seg_slow
.endm

.macro MOVSEG_THUNK s, r16
pv_seg_mov_\s\()_\r16:
	pushfl
	cmpw	%\r16, %ss:SEL(\s)
	je	pv_seg_check_\s
	popfl
	jmp	pv_seg_slow
.endm

.macro POPSEG_THUNK s
pv_seg_pop_\s:
	pushfl
	push	%eax
	mov	12(%esp), %eax			/* [eax][flags][ret][value] */
	cmpw	%ax, %ss:SEL(\s)
	pop	%eax
	je	pv_seg_popcheck_\s
	popfl
	jmp	pv_seg_slow
pv_seg_popcheck_\s:
	SEG_DESC_CHECK \s, 4
pv_seg_check_\s:
	SEG_DESC_CHECK \s, 0
.endm

/* stack [ret] or [ret][value]: make it a far-call frame for the site */
pv_seg_slow:
	push	%cs
	pushl	4(%esp)
	ljmp	$PV_ENTRY_SEL, $(PV_CODE_PAGE + pv_blob_entry_thunk - pv_blob_start)

.irp s, 0, 3, 4, 5
	POPSEG_THUNK \s
.irp r, ax, cx, dx, bx, bp, si, di
	MOVSEG_THUNK \s, \r
.endr
.endr

/* The thunks' offsets in the blob, 0 for none: 6 x 8 mov (segment major,
 * GPR in x86 order), then 6 pop; the VMM puts them in the cells. */
	.p2align 2
pv_blob_segthunks:
.irp s, 0, 1, 2, 3, 4, 5
.irp r, ax, cx, dx, bx, sp, bp, si, di
	.ifdef pv_seg_mov_\s\()_\r
	.long	pv_seg_mov_\s\()_\r - pv_blob_start
	.else
	.long	0
	.endif
.endr
.endr
.irp s, 0, 1, 2, 3, 4, 5
	.ifdef pv_seg_pop_\s
	.long	pv_seg_pop_\s - pv_blob_start
	.else
	.long	0
	.endif
.endr
pv_blob_end:
	.section .note.GNU-stack, "", @progbits
