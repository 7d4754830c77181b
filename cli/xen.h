#ifndef CLI_XEN_H
#define CLI_XEN_H
#include "ipvmm/process/run.h"
/* previrt run --platform=xen (cli/xen.c): the exit status of the run. */
int run_xen(const struct pv_config *c);
#endif
