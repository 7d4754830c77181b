/* Loading an x86 relocatable ELF object into the class-neutral model of
 * abcheck.h.  The input may be arbitrary bytes: every offset, size, index
 * and string is checked before use, and anything structurally wrong makes
 * the file unusable (exit status 2) rather than a property failure. */
#include <elf.h>
#include <errno.h>
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

static int in_file(const struct obj *o, uint64_t off, uint64_t size)
{
	return off <= o->len && size <= o->len - off;
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

/* Section and symbol headers, widened to the 64-bit layout. */
static void read_shdr(const struct obj *o, const uint8_t *p, Elf64_Shdr *sh)
{
	if (o->is64) {
		memcpy(sh, p, sizeof *sh);
		return;
	}
	Elf32_Shdr s;
	memcpy(&s, p, sizeof s);
	*sh = (Elf64_Shdr){s.sh_name, s.sh_type, s.sh_flags, s.sh_addr, s.sh_offset,
			   s.sh_size, s.sh_link, s.sh_info, s.sh_addralign, s.sh_entsize};
}

static void read_sym(const struct obj *o, const uint8_t *p, Elf64_Sym *sy)
{
	if (o->is64) {
		memcpy(sy, p, sizeof *sy);
		return;
	}
	Elf32_Sym s;
	memcpy(&s, p, sizeof s);
	*sy = (Elf64_Sym){s.st_name, s.st_info, s.st_other, s.st_shndx, s.st_value, s.st_size};
}

static int read_file(struct obj *o)
{
	FILE *f = fopen(o->path, "rb");
	if (!f)
		return bad(o, "%s", strerror(errno));
	size_t cap = 1 << 16;
	o->buf = malloc(cap);
	for (;;) {
		if (!o->buf) {
			fclose(f);
			return bad(o, "out of memory");
		}
		o->len += fread(o->buf + o->len, 1, cap - o->len, f);
		if (o->len < cap)
			break;
		cap *= 2;
		uint8_t *nb = realloc(o->buf, cap);
		if (!nb)
			free(o->buf);
		o->buf = nb;
	}
	int err = ferror(f);
	fclose(f);
	return err ? bad(o, "read error") : 0;
}

/* A NUL-terminated string at `off` inside section `strsec`, or NULL. */
static const char *str_at(const struct sec *strsec, uint64_t off)
{
	if (!strsec || !strsec->data || off >= strsec->size)
		return NULL;
	const char *s = (const char *)strsec->data + off;
	return memchr(s, 0, strsec->size - off) ? s : NULL;
}

struct ehdr {
	uint64_t shoff;
	unsigned shentsize, shnum, shstrndx, type, machine;
};

static int read_ehdr(struct obj *o, struct ehdr *e)
{
	if (o->len < EI_NIDENT || memcmp(o->buf, ELFMAG, SELFMAG) != 0)
		return bad(o, "not an ELF file");
	if (o->buf[EI_CLASS] != ELFCLASS32 && o->buf[EI_CLASS] != ELFCLASS64)
		return bad(o, "unknown ELF class %u", o->buf[EI_CLASS]);
	o->is64 = o->buf[EI_CLASS] == ELFCLASS64;
	if (o->buf[EI_DATA] != ELFDATA2LSB)
		return bad(o, "not little-endian");
	if (o->is64) {
		Elf64_Ehdr h;
		if (o->len < sizeof h)
			return bad(o, "truncated ELF header");
		memcpy(&h, o->buf, sizeof h);
		*e = (struct ehdr){h.e_shoff, h.e_shentsize, h.e_shnum, h.e_shstrndx, h.e_type,
				   h.e_machine};
	} else {
		Elf32_Ehdr h;
		if (o->len < sizeof h)
			return bad(o, "truncated ELF header");
		memcpy(&h, o->buf, sizeof h);
		*e = (struct ehdr){h.e_shoff, h.e_shentsize, h.e_shnum, h.e_shstrndx, h.e_type,
				   h.e_machine};
	}
	if (e->type != ET_REL)
		return bad(o, "not a relocatable object (e_type %u)", e->type);
	if (e->machine != (o->is64 ? EM_X86_64 : EM_386))
		return bad(o, "e_machine %u is not %s", e->machine, o->is64 ? "x86_64" : "i386");
	if (e->shentsize != (o->is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr)))
		return bad(o, "e_shentsize %u", e->shentsize);
	if (e->shnum == 0 || e->shstrndx >= e->shnum)
		return bad(o, "no section headers, or extended numbering (unsupported)");
	if (!in_file(o, e->shoff, (uint64_t)e->shnum * e->shentsize))
		return bad(o, "section header table outside the file");
	return 0;
}

static int load_sections(struct obj *o, const struct ehdr *e, Elf64_Shdr *sh)
{
	o->nsecs = e->shnum;
	o->secs = calloc(o->nsecs, sizeof *o->secs);
	if (!o->secs)
		return bad(o, "out of memory");
	for (unsigned i = 0; i < e->shnum; i++) {
		read_shdr(o, o->buf + e->shoff + (uint64_t)i * e->shentsize, &sh[i]);
		struct sec *s = &o->secs[i];
		s->idx = i;
		s->type = sh[i].sh_type;
		s->flags = sh[i].sh_flags;
		s->size = sh[i].sh_size;
		s->align = sh[i].sh_addralign;
		s->entsize = sh[i].sh_entsize;
		if (s->type == SHT_NOBITS || s->type == SHT_NULL)
			continue;
		if (!in_file(o, sh[i].sh_offset, s->size))
			return bad(o, "section %u contents outside the file", i);
		s->data = o->buf + sh[i].sh_offset;
	}
	const struct sec *shstr = &o->secs[e->shstrndx];
	for (unsigned i = 0; i < e->shnum; i++) {
		o->secs[i].name = str_at(shstr, sh[i].sh_name);
		if (!o->secs[i].name)
			return bad(o, "section %u: bad name offset", i);
		for (unsigned j = 0; j < i; j++)
			o->secs[i].nth += strcmp(o->secs[j].name, o->secs[i].name) == 0;
	}
	return 0;
}

static int load_symbols(struct obj *o, const Elf64_Shdr *sh)
{
	const struct sec *symtab = NULL;
	for (size_t i = 0; i < o->nsecs; i++) {
		if (o->secs[i].type != SHT_SYMTAB)
			continue;
		if (symtab)
			return bad(o, "more than one symbol table");
		symtab = &o->secs[i];
	}
	if (!symtab)
		return 0;
	size_t esz = o->is64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym);
	if (symtab->entsize != esz || symtab->size % esz)
		return bad(o, "%s: bad entry size", symtab->name);
	uint32_t link = sh[symtab->idx].sh_link;
	if (link >= o->nsecs || o->secs[link].type != SHT_STRTAB)
		return bad(o, "%s: sh_link is not a string table", symtab->name);
	o->nsyms = symtab->size / esz;
	o->syms = calloc(o->nsyms ? o->nsyms : 1, sizeof *o->syms);
	if (!o->syms)
		return bad(o, "out of memory");
	for (size_t i = 0; i < o->nsyms; i++) {
		Elf64_Sym sy;
		read_sym(o, symtab->data + i * esz, &sy);
		struct sym *s = &o->syms[i];
		s->name = str_at(&o->secs[link], sy.st_name);
		if (!s->name)
			return bad(o, "symbol %zu: bad name offset", i);
		s->value = sy.st_value;
		s->size = sy.st_size;
		s->bind = ELF64_ST_BIND(sy.st_info);
		s->type = ELF64_ST_TYPE(sy.st_info);
		s->other = sy.st_other;
		s->shndx = sy.st_shndx;
		if (s->shndx == SHN_XINDEX)
			return bad(o, "symbol %zu: SHN_XINDEX is not supported", i);
		if (s->shndx >= o->nsecs && s->shndx < SHN_LORESERVE)
			return bad(o, "symbol %zu: section index %u out of range", i, s->shndx);
	}
	return 0;
}

static int cmp_rel(const void *a, const void *b)
{
	const struct rel *x = a, *y = b;
	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	/* equal offsets: keep file order, which is stable across the objects */
	return x < y ? -1 : x > y;
}

static int load_one_rel(struct obj *o, const struct sec *rs, struct sec *t, size_t i,
			struct rel *r)
{
	int rela = rs->type == SHT_RELA;
	uint64_t info;
	if (o->is64) {
		Elf64_Rela e = {0};
		memcpy(&e, rs->data + i * rs->entsize, rela ? sizeof e : sizeof(Elf64_Rel));
		r->off = e.r_offset;
		r->addend = e.r_addend;
		info = e.r_info;
		r->sym = (uint32_t)ELF64_R_SYM(info);
		if (rel_type(o, (uint32_t)ELF64_R_TYPE(info), r))
			return bad(o, "%s: entry %zu: unknown type %u", rs->name, i,
				   (unsigned)ELF64_R_TYPE(info));
	} else {
		Elf32_Rela e = {0};
		memcpy(&e, rs->data + i * rs->entsize, rela ? sizeof e : sizeof(Elf32_Rel));
		r->off = e.r_offset;
		r->addend = e.r_addend;
		info = e.r_info;
		r->sym = ELF32_R_SYM(info);
		if (rel_type(o, ELF32_R_TYPE(info), r))
			return bad(o, "%s: entry %zu: unknown type %u", rs->name, i,
				   (unsigned)ELF32_R_TYPE(info));
	}
	if (r->sym >= o->nsyms && !(r->sym == 0 && o->nsyms == 0))
		return bad(o, "%s: entry %zu: symbol %u out of range", rs->name, i, r->sym);
	if (r->off > t->size || r->width > t->size - r->off)
		return bad(o, "%s: entry %zu: offset 0x%llx outside %s", rs->name, i,
			   (unsigned long long)r->off, t->name);
	if (r->width && !t->data)
		return bad(o, "%s: entry %zu: relocates %s, which has no contents", rs->name, i,
			   t->name);
	if (!rela)
		r->addend = sign_extend(get_le(t->data + r->off, r->width), r->width);
	return 0;
}

static int load_relocs(struct obj *o, const Elf64_Shdr *sh)
{
	for (size_t k = 0; k < o->nsecs; k++) {
		const struct sec *rs = &o->secs[k];
		if (rs->type != SHT_REL && rs->type != SHT_RELA)
			continue;
		int rela = rs->type == SHT_RELA;
		size_t esz = o->is64 ? (rela ? sizeof(Elf64_Rela) : sizeof(Elf64_Rel))
				     : (rela ? sizeof(Elf32_Rela) : sizeof(Elf32_Rel));
		if (rs->entsize != esz || rs->size % esz)
			return bad(o, "%s: bad entry size", rs->name);
		uint32_t ti = sh[k].sh_info, link = sh[k].sh_link;
		if (ti == 0 || ti >= o->nsecs)
			return bad(o, "%s: sh_info %u is not a section", rs->name, ti);
		if (link >= o->nsecs || o->secs[link].type != SHT_SYMTAB)
			return bad(o, "%s: sh_link is not the symbol table", rs->name);
		struct sec *t = &o->secs[ti];
		size_t n = rs->size / esz;
		struct rel *v = realloc(t->rels, (t->nrels + n + 1) * sizeof *v);
		if (!v)
			return bad(o, "out of memory");
		t->rels = v;
		for (size_t i = 0; i < n; i++)
			if (load_one_rel(o, rs, t, i, &t->rels[t->nrels++]))
				return -1;
	}
	for (size_t k = 0; k < o->nsecs; k++)
		if (o->secs[k].nrels)
			qsort(o->secs[k].rels, o->secs[k].nrels, sizeof(struct rel), cmp_rel);
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
	struct ehdr e = {0};
	if (read_file(o) || read_ehdr(o, &e))
		return -1;
	Elf64_Shdr *sh = calloc(e.shnum, sizeof *sh);
	if (!sh)
		return bad(o, "out of memory");
	int err = load_sections(o, &e, sh) || load_symbols(o, sh) || load_relocs(o, sh) ||
		  zero_fields(o);
	free(sh);
	return err ? -1 : 0;
}

void obj_free(struct obj *o)
{
	for (size_t k = 0; k < o->nsecs; k++) {
		free(o->secs[k].zeroed);
		free(o->secs[k].covered);
		free(o->secs[k].rels);
		free(o->secs[k].anchors);
	}
	free(o->secs);
	free(o->syms);
	free(o->buf);
}

struct sec *sym_sec(const struct obj *o, const struct sym *s)
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

const char *sym_label(const struct obj *o, const struct sym *s)
{
	const struct sec *sec = sym_sec(o, s);
	return s->type == STT_SECTION && sec ? sec->name : s->name;
}
