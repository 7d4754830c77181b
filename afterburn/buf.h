/* A growable output byte buffer (hosted tools only). */
#ifndef AFTERBURN_BUF_H
#define AFTERBURN_BUF_H

#include <stddef.h>

struct buf {
	char *p;
	size_t len, cap;
};

void buf_put(struct buf *b, const char *s, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Inserts s at offset pos (<= len), moving what follows. */
void buf_insert(struct buf *b, size_t pos, const char *s, size_t n);
void buf_free(struct buf *b);

#endif
