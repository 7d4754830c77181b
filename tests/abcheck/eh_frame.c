/* .eh_frame is the one allocated data section the padding legitimately
 * changes: gas derives it from .cfi_* directives and it encodes code offsets
 * (FDE address ranges, DW_CFA_advance_loc deltas, whose encodings may grow).
 * What must hold instead of byte identity: CIEs, which hold no code offsets,
 * are identical, and each FDE covers the image of the same code and states
 * the same rules at the images of the same locations. */
#include <stdio.h>
#include <string.h>

#include "abcheck.h"

enum { CFA_ADVANCE = 0x100 }; /* all advance_loc forms, normalised */

struct cur {
	const uint8_t *p;
	uint64_t pos, end;
	int bad; /* a read ran past end */
};

static uint64_t get(struct cur *c, unsigned n)
{
	uint64_t v = 0;
	if (c->pos > c->end || n > c->end - c->pos) {
		c->bad = 1;
		c->pos = c->end;
		return 0;
	}
	for (unsigned i = n; i-- > 0;)
		v = v << 8 | c->p[c->pos + i];
	c->pos += n;
	return v;
}

static uint64_t uleb(struct cur *c)
{
	uint64_t v = 0;
	for (unsigned shift = 0; !c->bad; shift += 7) {
		uint8_t b = (uint8_t)get(c, 1);
		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			break;
	}
	return v;
}

static int64_t sleb(struct cur *c)
{
	uint64_t v = 0;
	unsigned shift = 0;
	uint8_t b = 0;
	do {
		b = (uint8_t)get(c, 1);
		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
	} while ((b & 0x80) && !c->bad);
	if (shift < 64 && (b & 0x40))
		v |= ~(uint64_t)0 << shift;
	return (int64_t)v;
}

struct entry {
	uint64_t start, body, end; /* body: after the length field */
	uint32_t id;               /* 0 for a CIE, else the CIE pointer */
	int term;                  /* zero terminator */
};

static int read_entry(const struct sec *s, uint64_t pos, struct entry *e)
{
	struct cur c = {s->data, pos, s->size, 0};
	uint32_t len = (uint32_t)get(&c, 4);
	*e = (struct entry){pos, pos + 4, pos + 4, 0, len == 0};
	if (c.bad || len == 0xffffffffu || (len && len < 4) || len > s->size - pos - 4)
		return -1; /* gas never writes 64-bit DWARF lengths */
	e->end = pos + 4 + len;
	if (len)
		e->id = (uint32_t)get(&c, 4);
	return 0;
}

struct cie {
	uint64_t off, aoff; /* in ORIG and AFTERBURNT */
	uint64_t code_align;
	unsigned enc; /* FDE pointer encoding (augmentation 'R') */
	int z;        /* FDEs carry augmentation data */
};

struct eh {
	const struct obj *orig, *ab;
	struct sec *so;
	const struct sec *sa;
	struct cie cies[64];
	size_t ncies;
};

/* Size of a pointer in DW_EH_PE encoding enc; 0 if variable or unknown. */
static unsigned enc_size(unsigned enc, int is64)
{
	switch (enc & 0x0f) {
	case 0x00: return is64 ? 8 : 4;
	case 0x02: case 0x0a: return 2;
	case 0x03: case 0x0b: return 4;
	case 0x04: case 0x0c: return 8;
	}
	return 0;
}

static int parse_cie(const struct eh *E, const struct entry *e, struct cie *ci)
{
	struct cur c = {E->so->data, e->body + 4, e->end, 0};
	unsigned version = (unsigned)get(&c, 1);
	const char *aug = (const char *)c.p + c.pos;
	const void *nul = c.pos < c.end ? memchr(aug, 0, c.end - c.pos) : NULL;
	if (!nul || (version != 1 && version != 3))
		return -1;
	c.pos += (uint64_t)((const char *)nul - aug) + 1;
	ci->code_align = uleb(&c);
	sleb(&c);
	if (version == 1)
		get(&c, 1);
	else
		uleb(&c);
	ci->enc = 0;
	ci->z = aug[0] == 'z';
	if (ci->z) {
		uleb(&c);
		for (const char *a = aug + 1; *a && !c.bad; a++) {
			if (*a == 'R')
				ci->enc = (unsigned)get(&c, 1);
			else if (*a == 'L')
				get(&c, 1);
			else if (*a == 'P')
				get(&c, enc_size((unsigned)get(&c, 1), E->orig->is64));
			else if (*a != 'S' && *a != 'B')
				return -1;
		}
	} else if (aug[0]) {
		return -1;
	}
	return c.bad || !enc_size(ci->enc, E->orig->is64) ? -1 : 0;
}

static void compare_cie(struct eh *E, const struct entry *eo, const struct entry *ea)
{
	uint64_t n = eo->end - eo->start;
	if (ea->end - ea->start != n ||
	    memcmp(E->so->zeroed + eo->start, E->sa->zeroed + ea->start, n) != 0) {
		report_fail(E->ab->path, E->sa->name, ea->start, "CIE differs from ORIG %s+0x%llx",
			    E->so->name, (unsigned long long)eo->start);
		return;
	}
	struct cie ci = {.off = eo->start, .aoff = ea->start};
	if (parse_cie(E, eo, &ci))
		report_fail(E->orig->path, E->so->name, eo->start, "CIE not understood");
	else if (E->ncies == sizeof E->cies / sizeof E->cies[0])
		report_fail(E->orig->path, E->so->name, eo->start, "more than %zu CIEs",
			    sizeof E->cies / sizeof E->cies[0]);
	else
		E->cies[E->ncies++] = ci;
}

/* The code address an FDE starts at: its relocated pc_begin field. */
static int fde_begin(const struct obj *o, const struct sec *s, uint64_t field,
		     const struct sec **code, uint64_t *begin)
{
	const struct rel *r;
	if (rels_at(s, field, &r) != 1)
		return 0;
	*code = sym_sec(o, &o->syms[r->sym]);
	*begin = o->syms[r->sym].value + (uint64_t)r->addend;
	return *code && sec_is_code(*code);
}

struct cfa_op {
	unsigned op;
	uint64_t a, b, blk, blen, at;
};

static int read_block(struct cur *c, struct cfa_op *o)
{
	o->blen = uleb(c);
	o->blk = c->pos;
	if (o->blen > c->end - c->pos)
		return -1;
	c->pos += o->blen;
	return 0;
}

/* One CFA instruction; advances come back as CFA_ADVANCE with a = delta. */
static int read_op(struct cur *c, struct cfa_op *o)
{
	*o = (struct cfa_op){.at = c->pos};
	uint8_t b = (uint8_t)get(c, 1);
	o->op = b & 0xc0 ? b & 0xc0 : b;
	switch (b >> 6) {
	case 1: o->op = CFA_ADVANCE; o->a = b & 0x3f; return c->bad ? -1 : 0;
	case 2: o->a = b & 0x3f; o->b = uleb(c); return c->bad ? -1 : 0;
	case 3: o->a = b & 0x3f; return c->bad ? -1 : 0;
	}
	switch (b) {
	case 0x02: case 0x03: case 0x04:
		o->op = CFA_ADVANCE;
		o->a = get(c, b == 0x02 ? 1 : b == 0x03 ? 2 : 4);
		break;
	case 0x00: case 0x0a: case 0x0b:
		break;
	case 0x06: case 0x07: case 0x08: case 0x0d: case 0x0e: case 0x2e:
		o->a = uleb(c);
		break;
	case 0x05: case 0x09: case 0x0c: case 0x14: case 0x2f:
		o->a = uleb(c);
		o->b = uleb(c);
		break;
	case 0x11: case 0x12: case 0x15:
		o->a = uleb(c);
		o->b = (uint64_t)sleb(c);
		break;
	case 0x13:
		o->a = (uint64_t)sleb(c);
		break;
	case 0x0f:
		if (read_block(c, o))
			return -1;
		break;
	case 0x10: case 0x16:
		o->a = uleb(c);
		if (read_block(c, o))
			return -1;
		break;
	default: /* DW_CFA_set_loc and unknown opcodes: gas writes neither */
		return -1;
	}
	return c->bad ? -1 : 0;
}

/* The next rule, moving *loc over advances: 1 rule, 0 end, -1 undecodable. */
static int next_rule(struct cur *c, uint64_t code_align, uint64_t *loc, struct cfa_op *o)
{
	while (c->pos < c->end) {
		if (read_op(c, o))
			return -1;
		if (o->op == CFA_ADVANCE)
			*loc += o->a * code_align;
		else if (o->op != 0x00)
			return 1;
	}
	return 0;
}

static int same_rule(const struct eh *E, const struct cfa_op *x, const struct cfa_op *y)
{
	return x->op == y->op && x->a == y->a && x->b == y->b && x->blen == y->blen &&
	       memcmp(E->so->data + x->blk, E->sa->data + y->blk, x->blen) == 0;
}

static void compare_rules(const struct eh *E, struct cur *co, struct cur *ca, uint64_t code_align,
			  const struct sec *code, uint64_t lo, uint64_t la)
{
	const char *f = E->ab->path, *n = E->sa->name;
	for (;;) {
		struct cfa_op x, y;
		int hx = next_rule(co, code_align, &lo, &x),
		    hy = next_rule(ca, code_align, &la, &y);
		if (hx < 0 || hy < 0) {
			report_fail(hx < 0 ? E->orig->path : f, n, hx < 0 ? x.at : y.at,
				    "undecodable call frame instruction");
			return;
		}
		if (!hx && !hy)
			return;
		if (hx != hy || !same_rule(E, &x, &y)) {
			report_fail(f, n, hy ? y.at : ca->pos,
				    "call frame rules differ from ORIG %s+0x%llx", E->so->name,
				    (unsigned long long)(hx ? x.at : co->pos));
			return;
		}
		if (map_accepts(code->map, lo, la))
			continue;
		if (map_diverged(code->map, lo))
			report_skipped();
		else
			report_fail(f, n, y.at,
				    "call frame rule applies at %s+0x%llx, expected the image "
				    "of ORIG %s+0x%llx",
				    code->peer->name, (unsigned long long)la, code->name,
				    (unsigned long long)lo);
	}
}

static const struct cie *cie_of(const struct eh *E, const struct entry *eo, const struct entry *ea)
{
	uint64_t co = eo->body - eo->id, ca = ea->body - ea->id;
	for (size_t i = 0; i < E->ncies; i++)
		if (E->cies[i].off == co)
			return E->cies[i].aoff == ca ? &E->cies[i] : NULL;
	return NULL;
}

static void compare_fde(const struct eh *E, const struct entry *eo, const struct entry *ea)
{
	const char *f = E->ab->path, *n = E->sa->name;
	const struct cie *ci = cie_of(E, eo, ea);
	if (!ci) {
		report_fail(f, n, ea->start, "FDE's CIE is not the image of ORIG's (%s+0x%llx)",
			    E->so->name, (unsigned long long)eo->start);
		return;
	}
	unsigned w = enc_size(ci->enc, E->orig->is64);
	uint64_t fo = eo->body + 4, fa = ea->body + 4, bo, ba;
	const struct sec *co, *ca;
	if (!fde_begin(E->orig, E->so, fo, &co, &bo)) {
		/* not about code of this object: nothing may change */
		if (eo->end - eo->start != ea->end - ea->start ||
		    memcmp(E->so->zeroed + eo->start, E->sa->zeroed + ea->start,
			   eo->end - eo->start) != 0)
			report_fail(f, n, ea->start, "FDE differs from ORIG %s+0x%llx",
				    E->so->name, (unsigned long long)eo->start);
		return;
	}
	if (!fde_begin(E->ab, E->sa, fa, &ca, &ba) || co->peer != ca)
		return; /* the relocation comparison reports what is wrong */
	struct cur xo = {E->so->data, fo + w, eo->end, 0}, xa = {E->sa->data, fa + w, ea->end, 0};
	uint64_t ro = get(&xo, w), ra = get(&xa, w);
	if (map_diverged(co->map, bo + ro)) {
		report_skipped();
		return;
	}
	if (!map_accepts(co->map, bo + ro, ba + ra))
		report_fail(f, n, fa + w,
			    "FDE for %s+0x%llx ends at 0x%llx, expected the image of ORIG "
			    "%s+0x%llx",
			    ca->name, (unsigned long long)ba, (unsigned long long)(ba + ra),
			    co->name, (unsigned long long)(bo + ro));
	if (ci->z) {
		uint64_t lo = uleb(&xo), la = uleb(&xa);
		if (lo != la || lo > xo.end - xo.pos || la > xa.end - xa.pos ||
		    memcmp(E->so->zeroed + xo.pos, E->sa->zeroed + xa.pos, lo) != 0) {
			report_fail(f, n, xa.pos,
				    "FDE augmentation data differs from ORIG %s+0x%llx",
				    E->so->name, (unsigned long long)xo.pos);
			return;
		}
		xo.pos += lo;
		xa.pos += la;
	}
	compare_rules(E, &xo, &xa, ci->code_align, co, bo, ba);
}

/* Pairs one entry at i and j; returns 0 to go on, -1 if the pairing is lost. */
static int pair_entry(struct eh *E, uint64_t i, uint64_t j, struct entry *eo, struct entry *ea)
{
	if (read_entry(E->so, i, eo)) {
		report_fail(E->orig->path, E->so->name, i, "malformed .eh_frame entry");
		return -1;
	}
	if (read_entry(E->sa, j, ea)) {
		report_fail(E->ab->path, E->sa->name, j, "malformed .eh_frame entry");
		return -1;
	}
	int ko = eo->term ? 0 : eo->id ? 2 : 1, ka = ea->term ? 0 : ea->id ? 2 : 1;
	static const char *const what[] = {"terminator", "CIE", "FDE"};
	if (ko != ka) {
		report_fail(E->ab->path, E->sa->name, j, "%s, expected a %s (ORIG %s+0x%llx)",
			    what[ka], what[ko], E->so->name, (unsigned long long)i);
		return -1;
	}
	if (ko == 1)
		compare_cie(E, eo, ea);
	else if (ko == 2)
		compare_fde(E, eo, ea);
	return 0;
}

void check_eh_frame(const struct obj *orig, struct sec *so, const struct obj *ab)
{
	struct eh E = {.orig = orig, .ab = ab, .so = so, .sa = so->peer};
	struct secmap *m = secmap_new(so);
	if (!m || !so->data || !E.sa->data) {
		report_fail(ab->path, so->name, NO_OFF,
			    m ? "section has no contents" : "out of memory");
		return;
	}
	uint64_t i = 0, j = 0;
	while (i < so->size || j < E.sa->size) {
		struct entry eo, ea;
		if (pair_entry(&E, i, j, &eo, &ea) ||
		    secmap_add(m, i, j, eo.end - eo.start, ea.end - ea.start, 0)) {
			m->limit = i;
			m->alimit = j;
			return;
		}
		i = eo.end;
		j = ea.end;
	}
}
