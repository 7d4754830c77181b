/* A privileged operation the VMM does not implement: an unknown MSR. */
	.text
	.globl misbehave
misbehave:
	movl $0x1234, %ecx
	xorl %eax, %eax
	xorl %edx, %edx
	wrmsr
	ret
	.section .note.GNU-stack, "", @progbits
