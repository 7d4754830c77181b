#include "hosttsc.h"

#include <time.h>

static uint64_t tsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static uint64_t raw_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC_RAW, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

uint32_t pv_host_tsc_khz(void)
{
	/* the rate is the ratio of two intervals, so a late wake-up only
	 * lengthens both; pairs of reads bracket each clock read */
	uint64_t t0 = tsc(), n0 = raw_ns(), t0b = tsc();
	struct timespec d = {0, 20000000};
	nanosleep(&d, NULL);
	uint64_t t1 = tsc(), n1 = raw_ns(), t1b = tsc();
	uint64_t dn = n1 - n0, dt = (t1 + t1b) / 2 - (t0 + t0b) / 2;
	if (dn < 1000000 || dt == 0)
		return 0;
	uint64_t khz = dt * 1000000u / dn;
	return khz > 0 && khz < UINT32_MAX ? (uint32_t)khz : 0;
}
