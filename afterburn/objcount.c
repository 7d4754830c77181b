#include "objcount.h"

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "previrt/afterburn.h"

static unsigned char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	unsigned char *p = NULL;
	size_t cap = 0, len = 0;
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 1 << 16;
			unsigned char *q = realloc(p, cap);
			if (!q) {
				free(p);
				fclose(f);
				return NULL;
			}
			p = q;
		}
		size_t r = fread(p + len, 1, cap - len, f);
		if (r == 0)
			break;
		len += r;
	}
	fclose(f);
	*n = len;
	return p;
}

/* Section header fields we need, from either ELF class. */
struct shdr {
	uint64_t name, off, size;
};

static int get_shdr(const unsigned char *p, size_t n, int is64, uint64_t shoff, unsigned i,
		    struct shdr *s)
{
	size_t esz = is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
	uint64_t at = shoff + (uint64_t)i * esz;
	if (at > n || n - at < esz)
		return -1;
	if (is64) {
		Elf64_Shdr h;
		memcpy(&h, p + at, sizeof h);
		*s = (struct shdr){h.sh_name, h.sh_offset, h.sh_type == SHT_NOBITS ? 0 : h.sh_size};
	} else {
		Elf32_Shdr h;
		memcpy(&h, p + at, sizeof h);
		*s = (struct shdr){h.sh_name, h.sh_offset, h.sh_type == SHT_NOBITS ? 0 : h.sh_size};
	}
	if (s->off > n || n - s->off < s->size)
		return -1;
	return 0;
}

long ab_count_records(const char *path)
{
	size_t n;
	unsigned char *p = slurp(path, &n);
	if (!p)
		return -1;
	long count = -1;
	if (n < EI_NIDENT || memcmp(p, ELFMAG, SELFMAG) != 0 || p[EI_DATA] != ELFDATA2LSB)
		goto out;
	int is64 = p[EI_CLASS] == ELFCLASS64;
	uint64_t shoff;
	unsigned shnum, shstrndx;
	if (is64 && n >= sizeof(Elf64_Ehdr)) {
		Elf64_Ehdr e;
		memcpy(&e, p, sizeof e);
		shoff = e.e_shoff, shnum = e.e_shnum, shstrndx = e.e_shstrndx;
	} else if (!is64 && p[EI_CLASS] == ELFCLASS32 && n >= sizeof(Elf32_Ehdr)) {
		Elf32_Ehdr e;
		memcpy(&e, p, sizeof e);
		shoff = e.e_shoff, shnum = e.e_shnum, shstrndx = e.e_shstrndx;
	} else {
		goto out;
	}
	struct shdr strs, s;
	if (shstrndx >= shnum || get_shdr(p, n, is64, shoff, shstrndx, &strs))
		goto out;
	count = 0;
	for (unsigned i = 0; i < shnum; i++) {
		if (get_shdr(p, n, is64, shoff, i, &s) || s.name >= strs.size) {
			count = -1;
			goto out;
		}
		const char *nm = (const char *)p + strs.off + s.name;
		size_t room = strs.size - s.name;
		if (strnlen(nm, room) == room || strcmp(nm, PREVIRT_AB_SECTION) != 0)
			continue;
		if (s.size % PREVIRT_AB_RECORD_SIZE) {
			count = -1;
			goto out;
		}
		for (uint64_t r = 0; r < s.size; r += PREVIRT_AB_RECORD_SIZE)
			if (p[s.off + r + 6] != PREVIRT_AB_KIND_HEADER)
				count++;
	}
out:
	free(p);
	return count;
}
