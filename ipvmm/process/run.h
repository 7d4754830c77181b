/* Running an i386 guest kernel inside this process (the process back-end):
 * load, patch, and the guest's life until it resets or stops. */
#ifndef IPVMM_PROCESS_RUN_H
#define IPVMM_PROCESS_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "previrt/afterburn.h"

#define PV_MAX_HOSTFWD 8

struct pv_config {
	const char *kernel;
	const char *initrd;          /* may be NULL */
	const char *append;          /* kernel command line, may be NULL */
	uint64_t mem;                /* bytes of guest RAM */
	int stats;                   /* print statistics at the end */
	uint8_t native[PREVIRT_AB_NKINDS]; /* kinds left native (trap and emulate) */
	unsigned timeout;            /* seconds, 0: none (watchdog) */
	/* keep the kernel's host mappings while the guest runs ring 3: much
	 * faster, but ring-3 code can then read and write mapped kernel pages */
	int user_sees_kernel;
	/* host processes keeping recently used guest address spaces mapped
	 * (aspace.h); 0 or 1: one process */
	unsigned processes;
	/* no namespaces, rlimits or allow-list around the VMM (for strace and
	 * gdb; the guest's own system calls still trap) */
	int no_jail;
	/* guest ring 3 in the VMM's own processes, capped or without the
	 * kernel's pages, instead of in stub processes (ring3.c) */
	int ring3_in_vmm;
	/* a network card (DP83820 on the PCI bus) and where its cable goes:
	 * nowhere (null), or through a helper process (nethost.h) to libslirp
	 * with hostfwd rules (user) or to the host's TAP device tap (tap) */
	enum { PV_NET_NONE, PV_NET_NULL, PV_NET_USER, PV_NET_TAP } net;
	char tap[16]; /* IFNAMSIZ */
	unsigned nhostfwd;
	struct pv_hostfwd {
		int udp;
		uint32_t host_addr; /* IPv4, host byte order; 127.0.0.1 unless given */
		uint16_t host_port, guest_port;
	} hostfwd[PV_MAX_HOSTFWD];
};

/* Exit status of the run: 0 when the guest reset the machine (its way of
 * shutting down), 1 for a guest failure (message and registers on stderr),
 * 2 for bad input (kernel file, options), 3 when the user quit, 4 when the
 * jail stopped a system call outside its allow-list (jail.h). */
int pv_run(const struct pv_config *cfg);

/* 0 when this host's kernel can run the process back-end (it loads LDT
 * segments); else -1 and why in err.  pv_run checks it first. */
int ldt_probe(char *err, size_t errsz);

#endif
