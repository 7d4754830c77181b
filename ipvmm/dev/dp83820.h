/*
 * National Semiconductor DP83820 gigabit Ethernet controller, a PCI
 * function (100b:0022) with its registers in a 4 KiB memory BAR (BAR 1),
 * as Linux's ns83820 driver (6.1) drives it: reset, BIST, the MAC from
 * the receive filter's perfect-match memory, descriptor chains for
 * transmit and receive in guest memory, ISR/IMR/IER interrupts, link
 * state in CFG as seen through a copper (GMII) PHY at 1000 Mb/s full
 * duplex.  Guest- and back-end-neutral: frames leave through cfg->tx and
 * arrive through dp83820_rx().
 *
 * DMA: every descriptor and buffer access goes through cfg->phys, which
 * returns NULL outside guest RAM; the model never forms a host pointer
 * any other way.  Work is done synchronously: a write of CR.TXE sends
 * every frame the ring holds before it returns; dp83820_rx() places a
 * frame at once.  The walk of descriptors per kick is bounded.
 *
 * Simplifications, each invisible to the driver's correctness: interrupt
 * holdoff (IHR) is stored but interrupts are not delayed; the MIB counters
 * read 0; pause frames, wake-on-LAN patterns and priority queueing do not
 * exist on this wire.  Features the driver does not use and that would
 * change what the guest sees (multicast hash, big-endian descriptors,
 * TBI, EEPROM and MII bit-banging, MAC loopback, ...) are reported as
 * unimplemented.  Guest errors (DMA outside RAM, runaway rings, oversized
 * frames) give the guest the error status hardware would and are
 * reported once each through cfg->error, which does not stop the guest.
 */
#ifndef IPVMM_DEV_DP83820_H
#define IPVMM_DEV_DP83820_H

#include <stdint.h>

#include "ipvmm/core/io.h"
#include "ipvmm/core/mmio.h"
#include "ipvmm/dev/pci.h"

#define DP83820_MMIO_SIZE	4096
/* Largest frame the transmitter sends (the chip's 8 KiB transmit FIFO);
 * without RXCFG.ALP the receiver takes at most 1514 bytes (1518 with an
 * 802.1Q tag), with it this much. */
#define DP83820_MAX_FRAME	8192
/* Descriptors one kick (CR.TXE write, or one received frame) may read. */
#define DP83820_WALK_LIMIT	1024
#define DP83820_FILTER_RAM	1024	/* receive filter memory (RFADDR 9:0) */

struct dp83820_config {
	void *ctx;
	/* host pointer to guest-physical [pa, pa + len), NULL outside RAM
	 * (the convention of vcpu_ops.phys) */
	void *(*phys)(void *ctx, uint64_t pa, uint32_t len);
	/* a frame the guest sent (no CRC) */
	void (*tx)(void *ctx, const uint8_t *frame, uint32_t len);
	/* the guest made an error the card answers with an error status:
	 * reported once per kind; the guest keeps running */
	void (*error)(void *ctx, const char *dev, const char *what, uint64_t value);
	uint8_t mac[6];		/* what the EEPROM loads into perfect match */
	uint8_t int_line;	/* ISA line INTA is wired to, 0xff none */
	unsigned slot;		/* PCI device number on bus 0, 1-31 */
};

enum dp83820_rx_status {
	DP83820_RX_DELIVERED,
	DP83820_RX_DISABLED,	/* receiver off (CR.RXE), or bus mastering off */
	DP83820_RX_FILTERED,	/* not for us by RFCR */
	DP83820_RX_NO_DESC,	/* no free descriptor: dropped, ISR.RXORN */
	DP83820_RX_TOO_LONG,	/* longer than the receiver takes */
	DP83820_RX_RUNT,	/* shorter than an Ethernet header */
	DP83820_RX_ERROR,	/* descriptor or buffer outside RAM, buffer too small */
};

struct dp83820_stats {
	uint64_t tx_frames, tx_bytes, tx_errors;
	uint64_t rx_frames, rx_bytes;
	uint64_t rx_disabled, rx_filtered, rx_no_desc, rx_too_long, rx_runt, rx_errors;
};

struct dp83820_ring {
	uint32_t dp, dp_hi;	/* TXDP/RXDP and the _HI halves */
	int on;			/* CR.TXE/RXE given and not withdrawn */
	int done;		/* the descriptor at dp is finished: follow its link */
};

struct dp83820 {
	const struct io_env *env;
	struct dp83820_config cfg;
	char name[24];
	struct pci_ident ident;
	struct pci_function pci;
	struct mmio_range mmio;
	uint32_t bar_base;
	uint16_t command;	/* PCI command register */
	int link_up;
	int rx_waiting;		/* dp83820_rx_room said no; RXIDLE raised */
	uint32_t cfg_reg, mear, ptscr, isr, imr, ier, ihr, txcfg, gpior, rxcfg;
	uint32_t pqcr, wcsr, pcr, rfcr, brar, mibc, vrcr, vtcr, ccsr;
	uint32_t tbicr, tanar, tesr;
	struct dp83820_ring tx, rx;
	uint8_t filter[DP83820_FILTER_RAM];
	uint32_t unimpl_done, error_done;
	struct dp83820_stats stats;
	uint8_t frame[DP83820_MAX_FRAME + 4]; /* + a tag inserted on transmit */
};

/* Resets the card and plugs it into 'bus' at cfg->slot with BAR 1
 * unplaced (the guest or firmware programs it).  The link is up.  0, or
 * -1 if the slot is taken, the MMIO table is full or a callback missing. */
int dp83820_init(struct dp83820 *d, const struct io_env *env, struct pci_host *bus,
		 const struct dp83820_config *cfg);

/* A frame from the wire (no CRC).  The caller serializes this with the
 * guest's register accesses, as for uart16550_receive. */
enum dp83820_rx_status dp83820_rx(struct dp83820 *d, const uint8_t *frame, uint32_t len);

/* Whether a frame arriving now finds a free receive descriptor.  A host
 * side that can hold frames (a ring, as the card's own FIFO would) asks
 * first and keeps them while the answer is no, instead of having them
 * dropped with ISR.RXORN; the first no raises ISR.RXIDLE, as the receiver
 * going idle would, so the driver refills and kicks it.  1 too when
 * dp83820_rx would refuse the frame for another reason: it reports that. */
int dp83820_rx_room(struct dp83820 *d);

/* The cable: up or down.  A change raises ISR.PHY when CFG asks for it. */
void dp83820_set_link(struct dp83820 *d, int up);

#endif
