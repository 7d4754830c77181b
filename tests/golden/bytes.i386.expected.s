# Instructions Linux writes as .byte lists (asm/mwait.h, ...): a list that
# is exactly one sensitive instruction is a site; anything else is left
# alone, and so are ud1 (a signature static calls check) and BUG()'s ud2
# (objtool's reachability annotations name the instruction before a label).
	.text
b:
1:	.byte 0x0f, 0x0b
	.pushsection __bug_table, "aw"
	.long 1b - .
	.popsection
	.byte 15, 11
	80470:.byte 0x0f,0x01,0xc8;80471:;.set .Lprevirt_d,7-(80471b-80470b);.set .Lprevirt_p,-(.Lprevirt_d>0)*.Lprevirt_d;.set .Lprevirt_r,.Lprevirt_p%7;.fill .Lprevirt_p/7,7,0x00801f0f;.fill -(.Lprevirt_r==1),1,0x90;.fill -(.Lprevirt_r==2),2,0x9066;.fill -(.Lprevirt_r==3),3,0x001f0f;.fill -(.Lprevirt_r==4),4,0x00401f0f;.fill -(.Lprevirt_r==5),5,0x00441f0f;.fill -(.Lprevirt_r==6),6,0x441f0f66;80473:;.pushsection .afterburn,1,"a",@progbits;.balign 4;.long 80470b-.;.byte 80473b-80470b,80471b-80470b,57,2;.popsection
	80470:.byte 0x0f, 0x01, 0xc9;80471:;.set .Lprevirt_d,7-(80471b-80470b);.set .Lprevirt_p,-(.Lprevirt_d>0)*.Lprevirt_d;.set .Lprevirt_r,.Lprevirt_p%7;.fill .Lprevirt_p/7,7,0x00801f0f;.fill -(.Lprevirt_r==1),1,0x90;.fill -(.Lprevirt_r==2),2,0x9066;.fill -(.Lprevirt_r==3),3,0x001f0f;.fill -(.Lprevirt_r==4),4,0x00401f0f;.fill -(.Lprevirt_r==5),5,0x00441f0f;.fill -(.Lprevirt_r==6),6,0x441f0f66;80473:;.pushsection .afterburn,1,"a",@progbits;.balign 4;.long 80470b-.;.byte 80473b-80470b,80471b-80470b,58,2;.popsection;
	80470:.byte 0xf3, 0x0f, 0xc7, 0xf8;80471:;.set .Lprevirt_d,7-(80471b-80470b);.set .Lprevirt_p,-(.Lprevirt_d>0)*.Lprevirt_d;.set .Lprevirt_r,.Lprevirt_p%7;.fill .Lprevirt_p/7,7,0x00801f0f;.fill -(.Lprevirt_r==1),1,0x90;.fill -(.Lprevirt_r==2),2,0x9066;.fill -(.Lprevirt_r==3),3,0x001f0f;.fill -(.Lprevirt_r==4),4,0x00401f0f;.fill -(.Lprevirt_r==5),5,0x00441f0f;.fill -(.Lprevirt_r==6),6,0x441f0f66;80473:;.pushsection .afterburn,1,"a",@progbits;.balign 4;.long 80470b-.;.byte 80473b-80470b,80471b-80470b,56,2;.popsection
	.byte 0x0f, 0xb9, 0xcc
	.byte 0x0f, 0x0b, 0x90
	.byte 0x0f, 0x0b,
	.byte sym, 0x0b
	80470:sti;80471:
	.byte 0x0f, 0x01, 0xc9;80472:;.set .Lprevirt_d,24-(80472b-80470b);.set .Lprevirt_p,-(.Lprevirt_d>0)*.Lprevirt_d;.set .Lprevirt_r,.Lprevirt_p%7;.fill .Lprevirt_p/7,7,0x00801f0f;.fill -(.Lprevirt_r==1),1,0x90;.fill -(.Lprevirt_r==2),2,0x9066;.fill -(.Lprevirt_r==3),3,0x001f0f;.fill -(.Lprevirt_r==4),4,0x00401f0f;.fill -(.Lprevirt_r==5),5,0x00441f0f;.fill -(.Lprevirt_r==6),6,0x441f0f66;80473:;.pushsection .afterburn,1,"a",@progbits;.balign 4;.long 80470b-.;.byte 80473b-80470b,80471b-80470b,2,66;.popsection
	ret
sym = 0x0f
	.pushsection .afterburn,0,"a",@progbits;.balign 4;.long 0x6e727562;.byte 2,0,0,0;.popsection
