/*
 * The instructions that read the CPU's identity and clocks or touch its
 * caches and debug registers, plus the CMOS RTC and string port input.
 * Only facts that hold on QEMU's qemu32 CPU and on any modern CPU under a
 * VMM are printed: no vendor, model, times or counts.
 */
#include "cpu.h"
#include "testkern.h"

#define CPUID1_FPU (1u << 0)
#define CPUID1_PSE (1u << 3)
#define CPUID1_TSC (1u << 4)
#define CPUID1_MSR (1u << 5)
#define CPUID1_CX8 (1u << 8)
#define CPUID1_PGE (1u << 13)
#define MSR_PAT 0x277
#define PAT_RESET 0x0007040600070406ull /* WB WT UC- UC, twice */
#define PAT_WC 0x0007010600070106ull    /* PA1 and PA5 = WC */

static void cpuid_checks(void)
{
	uint32_t r[4];
	cpuid(0, r);
	uint32_t max = r[0];
	cpuid(1, r);
	uint32_t want = CPUID1_FPU | CPUID1_PSE | CPUID1_TSC | CPUID1_MSR | CPUID1_CX8 | CPUID1_PGE;
	check(max >= 1 && (r[3] & want) == want,
	      "cpuid: leaf 0 reaches leaf 1, which has FPU PSE TSC MSR CX8 PGE");
}

static void tsc_msr_checks(void)
{
	uint64_t t1 = rdtsc();
	for (volatile int i = 0; i < 1000; i++)
		;
	uint64_t t2 = rdtsc();
	check(t1 < t2, "rdtsc: two reads increase");

	/* PAT, not the TSC MSR: QEMU TCG reads MSR 0x10 as 0 */

	uint64_t pat = rdmsr(MSR_PAT);
	wrmsr(MSR_PAT, PAT_WC);
	uint64_t pat2 = rdmsr(MSR_PAT);
	wrmsr(MSR_PAT, pat);
	uint64_t pat3 = rdmsr(MSR_PAT);
	check(pat == PAT_RESET && pat2 == PAT_WC && pat3 == PAT_RESET,
	      "wrmsr: PAT %#x%08x, wrote and read back %#x%08x, restored",
	      (uint32_t)(pat >> 32), (uint32_t)pat, (uint32_t)(pat2 >> 32), (uint32_t)pat2);
}

#define DR_RW(n)                                                               \
	static inline uint32_t dr##n(uint32_t v)                               \
	{                                                                      \
		uint32_t r;                                                    \
		__asm__ volatile("movl %1, %%db" #n "\n\tmovl %%db" #n ", %0"  \
				 : "=r"(r)                                     \
				 : "r"(v));                                    \
		return r;                                                      \
	}
DR_RW(0)
DR_RW(1)
DR_RW(2)
DR_RW(3)
DR_RW(7)

static void dr_checks(void)
{
	/* breakpoint addresses only; DR7 keeps every breakpoint disabled */
	uint32_t a = dr0(0x1000), b = dr1(0x2004), c = dr2(0x3008), d = dr3(0x400c);
	uint32_t e = dr7(0x400);
	check(a == 0x1000 && b == 0x2004 && c == 0x3008 && d == 0x400c && e == 0x400,
	      "debug registers: dr0-dr3 and dr7 read back what was written");
	dr0(0), dr1(0), dr2(0), dr3(0);
}

static void cache_checks(void)
{
	static volatile uint32_t cell;
	cell = 0xcace;
	/* wbinvd first, so invd right after it has nothing dirty to lose */
	__asm__ volatile("wbinvd\n\tinvd" : : : "memory");
	check(cell == 0xcace, "wbinvd, invd: memory intact");
}

static uint8_t cmos(uint8_t reg)
{
	outb(0x70, reg);
	return inb(0x71);
}

static void rtc_checks(void)
{
	for (unsigned i = 0; i < 100000 && (cmos(0x0a) & 0x80); i++)
		; /* update in progress */
	uint8_t s = cmos(0x00), b = cmos(0x0b);
	int ok = (b & 0x04) ? s < 60 : ((s >> 4) < 6 && (s & 15) < 10);
	check(ok, "rtc: seconds register holds a valid %s value", (b & 0x04) ? "binary" : "BCD");
}

static void ins_checks(void)
{
	uint8_t old = inb(0x21), buf[2] = {0, 0};
	outb(0x21, 0xb5);
	uint8_t *p = buf;
	uint32_t n = 2;
	__asm__ volatile("cld; rep insb" : "+D"(p), "+c"(n) : "d"(0x21) : "memory");
	outb(0x21, old);
	check(buf[0] == 0xb5 && buf[1] == 0xb5, "ins: rep insb reads the 8259 mask back: %#x %#x",
	      buf[0], buf[1]);
}

void misc_checks(void)
{
	cpuid_checks();
	tsc_msr_checks();
	dr_checks();
	cache_checks();
	rtc_checks();
	ins_checks();
}
