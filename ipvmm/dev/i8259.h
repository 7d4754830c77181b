/*
 * The PC's pair of 8259A interrupt controllers: master at 0x20/0x21,
 * slave at 0xa0/0xa1 cascaded on the master's IR2, and the edge/level
 * control registers (ELCR) at 0x4d0/0x4d1.  Fully nested mode, specific
 * and non-specific EOI, rotation, special mask, poll, auto-EOI, OCW3
 * reads of IRR/ISR; level triggering per line through ELCR.
 *
 * The core asks i8259_pending() whether to interrupt the virtual CPU and
 * takes the vector with i8259_ack(), the INTA cycle.  Devices' interrupt
 * lines reach i8259_set_irq() through the platform's io_env.set_irq.
 */
#ifndef IPVMM_DEV_I8259_H
#define IPVMM_DEV_I8259_H

#include <stdint.h>

#include "ipvmm/core/io.h"

struct i8259_chip {
	uint8_t irr, isr, imr;
	uint8_t line;		/* input levels, for edge detection */
	uint8_t elcr, elcr_mask;
	uint8_t vector_base;
	uint8_t priority_add;	/* the line with the highest priority */
	uint8_t init_state;	/* 0 = ready, 1-3 = expecting ICW2-ICW4 */
	uint8_t icw4_needed, single;
	uint8_t read_isr, poll, special_mask;
	uint8_t auto_eoi, rotate_on_auto_eoi, special_fully_nested;
};

struct i8259_stats {
	uint64_t acks;		/* i8259_ack calls */
	uint64_t spurious;	/* of which answered with IRQ7/IRQ15's vector and no ISR bit */
};

struct i8259 {
	const struct io_env *env;
	struct i8259_chip chip[2]; /* master, slave */
	struct io_ports ports[3];
	uint32_t unimpl_done;
	struct i8259_stats stats;
};

/* Resets the pair as a BIOS leaves it (vectors 0x08 and 0x70, every line
 * masked, edge-triggered) and registers 0x20, 0xa0 and 0x4d0.  0, or -1
 * if a port range is taken. */
int i8259_init(struct i8259 *p, const struct io_env *env);

/* ISA interrupt line 0-15 goes to 'level'.  Lines 2 (the cascade) and
 * above 15 are ignored. */
void i8259_set_irq(struct i8259 *p, unsigned line, int level);

/* 1 if the pair asserts INTR: an unmasked request of higher priority than
 * anything in service. */
int i8259_pending(const struct i8259 *p);

/* The INTA cycle: returns the vector and moves the request from IRR to
 * ISR (unless auto-EOI).  Without a request (a level line dropped, or the
 * request was masked, after i8259_pending said 1) it answers like the
 * chip: IRQ 7's vector with no ISR bit set. */
int i8259_ack(struct i8259 *p);

#endif
