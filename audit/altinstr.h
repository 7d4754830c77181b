/* Linux's alternatives table (.altinstructions), read only to say which
 * original instruction a piece of .altinstr_replacement code replaces:
 * replacement code has no symbols of its own. */
#ifndef AUDIT_ALTINSTR_H
#define AUDIT_ALTINSTR_H

#include <stddef.h>
#include <stdint.h>

#include "elf.h"

struct altmap {
	struct alt {
		uint64_t repl, repl_end; /* addresses in .altinstr_replacement */
		uint64_t orig;           /* address of the original instruction */
		unsigned feature;        /* X86_FEATURE_* word*32+bit (bit 15: "not") */
	} *v;
	size_t n;
};

/* Empty (not an error) when the image has no table, is an object, or the
 * table does not have the Linux 6.1 layout; -1 only if out of memory. */
int altmap_build(struct altmap *m, const struct elf_file *f);
/* The entry whose replacement holds address a, or NULL. */
const struct alt *altmap_find(const struct altmap *m, uint64_t a);
/* Section and offset of address a in a code section; 0 if none. */
int altmap_code_place(const struct elf_file *f, uint64_t a, unsigned *sec, uint64_t *off);
void altmap_free(struct altmap *m);

#endif
