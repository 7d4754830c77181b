1	.code64
	swapgs
	sysretq
	.code16
	cli
	lret
	.code16gcc
	in %dx, %al
	.code32
	out %al, %dx
	.code64
	mov %cr3, %rax
	mov %rax, %db7
	pushw %fs
	pop %gs
	movw %ax, %ss
