0	.text
	cli
	sti
	.END
	hlt
not assembled at all; sti
