/* The seccomp filters of the VMM's processes.
 *
 * Two filters stack (the kernel takes the strictest answer of all):
 *  - the guest trap: every system call from guest code (the low 4 GiB, or
 *    the i386 entry) traps to the VMM, which gives it to the guest kernel;
 *  - the jail's allow-list: exactly the calls the VMM makes after start-up,
 *    with their arguments checked where that is cheap.  Anything else traps
 *    too, and the SIGSYS handler ends the run naming the call when it came
 *    from 64-bit code (the VMM, or a guest that left compatibility mode:
 *    DESIGN.md section 5 -- a far jump to selector 0x33 reaches any
 *    `syscall` instruction in the process, so only this list bounds it).
 * A third, stricter one is added in the processes that run guest code:
 * they may not signal other processes, only probe them. */
#include "machine.h"
#include "ustub.h"

#include <asm/ldt.h>
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <termios.h>
#include <unistd.h>

#include "guesttrap.h"
#include "jail.h"
#include "nethost.h"

int guest_trap_init(void)
{
	return guest_trap_load();
}

/* Names of x86-64 system calls for the report, resolved before the filter
 * is in place: the handler that prints one must not allocate. */
#define NAMES 512
static char names[NAMES][24];

static void names_init(void)
{
	for (int nr = 0; nr < NAMES; nr++) {
		char *n = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, nr);
		if (n) {
			snprintf(names[nr], sizeof names[nr], "%s", n);
			free(n);
		}
	}
}

#define CMP(n, op, a, b) ((struct scmp_arg_cmp){(n), (op), (a), (b)})
#define EQ(n, v) CMP(n, SCMP_CMP_EQ, (uint64_t)(v), 0)
#define NE(n, v) CMP(n, SCMP_CMP_NE, (uint64_t)(v), 0)
#define MASKED(n, mask, v) CMP(n, SCMP_CMP_MASKED_EQ, (uint64_t)(mask), (uint64_t)(v))
/* an int argument: its register's upper half is not the caller's */
#define FD(n, v) MASKED(n, 0xffffffffu, (uint32_t)(v))
#define LO4G CMP(0, SCMP_CMP_LT, 1ull << 32, 0)

static unsigned nrules;

static int rule(scmp_filter_ctx c, int nr, unsigned n, const struct scmp_arg_cmp *cmp)
{
	nrules++;
	return seccomp_rule_add_array(c, SCMP_ACT_ALLOW, nr, n, cmp);
}
#define RULE(c, nr, ...)                                                                  \
	rule(c, nr, sizeof((struct scmp_arg_cmp[]){__VA_ARGS__}) / sizeof(struct scmp_arg_cmp), \
	     (struct scmp_arg_cmp[]){__VA_ARGS__})
#define ANY(c, nr) rule(c, nr, 0, NULL)

static int allow_list(scmp_filter_ctx c, int memfd, unsigned *count)
{
	int e = 0;
	/* console and reports: stdin read, stdout/stderr written; the
	 * terminal's mode read and restored */
	e |= RULE(c, SCMP_SYS(read), FD(0, 0));
	e |= RULE(c, SCMP_SYS(read), FD(0, US_AGENT_FD)); /* ring-3 agents' completions */
	e |= RULE(c, SCMP_SYS(write), FD(0, 1));
	e |= RULE(c, SCMP_SYS(write), FD(0, 2));
	e |= RULE(c, SCMP_SYS(write), FD(0, NETHOST_FD)); /* --net user|tap: wake the helper */
	e |= ANY(c, SCMP_SYS(poll));
	e |= RULE(c, SCMP_SYS(ioctl), FD(0, 0), EQ(1, TCGETS));
	e |= RULE(c, SCMP_SYS(ioctl), FD(0, 0), EQ(1, TCSETS));
	e |= ANY(c, SCMP_SYS(fstat));
	e |= ANY(c, SCMP_SYS(newfstatat));
	/* the soft TLB: guest RAM (the memfd) mapped, protected and unmapped
	 * only in the low 4 GiB; anonymous memory anywhere (the C library) */
	e |= RULE(c, SCMP_SYS(mmap), LO4G, FD(4, memfd));
	e |= RULE(c, SCMP_SYS(mmap), FD(4, -1), MASKED(3, MAP_ANONYMOUS, MAP_ANONYMOUS));
	e |= RULE(c, SCMP_SYS(mprotect), LO4G);
	/* anywhere: a new ring-3 stub unmaps all of previrt (ring3.c) */
	e |= ANY(c, SCMP_SYS(munmap));
	e |= ANY(c, SCMP_SYS(brk));
	e |= RULE(c, SCMP_SYS(modify_ldt), EQ(0, 1), EQ(2, sizeof(struct user_desc)));
	/* signals, the timer, sleeping */
	e |= ANY(c, SCMP_SYS(rt_sigreturn));
	e |= ANY(c, SCMP_SYS(rt_sigprocmask));
	e |= ANY(c, SCMP_SYS(rt_sigsuspend));
	e |= ANY(c, SCMP_SYS(setitimer));
	e |= ANY(c, SCMP_SYS(pause));
	e |= ANY(c, SCMP_SYS(clock_gettime));
	e |= ANY(c, SCMP_SYS(clock_nanosleep));
	e |= ANY(c, SCMP_SYS(restart_syscall));
	/* address-space processes (aspace.c): fork, the handoff futex, the
	 * supervisor's wait and its SIGKILL of the rest at the end */
	e |= RULE(c, SCMP_SYS(clone),
		  MASKED(0, ~(uint64_t)(CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | CLONE_VM | 0xff), 0));
	e |= ANY(c, SCMP_SYS(set_robust_list));
	e |= ANY(c, SCMP_SYS(futex));
	e |= ANY(c, SCMP_SYS(wait4));
	e |= RULE(c, SCMP_SYS(kill), EQ(1, 0));
	e |= RULE(c, SCMP_SYS(kill), EQ(1, SIGKILL));
	e |= RULE(c, SCMP_SYS(prctl), EQ(0, PR_SET_PDEATHSIG), EQ(1, SIGKILL));
	/* more filters (jail_seccomp_vmm): they can only take calls away */
	e |= RULE(c, SCMP_SYS(prctl), EQ(0, PR_SET_NO_NEW_PRIVS), EQ(1, 1));
	e |= RULE(c, SCMP_SYS(seccomp), EQ(0, SECCOMP_SET_MODE_FILTER));
	e |= ANY(c, SCMP_SYS(getpid));
	e |= ANY(c, SCMP_SYS(getppid));
	e |= ANY(c, SCMP_SYS(gettid));
	e |= ANY(c, SCMP_SYS(getcpu));
	e |= ANY(c, SCMP_SYS(sched_setaffinity));
	e |= ANY(c, SCMP_SYS(sched_getaffinity));
	/* ring-3 stubs (ring3.c): made by fork, their mapping agent by
	 * clone(CLONE_VM), its completion pipe, their signals set up */
	e |= ANY(c, SCMP_SYS(pipe2));
	e |= ANY(c, SCMP_SYS(close));
	e |= ANY(c, SCMP_SYS(dup2));
	e |= ANY(c, SCMP_SYS(rt_sigaction));
	e |= ANY(c, SCMP_SYS(sigaltstack));
	e |= ANY(c, SCMP_SYS(rseq));
	e |= ANY(c, SCMP_SYS(exit));
	e |= ANY(c, SCMP_SYS(exit_group));
	*count = nrules;
	return e;
}

int jail_seccomp(int memfd, unsigned *calls, char *err, size_t errsz)
{
	names_init();
	scmp_filter_ctx c = seccomp_init(SCMP_ACT_TRAP);
	if (!c) {
		snprintf(err, errsz, "seccomp_init failed");
		return -1;
	}
	/* i386 system calls come from guest code only: the guest trap above
	 * decides, this filter does not stand in its way */
	int r = seccomp_attr_set(c, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_TRAP);
	if (!r)
		r = allow_list(c, memfd, calls) ? -EINVAL : 0;
	if (!r)
		r = seccomp_load(c);
	seccomp_release(c);
	if (r)
		snprintf(err, errsz, "the jail's seccomp allow-list: %s", strerror(-r));
	return r ? -1 : 0;
}

int jail_seccomp_vmm(char *err, size_t errsz)
{
	scmp_filter_ctx c = seccomp_init(SCMP_ACT_ALLOW);
	int r = c ? 0 : -ENOMEM;
	if (!r)
		r = seccomp_attr_set(c, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ALLOW);
	if (!r)
		r = seccomp_rule_add(c, SCMP_ACT_TRAP, SCMP_SYS(kill), 1, NE(1, 0));
	if (!r)
		r = seccomp_rule_add(c, SCMP_ACT_TRAP, SCMP_SYS(wait4), 0);
	if (!r)
		r = seccomp_load(c);
	if (c)
		seccomp_release(c);
	if (r)
		snprintf(err, errsz, "the VMM processes' seccomp filter: %s", strerror(-r));
	return r ? -1 : 0;
}

int jail_seccomp_outside(void)
{
	scmp_filter_ctx c = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!c)
		return -1;
	int e = seccomp_attr_set(c, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	e |= ANY(c, SCMP_SYS(wait4));
	e |= RULE(c, SCMP_SYS(write), FD(0, 2));
	e |= RULE(c, SCMP_SYS(ioctl), FD(0, 0), EQ(1, TCGETS));
	e |= RULE(c, SCMP_SYS(ioctl), FD(0, 0), EQ(1, TCSETS));
	e |= ANY(c, SCMP_SYS(fstat));
	e |= ANY(c, SCMP_SYS(newfstatat));
	e |= ANY(c, SCMP_SYS(rt_sigreturn));
	e |= ANY(c, SCMP_SYS(exit_group));
	if (!e)
		e = seccomp_load(c);
	seccomp_release(c);
	return e ? -1 : 0;
}

const char *jail_syscall_name(int nr)
{
	return nr >= 0 && nr < NAMES && names[nr][0] ? names[nr] : "?";
}
