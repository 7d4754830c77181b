5	.code64
	sti
	.macro m
	hlt
	.endm
	.pushsection .a
	.pushsection .b
	.pushsection .c
	rep
	.popsection
	outsb
	.popsection
	.popsection
	sti
