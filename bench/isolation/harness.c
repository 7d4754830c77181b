/* bench/isolation: the shared harness (harness.h). */
#include "harness.h"

#include <errno.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int quick;
static const char *row_name = "?", *row_what = "";
/* the watchdog's line, formatted before it can be needed (the handler may
 * only write) */
static char alarm_line[512];
static size_t alarm_len;
/* the CPUs we were started on, before any row pinned us */
static cpu_set_t cpus;

void iso_init(int argc, char **argv, const char *usage)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0)
			quick = 1;
		else {
			fprintf(stderr, "usage: %s [--quick]\n%s\n", argv[0], usage);
			exit(strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0 ? 0 : 2);
		}
	}
	if (sched_getaffinity(0, sizeof cpus, &cpus))
		CPU_ZERO(&cpus);
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* a write to a dead partner fails with EPIPE and is reported as a row */
	signal(SIGPIPE, SIG_IGN);
}

uint64_t iso_now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double iso_measure(void (*op)(void *), void *arg)
{
	const uint64_t warm = quick ? 2000000 : 30000000, chunk = quick ? 1000000 : 15000000;
	enum { CHUNKS_MAX = 15 };
	const int chunks = quick ? 5 : CHUNKS_MAX;
	uint64_t n = 0, t0 = iso_now_ns(), t;
	do {
		op(arg);
		n++;
	} while ((t = iso_now_ns()) - t0 < warm);
	uint64_t per = chunk / ((t - t0) / n + 1);
	if (per == 0)
		per = 1;
	double v[CHUNKS_MAX];
	for (int c = 0; c < chunks; c++) {
		t0 = iso_now_ns();
		for (uint64_t i = 0; i < per; i++)
			op(arg);
		v[c] = (double)(iso_now_ns() - t0) / (double)per;
	}
	qsort(v, (size_t)chunks, sizeof v[0], cmp_double);
	return v[chunks / 2];
}

static void on_alarm(int sig)
{
	(void)sig;
	if (write(1, alarm_line, alarm_len) < 0)
		_exit(3);
	_exit(1);
}

void iso_begin(const char *name, const char *what)
{
	row_name = name;
	row_what = what;
	int n = snprintf(alarm_line, sizeof alarm_line, "skip\t%s\ttimed out (no answer for %d s)\t%s\n",
			 name, quick ? 10 : 20, what);
	alarm_len = n > 0 && (size_t)n < sizeof alarm_line ? (size_t)n : 0;
	signal(SIGALRM, on_alarm);
	alarm(quick ? 10 : 20);
}

void iso_row(double ns)
{
	alarm(0);
	printf("row\t%s\t%.3f\t%s\n", row_name, ns / 1000.0, row_what);
}

void iso_skip(const char *fmt, ...)
{
	alarm(0);
	char why[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	for (char *p = why; *p; p++)
		if (*p == '\t' || *p == '\n')
			*p = ' ';
	printf("skip\t%s\t%s\t%s\n", row_name, why, row_what);
}

int iso_cpu(int i)
{
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &cpus) && i-- == 0)
			return c;
	return -1;
}

int iso_pin(int c)
{
	cpu_set_t s;
	CPU_ZERO(&s);
	CPU_SET(c, &s);
	return sched_setaffinity(0, sizeof s, &s);
}

int iso_memfd(size_t pages)
{
	int fd = memfd_create("iso-guest-ram", MFD_CLOEXEC);
	if (fd < 0)
		return -1;
	if (ftruncate(fd, (off_t)(pages * ISO_PAGE))) {
		close(fd);
		return -1;
	}
	char *p = mmap(NULL, pages * ISO_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		close(fd);
		return -1;
	}
	for (size_t i = 0; i < pages; i++)
		p[i * ISO_PAGE] = 1;
	munmap(p, pages * ISO_PAGE);
	return fd;
}

void *iso_reserve(size_t pages)
{
	void *p = mmap(NULL, pages * ISO_PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

void *iso_reserve_fd(int fd, size_t pages)
{
	void *p = mmap(NULL, pages * ISO_PAGE, PROT_NONE, MAP_SHARED, fd, 0);
	return p == MAP_FAILED ? NULL : p;
}

void iso_futex_wait(uint32_t *w, uint32_t val)
{
	struct timespec ts = {1, 0};
	syscall(SYS_futex, w, FUTEX_WAIT, val, &ts, NULL, 0);
}

void iso_futex_wake(uint32_t *w)
{
	syscall(SYS_futex, w, FUTEX_WAKE, 1, NULL, NULL, 0);
}

void *iso_shared_page(void)
{
	void *p = mmap(NULL, ISO_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

pid_t iso_fork(void)
{
	fflush(stdout);
	pid_t parent = getpid(), p = fork();
	if (p == 0) {
		alarm(0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
	}
	return p;
}

int iso_reap(pid_t pid, char *buf, size_t n)
{
	int st;
	if (waitpid(pid, &st, __WALL) != pid) {
		snprintf(buf, n, "waitpid: %s", strerror(errno));
		return -1;
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (WIFEXITED(st))
		snprintf(buf, n, "the other process exited with status %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(buf, n, "the other process was killed by signal %d (%s)", WTERMSIG(st), strsignal(WTERMSIG(st)));
	else
		snprintf(buf, n, "the other process ended with wait status 0x%x", st);
	return -1;
}
