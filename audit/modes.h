/* Code size (16, 32 or 64 bits) of every byte of an executable section.
 * The ELF class (or --arch) gives the default; a small table of section
 * names and real-mode entry symbols overrides it (modes.c). */
#ifndef AUDIT_MODES_H
#define AUDIT_MODES_H

#include <stddef.h>
#include <stdint.h>

#include "elf.h"
#include "symbols.h"

struct mode_range {
	uint64_t start, end; /* section offsets */
	int bits;
	const char *why; /* the table entry that set it, or NULL for the default */
};

struct secmodes {
	struct mode_range *v; /* sorted, contiguous, covering the section */
	size_t n;
};

/* Ranges of section sec; -1 if out of memory. */
int modes_for_section(const struct elf_file *f, const struct symidx *x, unsigned sec,
		      int default_bits, struct secmodes *out);
/* The range holding off (off must be inside the section). */
const struct mode_range *modes_at(const struct secmodes *m, uint64_t off);
/* The table, for --help and the docs. */
void modes_print_table(void);

#endif
