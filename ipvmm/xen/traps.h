/* The VMM's own exception handlers under Xen (traps.S, traps.c): until the
 * guest runs, every exception Xen reflects to dom0 is a fault in the VMM,
 * reported with its vector, instruction pointer and error code before dom0
 * crashes (instead of Xen's "Unhandled: vec N" and nothing from the VMM). */
#ifndef IPVMM_XEN_TRAPS_H
#define IPVMM_XEN_TRAPS_H

#include <stdint.h>

struct xen_trap_frame {
	uint64_t vector, error, rip, cs, rflags, rsp, ss;
};

/* Installs the handlers; the hypercall's status (0 on success). */
long traps_init(void);

#endif
