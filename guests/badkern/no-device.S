/* A port no device claims. */
	.text
	.globl misbehave
misbehave:
	movw $0x1234, %dx
	movb $1, %al
	outb %al, %dx
	ret
	.section .note.GNU-stack, "", @progbits
