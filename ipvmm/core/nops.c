#include "nops.h"

#include "previrt/afterburn.h"

unsigned nop_len(const uint8_t *p, unsigned n)
{
	for (unsigned len = PREVIRT_AB_NOP_MAX; len >= 1; len--) {
		if (len > n)
			continue;
		unsigned k = 0;
		while (k < len && p[k] == previrt_ab_nop[len][k])
			k++;
		if (k == len)
			return len;
	}
	return 0;
}

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
