/* Fault delivery, per fault, on a region of 512 pages reserved PROT_NONE
 * whose pages get mapped from guest RAM's memfd as they are touched (each
 * sweep touches every page once, then the region is reserved afresh; that
 * one mmap is shared by the 512 faults of the sweep and included).
 *
 *  - fault-local: the SIGSEGV handler maps the page itself (mmap
 *    MAP_FIXED of the memfd) and returns; the access then completes (a
 *    minor fault fills the page table entry).
 *  - fault-stub-path: the stub's fault path without a guest: the handler
 *    (in the stub, which holds no fd) posts the fault in a context page
 *    and futex-wakes the VMM process; the VMM checks it and orders the
 *    page from the mapping agent (mapagent.h: request page, futex wake,
 *    agent mmaps, completion on its pipe); the VMM answers through the
 *    context page and wakes the stub, whose handler returns.
 *
 * Handlers run on a signal stack with every signal blocked, as the
 * stub's do.  All on one CPU. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness.h"
#include "mapagent.h"

enum { PAGES = 512 };
enum { RUNNING = 0, POSTED = 1, ANSWERED = 2 };
enum { EV_FAULT = 1, EV_DONE = 2 };

/* the context page between the stub and the VMM */
struct fctx {
	uint32_t state; /* futex */
	uint32_t reason;
	uint64_t cr2;
	int32_t result;
};

static int memfd;
static char *region;
static size_t next;
static struct fctx *ctx;

static void die_in_handler(const char *msg)
{
	if (write(2, msg, strlen(msg)) < 0)
		_exit(9);
	_exit(8);
}

static void on_segv_local(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	uintptr_t a = (uintptr_t)si->si_addr & ~(ISO_PAGE - 1);
	if (a < (uintptr_t)region || a >= (uintptr_t)region + PAGES * ISO_PAGE)
		die_in_handler("fault: SIGSEGV outside the region\n");
	if (mmap((void *)a, ISO_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, memfd,
		 (off_t)(a - (uintptr_t)region)) != (void *)a)
		die_in_handler("fault: the handler's mmap failed\n");
}

static void on_segv_stub(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	ctx->cr2 = (uint64_t)(uintptr_t)si->si_addr;
	ctx->reason = EV_FAULT;
	iso_store(&ctx->state, POSTED);
	iso_futex_wake(&ctx->state);
	uint32_t s;
	while ((s = iso_load(&ctx->state)) != ANSWERED)
		iso_futex_wait(&ctx->state, s);
	iso_store(&ctx->state, RUNNING);
	if (ctx->result)
		die_in_handler("fault: the VMM could not map the faulting page\n");
}

static int handler(void (*h)(int, siginfo_t *, void *))
{
	static char stack[64 * 1024];
	stack_t ss = {.ss_sp = stack, .ss_size = sizeof stack};
	struct sigaction sa = {.sa_sigaction = h, .sa_flags = SA_SIGINFO | SA_ONSTACK};
	sigfillset(&sa.sa_mask);
	return sigaltstack(&ss, NULL) || sigaction(SIGSEGV, &sa, NULL) ? -1 : 0;
}

/* touches the next page; after the last, reserves the region afresh */
static void op_touch(void *arg)
{
	(void)arg;
	(void)*(volatile char *)(region + next * ISO_PAGE);
	if (++next == PAGES) {
		next = 0;
		if (mmap(region, PAGES * ISO_PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE,
			 -1, 0) != region)
			die_in_handler("fault: reserving the region again failed\n");
	}
}

static void local_row(void)
{
	iso_begin("fault-local", "per fault: SIGSEGV on a PROT_NONE page, handler mmaps it from the memfd (MAP_FIXED), returns, access completes");
	int cpu = iso_cpu(0);
	if (cpu < 0 || iso_pin(cpu)) {
		iso_skip("pinning to one CPU: %s", strerror(errno));
		return;
	}
	pid_t p = iso_fork(); /* its own process: the handler stays there */
	if (p < 0) {
		iso_skip("fork: %s", strerror(errno));
		return;
	}
	if (p == 0) {
		if (handler(on_segv_local)) {
			iso_skip("the SIGSEGV handler: %s", strerror(errno));
			_exit(0);
		}
		next = 0;
		iso_row(iso_measure(op_touch, NULL));
		_exit(0);
	}
	char why[160];
	if (iso_reap(p, why, sizeof why))
		iso_skip("%s", why);
}

static int stub_main(void *arg)
{
	(void)arg;
	if (handler(on_segv_stub)) {
		iso_skip("the stub's SIGSEGV handler: %s", strerror(errno));
		ctx->reason = EV_DONE;
		iso_store(&ctx->state, POSTED);
		iso_futex_wake(&ctx->state);
		return 0;
	}
	next = 0;
	double ns = iso_measure(op_touch, NULL);
	ctx->reason = EV_DONE;
	iso_store(&ctx->state, POSTED);
	iso_futex_wake(&ctx->state);
	iso_row(ns);
	return 0;
}

static void stub_row(void)
{
	iso_begin("fault-stub-path",
		  "per fault: stub handler posts it, futex-wakes the VMM, VMM orders the agent (futex), agent mmaps, pipe to VMM, VMM wakes the stub");
	int cpu = iso_cpu(0);
	if (cpu < 0 || iso_pin(cpu)) {
		iso_skip("pinning to one CPU: %s", strerror(errno));
		return;
	}
	ctx = iso_shared_page();
	if (!ctx) {
		iso_skip("the context page: %s", strerror(errno));
		return;
	}
	struct ma m;
	if (ma_spawn(&m, memfd, stub_main, NULL)) {
		iso_skip("starting the stub and its agent: %s", strerror(errno));
		return;
	}
	int err = 0;
	for (;;) {
		uint32_t s;
		while ((s = iso_load(&ctx->state)) != POSTED)
			iso_futex_wait(&ctx->state, s);
		if (ctx->reason != EV_FAULT)
			break;
		/* the context page is the stub's to write: check what it says */
		uintptr_t a = (uintptr_t)ctx->cr2 & ~(ISO_PAGE - 1);
		if (a < (uintptr_t)region || a >= (uintptr_t)region + PAGES * ISO_PAGE)
			err = -EFAULT;
		else {
			m.req->ops[0] = (struct ma_op){MA_MAP, PROT_READ | PROT_WRITE, a, a - (uintptr_t)region, ISO_PAGE};
			err = ma_order(&m, 1);
		}
		ctx->result = err;
		iso_store(&ctx->state, ANSWERED);
		iso_futex_wake(&ctx->state);
		if (err)
			break;
	}
	char why[160];
	if (ma_finish(&m, why, sizeof why))
		iso_skip("%s", why);
	else if (err)
		iso_skip("mapping the stub's fault: %s", strerror(-err));
}

int main(int argc, char **argv)
{
	iso_init(argc, argv, "Page-fault delivery: handled in the faulting process, and the stub's whole path through the VMM and the agent.");
	memfd = iso_memfd(PAGES);
	region = iso_reserve(PAGES);
	if (memfd < 0 || !region) {
		iso_begin("fault-local", "");
		iso_skip("a memfd and address space for it: %s", strerror(errno));
		return 0;
	}
	local_row();
	stub_row();
	return 0;
}
