#ifndef IPVMM_PROCESS_POLICY_H
#define IPVMM_PROCESS_POLICY_H

#include "ipvmm/core/patch.h"

/* Fills p with the process back-end's rule for every kind. */
void process_policy(struct patch_policy *p);

#endif
