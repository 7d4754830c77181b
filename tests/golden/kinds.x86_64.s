# 64-bit forms, and the kinds that exist only in long mode.
	.text
	.globl	kinds64
kinds64:
	pushfq
	popfq
	cli
	sti
	iretq
	lretq
	lretl
	swapgs
	sysretq
	sysretl
	sysexitq
	syscall
	movq	%rax, %cr3
	movq	%cr2, %rax
	mov	%cr8, %rcx
	movq	%rax, %db7
	movq	%db6, %rax
	movl	%eax, %ds
	movw	%ax, %ss
	movq	%fs, %rax
	mov	%gs, %eax
	pushq	%fs
	popq	%gs
	push	%gs
	lgdtq	(%rax)
	lidt	(%rdi)
	sgdtq	(%rax)
	sidt	8(%rsp)
	lfs	(%rax), %ebx
	lss	(%rsp), %esp
	rdfsbase	%rax
	rdgsbase	%rbx
	wrfsbase	%rcx
	wrgsbase	%rdx
	wrfsbase	%eax
	rdmsr
	wrmsr
	cpuid
	rdtsc
	hlt
	invlpg	(%rdi)
	inb	%dx, %al
	outl	%eax, %dx
	rep outsb
	int	$3
	ud2
	xsetbv
	ljmp	*(%rax)
	lcall	*(%rbx)
	lsl	%eax, %eax
	ret
# Not sensitive.
	movq	%gs:0x28, %rax
	movq	%rax, %fs:(%rdx)
	pushq	%rax
	popq	%rbx
	jmp	*%rax
	callq	*%rdx
	ret
