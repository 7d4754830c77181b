/* The guest's serial console on this process's stdin/stdout: raw mode when
 * stdin is a terminal (Ctrl-] quits), plain pipes otherwise. */
#ifndef IPVMM_PROCESS_CONSOLE_H
#define IPVMM_PROCESS_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

#define CONSOLE_ESCAPE 0x1d /* Ctrl-] */

void console_init(void);
/* Puts the terminal back as it was (idempotent, async-signal-safe). */
void console_restore(void);
/* Reads what stdin has, at most room bytes, without blocking.  Returns the
 * bytes read; -1 when the user typed the escape key. */
long console_poll(uint8_t *buf, size_t room);

#endif
