0	.macro SAVE reg
	pushf
	cli
	.section .discard.x,"a"
	sti
	.endm
	.macro EMPTY
	.endm
	SAVE %eax
	popf
	.endm
	.endm
	cli
