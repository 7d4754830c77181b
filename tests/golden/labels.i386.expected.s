# Numeric local labels around sites, and an exception-table entry that
# refers to them; the program's 1b/2f still resolve to its own labels.
	.text
l:
1:	10000:rdmsr;10001:;.set .Lprevirt_d,7-(10001b-10000b);.set .Lprevirt_p,-(.Lprevirt_d>0)*.Lprevirt_d;.set .Lprevirt_r,.Lprevirt_p%7;.fill .Lprevirt_p/7,7,0x00801f0f;.fill -(.Lprevirt_r==1),1,0x90;.fill -(.Lprevirt_r==2),2,0x9066;.fill -(.Lprevirt_r==3),3,0x001f0f;.fill -(.Lprevirt_r==4),4,0x00401f0f;.fill -(.Lprevirt_r==5),5,0x00441f0f;.fill -(.Lprevirt_r==6),6,0x441f0f66;10003:;.pushsection .afterburn,1,"a",@progbits;.balign 4;.long 10000b-.;.byte 10003b-10000b,10001b-10000b,16,2;.popsection
2:
	.pushsection __ex_table, "a"
	.balign 4
	.long 1b - ., 2b - .
	.popsection
1:	10000:cli;10001:;.set .Lprevirt_d,8-(10001b-10000b);.set .Lprevirt_p,-(.Lprevirt_d>0)*.Lprevirt_d;.set .Lprevirt_r,.Lprevirt_p%7;.fill .Lprevirt_p/7,7,0x00801f0f;.fill -(.Lprevirt_r==1),1,0x90;.fill -(.Lprevirt_r==2),2,0x9066;.fill -(.Lprevirt_r==3),3,0x001f0f;.fill -(.Lprevirt_r==4),4,0x00401f0f;.fill -(.Lprevirt_r==5),5,0x00441f0f;.fill -(.Lprevirt_r==6),6,0x441f0f66;10003:;.pushsection .afterburn,1,"a",@progbits;.balign 4;.long 10000b-.;.byte 10003b-10000b,10001b-10000b,1,2;.popsection
	jmp	1b
	jmp	2f
	10000:wrmsr;10001:;.set .Lprevirt_d,7-(10001b-10000b);.set .Lprevirt_p,-(.Lprevirt_d>0)*.Lprevirt_d;.set .Lprevirt_r,.Lprevirt_p%7;.fill .Lprevirt_p/7,7,0x00801f0f;.fill -(.Lprevirt_r==1),1,0x90;.fill -(.Lprevirt_r==2),2,0x9066;.fill -(.Lprevirt_r==3),3,0x001f0f;.fill -(.Lprevirt_r==4),4,0x00401f0f;.fill -(.Lprevirt_r==5),5,0x00441f0f;.fill -(.Lprevirt_r==6),6,0x441f0f66;10003:;.pushsection .afterburn,1,"a",@progbits;.balign 4;.long 10000b-.;.byte 10003b-10000b,10001b-10000b,17,2;.popsection
2:	10000:sti;10001:;.set .Lprevirt_d,24-(10001b-10000b);.set .Lprevirt_p,-(.Lprevirt_d>0)*.Lprevirt_d;.set .Lprevirt_r,.Lprevirt_p%7;.fill .Lprevirt_p/7,7,0x00801f0f;.fill -(.Lprevirt_r==1),1,0x90;.fill -(.Lprevirt_r==2),2,0x9066;.fill -(.Lprevirt_r==3),3,0x001f0f;.fill -(.Lprevirt_r==4),4,0x00401f0f;.fill -(.Lprevirt_r==5),5,0x00441f0f;.fill -(.Lprevirt_r==6),6,0x441f0f66;10003:;.pushsection .afterburn,1,"a",@progbits;.balign 4;.long 10000b-.;.byte 10003b-10000b,10001b-10000b,2,2;.popsection
	jmp	1b
3:	4: 10000:hlt;10001:;.set .Lprevirt_d,7-(10001b-10000b);.set .Lprevirt_p,-(.Lprevirt_d>0)*.Lprevirt_d;.set .Lprevirt_r,.Lprevirt_p%7;.fill .Lprevirt_p/7,7,0x00801f0f;.fill -(.Lprevirt_r==1),1,0x90;.fill -(.Lprevirt_r==2),2,0x9066;.fill -(.Lprevirt_r==3),3,0x001f0f;.fill -(.Lprevirt_r==4),4,0x00401f0f;.fill -(.Lprevirt_r==5),5,0x00441f0f;.fill -(.Lprevirt_r==6),6,0x441f0f66;10003:;.pushsection .afterburn,1,"a",@progbits;.balign 4;.long 10000b-.;.byte 10003b-10000b,10001b-10000b,10,2;.popsection
	jmp	3b
	jmp	4b
80470:	ret
	jmp	80470b
	.pushsection .afterburn,0,"a",@progbits;.balign 4;.long 0x6e727562;.byte 2,0,0,0;.popsection
