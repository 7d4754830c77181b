/* The .afterburn records of one image: read, located and checked against
 * include/previrt/afterburn.h.  Every invalid record becomes a problem with
 * its number, its offset in .afterburn, the site address and what is wrong. */
#ifndef AUDIT_RECORDS_H
#define AUDIT_RECORDS_H

#include <stddef.h>
#include <stdint.h>

#include "elf.h"
#include "modes.h"
#include "symbols.h"

#define NO_SHADOW UINT64_MAX

struct site {
	size_t rec;          /* record number, from 0, over every .afterburn section */
	uint64_t recoff;     /* offset of the record in its .afterburn section */
	unsigned sec;        /* code section index */
	uint64_t start, end; /* section offsets: [start, end) is the whole site */
	uint64_t shadow;     /* offset of the instruction in the sti shadow, or NO_SHADOW */
	unsigned kind, flags, insn_len, bits;
	int ok;              /* no problem so far: the sweep may trust its start */
};

enum where { AT_NONE, AT_SECTION, AT_ADDRESS };

struct problem {
	size_t rec;
	uint64_t recoff;
	enum where where;
	unsigned sec;  /* AT_SECTION */
	uint64_t off;  /* AT_SECTION: section offset; AT_ADDRESS: address */
	char msg[320];
};

struct records {
	struct site *sites; /* located site records, sorted by section, then start */
	size_t nsites;
	struct problem *probs;
	size_t nprobs, capprobs;
	unsigned char *bad; /* per record: some problem was reported */
	size_t nrecords, nheaders, nsiterecords, ninvalid;
	int present;           /* the image has a .afterburn section */
	int oom;
};

/* Reads every .afterburn section.  modes is indexed by section (code
 * sections only).  -1 with err when the image is unusable (bad relocation
 * table, out of memory). */
int records_read(struct records *r, const struct elf_file *f, const struct symidx *x,
		 const struct secmodes *modes, char *err, size_t errsz);
/* A problem about a located site; marks the record invalid. */
void records_site_problem(struct records *r, struct site *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Counts invalid records and orders problems by record; call once at the end. */
void records_finish(struct records *r);
void records_free(struct records *r);
/* The valid site starting at, or holding the shadowed instruction at, off. */
const struct site *records_site_at(const struct records *r, unsigned sec, uint64_t off,
				   int *shadowed);
/* Any located site (valid or not) starting at off. */
const struct site *records_any_site_at(const struct records *r, unsigned sec, uint64_t off);
#endif
