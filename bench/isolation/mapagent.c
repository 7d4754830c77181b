/* bench/isolation: the mapping agent (mapagent.h). */
#include "mapagent.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

struct done_msg {
	uint32_t seq;
	int32_t err;
};

struct agent_arg {
	struct ma_req *req;
	int memfd, done_wr, done_rd;
};

/* The agent shares the stub's address space and TLS (no CLONE_SETTLS):
 * it uses only system-call wrappers, whose errno is the stub's too. */
static int agent_main(void *p)
{
	struct agent_arg g = *(struct agent_arg *)p;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	close(g.done_rd);
	uint32_t seen = 0;
	for (;;) {
		uint32_t s;
		while ((s = iso_load(&g.req->seq)) == seen)
			iso_futex_wait(&g.req->seq, seen);
		seen = s;
		struct done_msg d = {s, 0};
		uint32_t n = g.req->nops;
		if (n > MA_MAXOPS)
			d.err = -E2BIG;
		for (uint32_t i = 0; i < n && !d.err; i++) {
			struct ma_op o = g.req->ops[i];
			if (o.op == MA_EXIT)
				_exit(0);
			if (o.op != MA_MAP) {
				d.err = -EINVAL;
				break;
			}
			long r = syscall(SYS_mmap, o.la, o.len, o.prot, MAP_SHARED | MAP_FIXED, g.memfd, o.pa);
			if (r != (long)o.la)
				d.err = r < 0 ? -errno : -EFAULT;
		}
		if (write(g.done_wr, &d, sizeof d) != sizeof d)
			_exit(1);
	}
}

int ma_spawn(struct ma *m, int memfd, int (*stub_main)(void *), void *arg)
{
	int pfd[2];
	m->req = iso_shared_page();
	if (!m->req || pipe(pfd))
		return -1;
	memset(m->req, 0, sizeof *m->req);
	m->seq = 0;
	m->done = pfd[0];
	m->stub = iso_fork();
	if (m->stub < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (m->stub > 0) {
		close(pfd[1]);
		return 0;
	}
	enum { STACK = 64 * 1024 };
	char *stack = mmap(NULL, STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (stack == MAP_FAILED) {
		fprintf(stderr, "mapagent: the agent's stack: %s\n", strerror(errno));
		_exit(1);
	}
	struct agent_arg g = {m->req, memfd, pfd[1], pfd[0]};
	pid_t a = clone(agent_main, stack + STACK, CLONE_VM | SIGCHLD, &g);
	if (a < 0) {
		fprintf(stderr, "mapagent: clone(CLONE_VM): %s\n", strerror(errno));
		_exit(1);
	}
	/* the stub keeps neither guest RAM nor the agent's report, and may
	 * only read the orders */
	close(memfd);
	close(pfd[0]);
	close(pfd[1]);
	if (mprotect(m->req, ISO_PAGE, PROT_READ)) {
		fprintf(stderr, "mapagent: mprotect of the request page: %s\n", strerror(errno));
		_exit(1);
	}
	int st = stub_main ? stub_main(arg) : 0, ast = 0;
	if (waitpid(a, &ast, __WALL) != a || !WIFEXITED(ast) || WEXITSTATUS(ast) != 0) {
		fprintf(stderr, "mapagent: the agent failed (wait status 0x%x)\n", ast);
		_exit(1);
	}
	_exit(st);
}

int ma_order(struct ma *m, uint32_t nops)
{
	m->req->nops = nops;
	iso_store(&m->req->seq, ++m->seq);
	iso_futex_wake(&m->req->seq);
	struct done_msg d;
	if (read(m->done, &d, sizeof d) != sizeof d || d.seq != m->seq)
		return -EIO;
	return d.err;
}

int ma_finish(struct ma *m, char *why, size_t n)
{
	m->req->ops[0].op = MA_EXIT;
	m->req->nops = 1;
	iso_store(&m->req->seq, ++m->seq);
	iso_futex_wake(&m->req->seq);
	close(m->done);
	int r = iso_reap(m->stub, why, n);
	munmap(m->req, ISO_PAGE);
	return r;
}
