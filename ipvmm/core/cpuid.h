/* The CPUID the guest sees: the host's, minus what the VMM does not
 * virtualize. */
#ifndef IPVMM_CORE_CPUID_H
#define IPVMM_CORE_CPUID_H

#include <stdint.h>

void cpuid_policy(uint32_t leaf, uint32_t subleaf, uint32_t out[4]);

#endif
