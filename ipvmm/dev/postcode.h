/*
 * Port 0x80, the POST diagnostic port: a write only shows a code on a debug
 * card, so Linux writes it to pause between slow port accesses
 * (native_io_delay).  Reads return the last code written.
 */
#ifndef IPVMM_DEV_POSTCODE_H
#define IPVMM_DEV_POSTCODE_H

#include <stdint.h>

#include "ipvmm/core/io.h"

struct postcode {
	uint8_t last;
	struct io_ports ports;
};

/* Registers port 0x80.  0, or -1 if it is taken. */
int postcode_init(struct postcode *p);

#endif
