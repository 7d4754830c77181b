# .code16/.code32/.code64 switches: 16-bit code is left alone; the record's
# mode bits follow the assembler's mode.
	.text
	cli
	.code16
	cli
	lgdt	(%si)
	.code32
	cli
	movl	%eax, %cr0
	ljmp	$0x10, $1f
	.code64
1:	cli
	.code16gcc
	hlt
	.code64
	sti
