/*
 * PCI configuration mechanism #1 (ports 0xcf8-0xcff) with an empty bus: the
 * address register reads back what was written, and every configuration
 * read finds no device (all ones), as on a PC whose slots are empty.  Linux
 * probes it and reports no PCI devices.  Devices (the DP83820) come later.
 */
#ifndef IPVMM_DEV_PCI_H
#define IPVMM_DEV_PCI_H

#include <stdint.h>

#include "ipvmm/core/io.h"

struct pci_host {
	const struct io_env *env;
	uint32_t address; /* 0xcf8 */
	uint8_t cfb;      /* 0xcfb as a byte register (mechanism #2 probe) */
	struct io_ports ports;
};

/* Registers 0xcf8-0xcff.  0, or -1 if a port is taken. */
int pci_host_init(struct pci_host *p, const struct io_env *env);

#endif
