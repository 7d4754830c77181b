/*
 * Interrupt and exception entry, and the switch to and from ring 3.
 *
 * Every vector the kernel uses has a stub that pushes a dummy error code
 * (unless the CPU pushed one) and the vector number, then trap_common saves
 * the registers in the layout of struct trapframe and calls trap().
 */
#define SEL_KDATA 0x10
#define SEL_UCODE 0x23
#define SEL_UDATA 0x2b

	.macro stub vec, err=0
	.text
vec_\vec:
	.if \err == 0
	pushl $0
	.endif
	pushl $\vec
	jmp trap_common
	.section .rodata
	.long \vec, vec_\vec
	.endm

	.section .rodata
	.balign 4
	.globl vector_stubs
vector_stubs:
	.irp v, 0,1,2,3,4,5,6,7,9,16,18,19,20
	stub \v
	.endr
	.irp v, 8,10,11,12,13,14,17
	stub \v, 1
	.endr
	.irp v, 0x20,0x21,0x22,0x23,0x24,0x25,0x26,0x27,0x28,0x29,0x2a,0x2b,0x2c,0x2d,0x2e,0x2f
	stub \v
	.endr
	stub 0x40
	stub 0x80
	stub 0x81
	.section .rodata
	.long 0, 0

	.text
trap_common:
	pushal
	pushl %ds
	pushl %es
	pushl %fs
	pushl %gs
	movl $SEL_KDATA, %eax
	movl %eax, %ds
	movl %eax, %es
	cld
	pushl %esp
	call trap
	addl $4, %esp
	popl %gs
	popl %fs
	popl %es
	popl %ds
	popal
	addl $8, %esp
	iret

/*
 * int enter_user(uint32_t eip, uint32_t esp): runs ring-3 code until it
 * ends by exit() or a fault; returns what user_return() was given.
 */
	.globl enter_user
enter_user:
	pushl %ebp
	pushl %ebx
	pushl %esi
	pushl %edi
	pushfl
	movl %esp, user_saved_esp
	movl 24(%esp), %eax
	movl 28(%esp), %ecx
	pushl $SEL_UDATA	/* ss */
	pushl %ecx		/* esp */
	pushl $0x202		/* eflags: IF, IOPL 0 */
	pushl $SEL_UCODE	/* cs */
	pushl %eax		/* eip */
	movl $SEL_UDATA, %edx
	movl %edx, %ds
	movl %edx, %es
	movl %edx, %fs
	movl %edx, %gs
	iret

/* void user_return(int code): from a trap taken in ring 3, on the TSS stack */
	.globl user_return
user_return:
	movl 4(%esp), %eax
	movl user_saved_esp, %esp
	movl $SEL_KDATA, %edx
	movl %edx, %ds
	movl %edx, %es
	movl %edx, %fs
	movl %edx, %gs
	popfl
	popl %edi
	popl %esi
	popl %ebx
	popl %ebp
	ret

	.bss
	.balign 4
user_saved_esp:
	.space 4

	.section .note.GNU-stack, "", @progbits
