/*
 * The device models' unit tests: a fake io_env with a hand-driven clock,
 * captured console output, recorded interrupt lines, resets and reports of
 * unimplemented features, and CHECK macros that count and name failures.
 */
#ifndef TESTS_DEV_HARNESS_H
#define TESTS_DEV_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "ipvmm/core/io.h"

struct unimpl_call {
	const char *dev, *what;
	uint32_t value;
};

struct fake {
	uint64_t now;		/* ns, advanced by the tests */
	int64_t wall;		/* UTC seconds at the time devices read it */
	uint8_t console[8192];
	size_t console_len;
	int irq_level[16];
	unsigned irq_rises[16];	/* 0 -> 1 transitions per line */
	unsigned resets;
	struct unimpl_call unimpl[64];
	unsigned n_unimpl;
	/* when set, set_irq also goes here (the PIC tests wire the PIC) */
	void (*irq_hook)(void *dev, unsigned line, int level);
	void *irq_hook_dev;
};

extern struct fake F;
extern const struct io_env fake_env;

/* Clears F and the port and MMIO tables, sets the clock to 'now' and 'wall'. */
void fake_reset(uint64_t now, int64_t wall);

/* Port access through the core's dispatch; a port no device claims is a
 * test failure. */
void outb(uint16_t port, uint8_t val);
uint8_t inb(uint16_t port);

void check(int ok, const char *file, int line, const char *expr);
void check_eq(uint64_t got, uint64_t want, const char *file, int line, const char *expr);

#define CHECK(e) check(!!(e), __FILE__, __LINE__, #e)
#define CHECK_EQ(got, want) check_eq((uint64_t)(got), (uint64_t)(want), __FILE__, __LINE__, #got " == " #want)

/* The unimplemented reports since the last fake_reset/clear. */
#define CHECK_NO_UNIMPL() CHECK_EQ(F.n_unimpl, 0)
int unimpl_seen(const char *what);

void test_io(void);
void test_uart(void);
void test_pic(void);
void test_pit(void);
void test_rtc(void);
void test_reset(void);
void test_mmio(void);
void test_pci(void);
void test_dp83820(void);

#endif
