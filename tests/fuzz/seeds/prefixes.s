0	.text
	rep; outsb
	rep
	insl
	repz; nop
	data16; lgdt (%eax)
	cs
	1: outsb
	rep outsw
	fs; mov %eax, %cr0
	data16
