/* Entries for the exceptions Xen reflects to the VMM (traps.c installs
 * them with set_trap_table).  A 64-bit PV guest is entered on its kernel
 * stack with rcx and r11 pushed above the hardware-like frame
 * ([error code,] rip, cs, rflags, rsp, ss): Xen's own syscall return
 * needed them.  Each entry evens the frame out (a zero where the CPU pushes
 * no error code), adds its vector and calls the C report, which does not
 * return: a fault in the VMM is the VMM's bug, reported, not resumed. */
	.text
.macro TRAP vec, err
	.globl xen_trap_\vec
xen_trap_\vec:
	pop	%rcx
	pop	%r11
	.if \err == 0
	push	$0
	.endif
	push	$\vec
	jmp	trap_common
.endm

	TRAP 0, 0
	TRAP 1, 0
	TRAP 2, 0
	TRAP 3, 0
	TRAP 4, 0
	TRAP 5, 0
	TRAP 6, 0
	TRAP 7, 0
	TRAP 8, 1
	TRAP 9, 0
	TRAP 10, 1
	TRAP 11, 1
	TRAP 12, 1
	TRAP 13, 1
	TRAP 14, 1
	TRAP 16, 0
	TRAP 17, 1
	TRAP 18, 0
	TRAP 19, 0

/* rsp: vector, error, rip, cs, rflags, rsp, ss (struct xen_trap_frame) */
trap_common:
	mov	%rsp, %rdi
	and	$-16, %rsp
	call	xen_trap
1:	hlt
	jmp	1b

	.section .note.GNU-stack, "", @progbits
