/* The host's TSC rate, which a guest sees (rdtsc is the host's on the
 * process back-end, and QEMU TCG passes the host's through too). */
#ifndef IPVMM_PROCESS_HOSTTSC_H
#define IPVMM_PROCESS_HOSTTSC_H

#include <stdint.h>

/* kHz, measured against CLOCK_MONOTONIC_RAW over ~20 ms; 0 if unusable. */
uint32_t pv_host_tsc_khz(void);

#endif
