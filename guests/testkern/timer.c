/*
 * The i8259 pair remapped to vectors 0x20-0x2f, the i8254's channel 0 in
 * mode 2 at 100 Hz on IRQ 0, and what EFLAGS.IF means: an interrupt waits
 * while IF is clear (visible in the 8259's IRR), arrives after sti, popf or
 * iret set IF again, and `sti; hlt` sleeps until it comes.  Only counts the
 * kernel chose are printed, never times.
 */
#include "cpu.h"
#include "testkern.h"

#define PIC1 0x20
#define PIC2 0xa0
#define PIT_CH0 0x40
#define PIT_CMD 0x43
#define PIT_HZ 1193182u
#define TICK_HZ 100u
#define DIVISOR ((PIT_HZ + TICK_HZ / 2) / TICK_HZ)
#define HLT_TICKS 10

static void pic_init(void)
{
	outb(PIC1, 0x11); /* ICW1: edge, cascade, ICW4 */
	outb(PIC2, 0x11);
	outb(PIC1 + 1, 0x20); /* ICW2: vector base */
	outb(PIC2 + 1, 0x28);
	outb(PIC1 + 1, 0x04); /* ICW3: slave on IRQ 2 */
	outb(PIC2 + 1, 0x02);
	outb(PIC1 + 1, 0x01); /* ICW4: 8086 mode */
	outb(PIC2 + 1, 0x01);
	outb(PIC1 + 1, 0xff); /* all masked until a check wants one */
	outb(PIC2 + 1, 0xff);
}

static uint8_t pic_irr(void)
{
	outb(PIC1, 0x0a); /* OCW3: read IRR */
	return inb(PIC1);
}

static void pit_init(void)
{
	outb(PIT_CMD, 0x34); /* channel 0, lobyte/hibyte, mode 2, binary */
	outb(PIT_CH0, DIVISOR & 0xff);
	outb(PIT_CH0, DIVISOR >> 8);
}

/* Waits, with IF clear, until IRQ 0 is pending; 0 if it never came. */
static int wait_pending(void)
{
	for (uint32_t i = 0; i < 50000000; i++)
		if (pic_irr() & 1)
			return 1;
	return 0;
}

static int wait_ticks_above(uint32_t n)
{
	for (uint32_t i = 0; i < 50000000; i++)
		if (ticks > n)
			return 1;
	return 0;
}

void timer_checks(void)
{
	cli();
	pic_init();
	outb(PIC1 + 1, 0xb5);
	uint8_t m1 = inb(PIC1 + 1);
	outb(PIC1 + 1, 0xff);
	check(m1 == 0xb5, "8259: remapped to 0x20/0x28, mask register reads back %#x", m1);
	pit_init();
	outb(PIT_CMD, 0x00); /* latch channel 0 */
	uint32_t lo = inb(PIT_CH0), hi = inb(PIT_CH0);
	uint32_t cnt = lo | hi << 8;
	check(cnt <= DIVISOR, "8254: channel 0 mode 2, divisor %u, latched count within it",
	      DIVISOR);

	/* IF clear: the tick stays pending in the IRR, nothing is delivered */
	ticks = 0;
	outb(PIC1 + 1, 0xfe);
	int pending = wait_pending();
	uint32_t during = ticks;
	check(pending && during == 0 && !(save_flags() & EFLAGS_IF),
	      "cli: IRQ 0 pending in the 8259 while IF is clear, not delivered");
	sti();
	int got = wait_ticks_above(0);
	cli();
	check(got, "sti: the pending IRQ 0 is delivered once IF is set");

	/* popf: restores IF as saved, both ways */
	uint32_t off = save_flags();
	sti();
	restore_flags(off);
	uint32_t after_off = save_flags();
	sti();
	uint32_t on = save_flags();
	cli();
	restore_flags(on);
	uint32_t after_on = save_flags();
	cli();
	check(!(after_off & EFLAGS_IF) && (after_on & EFLAGS_IF),
	      "popf: restores IF clear after sti, and set after cli");

	/* popf setting IF delivers what waited while it was clear */
	uint32_t t = ticks;
	got = wait_pending();
	restore_flags(on);
	got = got && wait_ticks_above(t);
	cli();
	check(got, "popf: setting IF delivers the IRQ 0 that was pending");

	/* sti; hlt sleeps until the next tick, HLT_TICKS times */
	unsigned woke = 0;
	for (int i = 0; i < HLT_TICKS; i++) {
		t = ticks;
		sti_hlt();
		cli();
		woke += ticks != t;
	}
	check(woke == HLT_TICKS, "hlt: sti; hlt returned %u times, each after a tick", woke);

	outb(PIC1 + 1, 0xff); /* quiet from here on: the rest must not depend on time */
	check(!(save_flags() & EFLAGS_IF), "timer: IRQ 0 masked again, IF clear");
}
