/* The tests' reference decoder: capstone 4, its answer turned into the
 * decoder's terms (identity, operands) so the two can be compared. */
#ifndef TESTS_X86_REF_H
#define TESTS_X86_REF_H

#include <stddef.h>
#include <stdint.h>

#include "x86/decode.h"

struct ref_opnd {
	struct x86_opnd o;
	uint8_t high8; /* REG: ah ch dh bh (not spl..dil) */
	uint8_t imm_pair; /* FAR given by capstone as two immediates */
};

struct ref {
	int len; /* 0: capstone rejects the bytes */
	unsigned id; /* capstone instruction id */
	unsigned op; /* enum x86_op */
	unsigned nopnd;
	struct ref_opnd opnd[8];
	char text[192];
};

int ref_init(void);
void ref_fini(void);
/* Decodes at most 15 bytes of p[0..n) in mode (16, 32, 64). */
void ref_decode(int mode, const uint8_t *p, size_t n, struct ref *r);

#endif
