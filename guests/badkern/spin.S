/* Never stops by itself: the watchdog (--timeout) must end it. */
	.text
	.globl misbehave
misbehave:
	sti
1:	jmp 1b
	.section .note.GNU-stack, "", @progbits
