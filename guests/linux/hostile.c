/* hostile: an ordinary guest user program that attacks what contains it,
 * as one who knows previrt's design would (docs/security.md).  Each attack
 * runs in a child; the parent prints one line per attack:
 *   "hostile: NAME: blocked (signal N)"   the child died by a signal
 *   "hostile: NAME: LEAKED ..."           the child got data or a call through
 *   "hostile: NAME: ACCEPTED ..."         the host let it do what a real i386
 *                                         refuses, without reaching new memory
 *   "hostile: NAME: held ..."             the attack ran to its end and got
 *                                         nothing (attacks that need no signal)
 * On a real i386 (QEMU TCG) every attack is blocked: 0x33 there is a TLS
 * data slot of Linux's GDT, not a code segment.
 *
 *   hostile ATTACK...   (no argument: all of them)
 */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A far return to selector 0x33 (the host's 64-bit user code) runs the
 * next bytes as 64-bit code; BACK32 returns to the CS saved in %ecx.  The
 * 64-bit parts are bytes: an i386 assembler cannot write them. */
#define TO64 "mov %%cs, %%ecx\n\t"                                      \
	     "push $0x33\n\t"                                            \
	     "push $3f\n\t"                                              \
	     "lret\n\t"                                                  \
	     "3:\n\t"
#define BACK32 ".byte 0x51\n\t"                      /* push %rcx */   \
	       ".byte 0x68\n\t.long 4f\n\t"           /* push $4f */    \
	       ".byte 0x48, 0xcb\n\t"                   /* lretq */       \
	       "4:\n\t"

/* In 64-bit mode: getpid through a `syscall` instruction of its own. */
static int syscall64(void)
{
	unsigned r;
	__asm__ volatile(TO64
			 ".byte 0xb8, 39, 0, 0, 0\n\t" /* mov $39, %eax (getpid, x86-64) */
			 ".byte 0x0f, 0x05\n\t"        /* syscall */
			 BACK32
			 : "=a"(r)::"ecx", "edx", "memory");
	printf("hostile: syscall64: LEAKED: the host answered %u\n", r);
	return 1;
}

/* In 64-bit mode: int $0x80 (the host's i386 entry). */
static int int80_64(void)
{
	unsigned r;
	__asm__ volatile(TO64
			 ".byte 0xb8, 20, 0, 0, 0\n\t" /* mov $20, %eax (getpid, i386) */
			 ".byte 0xcd, 0x80\n\t"        /* int $0x80 */
			 BACK32
			 : "=a"(r)::"ecx", "edx", "memory");
	printf("hostile: int80-64: LEAKED: the host answered %u\n", r);
	return 1;
}

/* 32-bit sysenter and syscall: hidden in the guest's CPUID. */
static int sysenter32(void)
{
	__asm__ volatile(".byte 0x0f, 0x34" ::"a"(20) : "ecx", "edx", "memory");
	printf("hostile: sysenter32: LEAKED: returned\n");
	return 1;
}

static int syscall32(void)
{
	__asm__ volatile(".byte 0x0f, 0x05" ::"a"(20) : "ecx", "edx", "memory");
	printf("hostile: syscall32: LEAKED: returned\n");
	return 1;
}

/* In 64-bit mode: read a 64-bit word at ADDR (segment limits do not apply). */
static uint64_t read64(uint32_t addr)
{
	uint32_t lo, hi;
	__asm__ volatile(TO64
			 ".byte 0x8b, 0x13\n\t"       /* mov (%rbx), %edx */
			 ".byte 0x8b, 0x73, 0x04\n\t" /* mov 4(%rbx), %esi */
			 BACK32
			 : "=d"(lo), "=S"(hi)
			 : "b"(addr)
			 : "ecx", "memory");
	return (uint64_t)hi << 32 | lo;
}

static int read_kernel(void)
{
	printf("hostile: read-kernel: LEAKED: 0xc1000000 holds %#llx\n",
	       (unsigned long long)read64(0xc1000000u));
	return 1;
}

static int read_vmm(void)
{
	/* previrt's register context: the host stack pointer at +64 */
	printf("hostile: read-vmm: LEAKED: 0xff803040 holds %#llx\n",
	       (unsigned long long)read64(0xff803040u));
	return 1;
}

/* The ring-3 stub's trampoline at 0xff801000 (the VMM's entry) holds the
 * address of the stub's own code (movabs $addr, %r11): find a `syscall`
 * there and call through it, from 64-bit mode.  NR and the arguments in
 * rdi, rsi.  On a real i386 the page is not there. */
static uint64_t stub_gadget_call(unsigned nr, uint32_t a0, uint32_t a1)
{
	uint32_t lo, hi;
	__asm__ volatile(TO64
			 ".byte 0xbb\n\t.long 0xff801002\n\t"     /* mov $0xff801002, %ebx */
			 ".byte 0x48, 0x8b, 0x1b\n\t"             /* mov (%rbx), %rbx: the stub's code */
			 ".byte 0x66, 0x81, 0x3b, 0x0f, 0x05\n\t"    /* cmpw $0x050f, (%rbx) */
			 ".byte 0x74, 0x05\n\t"                   /* je +5 */
			 ".byte 0x48, 0xff, 0xc3\n\t"             /* inc %rbx */
			 ".byte 0xeb, 0xf4\n\t"                   /* jmp back to the cmpw */
			 ".byte 0x89, 0xf8\n\t"                   /* mov %edi, %eax (nr) */
			 ".byte 0x89, 0xf7\n\t"                   /* mov %esi, %edi (a0) */
			 ".byte 0x89, 0xd6\n\t"                   /* mov %edx, %esi (a1) */
			 ".byte 0x51\n\t"                         /* push %rcx (saved cs) */
			 ".byte 0xff, 0xd3\n\t"                   /* call *%rbx */
			 ".byte 0x59\n\t"                         /* pop %rcx */
			 ".byte 0x89, 0xc2\n\t"                   /* mov %eax, %edx */
			 ".byte 0x48, 0xc1, 0xe8, 0x20\n\t"       /* shr $32, %rax */
			 ".byte 0x89, 0xc6\n\t"                   /* mov %eax, %esi */
			 BACK32
			 : "=d"(lo), "=S"(hi)
			 : "D"(nr), "S"(a0), "d"(a1)
			 : "eax", "ebx", "ecx", "memory");
	return (uint64_t)hi << 32 | lo;
}

static int stub_openat(void)
{
	uint64_t r = stub_gadget_call(257 /* openat, path NULL: any answer means it ran */, 0, 0);
	printf("hostile: stub-openat: LEAKED: openat through the stub's code returned %lld\n", (long long)r);
	return 1;
}

static int stub_unmap(void)
{
	uint64_t r = stub_gadget_call(11 /* munmap */, 0xff800000u, 0x800000u);
	printf("hostile: stub-unmap: LEAKED: survived unmapping the stub (%lld)\n", (long long)r);
	return 1;
}

/* The VMM's entry for patched sites (0xff801000 through 0x33) is no
 * secret: a far call to it from a place that is no site.  On an i386 the
 * far call to 0x33 raises #GP. */
static int farcall_vmm(void)
{
	__asm__ volatile("lcall $0x33, $0xff801000" ::: "eax", "ecx", "edx", "memory");
	printf("hostile: farcall-vmm: ACCEPTED: the far call returned\n");
	return 1;
}

/* A forged handoff: in 64-bit mode, write an event into the stub's context
 * page (its address is in the stub's private page, ustub.h) that the
 * stub's own code never posts -- a host signal 99 -- and hand it to the VMM
 * by jumping into the stub's code at its `call us_handoff` (found after the
 * stub's fxsave64 USC_FPU(%r11): 49 0f ae 83 00 0a 00 00).  The VMM must
 * not stop the guest kernel: the program gets a signal instead.  Returns
 * (and says so) only if it could not find the handoff. */
static int forged_signal(void)
{
	unsigned found;
	__asm__ volatile(TO64
			 ".code64\n\t"
			 "mov $0xff806000, %%ebx\n\t"   /* US_PRIV */
			 "mov (%%rbx), %%r11\n\t"       /* USP_CTX: the context page */
			 "movl $2, 4(%%r11)\n\t"         /* USC_REASON: a host signal */
			 "movl $99, 72(%%r11)\n\t"       /* USC_SIGNO */
			 "movq $0, 96(%%r11)\n\t"        /* USC_RIP: from 32-bit code */
			 "mov %%ecx, 48(%%r11)\n\t"      /* USC_CS: ours */
			 "mov $0xff801002, %%ebx\n\t"    /* the trampoline's movabs */
			 "mov (%%rbx), %%rbx\n\t"        /* the stub's code */
			 "mov $0x1000, %%edx\n"
			 "5:\tcmpl $0x83ae0f49, (%%rbx)\n\t"
			 "jne 6f\n\t"
			 "cmpl $0xa00, 4(%%rbx)\n\t"
			 "jne 6f\n\t"
			 "cmpb $0xe8, 8(%%rbx)\n\t"
			 "jne 6f\n\t"
			 "lea 8(%%rbx), %%rax\n\t"
			 "mov $0xff80a000, %%esp\n\t"    /* US_STACK2_TOP, as the stub does */
			 "jmp *%%rax\n"
			 "6:\tinc %%rbx\n\t"
			 "dec %%edx\n\t"
			 "jnz 5b\n\t"
			 "xor %%eax, %%eax\n\t"
			 ".code32\n\t"
			 BACK32
			 : "=a"(found)::"ebx", "ecx", "edx", "memory");
	printf("hostile: forged-signal: could not run: no handoff found in the stub's code (%u)\n", found);
	return 1;
}

/* A second thread reads a page while the first replaces it (mmap
 * MAP_FIXED of a fresh zero page over it): once the mmap has returned, the
 * old contents must be gone for every thread, as a TLB shootdown makes them
 * on an i386.  A stub that kept the old frame mapped would show them.
 * Round r fills the page with OLD(r), replaces it, then publishes r: a
 * reader that saw r published and then OLD(r) read a page already gone. */
#define OLD(r) (0x11110000u | (r))
static volatile uint32_t *race_page;
static volatile int race_gen = -1, race_stop;
static volatile unsigned long race_after, race_stale;

static void *race_reader(void *arg)
{
	(void)arg;
	while (!race_stop) {
		int g = race_gen;
		__asm__ volatile("" ::: "memory");
		uint32_t v = race_page[0];
		if (g >= 0) {
			race_after++;
			if (v == OLD((unsigned)g))
				race_stale++;
		}
	}
	return NULL;
}

static int race_remap(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		printf("hostile: race-remap: could not run (mmap)\n");
		return 1;
	}
	race_page = p;
	pthread_t t;
	if (pthread_create(&t, NULL, race_reader, NULL)) {
		printf("hostile: race-remap: could not run (thread)\n");
		return 1;
	}
	unsigned rounds = 0;
	for (; rounds < 20; rounds++) {
		struct timespec d = {0, 5000000};
		for (unsigned i = 0; i < 1024; i++)
			((volatile uint32_t *)p)[i] = OLD(rounds);
		nanosleep(&d, NULL); /* the reader runs on the old page */
		if (mmap(p, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != p) {
			printf("hostile: race-remap: could not run (mmap MAP_FIXED)\n");
			return 1;
		}
		race_gen = (int)rounds;
		nanosleep(&d, NULL); /* and on the new one */
	}
	race_stop = 1;
	pthread_join(t, NULL);
	if (!race_after) {
		printf("hostile: race-remap: could not run (the reader never ran after a remap)\n");
		return 1;
	}
	if (race_stale) {
		printf("hostile: race-remap: LEAKED: %lu of %lu reads after %u remaps saw the old page\n",
		       race_stale, race_after, rounds);
		return 1;
	}
	printf("hostile: race-remap: held: %lu reads after %u remaps, none saw the old page\n", race_after,
	       rounds);
	return 2; /* held: the parent says nothing more */
}

/* A selector of the host's GDT (0x2b, its 64-bit user data) and of its
 * LDT (0x0f), loaded natively, then used. */
static int host_selector(unsigned sel, const char *name)
{
	static volatile uint32_t probe = 0x5a5a5a5a;
	uint32_t v;
	__asm__ volatile("push %%es\n\t"
			 "movw %w1, %%es\n\t"
			 "movl %%es:(%2), %0\n\t"
			 "pop %%es"
			 : "=r"(v)
			 : "r"(sel), "r"(&probe)
			 : "memory");
	printf("hostile: %s: %s: loaded %#x and read %#x through it\n", name,
	       v == 0x5a5a5a5a ? "ACCEPTED (its own memory)" : "LEAKED", sel, v);
	return 1;
}

static int host_gdt(void)
{
	return host_selector(0x2b, "host-gdt-selector");
}

static int host_ldt(void)
{
	return host_selector(0x0f, "host-ldt-selector");
}

static const struct {
	const char *name;
	int (*run)(void);
} attacks[] = {
	{"syscall64", syscall64},     {"int80-64", int80_64},   {"sysenter32", sysenter32},
	{"syscall32", syscall32},     {"read-kernel", read_kernel}, {"read-vmm", read_vmm},
	{"host-gdt-selector", host_gdt}, {"host-ldt-selector", host_ldt},
	{"stub-openat", stub_openat},   {"stub-unmap", stub_unmap},
	{"farcall-vmm", farcall_vmm},   {"forged-signal", forged_signal},
	{"race-remap", race_remap},
};

static int attack(unsigned i)
{
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		int r = attacks[i].run();
		fflush(stdout); /* what it got, also when stdout is a file */
		_exit(r);
	}
	int st;
	if (c < 0 || waitpid(c, &st, 0) != c) {
		printf("hostile: %s: could not run\n", attacks[i].name);
		return 1;
	}
	if (WIFSIGNALED(st)) {
		printf("hostile: %s: blocked (signal %d)\n", attacks[i].name, WTERMSIG(st));
		return 0;
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 2)
		return 0; /* held: the child said so */
	return 1; /* the child printed what it got */
}

int main(int argc, char **argv)
{
	unsigned n = sizeof attacks / sizeof attacks[0];
	int bad = 0;
	for (unsigned i = 0; i < n; i++) {
		int want = argc < 2;
		for (int a = 1; a < argc; a++)
			want |= strcmp(argv[a], attacks[i].name) == 0;
		if (want)
			bad += attack(i);
	}
	printf("hostile: done\n");
	return bad != 0;
}
