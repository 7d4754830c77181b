#include "elfimage.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "previrt/afterburn.h"

/* Class-neutral views of the headers we read. */
struct phdr {
	uint32_t type, flags;
	uint64_t off, vaddr, paddr, filesz, memsz;
};
struct shdr {
	uint32_t name, type;
	uint64_t flags, addr, off, size;
};

static int in_file(const struct elfimage *im, uint64_t off, uint64_t len)
{
	return off <= im->file_len && len <= im->file_len - off;
}

static void get_phdr(const struct elfimage *im, const uint8_t *p, struct phdr *h)
{
	if (im->is64) {
		Elf64_Phdr e;
		memcpy(&e, p, sizeof e);
		*h = (struct phdr){e.p_type, e.p_flags, e.p_offset, e.p_vaddr, e.p_paddr, e.p_filesz, e.p_memsz};
	} else {
		Elf32_Phdr e;
		memcpy(&e, p, sizeof e);
		*h = (struct phdr){e.p_type, e.p_flags, e.p_offset, e.p_vaddr, e.p_paddr, e.p_filesz, e.p_memsz};
	}
}

static void get_shdr(const struct elfimage *im, const uint8_t *p, struct shdr *h)
{
	if (im->is64) {
		Elf64_Shdr e;
		memcpy(&e, p, sizeof e);
		*h = (struct shdr){e.sh_name, e.sh_type, e.sh_flags, e.sh_addr, e.sh_offset, e.sh_size};
	} else {
		Elf32_Shdr e;
		memcpy(&e, p, sizeof e);
		*h = (struct shdr){e.sh_name, e.sh_type, e.sh_flags, e.sh_addr, e.sh_offset, e.sh_size};
	}
}

static int bad(char *err, size_t errsz, const char *what)
{
	snprintf(err, errsz, "%s", what);
	return -1;
}

static int read_file(struct elfimage *im, const char *path, char *err, size_t errsz)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(err, errsz, "%s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size < (off_t)sizeof(Elf32_Ehdr)) {
		close(fd);
		return bad(err, errsz, "not a regular file with an ELF header");
	}
	im->file_len = (size_t)st.st_size;
	im->file = malloc(im->file_len);
	size_t got = 0;
	while (im->file && got < im->file_len) {
		ssize_t n = read(fd, im->file + got, im->file_len - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (!im->file || got != im->file_len)
		return bad(err, errsz, im->file ? "short read" : "out of memory");
	return 0;
}

static int read_segments(struct elfimage *im, uint64_t phoff, unsigned phnum, unsigned phentsize,
			 char *err, size_t errsz)
{
	if (phentsize != (im->is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr)) ||
	    !in_file(im, phoff, (uint64_t)phnum * phentsize))
		return bad(err, errsz, "program headers outside the file");
	im->vlo = UINT64_MAX;
	for (unsigned i = 0; i < phnum; i++) {
		struct phdr h;
		get_phdr(im, im->file + phoff + (uint64_t)i * phentsize, &h);
		if (h.type != PT_LOAD || h.memsz == 0)
			continue;
		if (im->nseg == ELFIMAGE_MAX_SEGS)
			return bad(err, errsz, "too many loadable segments");
		if (h.filesz > h.memsz || !in_file(im, h.off, h.filesz) ||
		    h.vaddr + h.memsz < h.vaddr || h.paddr + h.memsz < h.paddr)
			return bad(err, errsz, "a loadable segment lies outside the file or wraps");
		im->seg[im->nseg++] = (struct elfimage_seg){h.vaddr, h.paddr, h.filesz, h.memsz,
							     im->file + h.off, h.flags};
		if (h.vaddr < im->vlo)
			im->vlo = h.vaddr;
		if (h.vaddr + h.memsz > im->vhi)
			im->vhi = h.vaddr + h.memsz;
	}
	if (!im->nseg)
		return bad(err, errsz, "no loadable segment");
	for (unsigned i = 0; i < im->nseg; i++)
		for (unsigned j = i + 1; j < im->nseg; j++) {
			const struct elfimage_seg *a = &im->seg[i], *b = &im->seg[j];
			if (a->vaddr < b->vaddr + b->memsz && b->vaddr < a->vaddr + a->memsz)
				return bad(err, errsz, "loadable segments overlap");
		}
	return 0;
}

/* .afterburn and the executable sections, through the section headers. */
static int read_sections(struct elfimage *im, uint64_t shoff, unsigned shnum, unsigned shentsize,
			 unsigned shstrndx, char *err, size_t errsz)
{
	if (!shnum)
		return 0;
	if (shentsize != (im->is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr)) ||
	    !in_file(im, shoff, (uint64_t)shnum * shentsize) || shstrndx >= shnum)
		return bad(err, errsz, "section headers outside the file");
	struct shdr strs;
	get_shdr(im, im->file + shoff + (uint64_t)shstrndx * shentsize, &strs);
	if (!in_file(im, strs.off, strs.size))
		return bad(err, errsz, "section name table outside the file");
	for (unsigned i = 1; i < shnum; i++) {
		struct shdr h;
		get_shdr(im, im->file + shoff + (uint64_t)i * shentsize, &h);
		if (!(h.flags & SHF_ALLOC) || h.size == 0)
			continue;
		if (h.addr < im->vlo || h.addr > im->vhi || h.size > im->vhi - h.addr)
			return bad(err, errsz, "an allocated section lies outside the loadable segments");
		const char *name = "";
		if (h.name < strs.size &&
		    memchr(im->file + strs.off + h.name, 0, strs.size - h.name))
			name = (const char *)im->file + strs.off + h.name;
		if (strcmp(name, PREVIRT_AB_SECTION) == 0) {
			if (h.type != SHT_PROGBITS)
				return bad(err, errsz, PREVIRT_AB_SECTION " has no contents");
			im->ab_vaddr = h.addr;
			im->ab_size = h.size;
		} else if (h.flags & SHF_EXECINSTR) {
			if (im->ncode == ELFIMAGE_MAX_CODE)
				return bad(err, errsz, "too many executable sections");
			im->code[im->ncode++] = (struct patch_region){h.addr, h.addr + h.size};
		}
	}
	return 0;
}

int elfimage_open(struct elfimage *im, const char *path, char *err, size_t errsz)
{
	*im = (struct elfimage){0};
	if (read_file(im, path, err, errsz))
		goto fail;
	const uint8_t *id = im->file;
	if (memcmp(id, ELFMAG, SELFMAG) != 0) {
		bad(err, errsz, "not an ELF file");
		goto fail;
	}
	if (id[EI_DATA] != ELFDATA2LSB || (id[EI_CLASS] != ELFCLASS32 && id[EI_CLASS] != ELFCLASS64)) {
		bad(err, errsz, "not a little-endian ELF32/ELF64 file");
		goto fail;
	}
	im->is64 = id[EI_CLASS] == ELFCLASS64;
	uint64_t phoff, shoff;
	unsigned type, machine, phnum, phentsize, shnum, shentsize, shstrndx;
	if (im->is64) {
		Elf64_Ehdr e;
		if (im->file_len < sizeof e) {
			bad(err, errsz, "truncated ELF header");
			goto fail;
		}
		memcpy(&e, im->file, sizeof e);
		type = e.e_type, machine = e.e_machine, im->entry = e.e_entry;
		phoff = e.e_phoff, phnum = e.e_phnum, phentsize = e.e_phentsize;
		shoff = e.e_shoff, shnum = e.e_shnum, shentsize = e.e_shentsize, shstrndx = e.e_shstrndx;
	} else {
		Elf32_Ehdr e;
		memcpy(&e, im->file, sizeof e);
		type = e.e_type, machine = e.e_machine, im->entry = e.e_entry;
		phoff = e.e_phoff, phnum = e.e_phnum, phentsize = e.e_phentsize;
		shoff = e.e_shoff, shnum = e.e_shnum, shentsize = e.e_shentsize, shstrndx = e.e_shstrndx;
	}
	if (type != ET_EXEC || machine != (im->is64 ? EM_X86_64 : EM_386)) {
		bad(err, errsz, im->is64 ? "not an x86-64 executable (ET_EXEC)" : "not an i386 executable (ET_EXEC)");
		goto fail;
	}
	if (read_segments(im, phoff, phnum, phentsize, err, errsz) ||
	    read_sections(im, shoff, shnum, shentsize, shstrndx, err, errsz))
		goto fail;
	return 0;
fail:
	elfimage_close(im);
	return -1;
}

void elfimage_close(struct elfimage *im)
{
	free(im->file);
	*im = (struct elfimage){0};
}

void elfimage_copy(const struct elfimage *im, uint8_t *buf)
{
	memset(buf, 0, im->vhi - im->vlo);
	for (unsigned i = 0; i < im->nseg; i++)
		memcpy(buf + (im->seg[i].vaddr - im->vlo), im->seg[i].data, im->seg[i].filesz);
}

int elf_has_multiboot(const uint8_t *file, size_t len)
{
	for (size_t off = 0; off + 12 <= len && off < 8192; off += 4) {
		uint32_t w[3];
		memcpy(w, file + off, sizeof w);
		if (w[0] == 0x1badb002u && w[0] + w[1] + w[2] == 0)
			return 1;
	}
	return 0;
}
