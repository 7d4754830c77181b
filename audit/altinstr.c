/* Linux 5.11 .. 6.x struct alt_instr (arch/x86/include/asm/alternative.h):
 *     s32 instr_offset;   original instruction - &instr_offset
 *     s32 repl_offset;    replacement - &repl_offset
 *     u16 cpuid;
 *     u8  instrlen, replacementlen;
 * 12 bytes, packed.  Other layouts fail the plausibility check below (every
 * original in a code section, every replacement in .altinstr_replacement)
 * and the map stays empty: naming is a convenience, never a verdict. */
#include "altinstr.h"

#include <elf.h>
#include <stdlib.h>
#include <string.h>

#define ALT_ENTRY 12u

static const struct elf_sec *by_name(const struct elf_file *f, const char *name)
{
	for (size_t i = 1; i < f->nsecs; i++)
		if (strcmp(f->secs[i].name, name) == 0)
			return &f->secs[i];
	return NULL;
}

static int32_t s32(const uint8_t *p)
{
	return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			 (uint32_t)p[3] << 24);
}

static int cmp_alt(const void *a, const void *b)
{
	const struct alt *x = a, *y = b;
	return x->repl < y->repl ? -1 : x->repl > y->repl;
}

int altmap_build(struct altmap *m, const struct elf_file *f)
{
	memset(m, 0, sizeof *m);
	const struct elf_sec *tab = by_name(f, ".altinstructions");
	const struct elf_sec *rep = by_name(f, ".altinstr_replacement");
	if (f->type == ET_REL || !tab || !rep || !tab->data || !elf_is_code(rep) ||
	    tab->size % ALT_ENTRY)
		return 0;
	size_t n = tab->size / ALT_ENTRY;
	m->v = calloc(n ? n : 1, sizeof *m->v);
	if (!m->v)
		return -1;
	uint64_t mask = f->is64 ? UINT64_MAX : 0xffffffffu;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *e = tab->data + i * ALT_ENTRY;
		uint64_t at = tab->addr + i * ALT_ENTRY;
		uint64_t orig = (at + (uint64_t)(int64_t)s32(e)) & mask;
		uint64_t repl = (at + 4 + (uint64_t)(int64_t)s32(e + 4)) & mask;
		unsigned rlen = e[11];
		unsigned osec;
		uint64_t ooff;
		if (!altmap_code_place(f, orig, &osec, &ooff) || (rlen && (repl < rep->addr || repl - rep->addr > rep->size ||
						   rlen > rep->size - (repl - rep->addr)))) {
			altmap_free(m);
			return 0;
		}
		if (rlen)
			m->v[m->n++] = (struct alt){repl, repl + rlen, orig,
						    (unsigned)e[8] | (unsigned)e[9] << 8};
	}
	qsort(m->v, m->n, sizeof *m->v, cmp_alt);
	return 0;
}

const struct alt *altmap_find(const struct altmap *m, uint64_t a)
{
	size_t lo = 0, hi = m->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->v[mid].repl <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && a < m->v[lo - 1].repl_end ? &m->v[lo - 1] : NULL;
}

int altmap_code_place(const struct elf_file *f, uint64_t a, unsigned *sec, uint64_t *off)
{
	for (size_t i = 1; i < f->nsecs; i++) {
		const struct elf_sec *s = &f->secs[i];
		if (elf_is_code(s) && a >= s->addr && a - s->addr < s->size) {
			*sec = (unsigned)i;
			*off = a - s->addr;
			return 1;
		}
	}
	return 0;
}

void altmap_free(struct altmap *m)
{
	free(m->v);
	memset(m, 0, sizeof *m);
}
