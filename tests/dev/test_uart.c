/* uart16550: what Linux's 8250 driver does to it. */
#include <string.h>

#include "harness.h"
#include "ipvmm/dev/uart16550.h"

#define BASE 0x3f8
#define IRQ 4
enum { RX = 0, TX = 0, DLL = 0, IER = 1, DLM = 1, IIR = 2, FCR = 2, EFR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7 };

static struct uart16550 u;

static void out(unsigned reg, uint8_t v) { outb((uint16_t)(BASE + reg), v); }
static uint8_t in(unsigned reg) { return inb((uint16_t)(BASE + reg)); }

static void setup(void)
{
	fake_reset(0, 0);
	CHECK_EQ(uart16550_init(&u, &fake_env, BASE, IRQ), 0);
}

/* drivers/tty/serial/8250/8250_port.c autoconfig() and
 * autoconfig_16550a() step by step; returns the type Linux decides on. */
static const char *linux_autoconfig(void)
{
	uint8_t scratch, scratch2, scratch3, save_lcr, save_mcr, status1, status2, iersave;
	const char *type = "?";

	scratch = in(IER);
	out(IER, 0);
	io_out(0x80, 1, 0xff); /* ISA bus float guard; nobody claims 0x80 */
	scratch2 = in(IER) & 0x0f;
	out(IER, 0x0f);
	io_out(0x80, 1, 0);
	scratch3 = in(IER) & 0x0f;
	out(IER, scratch);
	if (scratch2 != 0 || scratch3 != 0x0f)
		return "no UART (IER test)";

	save_mcr = in(MCR);
	save_lcr = in(LCR);
	out(MCR, 0x10 | 0x0a);
	status1 = in(MSR) & 0xf0;
	out(MCR, save_mcr);
	if (status1 != 0x90)
		return "no UART (loopback test)";

	out(LCR, 0xbf);
	out(EFR, 0);
	out(LCR, 0);
	out(FCR, 0x01);
	scratch = in(IIR);
	switch (scratch >> 6) {
	case 0:
		type = "8250/16450";
		break;
	case 1:
		type = "unknown";
		break;
	case 2:
		type = "16550";
		break;
	case 3:
		type = "16550A";
		/* EFR present with DLAB set? (ST16C650V1) */
		out(LCR, 0x80);
		if (in(EFR) == 0) {
			type = "16650 or FSL64";
			break;
		}
		out(LCR, 0xbf);
		if (in(EFR) == 0) {
			type = "EFRv2";
			break;
		}
		/* National Semiconductor SuperIO */
		out(LCR, 0);
		status1 = in(MCR);
		out(LCR, 0xe0);
		status2 = in(2);
		if (!((status2 ^ status1) & 0x10)) {
			out(LCR, 0);
			out(MCR, status1 ^ 0x10);
			out(LCR, 0xe0);
			status2 = in(2);
			out(LCR, 0);
			out(MCR, status1);
			if ((status2 ^ status1) & 0x10) {
				type = "NS16550A";
				break;
			}
		}
		/* TI16750 */
		out(LCR, 0);
		out(FCR, 0x01 | 0x20);
		status1 = in(IIR) >> 5;
		out(FCR, 0x01);
		out(LCR, 0x80);
		out(FCR, 0x01 | 0x20);
		status2 = in(IIR) >> 5;
		out(FCR, 0x01);
		out(LCR, 0);
		if (status1 == 6 && status2 == 7) {
			type = "16750";
			break;
		}
		/* Xscale UUE bit */
		iersave = in(IER);
		out(IER, iersave & ~0x40);
		if (!(in(IER) & 0x40)) {
			out(IER, iersave | 0x40);
			if (in(IER) & 0x40) {
				type = "XScale";
				break;
			}
		}
		out(IER, iersave);
		break;
	}
	out(LCR, save_lcr);
	/* reset: MCR, clear FIFOs, read RX, clear IER */
	out(MCR, save_mcr);
	out(FCR, 0x01);
	out(FCR, 0x01 | 0x02 | 0x04);
	out(FCR, 0);
	in(RX);
	out(IER, 0);
	return type;
}

/* size_fifo(): bytes a loopback burst leaves in the receive FIFO. */
static int linux_size_fifo(void)
{
	int count;

	out(LCR, 0);
	out(FCR, 0x01 | 0x02 | 0x04);
	out(MCR, 0x10);
	out(LCR, 0x80);
	out(DLL, 1);
	out(DLM, 0);
	out(LCR, 0x03);
	for (count = 0; count < 256; count++)
		out(TX, (uint8_t)count);
	for (count = 0; (in(LSR) & 0x01) && count < 256; count++)
		in(RX);
	out(FCR, 0);
	out(MCR, 0);
	return count;
}

static void test_autoconfig(void)
{
	setup();
	CHECK(strcmp(linux_autoconfig(), "16550A") == 0);
	CHECK_EQ(F.console_len, 0);
	CHECK_NO_UNIMPL();
	CHECK_EQ(linux_size_fifo(), 16);
	CHECK_EQ(u.stats.loop_overrun, 240);
	CHECK_EQ(F.console_len, 0); /* loopback bytes never reach the wire */
	CHECK_EQ(in(LSR) & 0x02, 0); /* the overrun was read by the loop above */
	CHECK_EQ(F.irq_rises[IRQ], 0);
	CHECK_NO_UNIMPL();
}

static void test_thre(void)
{
	uint8_t iir1, iir, lsr;

	setup();
	out(FCR, 0x01);
	/* serial8250_do_startup's THRE re-assertion test */
	out(IER, 0x02);
	iir1 = in(IIR);
	out(IER, 0);
	out(IER, 0x02);
	iir = in(IIR);
	out(IER, 0);
	CHECK_EQ(iir1, 0xc2);
	CHECK_EQ(iir, 0xc2); /* re-asserted: no UART_BUG_THRE */
	/* ... and the TXEN test */
	out(IER, 0x02);
	lsr = in(LSR);
	iir = in(IIR);
	out(IER, 0);
	CHECK(lsr & 0x40);
	CHECK_EQ(iir & 1, 0); /* no UART_BUG_TXEN */

	/* the interrupt line: OUT2 gates it */
	out(LCR, 0x03);
	out(IER, 0x02);
	CHECK_EQ(F.irq_level[IRQ], 0);
	out(MCR, 0x0b); /* DTR, RTS, OUT2 */
	CHECK_EQ(F.irq_level[IRQ], 1);
	CHECK_EQ(in(IIR), 0xc2);
	CHECK_EQ(F.irq_level[IRQ], 0);
	CHECK_EQ(in(IIR), 0xc1); /* cleared by the read that reported it */
	out(TX, 'o');
	out(TX, 'k');
	CHECK_EQ(F.console_len, 2);
	CHECK(memcmp(F.console, "ok", 2) == 0);
	CHECK_EQ(u.stats.tx_bytes, 2);
	CHECK_EQ(F.irq_level[IRQ], 1); /* THR empty again */
	CHECK_EQ(in(IIR), 0xc2);
	CHECK_EQ(F.irq_level[IRQ], 0);
	out(IER, 0);
	CHECK_EQ(in(IIR), 0xc1);
	CHECK_EQ(in(LSR), 0x60);

	/* 7-bit words lose the top bit */
	out(LCR, 0x02);
	out(TX, 0xc1);
	CHECK_EQ(F.console[2], 0x41);
	CHECK_NO_UNIMPL();
}

static void test_rx(void)
{
	static uint8_t big[5000];
	uint8_t more[20];

	setup();
	out(LCR, 0x03);
	out(FCR, 0xc1);
	out(MCR, 0x0b);
	out(IER, 0x01);
	CHECK_EQ(F.irq_level[IRQ], 0);
	CHECK_EQ(in(LSR) & 0x01, 0);
	CHECK_EQ(uart16550_receive(&u, (const uint8_t *)"hi\n", 3), 3);
	CHECK_EQ(F.irq_level[IRQ], 1);
	CHECK_EQ(in(IIR), 0xc4);
	CHECK_EQ(in(LSR), 0x61);
	CHECK_EQ(in(RX), 'h');
	CHECK_EQ(in(RX), 'i');
	CHECK_EQ(F.irq_level[IRQ], 1);
	CHECK_EQ(in(RX), '\n');
	CHECK_EQ(F.irq_level[IRQ], 0);
	CHECK_EQ(in(IIR), 0xc1);
	CHECK_EQ(in(LSR), 0x60);
	CHECK_EQ(in(RX), '\n'); /* empty: RBR keeps the last byte */

	/* receive has priority over THRE */
	out(IER, 0x03);
	uart16550_receive(&u, (const uint8_t *)"x", 1);
	CHECK_EQ(in(IIR), 0xc4);
	CHECK_EQ(in(IIR), 0xc4); /* reading IIR does not clear RDI */
	CHECK_EQ(in(RX), 'x');
	CHECK_EQ(in(IIR), 0xc2);
	CHECK_EQ(in(IIR), 0xc1);
	CHECK_EQ(F.irq_level[IRQ], 0);

	/* the ring overflows loudly */
	out(IER, 0x05); /* RDI and line status */
	memset(big, 'a', sizeof(big));
	CHECK_EQ(uart16550_rx_space(&u), UART16550_RX_RING);
	CHECK_EQ(uart16550_receive(&u, big, sizeof(big)), UART16550_RX_RING);
	CHECK_EQ(u.stats.rx_overflow, sizeof(big) - UART16550_RX_RING);
	CHECK_EQ(uart16550_rx_space(&u), 0);
	CHECK_EQ(in(IIR), 0xc6); /* overrun first */
	CHECK_EQ(in(LSR), 0x63);
	CHECK_EQ(in(IIR), 0xc4);
	CHECK_EQ(in(LSR), 0x61);

	/* FCR "clear receiver" drops what the chip's FIFO holds, 16 bytes */
	out(FCR, 0xc3);
	CHECK_EQ(u.stats.rx_cleared, 16);
	CHECK_EQ(uart16550_rx_space(&u), 16);
	for (unsigned i = 0; i < UART16550_RX_RING - 16; i++)
		in(RX);
	CHECK_EQ(in(LSR), 0x60);
	memset(more, 'b', sizeof(more));
	uart16550_receive(&u, more, sizeof(more));
	out(FCR, 0); /* disabling the FIFO clears it too */
	CHECK_EQ(u.stats.rx_cleared, 32);
	CHECK_EQ(in(IIR), 0x04); /* no FIFO bits */
	CHECK_EQ(in(RX), 'b');
	CHECK_EQ(in(RX), 'b');
	CHECK_EQ(in(RX), 'b');
	CHECK_EQ(in(RX), 'b');
	CHECK_EQ(in(LSR), 0x60);
	CHECK_EQ(u.stats.rx_bytes, 3 + 1 + UART16550_RX_RING + 20);
	CHECK_NO_UNIMPL();
}

static void test_modem(void)
{
	setup();
	CHECK_EQ(in(MSR), 0xb0); /* a terminal is attached: CTS, DSR, DCD */
	out(IER, 0x08);
	out(MCR, 0x08);
	CHECK_EQ(F.irq_level[IRQ], 0);
	out(MCR, 0x10 | 0x0f); /* loopback, all outputs on */
	/* loopback: RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD; only RI
	 * changed, and a rising RI is no TERI */
	CHECK_EQ(in(MSR), 0xf0);
	out(MCR, 0x10 | 0x0b); /* OUT1 off: RI falls */
	CHECK_EQ(in(IIR), 0x00); /* modem status interrupt reported... */
	CHECK_EQ(F.irq_level[IRQ], 0); /* ...but loopback keeps the line low */
	CHECK_EQ(in(MSR), 0xb0 | 0x04);
	CHECK_EQ(in(IIR), 0x01);
	out(MCR, 0x10);
	CHECK_EQ(in(MSR), 0x00 | 0x01 | 0x02 | 0x08);
	out(MCR, 0x08); /* leaving loopback, the terminal's lines again */
	CHECK_EQ(in(MSR), 0xb0 | 0x01 | 0x02 | 0x08);
	CHECK_EQ(in(MSR), 0xb0);

	/* loopback data */
	out(LCR, 0x03);
	out(MCR, 0x10);
	out(TX, 'L');
	CHECK_EQ(in(LSR), 0x61);
	CHECK_EQ(in(RX), 'L');
	CHECK_EQ(F.console_len, 0);
	out(TX, 1);
	out(TX, 2); /* no FIFO: one byte holds */
	CHECK_EQ(in(LSR), 0x63);
	CHECK_EQ(in(RX), 1);

	/* divisor latch and scratch */
	out(LCR, 0x83);
	out(DLL, 0x01);
	out(DLM, 0x00);
	CHECK_EQ(in(DLL), 0x01);
	CHECK_EQ(in(DLM), 0x00);
	out(LCR, 0x03);
	CHECK_EQ(in(IER), 0x08);
	out(SCR, 0x5a);
	CHECK_EQ(in(SCR), 0x5a);
	CHECK_EQ(in(LCR), 0x03);
	out(IER, 0xff);
	CHECK_EQ(in(IER), 0x0f);
	CHECK_NO_UNIMPL();

	/* unimplemented, each reported once */
	out(LSR, 0x01);
	out(LSR, 0x02);
	CHECK_EQ(F.n_unimpl, 1);
	CHECK_EQ(unimpl_seen("LSR write"), 1);
	CHECK(strcmp(F.unimpl[0].dev, "uart16550@3f8") == 0);
	{
		uint32_t v = 0;

		CHECK_EQ(io_in(BASE, 2, &v), 0);
		CHECK_EQ(v, 0xffff);
		CHECK_EQ(unimpl_seen("access size"), 1);
	}
}

void test_uart(void)
{
	test_autoconfig();
	test_thre();
	test_rx();
	test_modem();
}
