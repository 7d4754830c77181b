/* Linear sweep of every executable section.
 *
 * A linear sweep desynchronises on data in text; it resynchronises at the
 * next point known to start an instruction.  Those points are: every named
 * symbol (functions, and the NOTYPE labels that SYM_CODE_START gives kernel
 * assembly entry points), every mode change, and the start of every site
 * whose record checked out.  An instruction that would run across such a
 * point is cut there and its bytes counted as undecodable.  A site that
 * starts inside an instruction decoded from the previous restart point is
 * invalid, even if its own bytes check out: in compiler output the sweep
 * from a symbol is exact (no instruction of either Linux kernel is cut), so
 * the record is the one that is wrong.  Bytes of an
 * OBJECT symbol inside a code section are data and are skipped.  Bytes
 * capstone cannot decode are counted and stepped over one at a time. */
#include "scan.h"

#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "sensitive.h"

struct span {
	uint64_t start, end;
};

struct offs {
	uint64_t *v;
	size_t n, cap;
};

static int add_off(struct offs *o, uint64_t v)
{
	if (o->n == o->cap) {
		size_t nc = o->cap ? o->cap * 2 : 256;
		uint64_t *w = realloc(o->v, nc * sizeof *w);
		if (!w)
			return -1;
		o->v = w;
		o->cap = nc;
	}
	o->v[o->n++] = v;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static int cmp_span(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* Restart points and data spans of one section. */
static int plan(const struct symidx *x, const struct secmodes *m, const struct records *r,
		unsigned sec, uint64_t size, struct offs *restart, struct span **data, size_t *ndata)
{
	const struct secsyms *ss = symidx_section(x, sec);
	size_t nd = 0, capd = 0;
	*data = NULL;
	for (size_t i = 0; ss && i < ss->n; i++) {
		const struct named *nm = &ss->v[i];
		if (nm->off >= size)
			continue;
		if (nm->type == STT_OBJECT) {
			if (!nm->size)
				continue;
			if (nd == capd) {
				size_t nc = capd ? capd * 2 : 16;
				struct span *v = realloc(*data, nc * sizeof *v);
				if (!v)
					return -1;
				*data = v;
				capd = nc;
			}
			uint64_t end = nm->size < size - nm->off ? nm->off + nm->size : size;
			(*data)[nd++] = (struct span){nm->off, end};
		} else if (add_off(restart, nm->off)) {
			return -1;
		}
	}
	for (size_t i = 0; i < m->n; i++)
		if (add_off(restart, m->v[i].start))
			return -1;
	for (size_t i = 0; i < r->nsites; i++)
		if (r->sites[i].sec == sec && r->sites[i].ok && add_off(restart, r->sites[i].start))
			return -1;
	qsort(restart->v, restart->n, sizeof *restart->v, cmp_u64);
	if (nd)
		qsort(*data, nd, sizeof **data, cmp_span);
	*ndata = nd;
	return 0;
}

static int add_finding(struct scan *s, const struct finding *fd)
{
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 1024;
		struct finding *v = realloc(s->v, nc * sizeof *v);
		if (!v)
			return -1;
		s->v = v;
		s->cap = nc;
	}
	s->v[s->n++] = *fd;
	return 0;
}

/* A site that starts strictly inside a decoded instruction. */
static void inside(struct records *r, const struct elf_file *f, const struct symidx *x,
		   struct site *st, unsigned sec, uint64_t pos, const struct insn *in)
{
	char place[160];
	symidx_place(place, sizeof place, f, x, sec, pos);
	records_site_problem(r, st, "site starts inside an instruction: at byte %llu of the "
			     "%u-byte `%s` at %s", (unsigned long long)(st->start - pos), in->len,
			     in->text, place);
}

static int sweep(struct scan *s, const struct elf_file *f, const struct symidx *x,
		 const struct secmodes *m, struct records *r, unsigned sec)
{
	const struct elf_sec *es = &f->secs[sec];
	const uint8_t *p = es->data;
	uint64_t size = es->size;
	struct offs restart = {0};
	struct span *data = NULL;
	size_t ndata = 0;
	if (plan(x, m, r, sec, size, &restart, &data, &ndata)) {
		free(restart.v);
		free(data);
		return -1;
	}
	/* sites of this section, for the "starts inside an instruction" check */
	size_t si = 0;
	while (si < r->nsites && r->sites[si].sec < sec)
		si++;
	size_t ri = 0, di = 0;
	uint64_t pos = 0;
	s->code_bytes += size;
	while (pos < size) {
		while (di < ndata && data[di].end <= pos)
			di++;
		if (di < ndata && data[di].start <= pos) {
			s->data_bytes += data[di].end - pos;
			pos = data[di].end;
			continue;
		}
		while (ri < restart.n && restart.v[ri] <= pos)
			ri++;
		uint64_t limit = ri < restart.n ? restart.v[ri] : size;
		if (di < ndata && data[di].start < limit)
			limit = data[di].start;
		int bits = modes_at(m, pos)->bits;
		struct insn in;
		sens_decode(bits, p + pos, size - pos, es->addr + pos, &in);
		if (in.len == 0) {
			s->undecodable++;
			pos++;
			continue;
		}
		uint64_t end = pos + in.len;
		while (si < r->nsites && r->sites[si].sec == sec && r->sites[si].start <= pos)
			si++;
		for (size_t k = si; k < r->nsites && r->sites[k].sec == sec && r->sites[k].start < end;
		     k++)
			inside(r, f, x, &r->sites[k], sec, pos, &in);
		if (end > limit) {
			s->undecodable += limit - pos;
			s->cuts++;
			pos = limit;
			continue;
		}
		s->insns++;
		if (in.kind) {
			struct finding fd = {.sec = sec, .off = pos, .len = (unsigned char)in.len,
					     .kind = (unsigned char)in.kind, .bits = (unsigned char)bits,
					     .reason = R_UNKNOWN};
			memcpy(fd.bytes, p + pos, in.len < sizeof fd.bytes ? in.len : sizeof fd.bytes);
			memcpy(fd.text, in.text, sizeof fd.text);
			if (add_finding(s, &fd)) {
				free(restart.v);
				free(data);
				return -1;
			}
		}
		pos = end;
	}
	free(restart.v);
	free(data);
	return 0;
}

/* Which record, if any, covers each finding. */
static void match(struct scan *s, const struct records *r)
{
	for (size_t i = 0; i < s->n; i++) {
		struct finding *fd = &s->v[i];
		int shadowed;
		const struct site *st = records_site_at(r, fd->sec, fd->off, &shadowed);
		if (st && (shadowed || st->kind == fd->kind)) {
			fd->reason = R_ANNOTATED;
			fd->shadowed = (unsigned char)shadowed;
			fd->rec = st->rec;
			continue;
		}
		st = records_any_site_at(r, fd->sec, fd->off);
		if (st && !st->ok) {
			fd->reason = R_INVALID_RECORD;
			fd->rec = st->rec;
		}
	}
}

int scan_image(struct scan *s, const struct elf_file *f, const struct symidx *x,
	       const struct secmodes *modes, struct records *r)
{
	memset(s, 0, sizeof *s);
	for (size_t i = 1; i < f->nsecs; i++)
		if (elf_is_code(&f->secs[i]) && sweep(s, f, x, &modes[i], r, (unsigned)i))
			return -1;
	match(s, r);
	return 0;
}

void scan_free(struct scan *s)
{
	free(s->v);
	memset(s, 0, sizeof *s);
}
