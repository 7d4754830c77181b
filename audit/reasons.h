/* Why a sensitive instruction is not annotated: the reason classes of the
 * report, and whether a class still counts as incomplete coverage. */
#ifndef AUDIT_REASONS_H
#define AUDIT_REASONS_H

#include "altinstr.h"
#include "elf.h"
#include "exclusions.h"
#include "scan.h"
#include "symbols.h"

/* Gives every finding not already matched to a record its reason class,
 * and names the original of replacement code through alt. */
void reasons_assign(struct scan *s, const struct elf_file *f, const struct symidx *x,
		    const struct rules *rules, const struct altmap *alt);
/* Classes that leave coverage incomplete (exit status 1). */
int reason_fails(enum reason r);
/* "alternative-replacement", "16-bit", ... as the report spells them. */
const char *reason_name(enum reason r);
/* The raw-byte table, for --help. */
void reasons_print_raw_table(void);

#endif
