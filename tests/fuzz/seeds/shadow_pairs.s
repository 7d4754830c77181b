0	.text
	sti

	# comment between
	hlt
	sti
1:	hlt
	sti; sysexit
	sti
	.byte 0x0f,0x01,0xc9
	sti
	.byte 0x0F, 0x01, 0xC9 ; nop
