/* prng N: N MiB of a fixed pseudo-random stream (xorshift64*) on stdout,
 * the same bytes on every machine and word size, so both ends of a network
 * transfer can hash what should have crossed without storing it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char *end;
	long mib = argc == 2 ? strtol(argv[1], &end, 10) : -1;
	if (argc != 2 || *end || mib < 0 || mib > 4096) {
		fprintf(stderr, "usage: prng MIB (0..4096)\n");
		return 2;
	}
	static uint8_t buf[1 << 16];
	uint64_t x = 0x9e3779b97f4a7c15ull;
	for (long blk = 0; blk < mib * 16; blk++) {
		for (size_t i = 0; i < sizeof buf; i += 8) {
			x ^= x >> 12, x ^= x << 25, x ^= x >> 27;
			uint64_t v = x * 0x2545f4914f6cdd1dull;
			for (int k = 0; k < 8; k++)
				buf[i + k] = (uint8_t)(v >> (8 * k));
		}
		for (size_t off = 0; off < sizeof buf;) {
			ssize_t n = write(1, buf + off, sizeof buf - off);
			if (n <= 0)
				return 1;
			off += (size_t)n;
		}
	}
	return 0;
}
