/* Documented exclusions: places where an unannotated sensitive instruction
 * is known and accepted, each with its reason.  File format, one rule per
 * line, '#' starts a comment line:
 *     section NAME REASON...
 *     symbol  NAME REASON...
 * NAME is a shell pattern (fnmatch).  A section rule matches the section
 * name; a symbol rule matches the symbol naming the address or the function
 * that contains it.  REASON is required: an exclusion nobody can explain is
 * not documented. */
#ifndef AUDIT_EXCLUSIONS_H
#define AUDIT_EXCLUSIONS_H

#include <stddef.h>

struct rule {
	const char *file;
	unsigned line;
	int is_symbol;
	int is_kind; /* "kind NAME": every unannotated instruction of that kind */
	char *name;
	char *reason;
};

struct rules {
	struct rule *v;
	size_t n;
};

/* Appends the rules of path; -1 with err (naming file:line) if malformed. */
int rules_load(struct rules *rs, const char *path, char *err, size_t errsz);
/* The first rule matching; sym and container may be NULL. */
const struct rule *rules_match(const struct rules *rs, const char *section, const char *sym,
				const char *container, const char *kind);
void rules_free(struct rules *rs);

#endif
