/*
 * Helpers every device model shares: the once-only report of an
 * unimplemented register or feature, and the name a device gives itself
 * in those reports.  Header-only so that each model stays one file.
 */
#ifndef IPVMM_DEV_DEV_H
#define IPVMM_DEV_DEV_H

#include <stdint.h>

#include "ipvmm/core/io.h"

/* Reports (dev, what, value) the first time bit 'what_bit' is seen; the
 * first value is the one reported.  A model keeps one 'done' word and
 * numbers its unimplemented things 0-31. */
static inline void dev_unimplemented(const struct io_env *env, uint32_t *done, unsigned what_bit,
				     const char *dev, const char *what, uint32_t value)
{
	if (*done & (1u << what_bit))
		return;
	*done |= 1u << what_bit;
	env->unimplemented(env->ctx, dev, what, value);
}

/* "prefix@3f8": prefix and the port base in hex, always NUL-terminated.
 * 'size' must be at least 1. */
static inline void dev_name(char *buf, unsigned size, const char *prefix, uint16_t base)
{
	static const char hex[] = "0123456789abcdef";
	char num[5];
	unsigned n = 0, i = 0;

	do {
		num[n++] = hex[base & 15];
		base >>= 4;
	} while (base);
	while (*prefix && i + 1 < size)
		buf[i++] = *prefix++;
	if (i + 1 < size)
		buf[i++] = '@';
	while (n && i + 1 < size)
		buf[i++] = num[--n];
	buf[i] = '\0';
}

#endif
