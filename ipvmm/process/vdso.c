#include "vdso.h"

#include <elf.h>
#include <stdio.h>
#include <string.h>

#define MAX_CODE 8

/* One candidate at p[0..room): 0 and the patch image if it is an i386
 * shared object with an .afterburn section, -1 otherwise. */
static int find_records(uint8_t *p, uint64_t room, struct patch_image *pi,
			struct patch_region *code)
{
	Elf32_Ehdr e;
	if (room < sizeof e)
		return -1;
	memcpy(&e, p, sizeof e);
	if (memcmp(e.e_ident, ELFMAG, SELFMAG) || e.e_ident[EI_CLASS] != ELFCLASS32 ||
	    e.e_type != ET_DYN || e.e_machine != EM_386 || e.e_shentsize != sizeof(Elf32_Shdr) ||
	    e.e_shoff >= room || (uint64_t)e.e_shnum * sizeof(Elf32_Shdr) > room - e.e_shoff ||
	    e.e_shstrndx >= e.e_shnum)
		return -1;
	Elf32_Shdr strs;
	memcpy(&strs, p + e.e_shoff + (uint64_t)e.e_shstrndx * sizeof strs, sizeof strs);
	if (strs.sh_offset >= room || strs.sh_size > room - strs.sh_offset)
		return -1;
	/* the image ends with its section headers (vdso2c keeps them) */
	uint64_t size = e.e_shoff + (uint64_t)e.e_shnum * sizeof(Elf32_Shdr);
	*pi = (struct patch_image){p, 0, size, 0, 0, code, 0};
	for (unsigned i = 1; i < e.e_shnum; i++) {
		Elf32_Shdr h;
		memcpy(&h, p + e.e_shoff + (uint64_t)i * sizeof h, sizeof h);
		if (!(h.sh_flags & SHF_ALLOC) || h.sh_addr != h.sh_offset || h.sh_offset > size ||
		    h.sh_size > size - h.sh_offset)
			continue; /* a vDSO is linked at 0 with addresses = offsets */
		const char *name = h.sh_name < strs.sh_size ? (const char *)p + strs.sh_offset + h.sh_name : "";
		if (!memchr(name, 0, strs.sh_size - (h.sh_name < strs.sh_size ? h.sh_name : 0)))
			continue;
		if (strcmp(name, PREVIRT_AB_SECTION) == 0) {
			pi->ab_vaddr = h.sh_addr;
			pi->ab_size = h.sh_size;
		} else if ((h.sh_flags & SHF_EXECINSTR) && pi->ncode < MAX_CODE) {
			code[pi->ncode++] = (struct patch_region){h.sh_addr, h.sh_addr + h.sh_size};
		}
	}
	return pi->ab_size ? 0 : -1;
}

int vdso_patch(uint8_t *image, uint64_t len, uint16_t sel, uint32_t entry,
	       struct patch_stats *stats, char *err, size_t errsz)
{
	struct patch_policy pol = {.name = "process-vdso"};
	/* only the system call: the rest is fine at ring 3 (rdtsc) */
	pol.rule[PREVIRT_AB_KIND_INT] = (struct patch_rule){PATCH_CALL, XFER_FAR, sel, entry, 0};
	int found = 0;
	for (uint64_t off = 0; off + 0x1000 <= len; off += 0x1000) {
		if (image[off] != 0x7f)
			continue;
		struct patch_region code[MAX_CODE];
		struct patch_image pi;
		if (find_records(image + off, len - off, &pi, code))
			continue;
		struct patch_site sites[64];
		uint32_t n;
		struct patch_error pe;
		if (patch_image(&pi, &pol, sites, 64, &n, stats, &pe)) {
			snprintf(err, errsz, "vDSO at image offset %#llx: record %u: %s", (unsigned long long)off,
				 pe.rec, pe.msg);
			return -1;
		}
		for (uint32_t k = 0; k < n; k++)
			if (sites[k].kind == PREVIRT_AB_KIND_INT &&
			    (sites[k].len != previrt_ab_site_len[PREVIRT_AB_KIND_INT] ||
			     sites[k].action != PATCH_CALL)) {
				/* vdso_int80 resumes at the far call + its restart tail */
				snprintf(err, errsz, "vDSO at image offset %#llx: record %u: an int site of %u bytes, not %u",
					 (unsigned long long)off, sites[k].rec, sites[k].len,
					 previrt_ab_site_len[PREVIRT_AB_KIND_INT]);
				return -1;
			}
		found++;
	}
	return found;
}
