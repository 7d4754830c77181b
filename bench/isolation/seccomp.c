/* seccomp as a container of guest user code, two ways.
 *
 * User notification: a child whose mmap of guest RAM's memfd is
 * SECCOMP_RET_USER_NOTIF; this process (the supervisor) receives each
 * call, checks its arguments and answers SECCOMP_USER_NOTIF_FLAG_CONTINUE,
 * so the child's own mmap goes ahead.  Per mmap, timed in the child, both
 * on one CPU; once as the kernel wakes by default and once with
 * SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (Linux 6.6: the woken side runs on
 * the waker's CPU, made for this ping-pong).
 *
 * Filter cost: getppid in a child with no filter, with a 40-rule
 * libseccomp allow-list (by number only: the kernel's per-syscall action
 * cache, Linux 5.11, then skips the filter), with the same list whose
 * getppid rule checks an argument (the filter runs, as previrt's filters,
 * which check arguments and the instruction pointer, always do), and with
 * two stacked filters (previrt's guest trap, which reads the instruction
 * pointer, under the checked list). */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "harness.h"
#include "ipvmm/process/guesttrap.h"

/* Linux 6.6's uapi, newer than the headers Debian 12 ships */
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

enum { PAGES = 16 };
static int memfd, op_err;
static char *la;

/* getppid with %rdi = 0, the argument the checked rule compares */
static long getppid0(void)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "0"((long)SYS_getppid), "D"(0L) : "rcx", "r11", "memory");
	return r;
}

static pid_t parent;

static void op_getppid(void *arg)
{
	(void)arg;
	if (getppid0() != parent && !op_err)
		op_err = 1;
}

static void op_mmap(void *arg)
{
	(void)arg;
	if (mmap(la, ISO_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, memfd, 0) != la && !op_err)
		op_err = errno ? errno : EFAULT;
}

static int send_fd(int sock, int fd)
{
	char c = 'f', ctl[CMSG_SPACE(sizeof(int))] = {0};
	struct iovec io = {&c, 1};
	struct msghdr m = {.msg_iov = &io, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof ctl};
	struct cmsghdr *h = CMSG_FIRSTHDR(&m);
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(h), &fd, sizeof fd);
	return sendmsg(sock, &m, 0) == 1 ? 0 : -1;
}

/* the fd, or -1 with errno, or -2 with the child's message in why */
static int recv_fd(int sock, char *why, size_t n)
{
	char buf[200], ctl[CMSG_SPACE(sizeof(int))];
	struct iovec io = {buf, sizeof buf - 1};
	struct msghdr m = {.msg_iov = &io, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof ctl};
	ssize_t r = recvmsg(sock, &m, 0);
	if (r <= 0) {
		if (r == 0)
			errno = ECONNRESET;
		return -1;
	}
	struct cmsghdr *h = CMSG_FIRSTHDR(&m);
	if (!h || h->cmsg_type != SCM_RIGHTS) {
		buf[r] = 0;
		snprintf(why, n, "%s", buf);
		return -2;
	}
	int fd;
	memcpy(&fd, CMSG_DATA(h), sizeof fd);
	return fd;
}

/* the notified child: installs the filter, hands the listener over, times
 * its mmaps, ends with a zero-length mmap the supervisor knows as "done" */
static void notify_child(int sock)
{
	char msg[200];
	scmp_filter_ctx c = seccomp_init(SCMP_ACT_ALLOW);
	int e = c ? seccomp_rule_add(c, SCMP_ACT_NOTIFY, SCMP_SYS(mmap), 1, SCMP_A4(SCMP_CMP_EQ, (scmp_datum_t)memfd))
		  : -ENOMEM;
	if (!e)
		e = seccomp_load(c);
	int nfd = e ? -1 : seccomp_notify_fd(c);
	if (e || nfd < 0) {
		snprintf(msg, sizeof msg, "seccomp user notification refused: %s",
			 strerror(e ? -e : nfd < 0 ? -nfd : 0));
		if (write(sock, msg, strlen(msg)) < 0)
			_exit(1);
		_exit(0);
	}
	if (send_fd(sock, nfd))
		_exit(1);
	close(nfd);
	char go;
	if (read(sock, &go, 1) != 1)
		_exit(1);
	op_err = 0;
	double ns = iso_measure(op_mmap, NULL);
	int err = op_err;
	mmap(NULL, 0, PROT_READ, MAP_SHARED | MAP_FIXED, memfd, 0);
	if (err)
		iso_skip("the notified mmap failed: %s", strerror(err));
	else
		iso_row(ns);
	_exit(0);
}

/* the supervisor's check: only this call, on this fd, into the stub's
 * range, of a page of guest RAM -- all of them registers, so the kernel's
 * copy the supervisor reads is what runs after CONTINUE */
static int allowed(const struct seccomp_data *d)
{
	uintptr_t a = (uintptr_t)d->args[0];
	return d->nr == SYS_mmap && d->arch == AUDIT_ARCH_X86_64 && d->args[4] == (uint64_t)memfd &&
	       d->args[3] == (MAP_SHARED | MAP_FIXED) && d->args[1] == ISO_PAGE &&
	       !(d->args[2] & ~(uint64_t)(PROT_READ | PROT_WRITE)) && a >= (uintptr_t)la &&
	       a < (uintptr_t)la + PAGES * ISO_PAGE && !(a & (ISO_PAGE - 1)) && d->args[5] < PAGES * ISO_PAGE &&
	       !(d->args[5] & (ISO_PAGE - 1));
}

static void notify_row(const char *name, const char *what, int sync)
{
	iso_begin(name, what);
	int cpu = iso_cpu(0), sv[2];
	if (cpu < 0 || iso_pin(cpu)) {
		iso_skip("pinning to one CPU: %s", strerror(errno));
		return;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv)) {
		iso_skip("socketpair: %s", strerror(errno));
		return;
	}
	pid_t p = iso_fork();
	if (p < 0) {
		iso_skip("fork: %s", strerror(errno));
		return;
	}
	if (p == 0) {
		close(sv[0]);
		notify_child(sv[1]);
	}
	close(sv[1]);
	char why[200];
	int nfd = recv_fd(sv[0], why, sizeof why);
	if (nfd < 0) {
		if (nfd == -1)
			snprintf(why, sizeof why, "the listener fd from the child: %s", strerror(errno));
		char w2[160];
		iso_reap(p, w2, sizeof w2);
		iso_skip("%s", why);
		close(sv[0]);
		return;
	}
	if (sync && ioctl(nfd, SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP, 0)) {
		iso_skip("SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP refused (Linux 6.6 or later): %s", strerror(errno));
		close(nfd);
		close(sv[0]); /* the child's read fails: it exits */
		iso_reap(p, why, sizeof why);
		return;
	}
	if (write(sv[0], "g", 1) != 1) {
		iso_skip("starting the child: %s", strerror(errno));
		close(nfd);
		close(sv[0]);
		iso_reap(p, why, sizeof why);
		return;
	}
	const char *fail = NULL;
	int refused = 0;
	for (;;) {
		struct seccomp_notif req;
		struct seccomp_notif_resp resp;
		memset(&req, 0, sizeof req);
		if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_RECV, &req)) {
			if (errno == EINTR)
				continue;
			fail = "SECCOMP_IOCTL_NOTIF_RECV";
			break;
		}
		memset(&resp, 0, sizeof resp);
		resp.id = req.id;
		int done = req.data.args[1] == 0;
		if (allowed(&req.data))
			resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		else {
			resp.error = done ? -ECANCELED : -EPERM;
			refused += !done;
		}
		if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_SEND, &resp) && errno != ENOENT) {
			fail = "SECCOMP_IOCTL_NOTIF_SEND";
			break;
		}
		if (done)
			break;
	}
	int err = errno;
	close(nfd);
	close(sv[0]);
	/* the child printed its row (or skip) itself */
	if (iso_reap(p, why, sizeof why))
		iso_skip("%s", why);
	else if (fail)
		iso_skip("%s: %s", fail, strerror(err));
	else if (refused)
		iso_skip("the supervisor refused %d calls its check should allow", refused);
}

/* the 40 calls of the allow-list (getppid among them) */
static const char *const allow40[] = {
	"read", "write", "close", "fstat", "newfstatat", "lseek", "mmap", "mprotect", "munmap", "brk",
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "ioctl", "pread64", "pwrite64", "readv", "writev",
	"poll", "ppoll", "getppid", "sched_yield", "mremap", "madvise", "dup", "dup3", "nanosleep",
	"clock_nanosleep", "clock_gettime", "getpid", "gettid", "exit", "exit_group", "futex", "sendmsg",
	"recvmsg", "modify_ldt", "setitimer", "tgkill", "wait4",
};

static int load_allow40(int checked)
{
	_Static_assert(sizeof allow40 / sizeof allow40[0] == 40, "the allow-list has 40 rules");
	scmp_filter_ctx c = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	if (!c)
		return -ENOMEM;
	int e = 0;
	for (size_t i = 0; i < 40 && !e; i++) {
		int nr = seccomp_syscall_resolve_name(allow40[i]);
		if (nr == __NR_SCMP_ERROR)
			e = -EINVAL;
		else if (checked && nr == SYS_getppid)
			e = seccomp_rule_add(c, SCMP_ACT_ALLOW, nr, 1, SCMP_A0(SCMP_CMP_EQ, 0));
		else
			e = seccomp_rule_add(c, SCMP_ACT_ALLOW, nr, 0);
	}
	if (!e)
		e = seccomp_load(c);
	seccomp_release(c);
	return e;
}

/* previrt's own guest trap: calls from the low 4 GiB or another
 * architecture trap; this program runs above */
static int load_guest_trap(void)
{
	return guest_trap_load() ? -errno : 0;
}

enum { NONE, ALLOW40, CHECKED40, STACKED };

static void cost_row(const char *name, const char *what, int kind)
{
	iso_begin(name, what);
	int cpu = iso_cpu(0);
	if (cpu < 0 || iso_pin(cpu)) {
		iso_skip("pinning to one CPU: %s", strerror(errno));
		return;
	}
	parent = getpid();
	pid_t p = iso_fork();
	if (p < 0) {
		iso_skip("fork: %s", strerror(errno));
		return;
	}
	if (p == 0) {
		int e = 0;
		if (kind == STACKED)
			e = load_guest_trap();
		if (!e && kind != NONE)
			e = load_allow40(kind != ALLOW40);
		if (e) {
			iso_skip("loading the filter: %s", strerror(-e));
			_exit(0);
		}
		op_err = 0;
		double ns = iso_measure(op_getppid, NULL);
		if (op_err)
			iso_skip("getppid under the filter did not return the parent's pid");
		else
			iso_row(ns);
		_exit(0);
	}
	char why[160];
	if (iso_reap(p, why, sizeof why))
		iso_skip("%s", why);
}

int main(int argc, char **argv)
{
	iso_init(argc, argv, "seccomp user notification per mmap, and the cost of filters on an allowed call.");
	memfd = iso_memfd(PAGES);
	la = iso_reserve(PAGES);
	const char *nw = "per mmap of 1 memfd page (MAP_FIXED) in the child: RECV, argument check, CONTINUE, the mmap itself";
	if (memfd < 0 || !la) {
		iso_begin("seccomp-notify-mmap", nw);
		iso_skip("a memfd and address space for it: %s", strerror(errno));
	} else {
		notify_row("seccomp-notify-mmap", nw, 0);
		notify_row("seccomp-notify-mmap-sync", "the same, listener set to SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP", 1);
	}
	cost_row("getppid-no-filter", "one getppid system call, no seccomp filter", NONE);
	cost_row("getppid-allow40", "getppid under a 40-rule libseccomp allow-list by number (the kernel's action cache skips it)",
		 ALLOW40);
	cost_row("getppid-allow40-checked", "getppid under the 40-rule list, its getppid rule checking an argument (the filter runs)",
		 CHECKED40);
	cost_row("getppid-2-stacked", "getppid under 2 stacked filters: previrt's guest trap (reads the IP) and the checked list",
		 STACKED);
	return 0;
}
