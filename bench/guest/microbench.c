/*
 * In-guest microbenchmark: the costs a hypervisor changes, measured from
 * user space inside the guest.  Built static for each guest arch and run
 * from the initramfs by bench/raw-hardware.sh (and later on other
 * back-ends).  Prints one line per row:
 *     bench: NAME MICROSECONDS_PER_OP ops=N
 * Timing uses CLOCK_MONOTONIC over loops of at least a few hundred ms, so
 * the guest clock's tick resolution does not matter.
 *
 *   microbench [ROW...]     (default: all rows; "quick" divides the counts by 20)
 *
 * fork_exec runs /bin/true, or the program named by $MICROBENCH_EXEC (the
 * host-native runs point it at the same static busybox the guests exec).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long scale = 1;

static double now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static void die(const char *what)
{
	fprintf(stderr, "microbench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void report(const char *name, double us, long ops)
{
	printf("bench: %s %.3f ops=%ld\n", name, us / (double)ops, ops);
	fflush(stdout);
}

static void null_syscall(void)
{
	long n = 200000 / scale;
	double t0 = now_us();
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	report("null_syscall", now_us() - t0, n);
}

static void fork_exit(void)
{
	long n = 2000 / scale;
	double t0 = now_us();
	for (long i = 0; i < n; i++) {
		pid_t p = fork();
		if (p < 0)
			die("fork");
		if (p == 0)
			_exit(0);
		if (waitpid(p, NULL, 0) < 0)
			die("waitpid");
	}
	report("fork_exit", now_us() - t0, n);
}

static void fork_exec(void)
{
	long n = 400 / scale;
	const char *exe = getenv("MICROBENCH_EXEC");
	if (!exe || !*exe)
		exe = "/bin/true";
	double t0 = now_us();
	for (long i = 0; i < n; i++) {
		pid_t p = fork();
		if (p < 0)
			die("fork");
		if (p == 0) {
			execl(exe, "true", (char *)NULL);
			_exit(127);
		}
		int st;
		if (waitpid(p, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			die("exec /bin/true");
	}
	report("fork_exec", now_us() - t0, n);
}

/* Two processes bounce one byte through two pipes. */
static void pipe_roundtrip(void)
{
	long n = 20000 / scale;
	int a[2], b[2];
	char c = 0;
	if (pipe(a) || pipe(b))
		die("pipe");
	pid_t p = fork();
	if (p < 0)
		die("fork");
	if (p == 0) {
		close(a[1]); /* else our own write end keeps the read below from ending */
		close(b[0]);
		for (;;) {
			if (read(a[0], &c, 1) != 1)
				_exit(0);
			if (write(b[1], &c, 1) != 1)
				_exit(1);
		}
	}
	close(a[0]);
	close(b[1]);
	double t0 = now_us();
	for (long i = 0; i < n; i++)
		if (write(a[1], &c, 1) != 1 || read(b[0], &c, 1) != 1)
			die("pipe round trip");
	double t = now_us() - t0;
	close(a[1]);
	waitpid(p, NULL, 0);
	close(b[0]);
	report("pipe_roundtrip", t, n);
}

/* First touch of fresh anonymous memory, one fault per 4 KiB page. */
static void page_fault(void)
{
	const long pages = 4096, page = 4096;
	long rounds = 8 / scale ? 8 / scale : 1;
	double t = 0;
	for (long r = 0; r < rounds; r++) {
		char *m = mmap(NULL, (size_t)(pages * page), PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			die("mmap");
		double t0 = now_us();
		for (long i = 0; i < pages; i++)
			m[i * page] = 1;
		t += now_us() - t0;
		munmap(m, (size_t)(pages * page));
	}
	report("page_fault", t, pages * rounds);
}

/* Two runnable processes yielding to each other on one CPU. */
static void context_switch(void)
{
	long n = 20000 / scale;
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	sched_setaffinity(0, sizeof one, &one);
	pid_t p = fork();
	if (p < 0)
		die("fork");
	if (p == 0) {
		for (long i = 0; i < n; i++)
			sched_yield();
		_exit(0);
	}
	double t0 = now_us();
	for (long i = 0; i < n; i++)
		sched_yield();
	waitpid(p, NULL, 0);
	report("context_switch", now_us() - t0, 2 * n);
}

static const struct {
	const char *name;
	void (*fn)(void);
} rows[] = {
	{"null_syscall", null_syscall}, {"fork_exit", fork_exit},
	{"fork_exec", fork_exec},       {"pipe_roundtrip", pipe_roundtrip},
	{"page_fault", page_fault},     {"context_switch", context_switch},
};

int main(int argc, char **argv)
{
	int picked = 0;
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "quick") == 0)
			scale = 20;
	for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
		int want = 1, named = 0;
		for (int i = 1; i < argc; i++) {
			if (strcmp(argv[i], "quick") == 0)
				continue;
			named = 1;
			want = strcmp(argv[i], rows[r].name) == 0;
			if (want)
				break;
		}
		if (named && !want)
			continue;
		rows[r].fn();
		picked++;
	}
	if (!picked) {
		fprintf(stderr, "microbench: no such row\n");
		return 2;
	}
	return 0;
}
