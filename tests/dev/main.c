/* Runs every device model test and prints "dev: N checks, N failed". */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "ipvmm/core/mmio.h"

struct fake F;
static unsigned checks, failures;

static void fake_set_irq(void *ctx, unsigned line, int level)
{
	(void)ctx;
	if (line < 16) {
		if (level && !F.irq_level[line])
			F.irq_rises[line]++;
		F.irq_level[line] = level;
	}
	if (F.irq_hook)
		F.irq_hook(F.irq_hook_dev, line, level);
}

static uint64_t fake_now(void *ctx)
{
	(void)ctx;
	return F.now;
}

static int64_t fake_wall(void *ctx)
{
	(void)ctx;
	return F.wall;
}

static void fake_console(void *ctx, const uint8_t *buf, size_t len)
{
	(void)ctx;
	for (size_t i = 0; i < len && F.console_len < sizeof(F.console); i++)
		F.console[F.console_len++] = buf[i];
}

static void fake_machine_reset(void *ctx)
{
	(void)ctx;
	F.resets++;
}

static void fake_unimplemented(void *ctx, const char *dev, const char *what, uint32_t value)
{
	(void)ctx;
	printf("  (unimplemented reported: %s: %s 0x%x)\n", dev, what, value);
	if (F.n_unimpl < sizeof(F.unimpl) / sizeof(F.unimpl[0]))
		F.unimpl[F.n_unimpl] = (struct unimpl_call){ dev, what, value };
	F.n_unimpl++;
}

const struct io_env fake_env = {
	.ctx = &F,
	.set_irq = fake_set_irq,
	.now_ns = fake_now,
	.wall_time = fake_wall,
	.console_write = fake_console,
	.reset = fake_machine_reset,
	.unimplemented = fake_unimplemented,
};

void fake_reset(uint64_t now, int64_t wall)
{
	memset(&F, 0, sizeof(F));
	F.now = now;
	F.wall = wall;
	io_reset_table();
	mmio_reset_table();
}

int unimpl_seen(const char *what)
{
	int n = 0;

	for (unsigned i = 0; i < F.n_unimpl && i < sizeof(F.unimpl) / sizeof(F.unimpl[0]); i++)
		n += strstr(F.unimpl[i].what, what) != NULL;
	return n;
}

void outb(uint16_t port, uint8_t val)
{
	if (io_out(port, 1, val) != 0)
		check(0, __FILE__, __LINE__, "outb to an unclaimed port");
}

uint8_t inb(uint16_t port)
{
	uint32_t v = 0;

	if (io_in(port, 1, &v) != 0)
		check(0, __FILE__, __LINE__, "inb from an unclaimed port");
	return (uint8_t)v;
}

void check(int ok, const char *file, int line, const char *expr)
{
	checks++;
	if (!ok) {
		failures++;
		printf("FAIL %s:%d: %s\n", file, line, expr);
	}
}

void check_eq(uint64_t got, uint64_t want, const char *file, int line, const char *expr)
{
	checks++;
	if (got != want) {
		failures++;
		printf("FAIL %s:%d: %s: got %llu (0x%llx), want %llu (0x%llx)\n", file, line, expr,
		       (unsigned long long)got, (unsigned long long)got,
		       (unsigned long long)want, (unsigned long long)want);
	}
}

int main(void)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} tests[] = {
		{ "io", test_io }, { "uart16550", test_uart }, { "i8259", test_pic },
		{ "i8254", test_pit }, { "rtc", test_rtc }, { "reset", test_reset },
		{ "mmio", test_mmio }, { "pci", test_pci }, { "dp83820", test_dp83820 },
	};

	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		unsigned c0 = checks, f0 = failures;

		tests[i].fn();
		printf("%-10s %4u checks, %u failed\n", tests[i].name, checks - c0, failures - f0);
	}
	printf("dev: %u checks, %u failed\n", checks, failures);
	return failures != 0;
}
