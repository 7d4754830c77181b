/* The sensitive-instruction table: AT&T mnemonic (+ operands) -> site kind. */
#ifndef AFTERBURN_CLASSIFY_H
#define AFTERBURN_CLASSIFY_H

#include <stddef.h>

/* Kind of the statement, or 0 (PREVIRT_AB_KIND_HEADER) when not sensitive.
 * mem: also classify memory-access mov-family instructions as MEM. */
int ab_classify(const char *mn, size_t mnlen, const char *ops, size_t opslen, int mem);

/* Kind of a ".byte" list that encodes exactly one sensitive instruction
 * (ops is the list, e.g. "0x0f, 0x0b"), or 0. */
int ab_classify_bytes(const char *ops, size_t opslen);

/* A prefix that may stand alone as its own statement ("rep; outsb"). */
int ab_is_prefix(const char *w, size_t n);

#endif
