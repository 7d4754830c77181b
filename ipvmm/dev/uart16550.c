/*
 * 16550A UART.  Register behaviour follows the NS16550A data sheet; where
 * Linux's 8250 driver probes (autoconfig, autoconfig_16550a, the THRE
 * re-assertion test in serial8250_do_startup) this model answers like the
 * real chip, so the driver takes its plain 16550A path.
 */
#include "ipvmm/dev/uart16550.h"
#include "ipvmm/dev/dev.h"

enum {
	RBR_THR = 0, IER = 1, IIR_FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7,
};

#define IER_RDI		0x01
#define IER_THRI	0x02
#define IER_RLSI	0x04
#define IER_MSI		0x08

#define IIR_NO_INT	0x01
#define IIR_MSI		0x00
#define IIR_THRI	0x02
#define IIR_RDI		0x04
#define IIR_RLSI	0x06
#define IIR_FIFO_ON	0xc0

#define FCR_ENABLE	0x01
#define FCR_CLEAR_RX	0x02
#define FCR_TRIGGER	0xc0

#define LCR_DLAB	0x80

#define MCR_DTR		0x01
#define MCR_RTS		0x02
#define MCR_OUT1	0x04
#define MCR_OUT2	0x08
#define MCR_LOOP	0x10

#define LSR_DR		0x01
#define LSR_OE		0x02
#define LSR_THRE	0x20
#define LSR_TEMT	0x40

#define MSR_CTS		0x10
#define MSR_DSR		0x20
#define MSR_RI		0x40
#define MSR_DCD		0x80
#define MSR_DCTS	0x01
#define MSR_DDSR	0x02
#define MSR_TERI	0x04
#define MSR_DDCD	0x08

/* The other end of the line: a terminal that is on and ready. */
#define MSR_EXTERNAL	(MSR_CTS | MSR_DSR | MSR_DCD)

#define FIFO_DEPTH	16

enum { U_SIZE, U_LSR_WRITE, U_MSR_WRITE };

static unsigned fifo_depth(const struct uart16550 *u)
{
	return (u->fcr & FCR_ENABLE) ? FIFO_DEPTH : 1;
}

/* The interrupt the chip reports in IIR, by its fixed priority. */
static uint8_t pending_source(const struct uart16550 *u)
{
	if ((u->ier & IER_RLSI) && u->overrun)
		return IIR_RLSI;
	if ((u->ier & IER_RDI) && u->rx_count)
		return IIR_RDI;
	if ((u->ier & IER_THRI) && u->thre_pending)
		return IIR_THRI;
	if ((u->ier & IER_MSI) && u->msr_delta)
		return IIR_MSI;
	return IIR_NO_INT;
}

/* On a PC the OUT2 pin gates the UART's interrupt onto the ISA line; in
 * loopback mode the chip holds its output pins inactive, so the line stays
 * low even though IIR still reports the source. */
static void update_irq(struct uart16550 *u)
{
	uint8_t level = pending_source(u) != IIR_NO_INT &&
			(u->mcr & (MCR_OUT2 | MCR_LOOP)) == MCR_OUT2;

	if (level != u->irq_level) {
		u->irq_level = level;
		u->env->set_irq(u->env->ctx, u->irq, level);
	}
}

/* Modem status inputs: in loopback the MCR outputs feed them. */
static void update_lines(struct uart16550 *u)
{
	uint8_t lines = MSR_EXTERNAL, changed;

	if (u->mcr & MCR_LOOP)
		lines = (uint8_t)(((u->mcr & MCR_RTS) ? MSR_CTS : 0) | ((u->mcr & MCR_DTR) ? MSR_DSR : 0) |
				  ((u->mcr & MCR_OUT1) ? MSR_RI : 0) | ((u->mcr & MCR_OUT2) ? MSR_DCD : 0));
	changed = lines ^ u->msr_lines;
	if (changed & MSR_CTS)
		u->msr_delta |= MSR_DCTS;
	if (changed & MSR_DSR)
		u->msr_delta |= MSR_DDSR;
	if ((changed & MSR_RI) && !(lines & MSR_RI))
		u->msr_delta |= MSR_TERI;
	if (changed & MSR_DCD)
		u->msr_delta |= MSR_DDCD;
	u->msr_lines = lines;
}

static void rx_push(struct uart16550 *u, uint8_t b)
{
	u->rx[(u->rx_head + u->rx_count) & (UART16550_RX_RING - 1)] = b;
	u->rx_count++;
}

static uint8_t rx_pop(struct uart16550 *u)
{
	if (u->rx_count) {
		u->last_rx = u->rx[u->rx_head];
		u->rx_head = (u->rx_head + 1) & (UART16550_RX_RING - 1);
		u->rx_count--;
	}
	return u->last_rx;
}

static void transmit(struct uart16550 *u, uint8_t b)
{
	/* word length 5-8 bits: the high bits never reach the wire */
	b &= (uint8_t)((1u << (5 + (u->lcr & 3))) - 1);
	if (u->mcr & MCR_LOOP) {
		if (u->rx_count < fifo_depth(u)) {
			rx_push(u, b);
		} else {
			u->overrun = 1;
			u->stats.loop_overrun++;
		}
	} else {
		u->env->console_write(u->env->ctx, &b, 1);
		u->stats.tx_bytes++;
	}
	/* sent at once: THR is empty again */
	u->thre_pending = 1;
}

static void write_fcr(struct uart16550 *u, uint8_t val)
{
	/* enabling or disabling the FIFOs clears them; without the enable bit
	 * the other bits are ignored */
	if ((val ^ u->fcr) & FCR_ENABLE)
		val |= FCR_CLEAR_RX;
	if ((val & FCR_CLEAR_RX) && u->rx_count) {
		/* The real FIFO holds at most 16 bytes (1 without FIFO); the
		 * rest of the ring is still on the wire and survives. */
		uint32_t n = u->rx_count < FIFO_DEPTH ? u->rx_count : FIFO_DEPTH;

		u->rx_head = (u->rx_head + n) & (UART16550_RX_RING - 1);
		u->rx_count -= n;
		u->stats.rx_cleared += n;
	}
	u->fcr = (val & FCR_ENABLE) ? (uint8_t)(val & (FCR_ENABLE | FCR_TRIGGER)) : 0;
}

static uint32_t uart_read(void *dev, uint16_t port, unsigned size)
{
	struct uart16550 *u = dev;
	uint8_t val = 0;

	if (size != 1) {
		dev_unimplemented(u->env, &u->unimpl_done, U_SIZE, u->name, "access size", size);
		return 0xffffffffu;
	}
	switch (port - u->ports.base) {
	case RBR_THR:
		val = (u->lcr & LCR_DLAB) ? u->dll : rx_pop(u);
		break;
	case IER:
		val = (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
		break;
	case IIR_FCR:
		val = pending_source(u);
		if (val == IIR_THRI)
			u->thre_pending = 0;
		if (u->fcr & FCR_ENABLE)
			val |= IIR_FIFO_ON;
		break;
	case LCR:
		val = u->lcr;
		break;
	case MCR:
		val = u->mcr;
		break;
	case LSR:
		val = LSR_THRE | LSR_TEMT | (u->rx_count ? LSR_DR : 0) | (u->overrun ? LSR_OE : 0);
		u->overrun = 0;
		break;
	case MSR:
		val = u->msr_lines | u->msr_delta;
		u->msr_delta = 0;
		break;
	case SCR:
		val = u->scr;
		break;
	}
	update_irq(u);
	return val;
}

static void uart_write(void *dev, uint16_t port, unsigned size, uint32_t val32)
{
	struct uart16550 *u = dev;
	uint8_t val = (uint8_t)val32;

	if (size != 1) {
		dev_unimplemented(u->env, &u->unimpl_done, U_SIZE, u->name, "access size", size);
		return;
	}
	switch (port - u->ports.base) {
	case RBR_THR:
		if (u->lcr & LCR_DLAB)
			u->dll = val;
		else
			transmit(u, val);
		break;
	case IER:
		if (u->lcr & LCR_DLAB) {
			u->dlm = val;
			break;
		}
		/* THR is always empty: enabling THRI asserts the interrupt */
		if ((val & IER_THRI) && !(u->ier & IER_THRI))
			u->thre_pending = 1;
		u->ier = val & 0x0f; /* bits 7-4 are 0 on the 16550A */
		break;
	case IIR_FCR:
		write_fcr(u, val);
		break;
	case LCR:
		u->lcr = val;
		break;
	case MCR:
		u->mcr = val & 0x1f;
		update_lines(u);
		break;
	case LSR:
		dev_unimplemented(u->env, &u->unimpl_done, U_LSR_WRITE, u->name, "LSR write (factory test)", val);
		break;
	case MSR:
		dev_unimplemented(u->env, &u->unimpl_done, U_MSR_WRITE, u->name, "MSR write", val);
		break;
	case SCR:
		u->scr = val;
		break;
	}
	update_irq(u);
}

int uart16550_init(struct uart16550 *u, const struct io_env *env, uint16_t base, unsigned irq)
{
	*u = (struct uart16550){
		.env = env,
		.irq = irq,
		.msr_lines = MSR_EXTERNAL,
		.thre_pending = 0,
		.dll = 0x0c, /* 9600 baud until the guest says otherwise */
	};
	dev_name(u->name, sizeof(u->name), "uart16550", base);
	u->ports = (struct io_ports){
		.name = u->name, .base = base, .count = 8, .dev = u,
		.read = uart_read, .write = uart_write,
	};
	return io_register(&u->ports);
}

size_t uart16550_receive(struct uart16550 *u, const uint8_t *buf, size_t n)
{
	size_t done = 0;

	while (done < n && u->rx_count < UART16550_RX_RING)
		rx_push(u, buf[done++]);
	u->stats.rx_bytes += done;
	if (done < n) {
		u->stats.rx_overflow += n - done;
		u->overrun = 1;
	}
	update_irq(u);
	return done;
}

size_t uart16550_rx_space(const struct uart16550 *u)
{
	return UART16550_RX_RING - u->rx_count;
}
