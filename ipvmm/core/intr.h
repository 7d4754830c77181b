/* Control transfers the VMM emulates: software interrupts, far
 * jumps/calls/returns and iret (intr.c). */
#ifndef IPVMM_CORE_INTR_H
#define IPVMM_CORE_INTR_H

#include "vcpu.h"

int intr_push(struct vcpu *v, uint32_t val);
int intr_pop(struct vcpu *v, uint32_t *val);
/* int $vec from the instruction at v->eip; returns to next_eip */
int intr_soft(struct vcpu *v, unsigned vec, uint32_t next_eip);
int intr_iret(struct vcpu *v, unsigned opsize);
int intr_lret(struct vcpu *v, unsigned opsize, uint32_t imm);
/* far jmp (call = 0) or call to sel:off; a call returns to next_eip */
int intr_far(struct vcpu *v, uint16_t sel, uint32_t off, int call, uint32_t next_eip);

#endif
