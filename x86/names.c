/* Names of the instruction identities, for messages. */
#include "x86/decode.h"

static const char *const names[X86_NOPS] = {
#define X86_OP_NAME_(n) [X86_OP_##n] = #n,
	X86_OPS(X86_OP_NAME_)
#undef X86_OP_NAME_
};

const char *x86_op_name(unsigned op)
{
	return op < X86_NOPS ? names[op] : "?";
}
