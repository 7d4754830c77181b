0	.intel_syntax noprefix
	cli
	mov cr3, eax
	.att_syntax prefix
	ljmp $0x10, $1f
	jmp $0x8, $2f
	lcall *(%eax)
	call *%eax
	iret
	int $0x80
	ud2
1:
2:
