# Numeric local labels around sites, and an exception-table entry that
# refers to them; the program's 1b/2f still resolve to its own labels.
	.text
l:
1:	rdmsr
2:
	.pushsection __ex_table, "a"
	.balign 4
	.long 1b - ., 2b - .
	.popsection
1:	cli
	jmp	1b
	jmp	2f
	wrmsr
2:	sti
	jmp	1b
3:	4: hlt
	jmp	3b
	jmp	4b
80470:	ret
	jmp	80470b
