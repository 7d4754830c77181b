/* Comparing the decoder's answer with the reference's. */
#ifndef TESTS_X86_COMPARE_H
#define TESTS_X86_COMPARE_H

#include <stddef.h>

#include "ref.h"
#include "x86/decode.h"

/* 0 if the identities and operands agree, else -1 with why in msg.  The
 * operand rules that are not plain equality are in compare.c with their
 * reasons. */
int compare_operands(const struct x86_insn *in, const struct ref *r, char *msg, size_t n);

/* "0f 22 d8" */
void hex(char *buf, size_t n, const uint8_t *p, size_t len);
/* The decoder's operands as text, for messages. */
void show_insn(char *buf, size_t n, const struct x86_insn *in);

#endif
