/* The mapping agent's cost per batch (mapagent.h): the VMM writes a batch
 * of page mmaps (of guest RAM's memfd, MAP_SHARED|MAP_FIXED) into the
 * request page, futex-wakes the agent in the stub, and reads the
 * completion from the agent's pipe.  Batches of 1 and of 16 pages; all on
 * one CPU.  Each batch maps its pages over the previous batch's mappings
 * of other memfd pages, as a refill of the stub's soft TLB does. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "harness.h"
#include "mapagent.h"

static struct ma m;
static char *base;
static uint32_t batch, nr;
static int op_err;

static void op(void *arg)
{
	(void)arg;
	uint64_t half = (nr++ & 1) * batch;
	for (uint32_t i = 0; i < batch; i++)
		m.req->ops[i] = (struct ma_op){MA_MAP, PROT_READ | PROT_WRITE, (uint64_t)(uintptr_t)base + i * ISO_PAGE,
					       (half + i) * ISO_PAGE, ISO_PAGE};
	int r = ma_order(&m, batch);
	if (r && !op_err)
		op_err = r;
}

static void row(const char *name, const char *what, uint32_t n, int memfd)
{
	iso_begin(name, what);
	int cpu = iso_cpu(0);
	if (cpu < 0 || iso_pin(cpu)) {
		iso_skip("pinning to one CPU: %s", strerror(errno));
		return;
	}
	if (ma_spawn(&m, memfd, NULL, NULL)) {
		iso_skip("starting the stub and its agent: %s", strerror(errno));
		return;
	}
	batch = n;
	op_err = 0;
	double ns = iso_measure(op, NULL);
	char why[160];
	if (ma_finish(&m, why, sizeof why))
		iso_skip("%s", why);
	else if (op_err)
		iso_skip("the agent's mmap failed: %s", strerror(-op_err));
	else
		iso_row(ns);
}

int main(int argc, char **argv)
{
	iso_init(argc, argv, "The mapping agent: a batch of page mmaps ordered through a shared page, done on a pipe.");
	int memfd = iso_memfd(32);
	base = iso_reserve(16);
	if (memfd < 0 || !base) {
		iso_begin("agent-batch1", "");
		iso_skip("a memfd and address space for it: %s", strerror(errno));
		return 0;
	}
	row("agent-batch1",
	    "round trip per batch of 1: order in a shared page, futex-wake the CLONE_VM agent, it mmaps 1 page, writes the pipe, VMM reads it",
	    1, memfd);
	row("agent-batch16", "the same, batch of 16 page mmaps (one wake, one pipe message)", 16, memfd);
	return 0;
}
