# Section tracking: sites are annotated where a record stays valid, with the
# section's flags; left alone in copied, discarded and COMDAT sections.
	.text
s:	80470:cli;80471:;.set .Lprevirt_d,8-(80471b-80470b);.set .Lprevirt_p,-(.Lprevirt_d>0)*.Lprevirt_d;.set .Lprevirt_r,.Lprevirt_p%7;.fill .Lprevirt_p/7,7,0x00801f0f;.fill -(.Lprevirt_r==1),1,0x90;.fill -(.Lprevirt_r==2),2,0x9066;.fill -(.Lprevirt_r==3),3,0x001f0f;.fill -(.Lprevirt_r==4),4,0x00401f0f;.fill -(.Lprevirt_r==5),5,0x00441f0f;.fill -(.Lprevirt_r==6),6,0x441f0f66;80473:;.pushsection .afterburn,1,"a",@progbits;.balign 4;.long 80470b-.;.byte 80473b-80470b,80471b-80470b,1,2;.popsection
	.section .init.text, "ax", @progbits
	80470:wbinvd;80471:;.set .Lprevirt_d,7-(80471b-80470b);.set .Lprevirt_p,-(.Lprevirt_d>0)*.Lprevirt_d;.set .Lprevirt_r,.Lprevirt_p%7;.fill .Lprevirt_p/7,7,0x00801f0f;.fill -(.Lprevirt_r==1),1,0x90;.fill -(.Lprevirt_r==2),2,0x9066;.fill -(.Lprevirt_r==3),3,0x001f0f;.fill -(.Lprevirt_r==4),4,0x00401f0f;.fill -(.Lprevirt_r==5),5,0x00441f0f;.fill -(.Lprevirt_r==6),6,0x441f0f66;80473:;.pushsection .afterburn,1,"a",@progbits;.balign 4;.long 80470b-.;.byte 80473b-80470b,80471b-80470b,41,6;.popsection
	.section ".head.text", "ax"
	80470:lgdt	(%eax);80471:;.set .Lprevirt_d,7-(80471b-80470b);.set .Lprevirt_p,-(.Lprevirt_d>0)*.Lprevirt_d;.set .Lprevirt_r,.Lprevirt_p%7;.fill .Lprevirt_p/7,7,0x00801f0f;.fill -(.Lprevirt_r==1),1,0x90;.fill -(.Lprevirt_r==2),2,0x9066;.fill -(.Lprevirt_r==3),3,0x001f0f;.fill -(.Lprevirt_r==4),4,0x00401f0f;.fill -(.Lprevirt_r==5),5,0x00441f0f;.fill -(.Lprevirt_r==6),6,0x441f0f66;80473:;.pushsection .afterburn,1,"a",@progbits;.balign 4;.long 80470b-.;.byte 80473b-80470b,80471b-80470b,28,14;.popsection
	.previous
	80470:invd;80471:;.set .Lprevirt_d,7-(80471b-80470b);.set .Lprevirt_p,-(.Lprevirt_d>0)*.Lprevirt_d;.set .Lprevirt_r,.Lprevirt_p%7;.fill .Lprevirt_p/7,7,0x00801f0f;.fill -(.Lprevirt_r==1),1,0x90;.fill -(.Lprevirt_r==2),2,0x9066;.fill -(.Lprevirt_r==3),3,0x001f0f;.fill -(.Lprevirt_r==4),4,0x00401f0f;.fill -(.Lprevirt_r==5),5,0x00441f0f;.fill -(.Lprevirt_r==6),6,0x441f0f66;80473:;.pushsection .afterburn,1,"a",@progbits;.balign 4;.long 80470b-.;.byte 80473b-80470b,80471b-80470b,40,6;.popsection
	.previous
	80470:movl	%eax, %cr3;80471:;.set .Lprevirt_d,7-(80471b-80470b);.set .Lprevirt_p,-(.Lprevirt_d>0)*.Lprevirt_d;.set .Lprevirt_r,.Lprevirt_p%7;.fill .Lprevirt_p/7,7,0x00801f0f;.fill -(.Lprevirt_r==1),1,0x90;.fill -(.Lprevirt_r==2),2,0x9066;.fill -(.Lprevirt_r==3),3,0x001f0f;.fill -(.Lprevirt_r==4),4,0x00401f0f;.fill -(.Lprevirt_r==5),5,0x00441f0f;.fill -(.Lprevirt_r==6),6,0x441f0f66;80473:;.pushsection .afterburn,1,"a",@progbits;.balign 4;.long 80470b-.;.byte 80473b-80470b,80471b-80470b,19,14;.popsection
	.text
	.pushsection .altinstr_replacement, "ax"
	rdtscp
	.pushsection .discard.text, "ax"
	cpuid
	.popsection
	.popsection
	80470:rdtsc;80471:;.set .Lprevirt_d,7-(80471b-80470b);.set .Lprevirt_p,-(.Lprevirt_d>0)*.Lprevirt_d;.set .Lprevirt_r,.Lprevirt_p%7;.fill .Lprevirt_p/7,7,0x00801f0f;.fill -(.Lprevirt_r==1),1,0x90;.fill -(.Lprevirt_r==2),2,0x9066;.fill -(.Lprevirt_r==3),3,0x001f0f;.fill -(.Lprevirt_r==4),4,0x00401f0f;.fill -(.Lprevirt_r==5),5,0x00441f0f;.fill -(.Lprevirt_r==6),6,0x441f0f66;80473:;.pushsection .afterburn,1,"a",@progbits;.balign 4;.long 80470b-.;.byte 80473b-80470b,80471b-80470b,18,2;.popsection
	.section .text.comdat_fn, "axG", @progbits, comdat_fn, comdat
	hlt
	.text
	80470:clts;80471:;.set .Lprevirt_d,7-(80471b-80470b);.set .Lprevirt_p,-(.Lprevirt_d>0)*.Lprevirt_d;.set .Lprevirt_r,.Lprevirt_p%7;.fill .Lprevirt_p/7,7,0x00801f0f;.fill -(.Lprevirt_r==1),1,0x90;.fill -(.Lprevirt_r==2),2,0x9066;.fill -(.Lprevirt_r==3),3,0x001f0f;.fill -(.Lprevirt_r==4),4,0x00401f0f;.fill -(.Lprevirt_r==5),5,0x00441f0f;.fill -(.Lprevirt_r==6),6,0x441f0f66;80473:;.pushsection .afterburn,1,"a",@progbits;.balign 4;.long 80470b-.;.byte 80473b-80470b,80471b-80470b,38,2;.popsection
	.data
	.long 0
	.bss
	.text
	80470:smsw	%eax;80471:;.set .Lprevirt_d,7-(80471b-80470b);.set .Lprevirt_p,-(.Lprevirt_d>0)*.Lprevirt_d;.set .Lprevirt_r,.Lprevirt_p%7;.fill .Lprevirt_p/7,7,0x00801f0f;.fill -(.Lprevirt_r==1),1,0x90;.fill -(.Lprevirt_r==2),2,0x9066;.fill -(.Lprevirt_r==3),3,0x001f0f;.fill -(.Lprevirt_r==4),4,0x00401f0f;.fill -(.Lprevirt_r==5),5,0x00441f0f;.fill -(.Lprevirt_r==6),6,0x441f0f66;80473:;.pushsection .afterburn,1,"a",@progbits;.balign 4;.long 80470b-.;.byte 80473b-80470b,80471b-80470b,36,2;.popsection
	.pushsection .afterburn,0,"a",@progbits;.balign 4;.long 0x6e727562;.byte 2,0,0,0;.popsection
