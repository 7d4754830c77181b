/* The linear sweep over every executable section: finds each sensitive
 * instruction and matches it with the site records. */
#ifndef AUDIT_SCAN_H
#define AUDIT_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "elf.h"
#include "modes.h"
#include "records.h"
#include "symbols.h"

enum reason {
	R_ANNOTATED,      /* a valid record covers it */
	R_INVALID_RECORD, /* a record points at it, but the record is invalid */
	R_ALTERNATIVE,    /* in .altinstr_replacement: copied at run time */
	R_16BIT,          /* 16-bit code: real-mode blobs are not annotated */
	R_EXCLUDED,       /* a documented exclusion rule names it */
	R_RAW_BYTE,       /* one Linux writes as .byte, which the afterburner cannot see */
	R_UNKNOWN,
	R_NREASONS
};

struct finding {
	unsigned sec;
	uint64_t off;
	unsigned char len, kind, bits, shadowed;
	unsigned char reason;
	uint8_t bytes[15];
	char text[80];
	size_t rec;        /* R_ANNOTATED / R_INVALID_RECORD: the record */
	const void *rule;  /* R_EXCLUDED: the exclusion rule (exclusions.h) */
	const char *raw;   /* R_RAW_BYTE: the raw-byte table entry's note */
	int has_orig;      /* in .altinstr_replacement: the original it replaces */
	unsigned orig_sec;
	uint64_t orig_off;
	unsigned feature;  /* and the CPU feature that selects the replacement */
};

struct scan {
	struct finding *v; /* in section, then address order */
	size_t n, cap;
	uint64_t code_bytes, insns, undecodable, data_bytes, cuts;
	int oom;
};

/* Sweeps every code section; modes is indexed by section.  Adds "starts
 * inside an instruction" problems to r.  -1 if out of memory. */
int scan_image(struct scan *s, const struct elf_file *f, const struct symidx *x,
	       const struct secmodes *modes, struct records *r);
void scan_free(struct scan *s);

#endif
