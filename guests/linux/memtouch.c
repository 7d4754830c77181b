/* memtouch MIB: allocates MIB MiB, writes one word into every page, reads
 * them all back.  Prints "memtouch: N pages ok" or a failure. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long mib = argc > 1 ? atol(argv[1]) : 64;
	long page = sysconf(_SC_PAGESIZE);
	if (mib <= 0 || mib > 2048 || page <= 0) {
		fprintf(stderr, "usage: memtouch MIB (1..2048)\n");
		return 2;
	}
	size_t len = (size_t)mib << 20, n = len / (size_t)page;
	unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("memtouch: mmap");
		return 1;
	}
	for (size_t i = 0; i < n; i++)
		*(volatile size_t *)(p + i * (size_t)page) = i ^ 0x5a5a5a5a;
	for (size_t i = 0; i < n; i++)
		if (*(volatile size_t *)(p + i * (size_t)page) != (i ^ 0x5a5a5a5a)) {
			printf("memtouch: page %zu of %zu lost its value\n", i, n);
			return 1;
		}
	printf("memtouch: %zu pages ok\n", n);
	return 0;
}
