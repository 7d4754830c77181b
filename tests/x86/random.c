/* Random differential test: random byte strings decoded in 16-, 32- and
 * 64-bit mode by the decoder and by capstone 4.  Where both decode, the
 * lengths must be equal and, for the decoder's identities, the operands;
 * where only one decodes, an entry of diverge.c must explain it.
 *
 *   random [--count N] [--seed S] [--show]
 *
 * N strings per mode (default 500000); S defaults to a fixed value so runs
 * repeat; --show prints every unexplained case instead of the first 20. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compare.h"
#include "diverge.h"
#include "ref.h"
#include "x86/decode.h"

/* xorshift64*: reproducible from the seed alone */
static uint64_t rng_state;
static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

/* Uniform bytes mostly hit the one-byte map; a share of strings starts
 * with prefixes and escapes so the 0f, 0f 38, 0f 3a, VEX and EVEX paths
 * and prefix rules get millions of cases too. */
static void fill(uint8_t *b, size_t n)
{
	static const uint8_t starts[][3] = {
		{0x0f}, {0x0f, 0x38}, {0x0f, 0x3a}, {0x66, 0x0f}, {0xf3, 0x0f}, {0xf2, 0x0f},
		{0x66, 0x0f, 0x38}, {0x66, 0x0f, 0x3a}, {0xf2, 0x0f, 0x38}, {0xf3, 0x0f, 0x38},
		{0xc5}, {0xc4}, {0x62}, {0x0f, 0x01}, {0x0f, 0x00}, {0x0f, 0xae}, {0x0f, 0xc7},
	};
	for (size_t i = 0; i < n; i += 8) {
		uint64_t v = rng();
		for (size_t k = 0; k < 8 && i + k < n; k++)
			b[i + k] = (uint8_t)(v >> (8 * k));
	}
	unsigned r = (unsigned)(rng() % 64);
	if (r < sizeof starts / sizeof starts[0]) {
		unsigned k = 0;
		if (rng() & 1) /* sometimes after a REX or segment prefix */
			b[k++] = (uint8_t)((rng() & 1) ? 0x40 | (rng() & 15) : 0x65);
		for (unsigned j = 0; j < 3 && starts[r][j]; j++)
			b[k++] = starts[r][j];
	}
}

int main(int argc, char **argv)
{
	unsigned long count = 500000;
	uint64_t seed = 0x5eed2026;
	int show_all = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--count") == 0 && i + 1 < argc)
			count = strtoul(argv[++i], NULL, 0);
		else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 0);
		else if (strcmp(argv[i], "--show") == 0)
			show_all = 1;
		else {
			fprintf(stderr, "usage: random [--count N] [--seed S] [--show]\n");
			return 2;
		}
	}
	if (ref_init()) {
		fprintf(stderr, "random: capstone initialisation failed\n");
		return 2;
	}
	printf("x86 random differential: %lu strings per mode, seed %#llx\n", count,
	       (unsigned long long)seed);
	rng_state = seed ? seed : 1;
	static const int modes[3] = {16, 32, 64};
	unsigned long fails = 0, shown = 0;
	for (int m = 0; m < 3; m++) {
		unsigned long both = 0, neither = 0, kinds[D_NKINDS] = {0}, explained = 0, ops = 0;
		for (unsigned long t = 0; t < count; t++) {
			uint8_t b[15];
			fill(b, sizeof b);
			struct x86_insn in;
			struct ref r;
			int rc = x86_decode(b, sizeof b, (enum x86_mode)modes[m], &in);
			ref_decode(modes[m], b, sizeof b, &r);
			struct dcase c = {modes[m], b, sizeof b, rc, &in, &r, D_NKINDS};
			char msg[200] = "";
			if (rc > 0 && r.len) {
				both++;
				if (rc != r.len) {
					c.kind = D_LENGTH;
					snprintf(msg, sizeof msg, "length %d, capstone %d", rc, r.len);
				} else if ((in.op || r.op) && compare_operands(&in, &r, msg, sizeof msg)) {
					c.kind = D_OPERANDS;
				}
				ops += in.op != 0;
			} else if (rc > 0) {
				c.kind = D_ONLY_OURS;
				snprintf(msg, sizeof msg, "only the decoder decodes it (%d bytes)", rc);
			} else if (r.len) {
				c.kind = D_ONLY_REF;
				snprintf(msg, sizeof msg, "decoder says %d", rc);
			} else {
				neither++;
			}
			if (c.kind == D_NKINDS)
				continue;
			kinds[c.kind]++;
			if (diverge_classify(&c)) {
				explained++;
				continue;
			}
			fails++;
			if (show_all || shown++ < 20) {
				char h[64], d[300];
				hex(h, sizeof h, b, sizeof b);
				d[0] = 0;
				if (rc > 0)
					show_insn(d, sizeof d, &in);
				printf("  %d-bit %s: %s\n    capstone: %s | decoder: %s\n", modes[m], h,
				       msg, r.len ? r.text : "-", d);
			}
		}
		printf("%d-bit: %lu strings: both decode %lu (%lu with an identity), neither %lu; "
		       "length differs %lu, operands differ %lu, only decoder %lu, only capstone %lu; "
		       "explained %lu\n",
		       modes[m], count, both, ops, neither, kinds[D_LENGTH], kinds[D_OPERANDS],
		       kinds[D_ONLY_OURS], kinds[D_ONLY_REF], explained);
	}
	diverge_report();
	ref_fini();
	printf("random: %s (%lu unexplained)\n", fails ? "FAIL" : "ok", fails);
	return fails ? 1 : 0;
}
