/* fpucheck: every task's SSE and x87 registers are its own across
 * preemption, page faults and system calls.  Six processes (more than
 * previrt's four address-space processes, so stubs are shared) each fill
 * xmm0-7 with their own pattern and set the x87 control word, then, inside
 * one asm block (so no compiler code touches the registers), spin for a
 * while (the timer cuts it: another task runs in between), touch a fresh
 * page (a page fault), make a system call by int $0x80, and compare.  For
 * about a second each.  Prints "fpucheck: ok (N rounds)" or what changed.
 * i386 only. */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CMP(i) \
	"pcmpeqd (%[p]), %%xmm" #i "\n\tpmovmskb %%xmm" #i ", %%eax\n\t" \
	"cmp $0xffff, %%eax\n\tje 3f\n\tor $(1 << " #i "), %[bad]\n3:\n\t"

/* The mask of registers that changed (bit i: xmm i; bit 8: the x87
 * control word).  pat must be 16-byte aligned. */
__attribute__((target("sse2"))) static unsigned one_round(const uint32_t *pat, const uint16_t *cw, volatile char *touch)
{
	unsigned bad = 0;
	uint16_t got = 0;
	__asm__ volatile(
		"movdqa (%[p]), %%xmm0\n\tmovdqa (%[p]), %%xmm1\n\tmovdqa (%[p]), %%xmm2\n\t"
		"movdqa (%[p]), %%xmm3\n\tmovdqa (%[p]), %%xmm4\n\tmovdqa (%[p]), %%xmm5\n\t"
		"movdqa (%[p]), %%xmm6\n\tmovdqa (%[p]), %%xmm7\n\t"
		"fldcw (%[cw])\n\t"
		"mov $300000, %%ecx\n"
		"1:\n\tdec %%ecx\n\tjnz 1b\n\t"
		"test %[t], %[t]\n\tjz 2f\n\tmovb $1, (%[t])\n"
		"2:\n\tmov $64, %%eax\n\tint $0x80\n\t" /* getppid */
		"fnstcw %[got]\n\t"
		CMP(0) CMP(1) CMP(2) CMP(3) CMP(4) CMP(5) CMP(6) CMP(7)
		: [bad] "+r"(bad), [got] "=m"(got)
		: [p] "r"(pat), [cw] "r"(cw), [t] "r"(touch)
		: "eax", "ecx", "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6",
		  "xmm7");
	return bad | (got != *cw ? 0x100u : 0);
}

static int worker(uint32_t v, long *rounds)
{
	static uint32_t pat[4] __attribute__((aligned(16)));
	pat[0] = v, pat[1] = ~v, pat[2] = v ^ 0x5a5a5a5au, pat[3] = v + 1;
	uint16_t cw = (uint16_t)(0x037f ^ ((v & 3u) << 10)); /* its own rounding mode */
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long n = 1;; n++) {
		char *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		unsigned bad = one_round(pat, &cw, page == MAP_FAILED ? NULL : page);
		if (page != MAP_FAILED)
			munmap(page, 4096);
		if (bad) {
			printf("fpucheck: FAIL: task %#x: registers changed (mask %#x) in round %ld\n", v, bad, n);
			fflush(stdout);
			return 1;
		}
		*rounds = n;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) > 1000000000L)
			return 0;
	}
}

int main(void)
{
	long *rounds = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (rounds == MAP_FAILED)
		return 2;
	pid_t pid[6];
	for (int i = 0; i < 6; i++) {
		pid[i] = fork();
		if (pid[i] == 0)
			_exit(worker(0x11111111u * (uint32_t)(i + 1), &rounds[i]));
	}
	int bad = 0;
	for (int i = 0; i < 6; i++) {
		int st;
		if (pid[i] < 0 || waitpid(pid[i], &st, 0) != pid[i] || !WIFEXITED(st) || WEXITSTATUS(st))
			bad = 1;
	}
	long n = 0;
	for (int i = 0; i < 6; i++)
		n += rounds[i];
	if (!bad)
		printf("fpucheck: ok (%ld rounds)\n", n);
	return bad;
}
