/* The jail around the VMM (Firecracker's jailer, in-process): a guest
 * kernel that escapes into the VMM's own process -- it can, by a far jump
 * to the host's 64-bit code segment (DESIGN.md section 5) -- still reaches
 * only an empty root, no network, no other process, no new file, and only
 * the system calls on the allow-list (seccomp.c).
 *
 * Uses nothing of the machine: it runs before the guest does. */
#ifndef IPVMM_PROCESS_JAIL_H
#define IPVMM_PROCESS_JAIL_H

#include <stddef.h>

/* Exit status of a run that the jail stopped (a system call outside the
 * allow-list): distinct from the guest's 0/1, bad input 2, quit 3. */
#define JAIL_STATUS 4

enum {
	JAIL_USER = 1, /* namespaces taken */
	JAIL_MOUNT = 2,
	JAIL_PID = 4,
	JAIL_NET = 8,
	JAIL_IPC = 16,
};

struct jail_report {
	unsigned taken, refused; /* JAIL_* */
	int root;                /* 1: empty root by pivot_root, 2: by chroot, 0: none */
	unsigned nofile;         /* RLIMIT_NOFILE now */
	unsigned calls;          /* rules on the allow-list */
};

/* Namespaces, an empty root, rlimits, no capabilities.  With a new PID
 * namespace this forks: the caller's process stays outside, waits for
 * the run and exits with its status (after console_restore); 0 returns in
 * the child, the namespace's first process.  Refused namespaces are
 * recorded, not fatal; -1 only when something half-done cannot be undone.
 * Every file descriptor but 0-2 and keep_fd is closed. */
int jail_enter(struct jail_report *r, int keep_fd, char *err, size_t errsz);

/* The allow-list filter (seccomp.c), after everything that opens files. */
int jail_seccomp(int memfd, unsigned *calls, char *err, size_t errsz);
/* In processes that run guest code: no signals to others, no wait. */
int jail_seccomp_vmm(char *err, size_t errsz);
/* The process left outside the PID namespace: waiting and leaving only. */
int jail_seccomp_outside(void);
/* For the report of a blocked call; never allocates. */
const char *jail_syscall_name(int nr);
/* One line for --stats and for warnings: what was taken and refused. */
void jail_describe(const struct jail_report *r, char *buf, size_t size);

#endif
