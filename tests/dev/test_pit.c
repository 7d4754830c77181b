/* i8254: Linux's clock event programming and TSC calibration. */
#include "harness.h"
#include "ipvmm/dev/i8254.h"

static struct i8254 pit;

static void setup(void)
{
	fake_reset(1000000000ull, 0); /* the clock does not start at 0 */
	CHECK_EQ(i8254_init(&pit, &fake_env), 0);
}

/* first ns at which 'ticks' PIT clocks have elapsed (ceil) */
static uint64_t ns_of(uint64_t ticks)
{
	return (ticks * 1000000000ull + I8254_HZ - 1) / I8254_HZ;
}

static uint16_t latch_read(unsigned ch)
{
	uint16_t v;

	outb(0x43, (uint8_t)(ch << 6));
	v = inb((uint16_t)(0x40 + ch));
	return (uint16_t)(v | inb((uint16_t)(0x40 + ch)) << 8);
}

/* The platform's host timer: fire at every next event until 'until'. */
static void run_until(uint64_t until)
{
	for (;;) {
		uint64_t next = i8254_next_event_ns(&pit);

		if (next > until)
			break;
		F.now = next;
		i8254_update(&pit);
	}
	F.now = until;
}

static void test_periodic(void)
{
	const unsigned latch = (I8254_HZ + 125) / 250; /* PIT_LATCH for HZ=250 */
	uint64_t t0, next;

	setup();
	CHECK_EQ(i8254_next_event_ns(&pit), UINT64_MAX);
	/* pit_set_periodic */
	outb(0x43, 0x34);
	outb(0x40, latch & 0xff);
	outb(0x40, latch >> 8);
	t0 = F.now;
	next = i8254_next_event_ns(&pit);
	CHECK_EQ(next, t0 + ns_of(latch));
	F.now = next - 1;
	i8254_update(&pit);
	CHECK_EQ(F.irq_rises[0], 0);
	F.now = next;
	i8254_update(&pit);
	CHECK_EQ(F.irq_rises[0], 1);
	CHECK_EQ(F.irq_level[0], 0); /* an edge: raised, then lowered */
	CHECK_EQ(i8254_next_event_ns(&pit), t0 + ns_of(2 * latch));

	/* one simulated second: HZ ticks, each its own edge */
	run_until(t0 + 1000000000ull);
	CHECK_EQ(F.irq_rises[0], I8254_HZ / latch);
	CHECK_EQ(pit.stats.irq0_edges, I8254_HZ / latch);
	CHECK_EQ(pit.stats.irq0_coalesced, 0);

	/* a late host timer: ten periods, one edge, nine counted as coalesced */
	next = i8254_next_event_ns(&pit);
	F.now = next + ns_of(9 * latch);
	i8254_update(&pit);
	CHECK_EQ(F.irq_rises[0], I8254_HZ / latch + 1);
	CHECK_EQ(pit.stats.irq0_coalesced, 9);

	/* the clocksource read: latch, LSB, MSB; mode 2 counts latch..1 */
	F.now = t0 + ns_of(latch * 1000ull + 100);
	CHECK_EQ(latch_read(0), latch - 100);
	F.now = t0 + ns_of(latch * 1000ull + latch - 1);
	CHECK_EQ(latch_read(0), 1);

	/* mode 3 at the same rate */
	i8254_update(&pit);
	outb(0x43, 0x36);
	outb(0x40, latch & 0xff);
	outb(0x40, latch >> 8);
	t0 = F.now;
	F.irq_rises[0] = 0;
	run_until(t0 + 1000000000ull);
	CHECK_EQ(F.irq_rises[0], I8254_HZ / latch);
	F.now = t0 + ns_of(10);
	CHECK_EQ(latch_read(0), latch - 20); /* counts by two */
	CHECK_NO_UNIMPL();
}

static void test_latch_readback(void)
{
	uint64_t t0;

	setup();
	outb(0x43, 0x34);
	outb(0x40, 0x00);
	outb(0x40, 0x10); /* 4096 */
	t0 = F.now;
	F.now = t0 + ns_of(1000);
	outb(0x43, 0x00);
	F.now = t0 + ns_of(2000);
	outb(0x43, 0x00); /* ignored: the first latch is unread */
	CHECK_EQ(inb(0x40), (4096 - 1000) & 0xff);
	CHECK_EQ(inb(0x40), (4096 - 1000) >> 8);
	/* unlatched reads follow the counter, LSB then MSB */
	CHECK_EQ(inb(0x40), (4096 - 2000) & 0xff);
	CHECK_EQ(inb(0x40), (4096 - 2000) >> 8);

	/* read-back: status and count of channel 0 */
	outb(0x43, 0xc2);
	CHECK_EQ(inb(0x40), 0x80 | 0x34); /* OUT high, lo/hi, mode 2, binary */
	CHECK_EQ(inb(0x40), (4096 - 2000) & 0xff);
	CHECK_EQ(inb(0x40), (4096 - 2000) >> 8);
	/* status only */
	outb(0x43, 0xe2);
	CHECK_EQ(inb(0x40), 0xb4);
	/* after a control word the count is null until written */
	outb(0x43, 0xb0);
	outb(0x43, 0xe8);
	CHECK_EQ(inb(0x42), 0x40 | 0x30);
	/* LSB-only and MSB-only access */
	outb(0x61, 0x01); /* channel 2's gate */
	outb(0x43, 0x90); /* channel 2, LSB, mode 0 */
	outb(0x42, 200);
	F.now += ns_of(50);
	CHECK_EQ(inb(0x42), 150);
	outb(0x43, 0xa0); /* channel 2, MSB, mode 0 */
	outb(0x42, 0x02);
	CHECK_EQ(inb(0x42), 0x02);
	CHECK_NO_UNIMPL();
}

/* arch/x86/kernel/tsc.c pit_calibrate_tsc(): channel 2, mode 0, polling
 * OUT2 in port 0x61; each poll here takes 1 us of simulated time. */
static void test_calibrate(void)
{
	const unsigned latch = I8254_HZ / (1000 / 50); /* 50 ms */
	uint64_t t0, polls = 0;

	setup();
	CHECK_EQ(inb(0x61) & 0x23, 0);
	outb(0x61, (uint8_t)((inb(0x61) & ~0x02) | 0x01));
	outb(0x43, 0xb0);
	outb(0x42, latch & 0xff);
	outb(0x42, latch >> 8);
	t0 = F.now;
	while ((inb(0x61) & 0x20) == 0 && polls < 1000000) {
		F.now += 1000;
		polls++;
	}
	/* OUT2 rises once 'latch' clocks have passed: 50 ms, 50000 polls */
	CHECK_EQ(polls, (ns_of(latch) + 999) / 1000);
	CHECK(F.now - t0 >= 49999000 && F.now - t0 <= 50001000);
	CHECK_EQ(inb(0x61) & 0x01, 1);
	/* channel 2 never interrupts */
	CHECK_EQ(F.irq_rises[0], 0);

	/* the gate: low freezes mode 0, high resumes */
	outb(0x43, 0xb0);
	outb(0x42, 0x00);
	outb(0x42, 0x10);
	t0 = F.now;
	F.now = t0 + ns_of(100);
	outb(0x61, 0x00);
	F.now = t0 + ns_of(5000);
	CHECK_EQ(latch_read(2), 4096 - 100);
	CHECK_EQ(inb(0x61) & 0x20, 0);
	outb(0x61, 0x01);
	t0 = F.now;
	F.now = t0 + ns_of(3995);
	CHECK_EQ(inb(0x61) & 0x20, 0);
	F.now = t0 + ns_of(3996);
	CHECK_EQ(latch_read(2), 0);
	CHECK_EQ(inb(0x61) & 0x20, 0x20);

	/* quick_pit_calibrate: MSB of a free-running mode 0 count */
	outb(0x61, (uint8_t)((inb(0x61) & ~0x02) | 0x01));
	outb(0x43, 0xb0);
	outb(0x42, 0xff);
	outb(0x42, 0xff);
	t0 = F.now;
	inb(0x42);
	CHECK_EQ(inb(0x42), 0xff);
	F.now = t0 + ns_of(255);
	inb(0x42);
	CHECK_EQ(inb(0x42), 0xff);
	F.now = t0 + ns_of(256);
	inb(0x42);
	CHECK_EQ(inb(0x42), 0xfe);
	F.now = t0 + ns_of(256 * 10 + 5);
	inb(0x42);
	CHECK_EQ(inb(0x42), 0xf5);

	/* speaker bit and refresh toggle */
	outb(0x61, 0x03);
	CHECK_EQ(inb(0x61) & 0x03, 0x03);
	F.now = 15085ull * 1000;
	CHECK_EQ(inb(0x61) & 0x10, 0);
	F.now += 15085;
	CHECK_EQ(inb(0x61) & 0x10, 0x10);
	CHECK_NO_UNIMPL();
}

static void test_oneshot(void)
{
	uint64_t t0;

	setup();
	/* pit_set_oneshot + pit_next_event(1193): mode 4 */
	outb(0x43, 0x38);
	CHECK_EQ(i8254_next_event_ns(&pit), UINT64_MAX);
	outb(0x40, 1193 & 0xff);
	outb(0x40, 1193 >> 8);
	t0 = F.now;
	CHECK_EQ(i8254_next_event_ns(&pit), t0 + ns_of(1194));
	run_until(t0 + 10000000);
	CHECK_EQ(F.irq_rises[0], 1);
	CHECK_EQ(i8254_next_event_ns(&pit), UINT64_MAX);
	/* the next event, without a new control word */
	outb(0x40, 100);
	outb(0x40, 0);
	CHECK_EQ(i8254_next_event_ns(&pit), F.now + ns_of(101));
	run_until(F.now + 10000000);
	CHECK_EQ(F.irq_rises[0], 2);

	/* clockevent_i8253_disable: mode 0 with count 0, then the mode again */
	outb(0x43, 0x30);
	outb(0x40, 0);
	outb(0x40, 0);
	outb(0x43, 0x30);
	CHECK_EQ(i8254_next_event_ns(&pit), UINT64_MAX);
	run_until(F.now + 1000000000ull);
	CHECK_EQ(F.irq_rises[0], 2);

	/* mode 0 on channel 0: one interrupt at terminal count */
	outb(0x43, 0x30);
	outb(0x40, 0x00);
	outb(0x40, 0x01);
	t0 = F.now;
	CHECK_EQ(i8254_next_event_ns(&pit), t0 + ns_of(256));
	run_until(t0 + 1000000000ull);
	CHECK_EQ(F.irq_rises[0], 3);
	CHECK_EQ(latch_read(0), (uint16_t)(256 - 1193182)); /* wraps on */

	/* mode 2: a count written while running waits for the period end */
	outb(0x43, 0x34);
	outb(0x40, 0xe8);
	outb(0x40, 0x03); /* 1000 */
	t0 = F.now;
	F.now = t0 + ns_of(300);
	outb(0x40, 0xf4);
	outb(0x40, 0x01); /* 500 */
	CHECK_EQ(latch_read(0), 700);
	CHECK_EQ(i8254_next_event_ns(&pit), t0 + ns_of(1000));
	F.now = t0 + ns_of(1000);
	i8254_update(&pit);
	CHECK_EQ(F.irq_rises[0], 4);
	CHECK_EQ(i8254_next_event_ns(&pit), t0 + ns_of(1500));
	F.now = t0 + ns_of(1200);
	CHECK_EQ(latch_read(0), 300);
	CHECK_NO_UNIMPL();
}

static void test_unimplemented(void)
{
	uint32_t v;

	setup();
	outb(0x43, 0x32); /* mode 1 */
	outb(0x43, 0x31); /* BCD */
	outb(0x43, 0x3a); /* mode 5 */
	outb(0x43, 0x32);
	CHECK_EQ(F.n_unimpl, 3);
	CHECK_EQ(unimpl_seen("mode 1"), 1);
	CHECK_EQ(unimpl_seen("BCD"), 1);
	CHECK_EQ(io_in(0x40, 2, &v), 0);
	CHECK_EQ(unimpl_seen("access size"), 1);
	CHECK_EQ(inb(0x43), 0xff);
}

void test_pit(void)
{
	test_periodic();
	test_latch_readback();
	test_calibrate();
	test_oneshot();
	test_unimplemented();
}
