/*
 * The PC's two ways to reset the machine, and no more of their chips:
 * port 0x92 (system control port A: bit 0 fast reset, bit 1 A20) and the
 * 8042 keyboard controller at 0x60/0x64 reduced to an idle status
 * register and command 0xfe (pulse the reset line).
 *
 * A20 starts enabled and reads back as written; masking it is reported
 * as unimplemented (addresses never wrap at 1 MiB here).  Every other
 * keyboard controller command, and the data port 0x60, is reported as
 * unimplemented: Linux's i8042 driver probes the controller with such
 * commands, so a guest is built or booted without it.
 */
#ifndef IPVMM_DEV_RESET_H
#define IPVMM_DEV_RESET_H

#include <stdint.h>

#include "ipvmm/core/io.h"

struct reset_ctl {
	const struct io_env *env;
	uint8_t port92;		/* bits as written, bit 0 cleared */
	uint8_t kbc_cmd_last;	/* 1 if the last write went to 0x64 (status bit 3) */
	struct io_ports ports[3];
	uint32_t unimpl_done;
};

/* Registers 0x92, 0x60 and 0x64.  0, or -1 if a port is taken. */
int reset_ctl_init(struct reset_ctl *r, const struct io_env *env);

#endif
