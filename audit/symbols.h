/* Symbols by section and offset: where a linear sweep may restart, which
 * bytes are data, and how to name an address as symbol+offset. */
#ifndef AUDIT_SYMBOLS_H
#define AUDIT_SYMBOLS_H

#include <stddef.h>
#include <stdint.h>

#include "elf.h"

struct named {
	uint64_t off; /* in its section */
	uint64_t size;
	const char *name;
	unsigned char type, bind, rank;
};

struct symidx {
	struct secsyms {
		struct named *v; /* sorted by offset, best name first at equal offsets */
		size_t n;
	} *per; /* indexed by section */
	size_t nsecs;
};

/* -1 if out of memory. */
int symidx_build(struct symidx *x, const struct elf_file *f);
void symidx_free(struct symidx *x);
/* The symbol naming offset off of section sec (the nearest at or before it),
 * or NULL. */
const struct named *symidx_name(const struct symidx *x, unsigned sec, uint64_t off);
/* The nearest sized symbol (function) whose extent holds off, or NULL. */
const struct named *symidx_container(const struct symidx *x, unsigned sec, uint64_t off);
/* The symbols of section sec, in offset order, or NULL. */
const struct secsyms *symidx_section(const struct symidx *x, unsigned sec);

/* "0xc1001234 (native_halt+0x4, .text)": an address as messages show it. */
void symidx_place(char *buf, size_t n, const struct elf_file *f, const struct symidx *x,
		  unsigned sec, uint64_t off);

#endif
