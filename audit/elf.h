/* ELF32/ELF64 little-endian x86 images (ET_REL objects, ET_EXEC like
 * vmlinux, ET_DYN like the vDSO) in one class-neutral model.  The input may
 * be arbitrary bytes: elf_load checks every offset, size, index and string,
 * so the rest of the audit can trust the model. */
#ifndef AUDIT_ELF_H
#define AUDIT_ELF_H

#include <stddef.h>
#include <stdint.h>

struct elf_sec {
	const char *name;
	unsigned idx;
	uint32_t type, link, info;
	uint64_t flags, addr, size, align, entsize;
	const uint8_t *data; /* NULL when the section has no file contents */
};

struct elf_sym {
	const char *name;
	uint64_t value, size;
	unsigned char type, bind, other;
	unsigned shndx; /* SHN_* values above the section count mean "no section" */
};

struct elf_rel {
	uint64_t off; /* of the relocated field, in the target section */
	uint32_t type, sym;
	int64_t addend; /* RELA: r_addend; REL: the 32-bit field, sign-extended */
	int rela;       /* from SHT_RELA; else the addend came from the field */
};

struct elf_file {
	const char *path;
	uint8_t *buf;
	size_t len;
	int is64;
	unsigned type, machine;
	struct elf_sec *secs;
	size_t nsecs;
	struct elf_sym *syms; /* .symtab, or .dynsym when there is none */
	size_t nsyms;
	unsigned symtab; /* its section index, 0 if there is no symbol table */
};

/* Returns 0, or -1 with the problem in err (the caller names the file). */
int elf_load(struct elf_file *f, const char *path, char *err, size_t errsz);
void elf_free(struct elf_file *f);

/* Executable section with contents in the file. */
int elf_is_code(const struct elf_sec *s);
/* The section a symbol is defined in, or NULL (undefined, absolute, common). */
const struct elf_sec *elf_sym_sec(const struct elf_file *f, const struct elf_sym *s);
/* Relocations (SHT_REL/SHT_RELA) that apply to section idx, sorted by
 * offset; *out is NULL when there are none.  -1 with err if malformed. */
int elf_relocs(const struct elf_file *f, unsigned idx, struct elf_rel **out, size_t *n,
	       char *err, size_t errsz);
const char *elf_type_name(unsigned type);

#endif
