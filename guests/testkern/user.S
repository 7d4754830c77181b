/*
 * Ring-3 programs.  They live in the .user sections, the only pages mapped
 * with the user bit, and talk to the kernel through int $0x80:
 *   eax = 1 write(ebx = buffer, ecx = length) -> length, or -14 (bad buffer)
 *   eax = 2 getpid() -> 7
 *   eax = 3 exit(ebx)
 * Each program but the first ends in a fault the kernel reports.
 */
#define SYS_WRITE 1
#define SYS_GETPID 2
#define SYS_EXIT 3

	.section .user.text, "ax"

	/* writes, asks its pid, exits with (cpl << 8 | pid) */
	.globl user_hello
user_hello:
	movl $SYS_WRITE, %eax
	movl $hello, %ebx
	movl $hello_len, %ecx
	int $0x80
	movl $SYS_GETPID, %eax
	int $0x80
	movl %eax, %esi
	xorl %eax, %eax
	movw %cs, %ax
	andl $3, %eax
	shll $8, %eax
	orl %esi, %eax
	movl %eax, %ebx
	movl $SYS_EXIT, %eax
	int $0x80
	ud2

	/* hands the kernel a kernel pointer, exits with what write returned */
	.globl user_bad_pointer
user_bad_pointer:
	movl $SYS_WRITE, %eax
	movl $kernel_secret, %ebx
	movl $4, %ecx
	int $0x80
	movl %eax, %ebx
	movl $SYS_EXIT, %eax
	int $0x80
	ud2

	.globl user_read_kernel
user_read_kernel:
	movl kernel_secret, %eax
	ud2

	.globl user_write_hole
user_write_hole:
	movl $1, 0x40001000
	ud2

	.globl user_cli
user_cli:
	cli
	ud2

	.globl user_hlt
user_hlt:
	hlt
	ud2

	.globl user_in
user_in:
	inb $0x21, %al
	ud2

	.globl user_int81
user_int81:
	int $0x81
	ud2

	.section .user.data, "aw"
hello:
	.ascii "ring3: hello from user mode through int $0x80 write\n"
	hello_len = . - hello

	.section .user.bss, "aw", @nobits
	.balign 16
	.globl user_stack_top
	.space 4096
user_stack_top:

	.section .note.GNU-stack, "", @progbits
