/* The host side of `--net user` and `--net tap`: a helper process that
 * runs libslirp (Debian's, as QEMU's -netdev user; netslirp.c) or holds a
 * TAP device (nettap.c).  The VMM's jail has no sockets, no devices and a
 * network namespace of its own, on purpose, so the helper is forked before
 * the jail and stays in the caller's network namespace; it maps only the
 * frame rings (netring.h), not guest memory or the VMM's state, and the VMM
 * wakes it through one eventfd kept at NETHOST_FD.  Frames towards the
 * guest wait in the ring until the VMM next looks (each timer tick, each
 * halt), so a packet burst never blocks the virtual CPU. */
#ifndef IPVMM_PROCESS_NETHOST_H
#define IPVMM_PROCESS_NETHOST_H

#include <stddef.h>

#include "ipvmm/process/netring.h"
#include "ipvmm/process/run.h"

/* The eventfd the VMM writes after queueing frames for the host. */
#define NETHOST_FD 11

/* The guest's side of the virtual network, as QEMU's user networking. */
#define NETHOST_NET 0x0a000200u   /* 10.0.2.0/24 */
#define NETHOST_HOST 0x0a000202u  /* 10.0.2.2: gateway, the host's loopback */
#define NETHOST_DNS 0x0a000203u   /* 10.0.2.3 */
#define NETHOST_GUEST 0x0a00020fu /* 10.0.2.15: DHCP's address, hostfwd's target */

/* Maps the rings, starts the helper with cfg's hostfwd rules, and puts the
 * wakeup eventfd at NETHOST_FD.  The rings, or NULL with err. */
struct netring_pair *nethost_start(const struct pv_config *cfg, char *err, size_t errsz);

/* After queueing frames in to_host: one write to the eventfd. */
void nethost_kick(void);

#endif
