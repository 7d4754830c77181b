/*
 * One inline wrapper per privileged instruction the test kernel uses.  Each
 * sensitive instruction appears in the source exactly once per form, so the
 * afterburner's records map one-to-one onto these wrappers.
 *
 * FIXUP(insn) emits insn with an exception-table entry: a fault at the
 * instruction resumes at the end of its site (after any afterburner
 * padding), whatever the build.  The handler finds the entry by the faulting
 * EIP, so a fault anywhere else is reported as unexpected.
 */
#ifndef TESTKERN_CPU_H
#define TESTKERN_CPU_H

#include <stdint.h>

#define FIXUP(insn)                                                            \
	"1:\t" insn "\n2:\n"                                                   \
	"\t.pushsection .extable,\"a\"\n\t.balign 4\n\t.long 1b, 2b\n"         \
	"\t.popsection\n"

#define CR0_PE 0x00000001u
#define CR0_MP 0x00000002u
#define CR0_TS 0x00000008u
#define CR0_WP 0x00010000u
#define CR0_PG 0x80000000u
#define CR4_PSE 0x00000010u
#define CR4_PGE 0x00000080u
#define EFLAGS_IF 0x00000200u

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void cli(void)
{
	__asm__ volatile("cli" : : : "memory");
}

static inline void sti(void)
{
	__asm__ volatile("sti" : : : "memory");
}

/* sti; hlt: the pair the afterburner keeps adjacent (interrupt shadow) */
static inline void sti_hlt(void)
{
	__asm__ volatile("sti; hlt" : : : "memory");
}

static inline uint32_t save_flags(void)
{
	uint32_t f;
	__asm__ volatile("pushfl; popl %0" : "=r"(f) : : "memory");
	return f;
}

static inline void restore_flags(uint32_t f)
{
	__asm__ volatile("pushl %0; popfl" : : "r"(f) : "memory", "cc");
}

#define READ_CR(n)                                                             \
	static inline uint32_t read_cr##n(void)                                \
	{                                                                      \
		uint32_t v;                                                    \
		__asm__ volatile("movl %%cr" #n ", %0" : "=r"(v));             \
		return v;                                                      \
	}
#define WRITE_CR(n)                                                            \
	static inline void write_cr##n(uint32_t v)                             \
	{                                                                      \
		__asm__ volatile("movl %0, %%cr" #n : : "r"(v) : "memory");    \
	}
READ_CR(0)
READ_CR(2)
READ_CR(3)
READ_CR(4)
WRITE_CR(0)
WRITE_CR(3)
WRITE_CR(4)

static inline void invlpg(uintptr_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

static inline void cpuid(uint32_t leaf, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(0));
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

#endif
