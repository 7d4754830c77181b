/* The one place that decides what an instruction is: capstone decodes,
 * this module measures what capstone 4 gets wrong and maps the result to a
 * site kind of include/previrt/afterburn.h. */
#ifndef AUDIT_SENSITIVE_H
#define AUDIT_SENSITIVE_H

#include <stddef.h>
#include <stdint.h>

struct insn {
	unsigned len;  /* 0: the bytes do not decode */
	unsigned kind; /* enum previrt_ab_kind, 0 when not sensitive (MEM is never set) */
	int has_mem;   /* some operand is in memory: what a MEM site needs */
	char text[80]; /* AT&T syntax, like the assembler input */
};

/* -1 if capstone cannot be opened. */
int sens_init(void);
void sens_fini(void);
/* Decodes one instruction of code size bits (16, 32, 64) at p[0..n), found at
 * address addr (for branch targets in the text). */
void sens_decode(int bits, const uint8_t *p, size_t n, uint64_t addr, struct insn *in);
/* Whether a record of this kind may annotate in (MEM: any memory operand). */
int sens_kind_matches(unsigned kind, const struct insn *in);
/* Kinds that may run in the interrupt shadow of sti inside one site. */
int sens_is_shadow_partner(unsigned kind);
/* Length of the afterburner NOP pattern at p[0..n), or 0 if there is none. */
unsigned sens_pad_pattern(const uint8_t *p, size_t n);
const char *sens_kind_name(unsigned kind);

#endif
