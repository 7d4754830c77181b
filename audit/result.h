/* One audited file, as the reports see it. */
#ifndef AUDIT_RESULT_H
#define AUDIT_RESULT_H

#include "elf.h"
#include "previrt/afterburn.h"
#include "records.h"
#include "scan.h"
#include "symbols.h"

struct result {
	const char *path;
	const char *error;        /* bad input: the other fields are unset */
	const struct elf_file *f;
	const struct symidx *x;
	const struct records *r;
	const struct scan *s;
	int bits;                 /* default code size */
	size_t ncode;             /* executable sections */
	unsigned long found[PREVIRT_AB_NKINDS], annotated[PREVIRT_AB_NKINDS];
	unsigned long by_reason[R_NREASONS];
	unsigned long failing;    /* unannotated in a failing reason class */
	int complete;             /* every instruction covered and every record valid */
};

/* A kind the coverage table counts: every site kind but HEADER and MEM. */
static inline int result_counts_kind(unsigned k)
{
	return k != PREVIRT_AB_KIND_HEADER && k != PREVIRT_AB_KIND_MEM && k < PREVIRT_AB_NKINDS;
}

#endif
