/* Failure and note output; a broken rewrite can fail at every site, so only
 * the first failures are printed and the rest are counted. */
#include <stdarg.h>
#include <stdio.h>

#include "abcheck.h"

#define MAX_SHOWN 20

static unsigned long failures, skipped;
static int quiet;
static const char *last_file;

void report_quiet(int q)
{
	quiet = q;
}

void report_fail(const char *file, const char *sec, uint64_t off, const char *fmt, ...)
{
	failures++;
	last_file = file;
	if (failures > MAX_SHOWN)
		return;
	if (off == NO_OFF)
		printf("abcheck: FAIL %s: %s: ", file, sec);
	else
		printf("abcheck: FAIL %s: %s+0x%llx: ", file, sec, (unsigned long long)off);
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

void report_note(const char *file, const char *fmt, ...)
{
	if (quiet)
		return;
	printf("abcheck: note %s: ", file);
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

void report_skipped(void)
{
	skipped++;
}

unsigned long report_finish(void)
{
	if (skipped && !quiet)
		printf("abcheck: note %s: %lu checks skipped where instruction streams diverged\n",
		       last_file, skipped);
	if (failures > MAX_SHOWN)
		printf("abcheck: FAIL %s: %lu more failures not shown\n", last_file,
		       failures - MAX_SHOWN);
	return failures;
}

struct soff soff(int64_t v)
{
	struct soff r;
	uint64_t m = v < 0 ? -(uint64_t)v : (uint64_t)v;
	snprintf(r.s, sizeof r.s, "%c0x%llx", v < 0 ? '-' : '+', (unsigned long long)m);
	return r;
}

void hex_bytes(char *out, size_t outsz, const uint8_t *p, size_t n)
{
	size_t k = 0, i;
	out[0] = 0;
	for (i = 0; i < n && k + 8 < outsz; i++)
		k += (size_t)snprintf(out + k, outsz - k, "%s%02x", i ? " " : "", p[i]);
	if (i < n)
		snprintf(out + k, outsz - k, " ...");
}
