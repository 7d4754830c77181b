/* The afterburner's padding (previrt_ab_nop in include/previrt/afterburn.h):
 * recognised when validating a site, written when a rewrite leaves room. */
#ifndef IPVMM_CORE_NOPS_H
#define IPVMM_CORE_NOPS_H

#include <stdint.h>

/* Length of the padding NOP at p[0..n), 0 if there is none. */
unsigned nop_len(const uint8_t *p, unsigned n);
/* Fills buf[0..n) with padding NOPs, longest first. */
void nop_fill(uint8_t *buf, unsigned n);

#endif
