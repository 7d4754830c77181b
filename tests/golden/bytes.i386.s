# Instructions Linux writes as .byte lists (asm/mwait.h, ...): a list that
# is exactly one sensitive instruction is a site; anything else is left
# alone, and so are ud1 (a signature static calls check) and BUG()'s ud2
# (objtool's reachability annotations name the instruction before a label).
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
