0	.text
	cli
	sti