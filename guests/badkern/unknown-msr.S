/* An MSR the virtual CPU does not have: #GP as on hardware, noted in the
 * log; with no IDT the guest then triple-faults. */
	.text
	.globl misbehave
misbehave:
	movl $0x1234, %ecx
	xorl %eax, %eax
	xorl %edx, %edx
	wrmsr
	ret
	.section .note.GNU-stack, "", @progbits
