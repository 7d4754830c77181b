# Lexical corners: C comments across lines, strings with ';' and '#',
# quoted symbols, statements after labels, Intel syntax, and .end.
	.text
e:	/* cli inside a comment
	   sti still a comment */ 80470:cli;80471:;.set .Lprevirt_d,8-(80471b-80470b);.set .Lprevirt_p,-(.Lprevirt_d>0)*.Lprevirt_d;.set .Lprevirt_r,.Lprevirt_p%7;.fill .Lprevirt_p/7,7,0x00801f0f;.fill -(.Lprevirt_r==1),1,0x90;.fill -(.Lprevirt_r==2),2,0x9066;.fill -(.Lprevirt_r==3),3,0x001f0f;.fill -(.Lprevirt_r==4),4,0x00401f0f;.fill -(.Lprevirt_r==5),5,0x00441f0f;.fill -(.Lprevirt_r==6),6,0x441f0f66;80473:;.pushsection .afterburn,1,"a",@progbits;.balign 4;.long 80470b-.;.byte 80473b-80470b,80471b-80470b,1,2;.popsection
	.pushsection .rodata
	.ascii	"cli; sti # not code"
	.asciz	"\"quoted; cli\""
	.popsection
	movb	$';', %al ; 80470:cli;80471:;.set .Lprevirt_d,8-(80471b-80470b);.set .Lprevirt_p,-(.Lprevirt_d>0)*.Lprevirt_d;.set .Lprevirt_r,.Lprevirt_p%7;.fill .Lprevirt_p/7,7,0x00801f0f;.fill -(.Lprevirt_r==1),1,0x90;.fill -(.Lprevirt_r==2),2,0x9066;.fill -(.Lprevirt_r==3),3,0x001f0f;.fill -(.Lprevirt_r==4),4,0x00401f0f;.fill -(.Lprevirt_r==5),5,0x00441f0f;.fill -(.Lprevirt_r==6),6,0x441f0f66;80473:;.pushsection .afterburn,1,"a",@progbits;.balign 4;.long 80470b-.;.byte 80473b-80470b,80471b-80470b,1,2;.popsection
	movb	$'#', %al ; 80470:hlt;80471:;.set .Lprevirt_d,7-(80471b-80470b);.set .Lprevirt_p,-(.Lprevirt_d>0)*.Lprevirt_d;.set .Lprevirt_r,.Lprevirt_p%7;.fill .Lprevirt_p/7,7,0x00801f0f;.fill -(.Lprevirt_r==1),1,0x90;.fill -(.Lprevirt_r==2),2,0x9066;.fill -(.Lprevirt_r==3),3,0x001f0f;.fill -(.Lprevirt_r==4),4,0x00401f0f;.fill -(.Lprevirt_r==5),5,0x00441f0f;.fill -(.Lprevirt_r==6),6,0x441f0f66;80473:;.pushsection .afterburn,1,"a",@progbits;.balign 4;.long 80470b-.;.byte 80473b-80470b,80471b-80470b,10,2;.popsection
"quoted label":	80470:hlt;80471:;.set .Lprevirt_d,7-(80471b-80470b);.set .Lprevirt_p,-(.Lprevirt_d>0)*.Lprevirt_d;.set .Lprevirt_r,.Lprevirt_p%7;.fill .Lprevirt_p/7,7,0x00801f0f;.fill -(.Lprevirt_r==1),1,0x90;.fill -(.Lprevirt_r==2),2,0x9066;.fill -(.Lprevirt_r==3),3,0x001f0f;.fill -(.Lprevirt_r==4),4,0x00401f0f;.fill -(.Lprevirt_r==5),5,0x00441f0f;.fill -(.Lprevirt_r==6),6,0x441f0f66;80473:;.pushsection .afterburn,1,"a",@progbits;.balign 4;.long 80470b-.;.byte 80473b-80470b,80471b-80470b,10,2;.popsection
	nop # cli in a comment
	.intel_syntax noprefix
	cli
	mov	cr3, eax
	.att_syntax prefix
	80470:cli;80471:;.set .Lprevirt_d,8-(80471b-80470b);.set .Lprevirt_p,-(.Lprevirt_d>0)*.Lprevirt_d;.set .Lprevirt_r,.Lprevirt_p%7;.fill .Lprevirt_p/7,7,0x00801f0f;.fill -(.Lprevirt_r==1),1,0x90;.fill -(.Lprevirt_r==2),2,0x9066;.fill -(.Lprevirt_r==3),3,0x001f0f;.fill -(.Lprevirt_r==4),4,0x00401f0f;.fill -(.Lprevirt_r==5),5,0x00441f0f;.fill -(.Lprevirt_r==6),6,0x441f0f66;80473:;.pushsection .afterburn,1,"a",@progbits;.balign 4;.long 80470b-.;.byte 80473b-80470b,80471b-80470b,1,2;.popsection
		.pushsection .afterburn,0,"a",@progbits;.balign 4;.long 0x6e727562;.byte 2,0,0,0;.popsection
.end
	cli
this is not assembled
