/*
 * Entry of every host signal handler of the process back-end.  The host
 * runs the handler with whatever FS base the guest had (a guest segment
 * from the LDT), and C code reaches thread-local storage through FS: put
 * the host's base back first.  pv_signal() returns the FS selector to load
 * before returning into guest code (the host's sigreturn restores neither
 * the FS selector nor its base), or -1 when the signal interrupted host code.
 */
#include "layout.h"

	.text
	.globl	pv_sig_entry
	.type	pv_sig_entry, @function
pv_sig_entry:
	movabs	$PV_CTX, %rax
	mov	CTX_HOST_FSBASE(%rax), %rax
	wrfsbase %rax
	sub	$8, %rsp
	call	pv_signal
	add	$8, %rsp
	cmp	$-1, %eax
	je	1f
	mov	%eax, %fs
1:	ret
	.size	pv_sig_entry, .-pv_sig_entry
	.section .note.GNU-stack, "", @progbits
