#include "elf.h"

#include <stddef.h>

/* ELF's constants and field offsets (the System V ABI, identical for
 * i386 and x86-64 apart from the widths read through is64). */
enum { PT_LOAD = 1, SHT_PROGBITS = 1, SHF_ALLOC = 2, SHF_EXECINSTR = 4, ET_EXEC = 2 };

void *memcpy(void *restrict d, const void *restrict s, size_t n);
int memcmp(const void *a, const void *b, size_t n);

static uint64_t rd(const uint8_t *p, unsigned size)
{
	uint64_t v = 0;
	memcpy(&v, p, size); /* little-endian host and file: checked in the header */
	return v;
}

static int in_file(const struct xelf *e, uint64_t off, uint64_t len)
{
	return off <= e->len && len <= e->len - off;
}

int xelf_is_elf(const void *buf, uint64_t len)
{
	return len >= 4 && memcmp(buf, "\177ELF", 4) == 0;
}

static int fail(const char **err, const char *msg)
{
	*err = msg;
	return -1;
}

static int read_segments(struct xelf *e, uint64_t phoff, unsigned phnum, unsigned phentsize,
			 const char **err)
{
	if (phentsize != (e->is64 ? 56u : 32u) || !in_file(e, phoff, (uint64_t)phnum * phentsize))
		return fail(err, "program headers outside the file");
	e->vlo = UINT64_MAX;
	for (unsigned i = 0; i < phnum; i++) {
		const uint8_t *p = e->file + phoff + (uint64_t)i * phentsize;
		uint64_t type = rd(p, 4), off, vaddr, paddr, filesz, memsz;
		if (e->is64) /* p_flags comes second in ELF64 */
			off = rd(p + 8, 8), vaddr = rd(p + 16, 8), paddr = rd(p + 24, 8),
			filesz = rd(p + 32, 8), memsz = rd(p + 40, 8);
		else
			off = rd(p + 4, 4), vaddr = rd(p + 8, 4), paddr = rd(p + 12, 4),
			filesz = rd(p + 16, 4), memsz = rd(p + 20, 4);
		if (type != PT_LOAD || memsz == 0)
			continue;
		if (e->nseg == XELF_MAX_SEGS)
			return fail(err, "too many loadable segments");
		if (filesz > memsz || !in_file(e, off, filesz) || vaddr + memsz < vaddr ||
		    paddr + memsz < paddr)
			return fail(err, "a loadable segment lies outside the file or wraps");
		e->seg[e->nseg++] = (struct xelf_seg){vaddr, paddr, filesz, memsz, e->file + off};
		if (vaddr < e->vlo)
			e->vlo = vaddr;
		if (vaddr + memsz > e->vhi)
			e->vhi = vaddr + memsz;
	}
	if (!e->nseg)
		return fail(err, "no loadable segment");
	for (unsigned i = 0; i < e->nseg; i++)
		for (unsigned j = i + 1; j < e->nseg; j++) {
			const struct xelf_seg *a = &e->seg[i], *b = &e->seg[j];
			if (a->vaddr < b->vaddr + b->memsz && b->vaddr < a->vaddr + a->memsz)
				return fail(err, "loadable segments overlap");
		}
	return 0;
}

struct sect {
	uint64_t name, type, flags, addr, off, size;
};

static struct sect get_sect(const struct xelf *e, const uint8_t *p)
{
	if (e->is64)
		return (struct sect){rd(p, 4), rd(p + 4, 4), rd(p + 8, 8), rd(p + 16, 8), rd(p + 24, 8),
				     rd(p + 32, 8)};
	return (struct sect){rd(p, 4), rd(p + 4, 4), rd(p + 8, 4), rd(p + 12, 4), rd(p + 16, 4), rd(p + 20, 4)};
}

static int name_is(const struct xelf *e, const struct sect *strs, uint64_t name, const char *want)
{
	uint64_t n = 0;
	while (want[n])
		n++;
	/* the name and its NUL must lie inside the string table */
	return name < strs->size && n + 1 <= strs->size - name &&
	       memcmp(e->file + strs->off + name, want, n + 1) == 0;
}

static int read_sections(struct xelf *e, uint64_t shoff, unsigned shnum, unsigned shentsize,
			 unsigned shstrndx, const char **err)
{
	if (!shnum)
		return 0;
	if (shentsize != (e->is64 ? 64u : 40u) || !in_file(e, shoff, (uint64_t)shnum * shentsize) ||
	    shstrndx >= shnum)
		return fail(err, "section headers outside the file");
	struct sect strs = get_sect(e, e->file + shoff + (uint64_t)shstrndx * shentsize);
	if (!in_file(e, strs.off, strs.size))
		return fail(err, "section name table outside the file");
	for (unsigned i = 1; i < shnum; i++) {
		struct sect s = get_sect(e, e->file + shoff + (uint64_t)i * shentsize);
		if (!(s.flags & SHF_ALLOC) || s.size == 0)
			continue;
		if (s.addr < e->vlo || s.addr > e->vhi || s.size > e->vhi - s.addr)
			return fail(err, "an allocated section lies outside the loadable segments");
		if (name_is(e, &strs, s.name, PREVIRT_AB_SECTION)) {
			if (s.type != SHT_PROGBITS)
				return fail(err, PREVIRT_AB_SECTION " has no contents");
			e->ab_vaddr = s.addr;
			e->ab_size = s.size;
		} else if (s.flags & SHF_EXECINSTR) {
			if (e->ncode == XELF_MAX_CODE)
				return fail(err, "too many executable sections");
			e->code[e->ncode++] = (struct patch_region){s.addr, s.addr + s.size};
		}
	}
	return 0;
}

int xelf_open(struct xelf *e, const void *buf, uint64_t len, const char **err)
{
	*e = (struct xelf){.file = buf, .len = len};
	const uint8_t *id = buf;
	if (len < 52 || !xelf_is_elf(buf, len))
		return fail(err, "not an ELF file");
	/* EI_CLASS 1/2 = 32/64-bit, EI_DATA 1 = little-endian */
	if (id[5] != 1 || (id[4] != 1 && id[4] != 2))
		return fail(err, "not a little-endian ELF32/ELF64 file");
	e->is64 = id[4] == 2;
	if (e->is64 && len < 64)
		return fail(err, "truncated ELF header");
	unsigned type = (unsigned)rd(id + 16, 2);
	e->machine = (unsigned)rd(id + 18, 2);
	uint64_t phoff, shoff;
	unsigned phentsize, phnum, shentsize, shnum, shstrndx;
	if (e->is64) {
		e->entry = rd(id + 24, 8), phoff = rd(id + 32, 8), shoff = rd(id + 40, 8);
		phentsize = (unsigned)rd(id + 54, 2), phnum = (unsigned)rd(id + 56, 2);
		shentsize = (unsigned)rd(id + 58, 2), shnum = (unsigned)rd(id + 60, 2);
		shstrndx = (unsigned)rd(id + 62, 2);
	} else {
		e->entry = rd(id + 24, 4), phoff = rd(id + 28, 4), shoff = rd(id + 32, 4);
		phentsize = (unsigned)rd(id + 42, 2), phnum = (unsigned)rd(id + 44, 2);
		shentsize = (unsigned)rd(id + 46, 2), shnum = (unsigned)rd(id + 48, 2);
		shstrndx = (unsigned)rd(id + 50, 2);
	}
	if (type != ET_EXEC || e->machine != (e->is64 ? XELF_EM_X86_64 : XELF_EM_386))
		return fail(err, e->is64 ? "not an x86-64 executable (ET_EXEC)"
					 : "not an i386 executable (ET_EXEC)");
	if (read_segments(e, phoff, phnum, phentsize, err) ||
	    read_sections(e, shoff, shnum, shentsize, shstrndx, err))
		return -1;
	return 0;
}
