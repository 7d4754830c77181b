/*
 * Guest-physical MMIO dispatch, the memory-space twin of io.h: a device
 * registers a range with read/write handlers, and the core, having decoded
 * a guest access to an address outside RAM, asks mmio_read/mmio_write
 * whether a device claims it.  Unlike port ranges, MMIO ranges move and
 * switch on and off at run time: a PCI device's memory BAR is placed by
 * the guest and decoded only while the command register enables memory
 * space.  Handlers see the offset into the range, so a move is invisible
 * to the device model.
 *
 * Code here runs in the VMM's trap handlers: no allocation, no blocking.
 */
#ifndef IPVMM_CORE_MMIO_H
#define IPVMM_CORE_MMIO_H

#include <stddef.h>
#include <stdint.h>

struct mmio_range {
	const char *name; /* for messages: "dp83820@00:03.0" */
	uint32_t len;     /* bytes, fixed at registration */
	void *dev;
	/* size is 1, 2 or 4; off + size <= len */
	uint32_t (*read)(void *dev, uint32_t off, unsigned size);
	void (*write)(void *dev, uint32_t off, unsigned size, uint32_t val);
	/* owned by mmio.c: where the range decodes, if it does */
	uint64_t base;
	int enabled;
};

#define MMIO_MAX_RANGES 16

/* Registers a range, initially not decoded (the struct must outlive the
 * VM).  -1 if the table is full, the range is empty or a handler is
 * missing. */
int mmio_register(struct mmio_range *r);
/* Decodes r at [base, base + len) when 'enable', else stops decoding it.
 * 0, or -1 (and r stays off) if the placement wraps the 64-bit space or
 * overlaps another decoded range: on a real bus two devices answering one
 * address is a conflict, never a choice. */
int mmio_place(struct mmio_range *r, uint64_t base, int enable);
/* Guest-physical access.  0 on success; -1 when no range claims all of
 * [pa, pa + size) or the size is not 1, 2 or 4 (the caller reports it
 * with the guest IP). */
int mmio_read(uint64_t pa, unsigned size, uint32_t *val);
int mmio_write(uint64_t pa, unsigned size, uint32_t val);
/* Whether a decoded range holds the byte at pa (no access is made: reads
 * of device registers can have effects). */
int mmio_claims(uint64_t pa);
/* Forgets every range (tests, and a reset of the machine). */
void mmio_reset_table(void);

#endif
