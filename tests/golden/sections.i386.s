# Section tracking: sites are annotated where a record stays valid, with the
# section's flags; left alone in copied, discarded and COMDAT sections.
	.text
s:	cli
	.section .init.text, "ax", @progbits
	wbinvd
	.section ".head.text", "ax"
	lgdt	(%eax)
	.previous
	invd
	.previous
	movl	%eax, %cr3
	.text
	.pushsection .altinstr_replacement, "ax"
	rdtscp
	.pushsection .discard.text, "ax"
	cpuid
	.popsection
	.popsection
	rdtsc
	.section .text.comdat_fn, "axG", @progbits, comdat_fn, comdat
	hlt
	.text
	clts
	.data
	.long 0
	.bss
	.text
	smsw	%eax
