# afterburn-args: --mem
# gcc output with #APP inline asm: sites there carry the INLINE flag, and
# with --mem the memory accesses inside #APP blocks (not outside, not
# per-CPU %fs:) become MEM sites.
	.text
	.globl	drv
drv:
	movl	4(%esp), %edx
#APP
# 17 "drv.c" 1
	80470:movl (%edx),%eax;80471:;.set .Lprevirt_d,7-(80471b-80470b);.set .Lprevirt_p,-(.Lprevirt_d>0)*.Lprevirt_d;.set .Lprevirt_r,.Lprevirt_p%7;.fill .Lprevirt_p/7,7,0x00801f0f;.fill -(.Lprevirt_r==1),1,0x90;.fill -(.Lprevirt_r==2),2,0x9066;.fill -(.Lprevirt_r==3),3,0x001f0f;.fill -(.Lprevirt_r==4),4,0x00401f0f;.fill -(.Lprevirt_r==5),5,0x00441f0f;.fill -(.Lprevirt_r==6),6,0x441f0f66;80473:;.pushsection .afterburn,1,"a",@progbits;.balign 4;.long 80470b-.;.byte 80473b-80470b,80471b-80470b,54,34;.popsection
# 0 "" 2
# 20 "drv.c" 1
	80470:movl %eax,12(%edx);80471:;.set .Lprevirt_d,7-(80471b-80470b);.set .Lprevirt_p,-(.Lprevirt_d>0)*.Lprevirt_d;.set .Lprevirt_r,.Lprevirt_p%7;.fill .Lprevirt_p/7,7,0x00801f0f;.fill -(.Lprevirt_r==1),1,0x90;.fill -(.Lprevirt_r==2),2,0x9066;.fill -(.Lprevirt_r==3),3,0x001f0f;.fill -(.Lprevirt_r==4),4,0x00401f0f;.fill -(.Lprevirt_r==5),5,0x00441f0f;.fill -(.Lprevirt_r==6),6,0x441f0f66;80473:;.pushsection .afterburn,1,"a",@progbits;.balign 4;.long 80470b-.;.byte 80473b-80470b,80471b-80470b,54,34;.popsection
# 0 "" 2
# 21 "drv.c" 1
	80470:movb $1,(%edx);80471:;.set .Lprevirt_d,7-(80471b-80470b);.set .Lprevirt_p,-(.Lprevirt_d>0)*.Lprevirt_d;.set .Lprevirt_r,.Lprevirt_p%7;.fill .Lprevirt_p/7,7,0x00801f0f;.fill -(.Lprevirt_r==1),1,0x90;.fill -(.Lprevirt_r==2),2,0x9066;.fill -(.Lprevirt_r==3),3,0x001f0f;.fill -(.Lprevirt_r==4),4,0x00401f0f;.fill -(.Lprevirt_r==5),5,0x00441f0f;.fill -(.Lprevirt_r==6),6,0x441f0f66;80473:;.pushsection .afterburn,1,"a",@progbits;.balign 4;.long 80470b-.;.byte 80473b-80470b,80471b-80470b,54,34;.popsection
	movl %fs:8,%ecx
	movl %eax,%ecx
	80470:movzwl 2(%edx),%eax;80471:;.set .Lprevirt_d,7-(80471b-80470b);.set .Lprevirt_p,-(.Lprevirt_d>0)*.Lprevirt_d;.set .Lprevirt_r,.Lprevirt_p%7;.fill .Lprevirt_p/7,7,0x00801f0f;.fill -(.Lprevirt_r==1),1,0x90;.fill -(.Lprevirt_r==2),2,0x9066;.fill -(.Lprevirt_r==3),3,0x001f0f;.fill -(.Lprevirt_r==4),4,0x00401f0f;.fill -(.Lprevirt_r==5),5,0x00441f0f;.fill -(.Lprevirt_r==6),6,0x441f0f66;80473:;.pushsection .afterburn,1,"a",@progbits;.balign 4;.long 80470b-.;.byte 80473b-80470b,80471b-80470b,54,34;.popsection
# 0 "" 2
# 30 "drv.c" 1
	80470:pushfl;80471:;.set .Lprevirt_d,16-(80471b-80470b);.set .Lprevirt_p,-(.Lprevirt_d>0)*.Lprevirt_d;.set .Lprevirt_r,.Lprevirt_p%7;.fill .Lprevirt_p/7,7,0x00801f0f;.fill -(.Lprevirt_r==1),1,0x90;.fill -(.Lprevirt_r==2),2,0x9066;.fill -(.Lprevirt_r==3),3,0x001f0f;.fill -(.Lprevirt_r==4),4,0x00401f0f;.fill -(.Lprevirt_r==5),5,0x00441f0f;.fill -(.Lprevirt_r==6),6,0x441f0f66;80473:;.pushsection .afterburn,1,"a",@progbits;.balign 4;.long 80470b-.;.byte 80473b-80470b,80471b-80470b,3,34;.popsection ; popl %eax
# 0 "" 2
#NO_APP
	movl	(%edx), %ecx
	movl	%eax, 4(%edx)
	ret
	.pushsection .afterburn,0,"a",@progbits;.balign 4;.long 0x6e727562;.byte 2,0,0,0;.popsection
