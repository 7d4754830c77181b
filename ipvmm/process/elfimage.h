/* A guest kernel's ELF file as the loader needs it: loadable segments, the
 * entry point, the .afterburn section and the executable sections.  Every
 * offset, size and string in the file is checked before use. */
#ifndef IPVMM_PROCESS_ELFIMAGE_H
#define IPVMM_PROCESS_ELFIMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "ipvmm/core/patch.h"

#define ELFIMAGE_MAX_SEGS 16
#define ELFIMAGE_MAX_CODE 32

struct elfimage_seg {
	uint64_t vaddr, paddr, filesz, memsz;
	const uint8_t *data; /* filesz bytes in the file */
	unsigned flags;      /* PF_R/PF_W/PF_X */
};

struct elfimage {
	uint8_t *file;
	size_t file_len;
	int is64;
	uint64_t entry;
	struct elfimage_seg seg[ELFIMAGE_MAX_SEGS];
	unsigned nseg;
	uint64_t vlo, vhi; /* span of the loadable segments' virtual addresses */
	uint64_t ab_vaddr, ab_size; /* 0, 0 when the file has no .afterburn */
	struct patch_region code[ELFIMAGE_MAX_CODE];
	unsigned ncode;
};

/* 0, or -1 with a message naming the problem in err. */
int elfimage_open(struct elfimage *im, const char *path, char *err, size_t errsz);
void elfimage_close(struct elfimage *im);
/* Whether a kernel file's first 8 KiB hold a multiboot v1 header (magic,
 * flags, checksum summing to 0): how a multiboot kernel is told from a
 * Linux vmlinux, by the loader and by previrt run --platform=qemu. */
int elf_has_multiboot(const uint8_t *file, size_t len);

/* Copies the segments into buf, which holds virtual [vlo, vhi); the rest
 * (bss) is zeroed. */
void elfimage_copy(const struct elfimage *im, uint8_t *buf);

#endif
