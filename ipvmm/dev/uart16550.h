/*
 * 16550A UART (PC COM port) as the Linux 8250 driver sees it: autoconfig
 * identifies it as a 16550A, loopback works, the THRE and receive
 * interrupts behave as on the chip.  Output is immediate (THR is always
 * empty), so the baud rate only exists as the divisor the guest reads back.
 *
 * Input arrives from the platform through uart16550_receive() into a ring
 * that stands for the wire and the receive FIFO together; the guest reads
 * it at its own pace.  Nothing is dropped without being counted.
 *
 * Simplifications, each invisible to the Linux driver: data waiting is
 * always reported as "received data available" (IIR 0x04), never as the
 * FIFO character timeout (0x0c), and regardless of the trigger level;
 * break, parity and framing never occur.
 */
#ifndef IPVMM_DEV_UART16550_H
#define IPVMM_DEV_UART16550_H

#include <stddef.h>
#include <stdint.h>

#include "ipvmm/core/io.h"

#define UART16550_RX_RING 4096 /* power of two */

struct uart16550_stats {
	uint64_t tx_bytes;	/* written to the console */
	uint64_t rx_bytes;	/* queued by uart16550_receive */
	uint64_t rx_overflow;	/* given to uart16550_receive with the ring full */
	uint64_t rx_cleared;	/* dropped by the guest's FCR "clear receiver" */
	uint64_t loop_overrun;	/* loopback bytes that found the FIFO full */
};

struct uart16550 {
	const struct io_env *env;
	unsigned irq;
	char name[16];
	struct io_ports ports;
	uint8_t ier, lcr, mcr, scr, dll, dlm;
	uint8_t fcr;		/* FIFO enable and trigger bits as written */
	uint8_t overrun;	/* LSR.OE, cleared by reading LSR */
	uint8_t msr_lines;	/* MSR bits 7-4: CTS, DSR, RI, DCD */
	uint8_t msr_delta;	/* MSR bits 3-0 */
	uint8_t last_rx;	/* what RBR reads when nothing is queued */
	uint8_t thre_pending;
	uint8_t irq_level;
	uint32_t unimpl_done;
	uint32_t rx_head, rx_count;
	uint8_t rx[UART16550_RX_RING];
	struct uart16550_stats stats;
};

/* Resets the UART and registers its 8 ports at 'base'; its interrupt is
 * ISA line 'irq'.  0, or -1 if the ports are taken. */
int uart16550_init(struct uart16550 *u, const struct io_env *env, uint16_t base, unsigned irq);

/* Queues input bytes for the guest and raises the receive interrupt if
 * enabled.  Returns how many were queued; the rest found the ring full,
 * are counted in stats.rx_overflow and set the overrun error the guest
 * sees in LSR.  The caller serializes this with the guest's port
 * accesses (both run with the VMM's signals blocked). */
size_t uart16550_receive(struct uart16550 *u, const uint8_t *buf, size_t n);

/* Free room in the receive ring: feed at most this much to avoid overruns. */
size_t uart16550_rx_space(const struct uart16550 *u);

#endif
