/* A device programmed in a way its model does not implement: PIT channel 0
 * in mode 1 (hardware-retriggerable one-shot). */
	.text
	.globl misbehave
misbehave:
	movb $0x32, %al		/* channel 0, lo/hi, mode 1 */
	outb %al, $0x43
	ret
	.section .note.GNU-stack, "", @progbits
