# Lexical corners: C comments across lines, strings with ';' and '#',
# quoted symbols, statements after labels, Intel syntax, and .end.
	.text
e:	/* cli inside a comment
	   sti still a comment */ cli
	.pushsection .rodata
	.ascii	"cli; sti # not code"
	.asciz	"\"quoted; cli\""
	.popsection
	movb	$';', %al ; cli
	movb	$'#', %al ; hlt
"quoted label":	hlt
	nop # cli in a comment
	.intel_syntax noprefix
	cli
	mov	cr3, eax
	.att_syntax prefix
	cli
	.end
	cli
this is not assembled
