/*
 * 8259A pair.  Behaviour from the Intel 8259A data sheet and what Linux's
 * arch/x86/kernel/i8259.c does with it: init_8259A's ICW1-4 sequence,
 * masking through OCW1, specific EOI (0x60 + line) to slave and master,
 * OCW3 0x0b/0x0a to read ISR/IRR when it checks for spurious interrupts.
 *
 * One deliberate difference from the chip: an edge stays latched in IRR
 * until INTA even if the line has dropped again.  Devices here signal
 * edges as a raise followed at once by a lower (io_env.set_irq), and the
 * real chip's "line must stay high until INTA" rule would lose them all.
 */
#include "ipvmm/dev/i8259.h"
#include "ipvmm/dev/dev.h"

#define CASCADE_LINE 2

enum { P_SIZE, P_LTIM, P_NO_ICW4, P_ICW3, P_SINGLE, P_MCS80 };

static const char *const chip_name[2] = { "i8259@20", "i8259@a0" };

static void pic_unimplemented(struct i8259 *p, unsigned bit, int chip, const char *what, uint32_t val)
{
	dev_unimplemented(p->env, &p->unimpl_done, bit, chip_name[chip], what, val);
}

/* Priority rank (0 = highest) of the best line in 'mask', 8 if none. */
static unsigned best_rank(const struct i8259_chip *c, uint8_t mask)
{
	for (unsigned rank = 0; rank < 8; rank++)
		if (mask & (1u << ((rank + c->priority_add) & 7)))
			return rank;
	return 8;
}

/* The line this chip would interrupt for now, or -1. */
static int chip_request(const struct i8259_chip *c, int is_master)
{
	uint8_t in_service = c->isr;
	unsigned req = best_rank(c, c->irr & (uint8_t)~c->imr);

	if (req == 8)
		return -1;
	/* special mask mode: masked lines do not block lower priorities */
	if (c->special_mask)
		in_service &= (uint8_t)~c->imr;
	/* special fully nested: the slave may interrupt its own service */
	if (is_master && c->special_fully_nested)
		in_service &= (uint8_t)~(1u << CASCADE_LINE);
	if (req < best_rank(c, in_service))
		return (int)((req + c->priority_add) & 7);
	return -1;
}

static void chip_set_line(struct i8259_chip *c, unsigned line, int level)
{
	uint8_t bit = (uint8_t)(1u << line);

	if (c->elcr & bit) {
		if (level)
			c->irr |= bit;
		else
			c->irr &= (uint8_t)~bit;
	} else if (level && !(c->line & bit)) {
		c->irr |= bit;
	}
	if (level)
		c->line |= bit;
	else
		c->line &= (uint8_t)~bit;
}

/* The slave's INT output drives the master's IR2.  The wire is internal
 * to the model, so IR2 follows it as a level: a slave request that goes
 * away before INTA leaves no stale IR2 behind (the chip would answer
 * such an INTA with IRQ 7, and so does i8259_ack when nothing remains). */
static void update_cascade(struct i8259 *p)
{
	struct i8259_chip *m = &p->chip[0];
	uint8_t bit = 1u << CASCADE_LINE;

	if (chip_request(&p->chip[1], 0) >= 0) {
		m->irr |= bit;
		m->line |= bit;
	} else {
		m->irr &= (uint8_t)~bit;
		m->line &= (uint8_t)~bit;
	}
}

static void chip_ack(struct i8259_chip *c, int line)
{
	uint8_t bit = (uint8_t)(1u << line);

	if (c->auto_eoi) {
		if (c->rotate_on_auto_eoi)
			c->priority_add = (uint8_t)((line + 1) & 7);
	} else {
		c->isr |= bit;
	}
	if (!(c->elcr & bit))
		c->irr &= (uint8_t)~bit;
}

static void chip_reset(struct i8259_chip *c)
{
	/* ICW1 keeps ELCR (a chipset register) and the input levels */
	uint8_t elcr = c->elcr, elcr_mask = c->elcr_mask, line = c->line;

	*c = (struct i8259_chip){ .elcr = elcr, .elcr_mask = elcr_mask, .line = line };
	/* level-triggered inputs that are high stay requested */
	c->irr = line & elcr;
}

static void eoi(struct i8259_chip *c, uint8_t ocw2)
{
	unsigned cmd = ocw2 >> 5, line;

	switch (cmd) {
	case 0: /* clear rotate in auto-EOI */
	case 4: /* set rotate in auto-EOI */
		c->rotate_on_auto_eoi = cmd == 4;
		break;
	case 1: /* non-specific EOI */
	case 5: /* rotate on non-specific EOI */
		line = best_rank(c, c->isr);
		if (line == 8)
			break;
		line = (line + c->priority_add) & 7;
		c->isr &= (uint8_t)~(1u << line);
		if (cmd == 5)
			c->priority_add = (uint8_t)((line + 1) & 7);
		break;
	case 3: /* specific EOI */
		c->isr &= (uint8_t)~(1u << (ocw2 & 7));
		break;
	case 6: /* set priority: the named line becomes the lowest */
		c->priority_add = (uint8_t)((ocw2 + 1) & 7);
		break;
	case 7: /* rotate on specific EOI */
		c->isr &= (uint8_t)~(1u << (ocw2 & 7));
		c->priority_add = (uint8_t)((ocw2 + 1) & 7);
		break;
	default: /* 2: no operation */
		break;
	}
}

static void write_command(struct i8259 *p, int n, uint8_t val)
{
	struct i8259_chip *c = &p->chip[n];

	if (val & 0x10) { /* ICW1 */
		chip_reset(c);
		c->init_state = 1;
		c->icw4_needed = val & 1;
		c->single = (val >> 1) & 1;
		/* PC chipsets take the trigger mode from ELCR */
		if (val & 0x08)
			pic_unimplemented(p, P_LTIM, n, "ICW1 level-triggered mode (LTIM)", val);
		if (!(val & 1))
			pic_unimplemented(p, P_NO_ICW4, n, "ICW1 without ICW4 (MCS-80/85 mode)", val);
		if (c->single)
			pic_unimplemented(p, P_SINGLE, n, "ICW1 single mode (the PC cascades)", val);
	} else if (val & 0x08) { /* OCW3 */
		if (val & 0x04)
			c->poll = 1;
		if (val & 0x02)
			c->read_isr = val & 1;
		if (val & 0x40)
			c->special_mask = (val >> 5) & 1;
	} else { /* OCW2 */
		eoi(c, val);
	}
}

static void write_data(struct i8259 *p, int n, uint8_t val)
{
	struct i8259_chip *c = &p->chip[n];
	static const uint8_t icw3_expected[2] = { 1u << CASCADE_LINE, CASCADE_LINE };

	switch (c->init_state) {
	case 0: /* OCW1 */
		c->imr = val;
		break;
	case 1: /* ICW2 */
		c->vector_base = val & 0xf8;
		c->init_state = c->single ? (c->icw4_needed ? 3 : 0) : 2;
		break;
	case 2: /* ICW3: the wiring is fixed, a different one is not modelled */
		if (val != icw3_expected[n])
			pic_unimplemented(p, P_ICW3, n, "ICW3 other than the PC's cascade on IR2", val);
		c->init_state = c->icw4_needed ? 3 : 0;
		break;
	default: /* ICW4: bit 0 (8086 mode) is checked at ICW1; buffered
		  * mode (bits 2-3) has no effect on a bus without buffers */
		if (!(val & 1))
			pic_unimplemented(p, P_MCS80, n, "ICW4 MCS-80/85 mode", val);
		c->auto_eoi = (val >> 1) & 1;
		c->special_fully_nested = (val >> 4) & 1;
		c->init_state = 0;
		break;
	}
}

/* OCW3 poll: the read is the interrupt acknowledge. */
static uint8_t poll_read(struct i8259 *p, int n)
{
	struct i8259_chip *c = &p->chip[n];
	int line = chip_request(c, n == 0);

	c->poll = 0;
	if (line < 0)
		return 0;
	chip_ack(c, line);
	return (uint8_t)(0x80 | line);
}

static int chip_of(uint16_t port)
{
	return port >= 0xa0 && port <= 0xa1;
}

static uint32_t pic_read(void *dev, uint16_t port, unsigned size)
{
	struct i8259 *p = dev;
	int n = chip_of(port);
	struct i8259_chip *c = &p->chip[n];
	uint8_t val;

	if (size != 1) {
		pic_unimplemented(p, P_SIZE, n, "access size", size);
		return 0xffffffffu;
	}
	if (port == 0x4d0 || port == 0x4d1)
		return p->chip[port & 1].elcr;
	if (c->poll)
		val = poll_read(p, n);
	else if (port & 1)
		val = c->imr;
	else
		val = c->read_isr ? c->isr : c->irr;
	update_cascade(p);
	return val;
}

static void pic_write(void *dev, uint16_t port, unsigned size, uint32_t val32)
{
	struct i8259 *p = dev;
	int n = chip_of(port);
	uint8_t val = (uint8_t)val32;

	if (size != 1) {
		pic_unimplemented(p, P_SIZE, n, "access size", size);
		return;
	}
	if (port == 0x4d0 || port == 0x4d1) {
		struct i8259_chip *c = &p->chip[port & 1];

		c->elcr = val & c->elcr_mask;
		/* a line switched to level follows its input from now on */
		c->irr = (uint8_t)((c->irr & ~c->elcr) | (c->line & c->elcr));
	} else if (port & 1) {
		write_data(p, n, val);
	} else {
		write_command(p, n, val);
	}
	update_cascade(p);
}

int i8259_init(struct i8259 *p, const struct io_env *env)
{
	*p = (struct i8259){ .env = env };
	for (int n = 0; n < 2; n++) {
		struct i8259_chip *c = &p->chip[n];

		/* IRQ 0, 1, 2, 8 and 13 are edge-only on PC chipsets */
		c->elcr_mask = n ? 0xde : 0xf8;
		chip_reset(c);
		c->vector_base = n ? 0x70 : 0x08;
		c->imr = 0xff;
		c->auto_eoi = 0;
	}
	p->ports[0] = (struct io_ports){ .name = chip_name[0], .base = 0x20, .count = 2,
					 .dev = p, .read = pic_read, .write = pic_write };
	p->ports[1] = (struct io_ports){ .name = chip_name[1], .base = 0xa0, .count = 2,
					 .dev = p, .read = pic_read, .write = pic_write };
	p->ports[2] = (struct io_ports){ .name = "i8259-elcr@4d0", .base = 0x4d0, .count = 2,
					 .dev = p, .read = pic_read, .write = pic_write };
	for (int i = 0; i < 3; i++)
		if (io_register(&p->ports[i]) != 0)
			return -1;
	return 0;
}

void i8259_set_irq(struct i8259 *p, unsigned line, int level)
{
	if (line > 15 || line == CASCADE_LINE)
		return;
	chip_set_line(&p->chip[line >> 3], line & 7, level != 0);
	update_cascade(p);
}

int i8259_pending(const struct i8259 *p)
{
	return chip_request(&p->chip[0], 1) >= 0;
}

int i8259_ack(struct i8259 *p)
{
	struct i8259_chip *m = &p->chip[0], *s = &p->chip[1];
	int line = chip_request(m, 1), vector;

	p->stats.acks++;
	if (line < 0) {
		p->stats.spurious++;
		return m->vector_base + 7;
	}
	chip_ack(m, line);
	if (line == CASCADE_LINE) {
		int sline = chip_request(s, 0);

		/* cannot happen while IR2 follows the slave; the chip's
		 * answer to a slave that withdrew between the INTA pulses */
		if (sline < 0) {
			p->stats.spurious++;
			vector = s->vector_base + 7;
		} else {
			chip_ack(s, sline);
			vector = s->vector_base + sline;
		}
	} else {
		vector = m->vector_base + line;
	}
	update_cascade(p);
	return vector;
}
