/* abcheck's model of a relocatable object, on top of the audit's ELF
 * loader (audit/elf.c): sections paired by name, relocations with the width
 * of their fields, and section contents with every relocated field zeroed.
 * The input may be arbitrary bytes: elf_load checks the structure, this
 * file what abcheck needs beyond it, and anything unusable makes the file
 * unusable (exit status 2) rather than a property failure. */
#include <elf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abcheck.h"

static int bad(const struct obj *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int bad(const struct obj *o, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "abcheck: %s: ", o->path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

static uint64_t get_le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = n; i-- > 0;)
		v = v << 8 | p[i];
	return v;
}

static int64_t sign_extend(uint64_t v, unsigned bytes)
{
	if (bytes == 0 || bytes >= 8)
		return (int64_t)v;
	unsigned shift = 64 - 8 * bytes;
	return (int64_t)(v << shift) >> shift;
}

/* Field width of each relocation type a relocatable object may carry; 0 is
 * unknown (types whose field is empty are listed in has_no_field). */
struct rtype {
	unsigned char width, pcrel;
};

static const struct rtype i386_types[] = {
	[R_386_32] = {4, 0},         [R_386_PC32] = {4, 1},      [R_386_GOT32] = {4, 0},
	[R_386_PLT32] = {4, 1},      [R_386_GOTOFF] = {4, 0},    [R_386_GOTPC] = {4, 1},
	[R_386_32PLT] = {4, 0},      [R_386_TLS_TPOFF] = {4, 0}, [R_386_TLS_IE] = {4, 0},
	[R_386_TLS_GOTIE] = {4, 0},  [R_386_TLS_LE] = {4, 0},    [R_386_TLS_GD] = {4, 0},
	[R_386_TLS_LDM] = {4, 0},    [R_386_16] = {2, 0},        [R_386_PC16] = {2, 1},
	[R_386_8] = {1, 0},          [R_386_PC8] = {1, 1},       [R_386_TLS_LDO_32] = {4, 0},
	[R_386_TLS_IE_32] = {4, 0},  [R_386_TLS_LE_32] = {4, 0}, [R_386_TLS_DTPMOD32] = {4, 0},
	[R_386_TLS_DTPOFF32] = {4, 0}, [R_386_TLS_TPOFF32] = {4, 0}, [R_386_SIZE32] = {4, 0},
	[R_386_TLS_GOTDESC] = {4, 0}, [R_386_GOT32X] = {4, 0},
};

static const struct rtype x86_64_types[] = {
	[R_X86_64_64] = {8, 0},              [R_X86_64_PC32] = {4, 1},
	[R_X86_64_GOT32] = {4, 0},           [R_X86_64_PLT32] = {4, 1},
	[R_X86_64_GOTPCREL] = {4, 1},        [R_X86_64_32] = {4, 0},
	[R_X86_64_32S] = {4, 0},             [R_X86_64_16] = {2, 0},
	[R_X86_64_PC16] = {2, 1},            [R_X86_64_8] = {1, 0},
	[R_X86_64_PC8] = {1, 1},             [R_X86_64_DTPMOD64] = {8, 0},
	[R_X86_64_DTPOFF64] = {8, 0},        [R_X86_64_TPOFF64] = {8, 0},
	[R_X86_64_TLSGD] = {4, 1},           [R_X86_64_TLSLD] = {4, 1},
	[R_X86_64_DTPOFF32] = {4, 0},        [R_X86_64_GOTTPOFF] = {4, 1},
	[R_X86_64_TPOFF32] = {4, 0},         [R_X86_64_PC64] = {8, 1},
	[R_X86_64_GOTOFF64] = {8, 0},        [R_X86_64_GOTPC32] = {4, 1},
	[R_X86_64_GOT64] = {8, 0},           [R_X86_64_GOTPCREL64] = {8, 1},
	[R_X86_64_GOTPC64] = {8, 1},         [R_X86_64_GOTPLT64] = {8, 0},
	[R_X86_64_PLTOFF64] = {8, 0},        [R_X86_64_SIZE32] = {4, 0},
	[R_X86_64_SIZE64] = {8, 0},          [R_X86_64_GOTPC32_TLSDESC] = {4, 1},
	[R_X86_64_GOTPCRELX] = {4, 1},       [R_X86_64_REX_GOTPCRELX] = {4, 1},
};

static int has_no_field(int is64, uint32_t type)
{
	if (is64)
		return type == R_X86_64_NONE || type == R_X86_64_TLSDESC_CALL;
	return type == R_386_NONE || type == R_386_TLS_DESC_CALL;
}

static int rel_type(const struct obj *o, uint32_t type, struct rel *r)
{
	const struct rtype *t = o->is64 ? x86_64_types : i386_types;
	size_t n = o->is64 ? sizeof x86_64_types / sizeof x86_64_types[0]
			   : sizeof i386_types / sizeof i386_types[0];
	r->type = type;
	if (has_no_field(o->is64, type)) {
		r->width = 0;
		r->pcrel = 0;
		return 0;
	}
	if (type >= n || t[type].width == 0)
		return -1;
	r->width = t[type].width;
	r->pcrel = t[type].pcrel;
	return 0;
}

/* What elf_load accepts but abcheck has no use for. */
static int check_shape(const struct obj *o)
{
	const struct elf_file *f = &o->elf;
	if (f->type != ET_REL)
		return bad(o, "not a relocatable object (e_type %u)", f->type);
	if (f->machine != (f->is64 ? EM_X86_64 : EM_386))
		return bad(o, "e_machine %u is not %s", f->machine, f->is64 ? "x86_64" : "i386");
	unsigned nsymtab = 0;
	for (size_t i = 1; i < f->nsecs; i++) {
		const struct elf_sec *s = &f->secs[i];
		nsymtab += s->type == SHT_SYMTAB;
		/* elf_relocs would pass over these without a word */
		if ((s->type == SHT_REL || s->type == SHT_RELA) &&
		    (s->info == 0 || s->info >= f->nsecs))
			return bad(o, "%s: sh_info %u is not a section", s->name, s->info);
	}
	if (nsymtab > 1)
		return bad(o, "more than one symbol table");
	/* elf_load falls back to .dynsym (for the vDSO); an object's
	 * relocations refer to .symtab */
	if (f->symtab && f->secs[f->symtab].type != SHT_SYMTAB)
		return bad(o, "%s instead of a symbol table", f->secs[f->symtab].name);
	for (size_t i = 0; i < f->nsyms; i++)
		if (f->syms[i].shndx == SHN_XINDEX)
			return bad(o, "symbol %zu: SHN_XINDEX is not supported", i);
	return 0;
}

static void load_sections(struct obj *o)
{
	for (size_t i = 0; i < o->nsecs; i++) {
		const struct elf_sec *e = &o->elf.secs[i];
		struct sec *s = &o->secs[i];
		s->name = e->name;
		s->idx = e->idx;
		s->type = e->type;
		s->flags = e->flags;
		s->size = e->size;
		s->align = e->align;
		s->entsize = e->entsize;
		s->data = e->data;
		for (size_t j = 0; j < i; j++)
			s->nth += strcmp(o->secs[j].name, s->name) == 0;
	}
}

/* Adds the field width elf.c does not know, and reads a REL addend at
 * that width (elf.c reads 32 bits). */
static int load_rel(const struct obj *o, const struct sec *t, const struct elf_rel *e,
		    struct rel *r)
{
	*r = (struct rel){.off = e->off, .sym = e->sym, .addend = e->addend};
	if (rel_type(o, e->type, r))
		return bad(o, "%s+0x%llx: unknown relocation type %u", t->name,
			   (unsigned long long)r->off, e->type);
	if (r->width > t->size - r->off)
		return bad(o, "%s+0x%llx: relocated field (%u bytes) runs past the end of %s",
			   t->name, (unsigned long long)r->off, r->width, t->name);
	if (r->width && !t->data)
		return bad(o, "%s+0x%llx: relocates %s, which has no contents", t->name,
			   (unsigned long long)r->off, t->name);
	if (!e->rela)
		r->addend = r->width ? sign_extend(get_le(t->data + r->off, r->width), r->width) : 0;
	return 0;
}

/* Each section's relocations, sorted by offset (elf_relocs; with glibc's
 * stable sort, relocations at one offset keep their order in the file). */
static int load_relocs(struct obj *o)
{
	char err[256];
	for (size_t k = 1; k < o->nsecs; k++) {
		struct sec *t = &o->secs[k];
		struct elf_rel *v;
		size_t n;
		if (elf_relocs(&o->elf, (unsigned)k, &v, &n, err, sizeof err))
			return bad(o, "%s", err);
		t->rels = n ? calloc(n, sizeof *t->rels) : NULL;
		if (n && !t->rels) {
			free(v);
			return bad(o, "out of memory");
		}
		for (size_t i = 0; i < n; i++)
			if (load_rel(o, t, &v[i], &t->rels[t->nrels++])) {
				free(v);
				return -1;
			}
		free(v);
	}
	return 0;
}

/* Relocated fields hold addends or zeros depending on REL/RELA and on where
 * the target moved; comparisons look at everything else. */
static int zero_fields(struct obj *o)
{
	for (size_t k = 0; k < o->nsecs; k++) {
		struct sec *s = &o->secs[k];
		if (!s->data)
			continue;
		s->zeroed = malloc(s->size ? s->size : 1);
		s->covered = calloc(s->size ? s->size : 1, 1);
		if (!s->zeroed || !s->covered)
			return bad(o, "out of memory");
		memcpy(s->zeroed, s->data, s->size);
		for (size_t i = 0; i < s->nrels; i++) {
			memset(s->zeroed + s->rels[i].off, 0, s->rels[i].width);
			memset(s->covered + s->rels[i].off, 1, s->rels[i].width);
		}
	}
	return 0;
}

int obj_load(struct obj *o, const char *path)
{
	memset(o, 0, sizeof *o);
	o->path = path;
	char err[256];
	if (elf_load(&o->elf, path, err, sizeof err))
		return bad(o, "%s", err);
	o->is64 = o->elf.is64;
	o->nsecs = o->elf.nsecs;
	o->syms = o->elf.syms;
	o->nsyms = o->elf.nsyms;
	if (check_shape(o))
		return -1;
	o->secs = calloc(o->nsecs, sizeof *o->secs);
	if (!o->secs)
		return bad(o, "out of memory");
	load_sections(o);
	return load_relocs(o) || zero_fields(o) ? -1 : 0;
}

void obj_free(struct obj *o)
{
	for (size_t k = 0; o->secs && k < o->nsecs; k++) {
		free(o->secs[k].zeroed);
		free(o->secs[k].covered);
		free(o->secs[k].rels);
		free(o->secs[k].anchors);
	}
	free(o->secs);
	elf_free(&o->elf);
}

struct sec *sym_sec(const struct obj *o, const struct elf_sym *s)
{
	if (s->shndx == SHN_UNDEF || s->shndx >= SHN_LORESERVE || s->shndx >= o->nsecs)
		return NULL;
	return &o->secs[s->shndx];
}

size_t rels_at(const struct sec *s, uint64_t off, const struct rel **first)
{
	size_t lo = 0, hi = s->nrels;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->rels[mid].off < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = lo < s->nrels ? &s->rels[lo] : NULL;
	size_t n = 0;
	while (lo + n < s->nrels && s->rels[lo + n].off == off)
		n++;
	return n;
}

void link_peers(struct obj *a, struct obj *b)
{
	for (size_t i = 1; i < a->nsecs; i++)
		for (size_t j = 1; j < b->nsecs; j++)
			if (a->secs[i].nth == b->secs[j].nth &&
			    strcmp(a->secs[i].name, b->secs[j].name) == 0) {
				a->secs[i].peer = &b->secs[j];
				b->secs[j].peer = &a->secs[i];
				break;
			}
}

int sec_is_code(const struct sec *s)
{
	return (s->flags & SHF_EXECINSTR) && s->data;
}

const char *sym_label(const struct obj *o, const struct elf_sym *s)
{
	const struct sec *sec = sym_sec(o, s);
	return s->type == STT_SECTION && sec ? sec->name : s->name;
}
