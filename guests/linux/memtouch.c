/* memtouch MIB [fork ROUNDS]: allocates MIB MiB, writes one word into every
 * page, reads them all back.  Prints "memtouch: N pages ok" or a failure.
 * With "fork ROUNDS", a parent and its child then take turns (over pipes)
 * writing their own pattern into every page of the private copy and
 * reading it back, and pass a counter through a shared page: each turn is
 * an address-space switch with the two copies at the same addresses, so a
 * translation kept across the switch that should not have been shows up
 * as the other process's value.  Prints "memtouch: ROUNDS rounds ok". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static int fill_check(unsigned char *p, size_t n, long page, size_t pattern, const char *who)
{
	for (size_t i = 0; i < n; i++)
		*(volatile size_t *)(p + i * (size_t)page) = i ^ pattern;
	for (size_t i = 0; i < n; i++)
		if (*(volatile size_t *)(p + i * (size_t)page) != (i ^ pattern)) {
			printf("memtouch: %s: page %zu of %zu lost its value\n", who, i, n);
			return -1;
		}
	return 0;
}

static int turns(unsigned char *p, size_t n, long page, long rounds)
{
	volatile long *shared = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE,
				     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int go[2], back[2];
	if (shared == MAP_FAILED || pipe(go) || pipe(back)) {
		perror("memtouch: fork setup");
		return 1;
	}
	*shared = 0;
	pid_t pid = fork();
	if (pid < 0) {
		perror("memtouch: fork");
		return 1;
	}
	char c = 0;
	for (long r = 0; r < rounds; r++) {
		if (pid == 0) {
			if (read(go[0], &c, 1) != 1)
				_exit(1);
			if (*shared != 2 * r + 1) {
				printf("memtouch: child: shared counter %ld, not %ld\n", *shared, 2 * r + 1);
				_exit(1);
			}
			if (fill_check(p, n, page, 0xc41d0000u + (size_t)r, "child"))
				_exit(1);
			*shared = 2 * r + 2;
			if (write(back[1], &c, 1) != 1)
				_exit(1);
			continue;
		}
		if (fill_check(p, n, page, 0x9a7e0000u + (size_t)r, "parent"))
			return 1;
		*shared = 2 * r + 1;
		if (write(go[1], &c, 1) != 1 || read(back[0], &c, 1) != 1)
			return 1;
		if (*shared != 2 * r + 2) {
			printf("memtouch: parent: shared counter %ld, not %ld\n", *shared, 2 * r + 2);
			return 1;
		}
		for (size_t i = 0; i < n; i++)
			if (*(volatile size_t *)(p + i * (size_t)page) != (i ^ (0x9a7e0000u + (size_t)r))) {
				printf("memtouch: parent: page %zu holds the child's value after round %ld\n", i, r);
				return 1;
			}
	}
	if (pid == 0)
		_exit(0);
	int st;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		printf("memtouch: the child failed\n");
		return 1;
	}
	printf("memtouch: %ld rounds ok\n", rounds);
	return 0;
}

int main(int argc, char **argv)
{
	long mib = argc > 1 ? atol(argv[1]) : 64;
	long page = sysconf(_SC_PAGESIZE);
	long rounds = argc > 3 && strcmp(argv[2], "fork") == 0 ? atol(argv[3]) : 0;
	if (mib <= 0 || mib > 2048 || page <= 0 || (argc > 2 && (rounds <= 0 || rounds > 100000))) {
		fprintf(stderr, "usage: memtouch MIB (1..2048) [fork ROUNDS (1..100000)]\n");
		return 2;
	}
	size_t len = (size_t)mib << 20, n = len / (size_t)page;
	unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("memtouch: mmap");
		return 1;
	}
	if (fill_check(p, n, page, 0x5a5a5a5a, "memtouch"))
		return 1;
	printf("memtouch: %zu pages ok\n", n);
	return rounds ? turns(p, n, page, rounds) : 0;
}
