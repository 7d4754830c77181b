/* abcheck: shared model of the two objects and the checks run over them. */
#ifndef ABCHECK_H
#define ABCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "audit/elf.h"
#include "audit/sensitive.h"

/* --- report.c ---------------------------------------------------------- */

#define NO_OFF UINT64_MAX /* a failure about a whole section */

void report_fail(const char *file, const char *sec, uint64_t off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void report_note(const char *file, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void report_quiet(int quiet);
/* A signed offset as "+0x1c" or "-0x4", for messages. */
struct soff {
	char s[24];
};
struct soff soff(int64_t v);
/* A check that cannot run because an earlier failure took its premise. */
void report_skipped(void);
/* Prints what report_fail held back; returns the failure count. */
unsigned long report_finish(void);
/* Bytes as "0f 1f 00", cut short with " ..." where outsz ends. */
void hex_bytes(char *out, size_t outsz, const uint8_t *p, size_t n);

/* --- obj.c --------------------------------------------------------------- */

struct rel {
	uint64_t off;    /* field offset in the section it applies to */
	uint32_t type;
	uint32_t sym;    /* index into obj.syms */
	int64_t addend;  /* explicit (RELA) or read from the field (REL) */
	unsigned width;  /* bytes the field covers */
	int pcrel;       /* value is relative to the field's address */
};

struct sec {
	const char *name;
	unsigned idx;     /* section header index */
	unsigned nth;     /* how many earlier sections share the name (COMDAT) */
	uint32_t type;
	uint64_t flags, size, align, entsize;
	const uint8_t *data; /* NULL when the section has no file contents */
	uint8_t *zeroed;     /* data with every relocated field zeroed */
	uint8_t *covered;    /* per byte: 1 if some relocation covers it */
	struct rel *rels;    /* relocations applying here, sorted by offset */
	size_t nrels;
	struct sec *peer;    /* the same section in the other object, or NULL */
	struct secmap *map;  /* ORIG code and .eh_frame: offsets into AFTERBURNT */
	uint64_t *anchors;   /* ORIG data: offsets relocations refer to, sorted */
	size_t nanchors;
};

struct obj {
	const char *path;
	int is64;
	struct elf_file elf;   /* the audit's model of the file (audit/elf.h) */
	struct sec *secs;      /* indexed like elf.secs */
	size_t nsecs;
	struct elf_sym *syms;  /* elf.syms */
	size_t nsyms;
};

/* Returns 0, or -1 after printing why the file is unusable. */
int obj_load(struct obj *o, const char *path);
void obj_free(struct obj *o);
/* The section a symbol is defined in, or NULL (undefined, absolute, common). */
struct sec *sym_sec(const struct obj *o, const struct elf_sym *s);
/* Relocations at `off` of section s: how many, and the first one. */
size_t rels_at(const struct sec *s, uint64_t off, const struct rel **first);
/* Pairs sections of the two objects by name and occurrence number. */
void link_peers(struct obj *a, struct obj *b);
int sec_is_code(const struct sec *s);
/* A symbol's name for comparisons: a section symbol goes by its section. */
const char *sym_label(const struct obj *o, const struct elf_sym *s);

/* --- insn.c -------------------------------------------------------------- */

/* Instructions are decoded by audit/sensitive.c (sens_init, sens_decode), in
 * AT&T syntax like the assembler input; padding is previrt_ab_pad_at(). */

/* Whether `in` is an instruction the record kind may annotate. */
int kind_matches(unsigned kind, const struct insn *in);
/* The kind `in` would need a record of, or 0. */
unsigned sensitive_kind(const struct insn *in);

/* --- records.c ----------------------------------------------------------- */

struct site {
	struct sec *sec;      /* code section of AFTERBURNT */
	uint64_t start, pad_start, end;
	uint64_t recoff;      /* record offset in .afterburn */
	unsigned kind, flags, insn_len;
};

struct sites {
	struct site *v; /* sorted by section index, then start */
	size_t n;
	size_t nrecords;
};

/* Property 1: checks .afterburn of `ab` and collects its usable sites. */
void check_records(struct obj *ab, struct sites *out);

/* --- stream.c ------------------------------------------------------------ */

struct secmap {
	struct pair {
		uint64_t o, a;
		uint32_t olen, alen;
		int fill; /* a run of alignment NOPs, which ends where code starts */
	} *p;
	size_t n, cap;
	uint64_t limit;       /* ORIG offsets from here on are unmapped */
	uint64_t alimit;      /* and AFTERBURNT offsets from here on unpaired */
	uint64_t osize, asize;
};

/* Property 2, instructions: pairs every code section, filling sec->map. */
void check_streams(struct obj *orig, struct obj *ab, const struct sites *sites,
		   unsigned long *ninsns);
/* A map for ORIG section so (sizes set, nothing paired), or NULL. */
struct secmap *secmap_new(struct sec *so);
/* Appends a pair; -1 if out of memory. */
int secmap_add(struct secmap *m, uint64_t o, uint64_t a, uint64_t olen, uint64_t alen, int fill);
/* The image in AFTERBURNT of ORIG offset t; 0 if it has none. */
int map_off(const struct secmap *m, uint64_t t, uint64_t *out);
/* A field offset inside a paired .eh_frame entry, in AFTERBURNT. */
int map_entry_field(const struct secmap *m, uint64_t t, uint64_t *out);
/* Whether t has no image because the instruction streams diverged before
 * it: a consequence of a failure already reported. */
int map_diverged(const struct secmap *m, uint64_t t);
/* Whether AFTERBURNT offset a is an image of ORIG offset t. */
int map_accepts(const struct secmap *m, uint64_t t, uint64_t a);
/* End of the instruction holding ORIG offset t, in ORIG and AFTERBURNT. */
int map_insn_end(const struct secmap *m, uint64_t t, uint64_t *oend, uint64_t *aend);
void free_maps(struct obj *orig);

/* --- eh_frame.c ---------------------------------------------------------- */

/* .eh_frame of ORIG against AFTERBURNT's, entry by entry; fills so->map with
 * the entry pairing, through which relocated fields map. */
void check_eh_frame(const struct obj *orig, struct sec *so, const struct obj *ab);

/* --- compare.c ----------------------------------------------------------- */

/* Property 2 relocations and property 3: returns relocations compared. */
unsigned long check_sections(struct obj *orig, struct obj *ab);
/* Property 4. */
void check_symbols(struct obj *orig, struct obj *ab);

#endif
