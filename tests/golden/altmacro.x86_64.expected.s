# A macro body with a site that an ALTERNATIVE expands inside
# .altinstr_replacement (Linux entry_64.S: ZAP_GS): the assembler itself
# drops the record there, through .Lprevirt_alt, and keeps it elsewhere.
	.macro ALTERNATIVE oldinstr, newinstr, feature
140:
	\oldinstr
141:
	.pushsection .altinstr_replacement,"ax";.set .Lprevirt_alt,1
143:
	\newinstr
144:
	.popsection;.set .Lprevirt_alt,0
	.endm

	.macro ZAP_GS
	movl	$0x2b, %eax
	80470:movl	%eax, %gs;80471:;.ifndef .Lprevirt_alt;.set .Lprevirt_alt,0;.endif;.if .Lprevirt_alt==0;.set .Lprevirt_d,7-(80471b-80470b);.set .Lprevirt_p,-(.Lprevirt_d>0)*.Lprevirt_d;.set .Lprevirt_r,.Lprevirt_p%7;.fill .Lprevirt_p/7,7,0x00801f0f;.fill -(.Lprevirt_r==1),1,0x90;.fill -(.Lprevirt_r==2),2,0x9066;.fill -(.Lprevirt_r==3),3,0x001f0f;.fill -(.Lprevirt_r==4),4,0x00401f0f;.fill -(.Lprevirt_r==5),5,0x00441f0f;.fill -(.Lprevirt_r==6),6,0x441f0f66;80473:;.pushsection .afterburn,1,"a",@progbits;.balign 4;.long 80470b-.;.byte 80473b-80470b,80471b-80470b,23,3;.popsection;.endif
	.endm

	.text
z:
	ALTERNATIVE "", "ZAP_GS", 123
	ZAP_GS
	ret
	.pushsection .afterburn,0,"a",@progbits;.balign 4;.long 0x6e727562;.byte 2,0,0,0;.popsection
