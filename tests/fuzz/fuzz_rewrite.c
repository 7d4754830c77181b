/*
 * libFuzzer target for the afterburner's rewriter (afterburn/rewrite.c).
 *
 * Byte 0 selects the options, the rest is the assembler text:
 *   bit 0  start in 64-bit mode (else 32-bit)
 *   bit 1  annotate inline-asm memory accesses (o.mem)
 *   bit 2  report skipped sites to /dev/null (the verbose path)
 * The seeds start with a digit '0'..'7' (0x30..0x37), so they stay readable.
 *
 * Besides the sanitizers, every run checks what must hold for any input
 * (abort() on a violation):
 *  (a) no sites: the output is the input with nothing inserted but the start
 *      label "<base>:" right before some standalone prefix statements ("rep;
 *      outsb" when the outsb is skipped, or "rep; nop") -- deleting those
 *      labels gives back the input byte for byte;
 *  (b) sites: the input is a subsequence of the output, and the output ends
 *      with the header record line -- followed only by the input's own tail
 *      from its ".end" directive, when one ended the assembly;
 *  (c) size: a site adds at most SITE_MAX bytes, a prefix statement (at least
 *      2 bytes of input) at most one label, and there is one header;
 *  (d) if the input itself never says "afterburn": exactly one record per
 *      counted site, one header iff there are sites, and our labels
 *      base..base+3 are numbers gas accepts as local labels (<= 2^31-1) that
 *      occur nowhere in the input (rewrite.c promises a base absent from
 *      the input, so it never captures the program's "1:"/"1b").
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rewrite.h"

#define CHECK(x)                                                                  \
	do {                                                                      \
		if (!(x)) {                                                       \
			fprintf(stderr, "fuzz_rewrite: invariant violated: %s (%s:%d)\n", \
				#x, __FILE__, __LINE__);                          \
			abort();                                                  \
		}                                                                 \
	} while (0)

#define SITE_MAX 1024 /* measured: < 600 bytes with 10-digit labels */
#define LABEL_MAX 11  /* "4294967295:" */

/* The header record line, from the ABI constants (put_header in rewrite.c). */
static char hdr[256];
static size_t hdrlen;
/* Every site record starts with this; the number after it is the base. */
static const char rec[] = ".pushsection " PREVIRT_AB_SECTION ",1,\"a\",@progbits;.balign 4;.long ";

static size_t count(const char *h, size_t hn, const char *s, size_t sn)
{
	size_t k = 0;
	for (const char *p = h; (p = memmem(p, hn - (size_t)(p - h), s, sn)); p++)
		k++;
	return k;
}

static const char *last(const char *h, size_t hn, const char *s, size_t sn)
{
	const char *r = NULL;
	for (const char *p = h; (p = memmem(p, hn - (size_t)(p - h), s, sn)); p++)
		r = p;
	return r;
}

static unsigned long number(const char *p, const char *end)
{
	unsigned long v = 0;
	CHECK(p < end && *p >= '0' && *p <= '9');
	while (p < end && *p >= '0' && *p <= '9')
		v = v * 10 + (unsigned long)(*p++ - '0');
	return v;
}

/* (d) our labels base..base+3 are valid gas local labels (at most INT32_MAX)
 * and none of them, written in decimal, occurs in the input */
static void check_base(const char *in, size_t n, unsigned long base)
{
	CHECK(base + 3 <= 2147483647ul);
	for (unsigned long k = 0; k < 4; k++) {
		char s[24];
		int l = snprintf(s, sizeof s, "%lu", base + k);
		CHECK(!memmem(in, n, s, (size_t)l));
	}
}

/* (a) out == in with copies of one "<digits>:" token inserted before prefixes */
static void check_passthrough(const char *in, size_t n, const char *out, size_t m, int clean)
{
	size_t i = 0, j = 0, tl = 0;
	const char *tok = NULL;
	while (j < m) {
		if (i < n && out[j] == in[i]) {
			i++, j++;
			continue;
		}
		/* An insertion: a digit where the input has a prefix's letter,
		 * so the greedy match above never swallows one. */
		if (!tok) {
			tok = out + j;
			number(tok, out + m);
			for (tl = 0; j + tl < m && out[j + tl] >= '0' && out[j + tl] <= '9'; tl++)
				;
			CHECK(j + tl < m && out[j + tl] == ':');
			tl++;
			if (clean)
				check_base(in, n, number(tok, out + m));
		}
		CHECK(m - j >= tl && memcmp(out + j, tok, tl) == 0);
		CHECK(i < n && ((in[i] | 0x20) >= 'a' && (in[i] | 0x20) <= 'z'));
		j += tl;
	}
	CHECK(i == n);
}

/* (b) input is a subsequence of output; output ends with the header line */
static void check_annotated(const char *in, size_t n, const char *out, size_t m,
			    unsigned long sites, int clean)
{
	size_t i = 0;
	for (size_t j = 0; j < m && i < n; j++)
		if (out[j] == in[i])
			i++;
	CHECK(i == n);
	const char *h = last(out, m, hdr, hdrlen);
	CHECK(h);
	if (!clean)
		return; /* the input may hold header text of its own */
	CHECK(count(out, m, hdr, hdrlen) == 1);
	CHECK(count(out, m, rec, sizeof rec - 1) == sites);
	size_t p = (size_t)(h - out), tl = m - p - hdrlen;
	const char *tail = h + hdrlen;
	CHECK(tl <= n && memcmp(tail, in + n - tl, tl) == 0);
	if (tl)
		CHECK(tl >= 4 && strncasecmp(tail, ".end", 4) == 0);
	else
		CHECK(p > 0 && out[p - 1] == '\n');
	const char *r = memmem(out, m, rec, sizeof rec - 1);
	check_base(in, n, number(r + sizeof rec - 1, out + m));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	if (!hdrlen) {
		hdrlen = (size_t)snprintf(hdr, sizeof hdr,
					  "\t.pushsection " PREVIRT_AB_SECTION
					  ",0,\"a\",@progbits;.balign 4;.long 0x%08x;"
					  ".byte %u,0,0,0;.popsection\n",
					  PREVIRT_AB_MAGIC, PREVIRT_AB_VERSION);
		devnull = fopen("/dev/null", "w");
	}
	if (size < 1)
		return 0;
	struct ab_opts o;
	ab_opts_default(&o, data[0] & 1 ? 64 : 32);
	o.mem = (data[0] >> 1) & 1;
	o.verbose = data[0] & 4 ? devnull : NULL;
	o.name = "fuzz";
	const char *in = (const char *)data + 1;
	size_t n = size - 1;

	struct buf out = {0};
	struct ab_stats st;
	memset(&st, 0, sizeof st);
	ab_rewrite(in, n, &out, &o, &st);

	unsigned long sites = 0;
	for (int k = 0; k < PREVIRT_AB_NKINDS; k++)
		sites += st.sites[k];
	CHECK(st.sites[PREVIRT_AB_KIND_HEADER] == 0);
	int clean = !memmem(in, n, "afterburn", 9);
	if (sites == 0)
		check_passthrough(in, n, out.p, out.len, clean);
	else
		check_annotated(in, n, out.p, out.len, sites, clean);

	/* (c) every site and prefix label is a distinct statement of >= 2 bytes */
	CHECK(sites <= n / 2);
	CHECK(out.len <= n + sites * SITE_MAX + (n / 2) * LABEL_MAX + hdrlen + 1);
	CHECK(st.lines <= count(in, n, "\n", 1) + 1);
	buf_free(&out);
	return 0;
}
