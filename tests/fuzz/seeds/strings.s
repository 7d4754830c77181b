0	.ascii "cli; sti # x"
	.asciz "\"q; cli\"" ; cli
	movb $';', %al ; hlt
	movb $'#', %al ; hlt
	movb $'\\', %al ; int3
	.ascii "unterminated; cli
