/*
 * The in-place VMM's small I/O interface: what a device model may know of
 * the core.  A device registers port ranges with read/write handlers and
 * reaches the rest of the machine only through struct io_env (interrupt
 * lines, time, console, reset, failure).  The core never looks inside a
 * device's state, and a device includes no other core header but mmio.h
 * (memory-space ranges, for PCI devices).
 *
 * Code here runs in the VMM's trap handlers: no allocation, no blocking.
 */
#ifndef IPVMM_CORE_IO_H
#define IPVMM_CORE_IO_H

#include <stddef.h>
#include <stdint.h>

/* Services the platform gives every device.  All callbacks are required. */
struct io_env {
	void *ctx;
	/* Interrupt line of the ISA bus (0-15) to the PIC: level 1 raises,
	 * 0 lowers.  Edge-triggered lines are raised then lowered. */
	void (*set_irq)(void *ctx, unsigned line, int level);
	/* Monotonic time in nanoseconds, and wall-clock time in seconds since
	 * the Unix epoch (UTC), for the PIT and the RTC. */
	uint64_t (*now_ns)(void *ctx);
	int64_t (*wall_time)(void *ctx);
	/* Bytes the guest sends to its console. */
	void (*console_write)(void *ctx, const uint8_t *buf, size_t len);
	/* The guest asked the machine to reset (port 0x92 bit 0, 0x64 cmd 0xfe). */
	void (*reset)(void *ctx);
	/* The guest used something the model does not implement: report it
	 * (device name, what, value) and stop the guest cleanly.  Returns only
	 * in unit tests. */
	void (*unimplemented)(void *ctx, const char *dev, const char *what, uint32_t value);
};

struct io_ports {
	const char *name; /* for messages: "uart16550@3f8" */
	uint16_t base, count;
	void *dev;
	/* size is 1, 2 or 4; port is absolute */
	uint32_t (*read)(void *dev, uint16_t port, unsigned size);
	void (*write)(void *dev, uint16_t port, unsigned size, uint32_t val);
};

#define IO_MAX_RANGES 32

/* Registers a port range (the struct must outlive the VM).  -1 if it
 * overlaps a registered range or the table is full. */
int io_register(const struct io_ports *r);
/* Port access from the guest.  0 on success; -1 when no device claims the
 * port (the caller reports it with the guest IP). */
int io_in(uint16_t port, unsigned size, uint32_t *val);
int io_out(uint16_t port, unsigned size, uint32_t val);
/* Forgets every range (tests, and a reset of the machine). */
void io_reset_table(void);

#endif
