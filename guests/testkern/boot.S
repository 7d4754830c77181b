/*
 * Multiboot v1 entry.  The loader (QEMU -kernel, or previrt's own loader)
 * enters in flat 32-bit protected mode, paging off, EAX = 0x2BADB002,
 * EBX = the multiboot information; nothing else is assumed: not its GDT,
 * not its stack, not the state of EFLAGS.
 */
#define MB_MAGIC 0x1badb002
#define MB_FLAGS 0

	.section .multiboot, "a"
	.balign 4
	.long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

	.text
	.globl _start
_start:
	cli
	movl $boot_stack_top, %esp
	pushl $0
	popfl			/* IF, DF, NT, AC all clear */
	pushl %ebx
	pushl %eax
	call kmain
1:	cli
	hlt
	jmp 1b

	.bss
	.balign 16
boot_stack:
	.space 16384
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
