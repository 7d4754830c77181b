/*
 * The ring-3 stub's code (ustub.h), assembled into the host binary as data
 * and copied into the stub process at a high address: its system calls
 * come from above 4 GiB, which the guest-trap filter lets through to the
 * stub's own, strict filter.  Position independent; the only fixed
 * addresses are the stub's pages in the VMM area.  64-bit throughout.
 */
#include "ustub.h"

	.section .rodata.us_blob, "a"
	.globl us_blob_start, us_blob_end, us_blob_int80, us_blob_site, us_blob_signal, us_blob_restorer
	.globl us_blob_begin, us_blob_agent, us_blob_clone_agent

	.code64
	.p2align 6
us_blob_start:

.macro CTXREG
	movabs	$US_PRIV, %r11
	mov	USP_CTX(%r11), %r11
.endm

/* The vDSO's int $0x80, rewritten to `lcall $0x33`, lands on a trampoline
 * in the stub's code page, which jumps here.  The far call left EIP, CS on
 * the guest stack. */
us_blob_int80:
	mov	$US_REASON_INT80, %r10d
	jmp	us_farcall
/* A patched site of the kernel image that ran at CPL 3 (test kernels give
 * their user tasks such code): the VMM emulates it with ring 3's rights. */
us_blob_site:
	mov	$US_REASON_SITE, %r10d
us_farcall:
	CTXREG
	mov	%r10d, USC_REASON(%r11)
	mov	%eax, USC_EAX(%r11)
	mov	%ecx, USC_ECX(%r11)
	mov	%edx, USC_EDX(%r11)
	mov	%ebx, USC_EBX(%r11)
	mov	%ebp, USC_EBP(%r11)
	mov	%esi, USC_ESI(%r11)
	mov	%edi, USC_EDI(%r11)
	mov	%esp, %eax
	mov	(%rax), %ecx
	mov	%ecx, USC_EIP(%r11)
	movzwl	4(%rax), %ecx
	mov	%ecx, USC_CS(%r11)
	add	$8, %eax
	mov	%eax, USC_ESP(%r11)
	mov	$US_STACK2_TOP, %esp
	pushfq
	pop	%rax
	mov	%eax, USC_EFLAGS(%r11)
	mov	%ss, %ecx
	mov	%ecx, USC_SS(%r11)
	mov	%ds, %ecx
	mov	%ecx, USC_DS(%r11)
	mov	%es, %ecx
	mov	%ecx, USC_ES(%r11)
	mov	%fs, %ecx
	mov	%ecx, USC_FS(%r11)
	mov	%gs, %ecx
	mov	%ecx, USC_GS(%r11)
	movq	$0, USC_RIP(%r11)
	fxsave64 USC_FPU(%r11)
	call	us_handoff
	jmp	us_resume

/* Resume ring 3 from the context page. */
us_resume:
	CTXREG
	fxrstor64 USC_FPU(%r11)
	mov	$US_STACK2_TOP, %esp
	mov	USC_SS(%r11), %eax
	push	%rax
	mov	USC_ESP(%r11), %eax
	push	%rax
	mov	USC_EFLAGS(%r11), %eax
	push	%rax
	mov	USC_CS(%r11), %eax
	push	%rax
	mov	USC_EIP(%r11), %eax
	push	%rax
	call	us_load_segs
	mov	USC_EAX(%r11), %eax
	mov	USC_ECX(%r11), %ecx
	mov	USC_EDX(%r11), %edx
	mov	USC_EBX(%r11), %ebx
	mov	USC_EBP(%r11), %ebp
	mov	USC_ESI(%r11), %esi
	mov	USC_EDI(%r11), %edi
	iretq

us_load_segs:
	mov	USC_DS(%r11), %eax
	mov	%eax, %ds
	mov	USC_ES(%r11), %eax
	mov	%eax, %es
	mov	USC_FS(%r11), %eax
	mov	%eax, %fs
	mov	USC_GS(%r11), %eax
	mov	%eax, %gs
	ret

/* Host signal handler (rdi signo, rsi siginfo, rdx ucontext), every signal
 * blocked while it runs: post the interrupted state, hand off, write the
 * answer into the frame, return through rt_sigreturn. */
#define G(r) (40 + 8 * (r))	/* ucontext's gregs[r] */
#define FPREGS G(23)		/* ucontext's fpregs pointer, after the 23 gregs */
us_blob_signal:
	/* a tick that caught the stub's own code (the vDSO entry's handoff,
	 * where signals are open): nothing to post, the VMM is awake anyway */
	cmp	$14, %edi			/* SIGALRM */
	jne	1f
	mov	G(16)(%rdx), %rax
	mov	%rax, %rcx
	shr	$32, %rcx
	jnz	2f
	sub	$PV_CODE_PAGE, %eax
	cmp	$0x1000, %rax
	jb	2f
1:	push	%rbx
	push	%r12
	sub	$8, %rsp
	mov	%rdx, %r12
	CTXREG
	movl	$US_REASON_SIGNAL, USC_REASON(%r11)
	mov	%edi, USC_SIGNO(%r11)
	mov	G(13)(%rdx), %eax
	mov	%eax, USC_EAX(%r11)
	mov	G(14)(%rdx), %eax
	mov	%eax, USC_ECX(%r11)
	mov	G(12)(%rdx), %eax
	mov	%eax, USC_EDX(%r11)
	mov	G(11)(%rdx), %eax
	mov	%eax, USC_EBX(%r11)
	mov	G(15)(%rdx), %eax
	mov	%eax, USC_ESP(%r11)
	mov	G(10)(%rdx), %eax
	mov	%eax, USC_EBP(%r11)
	mov	G(9)(%rdx), %eax
	mov	%eax, USC_ESI(%r11)
	mov	G(8)(%rdx), %eax
	mov	%eax, USC_EDI(%r11)
	mov	G(16)(%rdx), %rax
	mov	%eax, USC_EIP(%r11)
	mov	%rax, USC_RIP(%r11)
	mov	G(17)(%rdx), %eax
	mov	%eax, USC_EFLAGS(%r11)
	movzwl	G(18)(%rdx), %eax
	mov	%eax, USC_CS(%r11)
	movzwl	G(18)+6(%rdx), %eax
	mov	%eax, USC_SS(%r11)
	mov	G(19)(%rdx), %eax
	mov	%eax, USC_ERR(%r11)
	mov	G(20)(%rdx), %eax
	mov	%eax, USC_TRAPNO(%r11)
	mov	G(22)(%rdx), %rax
	mov	%rax, USC_CR2(%r11)
	mov	16(%rsi), %rax
	mov	%rax, USC_CALLADDR(%r11)
	mov	24(%rsi), %eax
	mov	%eax, USC_SYSCALL(%r11)
	mov	28(%rsi), %eax
	mov	%eax, USC_ARCH(%r11)
	mov	%ds, %eax
	mov	%eax, USC_DS(%r11)
	mov	%es, %eax
	mov	%eax, USC_ES(%r11)
	mov	%fs, %eax
	mov	%eax, USC_FS(%r11)
	mov	%gs, %eax
	mov	%eax, USC_GS(%r11)
	/* the interrupted x87/SSE state is in the frame (the handler runs
	 * with the initial one): bytes 0-415 of its FXSAVE image */
	mov	FPREGS(%r12), %rsi
	lea	USC_FPU(%r11), %rdi
	mov	$416, %ecx
	rep movsb
	call	us_handoff
	CTXREG
	mov	FPREGS(%r12), %rdi
	lea	USC_FPU(%r11), %rsi
	mov	$416, %ecx
	rep movsb
	/* an XSAVE frame takes x87 and SSE from it only if its header says so */
	mov	FPREGS(%r12), %rax
	cmpl	$0x46505853, 464(%rax)	/* FP_XSTATE_MAGIC1 */
	jne	3f
	orq	$3, 512(%rax)
3:	CTXREG
	mov	%r12, %rdx
	mov	USC_EAX(%r11), %eax
	mov	%rax, G(13)(%rdx)
	mov	USC_ECX(%r11), %eax
	mov	%rax, G(14)(%rdx)
	mov	USC_EDX(%r11), %eax
	mov	%rax, G(12)(%rdx)
	mov	USC_EBX(%r11), %eax
	mov	%rax, G(11)(%rdx)
	mov	USC_ESP(%r11), %eax
	mov	%rax, G(15)(%rdx)
	mov	USC_EBP(%r11), %eax
	mov	%rax, G(10)(%rdx)
	mov	USC_ESI(%r11), %eax
	mov	%rax, G(9)(%rdx)
	mov	USC_EDI(%r11), %eax
	mov	%rax, G(8)(%rdx)
	mov	USC_EIP(%r11), %eax
	mov	%rax, G(16)(%rdx)
	mov	USC_EFLAGS(%r11), %eax
	mov	%rax, G(17)(%rdx)
	/* cs and ss return through the frame; ds es fs gs do not */
	mov	USC_SS(%r11), %eax
	shl	$48, %rax
	mov	USC_CS(%r11), %ecx
	movzwl	%cx, %ecx
	or	%rcx, %rax
	mov	%rax, G(18)(%rdx)
	call	us_load_segs
	add	$8, %rsp
	pop	%r12
	pop	%rbx
2:	ret

us_blob_restorer:
	mov	$15, %eax		/* rt_sigreturn */
	syscall
	ud2

/* Post the event (state 1), wait for the answer (state 2), run its
 * operations, then state 0.  Clobbers rax rcx rdx rsi rdi r8-r11. */
us_handoff:
	CTXREG
	movl	$1, USC_STATE(%r11)
	lea	USC_STATE(%r11), %rdi
	mov	$1, %esi		/* FUTEX_WAKE: the page is shared between processes */
	mov	$1, %edx
	mov	$202, %eax
	syscall
1:	CTXREG
	cmpl	$2, USC_STATE(%r11)
	je	2f
	lea	USC_STATE(%r11), %rdi
	xor	%esi, %esi		/* FUTEX_WAIT while the state is 1 */
	mov	$1, %edx
	xor	%r10d, %r10d
	mov	$202, %eax
	syscall
	jmp	1b
2:	push	%rbx
	push	%r12
	push	%r13
	xor	%r12d, %r12d
3:	CTXREG
	cmp	USC_NOPS(%r11), %r12d
	jae	9f
	mov	%r12d, %ebx
	shl	$5, %ebx
	lea	USC_OPS(%r11,%rbx), %rbx
	mov	USO_OP(%rbx), %eax
	cmp	$US_OP_LDT, %eax
	je	6f
	mov	$-22, %rax		/* mapping is the agent's */
	jmp	10f
6:	mov	USO_LA(%rbx), %eax
	and	$7, %eax
	shl	$4, %eax
	lea	USC_LDT(%r11,%rax), %rsi
	mov	$1, %edi
	mov	$16, %edx
	mov	$154, %eax
	syscall
10:	mov	%rax, USO_RES(%rbx)
	inc	%r12d
	jmp	3b
9:	CTXREG
	movl	$0, USC_STATE(%r11)
	pop	%r13
	pop	%r12
	pop	%rbx
	ret

/* Entered once from C in the new stub (every signal blocked, its filter
 * in place, rdi = the low boundary of this code, rsi = its high end):
 * unmap everything but the stub's own pages, tell the VMM it is ready,
 * unblock signals and run ring 3. */
us_blob_begin:
	mov	$US_STACK2_TOP, %esp
	mov	%rdi, %r12
	mov	%rsi, %r13
	/* the guest's and the VMM's low pages */
	mov	$0x10000, %edi
	mov	$(PV_AREA_BASE - 0x10000), %esi
	mov	$11, %eax
	syscall
	mov	$PV_AREA_BASE, %edi
	mov	$(PV_CODE_PAGE - PV_AREA_BASE), %esi
	mov	$11, %eax
	syscall
	mov	$(PV_CODE_PAGE + 0x1000), %edi
	mov	$(US_PRIV - PV_CODE_PAGE - 0x1000), %esi
	mov	$11, %eax
	syscall
	mov	$(US_PRIV + 0x1000), %edi
	mov	$(US_STACK - US_PRIV - 0x1000), %esi
	mov	$11, %eax
	syscall
	CTXREG
	mov	$(US_STACK + 0x5000), %edi
	mov	%r11, %rsi
	sub	%rdi, %rsi
	mov	$11, %eax
	syscall
	CTXREG
	lea	0x2000(%r11), %rdi
	movabs	$0x100000000, %rsi
	sub	%rdi, %rsi
	mov	$11, %eax
	syscall
	/* everything above 4 GiB but this code */
	movabs	$0x100000000, %rdi
	mov	%r12, %rsi
	sub	%rdi, %rsi
	mov	$11, %eax
	syscall
	mov	%r13, %rdi
	movabs	$0x7ffffffff000, %rsi
	sub	%rdi, %rsi
	mov	$11, %eax
	syscall
	CTXREG
	movl	$0, USC_REASON(%r11)
	call	us_handoff
	push	$0
	mov	$2, %edi		/* SIG_SETMASK: nothing blocked */
	mov	%rsp, %rsi
	xor	%edx, %edx
	mov	$8, %r10d
	mov	$14, %eax
	syscall
	jmp	us_resume
/* The agent (entered by clone on its own stack): waits for a new batch
 * number in the request page, runs its maps and unmaps, and writes the
 * batch number and the count of failed calls on its pipe. */
#define MAXOPS USR_MAXOPS
/* long us_blob_clone_agent(void): the agent, made by a raw clone from
 * this code, so that the child starts here and never runs a C library
 * instruction: the guest task unmaps the C library right after, and a
 * child still in glibc's clone wrapper died of it (a race the nested host
 * lost every time).  Returns the child's pid or -errno in the parent. */
us_blob_clone_agent:
	mov	$0x100 | 17, %edi	/* CLONE_VM | SIGCHLD */
	mov	$US_ASTACK_TOP, %esi
	xor	%edx, %edx
	xor	%r10d, %r10d
	xor	%r8d, %r8d
	mov	$56, %eax		/* clone */
	syscall
	test	%rax, %rax
	jz	us_blob_agent
	ret
us_blob_agent:
	mov	$1, %edi		/* PR_SET_PDEATHSIG: it goes with the stub */
	mov	$9, %esi
	mov	$157, %eax
	syscall
	movabs	$US_PRIV, %rbx
	mov	USP_CTX(%rbx), %r12
	add	$0x1000, %r12		/* the request page */
	xor	%r13d, %r13d		/* the last batch done */
1:	mov	USR_SEQ(%r12), %eax
	cmp	%r13d, %eax
	jne	2f
	mov	%r12, %rdi
	xor	%esi, %esi		/* FUTEX_WAIT while it is the last one */
	mov	%r13d, %edx
	xor	%r10d, %r10d
	mov	$202, %eax
	syscall
	jmp	1b
2:	mov	%eax, %r13d
	mov	USR_NOPS(%r12), %r14d
	cmp	$MAXOPS, %r14d
	jbe	3f
	mov	$MAXOPS, %r14d
3:	xor	%r15d, %r15d
	xor	%ebp, %ebp		/* failures */
4:	cmp	%r14d, %r15d
	jae	9f
	imul	$24, %r15d, %eax
	lea	USR_OPS(%r12,%rax), %rbx
	mov	USO_OP(%rbx), %eax
	cmp	$US_OP_MAP, %eax
	je	5f
	cmp	$US_OP_UNMAP, %eax
	je	6f
	inc	%ebp
	jmp	8f
5:	mov	USO_LA(%rbx), %edi
	mov	USO_LEN(%rbx), %esi
	mov	USO_PROT(%rbx), %edx
	mov	$0x11, %r10d		/* MAP_SHARED | MAP_FIXED */
	movabs	$US_PRIV, %rax
	mov	USP_MEMFD(%rax), %r8d
	mov	USO_PA(%rbx), %r9
	mov	$9, %eax
	syscall
	jmp	7f
6:	mov	USO_LA(%rbx), %edi
	mov	USO_LEN(%rbx), %esi
	mov	$11, %eax
	syscall
7:	cmp	$-4095, %rax
	jb	8f
	inc	%ebp
8:	inc	%r15d
	jmp	4b
9:	push	%rbp
	push	%r13			/* [seq][failures] as two u32 after the pushes */
	mov	%r13d, (%rsp)
	mov	%ebp, 4(%rsp)
	movabs	$US_PRIV, %rax
	mov	USP_PIPE(%rax), %edi
	mov	%rsp, %rsi
	mov	$8, %edx
	mov	$1, %eax		/* write */
	syscall
	add	$16, %rsp
	jmp	1b
us_blob_end:
	.section .note.GNU-stack, "", @progbits
