/* An empty IDT, then an exception: #UD, #GP, #DF, triple fault. */
	.text
	.globl misbehave
misbehave:
	lidt idtr
	ud2
	ret
	.data
idtr:	.word 0
	.long 0
	.section .note.GNU-stack, "", @progbits
