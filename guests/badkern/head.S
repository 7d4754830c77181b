/* Shared multiboot header and entry of the misbehaving test guests: each
 * guest file defines `misbehave`, which must make the VMM stop it. */
	.section .multiboot, "a"
	.balign 4
	.long 0x1badb002, 0, -(0x1badb002)

	.text
	.globl _start
_start:
	movl $stack_top, %esp
	call misbehave
1:	jmp 1b

	.bss
	.balign 16
	.space 4096
stack_top:
	.section .note.GNU-stack, "", @progbits
