/* The floor under the other rows, in one process: the mapping calls the
 * mechanisms make, and the pieces of a fault's delivery.
 *  - mmap of one memfd page where the kernel chooses, then munmap;
 *  - mmap MAP_FIXED of one memfd page over the mapping of another page
 *    (what the agent, the stub and the injected calls do);
 *  - mprotect of one page (read-write / read-only in turn);
 *  - a minor fault: the first touch of a mapped memfd page whose page is
 *    in memory but not in this process's page tables (the region is
 *    dropped with MADV_DONTNEED after each sweep of 512 pages, included);
 *  - an exception to a handler and back: ud2, SIGILL handler steps over
 *    it, sigreturn (on a signal stack, every signal blocked, as in the
 *    stub). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include "harness.h"

enum { PAGES = 512 };
static int memfd, op_err;
static char *la;
static size_t nr;

static void note(int ok)
{
	if (!ok && !op_err)
		op_err = errno ? errno : EFAULT;
}

static void op_mmap_munmap(void *arg)
{
	(void)arg;
	void *p = mmap(NULL, ISO_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	note(p != MAP_FAILED && munmap(p, ISO_PAGE) == 0);
}

static void op_mmap_over(void *arg)
{
	(void)arg;
	note(mmap(la, ISO_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, memfd, (off_t)((nr++ & 1) * ISO_PAGE)) ==
	     la);
}

static void op_mprotect(void *arg)
{
	(void)arg;
	note(mprotect(la, ISO_PAGE, (nr++ & 1) ? PROT_READ : PROT_READ | PROT_WRITE) == 0);
}

static void op_minor_fault(void *arg)
{
	(void)arg;
	(void)*(volatile char *)(la + nr * ISO_PAGE);
	if (++nr == PAGES) {
		nr = 0;
		note(madvise(la, PAGES * ISO_PAGE, MADV_DONTNEED) == 0);
	}
}

static void on_sigill(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	((ucontext_t *)uc)->uc_mcontext.gregs[REG_RIP] += 2;
}

static void op_exception(void *arg)
{
	(void)arg;
	__asm__ volatile("ud2" ::: "memory");
}

static void row(const char *name, const char *what, void (*op)(void *))
{
	iso_begin(name, what);
	op_err = 0;
	nr = 0;
	double ns = iso_measure(op, NULL);
	if (op_err)
		iso_skip("failed: %s", strerror(op_err));
	else
		iso_row(ns);
}

int main(int argc, char **argv)
{
	iso_init(argc, argv, "The floor: mapping calls and a fault's pieces in one process.");
	int cpu = iso_cpu(0);
	if (cpu >= 0)
		iso_pin(cpu);
	memfd = iso_memfd(PAGES);
	la = memfd < 0 ? NULL : mmap(NULL, PAGES * ISO_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (!la || la == MAP_FAILED) {
		iso_begin("mmap-munmap", "");
		iso_skip("a memfd and a mapping of it: %s", strerror(errno));
		return 0;
	}
	row("mmap-munmap", "mmap of 1 memfd page MAP_SHARED (the kernel picks the address), then munmap", op_mmap_munmap);
	row("mmap-fixed-over", "mmap MAP_SHARED|MAP_FIXED of 1 memfd page over the mapping of another", op_mmap_over);
	row("mprotect", "mprotect of 1 page, read-write and read-only in turn", op_mprotect);
	if (munmap(la, ISO_PAGE * 2) ||
	    mmap(la, ISO_PAGE * 2, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, memfd, 0) != la ||
	    madvise(la, PAGES * ISO_PAGE, MADV_DONTNEED)) {
		iso_begin("minor-fault", "");
		iso_skip("resetting the mapping: %s", strerror(errno));
	} else
		row("minor-fault", "first touch of a mapped memfd page not yet in the page tables (page in memory)",
		    op_minor_fault);
	static char stack[64 * 1024];
	stack_t ss = {.ss_sp = stack, .ss_size = sizeof stack};
	struct sigaction sa = {.sa_sigaction = on_sigill, .sa_flags = SA_SIGINFO | SA_ONSTACK};
	sigfillset(&sa.sa_mask);
	if (sigaltstack(&ss, NULL) || sigaction(SIGILL, &sa, NULL)) {
		iso_begin("exception-handler", "");
		iso_skip("the SIGILL handler: %s", strerror(errno));
	} else
		row("exception-handler", "ud2 to a SIGILL handler (on a signal stack) that steps over it, and back",
		    op_exception);
	return 0;
}
