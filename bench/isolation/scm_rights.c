/* Guest RAM's fd passed per batch of mappings, as previrt's stubs take it
 * today: the VMM sends the memfd over a SOCK_SEQPACKET socketpair
 * (SCM_RIGHTS); the stub receives it, maps one page MAP_SHARED|MAP_FIXED,
 * closes it and acknowledges.  Both processes on one CPU.  A second row
 * makes the same round trip without the fd and the mapping: what passing
 * and mapping add to the message itself. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"

static int sv[2], memfd, op_errno;
static char *la;

/* the stub: 'm' carries the fd, 'n' nothing, anything else ends it */
static void serve(void)
{
	close(sv[0]);
	close(memfd);
	for (;;) {
		char c, ctl[CMSG_SPACE(sizeof(int))];
		struct iovec io = {&c, 1};
		struct msghdr m = {.msg_iov = &io, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof ctl};
		if (recvmsg(sv[1], &m, MSG_CMSG_CLOEXEC) != 1)
			_exit(1);
		if (c == 'm') {
			struct cmsghdr *h = CMSG_FIRSTHDR(&m);
			if (!h || h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS) {
				fprintf(stderr, "scm_rights: a message without its fd\n");
				_exit(1);
			}
			int fd;
			memcpy(&fd, CMSG_DATA(h), sizeof fd);
			if (mmap(la, ISO_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) != la) {
				fprintf(stderr, "scm_rights: mmap of the passed fd: %s\n", strerror(errno));
				_exit(1);
			}
			close(fd);
		} else if (c != 'n')
			_exit(0);
		if (write(sv[1], &c, 1) != 1)
			_exit(1);
	}
}

static void send_one(char c, int with_fd)
{
	char ctl[CMSG_SPACE(sizeof(int))] = {0};
	struct iovec io = {&c, 1};
	struct msghdr m = {.msg_iov = &io, .msg_iovlen = 1};
	if (with_fd) {
		m.msg_control = ctl;
		m.msg_controllen = sizeof ctl;
		struct cmsghdr *h = CMSG_FIRSTHDR(&m);
		h->cmsg_level = SOL_SOCKET;
		h->cmsg_type = SCM_RIGHTS;
		h->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(h), &memfd, sizeof memfd);
	}
	if ((sendmsg(sv[0], &m, 0) != 1 || read(sv[0], &c, 1) != 1) && !op_errno)
		op_errno = errno ? errno : EIO;
}

static void op_fd(void *arg)
{
	(void)arg;
	send_one('m', 1);
}

static void op_plain(void *arg)
{
	(void)arg;
	send_one('n', 0);
}

static void row(const char *name, const char *what, void (*op)(void *))
{
	iso_begin(name, what);
	int cpu = iso_cpu(0);
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
	if (p == 0)
		serve();
	close(sv[1]);
	op_errno = 0;
	double ns = iso_measure(op, NULL);
	int err = op_errno;
	send_one('q', 0); /* unanswered: the stub exits */
	close(sv[0]);
	char why[160];
	if (iso_reap(p, why, sizeof why))
		iso_skip("%s", why);
	else if (err)
		iso_skip("the round trip failed: %s", strerror(err));
	else
		iso_row(ns);
}

int main(int argc, char **argv)
{
	iso_init(argc, argv, "Guest RAM's fd passed by SCM_RIGHTS, mapped and closed per round trip.");
	const char *what = "round trip: send the memfd (SCM_RIGHTS), receiver mmaps 1 page MAP_SHARED|MAP_FIXED, closes it, acks 1 byte";
	memfd = iso_memfd(16);
	la = iso_reserve(16);
	if (memfd < 0 || !la) {
		iso_begin("scm-rights-map", what);
		iso_skip("a memfd and address space for it: %s", strerror(errno));
		return 0;
	}
	row("scm-rights-map", what, op_fd);
	row("socket-round-trip", "round trip: 1 byte over the same socketpair and 1 byte back, no fd, no mapping (baseline)",
	    op_plain);
	return 0;
}
