/* The one place that decides what an instruction is: capstone decodes,
 * this module measures what capstone 4 gets wrong and maps the result to a
 * site kind of include/previrt/afterburn.h.  Besides the audit, the property
 * checker tests/abcheck decodes with it, and needs to know which operands
 * are PC-relative and which instructions are alignment filler. */
#ifndef AUDIT_SENSITIVE_H
#define AUDIT_SENSITIVE_H

#include <stddef.h>
#include <stdint.h>

/* How an instruction refers to code relative to its own address. */
enum sens_pcrel {
	SENS_PC_NONE,
	SENS_PC_BRANCH, /* jmp/jcc/call/loop/jcxz/xbegin to an immediate */
	SENS_PC_RIP,    /* a RIP-relative memory operand */
};

struct insn {
	unsigned len;  /* 0: the bytes do not decode */
	unsigned kind; /* enum previrt_ab_kind, 0 when not sensitive (MEM is never set) */
	unsigned id;   /* capstone's X86_INS_*, 0 for what capstone 4 does not know */
	unsigned npfx; /* legacy prefix and REX bytes before the opcode */
	int has_mem;   /* some operand is in memory: what a MEM site needs */
	int fill;      /* alignment filler as assemblers write it: a NOP form or int3 */
	int pcrel;     /* enum sens_pcrel */
	uint64_t target;              /* the PC-relative target, an address like addr */
	unsigned disp_off, disp_size; /* the displacement bytes of a SENS_PC_RIP operand */
	char text[80]; /* AT&T syntax, like the assembler input */
};

/* -1 if capstone cannot be opened. */
int sens_init(void);
void sens_fini(void);
/* Decodes one instruction of code size bits (16, 32, 64) at p[0..n), found at
 * address addr (branch targets are addresses like it). */
void sens_decode(int bits, const uint8_t *p, size_t n, uint64_t addr, struct insn *in);
/* Whether a record of this kind may annotate in (MEM: any memory operand). */
int sens_kind_matches(unsigned kind, const struct insn *in);
/* Kinds that may run in the interrupt shadow of sti inside one site. */
int sens_is_shadow_partner(unsigned kind);
const char *sens_kind_name(unsigned kind);

#endif
