/*
 * i8254 PIT at 0x40-0x43 and the PC's port 0x61 (channel 2's gate, the
 * speaker enable, OUT2 and the refresh toggle), counting at 1.193182 MHz
 * from io_env.now_ns.
 *
 * Channel 0's output is ISA line 0.  The model never runs on its own: the
 * platform arms a host timer for i8254_next_event_ns() and calls
 * i8254_update() when it fires, which raises one IRQ 0 edge for the
 * periods that ended since the last call (more than one is counted in
 * stats.irq0_coalesced).  Port accesses reprogram the channel; the
 * platform re-reads i8254_next_event_ns() after each access to 0x40/0x43
 * (or simply after every PIT port access).
 *
 * Modes 0, 2, 3 and 4 (6 and 7 are 2 and 3), binary counting, LSB/MSB/
 * LSB-then-MSB access, counter latch and read-back.  Modes 1 and 5 (gate-
 * triggered) and BCD counting are reported as unimplemented.  There is no
 * sound: the speaker bit is kept and read back.
 */
#ifndef IPVMM_DEV_I8254_H
#define IPVMM_DEV_I8254_H

#include <stdint.h>

#include "ipvmm/core/io.h"

#define I8254_HZ 1193182u

struct i8254_channel {
	uint8_t mode, rw, bcd;
	uint8_t armed;		/* a count was written since the control word */
	uint8_t gate;
	uint8_t reload_pending;	/* modes 2/3: a new count waits for the period's end */
	uint32_t count;		/* reload value, 1-65536 */
	uint32_t next_count;
	uint64_t reload_at;	/* elapsed ticks at which next_count takes over */
	/* Elapsed clock ticks since the count was loaded:
	 * acc + (gate ? ticks since run_ns : 0) - base. */
	uint64_t run_ns, acc, base;
	uint64_t edges_seen;	/* OUT rising edges up to the last sync */
	uint64_t edges_pending;	/* channel 0: edges not yet raised as IRQ 0 */
	uint16_t frozen;	/* what the counter reads while not armed */
	uint16_t latched;
	uint8_t latch_left;	/* bytes of 'latched' still to read: 0-2 */
	uint8_t status_latched, status;
	uint8_t write_lsb, write_hi_next, read_hi_next;
};

struct i8254_stats {
	uint64_t irq0_edges;	 /* IRQ 0 edges raised */
	uint64_t irq0_coalesced; /* periods that ended without their own edge */
};

struct i8254 {
	const struct io_env *env;
	struct i8254_channel ch[3];
	uint8_t port61;		/* bits 0-3 as written */
	struct io_ports ports[2];
	uint32_t unimpl_done;
	struct i8254_stats stats;
};

/* Resets the PIT (no channel counting, channel 2's gate low) and
 * registers 0x40-0x43 and 0x61.  0, or -1 if a port is taken. */
int i8254_init(struct i8254 *p, const struct io_env *env);

/* Monotonic time (io_env.now_ns) of channel 0's next output edge, the
 * current time if an edge is due and not yet raised, UINT64_MAX if
 * channel 0 will not interrupt. */
uint64_t i8254_next_event_ns(struct i8254 *p);

/* Brings channel 0 up to now and raises IRQ 0 (a raise and a lower) if
 * any of its periods ended since the last call. */
void i8254_update(struct i8254 *p);

#endif
