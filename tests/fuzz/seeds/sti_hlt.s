0	.text
f:	cli
	sti
	hlt
	ret
