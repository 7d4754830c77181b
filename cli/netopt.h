/* `previrt run --net` values: none, null, user[,hostfwd=...], tap=IFNAME. */
#ifndef CLI_NETOPT_H
#define CLI_NETOPT_H

#include "ipvmm/process/run.h"

/* Fills c->net and c->hostfwd from spec; 0, or -1 after a message. */
int netopt_parse(struct pv_config *c, const char *spec);

#endif
