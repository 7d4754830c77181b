/* Reading and checking .afterburn records (include/previrt/afterburn.h).
 *
 * Checks, in the order a loader would need them: the section holds whole
 * 8-byte records; a HEADER with the right magic and version comes before any
 * site record; the kind is defined, the reserved flag clear, the code size
 * set; the site lies inside one executable section; its bytes hold exactly
 * one instruction of the record's kind and length (plus the shadowed one
 * with SHADOW), then only the afterburner's NOP patterns; no two sites
 * overlap.  Whether a site starts on an instruction boundary is checked by
 * the sweep (scan.c), which knows the boundaries. */
#include "records.h"

#include <elf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "previrt/afterburn.h"
#include "sensitive.h"

#define K(n) PREVIRT_AB_KIND_##n

struct raw {
	int32_t rel;
	unsigned len, insn_len, kind, flags;
};

/* What one .afterburn section is being read with. */
struct ctx {
	struct records *r;
	const struct elf_file *f;
	const struct elf_sec *ab;
	struct elf_rel *rels; /* ET_REL only */
	size_t nrels, nextrel;
};

static void add_problem(struct records *r, size_t rec, uint64_t recoff, enum where w,
			unsigned sec, uint64_t off, const char *fmt, va_list ap)
{
	if (r->nprobs == r->capprobs) {
		size_t nc = r->capprobs ? r->capprobs * 2 : 16;
		struct problem *v = realloc(r->probs, nc * sizeof *v);
		if (!v) {
			r->oom = 1;
			return;
		}
		r->probs = v;
		r->capprobs = nc;
	}
	struct problem *p = &r->probs[r->nprobs++];
	*p = (struct problem){rec, recoff, w, sec, off, ""};
	vsnprintf(p->msg, sizeof p->msg, fmt, ap);
	if (rec < r->nrecords)
		r->bad[rec] = 1;
}

static void problem(struct records *r, size_t rec, uint64_t recoff, enum where w, unsigned sec,
		    uint64_t off, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

static void problem(struct records *r, size_t rec, uint64_t recoff, enum where w, unsigned sec,
		    uint64_t off, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add_problem(r, rec, recoff, w, sec, off, fmt, ap);
	va_end(ap);
}

void records_site_problem(struct records *r, struct site *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add_problem(r, s->rec, s->recoff, AT_SECTION, s->sec, s->start, fmt, ap);
	va_end(ap);
	s->ok = 0;
}

static const char *kname(unsigned kind)
{
	return sens_kind_name(kind);
}

static void read_raw(const uint8_t *p, struct raw *w)
{
	uint32_t rel = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
		       (uint32_t)p[3] << 24;
	*w = (struct raw){(int32_t)rel, p[4], p[5], p[6], p[7]};
}

static void check_header(struct ctx *c, size_t rec, uint64_t off, const struct raw *w,
			 int nrel)
{
	struct records *r = c->r;
	if ((uint32_t)w->rel != PREVIRT_AB_MAGIC)
		problem(r, rec, off, AT_NONE, 0, 0, "HEADER magic 0x%08x, expected 0x%08x (\"burn\")",
			(uint32_t)w->rel, PREVIRT_AB_MAGIC);
	if (w->len != PREVIRT_AB_VERSION)
		problem(r, rec, off, AT_NONE, 0, 0,
			"HEADER says ABI version %u, expected version %u: this audit reads the "
			"records of version %u only", w->len, PREVIRT_AB_VERSION, PREVIRT_AB_VERSION);
	if (w->insn_len || w->flags)
		problem(r, rec, off, AT_NONE, 0, 0,
			"HEADER insn_len %u and flags 0x%02x, expected 0 and 0", w->insn_len,
			w->flags);
	if (nrel)
		problem(r, rec, off, AT_NONE, 0, 0, "HEADER record carries a relocation");
}

/* Relocations on record off's rel field; reports stray ones on the way. */
static int rels_for(struct ctx *c, size_t rec, uint64_t off, const struct elf_rel **first)
{
	int n = 0;
	*first = NULL;
	while (c->nextrel < c->nrels && c->rels[c->nextrel].off < off + PREVIRT_AB_RECORD_SIZE) {
		const struct elf_rel *rl = &c->rels[c->nextrel++];
		if (rl->off != off) {
			problem(c->r, rec, off, AT_NONE, 0, 0,
				"relocation (type %u) at %s+0x%llx is not on the rel field of a "
				"record", rl->type, c->ab->name, (unsigned long long)rl->off);
			continue;
		}
		if (!n++)
			*first = rl;
	}
	return n;
}

static int find_code_section(const struct elf_file *f, uint64_t addr, unsigned *sec)
{
	for (size_t i = 1; i < f->nsecs; i++) {
		const struct elf_sec *s = &f->secs[i];
		if ((s->flags & SHF_ALLOC) && s->type != SHT_NOBITS && addr >= s->addr &&
		    addr - s->addr < s->size) {
			*sec = (unsigned)i;
			return 1;
		}
	}
	return 0;
}

/* Where a site record points: its code section and offset; 0 if nowhere. */
static int locate(struct ctx *c, size_t rec, uint64_t off, const struct raw *w,
		  const struct elf_rel *rl, int nrel, unsigned *sec, uint64_t *start)
{
	struct records *r = c->r;
	const struct elf_file *f = c->f;
	if (f->type == ET_REL) {
		unsigned want = f->is64 ? R_X86_64_PC32 : R_386_PC32;
		if (nrel == 0) {
			problem(r, rec, off, AT_NONE, 0, 0,
				"%s record has no relocation on its rel field (value %d): in an "
				"object the site must be reached through %s", kname(w->kind), w->rel,
				f->is64 ? "R_X86_64_PC32" : "R_386_PC32");
			return 0;
		}
		if (nrel > 1) {
			problem(r, rec, off, AT_NONE, 0, 0, "%d relocations on the rel field, expected 1",
				nrel);
			return 0;
		}
		if (rl->type != want) {
			problem(r, rec, off, AT_NONE, 0, 0, "relocation type %u, expected %s (%u)",
				rl->type, f->is64 ? "R_X86_64_PC32" : "R_386_PC32", want);
			return 0;
		}
		const struct elf_sym *sy = rl->sym < f->nsyms ? &f->syms[rl->sym] : NULL;
		const struct elf_sec *t = sy ? elf_sym_sec(f, sy) : NULL;
		if (!t) {
			problem(r, rec, off, AT_NONE, 0, 0,
				"site symbol '%s' is not defined in any section of this object",
				sy ? sy->name : "?");
			return 0;
		}
		int64_t o = (int64_t)sy->value + rl->addend;
		if (!elf_is_code(t)) {
			problem(r, rec, off, AT_NONE, 0, 0,
				"site %s%+lld is in %s, which is not an executable section", t->name,
				(long long)o, t->name);
			return 0;
		}
		if (o < 0 || (uint64_t)o >= t->size) {
			problem(r, rec, off, AT_NONE, 0, 0,
				"site %s%+lld is outside %s (0x%llx bytes)", t->name, (long long)o,
				t->name, (unsigned long long)t->size);
			return 0;
		}
		*sec = t->idx;
		*start = (uint64_t)o;
	} else {
		/* Linked image: the field holds its final value (any --emit-relocs
		 * relocations describe how it got there and are ignored). */
		uint64_t p = c->ab->addr + off;
		uint64_t a = p + (uint64_t)(int64_t)w->rel;
		if (!f->is64)
			a &= 0xffffffffu;
		if (!find_code_section(f, a, sec)) {
			problem(r, rec, off, AT_ADDRESS, 0, a,
				"site 0x%llx is outside every section of the image",
				(unsigned long long)a);
			return 0;
		}
		const struct elf_sec *t = &f->secs[*sec];
		if (!elf_is_code(t)) {
			problem(r, rec, off, AT_ADDRESS, 0, a,
				"site 0x%llx is in %s, which is not an executable section",
				(unsigned long long)a, t->name);
			return 0;
		}
		*start = a - t->addr;
	}
	const struct elf_sec *t = &f->secs[*sec];
	if (w->len > t->size - *start) {
		problem(r, rec, off, AT_SECTION, *sec, *start,
			"%u-byte site runs past the end of %s (0x%llx bytes left)", w->len, t->name,
			(unsigned long long)(t->size - *start));
		return 0;
	}
	return 1;
}

static int push_site(struct records *r, size_t *cap, const struct site *s)
{
	if (r->nsites == *cap) {
		size_t nc = *cap ? *cap * 2 : 256;
		struct site *v = realloc(r->sites, nc * sizeof *v);
		if (!v)
			return -1;
		r->sites = v;
		*cap = nc;
	}
	r->sites[r->nsites++] = *s;
	return 0;
}

/* Fields that need no site bytes; 0 if the site's bytes cannot be checked. */
static int check_fields(struct records *r, size_t rec, uint64_t off, const struct raw *w,
			int seen_header)
{
	int usable = 1;
	if (!seen_header)
		problem(r, rec, off, AT_NONE, 0, 0,
			"%s record before any HEADER record: a loader cannot know its ABI version",
			w->kind < PREVIRT_AB_NKINDS ? kname(w->kind) : "site");
	if (w->kind >= PREVIRT_AB_NKINDS) {
		problem(r, rec, off, AT_NONE, 0, 0, "kind %u is not defined (ABI version %u has 1..%u)",
			w->kind, PREVIRT_AB_VERSION, PREVIRT_AB_NKINDS - 1);
		usable = 0;
	}
	if (w->flags & PREVIRT_AB_F_RESERVED)
		problem(r, rec, off, AT_NONE, 0, 0, "reserved flag 0x80 is set (flags 0x%02x)", w->flags);
	if ((w->flags & PREVIRT_AB_F_MODE_MASK) == 0) {
		problem(r, rec, off, AT_NONE, 0, 0,
			"code size bits are 0 (flags 0x%02x): must be 1, 2 or 3 (16, 32, 64-bit)",
			w->flags);
		usable = 0;
	}
	if ((w->flags & PREVIRT_AB_F_SHADOW) && w->kind != K(STI))
		problem(r, rec, off, AT_NONE, 0, 0, "SHADOW flag on a %s record (only STI may have it)",
			w->kind < PREVIRT_AB_NKINDS ? kname(w->kind) : "?");
	if (w->len < PREVIRT_AB_MIN_SITE)
		problem(r, rec, off, AT_NONE, 0, 0, "site length %u is below the ABI minimum %u",
			w->len, PREVIRT_AB_MIN_SITE);
	if (w->insn_len == 0 || w->insn_len > w->len) {
		problem(r, rec, off, AT_NONE, 0, 0, "insn_len %u is outside 1..len (%u)", w->insn_len,
			w->len);
		usable = 0;
	}
	return usable;
}

static int read_section(struct ctx *c, size_t *cap, char *err, size_t errsz)
{
	struct records *r = c->r;
	const struct elf_file *f = c->f;
	const struct elf_sec *ab = c->ab;
	size_t base = r->nrecords;
	size_t n = ab->size / PREVIRT_AB_RECORD_SIZE;
	int trailing = ab->size % PREVIRT_AB_RECORD_SIZE != 0;
	size_t total = base + n + (size_t)trailing;
	unsigned char *bad = realloc(r->bad, total ? total : 1);
	if (!bad) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	memset(bad + base, 0, total - base);
	r->bad = bad;
	r->nrecords = total;
	if (f->type == ET_REL && elf_relocs(f, ab->idx, &c->rels, &c->nrels, err, errsz))
		return -1;
	if (trailing)
		problem(r, base + n, n * PREVIRT_AB_RECORD_SIZE, AT_NONE, 0, 0,
			"%s is %llu bytes, not a multiple of %u: the last %llu bytes are a "
			"truncated record", ab->name, (unsigned long long)ab->size,
			PREVIRT_AB_RECORD_SIZE, (unsigned long long)(ab->size % PREVIRT_AB_RECORD_SIZE));
	int seen_header = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t off = i * PREVIRT_AB_RECORD_SIZE;
		size_t rec = base + i;
		struct raw w;
		read_raw(ab->data + off, &w);
		const struct elf_rel *rl = NULL;
		int nrel = f->type == ET_REL ? rels_for(c, rec, off, &rl) : 0;
		if (w.kind == K(HEADER)) {
			r->nheaders++;
			seen_header = 1;
			check_header(c, rec, off, &w, nrel);
			continue;
		}
		r->nsiterecords++;
		struct site s = {rec, off, 0, 0, 0, NO_SHADOW, w.kind, w.flags, w.insn_len, 0, 1};
		size_t first = r->nprobs;
		int usable = check_fields(r, rec, off, &w, seen_header);
		if (!locate(c, rec, off, &w, rl, nrel, &s.sec, &s.start))
			continue;
		/* the problems found before the site was known get its address too */
		for (size_t k = first; k < r->nprobs; k++)
			if (r->probs[k].where == AT_NONE) {
				r->probs[k].where = AT_SECTION;
				r->probs[k].sec = s.sec;
				r->probs[k].off = s.start;
			}
		if (!usable)
			continue;
		static const int bits[4] = {0, 16, 32, 64};
		s.bits = bits[w.flags & PREVIRT_AB_F_MODE_MASK];
		s.end = s.start + w.len;
		s.ok = !r->bad[rec];
		if (push_site(r, cap, &s)) {
			snprintf(err, errsz, "out of memory");
			return -1;
		}
	}
	/* stray relocations after the last whole record */
	const struct elf_rel *rl;
	if (f->type == ET_REL && n)
		rels_for(c, base + n - 1, (n - 1) * PREVIRT_AB_RECORD_SIZE, &rl);
	free(c->rels);
	c->rels = NULL;
	c->nrels = c->nextrel = 0;
	return 0;
}

static int cmp_site(const void *a, const void *b)
{
	const struct site *x = a, *y = b;
	if (x->sec != y->sec)
		return x->sec < y->sec ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->rec < y->rec ? -1 : x->rec > y->rec;
}

static void check_overlaps(struct records *r, const struct elf_file *f, const struct symidx *x)
{
	for (size_t i = 1; i < r->nsites; i++) {
		struct site *a = &r->sites[i - 1], *b = &r->sites[i];
		if (a->sec != b->sec || b->start >= a->end)
			continue;
		char pa[160];
		symidx_place(pa, sizeof pa, f, x, a->sec, a->start);
		records_site_problem(r, b, "site overlaps the %u-byte site of record #%zu at %s",
				     (unsigned)(a->end - a->start), a->rec, pa);
	}
}

/* The site's bytes: the instruction, the shadowed one, then padding only. */
static void check_bytes(struct records *r, const struct elf_file *f, const struct secmodes *modes,
			struct site *s)
{
	const struct elf_sec *sec = &f->secs[s->sec];
	const uint8_t *p = sec->data;
	const struct mode_range *m = modes_at(&modes[s->sec], s->start);
	if (m->bits != (int)s->bits)
		records_site_problem(r, s, "record says %d-bit code, but %s is %d-bit code here%s%s",
				     s->bits, sec->name, m->bits, m->why ? ": " : "",
				     m->why ? m->why : "");
	if (strcmp(sec->name, ".altinstr_replacement") == 0)
		records_site_problem(r, s, "site in .altinstr_replacement, which is copied over "
				     "the original at run time and never runs in place");
	/* No INIT-flag check against the image's sections: the flag reflects
	 * the object's section, and the linker script may move sections into
	 * .init.text by configuration (Linux merges .meminit.text there
	 * without memory hotplug); a missing INIT flag only means the site is
	 * kept as permanent, which is safe. */
	struct insn in;
	sens_decode(s->bits, p + s->start, s->end - s->start, sec->addr + s->start, &in);
	if (in.len == 0) {
		records_site_problem(r, s, "%s site: the bytes at its start do not decode as "
				     "%d-bit code", kname(s->kind), s->bits);
		return;
	}
	if (in.len != s->insn_len) {
		records_site_problem(r, s, "%s site decodes as `%s` (%u bytes), record says "
				     "insn_len %u", kname(s->kind), in.text, in.len, s->insn_len);
		return;
	}
	if (!sens_kind_matches(s->kind, &in)) {
		records_site_problem(r, s, "%s record, but the site holds `%s` (%s)", kname(s->kind),
				     in.text, in.kind ? kname(in.kind) : "not a sensitive instruction");
		return;
	}
	uint64_t pad = s->start + in.len;
	if (s->flags & PREVIRT_AB_F_SHADOW) {
		struct insn sh;
		sens_decode(s->bits, p + pad, s->end - pad, sec->addr + pad, &sh);
		if (sh.len == 0 || !sens_is_shadow_partner(sh.kind)) {
			records_site_problem(r, s, "SHADOW site: `%s` after sti is not hlt, sysexit, "
					     "sysret or mwait", sh.len ? sh.text : "(undecodable)");
			return;
		}
		s->shadow = pad;
		pad += sh.len;
	}
	for (uint64_t pos = pad; pad < s->end;) {
		unsigned k = previrt_ab_pad_at(s->kind, p + s->start, (unsigned)(pos - s->start),
					       (unsigned)(pad - s->start), (unsigned)(s->end - s->start));
		if (!k) {
			char hex[64] = "";
			size_t h = 0;
			for (uint64_t q = pad; q < s->end && h + 4 < sizeof hex; q++)
				h += (size_t)snprintf(hex + h, sizeof hex - h, "%s%02x", q > pad ? " " : "",
						      p[q]);
			records_site_problem(r, s, "%s site padding at +%llu is `%s`, not one of the "
					     "afterburner's padding patterns", kname(s->kind),
					     (unsigned long long)(pad - s->start), hex);
			return;
		}
		pad += k;
	}
}

int records_read(struct records *r, const struct elf_file *f, const struct symidx *x,
		 const struct secmodes *modes, char *err, size_t errsz)
{
	memset(r, 0, sizeof *r);
	size_t cap = 0;
	for (size_t i = 1; i < f->nsecs; i++) {
		const struct elf_sec *ab = &f->secs[i];
		if (strcmp(ab->name, PREVIRT_AB_SECTION) != 0)
			continue;
		r->present = 1;
		if (!ab->data) {
			unsigned char *bad = realloc(r->bad, r->nrecords + 1);
			if (!bad) {
				snprintf(err, errsz, "out of memory");
				return -1;
			}
			r->bad = bad;
			r->bad[r->nrecords++] = 0;
			problem(r, r->nrecords - 1, 0, AT_NONE, 0, 0,
				"%s (section %zu) has no contents in the file", ab->name, i);
			continue;
		}
		struct ctx c = {r, f, ab, NULL, 0, 0};
		if (read_section(&c, &cap, err, errsz))
			return -1;
	}
	if (r->nsites)
		qsort(r->sites, r->nsites, sizeof *r->sites, cmp_site);
	check_overlaps(r, f, x);
	for (size_t i = 0; i < r->nsites; i++)
		check_bytes(r, f, modes, &r->sites[i]);
	if (r->oom) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	return 0;
}

void records_finish(struct records *r)
{
	/* Problems come mostly in record order already; a stable insertion
	 * sort groups them by record and keeps the order they were found in. */
	for (size_t i = 1; i < r->nprobs; i++) {
		struct problem t = r->probs[i];
		size_t j = i;
		while (j > 0 && r->probs[j - 1].rec > t.rec) {
			r->probs[j] = r->probs[j - 1];
			j--;
		}
		r->probs[j] = t;
	}
	r->ninvalid = 0;
	for (size_t i = 0; i < r->nrecords; i++)
		r->ninvalid += r->bad[i];
}

void records_free(struct records *r)
{
	free(r->sites);
	free(r->probs);
	free(r->bad);
	memset(r, 0, sizeof *r);
}

/* Index of the first site of section sec at or after off. */
static size_t lower(const struct records *r, unsigned sec, uint64_t off)
{
	size_t lo = 0, hi = r->nsites;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct site *s = &r->sites[mid];
		if (s->sec < sec || (s->sec == sec && s->start < off))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct site *records_site_at(const struct records *r, unsigned sec, uint64_t off,
				   int *shadowed)
{
	size_t i = lower(r, sec, off);
	*shadowed = 0;
	for (size_t k = i; k < r->nsites && r->sites[k].sec == sec && r->sites[k].start == off; k++)
		if (r->sites[k].ok)
			return &r->sites[k];
	/* the shadowed instruction lies inside the site just before off */
	if (i > 0) {
		const struct site *s = &r->sites[i - 1];
		if (s->ok && s->sec == sec && s->shadow == off) {
			*shadowed = 1;
			return s;
		}
	}
	return NULL;
}

const struct site *records_any_site_at(const struct records *r, unsigned sec, uint64_t off)
{
	size_t i = lower(r, sec, off);
	return i < r->nsites && r->sites[i].sec == sec && r->sites[i].start == off ? &r->sites[i]
										 : NULL;
}
