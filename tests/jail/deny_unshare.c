/* deny-unshare PROGRAM ARGS...: runs PROGRAM with unshare(2) (and clone
 * with namespace flags) refused with EPERM, as on a host without user
 * namespaces for this user, so tests can check that the jail says what it
 * could not take and runs anyway. */
#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: deny-unshare PROGRAM ARGS...\n");
		return 2;
	}
	scmp_filter_ctx c = seccomp_init(SCMP_ACT_ALLOW);
	const unsigned long ns = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC;
	if (!c || seccomp_rule_add(c, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(unshare), 0) ||
	    seccomp_rule_add(c, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
			     SCMP_A0(SCMP_CMP_MASKED_EQ, ns, ns)) ||
	    seccomp_load(c)) {
		fprintf(stderr, "deny-unshare: seccomp setup failed\n");
		return 2;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "deny-unshare: %s: %s\n", argv[1], strerror(errno));
	return 127;
}
