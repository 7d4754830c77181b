/* Namespaces, an empty root, rlimits and capabilities around the VMM
 * (jail.h).  Each step is taken where the host allows it and recorded where
 * it does not (no user namespaces for unprivileged users, a chroot without
 * a mount point): the run goes on, and says what it got. */
#include "jail.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "console.h"
#include "nethost.h"

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* Inside a new user namespace: the same uid and gid as outside, so that
 * files already open keep working and messages name the same user. */
static int map_ids(uid_t uid, gid_t gid)
{
	char buf[64];
	if (write_file("/proc/self/setgroups", "deny") && errno != ENOENT)
		return -1;
	snprintf(buf, sizeof buf, "%u %u 1\n", (unsigned)uid, (unsigned)uid);
	if (write_file("/proc/self/uid_map", buf))
		return -1;
	snprintf(buf, sizeof buf, "%u %u 1\n", (unsigned)gid, (unsigned)gid);
	return write_file("/proc/self/gid_map", buf);
}

static unsigned unshare_all(uid_t uid, gid_t gid, unsigned *refused)
{
	static const struct {
		int flag;
		unsigned bit;
	} ns[] = {{CLONE_NEWNS, JAIL_MOUNT}, {CLONE_NEWPID, JAIL_PID}, {CLONE_NEWNET, JAIL_NET},
		  {CLONE_NEWIPC, JAIL_IPC}};
	unsigned taken = 0;
	if (unshare(CLONE_NEWUSER) == 0) {
		taken |= JAIL_USER;
		if (map_ids(uid, gid))
			return taken | 0x80000000u; /* half-done: a user namespace without ids */
	} else {
		*refused |= JAIL_USER;
	}
	for (unsigned i = 0; i < sizeof ns / sizeof ns[0]; i++) {
		if (unshare(ns[i].flag) == 0)
			taken |= ns[i].bit;
		else
			*refused |= ns[i].bit;
	}
	return taken;
}

/* The process outside the PID namespace: waits for the first process in
 * it (whose end ends every other one there) and leaves with its status. */
static _Noreturn void wait_outside(pid_t child)
{
	int st;
	for (int fd = 3; fd < 4096; fd++)
		close(fd);
	if (jail_seccomp_outside())
		_exit(70);
	while (waitpid(child, &st, 0) < 0)
		if (errno != EINTR)
			_exit(70);
	console_restore();
	if (WIFSIGNALED(st)) {
		fprintf(stderr, "previrt: the VMM was killed by signal %d%s\n", WTERMSIG(st),
			WTERMSIG(st) == SIGSYS ? " (a system call outside the jail's allow-list)" : "");
		_exit(WTERMSIG(st) == SIGSYS ? JAIL_STATUS : 70);
	}
	_exit(WEXITSTATUS(st));
}

/* An empty, read-only tmpfs as the root: nothing of the host's file tree
 * is reachable by name.  pivot_root where the current root is a mount
 * point, else chroot (a chroot is only escapable with capabilities, and
 * the jail drops them all). */
static int empty_root(void)
{
	static const char *const dirs[] = {"/tmp", "/mnt", "/dev", "/proc"};
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return 0;
	const char *dir = NULL;
	for (unsigned i = 0; i < sizeof dirs / sizeof dirs[0] && !dir; i++)
		if (mount("previrt-jail", dirs[i], "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
			  "size=4k,mode=0555") == 0)
			dir = dirs[i];
	if (!dir || chdir(dir))
		return 0;
	int how = 0;
	if (syscall(SYS_pivot_root, ".", ".") == 0 && umount2(".", MNT_DETACH) == 0)
		how = 1;
	else if (chroot(".") == 0)
		how = 2;
	if (!how || chdir("/"))
		return 0;
	mount(NULL, "/", NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	return how;
}

/* No file descriptors but the console, keep_fd (guest RAM) and the network
 * helper's eventfd, no new
 * ones, no core dump of guest memory, no locked memory, no message queues. */
static unsigned limits(int keep_fd)
{
	int top = 2;
	for (int fd = 3; fd < 4096; fd++)
		if (fd != keep_fd && fd != NETHOST_FD)
			close(fd); /* inherited ones may reach anything */
	if (keep_fd > top)
		top = keep_fd;
	if (fcntl(NETHOST_FD, F_GETFD) >= 0 && NETHOST_FD > top)
		top = NETHOST_FD; /* --net user|tap: wakeup of the helper */
	/* room for the socket of each VMM process's ring-3 stub */
	top += 8;
	struct rlimit nofile = {(rlim_t)top + 1, (rlim_t)top + 1}, zero = {0, 0};
	setrlimit(RLIMIT_NOFILE, &nofile);
	setrlimit(RLIMIT_CORE, &zero);
	setrlimit(RLIMIT_MEMLOCK, &zero);
	setrlimit(RLIMIT_MSGQUEUE, &zero);
	return (unsigned)top + 1;
}

static void drop_capabilities(void)
{
	for (int c = 0; c <= CAP_LAST_CAP; c++)
		prctl(PR_CAPBSET_DROP, c, 0, 0, 0);
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	memset(d, 0, sizeof d);
	syscall(SYS_capset, &h, d);
}

int jail_enter(struct jail_report *r, int keep_fd, char *err, size_t errsz)
{
	memset(r, 0, sizeof *r);
	uid_t uid = geteuid();
	gid_t gid = getegid();
	r->taken = unshare_all(uid, gid, &r->refused);
	if (r->taken & 0x80000000u) {
		snprintf(err, errsz, "jail: mapping ids in the new user namespace: %s", strerror(errno));
		return -1;
	}
	if (r->taken & JAIL_PID) {
		fflush(NULL);
		pid_t c = fork();
		if (c < 0) {
			snprintf(err, errsz, "jail: fork into the PID namespace: %s", strerror(errno));
			return -1;
		}
		if (c > 0)
			wait_outside(c);
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != 0)
			_exit(70); /* the parent, outside, is gone already */
	}
	if (r->taken & JAIL_MOUNT)
		r->root = empty_root();
	r->nofile = limits(keep_fd);
	drop_capabilities();
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		snprintf(err, errsz, "jail: no_new_privs: %s", strerror(errno));
		return -1;
	}
	return 0;
}

void jail_describe(const struct jail_report *r, char *buf, size_t size)
{
	static const char *const names[] = {"user", "mount", "pid", "net", "ipc"};
	char got[64] = "", no[64] = "";
	for (unsigned i = 0; i < 5; i++) {
		char *d = r->taken & (1u << i) ? got : r->refused & (1u << i) ? no : NULL;
		if (d)
			snprintf(d + strlen(d), 64 - strlen(d), "%s%s", *d ? "," : "", names[i]);
	}
	snprintf(buf, size,
		 "jail: namespaces %s%s%s; root %s; %u system calls allowed; no_new_privs; "
		 "RLIMIT_NOFILE %u; no capabilities",
		 *got ? got : "none", *no ? ", refused " : "", no,
		 r->root == 1 ? "empty (pivot_root)" : r->root == 2 ? "empty (chroot)" : "the host's",
		 r->calls, r->nofile);
}
