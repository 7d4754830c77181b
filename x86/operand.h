/* Operand decoding for instructions with an identity: turns an entry's
 * operand specifications (x86/tables.h) into struct x86_opnd values. */
#ifndef X86_OPERAND_H
#define X86_OPERAND_H

#include <stdint.h>

#include "x86/decode.h"

/* Fills in->opnd and in->nopnd from spec[0..3); mem is the ModRM memory
 * operand (type NONE for register forms); p the instruction's bytes, whose
 * immediate is at in->imm_off.  -1 if an operand names a register that does
 * not exist (segment registers 6 and 7). */
int x86_operands(struct x86_insn *in, const uint16_t *spec, const struct x86_opnd *mem,
		 const uint8_t *p);

#endif
