2	foo:
#APP
# 12 "drv.c" 1
	movl (%eax), %ecx
	movb %al, 4(%ebx)
	mov %fs:0, %eax
	testl $1, 0x10(%edx,%ecx,4)
	sti; hlt
#NO_APP
	movl (%eax), %ecx
	#APP
	cli
