/* The Xen in-place VMM's own output: dom0's console is the console_io
 * hypercall (CONSOLEIO_write), which Xen prints on its serial console
 * unprefixed.  Freestanding. */
#ifndef IPVMM_XEN_CONSOLE_H
#define IPVMM_XEN_CONSOLE_H

#include <stddef.h>

void con_write(const char *s, size_t n);
/* A small printf: %s %c %d %u %x with l/ll/z, #, width and 0 padding, %%.
 * Output is line-buffered; a line longer than the buffer is split. */
void con_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
