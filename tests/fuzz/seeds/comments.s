0	.text
	/* cli
	   sti */ cli /* hlt */ sti
	/* unterminated: hlt
	cli
