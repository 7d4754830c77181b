0	sti
	movl $80470, %eax
	movl $241420, %eax
1:	cli
	jmp 1b
8047:	cli
