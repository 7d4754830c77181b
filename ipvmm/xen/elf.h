/* A guest kernel's ELF image in memory, as the Xen in-place VMM loads it:
 * the same checks as the hosted loader (ipvmm/process/elfimage.c), over a
 * module Xen mapped rather than a file.  Freestanding: every offset, size
 * and name is checked against the module's bounds before use. */
#ifndef IPVMM_XEN_ELF_H
#define IPVMM_XEN_ELF_H

#include <stdint.h>

#include "ipvmm/core/patch.h"

#define XELF_MAX_SEGS 16
#define XELF_MAX_CODE 32
#define XELF_EM_386 3
#define XELF_EM_X86_64 62

struct xelf_seg {
	uint64_t vaddr, paddr, filesz, memsz;
	const uint8_t *data; /* filesz bytes inside the module */
};

struct xelf {
	const uint8_t *file;
	uint64_t len;
	int is64;
	unsigned machine;
	uint64_t entry;
	struct xelf_seg seg[XELF_MAX_SEGS];
	unsigned nseg;
	uint64_t vlo, vhi;          /* span of the loadable segments */
	uint64_t ab_vaddr, ab_size; /* 0, 0 without .afterburn */
	struct patch_region code[XELF_MAX_CODE];
	unsigned ncode;
};

/* Whether buf starts like an ELF file (its magic). */
int xelf_is_elf(const void *buf, uint64_t len);
/* 0, or -1 with *err naming the problem. */
int xelf_open(struct xelf *e, const void *buf, uint64_t len, const char **err);

#endif
