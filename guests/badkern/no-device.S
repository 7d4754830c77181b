/* A port no device claims: the write is dropped, as on a PC's ISA bus,
 * and noted; the guest then spins until the watchdog ends it. */
	.text
	.globl misbehave
misbehave:
	movw $0x1234, %dx
	movb $1, %al
	outb %al, %dx
	ret
	.section .note.GNU-stack, "", @progbits
