# STI's interrupt shadow covers exactly one instruction: "sti; hlt" (and
# sysexit, sysret, mwait) stay adjacent, with the padding after the pair.
	.text
sh:
	sti; hlt
	sti
	hlt
	sti
	sysexit
	sti
	/* a comment between them */

	hlt
	sti; .byte 0x0f, 0x01, 0xc9
	sti
1:	hlt
	sti
	nop
	sti
	.section .other, "ax"
	hlt
	.text
	sti
