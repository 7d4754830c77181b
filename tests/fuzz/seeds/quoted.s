0	.section ".text.quoted; cli","ax"
	cli
	.section "\".discard\"#","ax"
	sti
"odd label":	in $0x60, %al
	.pushsection "x
	cli
