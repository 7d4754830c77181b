# Sites inside .macro, .rept and .irp bodies: the numeric labels are
# redefined per expansion, and the program's own \@ labels still work.
	.macro	SAVE_FLAGS reg
	pushfl
	popl	\reg
	.endm

	.macro	LOOP_CLI n
.Lloop_\@:
	cli
	decl	\n
	jnz	.Lloop_\@
	.endm

	.macro	MAYBE_STI
	sti
	.endm

	.text
m:
	SAVE_FLAGS %eax
	SAVE_FLAGS %ebx
	LOOP_CLI %ecx
	LOOP_CLI %edx
	.rept	3
	outb	%al, $0x80
	.endr
	.irp	port, 0x20, 0xa0
	outb	%al, $\port
	.endr
	.irpc	c, 12
	inb	$0x4\c, %al
	.endr
	MAYBE_STI
	ret
