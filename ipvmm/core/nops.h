/* The afterburner's NOPs (previrt_ab_nop in include/previrt/afterburn.h),
 * written when a rewrite leaves room; previrt_ab_pad_at() recognises them. */
#ifndef IPVMM_CORE_NOPS_H
#define IPVMM_CORE_NOPS_H

#include <stdint.h>

/* Fills buf[0..n) with padding NOPs, longest first. */
void nop_fill(uint8_t *buf, unsigned n);

#endif
