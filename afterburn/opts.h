/* Command-line options shared by afterburn and afterburn-as. */
#ifndef AFTERBURN_OPTS_H
#define AFTERBURN_OPTS_H

#include "rewrite.h"

/* "--pad KIND=N": returns 0, or prints a message naming the problem and
 * returns -1. */
int ab_parse_pad(struct ab_opts *o, const char *spec, const char *prog);

/* Reads a whole file ("-" or NULL: stdin) into *buf; -1 with errno on error. */
int ab_read_all(const char *path, struct buf *b);

#endif
