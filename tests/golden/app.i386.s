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
	movl (%edx),%eax
# 0 "" 2
# 20 "drv.c" 1
	movl %eax,12(%edx)
# 0 "" 2
# 21 "drv.c" 1
	movb $1,(%edx)
	movl %fs:8,%ecx
	movl %eax,%ecx
	movzwl 2(%edx),%eax
# 0 "" 2
# 30 "drv.c" 1
	pushfl ; popl %eax
# 0 "" 2
#NO_APP
	movl	(%edx), %ecx
	movl	%eax, 4(%edx)
	ret
