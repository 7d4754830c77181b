/*
 * PCI bus 0 behind configuration mechanism #1 (ports 0xcf8-0xcff).  The
 * address register reads back what was written; a configuration access
 * reaches the function plugged into the addressed slot, and an empty
 * slot, another bus or a function other than 0 reads all ones, as on a PC.
 * With nothing plugged in, Linux probes the bus and finds no devices.
 *
 * A device plugs in a struct pci_function: its fixed identity (a const
 * template) and callbacks for BAR placement and command-register changes;
 * the bus owns the writable header fields (command, BARs, interrupt line,
 * cache line size, latency timer).  Each function is single-function,
 * header type 0, with no capability list (status bit 4 clear): the Linux
 * drivers these devices serve need none.
 *
 * Linux's direct probe (arch/x86/pci/direct.c pci_sanity_check) trusts
 * mechanism #1 only if bus 0 has a host bridge or a VGA card, or an Intel
 * or Compaq device (or the BIOS is from 2001 or later, which a machine
 * without a BIOS is not): pci_attach_host_bridge() plugs in one.
 */
#ifndef IPVMM_DEV_PCI_H
#define IPVMM_DEV_PCI_H

#include <stdint.h>

#include "ipvmm/core/io.h"

#define PCI_SLOTS	32
#define PCI_BARS	6

/* Low bits of a BAR: space, and for memory the type and prefetchable. */
#define PCI_BAR_IO		0x1u
#define PCI_BAR_MEM32		0x0u
#define PCI_BAR_PREFETCH	0x8u

#define PCI_CMD_IO		0x0001u
#define PCI_CMD_MEMORY		0x0002u
#define PCI_CMD_MASTER		0x0004u

/* What never changes: the read-only part of the header. */
struct pci_ident {
	uint16_t vendor, device;
	uint16_t subsys_vendor, subsys_device;
	uint32_t class_code;	/* base class << 16 | subclass << 8 | prog-if */
	uint8_t revision;
	uint8_t int_pin;	/* 1-4 = INTA-INTD, 0 = no interrupt */
	uint8_t min_gnt, max_lat;
	uint16_t status;	/* bits 15-0 as read; bit 4 must be 0 */
	/* per BAR: size in bytes (a power of two, at least 16 for memory and
	 * 4 for I/O; 0 = no BAR) and its low bits (PCI_BAR_*) */
	uint32_t bar_size[PCI_BARS];
	uint8_t bar_flags[PCI_BARS];
};

struct pci_host;

struct pci_function {
	/* filled by the device before pci_attach */
	const struct pci_ident *id;
	void *dev;
	/* a BAR's base changed (sizing writes included: the device decodes
	 * only while the command register says so); 'base' has the flag
	 * bits cleared */
	void (*bar_moved)(void *dev, unsigned bar, uint32_t base);
	/* the command register changed (PCI_CMD_*) */
	void (*command_changed)(void *dev, uint16_t command);
	/* the board's wiring of INTx: ISA line 0-15 the PIC sees, 0xff none;
	 * also what the interrupt-line register reads after attach, as if
	 * firmware had written it */
	uint8_t int_line;

	/* owned by pci.c */
	struct pci_host *host;
	unsigned slot;
	uint32_t bar[PCI_BARS];
	uint16_t command;
	uint8_t cache_line, latency;
	uint8_t int_line_reg;	/* 0x3c: software's scratch, routes nothing */
	int irq_level;		/* what the device drives on its INTx pin */
};

struct pci_host {
	const struct io_env *env;
	uint32_t address; /* 0xcf8 */
	uint8_t cfb;      /* 0xcfb as a byte register (mechanism #2 probe) */
	uint32_t unimpl_done;
	struct pci_function *slot[PCI_SLOTS];
	struct pci_function bridge; /* slot 0 once attached */
	struct io_ports ports;
};

/* Registers 0xcf8-0xcff with an empty bus.  0, or -1 if a port is taken. */
int pci_host_init(struct pci_host *p, const struct io_env *env);

/* Plugs fn into 'slot' (device number 1-31; 0 is the host bridge's) with
 * its BARs at 0, decoding off, the interrupt line as fn->int_line says.
 * 0, or -1 if the slot is taken or out of range or fn's identity is
 * malformed (a BAR size that is not a power of two, status bit 4). */
int pci_attach(struct pci_host *p, unsigned slot, struct pci_function *fn);

/* Plugs a host bridge (Intel 440FX identity) into slot 0. */
int pci_attach_host_bridge(struct pci_host *p);

/* Configuration space as the guest sees it: 'size' 1, 2 or 4 bytes at
 * 'off', not crossing a dword.  For devices that mirror their header
 * (the DP83820 at 0x200). */
uint32_t pci_config_read(const struct pci_function *fn, unsigned off, unsigned size);
void pci_config_write(struct pci_function *fn, unsigned off, unsigned size, uint32_t val);

/* The device drives its interrupt pin (level 1 asserted); the bus passes
 * changes to the ISA line fn->int_line.  As on a PC, rewriting the
 * interrupt-line register does not reroute the wire. */
void pci_set_irq(struct pci_function *fn, int level);

#endif
