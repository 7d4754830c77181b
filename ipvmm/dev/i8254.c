/*
 * i8254 PIT.  The counter is not stepped: each channel remembers when its
 * count was loaded and derives the counter value and the OUT pin from the
 * clock ticks elapsed since, as in the Intel 8254 data sheet's waveforms.
 * Linux uses channel 0 in mode 2 (periodic tick) and mode 4 (one-shot
 * clockevent, pit_set_oneshot), reads it with the counter latch, and
 * calibrates the TSC on channel 2 in mode 0 by polling OUT2 in port 0x61
 * (pit_calibrate_tsc) or the counter's MSB (quick_pit_calibrate).
 */
#include "ipvmm/dev/i8254.h"
#include "ipvmm/dev/dev.h"

#define NS_PER_S 1000000000ull

enum { T_SIZE, T_MODE1, T_MODE5, T_BCD };

static const char pit_name[] = "i8254@40";

/* Whole PIT clock ticks in 'ns' nanoseconds, without 64-bit overflow. */
static uint64_t ns_to_ticks(uint64_t ns)
{
	return ns / NS_PER_S * I8254_HZ + ns % NS_PER_S * I8254_HZ / NS_PER_S;
}

/* The first nanosecond at which ns_to_ticks() reaches 'ticks'. */
static uint64_t ticks_to_ns(uint64_t ticks)
{
	return ticks / I8254_HZ * NS_PER_S + (ticks % I8254_HZ * NS_PER_S + I8254_HZ - 1) / I8254_HZ;
}

static uint64_t now(const struct i8254 *p)
{
	return p->env->now_ns(p->env->ctx);
}

static uint64_t elapsed(const struct i8254_channel *c, uint64_t t)
{
	uint64_t raw = c->acc + (c->gate && t > c->run_ns ? ns_to_ticks(t - c->run_ns) : 0);

	return raw - c->base;
}

static int periodic(const struct i8254_channel *c)
{
	return c->mode == 2 || c->mode == 3;
}

/* Rising edges of OUT within the first d ticks after the load. */
static uint64_t edges(const struct i8254_channel *c, uint64_t d)
{
	switch (c->mode) {
	case 0:
		return d >= c->count;
	case 4: /* OUT is low for the one tick at terminal count */
		return d >= (uint64_t)c->count + 1;
	case 2:
	case 3:
		return d / c->count;
	default:
		return 0;
	}
}

/* Counts the edges up to t and applies a deferred reload that is due. */
static void sync(struct i8254_channel *c, uint64_t t)
{
	uint64_t d, e;

	if (!c->armed)
		return;
	d = elapsed(c, t);
	if (c->reload_pending && d >= c->reload_at) {
		c->edges_pending += edges(c, c->reload_at) - c->edges_seen;
		c->base += c->reload_at;
		d -= c->reload_at;
		c->count = c->next_count;
		c->reload_pending = 0;
		c->edges_seen = 0;
	}
	e = edges(c, d);
	c->edges_pending += e - c->edges_seen;
	c->edges_seen = e;
}

static uint16_t counter(const struct i8254_channel *c, uint64_t t)
{
	uint64_t d;

	if (!c->armed)
		return c->frozen;
	d = elapsed(c, t);
	switch (c->mode) {
	case 2:
		return (uint16_t)(c->count - d % c->count);
	case 3: /* counts down by two, twice per period */
		return (uint16_t)(c->count - (2 * d) % c->count);
	default: /* 0 and 4 wrap on after terminal count */
		return (uint16_t)(c->count - d);
	}
}

static int out(const struct i8254_channel *c, uint64_t t)
{
	uint64_t d;

	if (!c->armed)
		return c->mode != 0; /* mode 0 drives OUT low from the control word on */
	if (periodic(c) && !c->gate)
		return 1;
	d = elapsed(c, t);
	switch (c->mode) {
	case 0:
		return d >= c->count;
	case 2:
		return d % c->count != c->count - 1;
	case 3:
		return d % c->count < (c->count + 1) / 2;
	case 4:
		return d != c->count;
	default:
		return 1;
	}
}

/* Starts counting from 'count' ticks now (with the gate, when it is high). */
static void start(struct i8254_channel *c, uint32_t count, uint64_t t)
{
	c->count = count;
	c->armed = 1;
	c->reload_pending = 0;
	c->acc = c->base = 0;
	c->run_ns = t;
	c->edges_seen = 0;
}

static void load(struct i8254_channel *c, uint32_t val, uint64_t t)
{
	uint32_t count = val ? val : 0x10000;

	sync(c, t);
	if (c->armed && periodic(c)) {
		/* modes 2 and 3 take a new count at the end of the period */
		if (!c->reload_pending)
			c->reload_at = (elapsed(c, t) / c->count + 1) * c->count;
		c->next_count = count;
		c->reload_pending = 1;
	} else {
		start(c, count, t);
	}
}

static void write_count(struct i8254 *p, struct i8254_channel *c, uint8_t val)
{
	uint64_t t = now(p);

	switch (c->rw) {
	case 1:
		load(c, val, t);
		break;
	case 2:
		load(c, (uint32_t)val << 8, t);
		break;
	default:
		if (!c->write_hi_next) {
			c->write_lsb = val;
			c->write_hi_next = 1;
		} else {
			c->write_hi_next = 0;
			load(c, c->write_lsb | (uint32_t)val << 8, t);
		}
		break;
	}
}

static uint8_t read_count(struct i8254 *p, struct i8254_channel *c)
{
	uint16_t v;
	int hi;

	if (c->status_latched) {
		c->status_latched = 0;
		return c->status;
	}
	if (c->latch_left) {
		v = c->latched;
		hi = c->rw == 2 || (c->rw == 3 && c->latch_left == 1);
		c->latch_left--;
	} else {
		v = counter(c, now(p));
		hi = c->rw == 2 || (c->rw == 3 && c->read_hi_next);
		if (c->rw == 3)
			c->read_hi_next ^= 1;
	}
	return (uint8_t)(hi ? v >> 8 : v);
}

static void latch_count(struct i8254_channel *c, uint64_t t)
{
	if (c->latch_left)
		return; /* a second latch before the first is read is ignored */
	c->latched = counter(c, t);
	c->latch_left = c->rw == 3 ? 2 : 1;
}

static void latch_status(struct i8254_channel *c, uint64_t t)
{
	int null_count = !c->armed || c->reload_pending || elapsed(c, t) == 0;

	if (c->status_latched)
		return;
	c->status = (uint8_t)(out(c, t) << 7 | null_count << 6 | c->rw << 4 | c->mode << 1 | c->bcd);
	c->status_latched = 1;
}

static void control(struct i8254 *p, uint8_t val)
{
	uint64_t t = now(p);
	unsigned sc = val >> 6, rw = (val >> 4) & 3;
	struct i8254_channel *c;

	if (sc == 3) { /* read-back: bits 5/4 low select count/status */
		for (unsigned i = 0; i < 3; i++) {
			if (!(val & (2u << i)))
				continue;
			sync(&p->ch[i], t);
			if (!(val & 0x10))
				latch_status(&p->ch[i], t);
			if (!(val & 0x20))
				latch_count(&p->ch[i], t);
		}
		return;
	}
	c = &p->ch[sc];
	if (rw == 0) {
		latch_count(c, t);
		return;
	}
	sync(c, t);
	c->frozen = counter(c, t);
	c->mode = (val >> 1) & 7;
	if (c->mode >= 6)
		c->mode -= 4;
	c->rw = (uint8_t)rw;
	c->bcd = val & 1;
	c->armed = 0;
	c->reload_pending = 0;
	c->edges_seen = 0;
	c->write_hi_next = c->read_hi_next = 0;
	c->latch_left = c->status_latched = 0;
	if (c->mode == 1)
		dev_unimplemented(p->env, &p->unimpl_done, T_MODE1, pit_name, "mode 1 (gate-triggered one-shot)", val);
	if (c->mode == 5)
		dev_unimplemented(p->env, &p->unimpl_done, T_MODE5, pit_name, "mode 5 (gate-triggered strobe)", val);
	if (c->bcd)
		dev_unimplemented(p->env, &p->unimpl_done, T_BCD, pit_name, "BCD counting", val);
}

static uint32_t pit_read(void *dev, uint16_t port, unsigned size)
{
	struct i8254 *p = dev;

	if (size != 1) {
		dev_unimplemented(p->env, &p->unimpl_done, T_SIZE, pit_name, "access size", size);
		return 0xffffffffu;
	}
	if (port == 0x61) {
		uint64_t t = now(p);
		/* DRAM refresh request: toggles every 15.085 us on a PC */
		unsigned refresh = (unsigned)(t / 15085) & 1;

		return (p->port61 & 0x0f) | refresh << 4 | (unsigned)out(&p->ch[2], t) << 5;
	}
	if (port == 0x43)
		return 0xff; /* the control word register cannot be read */
	return read_count(p, &p->ch[port - 0x40]);
}

static void set_gate2(struct i8254 *p, uint8_t gate)
{
	struct i8254_channel *c = &p->ch[2];
	uint64_t t = now(p);

	if (gate == c->gate)
		return;
	sync(c, t);
	if (!gate) {
		c->acc = elapsed(c, t) + c->base;
		c->gate = 0;
		return;
	}
	c->gate = 1;
	c->run_ns = t;
	/* a rising gate restarts modes 2 and 3 from their (new) count */
	if (c->armed && periodic(c))
		start(c, c->reload_pending ? c->next_count : c->count, t);
}

static void pit_write(void *dev, uint16_t port, unsigned size, uint32_t val32)
{
	struct i8254 *p = dev;
	uint8_t val = (uint8_t)val32;

	if (size != 1) {
		dev_unimplemented(p->env, &p->unimpl_done, T_SIZE, pit_name, "access size", size);
		return;
	}
	if (port == 0x61) {
		/* bits 4-7 are status; bits 2-3 only mask NMIs, which this
		 * machine never raises */
		p->port61 = val & 0x0f;
		set_gate2(p, val & 1);
	} else if (port == 0x43) {
		control(p, val);
	} else {
		write_count(p, &p->ch[port - 0x40], val);
	}
}

int i8254_init(struct i8254 *p, const struct io_env *env)
{
	*p = (struct i8254){ .env = env };
	for (unsigned i = 0; i < 3; i++) {
		p->ch[i].rw = 3;
		p->ch[i].gate = i != 2;
	}
	p->ports[0] = (struct io_ports){ .name = pit_name, .base = 0x40, .count = 4,
					 .dev = p, .read = pit_read, .write = pit_write };
	p->ports[1] = (struct io_ports){ .name = "i8254-port61@61", .base = 0x61, .count = 1,
					 .dev = p, .read = pit_read, .write = pit_write };
	if (io_register(&p->ports[0]) != 0 || io_register(&p->ports[1]) != 0)
		return -1;
	return 0;
}

uint64_t i8254_next_event_ns(struct i8254 *p)
{
	struct i8254_channel *c = &p->ch[0];
	uint64_t t = now(p), d, next;

	sync(c, t);
	if (c->edges_pending)
		return t;
	if (!c->armed)
		return UINT64_MAX;
	d = elapsed(c, t);
	switch (c->mode) {
	case 0:
		next = c->count;
		break;
	case 4:
		next = (uint64_t)c->count + 1;
		break;
	case 2:
	case 3:
		next = (d / c->count + 1) * c->count;
		break;
	default:
		return UINT64_MAX;
	}
	if (next <= d)
		return UINT64_MAX; /* one-shot modes: the edge has come and gone */
	/* channel 0's gate is always high, so ticks run from run_ns */
	return c->run_ns + ticks_to_ns(next + c->base - c->acc);
}

void i8254_update(struct i8254 *p)
{
	struct i8254_channel *c = &p->ch[0];

	sync(c, now(p));
	if (!c->edges_pending)
		return;
	p->stats.irq0_edges++;
	p->stats.irq0_coalesced += c->edges_pending - 1;
	c->edges_pending = 0;
	p->env->set_irq(p->env->ctx, 0, 1);
	p->env->set_irq(p->env->ctx, 0, 0);
}
