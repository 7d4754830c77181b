/* Properties 2 (relocations), 3 and 4: everything outside the instruction
 * streams is unchanged, except that references into code follow the offset
 * map built by stream.c. */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abcheck.h"
#include "previrt/afterburn.h"

/* Linux 6.1 struct alt_instr: instr_offset, repl_offset, cpuid, instrlen,
 * replacementlen.  instrlen spans the original instruction(s), so it grows
 * with their site padding (and the alternative's own NOP padding shrinks). */
#define ALT_ENTRY 12u
#define ALT_INSTRLEN 10u

static int compared(const struct sec *s)
{
	return s->idx && ((s->flags & SHF_ALLOC) || sec_is_code(s)) &&
	       strcmp(s->name, PREVIRT_AB_SECTION) != 0;
}

static int is_eh_frame(const struct sec *s)
{
	return strcmp(s->name, ".eh_frame") == 0 && !sec_is_code(s);
}

static void check_attributes(const struct obj *ab, const struct sec *so)
{
	const struct sec *sa = so->peer;
	const char *f = ab->path;
	if (sa->type != so->type)
		report_fail(f, sa->name, NO_OFF, "section type %u, expected %u", sa->type,
			    so->type);
	if (sa->flags != so->flags)
		report_fail(f, sa->name, NO_OFF, "section flags 0x%llx, expected 0x%llx",
			    (unsigned long long)sa->flags, (unsigned long long)so->flags);
	if (sa->align != so->align || sa->entsize != so->entsize)
		report_fail(f, sa->name, NO_OFF,
			    "alignment %llu entsize %llu, expected %llu and %llu",
			    (unsigned long long)sa->align, (unsigned long long)sa->entsize,
			    (unsigned long long)so->align, (unsigned long long)so->entsize);
	if (!sec_is_code(so) && !is_eh_frame(so) && sa->size != so->size)
		report_fail(f, sa->name, NO_OFF, "size 0x%llx, expected 0x%llx",
			    (unsigned long long)sa->size, (unsigned long long)so->size);
}

static int alt_instrlen(const struct sec *s, uint64_t off)
{
	return strcmp(s->name, ".altinstructions") == 0 && off % ALT_ENTRY == ALT_INSTRLEN;
}

/* The code an alt_instr entry's instr_offset field (at `field`) points to. */
static int alt_instr(const struct obj *o, const struct sec *s, uint64_t field,
		     const struct sec **code, uint64_t *start)
{
	const struct rel *r;
	if (rels_at(s, field, &r) != 1)
		return 0;
	*code = sym_sec(o, &o->syms[r->sym]);
	*start = o->syms[r->sym].value + (uint64_t)r->addend;
	return *code && sec_is_code(*code);
}

/* An instrlen that differs must cover the image of ORIG's range. */
static int alt_instrlen_ok(const struct obj *orig, const struct sec *so, const struct obj *ab,
			   uint64_t off)
{
	const struct sec *co, *ca;
	uint64_t bo, ba, entry = off - ALT_INSTRLEN;
	return alt_instr(orig, so, entry, &co, &bo) && alt_instr(ab, so->peer, entry, &ca, &ba) &&
	       co->peer == ca && map_accepts(co->map, bo + so->data[off], ba + so->peer->data[off]);
}

/* Byte equality outside relocated fields; returns altinstructions notes. */
static unsigned long compare_data(const struct obj *orig, const struct obj *ab,
				  const struct sec *so)
{
	const struct sec *sa = so->peer;
	unsigned long notes = 0;
	if (!so->data || !sa->data || sa->size != so->size)
		return 0;
	for (uint64_t i = 0; i < so->size; i++) {
		if (so->zeroed[i] == sa->zeroed[i])
			continue;
		if (alt_instrlen(so, i)) {
			if (alt_instrlen_ok(orig, so, ab, i))
				notes++;
			else
				report_fail(ab->path, sa->name, i,
					    "alt_instr instrlen %u does not span the image of "
					    "ORIG's %u bytes",
					    sa->data[i], so->data[i]);
			continue;
		}
		uint64_t e = i;
		while (++e < so->size && so->zeroed[e] != sa->zeroed[e] && !alt_instrlen(so, e))
			;
		char ho[64], ha[64];
		hex_bytes(ho, sizeof ho, so->data + i, e - i);
		hex_bytes(ha, sizeof ha, sa->data + i, e - i);
		report_fail(ab->path, sa->name, i, "data differs: found [%s], expected [%s]",
			    ha, ho);
		i = e - 1;
	}
	return notes;
}

/* Where a field of ORIG section so lies in its AFTERBURNT peer. */
static int map_field(const struct sec *so, uint64_t off, uint64_t *out)
{
	if (sec_is_code(so))
		return map_off(so->map, off, out);
	if (is_eh_frame(so))
		return map_entry_field(so->map, off, out);
	*out = off;
	return 1;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* Calls fn for every offset of an ORIG data section that a relocation
 * refers to: as S+A, and for PC-relative fields of instructions also as
 * S+A+(end of instruction - field), the operand's real target. */
static void each_anchor(struct obj *orig, void (*fn)(struct sec *, uint64_t))
{
	for (size_t k = 1; k < orig->nsecs; k++) {
		const struct sec *s = &orig->secs[k];
		for (size_t i = 0; i < s->nrels; i++) {
			const struct rel *r = &s->rels[i];
			struct sec *t = sym_sec(orig, &orig->syms[r->sym]);
			uint64_t v = orig->syms[r->sym].value + (uint64_t)r->addend, oend, aend;
			if (!t || sec_is_code(t))
				continue;
			fn(t, v);
			if (r->pcrel && sec_is_code(s) &&
			    map_insn_end(s->map, r->off, &oend, &aend))
				fn(t, v + (oend - r->off));
		}
	}
}

static void count_anchor(struct sec *t, uint64_t v)
{
	(void)v;
	t->nanchors++;
}

static void put_anchor(struct sec *t, uint64_t v)
{
	if (t->anchors)
		t->anchors[t->nanchors++] = v;
}

/* The bases "label - base" differences in data may be taken against: gas
 * turns ".long .L5-.L4" (a PIC jump table entry, .L4 the table) into a
 * PC-relative relocation whose addend includes the field's distance from
 * .L4, and the code that indexes the table refers to .L4. */
static void collect_anchors(struct obj *orig)
{
	each_anchor(orig, count_anchor);
	for (size_t k = 1; k < orig->nsecs; k++) {
		struct sec *t = &orig->secs[k];
		t->anchors = t->nanchors ? malloc(t->nanchors * sizeof *t->anchors) : NULL;
		t->nanchors = 0;
	}
	each_anchor(orig, put_anchor);
	for (size_t k = 1; k < orig->nsecs; k++) {
		struct sec *t = &orig->secs[k];
		if (t->anchors)
			qsort(t->anchors, t->nanchors, sizeof *t->anchors, cmp_u64);
	}
}

/* The largest anchor of s at or below off. */
static int anchor_below(const struct sec *s, uint64_t off, uint64_t *base)
{
	size_t lo = 0, hi = s->nanchors;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->anchors[mid] <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return 0;
	*base = s->anchors[lo - 1];
	return 1;
}

/* A target of a reference into code, read in both objects. */
struct reading {
	uint64_t o, a; /* wrapping: addends are arbitrary */
};

/* A reference into code: its target moves with the offset map.  A
 * PC-relative field in an instruction may aim at S+A+(end of instruction -
 * field), as branches and RIP-relative operands do, or at S+A itself, as
 * ".long label - ." data does, or, in data, at S+A-(field - base) for a
 * "label - base" difference; one of the readings must agree with the map.
 * Returns 1 if one does; otherwise *r is the likelier reading. */
static int code_target_ok(const struct obj *orig, const struct rel *ro, const struct sec *so,
			  const struct obj *ab, const struct rel *ra, const struct sec *tso,
			  struct reading *r)
{
	struct reading v[3];
	size_t n = 0;
	uint64_t to = orig->syms[ro->sym].value + (uint64_t)ro->addend;
	uint64_t ta = ab->syms[ra->sym].value + (uint64_t)ra->addend;
	uint64_t oend, aend, base;
	if (ro->pcrel && sec_is_code(so) && map_insn_end(so->map, ro->off, &oend, &aend))
		v[n++] = (struct reading){to + (oend - ro->off), ta + (aend - ra->off)};
	if (ro->pcrel && !sec_is_code(so) && anchor_below(so, ro->off, &base) && base < ro->off)
		v[n++] = (struct reading){to - (ro->off - base), ta - (ro->off - base)};
	v[n++] = (struct reading){to, ta};
	for (size_t i = 0; i < n; i++)
		if (map_accepts(tso->map, v[i].o, v[i].a))
			return 1;
	*r = v[0];
	return 0;
}

static void compare_rel(const struct obj *orig, const struct rel *ro, const struct sec *so,
			const struct obj *ab, const struct rel *ra, const struct sec *sa)
{
	const char *f = ab->path;
	const struct elf_sym *yo = &orig->syms[ro->sym], *ya = &ab->syms[ra->sym];
	const char *lo = sym_label(orig, yo), *la = sym_label(ab, ya);
	if (ra->type != ro->type)
		report_fail(f, sa->name, ra->off, "relocation type %u, expected %u", ra->type,
			    ro->type);
	if (strcmp(lo, la) != 0 || (yo->type == STT_SECTION) != (ya->type == STT_SECTION)) {
		report_fail(f, sa->name, ra->off, "relocation against %s, expected %s", la, lo);
		return;
	}
	const struct sec *tso = sym_sec(orig, yo), *tsa = sym_sec(ab, ya);
	if ((tso || tsa) && (!tso || tso->peer != tsa)) {
		report_fail(f, sa->name, ra->off, "relocation symbol %s is in %s, expected %s", la,
			    tsa ? tsa->name : "no section", tso ? tso->name : "no section");
		return;
	}
	if (!tso || !sec_is_code(tso)) {
		if (ra->addend != ro->addend)
			report_fail(f, sa->name, ra->off,
				    "relocation against %s: addend %s, expected %s", la,
				    soff(ra->addend).s, soff(ro->addend).s);
		return;
	}
	struct reading r;
	uint64_t want;
	if (code_target_ok(orig, ro, so, ab, ra, tso, &r))
		return;
	if (map_diverged(tso->map, r.o))
		report_skipped();
	else if (map_off(tso->map, r.o, &want))
		report_fail(f, sa->name, ra->off,
			    "relocation against %s aims at %s%s, expected %s+0x%llx "
			    "(image of ORIG %s%s)",
			    la, tsa->name, soff((int64_t)r.a).s, tsa->name,
			    (unsigned long long)want, tso->name, soff((int64_t)r.o).s);
	else
		report_fail(f, sa->name, ra->off,
			    "relocation against %s: ORIG target %s%s is not an instruction "
			    "boundary with an image",
			    la, tso->name, soff((int64_t)r.o).s);
}

static void describe_missing(const struct obj *o, const struct rel *r, char *buf, size_t n)
{
	snprintf(buf, n, "type %u against %s%s", r->type, sym_label(o, &o->syms[r->sym]),
		 soff(r->addend).s);
}

/* Relocations past a divergence of the instruction streams cannot be
 * paired; the divergence is the failure. */
static size_t paired_rels(const struct sec *s, uint64_t limit)
{
	size_t n = 0;
	while (n < s->nrels && s->rels[n].off < limit)
		n++;
	if (n < s->nrels)
		report_skipped();
	return n;
}

/* Pairs relocations by mapped field offset; returns how many ORIG has. */
static unsigned long compare_relocs(const struct obj *orig, const struct sec *so,
				    const struct obj *ab)
{
	const struct sec *sa = so->peer;
	const struct secmap *m = so->map;
	size_t no = m ? paired_rels(so, m->limit) : so->nrels;
	size_t na = m ? paired_rels(sa, m->alimit) : sa->nrels;
	size_t i = 0, j = 0;
	char d[160];
	/* the map is monotonic, so mapped offsets keep ORIG's sorted order */
	while (i < no || j < na) {
		uint64_t mo = 0;
		if (i < no && !map_field(so, so->rels[i].off, &mo)) {
			describe_missing(orig, &so->rels[i], d, sizeof d);
			report_fail(orig->path, so->name, so->rels[i].off,
				    "relocated field (%s) has no image in AFTERBURNT", d);
			i++;
			continue;
		}
		if (j >= na || (i < no && mo < sa->rels[j].off)) {
			describe_missing(orig, &so->rels[i], d, sizeof d);
			report_fail(ab->path, sa->name, mo,
				    "relocation missing: %s (ORIG %s+0x%llx)", d, so->name,
				    (unsigned long long)so->rels[i].off);
			i++;
		} else if (i >= no || sa->rels[j].off < mo) {
			describe_missing(ab, &sa->rels[j], d, sizeof d);
			report_fail(ab->path, sa->name, sa->rels[j].off,
				    "unexpected relocation: %s", d);
			j++;
		} else {
			compare_rel(orig, &so->rels[i++], so, ab, &sa->rels[j++], sa);
		}
	}
	return so->nrels;
}

unsigned long check_sections(struct obj *orig, struct obj *ab)
{
	unsigned long nrel = 0, alt_notes = 0;
	collect_anchors(orig);
	for (size_t k = 1; k < orig->nsecs; k++) {
		struct sec *so = &orig->secs[k];
		if (!compared(so))
			continue;
		if (!so->peer) {
			report_fail(ab->path, so->name, NO_OFF, "section of ORIG is missing");
			continue;
		}
		check_attributes(ab, so);
		if (is_eh_frame(so))
			check_eh_frame(orig, so, ab);
		else if (!sec_is_code(so))
			alt_notes += compare_data(orig, ab, so);
		nrel += compare_relocs(orig, so, ab);
	}
	for (size_t k = 1; k < ab->nsecs; k++)
		if (compared(&ab->secs[k]) && !ab->secs[k].peer)
			report_fail(ab->path, ab->secs[k].name, NO_OFF, "section not in ORIG");
	if (alt_notes)
		report_note(ab->path, ".altinstructions: %lu instrlen bytes differ", alt_notes);
	return nrel;
}

/* --- symbols ------------------------------------------------------------- */

struct named {
	const char *name;
	size_t idx;
};

static int cmp_named(const void *a, const void *b)
{
	const struct named *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

/* Named symbols by (name, index): equal names pair in symbol-table order. */
static struct named *sorted_names(const struct obj *o, size_t *n)
{
	struct named *v = calloc(o->nsyms ? o->nsyms : 1, sizeof *v);
	*n = 0;
	if (!v)
		return NULL;
	for (size_t i = 1; i < o->nsyms; i++)
		if (o->syms[i].type != STT_SECTION && o->syms[i].type != STT_FILE &&
		    o->syms[i].name[0])
			v[(*n)++] = (struct named){o->syms[i].name, i};
	qsort(v, *n, sizeof *v, cmp_named);
	return v;
}

static void compare_sym(const struct obj *orig, const struct elf_sym *yo, const struct obj *ab,
			const struct elf_sym *ya)
{
	const struct sec *so = sym_sec(orig, yo), *sa = sym_sec(ab, ya);
	const char *f = ab->path, *where = sa ? sa->name : "(no section)";
	if (yo->bind != ya->bind || yo->type != ya->type || yo->other != ya->other)
		report_fail(f, where, ya->value,
			    "symbol %s: bind/type/other %u/%u/%u, expected %u/%u/%u", yo->name,
			    ya->bind, ya->type, ya->other, yo->bind, yo->type, yo->other);
	if (so->peer != sa) {
		report_fail(f, where, ya->value, "symbol %s is in %s, expected %s", yo->name, where,
			    so->name);
		return;
	}
	uint64_t want = yo->value;
	if (sec_is_code(so) && map_accepts(so->map, yo->value, ya->value))
		want = ya->value;
	else if (sec_is_code(so) && !map_off(so->map, yo->value, &want)) {
		if (map_diverged(so->map, yo->value)) {
			report_skipped();
			return;
		}
		report_fail(orig->path, so->name, yo->value,
			    "symbol %s: value has no image in AFTERBURNT", yo->name);
		return;
	}
	if (ya->value != want)
		report_fail(f, where, ya->value, "symbol %s: value 0x%llx, expected 0x%llx%s",
			    yo->name, (unsigned long long)ya->value, (unsigned long long)want,
			    sec_is_code(so) ? " (image of the ORIG value)" : "");
	if (!sec_is_code(so) && ya->size != yo->size)
		report_fail(f, where, ya->value, "symbol %s: size %llu, expected %llu", yo->name,
			    (unsigned long long)ya->size, (unsigned long long)yo->size);
}

static int checked_sym(const struct obj *o, const struct elf_sym *y)
{
	const struct sec *s = sym_sec(o, y);
	return s && compared(s);
}

void check_symbols(struct obj *orig, struct obj *ab)
{
	size_t no, na;
	struct named *vo = sorted_names(orig, &no), *va = sorted_names(ab, &na);
	if (!vo || !va) {
		report_fail(ab->path, ".symtab", NO_OFF, "out of memory");
		free(vo);
		free(va);
		return;
	}
	size_t i = 0, j = 0;
	while (i < no || j < na) {
		int c = i >= no ? 1 : j >= na ? -1 : strcmp(vo[i].name, va[j].name);
		const struct elf_sym *yo = i < no ? &orig->syms[vo[i].idx] : NULL;
		const struct elf_sym *ya = j < na ? &ab->syms[va[j].idx] : NULL;
		if (c < 0) {
			if (checked_sym(orig, yo))
				report_fail(ab->path, ".symtab", NO_OFF,
					    "symbol %s of ORIG is missing", yo->name);
			i++;
		} else if (c > 0) {
			if (checked_sym(ab, ya))
				report_fail(ab->path, sym_sec(ab, ya)->name, ya->value,
					    "symbol %s is not in ORIG", ya->name);
			j++;
		} else {
			if (checked_sym(orig, yo))
				compare_sym(orig, yo, ab, ya);
			i++;
			j++;
		}
	}
	free(vo);
	free(va);
}
