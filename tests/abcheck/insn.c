/* Site kinds as abcheck takes them: audit/sensitive.c's, and one leniency
 * of abcheck's own. */
#include <capstone/capstone.h>

#include "abcheck.h"
#include "previrt/afterburn.h"

/* int3, int1, into and int $3 raise their exception at every privilege
 * level, so the afterburner never pads them (docs/afterburner.md) and the
 * audit calls an INT record on one invalid; abcheck has always let an INT
 * record annotate them (negative.sh's int3 site), which only lets through
 * a record the afterburner does not write. */
static int is_trap_int(const struct insn *in)
{
	return in->len && (in->id == X86_INS_INT || in->id == X86_INS_INT3 ||
			   in->id == X86_INS_INTO || in->id == X86_INS_INT1);
}

int kind_matches(unsigned kind, const struct insn *in)
{
	if (kind == PREVIRT_AB_KIND_INT && is_trap_int(in))
		return 1;
	return sens_kind_matches(kind, in);
}

unsigned sensitive_kind(const struct insn *in)
{
	if (in->kind)
		return in->kind;
	return is_trap_int(in) ? PREVIRT_AB_KIND_INT : 0;
}
