/* rtc: the CMOS clock as Linux's mc146818 library reads and sets it. */
#include "harness.h"
#include "ipvmm/dev/rtc.h"

#define S 1000000000ull

static struct rtc rtc;
static uint64_t base;

static uint8_t cmos_read(uint8_t idx)
{
	outb(0x70, idx);
	return inb(0x71);
}

static void cmos_write(uint8_t idx, uint8_t v)
{
	outb(0x70, idx);
	outb(0x71, v);
}

static void setup(int64_t wall)
{
	fake_reset(7 * S + 123456, wall);
	base = F.now;
	CHECK_EQ(rtc_init(&rtc, &fake_env), 0);
}

struct fields {
	uint8_t sec, min, hour, mday, mon, year, ctrl;
};

/* mc146818_avoid_UIP + mc146818_get_time_callback; each udelay(100)
 * moves the clock 100 us.  Returns the number of attempts. */
static int linux_get_time(struct fields *f)
{
	for (int i = 0; i < 1000; i++) {
		uint8_t seconds = cmos_read(0x00);

		if (cmos_read(0x0a) & 0x80) {
			F.now += 100000;
			continue;
		}
		if (seconds != cmos_read(0x00))
			continue;
		f->sec = seconds;
		f->min = cmos_read(0x02);
		f->hour = cmos_read(0x04);
		f->mday = cmos_read(0x07);
		f->mon = cmos_read(0x08);
		f->year = cmos_read(0x09);
		f->ctrl = cmos_read(0x0b);
		if (cmos_read(0x0a) & 0x80) {
			F.now += 100000;
			continue;
		}
		if (seconds != cmos_read(0x00))
			continue;
		return i + 1;
	}
	return -1;
}

static void test_read(void)
{
	struct fields f;

	setup(1709214330); /* 2024-02-29 13:45:30 UTC, a Thursday */
	CHECK_EQ(linux_get_time(&f), 1);
	CHECK_EQ(f.sec, 0x30);
	CHECK_EQ(f.min, 0x45);
	CHECK_EQ(f.hour, 0x13);
	CHECK_EQ(f.mday, 0x29);
	CHECK_EQ(f.mon, 0x02);
	CHECK_EQ(f.year, 0x24);
	CHECK_EQ(f.ctrl, 0x02); /* 24-hour, BCD */
	CHECK_EQ(cmos_read(0x06), 5);
	CHECK_EQ(cmos_read(0x32), 0x20);
	CHECK_EQ(cmos_read(0x0d), 0x80);
	CHECK_EQ(cmos_read(0x0a), 0x26);

	/* binary */
	cmos_write(0x0b, 0x06);
	CHECK_EQ(cmos_read(0x00), 30);
	CHECK_EQ(cmos_read(0x04), 13);
	CHECK_EQ(cmos_read(0x09), 24);
	CHECK_EQ(cmos_read(0x32), 20);
	/* 12-hour binary: 1 PM */
	cmos_write(0x0b, 0x04);
	CHECK_EQ(cmos_read(0x04), 0x81);
	/* 12-hour BCD */
	cmos_write(0x0b, 0x00);
	CHECK_EQ(cmos_read(0x04), 0x81);
	cmos_write(0x0b, 0x02);

	/* the clock runs: 90 s later it is 13:47:00 */
	F.now = base + 90 * S;
	CHECK_EQ(cmos_read(0x00), 0x00);
	CHECK_EQ(cmos_read(0x02), 0x47);

	/* UIP in the last 244 us before the seconds roll */
	F.now = base + 91 * S - 244001;
	CHECK_EQ(cmos_read(0x0a) & 0x80, 0);
	F.now = base + 91 * S - 244000;
	CHECK_EQ(cmos_read(0x0a) & 0x80, 0x80);
	CHECK_EQ(cmos_read(0x00), 0x00);
	F.now = base + 91 * S;
	CHECK_EQ(cmos_read(0x0a) & 0x80, 0);
	CHECK_EQ(cmos_read(0x00), 0x01);
	/* Linux's reader waits the update out */
	F.now = base + 92 * S - 100000;
	CHECK_EQ(linux_get_time(&f), 2);
	CHECK_EQ(f.sec, 0x02);

	/* 11:59 AM, midnight and noon in 12-hour mode */
	setup(1709214330 - 13 * 3600 - 45 * 60 - 30 + 60); /* 00:01:00 */
	cmos_write(0x0b, 0x00);
	CHECK_EQ(cmos_read(0x04), 0x12);
	F.now = base + 12 * 3600 * S;
	CHECK_EQ(cmos_read(0x04), 0x92);
	F.now = base + 11 * 3600 * S;
	CHECK_EQ(cmos_read(0x04), 0x11);

	/* a century rolls */
	setup(4102444799); /* 2099-12-31 23:59:59 */
	CHECK_EQ(cmos_read(0x09), 0x99);
	CHECK_EQ(cmos_read(0x32), 0x20);
	F.now = base + S;
	CHECK_EQ(cmos_read(0x09), 0x00);
	CHECK_EQ(cmos_read(0x32), 0x21);
	CHECK_EQ(cmos_read(0x08), 0x01);
	CHECK_EQ(cmos_read(0x07), 0x01);
	CHECK_EQ(cmos_read(0x06), 6); /* 2100-01-01 is a Friday */
	CHECK_NO_UNIMPL();
}

static void test_set(void)
{
	uint8_t ctrl, freq;

	setup(1709214330);
	/* mc146818_set_time to 2030-01-01 00:00:00 (BCD, 24-hour) */
	ctrl = cmos_read(0x0b);
	cmos_write(0x0b, ctrl | 0x80);
	freq = cmos_read(0x0a);
	cmos_write(0x0a, freq | 0x70);
	cmos_write(0x09, 0x30);
	cmos_write(0x08, 0x01);
	cmos_write(0x07, 0x01);
	cmos_write(0x04, 0x00);
	cmos_write(0x02, 0x00);
	cmos_write(0x00, 0x00);
	cmos_write(0x32, 0x20);
	F.now += 3 * S; /* halted while SET */
	CHECK_EQ(cmos_read(0x00), 0x00);
	CHECK_EQ(cmos_read(0x09), 0x30);
	cmos_write(0x0b, ctrl);
	cmos_write(0x0a, freq);
	CHECK_EQ(cmos_read(0x09), 0x30);
	CHECK_EQ(cmos_read(0x08), 0x01);
	CHECK_EQ(cmos_read(0x07), 0x01);
	CHECK_EQ(cmos_read(0x04), 0x00);
	/* Linux does not write the day of week; like the chip's, it keeps
	 * counting from what it was (Thursday), not the new date's Tuesday */
	CHECK_EQ(cmos_read(0x06), 5);
	F.now += 5 * S;
	CHECK_EQ(cmos_read(0x00), 0x05);
	CHECK_NO_UNIMPL();

	/* one register, without SET, in binary 12-hour mode: 3 PM */
	cmos_write(0x0b, 0x04);
	cmos_write(0x04, 0x83);
	CHECK_EQ(cmos_read(0x04), 0x83);
	cmos_write(0x0b, 0x06);
	CHECK_EQ(cmos_read(0x04), 15);
	CHECK_EQ(cmos_read(0x02), 0);
	CHECK_EQ(cmos_read(0x07), 1);
	/* the day of week is the guest's to set */
	cmos_write(0x06, 1);
	CHECK_EQ(cmos_read(0x06), 1);
	F.now += 86400 * S;
	CHECK_EQ(cmos_read(0x06), 2);
	CHECK_EQ(cmos_read(0x07), 2);
	CHECK_NO_UNIMPL();
}

static void test_nvram_flags(void)
{
	setup(1709214330);
	cmos_write(0x40, 0x5a);
	cmos_write(0x7f, 0xa5);
	CHECK_EQ(cmos_read(0x40), 0x5a);
	CHECK_EQ(cmos_read(0x7f), 0xa5);
	CHECK_EQ(cmos_read(0x0e), 0);
	rtc_nvram_set(&rtc, 0x15, 0x80);
	rtc_nvram_set(&rtc, 0x00, 0x12); /* not NVRAM: ignored */
	CHECK_EQ(cmos_read(0x15), 0x80);
	CHECK_EQ(cmos_read(0x00), 0x30);
	/* alarm registers are kept */
	cmos_write(0x01, 0x59);
	CHECK_EQ(cmos_read(0x01), 0x59);
	/* bit 7 of the index masks NMI and still selects the register */
	CHECK_EQ(rtc_nmi_masked(&rtc), 0);
	outb(0x70, 0x80 | 0x40);
	CHECK_EQ(rtc_nmi_masked(&rtc), 1);
	CHECK_EQ(inb(0x71), 0x5a);
	CHECK_EQ(inb(0x70), 0xc0);
	outb(0x70, 0x0d);
	CHECK_EQ(rtc_nmi_masked(&rtc), 0);
	/* C, D read-only */
	cmos_write(0x0d, 0x00);
	CHECK_EQ(cmos_read(0x0d), 0x80);

	/* register C: UF once a second has rolled, PF at the periodic rate
	 * (1024 Hz by default); reading clears them */
	CHECK_EQ(cmos_read(0x0c), 0);
	F.now += 500000;
	CHECK_EQ(cmos_read(0x0c), 0);
	F.now += 500000;
	CHECK_EQ(cmos_read(0x0c), 0x40);
	CHECK_EQ(cmos_read(0x0c), 0);
	F.now = base + S;
	CHECK_EQ(cmos_read(0x0c), 0x50);
	cmos_write(0x0a, 0x20); /* periodic rate off */
	F.now += 2 * S;
	CHECK_EQ(cmos_read(0x0c), 0x10);
	CHECK_NO_UNIMPL();

	/* interrupts and daylight saving are not modelled */
	cmos_write(0x0b, 0x02 | 0x40);
	cmos_write(0x0b, 0x02 | 0x40);
	CHECK_EQ(F.n_unimpl, 1);
	CHECK_EQ(unimpl_seen("periodic interrupt"), 1);
	cmos_write(0x0b, 0x02 | 0x10 | 0x20 | 0x01);
	CHECK_EQ(unimpl_seen("alarm"), 1);
	CHECK_EQ(unimpl_seen("update-ended"), 1);
	CHECK_EQ(unimpl_seen("daylight"), 1);
	cmos_write(0x0a, 0x06); /* 4.194 MHz divider */
	CHECK_EQ(unimpl_seen("divider"), 1);
	CHECK_EQ(F.n_unimpl, 5);
}

void test_rtc(void)
{
	test_read();
	test_set();
	test_nvram_flags();
}
