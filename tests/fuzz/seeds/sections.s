0	.section .init.text,"ax",@progbits
	cli
	.pushsection .altinstr_replacement,"ax"
	sti
	.pushsection .head.text,"ax"
	lidt (%eax)
	.popsection
	cpuid
	.popsection
	hlt
	.previous
	rdmsr
	.previous
	wrmsr
	.popsection
	.section .text.g,"axG",@progbits,grp,comdat
	invlpg (%eax)
	.text
	clts
