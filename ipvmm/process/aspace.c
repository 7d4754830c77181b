#include "aspace.h"

#include <errno.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct as_slot {
	uint32_t cr3;   /* the guest address space this process's mappings are for */
	int32_t pid;
	uint64_t used;  /* when it last became active (S->clock) */
	int32_t run;    /* futex: 1 while this process is the active one */
};

struct as_shared {
	int32_t exited; /* futex: the run is over, with status */
	int32_t status;
	unsigned n;     /* processes so far */
	unsigned active;
	uint64_t clock;
	struct as_slot slot[AS_MAX];
};

static struct as_shared *S;
static unsigned max_procs = 1, me;
static const struct as_hooks *hooks;

static long futex(int32_t *w, int op, int32_t val, const struct timespec *t)
{
	return syscall(SYS_futex, w, op, val, t, NULL, 0);
}

static int32_t load(int32_t *w)
{
	return __atomic_load_n(w, __ATOMIC_SEQ_CST);
}

static void store(int32_t *w, int32_t v)
{
	__atomic_store_n(w, v, __ATOMIC_SEQ_CST);
}

void *as_shared_alloc(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

int as_init(unsigned n, const struct as_hooks *h, char *err, size_t errsz)
{
	if (n < 1 || n > AS_MAX) {
		snprintf(err, errsz, "host processes: 1..%d, not %u", AS_MAX, n);
		return -1;
	}
	max_procs = n;
	hooks = h;
	if (n == 1)
		return 0;
	S = as_shared_alloc(sizeof *S);
	if (!S) {
		snprintf(err, errsz, "shared memory for the address-space processes: %s", strerror(errno));
		return -1;
	}
	return 0;
}

unsigned as_max(void)
{
	return max_procs;
}

unsigned as_self(void)
{
	return me;
}

/* A VMM process dies with its parent (the supervisor, or the process that
 * forked it, which dies with its own parent): nothing outlives the run. */
static void die_with_parent(pid_t parent)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		_exit(70);
}

static void supervisor(pid_t child)
{
	hooks->going_idle();
	for (;;) {
		struct timespec t = {1, 0};
		futex(&S->exited, FUTEX_WAIT, 0, &t);
		if (load(&S->exited))
			break;
		int st;
		if (waitpid(child, &st, WNOHANG) == child && !load(&S->exited)) {
			fprintf(stderr, "previrt: internal error: the VMM process ended (%s %d) without ending the run\n",
				WIFSIGNALED(st) ? "signal" : "status", WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
			S->status = 70;
			break;
		}
	}
	for (unsigned i = 0; i < S->n && i < AS_MAX; i++)
		if (S->slot[i].pid > 0)
			kill(S->slot[i].pid, SIGKILL);
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	hooks->exit_all(S->status);
	_exit(S->status);
}

int as_supervise(uint32_t cr3)
{
	if (max_procs == 1)
		return 0;
	pid_t parent = getpid(), c = fork();
	if (c < 0)
		return -1;
	if (c > 0)
		supervisor(c);
	die_with_parent(parent);
	/* Handing the virtual CPU to a process on the same host CPU costs
	 * ~2 us here, to one on another CPU ~16 us (DESIGN.md section 5): the
	 * VMM processes share one CPU, as the one virtual CPU does anyway. */
	int cpu = sched_getcpu();
	if (cpu >= 0) {
		cpu_set_t one;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		sched_setaffinity(0, sizeof one, &one);
	}
	me = 0;
	S->n = 1;
	S->active = 0;
	S->slot[0] = (struct as_slot){.cr3 = cr3, .pid = getpid(), .used = ++S->clock, .run = 1};
	return 0;
}

_Noreturn void as_exit(int status)
{
	if (max_procs == 1)
		_exit(status);
	S->status = status;
	store(&S->exited, 1);
	futex(&S->exited, FUTEX_WAKE, 1, NULL);
	for (;;)
		pause(); /* the supervisor ends every VMM process */
}

/* Sleeps until another process makes this one active again. */
static void wait_turn(void)
{
	hooks->going_idle();
	while (!load(&S->slot[me].run)) {
		struct timespec t = {1, 0};
		futex(&S->slot[me].run, FUTEX_WAIT, 0, &t);
		if (load(&S->exited))
			for (;;)
				pause();
		unsigned a = __atomic_load_n(&S->active, __ATOMIC_SEQ_CST);
		if (!load(&S->slot[me].run) && a < AS_MAX && kill(S->slot[a].pid, 0) && errno == ESRCH) {
			fprintf(stderr, "previrt: internal error: the active VMM process %d is gone\n",
				(int)S->slot[a].pid);
			as_exit(70);
		}
	}
	hooks->became_active();
}

static void hand_to(unsigned i)
{
	S->slot[i].used = ++S->clock;
	__atomic_store_n(&S->active, i, __ATOMIC_SEQ_CST);
	store(&S->slot[me].run, 0);
	store(&S->slot[i].run, 1);
	futex(&S->slot[i].run, FUTEX_WAKE, 1, NULL);
	wait_turn();
}

int as_switch_to(uint32_t cr3)
{
	if (max_procs == 1 || S->slot[me].cr3 == cr3)
		return 0;
	if (S->slot[me].cr3 == 0) { /* the boot's first tables: no one's yet */
		S->slot[me].cr3 = cr3;
		return 0;
	}
	for (unsigned i = 0; i < S->n; i++)
		if (i != me && S->slot[i].cr3 == cr3) {
			hand_to(i);
			return 2;
		}
	if (S->n < max_procs) {
		/* a new process for it, starting from a copy of this one's mappings */
		unsigned i = S->n;
		pid_t parent = getpid();
		S->slot[i] = (struct as_slot){.cr3 = cr3, .used = ++S->clock, .run = 1};
		__atomic_store_n(&S->active, i, __ATOMIC_SEQ_CST);
		store(&S->slot[me].run, 0);
		S->n = i + 1;
		pid_t c = fork();
		if (c == 0) {
			die_with_parent(parent);
			me = i;
			S->slot[i].pid = getpid();
			return 1;
		}
		if (c > 0) {
			S->slot[i].pid = c;
			wait_turn();
			return 2;
		}
		S->n = i; /* no new process: take one over */
		__atomic_store_n(&S->active, me, __ATOMIC_SEQ_CST);
		store(&S->slot[me].run, 1);
	}
	unsigned lru = me;
	for (unsigned i = 0; i < S->n; i++)
		if (i != me && (lru == me || S->slot[i].used < S->slot[lru].used))
			lru = i;
	S->slot[lru].cr3 = cr3;
	if (lru == me)
		return 0;
	hand_to(lru);
	return 2;
}
