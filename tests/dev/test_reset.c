/* reset: port 0x92 and the keyboard controller's reset pulse. */
#include "harness.h"
#include "ipvmm/dev/reset.h"

void test_reset(void)
{
	static struct reset_ctl r;
	int waits = 0;

	fake_reset(0, 0);
	CHECK_EQ(reset_ctl_init(&r, &fake_env), 0);

	/* arch/x86/kernel/reboot.c: kb_wait, then pulse the reset line */
	while ((inb(0x64) & 0x02) && waits < 0x10000)
		waits++;
	CHECK_EQ(waits, 0);
	CHECK_EQ(inb(0x64), 0x14);
	outb(0x64, 0xfe);
	CHECK_EQ(F.resets, 1);
	CHECK_EQ(inb(0x64), 0x1c); /* the last write was a command */
	outb(0x64, 0xff); /* null command */
	CHECK_EQ(F.resets, 1);

	/* port 0x92: A20 on, fast reset */
	CHECK_EQ(inb(0x92), 0x02);
	outb(0x92, 0x03);
	CHECK_EQ(F.resets, 2);
	CHECK_EQ(inb(0x92), 0x02);
	outb(0x92, 0x02);
	CHECK_EQ(F.resets, 2);
	CHECK_NO_UNIMPL();

	/* the rest is reported */
	outb(0x92, 0x00);
	CHECK_EQ(unimpl_seen("A20"), 1);
	outb(0x64, 0x20); /* read controller configuration */
	outb(0x64, 0xaa);
	CHECK_EQ(unimpl_seen("command"), 1);
	CHECK_EQ(F.unimpl[1].value, 0x20);
	inb(0x60);
	outb(0x60, 0xf4);
	CHECK_EQ(unimpl_seen("data port"), 2);
	CHECK_EQ(F.n_unimpl, 4);
	CHECK_EQ(F.resets, 2);
}
