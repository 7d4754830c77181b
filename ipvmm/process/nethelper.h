/* Inside the network helper process (nethost.c forks it): the two ways a
 * frame leaves the machine, and what both need from the fork's side.
 * Each main loop moves frames between the rings and its host end, sleeps
 * in poll(2) on the wakeup eventfd and its own descriptors, and never
 * returns. */
#ifndef IPVMM_PROCESS_NETHELPER_H
#define IPVMM_PROCESS_NETHELPER_H

#include "ipvmm/process/netring.h"
#include "ipvmm/process/run.h"

/* `--net user`: libslirp (netslirp.c). */
_Noreturn void netslirp_main(const struct pv_config *cfg, struct netring_pair *rings, int efd, int ready);

/* `--net tap=IFNAME`: a TAP device of the host (nettap.c). */
_Noreturn void nettap_main(const struct pv_config *cfg, struct netring_pair *rings, int efd, int ready);

/* The host end is set up: the VMM, waiting on ready, may go on. */
void nethelper_ready(int ready);

/* Exits when the VMM is gone (PDEATHSIG covers the rest). */
void nethelper_check_parent(void);

#endif
