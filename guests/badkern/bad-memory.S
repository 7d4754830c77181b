/* Paging off: linear = physical; read far beyond the guest's RAM. */
	.text
	.globl misbehave
misbehave:
	cli			/* one site, so the kernel is an afterburnt one */
	movl 0x3f000000, %eax
	ret
	.section .note.GNU-stack, "", @progbits
