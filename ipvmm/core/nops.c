#include "nops.h"

#include "previrt/afterburn.h"

void nop_fill(uint8_t *buf, unsigned n)
{
	while (n) {
		unsigned len = n < PREVIRT_AB_NOP_MAX ? n : PREVIRT_AB_NOP_MAX;
		for (unsigned k = 0; k < len; k++)
			buf[k] = previrt_ab_nop[len][k];
		buf += len;
		n -= len;
	}
}
