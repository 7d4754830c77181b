/* i8259: what arch/x86/kernel/i8259.c does to the pair. */
#include "harness.h"
#include "ipvmm/dev/i8259.h"
#include "ipvmm/dev/uart16550.h"

static struct i8259 pic;

static void to_pic(void *dev, unsigned line, int level)
{
	i8259_set_irq(dev, line, level);
}

/* init_8259A(auto_eoi), then the masks Linux restores */
static void linux_init(int auto_eoi, uint8_t master_mask, uint8_t slave_mask)
{
	outb(0x21, 0xff);
	outb(0x20, 0x11);
	outb(0x21, 0x30);
	outb(0x21, 1u << 2);
	outb(0x21, auto_eoi ? 0x03 : 0x01);
	outb(0xa0, 0x11);
	outb(0xa1, 0x38);
	outb(0xa1, 2);
	outb(0xa1, 0x01);
	outb(0x21, master_mask);
	outb(0xa1, slave_mask);
}

static void setup(uint8_t master_mask, uint8_t slave_mask)
{
	fake_reset(0, 0);
	CHECK_EQ(i8259_init(&pic, &fake_env), 0);
	F.irq_hook = to_pic;
	F.irq_hook_dev = &pic;
	linux_init(0, master_mask, slave_mask);
}

static void edge(unsigned line)
{
	i8259_set_irq(&pic, line, 1);
	i8259_set_irq(&pic, line, 0);
}

static uint8_t read_isr(uint16_t cmd)
{
	uint8_t v;

	outb(cmd, 0x0b);
	v = inb(cmd);
	outb(cmd, 0x0a);
	return v;
}

/* mask_and_ack_8259A's EOIs */
static void linux_eoi(unsigned irq)
{
	if (irq & 8) {
		outb(0xa0, (uint8_t)(0x60 + (irq & 7)));
		outb(0x20, 0x62);
	} else {
		outb(0x20, (uint8_t)(0x60 + irq));
	}
}

static void test_probe_init(void)
{
	fake_reset(0, 0);
	CHECK_EQ(i8259_init(&pic, &fake_env), 0);
	/* probe_8259A */
	outb(0xa1, 0xff);
	outb(0x21, 0xfb);
	CHECK_EQ(inb(0x21), 0xfb);
	linux_init(0, 0xfa, 0xff);
	CHECK_EQ(inb(0x21), 0xfa);
	CHECK_EQ(inb(0xa1), 0xff);
	CHECK_EQ(inb(0x20), 0); /* IRR */
	CHECK_EQ(read_isr(0x20), 0);
	CHECK_EQ(i8259_pending(&pic), 0);
	CHECK_NO_UNIMPL();
}

static void test_edge_eoi_priority(void)
{
	setup(0xf4, 0xff); /* IRQ 0, 1, 3 and the cascade open */

	edge(0);
	CHECK_EQ(i8259_pending(&pic), 1);
	CHECK_EQ(inb(0x20), 0x01);
	CHECK_EQ(i8259_ack(&pic), 0x30);
	CHECK_EQ(inb(0x20), 0x00);
	CHECK_EQ(read_isr(0x20), 0x01);
	CHECK_EQ(i8259_pending(&pic), 0);
	edge(0); /* same priority as the one in service: waits */
	CHECK_EQ(i8259_pending(&pic), 0);
	linux_eoi(0);
	CHECK_EQ(i8259_pending(&pic), 1);
	CHECK_EQ(i8259_ack(&pic), 0x30);
	linux_eoi(0);
	CHECK_EQ(i8259_pending(&pic), 0);

	/* fully nested priorities */
	edge(3);
	edge(1);
	CHECK_EQ(i8259_ack(&pic), 0x31);
	CHECK_EQ(i8259_pending(&pic), 0); /* 3 waits for 1 */
	edge(0);
	CHECK_EQ(i8259_pending(&pic), 1); /* 0 preempts 1 */
	CHECK_EQ(i8259_ack(&pic), 0x30);
	CHECK_EQ(read_isr(0x20), 0x03);
	outb(0x20, 0x20); /* non-specific EOI ends the highest: 0 */
	CHECK_EQ(read_isr(0x20), 0x02);
	CHECK_EQ(i8259_pending(&pic), 0);
	outb(0x20, 0x20);
	CHECK_EQ(i8259_ack(&pic), 0x33);
	linux_eoi(3);
	CHECK_EQ(i8259_pending(&pic), 0);

	/* masked requests wait in IRR */
	outb(0x21, 0xfc); /* mask 3 */
	edge(3);
	CHECK_EQ(i8259_pending(&pic), 0);
	CHECK_EQ(inb(0x20), 0x08);
	outb(0x21, 0xf4);
	CHECK_EQ(i8259_pending(&pic), 1);
	CHECK_EQ(i8259_ack(&pic), 0x33);
	linux_eoi(3);

	/* a masked line stays quiet */
	edge(5);
	CHECK_EQ(i8259_pending(&pic), 0);
	CHECK_EQ(pic.stats.acks, 6);
	CHECK_EQ(pic.stats.spurious, 0);
	CHECK_NO_UNIMPL();
}

static void test_cascade(void)
{
	setup(0xfa, 0xef); /* IRQ 0, cascade, IRQ 12 */

	edge(12);
	CHECK_EQ(i8259_pending(&pic), 1);
	CHECK_EQ(i8259_ack(&pic), 0x3c);
	CHECK_EQ(read_isr(0x20), 0x04);
	CHECK_EQ(read_isr(0xa0), 0x10);
	edge(12); /* again while in service */
	CHECK_EQ(i8259_pending(&pic), 0);
	linux_eoi(12);
	CHECK_EQ(read_isr(0x20), 0);
	CHECK_EQ(read_isr(0xa0), 0);
	CHECK_EQ(i8259_pending(&pic), 1); /* the second edge, not lost */
	CHECK_EQ(i8259_ack(&pic), 0x3c);
	/* IRQ 0 has priority over the whole slave */
	edge(0);
	CHECK_EQ(i8259_pending(&pic), 1);
	CHECK_EQ(i8259_ack(&pic), 0x30);
	linux_eoi(0);
	linux_eoi(12);
	CHECK_EQ(i8259_pending(&pic), 0);
	CHECK_NO_UNIMPL();
}

static void test_spurious(void)
{
	setup(0xf8, 0xef); /* IRQ 0, 1, cascade, IRQ 12 */

	/* the request is masked between INTR and INTA: IRQ 7 */
	edge(1);
	CHECK_EQ(i8259_pending(&pic), 1);
	outb(0x21, 0xfa);
	CHECK_EQ(i8259_ack(&pic), 0x37);
	CHECK_EQ(read_isr(0x20), 0); /* a spurious IRQ 7 sets no ISR bit */
	CHECK_EQ(pic.stats.spurious, 1);
	outb(0x21, 0xf8);
	CHECK_EQ(i8259_ack(&pic), 0x31); /* still requested once unmasked */
	linux_eoi(1);

	/* a slave request masked before INTA takes IR2 away with it */
	edge(12);
	CHECK_EQ(i8259_pending(&pic), 1);
	outb(0xa1, 0xff);
	CHECK_EQ(i8259_pending(&pic), 0);
	CHECK_EQ(i8259_ack(&pic), 0x37);
	CHECK_EQ(read_isr(0xa0), 0);
	CHECK_EQ(read_isr(0x20), 0);
	CHECK_EQ(pic.stats.spurious, 2);
	outb(0xa1, 0xef);
	CHECK_EQ(i8259_ack(&pic), 0x3c);
	linux_eoi(12);

	/* INTA with nothing pending at all */
	CHECK_EQ(i8259_pending(&pic), 0);
	CHECK_EQ(i8259_ack(&pic), 0x37);
	CHECK_NO_UNIMPL();
}

static void test_level_elcr(void)
{
	setup(0xf2, 0xf7); /* IRQ 0, 2, 3, 11 */

	outb(0x4d0, 0xff);
	outb(0x4d1, 0xff);
	CHECK_EQ(inb(0x4d0), 0xf8); /* IRQ 0-2 are edge-only */
	CHECK_EQ(inb(0x4d1), 0xde); /* IRQ 8 and 13 too */
	outb(0x4d0, 0x08);
	outb(0x4d1, 0x08);

	i8259_set_irq(&pic, 11, 1);
	CHECK_EQ(i8259_ack(&pic), 0x3b);
	linux_eoi(11);
	CHECK_EQ(i8259_pending(&pic), 1); /* the line is still high */
	i8259_set_irq(&pic, 11, 0);
	CHECK_EQ(i8259_pending(&pic), 0);

	/* a level line that drops before INTA: spurious */
	i8259_set_irq(&pic, 3, 1);
	CHECK_EQ(i8259_pending(&pic), 1);
	i8259_set_irq(&pic, 3, 0);
	CHECK_EQ(i8259_pending(&pic), 0);
	CHECK_EQ(i8259_ack(&pic), 0x37);

	/* Linux's save_ELCR masks */
	CHECK_EQ(inb(0x4d0) & 0xf8, 0x08);
	CHECK_EQ(inb(0x4d1) & 0xde, 0x08);
	CHECK_NO_UNIMPL();
}

static void test_modes(void)
{
	uint8_t v;

	/* auto-EOI, as init_8259A(1) */
	fake_reset(0, 0);
	CHECK_EQ(i8259_init(&pic, &fake_env), 0);
	linux_init(1, 0xf8, 0xff);
	edge(1);
	CHECK_EQ(i8259_ack(&pic), 0x31);
	CHECK_EQ(read_isr(0x20), 0);
	edge(1);
	CHECK_EQ(i8259_pending(&pic), 1);
	CHECK_EQ(i8259_ack(&pic), 0x31);

	/* specific rotation: IR1 lowest makes IR2 the highest */
	setup(0xf0, 0xfe); /* IRQ 0-3, slave IRQ 8 */
	outb(0x20, 0xc1);
	edge(0);
	edge(8);
	CHECK_EQ(i8259_ack(&pic), 0x38);
	linux_eoi(8);
	CHECK_EQ(i8259_ack(&pic), 0x30);
	outb(0x20, 0x20);
	/* rotate on non-specific EOI: the serviced line becomes the lowest */
	outb(0x20, 0xc7);
	edge(1);
	CHECK_EQ(i8259_ack(&pic), 0x31);
	outb(0x20, 0xa0);
	edge(1);
	edge(3);
	CHECK_EQ(i8259_ack(&pic), 0x33); /* 1 is now the lowest */
	outb(0x20, 0x20);
	CHECK_EQ(i8259_ack(&pic), 0x31);
	outb(0x20, 0x20);
	outb(0x20, 0xc7);

	/* poll mode */
	edge(3);
	outb(0x20, 0x0c);
	v = inb(0x20);
	CHECK_EQ(v, 0x83);
	CHECK_EQ(read_isr(0x20), 0x08);
	outb(0x20, 0x63);
	outb(0x20, 0x0c);
	CHECK_EQ(inb(0x20), 0x00);
	CHECK_EQ(inb(0x20), 0x00); /* back to IRR after the poll */

	/* special mask mode: a masked in-service line no longer blocks */
	edge(1);
	CHECK_EQ(i8259_ack(&pic), 0x31);
	outb(0x21, 0xf2); /* mask IRQ 1 while in service */
	outb(0x20, 0x68); /* set special mask */
	edge(3);
	CHECK_EQ(i8259_pending(&pic), 1);
	CHECK_EQ(i8259_ack(&pic), 0x33);
	outb(0x20, 0x48); /* reset special mask */
	CHECK_NO_UNIMPL();

	/* lines out of range are ignored */
	i8259_set_irq(&pic, 16, 1);
	i8259_set_irq(&pic, 2, 1);

	/* wiring this model does not have */
	outb(0x20, 0x19); /* LTIM */
	outb(0x21, 0x30);
	outb(0x21, 0x05); /* slaves on IR0 and IR2 */
	outb(0x21, 0x01);
	CHECK_EQ(unimpl_seen("LTIM"), 1);
	CHECK_EQ(unimpl_seen("ICW3"), 1);
	CHECK_EQ(F.n_unimpl, 2);
	CHECK_EQ(inb(0x21), 0x00); /* ICW1 cleared the mask */
}

/* The UART's line through io_env.set_irq into the PIC, as the platform
 * wires it: a THRE interrupt becomes vector 0x34. */
static void test_wiring(void)
{
	static struct uart16550 u;

	setup(0xea, 0xff); /* IRQ 0, 2, 4 */
	CHECK_EQ(uart16550_init(&u, &fake_env, 0x3f8, 4), 0);
	outb(0x3f8 + 4, 0x08); /* OUT2 */
	outb(0x3f8 + 1, 0x02); /* THRI */
	CHECK_EQ(i8259_pending(&pic), 1);
	CHECK_EQ(i8259_ack(&pic), 0x34);
	CHECK_EQ(inb(0x3f8 + 2), 0x02);
	linux_eoi(4);
	CHECK_EQ(i8259_pending(&pic), 0);
	outb(0x3f8, 'x'); /* THR empty again: a new edge */
	CHECK_EQ(i8259_pending(&pic), 1);
	CHECK_EQ(i8259_ack(&pic), 0x34);
	CHECK_NO_UNIMPL();
}

void test_pic(void)
{
	test_probe_init();
	test_edge_eoi_priority();
	test_cascade();
	test_spurious();
	test_level_elcr();
	test_modes();
	test_wiring();
}
