# Instructions Linux writes as .byte lists (asm/bug.h, asm/mwait.h): a list
# that is exactly one sensitive instruction is a site; anything else, and
# ud1 (a signature static calls check), is left alone.
	.text
b:
1:	.byte 0x0f, 0x0b
	.pushsection __bug_table, "aw"
	.long 1b - .
	.popsection
	.byte 15, 11
	.byte 0x0f,0x01,0xc8
	.byte 0x0f, 0x01, 0xc9;
	.byte 0xf3, 0x0f, 0xc7, 0xf8
	.byte 0x0f, 0xb9, 0xcc
	.byte 0x0f, 0x0b, 0x90
	.byte 0x0f, 0x0b,
	.byte sym, 0x0b
	sti
	.byte 0x0f, 0x01, 0xc9
	ret
sym = 0x0f
