/* Which bytes are 16-, 32- or 64-bit code.  An ELF file says only its
 * class; the code size of a byte is a property of the assembler's .code16/
 * .code32/.code64 state, which the binary does not record.  In Linux the
 * exceptions are few and named, so a small table covers them.  In vmlinux
 * itself there is no 16-bit code: the real-mode trampoline
 * (arch/x86/realmode/rm) is linked separately and carried as data. */
#include "modes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SECTION, SECTION_PREFIX, SYMBOL, IMAGE };

static const struct mode_rule {
	unsigned char what;
	unsigned char bits;
	const char *name;
	const char *why;
} table[] = {
	/* An image holding this section is arch/x86/boot/setup.elf, whose C code
	 * is built with -m16 (.code16gcc) into plain .text: the image's default. */
	{IMAGE, 16, ".entrytext", "arch/x86/boot setup.elf: -m16 C code"},
	/* Conventional names of real-mode sections. */
	{SECTION_PREFIX, 16, ".text16", "real-mode section"},
	{SECTION_PREFIX, 16, ".head16", "real-mode section"},
	/* arch/x86/boot setup code (header.S, setup.ld): all .code16 */
	{SECTION, 16, ".bstext", "arch/x86/boot real-mode setup"},
	{SECTION, 16, ".entrytext", "arch/x86/boot real-mode setup"},
	{SECTION, 16, ".inittext", "arch/x86/boot real-mode setup"},
	/* arch/x86/realmode/rm and arch/x86/boot name their protected-mode and
	 * long-mode parts by code size (realmode.lds.S, setup.ld). */
	{SECTION_PREFIX, 32, ".text32", "protected-mode part of a real-mode blob"},
	{SECTION_PREFIX, 64, ".text64", "long-mode part of a real-mode blob"},
	/* Real-mode entry points: 16-bit from the symbol to the next entry of
	 * this table in the same section, or to the section's end. */
	{SYMBOL, 16, "trampoline_start", "realmode/rm/trampoline_{32,64}.S .code16"},
	{SYMBOL, 16, "sev_es_trampoline_start", "realmode/rm/trampoline_64.S .code16"},
	{SYMBOL, 16, "machine_real_restart_asm16", "realmode/rm/reboot.S .code16"},
	{SYMBOL, 16, "wakeup_start", "realmode/rm/wakeup_asm.S .code16"},
	{SYMBOL, 16, "protected_mode_jump", "boot/pmjump.S .code16"},
	/* The 64-bit decompressor (boot/compressed/head_64.S) starts in 32-bit
	 * code inside an ELF64 file. */
	{SYMBOL, 32, "startup_32", "32-bit entry (boot/compressed/head_64.S .code32)"},
	{SYMBOL, 64, "startup_64", "64-bit entry"},
};

static int section_rule(const char *name, const struct mode_rule *r)
{
	if (r->what == SECTION)
		return strcmp(name, r->name) == 0;
	if (r->what != SECTION_PREFIX)
		return 0;
	size_t k = strlen(r->name);
	return strncmp(name, r->name, k) == 0 && (name[k] == 0 || name[k] == '.');
}

static const struct mode_rule *symbol_rule(const char *name)
{
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (table[i].what == SYMBOL && strcmp(table[i].name, name) == 0)
			return &table[i];
	return NULL;
}

static int push(struct secmodes *m, size_t *cap, uint64_t start, uint64_t end, int bits,
		const char *why)
{
	if (start >= end)
		return 0;
	if (m->n && m->v[m->n - 1].bits == bits && m->v[m->n - 1].end == start) {
		m->v[m->n - 1].end = end;
		return 0;
	}
	if (m->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 4;
		struct mode_range *v = realloc(m->v, nc * sizeof *v);
		if (!v)
			return -1;
		m->v = v;
		*cap = nc;
	}
	m->v[m->n++] = (struct mode_range){start, end, bits, why};
	return 0;
}

int modes_for_section(const struct elf_file *f, const struct symidx *x, unsigned sec,
		      int default_bits, struct secmodes *out)
{
	const struct elf_sec *s = &f->secs[sec];
	int bits = default_bits;
	const char *why = NULL;
	size_t cap = 0;
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		for (size_t k = 1; table[i].what == IMAGE && k < f->nsecs; k++)
			if (strcmp(f->secs[k].name, table[i].name) == 0) {
				bits = table[i].bits;
				why = table[i].why;
			}
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (section_rule(s->name, &table[i])) {
			bits = table[i].bits;
			why = table[i].why;
			break;
		}
	uint64_t start = 0;
	const struct secsyms *ss = symidx_section(x, sec);
	for (size_t i = 0; ss && i < ss->n; i++) {
		const struct mode_rule *r = symbol_rule(ss->v[i].name);
		if (!r || ss->v[i].off >= s->size)
			continue;
		if (push(out, &cap, start, ss->v[i].off, bits, why))
			return -1;
		start = ss->v[i].off;
		bits = r->bits;
		why = r->why;
	}
	if (push(out, &cap, start, s->size, bits, why))
		return -1;
	if (out->n == 0) /* an empty section still gets one range */
		return push(out, &cap, 0, 1, bits, why);
	return 0;
}

const struct mode_range *modes_at(const struct secmodes *m, uint64_t off)
{
	size_t lo = 0, hi = m->n;
	while (lo + 1 < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->v[mid].start <= off)
			lo = mid;
		else
			hi = mid;
	}
	return &m->v[lo];
}

void modes_print_table(void)
{
	static const char *const what[] = {"section", "section*", "symbol", "image"};
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		printf("  %-8s %-28s %2u-bit  %s\n", what[table[i].what], table[i].name,
		       table[i].bits, table[i].why);
}
