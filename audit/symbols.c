#include "symbols.h"

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* At equal offsets the best name comes first: a sized function beats a
 * label, a label beats a zero-size marker like _stext, globals beat locals. */
static unsigned char rank(const struct elf_sym *s)
{
	unsigned r;
	if (s->type == STT_FUNC && s->size)
		r = 0;
	else if (s->size)
		r = 1;
	else if (s->type == STT_FUNC)
		r = 2;
	else
		r = 3;
	return (unsigned char)(r * 2 + (s->bind == STB_LOCAL));
}

static int useful(const struct elf_sym *s)
{
	if (s->type != STT_FUNC && s->type != STT_OBJECT && s->type != STT_NOTYPE)
		return 0;
	/* .L labels only reach the table by accident and name nothing useful */
	return s->name[0] != 0 && strncmp(s->name, ".L", 2) != 0;
}

static int cmp_named(const void *a, const void *b)
{
	const struct named *x = a, *y = b;
	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return strcmp(x->name, y->name);
}

int symidx_build(struct symidx *x, const struct elf_file *f)
{
	memset(x, 0, sizeof *x);
	x->nsecs = f->nsecs;
	x->per = calloc(f->nsecs ? f->nsecs : 1, sizeof *x->per);
	size_t *cap = calloc(f->nsecs ? f->nsecs : 1, sizeof *cap);
	if (!x->per || !cap) {
		free(cap);
		return -1;
	}
	/* ET_REL symbol values are section offsets; linked images hold addresses. */
	int rel = f->type == ET_REL;
	for (size_t i = 0; i < f->nsyms; i++) {
		const struct elf_sym *s = &f->syms[i];
		const struct elf_sec *sec = elf_sym_sec(f, s);
		if (!sec || !useful(s))
			continue;
		uint64_t off = rel ? s->value : s->value - sec->addr;
		if (!rel && s->value < sec->addr)
			continue;
		if (off > sec->size)
			continue;
		struct secsyms *ss = &x->per[sec->idx];
		if (ss->n == cap[sec->idx]) {
			size_t nc = cap[sec->idx] ? cap[sec->idx] * 2 : 64;
			struct named *v = realloc(ss->v, nc * sizeof *v);
			if (!v) {
				free(cap);
				return -1;
			}
			ss->v = v;
			cap[sec->idx] = nc;
		}
		ss->v[ss->n++] = (struct named){off, s->size, s->name, s->type, s->bind, rank(s)};
	}
	free(cap);
	for (size_t k = 0; k < x->nsecs; k++)
		if (x->per[k].n)
			qsort(x->per[k].v, x->per[k].n, sizeof(struct named), cmp_named);
	return 0;
}

void symidx_free(struct symidx *x)
{
	for (size_t k = 0; k < x->nsecs; k++)
		free(x->per[k].v);
	free(x->per);
	memset(x, 0, sizeof *x);
}

/* How many symbols lie at or before off. */
static size_t upto(const struct secsyms *ss, uint64_t off)
{
	size_t lo = 0, hi = ss->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ss->v[mid].off <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct named *symidx_name(const struct symidx *x, unsigned sec, uint64_t off)
{
	if (sec >= x->nsecs)
		return NULL;
	const struct secsyms *ss = &x->per[sec];
	size_t i = upto(ss, off);
	if (i == 0)
		return NULL;
	i--;
	while (i > 0 && ss->v[i - 1].off == ss->v[i].off)
		i--;
	return &ss->v[i];
}

const struct named *symidx_container(const struct symidx *x, unsigned sec, uint64_t off)
{
	if (sec >= x->nsecs)
		return NULL;
	const struct secsyms *ss = &x->per[sec];
	/* Labels inside a function sit between it and off; functions do not
	 * nest, so a short walk back finds the enclosing one. */
	for (size_t k = upto(ss, off), steps = 0; k-- > 0 && steps < 256; steps++) {
		const struct named *s = &ss->v[k];
		if (s->size && off - s->off < s->size)
			return s;
	}
	return NULL;
}

const struct secsyms *symidx_section(const struct symidx *x, unsigned sec)
{
	return sec < x->nsecs ? &x->per[sec] : NULL;
}

void symidx_place(char *buf, size_t n, const struct elf_file *f, const struct symidx *x,
		  unsigned sec, uint64_t off)
{
	const struct elf_sec *s = &f->secs[sec];
	const struct named *nm = symidx_name(x, sec, off);
	if (nm)
		snprintf(buf, n, "0x%llx (%s+0x%llx, %s)", (unsigned long long)(s->addr + off),
			 nm->name, (unsigned long long)(off - nm->off), s->name);
	else
		snprintf(buf, n, "0x%llx (%s+0x%llx)", (unsigned long long)(s->addr + off),
			 s->name, (unsigned long long)off);
}
