# Every kind that exists in 32-bit code, with its AT&T suffix forms.
	.text
	.globl	kinds
kinds:
	cli
	sti
	pushf
	pushfl
	pushfw
	popf
	popfl
	iret
	iretl
	iretw
	lret
	lretl
	lret	$8
	ljmp	$0x10, $1f
1:	ljmpl	*(%eax)
	jmp	$0x18, $2f
2:	lcall	$0x10, $kinds
	lcalll	*4(%ebx)
	call	$0x20, $kinds
	int	$0x80
	int3
	into
	hlt
	inb	$0x60, %al
	inw	%dx, %ax
	inl	%dx, %eax
	in	%dx, %al
	outb	%al, $0x80
	outw	%ax, %dx
	outl	%eax, %dx
	out	%al, %dx
	insb
	insw
	insl
	outsb
	outsw
	outsl
	cpuid
	rdmsr
	wrmsr
	rdtsc
	rdtscp
	rdpmc
	movl	%eax, %cr0
	movl	%cr2, %eax
	mov	%ecx, %cr3
	movl	%cr4, %edx
	movl	%eax, %db7
	movl	%dr6, %eax
	movl	%eax, %ds
	movw	%ax, %es
	mov	%edx, %ss
	movl	%fs, %eax
	movw	%gs, %dx
	mov	%cs, %eax
	pushl	%ds
	push	%es
	pushw	%fs
	push	%cs
	popl	%gs
	pop	%es
	popw	%ds
	lds	(%eax), %ebx
	lesl	4(%eax), %ecx
	lfs	(%ebx), %edx
	lgs	(%ecx), %esi
	lssl	(%esp), %esp
	lgdt	gdt_desc
	lgdtl	(%eax)
	lidt	idt_desc
	lidtl	(%ebx)
	lldt	%ax
	lldtw	%dx
	ltr	%ax
	ltrw	%cx
	sgdt	(%eax)
	sgdtl	4(%eax)
	sidt	(%eax)
	sidtl	(%edx)
	sldt	%eax
	sldtw	(%eax)
	str	%eax
	strw	(%ebx)
	smsw	%eax
	smsww	(%eax)
	lmsw	%ax
	clts
	invlpg	(%eax)
	invd
	wbinvd
	wbnoinvd
	lar	%eax, %ebx
	larl	(%eax), %ecx
	lsl	%ax, %dx
	lsll	%eax, %edx
	verr	%ax
	verw	(%eax)
	sysexit
	sysenter
	syscall
	sysret
	xsetbv
	ud2
	ud2a
	monitor
	mwait
	invpcid	(%eax), %ecx
	rdpid	%eax
	stac
	clac
	CLI
	PushFL
	ret
# Look-alikes that are not sensitive: left exactly as they are.
	movl	%fs:16, %eax
	movl	%eax, %gs:(%edx)
	pushl	%eax
	popl	%ebx
	jmp	*%eax
	call	kinds
	movl	%ecx, %eax
	ret
	.data
gdt_desc:	.word 0, 0, 0
idt_desc:	.word 0, 0, 0
