# A macro body with a site that an ALTERNATIVE expands inside
# .altinstr_replacement (Linux entry_64.S: ZAP_GS): the assembler itself
# drops the record there, through .Lprevirt_alt, and keeps it elsewhere.
	.macro ALTERNATIVE oldinstr, newinstr, feature
140:
	\oldinstr
141:
	.pushsection .altinstr_replacement,"ax"
143:
	\newinstr
144:
	.popsection
	.endm

	.macro ZAP_GS
	movl	$0x2b, %eax
	movl	%eax, %gs
	.endm

	.text
z:
	ALTERNATIVE "", "ZAP_GS", 123
	ZAP_GS
	ret
