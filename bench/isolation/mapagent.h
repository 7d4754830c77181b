/* The mapping agent, as planned for previrt's stubs (docs/security.md,
 * branch agent): a CLONE_VM task of the stub process that alone holds
 * guest RAM's memfd, takes its orders from a request page the stub (and
 * so ring 3) can only read, runs them, and reports each batch done on a
 * pipe only it holds.  Shared by agent.c (ordering cost) and fault.c (the
 * whole stub fault path). */
#ifndef BENCH_ISOLATION_MAPAGENT_H
#define BENCH_ISOLATION_MAPAGENT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum { MA_MAP = 1, MA_EXIT = 2 };
#define MA_MAXOPS 64

/* mmap(la, len, prot, MAP_SHARED|MAP_FIXED, memfd, pa) */
struct ma_op {
	uint32_t op, prot;
	uint64_t la, pa, len;
};

/* the request page: written by the VMM only */
struct ma_req {
	uint32_t seq;  /* futex: batch number, bumped by the VMM */
	uint32_t nops;
	struct ma_op ops[MA_MAXOPS];
};

/* the VMM's side */
struct ma {
	struct ma_req *req;
	int done;      /* the pipe's read end */
	uint32_t seq;
	pid_t stub;
};

/* Forks the stub: it starts the agent (with memfd and the pipe's write
 * end), closes both itself, makes the request page read-only, runs
 * stub_main(arg) if given, waits for the agent and exits with
 * stub_main's status (or 1 if the agent failed).  0, or -1 with errno. */
int ma_spawn(struct ma *m, int memfd, int (*stub_main)(void *), void *arg);
/* Orders the batch of nops operations already in m->req->ops and waits
 * for its completion: 0, or a negative errno (the first failed op's, or
 * -EIO if the agent is gone). */
int ma_order(struct ma *m, uint32_t nops);
/* Orders the agent's exit and reaps the stub: 0, or -1 with why. */
int ma_finish(struct ma *m, char *why, size_t n);

#endif
