/* Deliberate differences between the decoder and capstone 4, each with its
 * reason.  A difference that no entry explains fails the tests. */
#ifndef TESTS_X86_DIVERGE_H
#define TESTS_X86_DIVERGE_H

#include <stddef.h>
#include <stdint.h>

#include "ref.h"
#include "x86/decode.h"

enum dkind { D_ONLY_OURS, D_ONLY_REF, D_LENGTH, D_OPERANDS, D_NKINDS };

struct dcase {
	int mode;
	const uint8_t *p;
	size_t n;
	int rc; /* x86_decode's result */
	const struct x86_insn *in;
	const struct ref *r;
	enum dkind kind;
};

struct divergence {
	const char *name;
	const char *reason;
	unsigned kinds; /* 1 << enum dkind it may explain */
	int (*match)(const struct dcase *c);
	unsigned long count;
};

extern struct divergence divergences[];
extern const size_t ndivergences;

/* The entry that explains c (its count goes up), or NULL. */
struct divergence *diverge_classify(const struct dcase *c);
void diverge_report(void);

#endif
