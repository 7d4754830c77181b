/* The handoff between two processes, as between the VMM and a ring-3 stub
 * at every ring-3 event: a futex through a MAP_SHARED page (previrt's
 * way: the poster stores a state word and wakes, the other answers the
 * same way), against a pipe (1 byte each way).  Each with both processes
 * pinned to one CPU (the VMM and its stubs run on one) and on two. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

enum { POSTED = 1, ANSWERED = 2, STOP = 3 };

static uint32_t *word;
static int req[2], ans[2];
static int op_errno; /* the first failure of a timed operation */

static void futex_serve(void)
{
	for (;;) {
		uint32_t s;
		while ((s = iso_load(word)) != POSTED && s != STOP)
			iso_futex_wait(word, s);
		if (s == STOP)
			_exit(0);
		iso_store(word, ANSWERED);
		iso_futex_wake(word);
	}
}

static void futex_op(void *arg)
{
	(void)arg;
	iso_store(word, POSTED);
	iso_futex_wake(word);
	uint32_t s;
	while ((s = iso_load(word)) != ANSWERED)
		iso_futex_wait(word, s);
}

static void futex_stop(void)
{
	iso_store(word, STOP);
	iso_futex_wake(word);
}

static void pipe_serve(void)
{
	char c;
	close(req[1]);
	close(ans[0]);
	for (;;) {
		ssize_t n = read(req[0], &c, 1);
		if (n == 0)
			_exit(0);
		if (n != 1 || write(ans[1], &c, 1) != 1)
			_exit(1);
	}
}

static void pipe_op(void *arg)
{
	(void)arg;
	char c = 'x';
	if ((write(req[1], &c, 1) != 1 || read(ans[0], &c, 1) != 1) && !op_errno)
		op_errno = errno ? errno : EIO;
}

static void pipe_stop(void)
{
	close(req[1]);
}

/* one row: this process times op() against serve() in a child, both on
 * CPU 0 of our set, or the child on CPU 1 */
static void pair(const char *name, const char *what, int cross, void (*serve)(void), void (*op)(void *),
		 void (*stop)(void))
{
	iso_begin(name, what);
	int a = iso_cpu(0), b = iso_cpu(cross ? 1 : 0);
	if (a < 0 || b < 0) {
		iso_skip("needs %d CPUs; this process may run on fewer", cross ? 2 : 1);
		return;
	}
	if (iso_pin(a)) {
		iso_skip("pinning to CPU %d: %s", a, strerror(errno));
		return;
	}
	pid_t p = iso_fork();
	if (p < 0) {
		iso_skip("fork: %s", strerror(errno));
		return;
	}
	if (p == 0) {
		if (iso_pin(b))
			_exit(4);
		serve();
	}
	double ns = iso_measure(op, NULL);
	stop();
	char why[160];
	if (iso_reap(p, why, sizeof why))
		iso_skip("%s", why);
	else if (op_errno)
		iso_skip("the round trip failed: %s", strerror(op_errno));
	else
		iso_row(ns);
}

int main(int argc, char **argv)
{
	iso_init(argc, argv, "Futex and pipe round trips between two processes.");
	const char *fw = "round trip: A stores POSTED in a MAP_SHARED page and futex-wakes B; B stores ANSWERED and wakes A";
	const char *pw = "round trip: A writes 1 byte to a pipe, B reads it and writes 1 byte back on another, A reads it";
	word = iso_shared_page();
	if (!word) {
		iso_begin("futex-same-cpu", fw);
		iso_skip("a shared page: %s", strerror(errno));
	} else {
		iso_store(word, 0);
		pair("futex-same-cpu", fw, 0, futex_serve, futex_op, futex_stop);
		iso_store(word, 0);
		pair("futex-cross-cpu", fw, 1, futex_serve, futex_op, futex_stop);
	}
	for (int cross = 0; cross < 2; cross++) {
		const char *name = cross ? "pipe-cross-cpu" : "pipe-same-cpu";
		if (pipe(req) || pipe(ans)) {
			iso_begin(name, pw);
			iso_skip("pipe: %s", strerror(errno));
			continue;
		}
		pair(name, pw, cross, pipe_serve, pipe_op, pipe_stop);
		close(req[0]);
		close(ans[0]);
		close(ans[1]);
	}
	return 0;
}
