#include "nethost.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "nethelper.h"

void nethelper_ready(int ready)
{
	if (write(ready, "", 1) != 1)
		_exit(1);
	close(ready);
}

void nethelper_check_parent(void)
{
	if (getppid() == 1)
		_exit(0);
}

struct netring_pair *nethost_start(const struct pv_config *cfg, char *err, size_t errsz)
{
	struct netring_pair *rings =
		mmap(NULL, sizeof *rings, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (rings == MAP_FAILED) {
		snprintf(err, errsz, "net: shared memory for the frame rings: %s", strerror(errno));
		return NULL;
	}
	int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (efd < 0 || dup2(efd, NETHOST_FD) < 0) {
		snprintf(err, errsz, "net: eventfd: %s", strerror(errno));
		return NULL;
	}
	if (efd != NETHOST_FD)
		close(efd);
	int ready[2];
	if (pipe(ready)) {
		snprintf(err, errsz, "net: pipe: %s", strerror(errno));
		return NULL;
	}
	fflush(NULL);
	pid_t parent = getpid();
	pid_t c = fork();
	if (c < 0) {
		snprintf(err, errsz, "net: fork of the helper: %s", strerror(errno));
		return NULL;
	}
	if (c == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(0);
		/* the console is the VMM's: no keystroke may go to the helper */
		int null = open("/dev/null", O_RDWR);
		if (null >= 0)
			dup2(null, 0);
		for (int fd = 3; fd < 4096; fd++)
			if (fd != NETHOST_FD && fd != ready[1])
				close(fd);
		if (cfg->net == PV_NET_TAP)
			nettap_main(cfg, rings, NETHOST_FD, ready[1]);
		netslirp_main(cfg, rings, NETHOST_FD, ready[1]);
	}
	close(ready[1]);
	char b;
	ssize_t n;
	while ((n = read(ready[0], &b, 1)) < 0 && errno == EINTR)
		;
	close(ready[0]);
	if (n != 1) {
		snprintf(err, errsz, "net: the helper did not start (its message is above)");
		return NULL;
	}
	return rings;
}

void nethost_kick(void)
{
	uint64_t one = 1;
	/* EAGAIN: the counter is full, the helper has plenty to wake for */
	if (write(NETHOST_FD, &one, sizeof one) < 0 && errno != EAGAIN)
		return;
}
