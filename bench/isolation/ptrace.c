/* System calls injected into a stopped tracee, the way UML's skas mode
 * runs its processes' mappings: the supervisor saves the tracee's
 * registers, sets them up for an mmap of guest RAM's memfd at a `syscall`
 * instruction of the tracee's code, lets it run through that instruction
 * (PTRACE_SINGLESTEP: one stop after it; PTRACE_SYSCALL: a stop at entry
 * and one at exit), reads the result and puts the registers back.  Per
 * injected call, both processes on one CPU. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

/* the instruction the supervisor points the tracee at (the same address
 * in both: the tracee is a fork) */
extern const char iso_syscall_insn[];
__asm__(".text\n.globl iso_syscall_insn\niso_syscall_insn:\n\tsyscall\n\tint3\n");

enum { PAGES = 16 };
static int memfd;
static char *la;
static pid_t child;
static int step;
static const char *op_fail; /* the first failure, for the row */
static int op_errno;

static void fail(const char *what)
{
	if (!op_fail) {
		op_fail = what;
		op_errno = errno;
	}
}

/* resumes the tracee and waits for its next stop, which must be a SIGTRAP
 * (PTRACE_O_TRACESYSGOOD marks syscall stops with 0x80) */
static int resume(void)
{
	int st;
	if (ptrace(step ? PTRACE_SINGLESTEP : PTRACE_SYSCALL, child, 0, 0)) {
		fail(step ? "PTRACE_SINGLESTEP" : "PTRACE_SYSCALL");
		return -1;
	}
	if (waitpid(child, &st, __WALL) != child || !WIFSTOPPED(st) || (WSTOPSIG(st) & 0x7f) != SIGTRAP) {
		errno = ECHILD;
		fail("waiting for the tracee's trap");
		return -1;
	}
	return 0;
}

static void op(void *arg)
{
	(void)arg;
	if (op_fail)
		return;
	struct user_regs_struct saved, r;
	if (ptrace(PTRACE_GETREGS, child, 0, &saved)) {
		fail("PTRACE_GETREGS");
		return;
	}
	r = saved;
	r.rip = (unsigned long long)(uintptr_t)iso_syscall_insn;
	r.rax = SYS_mmap;
	r.orig_rax = -1ULL; /* no system call to restart on the way out of this stop */
	r.rdi = (unsigned long long)(uintptr_t)la;
	r.rsi = ISO_PAGE;
	r.rdx = PROT_READ | PROT_WRITE;
	r.r10 = MAP_SHARED | MAP_FIXED;
	r.r8 = (unsigned long long)memfd;
	r.r9 = 0;
	if (ptrace(PTRACE_SETREGS, child, 0, &r)) {
		fail("PTRACE_SETREGS");
		return;
	}
	if (resume() || (!step && resume()))
		return;
	if (ptrace(PTRACE_GETREGS, child, 0, &r)) {
		fail("PTRACE_GETREGS");
		return;
	}
	if (r.rax != (unsigned long long)(uintptr_t)la || r.rip != (unsigned long long)(uintptr_t)iso_syscall_insn + 2) {
		errno = (long long)r.rax < 0 ? (int)-(long long)r.rax : EFAULT;
		fail("the injected mmap");
		return;
	}
	if (ptrace(PTRACE_SETREGS, child, 0, &saved))
		fail("PTRACE_SETREGS (restore)");
}

static void row(const char *name, const char *what, int single)
{
	iso_begin(name, what);
	int cpu = iso_cpu(0);
	if (cpu < 0 || iso_pin(cpu)) {
		iso_skip("pinning to one CPU: %s", strerror(errno));
		return;
	}
	child = iso_fork();
	if (child < 0) {
		iso_skip("fork: %s", strerror(errno));
		return;
	}
	if (child == 0) {
		if (ptrace(PTRACE_TRACEME, 0, 0, 0))
			_exit(5);
		raise(SIGSTOP);
		for (;;)
			pause();
	}
	int st = 0;
	if (waitpid(child, &st, __WALL) != child || !WIFSTOPPED(st)) {
		iso_skip("the tracee did not stop%s", WIFEXITED(st) && WEXITSTATUS(st) == 5 ? ": PTRACE_TRACEME refused" : "");
		kill(child, SIGKILL);
		waitpid(child, &st, __WALL);
		return;
	}
	if (ptrace(PTRACE_SETOPTIONS, child, 0, PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL)) {
		iso_skip("PTRACE_SETOPTIONS: %s", strerror(errno));
		kill(child, SIGKILL);
		waitpid(child, &st, __WALL);
		return;
	}
	step = single;
	op_fail = NULL;
	double ns = iso_measure(op, NULL);
	kill(child, SIGKILL);
	waitpid(child, &st, __WALL);
	if (op_fail)
		iso_skip("%s: %s", op_fail, strerror(op_errno));
	else
		iso_row(ns);
}

int main(int argc, char **argv)
{
	iso_init(argc, argv, "mmap system calls injected into a ptrace-stopped tracee (UML skas style).");
	const char *w1 = "per injected mmap (1 memfd page, MAP_FIXED): GETREGS, SETREGS, SINGLESTEP over `syscall`, wait, GETREGS, SETREGS";
	memfd = iso_memfd(PAGES);
	la = iso_reserve(PAGES);
	if (memfd < 0 || !la) {
		iso_begin("ptrace-singlestep-mmap", w1);
		iso_skip("a memfd and address space for it: %s", strerror(errno));
		return 0;
	}
	row("ptrace-singlestep-mmap", w1, 1);
	row("ptrace-syscall-mmap", "the same with PTRACE_SYSCALL: a stop at the call's entry and one at its exit", 0);
	return 0;
}
