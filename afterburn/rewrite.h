/* The afterburner proper: assembler text in, annotated assembler text out. */
#ifndef AFTERBURN_REWRITE_H
#define AFTERBURN_REWRITE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "buf.h"
#include "previrt/afterburn.h"

struct ab_opts {
	int bits;                                /* 32 or 64: the assembler's start mode */
	uint8_t site_len[PREVIRT_AB_NKINDS];     /* whole-site length per kind */
	int mem;                                 /* annotate inline-asm memory accesses */
	FILE *verbose;                           /* skipped sites and oddities, or NULL */
	const char *name;                        /* input name for messages */
};

struct ab_stats {
	unsigned long sites[PREVIRT_AB_NKINDS];  /* annotated, per kind (text sites) */
	unsigned long skipped;                   /* sensitive but left alone */
	unsigned long lines;
};

void ab_opts_default(struct ab_opts *o, int bits);

/* Rewrites in[0..n) and appends to out.  Never fails: what it cannot
 * understand passes through unchanged. */
void ab_rewrite(const char *in, size_t n, struct buf *out, const struct ab_opts *o,
		struct ab_stats *st);

#endif
