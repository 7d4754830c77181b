/* Loading an ELF image into the model of elf.h.  Anything structurally
 * wrong makes the file unusable (the audit exits 2 naming the problem);
 * nothing past this file indexes the raw bytes without a checked bound. */
#include "elf.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(char *err, size_t errsz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
	return -1;
}

static int in_file(const struct elf_file *f, uint64_t off, uint64_t size)
{
	return off <= f->len && size <= f->len - off;
}

static int read_all(struct elf_file *f, char *err, size_t errsz)
{
	int fd = open(f->path, O_RDONLY);
	if (fd < 0)
		return fail(err, errsz, "%s", strerror(errno));
	struct stat st;
	if (fstat(fd, &st) != 0) {
		int e = errno;
		close(fd);
		return fail(err, errsz, "%s", strerror(e));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return fail(err, errsz, "%s", S_ISDIR(st.st_mode) ? "is a directory"
								: "not a regular file");
	}
	f->len = (size_t)st.st_size;
	f->buf = malloc(f->len ? f->len : 1);
	if (!f->buf) {
		close(fd);
		return fail(err, errsz, "out of memory for %zu bytes", f->len);
	}
	size_t got = 0;
	while (got < f->len) {
		ssize_t k = read(fd, f->buf + got, f->len - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			int e = errno;
			close(fd);
			return fail(err, errsz, "read error: %s", k < 0 ? strerror(e) : "file shrank");
		}
		got += (size_t)k;
	}
	close(fd);
	return 0;
}

/* A NUL-terminated string at off inside string table s, or NULL. */
static const char *str_at(const struct elf_sec *s, uint64_t off)
{
	if (!s || s->type != SHT_STRTAB || !s->data || off >= s->size)
		return NULL;
	const char *p = (const char *)s->data + off;
	return memchr(p, 0, s->size - off) ? p : NULL;
}

struct ehdr {
	uint64_t shoff;
	unsigned shentsize, shnum, shstrndx;
};

static void read_shdr(const struct elf_file *f, uint64_t off, Elf64_Shdr *sh)
{
	if (f->is64) {
		memcpy(sh, f->buf + off, sizeof *sh);
		return;
	}
	Elf32_Shdr s;
	memcpy(&s, f->buf + off, sizeof s);
	*sh = (Elf64_Shdr){s.sh_name, s.sh_type, s.sh_flags, s.sh_addr, s.sh_offset,
			   s.sh_size, s.sh_link, s.sh_info, s.sh_addralign, s.sh_entsize};
}

static int read_ehdr(struct elf_file *f, struct ehdr *e, char *err, size_t errsz)
{
	if (f->len < EI_NIDENT || memcmp(f->buf, ELFMAG, SELFMAG) != 0)
		return fail(err, errsz, "not an ELF file");
	if (f->buf[EI_CLASS] != ELFCLASS32 && f->buf[EI_CLASS] != ELFCLASS64)
		return fail(err, errsz, "unknown ELF class %u", f->buf[EI_CLASS]);
	f->is64 = f->buf[EI_CLASS] == ELFCLASS64;
	if (f->buf[EI_DATA] != ELFDATA2LSB)
		return fail(err, errsz, "not little-endian (EI_DATA %u)", f->buf[EI_DATA]);
	uint16_t shnum, shstrndx;
	if (f->is64) {
		Elf64_Ehdr h;
		if (f->len < sizeof h)
			return fail(err, errsz, "truncated ELF header (%zu of %zu bytes)", f->len,
				    sizeof h);
		memcpy(&h, f->buf, sizeof h);
		f->type = h.e_type;
		f->machine = h.e_machine;
		e->shoff = h.e_shoff;
		e->shentsize = h.e_shentsize;
		shnum = h.e_shnum;
		shstrndx = h.e_shstrndx;
	} else {
		Elf32_Ehdr h;
		if (f->len < sizeof h)
			return fail(err, errsz, "truncated ELF header (%zu of %zu bytes)", f->len,
				    sizeof h);
		memcpy(&h, f->buf, sizeof h);
		f->type = h.e_type;
		f->machine = h.e_machine;
		e->shoff = h.e_shoff;
		e->shentsize = h.e_shentsize;
		shnum = h.e_shnum;
		shstrndx = h.e_shstrndx;
	}
	if (f->type != ET_REL && f->type != ET_EXEC && f->type != ET_DYN)
		return fail(err, errsz, "e_type %u is not ET_REL, ET_EXEC or ET_DYN", f->type);
	if (e->shoff == 0)
		return fail(err, errsz, "no section header table (e_shoff 0)");
	size_t shsz = f->is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
	if (e->shentsize != shsz)
		return fail(err, errsz, "e_shentsize %u, expected %zu", e->shentsize, shsz);
	if (!in_file(f, e->shoff, shsz))
		return fail(err, errsz, "section header table at 0x%llx is outside the file "
			    "(%zu bytes)", (unsigned long long)e->shoff, f->len);
	/* Extended numbering: the real counts live in section header 0. */
	Elf64_Shdr sh0;
	read_shdr(f, e->shoff, &sh0);
	e->shnum = shnum ? shnum : (sh0.sh_size > 0xffffff ? 0 : (unsigned)sh0.sh_size);
	e->shstrndx = shstrndx == SHN_XINDEX ? sh0.sh_link : shstrndx;
	if (e->shnum == 0)
		return fail(err, errsz, "no sections");
	if (!in_file(f, e->shoff, (uint64_t)e->shnum * shsz))
		return fail(err, errsz, "section header table (%u entries at 0x%llx) runs past "
			    "the end of the file (%zu bytes)", e->shnum,
			    (unsigned long long)e->shoff, f->len);
	if (e->shstrndx >= e->shnum)
		return fail(err, errsz, "e_shstrndx %u out of range (%u sections)", e->shstrndx,
			    e->shnum);
	return 0;
}

static int load_sections(struct elf_file *f, const struct ehdr *e, char *err, size_t errsz)
{
	f->nsecs = e->shnum;
	f->secs = calloc(f->nsecs, sizeof *f->secs);
	if (!f->secs)
		return fail(err, errsz, "out of memory");
	uint32_t *names = calloc(f->nsecs, sizeof *names);
	if (!names)
		return fail(err, errsz, "out of memory");
	for (unsigned i = 0; i < e->shnum; i++) {
		Elf64_Shdr sh;
		read_shdr(f, e->shoff + (uint64_t)i * e->shentsize, &sh);
		struct elf_sec *s = &f->secs[i];
		*s = (struct elf_sec){"", i, sh.sh_type, sh.sh_link, sh.sh_info, sh.sh_flags,
				      sh.sh_addr, sh.sh_size, sh.sh_addralign, sh.sh_entsize, NULL};
		names[i] = sh.sh_name;
		if (i == 0 || s->type == SHT_NOBITS || s->type == SHT_NULL)
			continue;
		if (!in_file(f, sh.sh_offset, s->size)) {
			free(names);
			return fail(err, errsz, "section %u: contents (0x%llx bytes at 0x%llx) "
				    "outside the file (%zu bytes)", i, (unsigned long long)s->size,
				    (unsigned long long)sh.sh_offset, f->len);
		}
		s->data = f->buf + sh.sh_offset;
	}
	const struct elf_sec *shstr = &f->secs[e->shstrndx];
	for (unsigned i = 1; i < e->shnum; i++) {
		uint32_t at = names[i];
		f->secs[i].name = str_at(shstr, at);
		if (!f->secs[i].name) {
			free(names);
			return fail(err, errsz, "section %u: name offset %u outside the section "
				    "name table", i, at);
		}
	}
	free(names);
	return 0;
}

static void read_sym(const struct elf_file *f, const uint8_t *p, Elf64_Sym *sy)
{
	if (f->is64) {
		memcpy(sy, p, sizeof *sy);
		return;
	}
	Elf32_Sym s;
	memcpy(&s, p, sizeof s);
	*sy = (Elf64_Sym){s.st_name, s.st_info, s.st_other, s.st_shndx, s.st_value, s.st_size};
}

static int load_symbols(struct elf_file *f, char *err, size_t errsz)
{
	const struct elf_sec *tab = NULL;
	for (size_t i = 1; i < f->nsecs; i++)
		if (f->secs[i].type == SHT_SYMTAB && !tab)
			tab = &f->secs[i];
	/* A stripped shared object (the vDSO) still names its entry points. */
	for (size_t i = 1; i < f->nsecs && !tab; i++)
		if (f->secs[i].type == SHT_DYNSYM)
			tab = &f->secs[i];
	if (!tab)
		return 0;
	size_t esz = f->is64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym);
	if (!tab->data || tab->entsize != esz || tab->size % esz)
		return fail(err, errsz, "%s: entry size %llu or size %llu is not a multiple of %zu",
			    tab->name, (unsigned long long)tab->entsize,
			    (unsigned long long)tab->size, esz);
	if (tab->link >= f->nsecs || f->secs[tab->link].type != SHT_STRTAB)
		return fail(err, errsz, "%s: sh_link %u is not a string table", tab->name,
			    tab->link);
	f->symtab = tab->idx;
	f->nsyms = tab->size / esz;
	f->syms = calloc(f->nsyms ? f->nsyms : 1, sizeof *f->syms);
	if (!f->syms)
		return fail(err, errsz, "out of memory");
	for (size_t i = 0; i < f->nsyms; i++) {
		Elf64_Sym sy;
		read_sym(f, tab->data + i * esz, &sy);
		struct elf_sym *s = &f->syms[i];
		s->name = str_at(&f->secs[tab->link], sy.st_name);
		if (!s->name)
			return fail(err, errsz, "%s: symbol %zu: name offset %u outside %s", tab->name,
				    i, sy.st_name, f->secs[tab->link].name);
		s->value = sy.st_value;
		s->size = sy.st_size;
		s->bind = ELF64_ST_BIND(sy.st_info);
		s->type = ELF64_ST_TYPE(sy.st_info);
		s->other = sy.st_other;
		/* SHN_XINDEX would need SHT_SYMTAB_SHNDX; such a symbol is treated as
		 * being in no section (it then names nothing), which is safe. */
		s->shndx = sy.st_shndx;
		if (s->shndx >= f->nsecs && s->shndx < SHN_LORESERVE)
			return fail(err, errsz, "%s: symbol %zu (%s): section index %u out of range",
				    tab->name, i, s->name, s->shndx);
	}
	return 0;
}

int elf_load(struct elf_file *f, const char *path, char *err, size_t errsz)
{
	memset(f, 0, sizeof *f);
	f->path = path;
	struct ehdr e = {0};
	if (read_all(f, err, errsz) || read_ehdr(f, &e, err, errsz) ||
	    load_sections(f, &e, err, errsz) || load_symbols(f, err, errsz))
		return -1;
	return 0;
}

void elf_free(struct elf_file *f)
{
	free(f->secs);
	free(f->syms);
	free(f->buf);
	memset(f, 0, sizeof *f);
}

int elf_is_code(const struct elf_sec *s)
{
	return (s->flags & SHF_EXECINSTR) && s->data != NULL;
}

const struct elf_sec *elf_sym_sec(const struct elf_file *f, const struct elf_sym *s)
{
	if (s->shndx == SHN_UNDEF || s->shndx >= f->nsecs)
		return NULL;
	return &f->secs[s->shndx];
}

static int cmp_rel(const void *a, const void *b)
{
	const struct elf_rel *x = a, *y = b;
	return x->off < y->off ? -1 : x->off > y->off;
}

static int read_one(const struct elf_file *f, const struct elf_sec *rs, const struct elf_sec *t,
		    size_t i, struct elf_rel *r, char *err, size_t errsz)
{
	int rela = rs->type == SHT_RELA;
	const uint8_t *p = rs->data + i * rs->entsize;
	if (f->is64) {
		Elf64_Rela e = {0};
		memcpy(&e, p, rela ? sizeof e : sizeof(Elf64_Rel));
		*r = (struct elf_rel){e.r_offset, (uint32_t)ELF64_R_TYPE(e.r_info),
				      (uint32_t)ELF64_R_SYM(e.r_info), e.r_addend, rela};
	} else {
		Elf32_Rela e = {0};
		memcpy(&e, p, rela ? sizeof e : sizeof(Elf32_Rel));
		*r = (struct elf_rel){e.r_offset, ELF32_R_TYPE(e.r_info), ELF32_R_SYM(e.r_info),
				      e.r_addend, rela};
	}
	if (r->sym >= f->nsyms && r->sym != 0)
		return fail(err, errsz, "%s: entry %zu: symbol index %u out of range (%zu symbols)",
			    rs->name, i, r->sym, f->nsyms);
	if (r->off >= t->size)
		return fail(err, errsz, "%s: entry %zu: offset 0x%llx outside %s (0x%llx bytes)",
			    rs->name, i, (unsigned long long)r->off, t->name,
			    (unsigned long long)t->size);
	/* REL keeps the addend in the field; every type the audit uses is 32-bit. */
	if (!rela && t->data && t->size - r->off >= 4) {
		const uint8_t *q = t->data + r->off;
		r->addend = (int32_t)((uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 |
				      (uint32_t)q[3] << 24);
	}
	return 0;
}

int elf_relocs(const struct elf_file *f, unsigned idx, struct elf_rel **out, size_t *n,
	       char *err, size_t errsz)
{
	struct elf_rel *v = NULL;
	size_t nv = 0;
	*out = NULL;
	*n = 0;
	for (size_t k = 1; k < f->nsecs; k++) {
		const struct elf_sec *rs = &f->secs[k];
		if ((rs->type != SHT_REL && rs->type != SHT_RELA) || rs->info != idx)
			continue;
		int rela = rs->type == SHT_RELA;
		size_t esz = f->is64 ? (rela ? sizeof(Elf64_Rela) : sizeof(Elf64_Rel))
				     : (rela ? sizeof(Elf32_Rela) : sizeof(Elf32_Rel));
		if (!rs->data || rs->entsize != esz || rs->size % esz) {
			fail(err, errsz, "%s: entry size %llu or size %llu is not a multiple of %zu",
			     rs->name, (unsigned long long)rs->entsize, (unsigned long long)rs->size,
			     esz);
			goto bad;
		}
		if (rs->link != f->symtab || f->symtab == 0) {
			fail(err, errsz, "%s: sh_link %u is not the symbol table", rs->name, rs->link);
			goto bad;
		}
		size_t m = rs->size / esz;
		struct elf_rel *grown = realloc(v, (nv + m + 1) * sizeof *v);
		if (!grown) {
			fail(err, errsz, "out of memory");
			goto bad;
		}
		v = grown;
		for (size_t i = 0; i < m; i++, nv++)
			if (read_one(f, rs, &f->secs[idx], i, &v[nv], err, errsz))
				goto bad;
	}
	if (nv)
		qsort(v, nv, sizeof *v, cmp_rel);
	*out = v;
	*n = nv;
	return 0;
bad:
	free(v);
	return -1;
}

const char *elf_type_name(unsigned type)
{
	switch (type) {
	case ET_REL: return "ET_REL";
	case ET_EXEC: return "ET_EXEC";
	case ET_DYN: return "ET_DYN";
	}
	return "ET_?";
}
