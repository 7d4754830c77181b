/* Property 1: the records of .afterburn, and the bytes of the sites they
 * describe, follow include/previrt/afterburn.h. */
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "abcheck.h"
#include "previrt/afterburn.h"

struct record {
	int32_t rel;
	unsigned len, insn_len, kind, flags;
	uint64_t off; /* in .afterburn */
};

static const char *kind_name(unsigned kind)
{
	return kind < PREVIRT_AB_NKINDS ? previrt_ab_kind_name[kind] : "?";
}

static void check_header(const struct obj *ab, const struct sec *s, const struct record *r,
			 size_t nrel)
{
	if (nrel)
		report_fail(ab->path, s->name, r->off, "HEADER record has a relocation");
	if ((uint32_t)r->rel != PREVIRT_AB_MAGIC)
		report_fail(ab->path, s->name, r->off, "HEADER magic 0x%08x, expected 0x%08x",
			    (uint32_t)r->rel, PREVIRT_AB_MAGIC);
	if (r->len != PREVIRT_AB_VERSION)
		report_fail(ab->path, s->name, r->off, "HEADER version %u, expected %u", r->len,
			    PREVIRT_AB_VERSION);
	if (r->insn_len || r->flags)
		report_fail(ab->path, s->name, r->off,
			    "HEADER insn_len %u flags 0x%02x, expected 0 and 0", r->insn_len,
			    r->flags);
}

/* Fields that need no site bytes; returns 0 if the record is unusable. */
static int check_fields(const struct obj *ab, const struct sec *s, const struct record *r)
{
	const char *f = ab->path;
	int ok = 1;
	if (r->kind >= PREVIRT_AB_NKINDS) {
		report_fail(f, s->name, r->off, "kind %u out of range 1..%u", r->kind,
			    PREVIRT_AB_NKINDS - 1);
		ok = 0;
	}
	if (r->flags & PREVIRT_AB_F_RESERVED)
		report_fail(f, s->name, r->off, "reserved flag 0x80 set (flags 0x%02x)", r->flags);
	unsigned mode = r->flags & PREVIRT_AB_F_MODE_MASK;
	if (mode != PREVIRT_AB_F_MODE32 && mode != PREVIRT_AB_F_MODE64) {
		report_fail(f, s->name, r->off, "code size bits %u, expected 2 (32) or 3 (64)",
			    mode);
		ok = 0;
	}
	if ((r->flags & PREVIRT_AB_F_SHADOW) && r->kind != PREVIRT_AB_KIND_STI)
		report_fail(f, s->name, r->off, "SHADOW flag on a %s record", kind_name(r->kind));
	if (r->len < PREVIRT_AB_MIN_SITE)
		report_fail(f, s->name, r->off, "site length %u below the minimum %u", r->len,
			    PREVIRT_AB_MIN_SITE);
	if (r->insn_len == 0 || r->insn_len > r->len) {
		report_fail(f, s->name, r->off, "insn_len %u outside 1..len (%u)", r->insn_len,
			    r->len);
		ok = 0;
	}
	return ok;
}

/* Where the record points; returns 0 if it points nowhere usable. */
static int locate(const struct obj *ab, const struct sec *s, const struct record *r,
		  const struct rel *rl, size_t nrel, struct site *st)
{
	const char *f = ab->path;
	if (nrel != 1) {
		report_fail(f, s->name, r->off, "%s record has %zu relocations, expected 1",
			    kind_name(r->kind), nrel);
		return 0;
	}
	if (rl->type != (ab->is64 ? (uint32_t)R_X86_64_PC32 : (uint32_t)R_386_PC32)) {
		report_fail(f, s->name, r->off, "relocation type %u, expected %s", rl->type,
			    ab->is64 ? "R_X86_64_PC32" : "R_386_PC32");
		return 0;
	}
	struct sec *t = sym_sec(ab, &ab->syms[rl->sym]);
	if (!t || !sec_is_code(t)) {
		report_fail(f, s->name, r->off, "site symbol %s is not in a code section",
			    sym_label(ab, &ab->syms[rl->sym]));
		return 0;
	}
	uint64_t start = ab->syms[rl->sym].value + (uint64_t)rl->addend;
	if (start > t->size || r->len > t->size - start) {
		report_fail(f, s->name, r->off, "site %s%s, %u bytes, is outside %s (0x%llx bytes)",
			    t->name, soff((int64_t)start).s, r->len, t->name,
			    (unsigned long long)t->size);
		return 0;
	}
	*st = (struct site){t, start, start + r->insn_len, start + r->len, r->off, r->kind,
			    r->flags, r->insn_len};
	return 1;
}

/* Placement flags that say less than the section does only make a VMM
 * more careful (a site in init code kept as permanent, early handling for
 * code that never runs early): counted as notes. */
struct placement_notes {
	unsigned long init_missing, early_extra;
};

static void check_placement(const struct obj *ab, const struct site *st,
			    struct placement_notes *pn)
{
	const char *n = st->sec->name;
	unsigned long long rec = st->recoff;
	if (strcmp(n, ".altinstr_replacement") == 0)
		report_fail(ab->path, n, st->start,
			    "site (record .afterburn+0x%llx) in alternative replacement code, "
			    "which is copied at run time and never runs in place",
			    rec);
	if (st->sec->flags & SHF_GROUP)
		report_fail(ab->path, n, st->start,
			    "site (record .afterburn+0x%llx) in a section group member: if the "
			    "linker discards the group, the record refers to a discarded section",
			    rec);
	int head = strcmp(n, ".head.text") == 0;
	int init = head || strncmp(n, ".init.", 6) == 0;
	int has_init = !!(st->flags & PREVIRT_AB_F_INIT);
	int has_early = !!(st->flags & PREVIRT_AB_F_EARLY);
	if (has_init && !init)
		report_fail(ab->path, n, st->start,
			    "INIT flag set outside init code (record .afterburn+0x%llx)", rec);
	if (has_early < head)
		report_fail(ab->path, n, st->start,
			    "EARLY flag missing in .head.text (record .afterburn+0x%llx)", rec);
	pn->init_missing += has_init < init;
	pn->early_extra += has_early > head;
}

/* The instruction(s) of the site; moves pad_start past a shadowed one. */
static void check_site_insns(const struct obj *ab, struct site *st, int bits)
{
	const char *f = ab->path, *n = st->sec->name;
	const uint8_t *p = st->sec->data;
	struct insn in;
	sens_decode(bits, p + st->start, st->end - st->start, st->start, &in);
	if (in.len != st->insn_len)
		report_fail(f, n, st->start,
			    "%s site decodes as `%s` (%u bytes), record says %u bytes",
			    kind_name(st->kind), in.text, in.len, st->insn_len);
	else if (!kind_matches(st->kind, &in))
		report_fail(f, n, st->start, "%s site holds `%s`, not a %s instruction",
			    kind_name(st->kind), in.text, kind_name(st->kind));
	else if ((st->flags & PREVIRT_AB_F_PREFIXED) && in.npfx == 0)
		report_fail(f, n, st->start,
			    "%s site has the PREFIXED flag, but `%s` has no prefix",
			    kind_name(st->kind), in.text);
	if (!(st->flags & PREVIRT_AB_F_SHADOW))
		return;
	sens_decode(bits, p + st->pad_start, st->end - st->pad_start, st->pad_start, &in);
	if (in.len == 0 || !sens_is_shadow_partner(in.kind)) {
		report_fail(f, n, st->pad_start,
			    "SHADOW site: `%s` after sti is not hlt, sysexit, sysret or mwait",
			    in.text);
		return;
	}
	st->pad_start += in.len;
}

static void check_padding(const struct obj *ab, const struct site *st)
{
	const uint8_t *p = st->sec->data;
	for (uint64_t pos = st->pad_start; pos < st->end;) {
		unsigned k = previrt_ab_pad_at(st->kind, p + st->start,
					       (unsigned)(st->pad_start - st->start),
					       (unsigned)(pos - st->start), (unsigned)(st->end - st->start));
		if (!k) {
			char hex[64];
			hex_bytes(hex, sizeof hex, p + pos, st->end - pos);
			report_fail(ab->path, st->sec->name, pos,
				    "%s site padding: `%s` is not the afterburner's padding "
				    "(site 0x%llx..0x%llx)",
				    kind_name(st->kind), hex, (unsigned long long)st->start,
				    (unsigned long long)st->end);
			return;
		}
		pos += k;
	}
}

static int cmp_site(const void *a, const void *b)
{
	const struct site *x = a, *y = b;
	if (x->sec->idx != y->sec->idx)
		return x->sec->idx < y->sec->idx ? -1 : 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* Drops sites that overlap an earlier one, so later checks see a clean list. */
static void drop_overlaps(const struct obj *ab, struct sites *ss)
{
	size_t k = 0;
	for (size_t i = 0; i < ss->n; i++) {
		const struct site *c = &ss->v[i];
		if (k && ss->v[k - 1].sec == c->sec && c->start < ss->v[k - 1].end) {
			report_fail(ab->path, c->sec->name, c->start,
				    "site (record .afterburn+0x%llx) overlaps site 0x%llx..0x%llx "
				    "(record .afterburn+0x%llx)",
				    (unsigned long long)c->recoff,
				    (unsigned long long)ss->v[k - 1].start,
				    (unsigned long long)ss->v[k - 1].end,
				    (unsigned long long)ss->v[k - 1].recoff);
			continue;
		}
		ss->v[k++] = *c;
	}
	ss->n = k;
}

static void read_record(const uint8_t *p, uint64_t off, struct record *r)
{
	uint32_t rel = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
		       (uint32_t)p[3] << 24;
	*r = (struct record){(int32_t)rel, p[4], p[5], p[6], p[7], off};
}

static void check_stray_relocs(const struct obj *ab, const struct sec *s)
{
	for (size_t i = 0; i < s->nrels; i++)
		if (s->rels[i].off % PREVIRT_AB_RECORD_SIZE)
			report_fail(ab->path, s->name, s->rels[i].off,
				    "relocation (type %u) is not at a record's rel field",
				    s->rels[i].type);
}

/* The records of one .afterburn section, appended to out. */
static void check_section(struct obj *ab, const struct sec *s, struct sites *out)
{
	if (s->type != SHT_PROGBITS || s->flags != SHF_ALLOC || s->align < 4 || s->align % 4)
		report_fail(ab->path, s->name, NO_OFF,
			    "type %u flags 0x%llx alignment %llu, expected PROGBITS, \"a\", 4",
			    s->type, (unsigned long long)s->flags, (unsigned long long)s->align);
	if (!s->data)
		return;
	if (s->size % PREVIRT_AB_RECORD_SIZE)
		report_fail(ab->path, s->name, s->size - s->size % PREVIRT_AB_RECORD_SIZE,
			    "section size %llu is not a multiple of %u; trailing %llu bytes",
			    (unsigned long long)s->size, PREVIRT_AB_RECORD_SIZE,
			    (unsigned long long)(s->size % PREVIRT_AB_RECORD_SIZE));
	check_stray_relocs(ab, s);
	int seen_header = 0;
	for (uint64_t off = 0; off + PREVIRT_AB_RECORD_SIZE <= s->size;
	     off += PREVIRT_AB_RECORD_SIZE) {
		struct record r;
		read_record(s->data + off, off, &r);
		const struct rel *rl;
		size_t nrel = rels_at(s, r.off, &rl);
		if (r.kind == PREVIRT_AB_KIND_HEADER) {
			check_header(ab, s, &r, nrel);
			seen_header = 1;
			continue;
		}
		out->nrecords++;
		if (!seen_header)
			report_fail(ab->path, s->name, r.off, "%s record before any HEADER",
				    kind_name(r.kind));
		if (check_fields(ab, s, &r) && locate(ab, s, &r, rl, nrel, &out->v[out->n]))
			out->n++;
	}
}

void check_records(struct obj *ab, struct sites *out)
{
	memset(out, 0, sizeof *out);
	size_t n = 0;
	for (size_t k = 1; k < ab->nsecs; k++)
		if (strcmp(ab->secs[k].name, PREVIRT_AB_SECTION) == 0)
			n += ab->secs[k].size / PREVIRT_AB_RECORD_SIZE;
	out->v = calloc(n ? n : 1, sizeof *out->v);
	if (!out->v) {
		report_fail(ab->path, PREVIRT_AB_SECTION, NO_OFF, "out of memory");
		return;
	}
	for (size_t k = 1; k < ab->nsecs; k++)
		if (strcmp(ab->secs[k].name, PREVIRT_AB_SECTION) == 0)
			check_section(ab, &ab->secs[k], out);
	qsort(out->v, out->n, sizeof *out->v, cmp_site);
	drop_overlaps(ab, out);
	struct placement_notes pn = {0};
	for (size_t i = 0; i < out->n; i++) {
		struct site *st = &out->v[i];
		check_placement(ab, st, &pn);
		int bits = (st->flags & PREVIRT_AB_F_MODE_MASK) == PREVIRT_AB_F_MODE64 ? 64 : 32;
		check_site_insns(ab, st, bits);
		check_padding(ab, st);
	}
	if (pn.init_missing)
		report_note(ab->path, "%lu sites in init code without the INIT flag",
			    pn.init_missing);
	if (pn.early_extra)
		report_note(ab->path, "%lu sites outside .head.text with the EARLY flag",
			    pn.early_extra);
}
