/*
 * DP83820.  Register offsets and bits, descriptor layout and the status
 * the driver checks come from Linux 6.1 drivers/net/ethernet/natsemi/
 * ns83820.c; the engines' behaviour (when TXIDLE/RXIDLE fire, a NULL link
 * ends a list and the next enable re-reads it, status written back into
 * cmdsts) follows the datasheet's descriptor model as that driver expects
 * it.
 */
#include "ipvmm/dev/dp83820.h"
#include "ipvmm/dev/dev.h"
#include "ipvmm/dev/ethframe.h"

enum {
	CR = 0x00, CFG = 0x04, MEAR = 0x08, PTSCR = 0x0c, ISR = 0x10, IMR = 0x14, IER = 0x18,
	IHR = 0x1c, TXDP = 0x20, TXDP_HI = 0x24, TXCFG = 0x28, GPIOR = 0x2c, RXDP = 0x30,
	RXDP_HI = 0x34, RXCFG = 0x38, PQCR = 0x3c, WCSR = 0x40, PCR = 0x44, RFCR = 0x48,
	RFDR = 0x4c, BRAR = 0x50, BRDR = 0x54, SRR = 0x58, MIBC = 0x5c, MIB_FIRST = 0x60,
	MIB_LAST = 0x88, VRCR = 0xbc, VTCR = 0xc0, VDR = 0xc4, CCSR = 0xcc, TBICR = 0xe0,
	TBISR = 0xe4, TANAR = 0xe8, TANLPAR = 0xec, TANER = 0xf0, TESR = 0xf4,
	PCI_MIRROR = 0x200, PCI_MIRROR_END = 0x300,
};

#define CR_TXE		0x00000001u
#define CR_TXD		0x00000002u
#define CR_RXE		0x00000004u
#define CR_RXD		0x00000008u
#define CR_TXR		0x00000010u
#define CR_RXR		0x00000020u
#define CR_SWI		0x00000080u
#define CR_RST		0x00000100u

#define CFG_LNKSTS	0x80000000u
#define CFG_SPDSTS	0x60000000u
#define CFG_SPDSTS0	0x20000000u
#define CFG_DUPSTS	0x10000000u
#define CFG_TBI_EN	0x01000000u
#define CFG_PINT_LNKSTS	0x00080000u
#define CFG_PCI64_DET	0x00002000u
#define CFG_M64ADDR	0x00000800u
#define CFG_PHY_DIS	0x00000200u
#define CFG_EXTSTS_EN	0x00000100u
#define CFG_BEM		0x00000001u
#define CFG_RO		(CFG_LNKSTS | CFG_SPDSTS | CFG_DUPSTS | CFG_PCI64_DET)
/* The driver reads CFG ^ (SPDSTS1 | SPDSTS0 | DUPSTS): the PHY's speed
 * and duplex pins are active low.  1000 Mb/s full duplex reads as
 * SPDSTS1 = 0, SPDSTS0 = 1, DUPSTS = 0. */
#define CFG_1000_FULL	CFG_SPDSTS0

#define PTSCR_EEBIST_FAIL 0x00000001u
#define PTSCR_EEBIST_EN	0x00000002u
#define PTSCR_EELOAD_EN	0x00000004u
#define PTSCR_RBIST_FAIL 0x000001b8u
#define PTSCR_RBIST_DONE 0x00000200u
#define PTSCR_RBIST_EN	0x00000400u
#define PTSCR_RBIST_RST	0x00002000u

#define MEAR_EECLK	0x00000004u
#define MEAR_EESEL	0x00000008u
#define MEAR_MDC	0x00000040u

#define ISR_TXRCMP	0x00400000u
#define ISR_RXRCMP	0x00200000u
#define ISR_RMABT	0x00040000u
#define ISR_PHY		0x00004000u
#define ISR_SWI		0x00001000u
#define ISR_TXURN	0x00000400u
#define ISR_TXIDLE	0x00000200u
#define ISR_TXERR	0x00000100u
#define ISR_TXDESC	0x00000080u
#define ISR_TXOK	0x00000040u
#define ISR_RXORN	0x00000020u
#define ISR_RXIDLE	0x00000010u
#define ISR_RXERR	0x00000004u
#define ISR_RXDESC	0x00000002u
#define ISR_RXOK	0x00000001u

#define TXCFG_MLB	0x20000000u
#define TXCFG_ATP	0x10000000u
#define RXCFG_STRIPCRC	0x20000000u
#define RXCFG_ALP	0x08000000u

#define RFCR_RFEN	0x80000000u
#define RFCR_AAB	0x40000000u
#define RFCR_AAM	0x20000000u
#define RFCR_AAU	0x10000000u
#define RFCR_APM	0x08000000u
#define RFCR_AARP	0x00400000u
#define RFCR_MHEN	0x00200000u
#define RFCR_UHEN	0x00100000u
#define RFCR_ULM	0x00080000u
#define RFCR_RFADDR	0x000003ffu

#define VRCR_REJECT	0x000000ecu	/* RUDPE RTCPE RIPE DUTF DVTF */
#define VRCR_IPEN	0x00000010u
#define VRCR_VTREN	0x00000002u
#define VTCR_PPCHK	0x00000008u
#define VTCR_VPPTI	0x00000002u
#define VTCR_VGTI	0x00000001u

#define TBICR_MR_AN_ENABLE	0x00001000u
#define TBISR_MR_LINK_STATUS	0x00000020u
#define TBISR_MR_AN_COMPLETE	0x00000004u
#define TANAR_HALF_DUP		0x00000040u
#define TANAR_FULL_DUP		0x00000020u

#define CMDSTS_OWN	0x80000000u
#define CMDSTS_MORE	0x40000000u
#define CMDSTS_INTR	0x20000000u
#define CMDSTS_ERR	0x10000000u	/* what ns83820 counts as a TX error */
#define CMDSTS_OK	0x08000000u
#define CMDSTS_ABORT	0x04000000u	/* TXA / RXA */
#define CMDSTS_DEST_SELF 0x00800000u
#define CMDSTS_DEST_MULTI 0x01000000u
#define CMDSTS_LONG	0x00400000u
#define CMDSTS_LEN_MASK	0x0000ffffu

#define EXTSTS_UDPERR	0x00400000u
#define EXTSTS_UDPPKT	0x00200000u
#define EXTSTS_TCPERR	0x00100000u
#define EXTSTS_TCPPKT	0x00080000u
#define EXTSTS_IPERR	0x00040000u
#define EXTSTS_IPPKT	0x00020000u
#define EXTSTS_VPKT	0x00010000u
#define EXTSTS_VTG_MASK	0x0000ffffu

#define SRR_VALUE	0x0103u		/* silicon revision B */
#define MIN_FRAME	60		/* without CRC */
#define MAX_RX_FRAME	1514		/* without CRC or 802.1Q tag */

/* unimplemented things, one bit each */
enum {
	U_SIZE, U_READ, U_WRITE, U_CR, U_CFG_BEM, U_CFG_TBI, U_CFG_PHY_DIS, U_MEAR, U_TXCFG_MLB,
	U_RXCFG_CRC, U_PQCR, U_WCSR, U_RFCR, U_BRDR, U_VRCR, U_VTCR, U_VDR, U_MIRROR_WRITE,
	U_BAR, U_TBI_REG,
};

/* guest errors, reported once each */
enum {
	E_TX_DESC, E_TX_BUF, E_TX_LONG, E_TX_EMPTY, E_TX_CHAIN, E_TX_LIMIT, E_RX_DESC, E_RX_BUF,
	E_RX_SMALL, E_MASTER,
};

struct desc {
	uint8_t *p;		/* host view of the whole descriptor */
	uint64_t link, buf;
	uint32_t cmdsts, extsts;
};

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void copy(uint8_t *dst, const uint8_t *src, uint32_t n)
{
	while (n--)
		*dst++ = *src++;
}

static void unimpl(struct dp83820 *d, unsigned bit, const char *what, uint32_t value)
{
	dev_unimplemented(d->env, &d->unimpl_done, bit, d->name, what, value);
}

static void guest_error(struct dp83820 *d, unsigned bit, const char *what, uint64_t value)
{
	if (d->error_done & (1u << bit))
		return;
	d->error_done |= 1u << bit;
	d->cfg.error(d->cfg.ctx, d->name, what, value);
}

/* INTA follows ISR & IMR, gated by IER. */
static void update_irq(struct dp83820 *d)
{
	pci_set_irq(&d->pci, (d->isr & d->imr) && (d->ier & 1));
}

static void isr_set(struct dp83820 *d, uint32_t bits)
{
	d->isr |= bits;
	update_irq(d);
}

static int m64(const struct dp83820 *d)
{
	return (d->cfg_reg & CFG_M64ADDR) != 0;
}

/* 32-bit descriptors: link, bufptr, cmdsts, extsts; with CFG.M64ADDR the
 * two addresses are 64 bits wide. */
static uint32_t desc_size(const struct dp83820 *d)
{
	return m64(d) ? 24 : 16;
}

static uint64_t ring_addr(const struct dp83820 *d, const struct dp83820_ring *r)
{
	return m64(d) ? (uint64_t)r->dp_hi << 32 | r->dp : r->dp;
}

static void ring_set(const struct dp83820 *d, struct dp83820_ring *r, uint64_t a)
{
	r->dp = (uint32_t)a;
	if (m64(d))
		r->dp_hi = (uint32_t)(a >> 32);
	r->done = 0;
}

static int read_desc(struct dp83820 *d, uint64_t pa, struct desc *ds)
{
	uint8_t *p = d->cfg.phys(d->cfg.ctx, pa, desc_size(d));

	if (!p)
		return -1;
	ds->p = p;
	if (m64(d)) {
		ds->link = get32(p) | (uint64_t)get32(p + 4) << 32;
		ds->buf = get32(p + 8) | (uint64_t)get32(p + 12) << 32;
		p += 16;
	} else {
		ds->link = get32(p);
		ds->buf = get32(p + 4);
		p += 8;
	}
	ds->cmdsts = get32(p);
	ds->extsts = get32(p + 4);
	return 0;
}

static uint8_t *cmdsts_ptr(const struct dp83820 *d, const struct desc *ds)
{
	return ds->p + (m64(d) ? 16 : 8);
}

static void load_eeprom(struct dp83820 *d)
{
	for (unsigned i = 0; i < 6; i++)
		d->filter[i] = d->cfg.mac[i];
}

static void chip_reset(struct dp83820 *d)
{
	d->cfg_reg = 0;
	d->mear = 0x12;		/* EEDO and MDIO float high */
	d->ptscr = 0;
	d->isr = d->imr = d->ier = d->ihr = 0;
	d->txcfg = 0x120;
	d->rxcfg = 0x4;
	d->gpior = d->pqcr = d->wcsr = d->pcr = d->rfcr = 0;
	d->brar = 0xffffffffu;
	d->mibc = 0;
	d->vrcr = d->vtcr = d->ccsr = 0;
	d->tbicr = d->tanar = 0;
	d->tx = (struct dp83820_ring){ 0, 0, 0, 0 };
	d->rx = (struct dp83820_ring){ 0, 0, 0, 0 };
	for (unsigned i = 0; i < DP83820_FILTER_RAM; i++)
		d->filter[i] = 0;
	/* the EEPROM autoloads at reset, as the driver's EELOAD does later */
	load_eeprom(d);
	update_irq(d);
}

/* ---- transmit ---- */

/* Tag insertion, checksums and padding the descriptor and VTCR ask for. */
static uint32_t tx_finish(struct dp83820 *d, uint32_t len, uint32_t extsts)
{
	if ((d->cfg_reg & CFG_EXTSTS_EN) && (d->vtcr & VTCR_PPCHK)) {
		unsigned want = ((extsts & EXTSTS_IPPKT) ? ETHFRAME_IP : 0) |
				((extsts & EXTSTS_TCPPKT) ? ETHFRAME_TCP : 0) |
				((extsts & EXTSTS_UDPPKT) ? ETHFRAME_UDP : 0);

		if (want)
			ethframe_fill(d->frame, len, want);
	}
	if ((d->cfg_reg & CFG_EXTSTS_EN) && (d->vtcr & VTCR_VPPTI) && (extsts & EXTSTS_VPKT) &&
	    len >= 12) {
		/* the driver stores the tag byte-swapped (htons) in VTG */
		uint32_t tci = (extsts & 0xff) << 8 | (extsts >> 8 & 0xff);

		for (uint32_t i = len; i > 12; i--)
			d->frame[i + 3] = d->frame[i - 1];
		d->frame[12] = 0x81;
		d->frame[13] = 0x00;
		d->frame[14] = (uint8_t)(tci >> 8);
		d->frame[15] = (uint8_t)tci;
		len += 4;
	}
	if ((d->txcfg & TXCFG_ATP) && len < MIN_FRAME) {
		while (len < MIN_FRAME)
			d->frame[len++] = 0;
	}
	return len;
}

enum tx_walk { TX_FRAME, TX_IDLE, TX_STOP };

/* Gathers one frame starting at ring->dp, sends it, writes its status.
 * *walked counts descriptor reads against DP83820_WALK_LIMIT. */
static enum tx_walk tx_one(struct dp83820 *d, unsigned *walked)
{
	struct desc ds;
	uint32_t len = 0, n;
	int bad = -1; /* E_* of the first problem with this frame */
	uint64_t bad_value = 0;

	if (read_desc(d, ring_addr(d, &d->tx), &ds))
		goto fault;
	if (!(ds.cmdsts & CMDSTS_OWN)) {
		isr_set(d, ISR_TXIDLE);
		return TX_IDLE;
	}
	for (;;) {
		n = ds.cmdsts & CMDSTS_LEN_MASK;
		if (bad < 0 && len + n > DP83820_MAX_FRAME) {
			bad = E_TX_LONG;
			bad_value = len + n;
		}
		if (bad < 0 && n) {
			const uint8_t *src = d->cfg.phys(d->cfg.ctx, ds.buf, n);

			if (src) {
				copy(d->frame + len, src, n);
			} else {
				bad = E_TX_BUF;
				bad_value = ds.buf;
			}
		}
		len += n;
		if (!(ds.cmdsts & CMDSTS_MORE))
			break;
		/* a fragment is handed back as soon as it is read; the
		 * status goes in the frame's last descriptor */
		put32(cmdsts_ptr(d, &ds), ds.cmdsts & ~CMDSTS_OWN);
		if (ds.cmdsts & CMDSTS_INTR)
			isr_set(d, ISR_TXDESC);
		if (ds.link == 0 || ++*walked >= DP83820_WALK_LIMIT) {
			/* the frame never ends: the FIFO runs dry mid-frame */
			d->tx.done = 1;
			guest_error(d, ds.link ? E_TX_LIMIT : E_TX_CHAIN,
				    ds.link ? "transmit frame longer than the descriptor walk limit"
					    : "transmit frame ends in a NULL link", ring_addr(d, &d->tx));
			d->stats.tx_errors++;
			isr_set(d, ISR_TXURN | ISR_TXERR | ISR_TXIDLE);
			return TX_STOP;
		}
		ring_set(d, &d->tx, ds.link);
		if (read_desc(d, ds.link, &ds))
			goto fault;
		if (!(ds.cmdsts & CMDSTS_OWN)) {
			/* the rest of the frame is not ours to send; stop on
			 * this descriptor, the driver's to fill */
			guest_error(d, E_TX_CHAIN, "transmit frame continues into a descriptor the card does not own",
				    ring_addr(d, &d->tx));
			d->stats.tx_errors++;
			isr_set(d, ISR_TXURN | ISR_TXERR | ISR_TXIDLE);
			return TX_STOP;
		}
	}
	if (bad < 0 && len == 0) {
		bad = E_TX_EMPTY;
		bad_value = ring_addr(d, &d->tx);
	}
	if (bad < 0) {
		len = tx_finish(d, len, ds.extsts);
		/* with the link down a full-duplex MAC still sends, into nothing */
		if (d->link_up)
			d->cfg.tx(d->cfg.ctx, d->frame, len);
		d->stats.tx_frames++;
		d->stats.tx_bytes += len;
		put32(cmdsts_ptr(d, &ds), (ds.cmdsts & ~CMDSTS_OWN) | CMDSTS_OK);
		isr_set(d, ISR_TXOK);
	} else {
		static const char *const what[] = {
			[E_TX_BUF] = "transmit buffer outside RAM",
			[E_TX_LONG] = "transmit frame longer than the FIFO",
			[E_TX_EMPTY] = "transmit frame of length 0",
		};

		guest_error(d, (unsigned)bad, what[bad], bad_value);
		d->stats.tx_errors++;
		put32(cmdsts_ptr(d, &ds), (ds.cmdsts & ~(CMDSTS_OWN | CMDSTS_OK)) | CMDSTS_ERR | CMDSTS_ABORT);
		isr_set(d, ISR_TXERR);
	}
	if (ds.cmdsts & CMDSTS_INTR)
		isr_set(d, ISR_TXDESC);
	d->tx.done = 1;
	return TX_FRAME;

fault:
	/* a descriptor outside RAM: the PCI master abort halts the engine */
	guest_error(d, E_TX_DESC, "transmit descriptor outside RAM", ring_addr(d, &d->tx));
	d->tx.on = 0;
	isr_set(d, ISR_RMABT | ISR_TXERR);
	return TX_STOP;
}

static void tx_run(struct dp83820 *d)
{
	unsigned walked = 0;

	if (!d->tx.on)
		return;
	if (!(d->command & PCI_CMD_MASTER)) {
		guest_error(d, E_MASTER, "DMA with PCI bus mastering disabled", d->command);
		return;
	}
	while (walked++ < DP83820_WALK_LIMIT) {
		if (d->tx.done) {
			struct desc ds;

			/* the last descriptor is done: its link, read now,
			 * says where the list goes (NULL: it ends here) */
			if (read_desc(d, ring_addr(d, &d->tx), &ds)) {
				guest_error(d, E_TX_DESC, "transmit descriptor outside RAM", ring_addr(d, &d->tx));
				d->tx.on = 0;
				isr_set(d, ISR_RMABT | ISR_TXERR);
				return;
			}
			if (ds.link == 0) {
				isr_set(d, ISR_TXIDLE);
				return;
			}
			ring_set(d, &d->tx, ds.link);
			if (walked++ >= DP83820_WALK_LIMIT)
				break;
		}
		if (tx_one(d, &walked) != TX_FRAME)
			return;
	}
	/* work left for the next kick: TXIDLE makes the driver look at TXDP
	 * and kick again, so a long ring is slow, never stuck */
	guest_error(d, E_TX_LIMIT, "transmit ring walk limit reached in one kick", ring_addr(d, &d->tx));
	isr_set(d, ISR_TXIDLE);
}

/* ---- receive ---- */

static int is_bcast(const uint8_t *a)
{
	return (a[0] & a[1] & a[2] & a[3] & a[4] & a[5]) == 0xff;
}

static int is_ours(const struct dp83820 *d, const uint8_t *a)
{
	for (unsigned i = 0; i < 6; i++)
		if (a[i] != d->filter[i])
			return 0;
	return 1;
}

/* RFCR's verdict: 0 to drop, else CMDSTS_OK | the DEST bits. */
static uint32_t rx_filter(const struct dp83820 *d, const uint8_t *f)
{
	uint32_t r = d->rfcr;

	if (!(r & RFCR_RFEN))
		return 0;
	if (is_bcast(f))
		return (r & RFCR_AAB) ? CMDSTS_OK | CMDSTS_DEST_SELF | CMDSTS_DEST_MULTI : 0;
	if (f[0] & 1)
		return (r & RFCR_AAM) ? CMDSTS_OK | CMDSTS_DEST_MULTI : 0;
	if ((r & RFCR_APM) && is_ours(d, f))
		return CMDSTS_OK | CMDSTS_DEST_SELF;
	if ((r & RFCR_AAU) || ((r & RFCR_AARP) && f[12] == 0x08 && f[13] == 0x06))
		return CMDSTS_OK;
	return 0;
}

/* The descriptor is finished: follow its link now, so that the end of
 * the list (NULL) is signalled at once (RXIDLE) and the driver re-arms. */
static void rx_advance(struct dp83820 *d)
{
	struct desc fresh;

	/* re-read: the driver appends by rewriting the link of the last one */
	if (read_desc(d, ring_addr(d, &d->rx), &fresh) == 0 && fresh.link) {
		ring_set(d, &d->rx, fresh.link);
		return;
	}
	d->rx.done = 1;
	isr_set(d, ISR_RXIDLE);
}

/* Copies the frame into d->frame as the MAC would hand it to the buffer:
 * tag stripped (VRCR.VTREN), padded to the minimum; returns the length
 * and sets *extsts to what EXTSTS reports. */
static uint32_t rx_prepare(struct dp83820 *d, const uint8_t *f, uint32_t len, uint32_t *extsts)
{
	uint32_t n = 0;

	*extsts = 0;
	if ((d->vrcr & VRCR_VTREN) && f[12] == 0x81 && f[13] == 0x00 && len >= 18) {
		uint32_t tci = (uint32_t)f[14] << 8 | f[15];

		copy(d->frame, f, 12);
		copy(d->frame + 12, f + 16, len - 16);
		n = len - 4;
		*extsts |= EXTSTS_VPKT | (tci & 0xff) << 8 | tci >> 8;
	} else {
		copy(d->frame, f, len);
		n = len;
	}
	while (n < MIN_FRAME)
		d->frame[n++] = 0;
	if (d->vrcr & VRCR_IPEN) {
		unsigned c = ethframe_check(d->frame, n);

		*extsts |= ((c & ETHFRAME_IP) ? EXTSTS_IPPKT : 0) |
			   ((c & ETHFRAME_IP_BAD) ? EXTSTS_IPERR : 0);
		if (c & ETHFRAME_TCP)
			*extsts |= EXTSTS_TCPPKT | ((c & ETHFRAME_L4_BAD) ? EXTSTS_TCPERR : 0);
		if (c & ETHFRAME_UDP)
			*extsts |= EXTSTS_UDPPKT | ((c & ETHFRAME_L4_BAD) ? EXTSTS_UDPERR : 0);
	}
	return n;
}

static enum dp83820_rx_status rx_fault(struct dp83820 *d)
{
	guest_error(d, E_RX_DESC, "receive descriptor outside RAM", ring_addr(d, &d->rx));
	d->rx.on = 0;
	d->stats.rx_errors++;
	isr_set(d, ISR_RMABT | ISR_RXERR);
	return DP83820_RX_ERROR;
}

enum dp83820_rx_status dp83820_rx(struct dp83820 *d, const uint8_t *frame, uint32_t len)
{
	struct desc ds;
	uint32_t verdict, extsts, n, max, size;
	uint8_t *dst;

	if (!d->rx.on || !d->link_up || !(d->command & PCI_CMD_MASTER)) {
		d->stats.rx_disabled++;
		return DP83820_RX_DISABLED;
	}
	if (len < 14) {
		/* not even an Ethernet header: the MAC discards it */
		d->stats.rx_runt++;
		return DP83820_RX_RUNT;
	}
	if (!(d->rxcfg & RXCFG_STRIPCRC))
		unimpl(d, U_RXCFG_CRC, "receive with the CRC kept (RXCFG.STRIPCRC clear)", d->rxcfg);
	verdict = rx_filter(d, frame);
	if (!verdict) {
		d->stats.rx_filtered++;
		return DP83820_RX_FILTERED;
	}
	max = (d->rxcfg & RXCFG_ALP) ? DP83820_MAX_FRAME
				     : MAX_RX_FRAME + (frame[12] == 0x81 && frame[13] == 0x00 ? 4 : 0);
	if (len > max) {
		d->stats.rx_too_long++;
		return DP83820_RX_TOO_LONG;
	}

	if (d->rx.done) {
		if (read_desc(d, ring_addr(d, &d->rx), &ds))
			return rx_fault(d);
		if (ds.link == 0) {
			/* still at the end of the list: the FIFO overflows */
			d->stats.rx_no_desc++;
			isr_set(d, ISR_RXORN);
			return DP83820_RX_NO_DESC;
		}
		ring_set(d, &d->rx, ds.link);
	}
	if (read_desc(d, ring_addr(d, &d->rx), &ds))
		return rx_fault(d);
	if (ds.cmdsts & CMDSTS_OWN) {
		/* the driver has not given this one back yet */
		d->stats.rx_no_desc++;
		isr_set(d, ISR_RXIDLE | ISR_RXORN);
		return DP83820_RX_NO_DESC;
	}

	n = rx_prepare(d, frame, len, &extsts);
	size = ds.cmdsts & CMDSTS_LEN_MASK;
	if (n > size) {
		/* descriptor chaining of one frame (MORE) is not modelled;
		 * the driver's buffers hold a whole frame */
		guest_error(d, E_RX_SMALL, "receive buffer smaller than the frame", size);
		put32(cmdsts_ptr(d, &ds), CMDSTS_OWN | (ds.cmdsts & CMDSTS_INTR) | CMDSTS_LONG | n);
		d->stats.rx_errors++;
		isr_set(d, ISR_RXERR | ((ds.cmdsts & CMDSTS_INTR) ? ISR_RXDESC : 0));
		rx_advance(d);
		return DP83820_RX_ERROR;
	}
	dst = d->cfg.phys(d->cfg.ctx, ds.buf, n);
	if (!dst) {
		guest_error(d, E_RX_BUF, "receive buffer outside RAM", ds.buf);
		put32(cmdsts_ptr(d, &ds), CMDSTS_OWN | (ds.cmdsts & CMDSTS_INTR) | CMDSTS_ABORT);
		d->stats.rx_errors++;
		isr_set(d, ISR_RMABT | ISR_RXERR | ((ds.cmdsts & CMDSTS_INTR) ? ISR_RXDESC : 0));
		rx_advance(d);
		return DP83820_RX_ERROR;
	}
	copy(dst, d->frame, n);
	if (d->cfg_reg & CFG_EXTSTS_EN)
		put32(cmdsts_ptr(d, &ds) + 4, extsts);
	put32(cmdsts_ptr(d, &ds), CMDSTS_OWN | verdict | (ds.cmdsts & CMDSTS_INTR) | n);
	d->stats.rx_frames++;
	d->stats.rx_bytes += n;
	isr_set(d, ISR_RXOK | ((ds.cmdsts & CMDSTS_INTR) ? ISR_RXDESC : 0));
	rx_advance(d);
	return DP83820_RX_DELIVERED;
}

int dp83820_rx_room(struct dp83820 *d)
{
	struct desc ds;
	uint64_t a = ring_addr(d, &d->rx);

	if (!d->rx.on || !d->link_up || !(d->command & PCI_CMD_MASTER))
		return 1;
	if (d->rx.done) {
		if (read_desc(d, a, &ds))
			return 1;
		if (ds.link == 0)
			goto none;
		a = ds.link;
	}
	if (read_desc(d, a, &ds))
		return 1;
	if (!(ds.cmdsts & CMDSTS_OWN)) {
		d->rx_waiting = 0;
		return 1;
	}
none:
	if (!d->rx_waiting) {
		d->rx_waiting = 1;
		isr_set(d, ISR_RXIDLE);
	}
	return 0;
}

void dp83820_set_link(struct dp83820 *d, int up)
{
	up = !!up;
	if (up == d->link_up)
		return;
	d->link_up = up;
	if (d->cfg_reg & CFG_PINT_LNKSTS)
		isr_set(d, ISR_PHY);
}

/* ---- registers ---- */

static void write_cr(struct dp83820 *d, uint32_t v)
{
	if (v & ~(CR_TXE | CR_TXD | CR_RXE | CR_RXD | CR_TXR | CR_RXR | CR_SWI | CR_RST))
		unimpl(d, U_CR, "CR bits", v);
	if (v & CR_RST) {
		/* done at once: the driver's poll for CR.RST sees it clear */
		chip_reset(d);
		return;
	}
	if (v & CR_TXR) {
		d->tx.on = d->tx.done = 0;
		isr_set(d, ISR_TXRCMP);
	}
	if (v & CR_RXR) {
		d->rx.on = d->rx.done = 0;
		isr_set(d, ISR_RXRCMP);
	}
	if (v & CR_TXD)
		d->tx.on = 0;
	else if (v & CR_TXE)
		d->tx.on = 1;
	if (v & CR_RXD)
		d->rx.on = 0;
	else if (v & CR_RXE) {
		d->rx.on = 1; /* descriptors are read when a frame arrives */
		/* re-enabled: meeting no free descriptor idles it again, and
		 * that is signalled again (dp83820_rx_room) */
		d->rx_waiting = 0;
	}
	if (v & CR_SWI)
		isr_set(d, ISR_SWI);
	if ((v & CR_TXE) && !(v & CR_TXD))
		tx_run(d);
}

static void write_cfg(struct dp83820 *d, uint32_t v)
{
	if (v & CFG_BEM)
		unimpl(d, U_CFG_BEM, "CFG big-endian mode", v);
	if (v & CFG_TBI_EN)
		unimpl(d, U_CFG_TBI, "CFG ten-bit interface (optical transceiver)", v);
	if (v & CFG_PHY_DIS)
		unimpl(d, U_CFG_PHY_DIS, "CFG PHY disable", v);
	d->cfg_reg = v & ~CFG_RO;
}

static void write_ptscr(struct dp83820 *d, uint32_t v)
{
	/* every self test passes at once; the enable bits clear when done,
	 * which is what the driver's ns83820_run_bist polls for */
	if (v & PTSCR_RBIST_RST)
		d->ptscr = 0;
	if (v & PTSCR_RBIST_EN)
		d->ptscr |= PTSCR_RBIST_DONE;
	if (v & PTSCR_EELOAD_EN)
		load_eeprom(d);
	d->ptscr &= ~(PTSCR_EEBIST_FAIL | PTSCR_RBIST_FAIL);
}

static void write_rfdr(struct dp83820 *d, uint32_t v)
{
	uint32_t a = d->rfcr & RFCR_RFADDR & ~1u;

	d->filter[a] = (uint8_t)v;
	d->filter[a + 1] = (uint8_t)(v >> 8);
}

static uint32_t read_rfdr(const struct dp83820 *d)
{
	uint32_t a = d->rfcr & RFCR_RFADDR & ~1u;

	return (uint32_t)d->filter[a] | (uint32_t)d->filter[a + 1] << 8;
}

static uint32_t reg_read(void *dev, uint32_t off, unsigned size)
{
	struct dp83820 *d = dev;
	uint32_t v;

	if (size != 4 || (off & 3)) {
		unimpl(d, U_SIZE, "register access other than an aligned dword", off << 8 | size);
		return 0xffffffffu;
	}
	if (off >= MIB_FIRST && off <= MIB_LAST)
		return 0; /* nothing ever goes wrong on this wire */
	if (off >= PCI_MIRROR && off < PCI_MIRROR_END)
		return pci_config_read(&d->pci, off - PCI_MIRROR, 4);
	switch (off) {
	case CR:
		return (d->tx.on ? CR_TXE : 0) | (d->rx.on ? CR_RXE : 0);
	case CFG:
		return d->cfg_reg | (d->link_up ? CFG_LNKSTS : 0) | CFG_1000_FULL;
	case MEAR: return d->mear;
	case PTSCR: return d->ptscr;
	case ISR:
		v = d->isr;
		d->isr = 0;
		update_irq(d);
		return v;
	case IMR: return d->imr;
	case IER: return d->ier;
	case IHR: return d->ihr;
	case TXDP: return d->tx.dp;
	case TXDP_HI: return d->tx.dp_hi;
	case TXCFG: return d->txcfg;
	case GPIOR: return d->gpior;
	case RXDP: return d->rx.dp;
	case RXDP_HI: return d->rx.dp_hi;
	case RXCFG: return d->rxcfg;
	case PQCR: return d->pqcr;
	case WCSR: return d->wcsr;
	case PCR: return d->pcr;
	case RFCR: return d->rfcr;
	case RFDR: return read_rfdr(d);
	case BRAR: return d->brar;
	case SRR: return SRR_VALUE;
	case MIBC: return d->mibc;
	case VRCR: return d->vrcr;
	case VTCR: return d->vtcr;
	case CCSR: return d->ccsr;
	case TBICR: return d->tbicr;
	case TANAR: return d->tanar;
	/* the TBI registers, inert with a copper PHY, report a partner that
	 * matches us whenever the link is up */
	case TBISR: return d->link_up ? TBISR_MR_LINK_STATUS | TBISR_MR_AN_COMPLETE : 0;
	case TANLPAR: return d->link_up ? TANAR_FULL_DUP | TANAR_HALF_DUP : 0;
	case TANER: case TESR:
		unimpl(d, U_TBI_REG, "TBI expansion register read", off);
		return 0;
	case BRDR:
		unimpl(d, U_BRDR, "boot ROM data read", d->brar);
		return 0xffffffffu;
	case VDR:
		unimpl(d, U_VDR, "VLAN data register read", off);
		return 0;
	default:
		unimpl(d, U_READ, "read of an unmodelled register", off);
		return 0xffffffffu;
	}
}

static void reg_write(void *dev, uint32_t off, unsigned size, uint32_t v)
{
	struct dp83820 *d = dev;

	if (size != 4 || (off & 3)) {
		unimpl(d, U_SIZE, "register access other than an aligned dword", off << 8 | size);
		return;
	}
	if (off >= PCI_MIRROR && off < PCI_MIRROR_END) {
		unimpl(d, U_MIRROR_WRITE, "write to the configuration mirror", off);
		return;
	}
	switch (off) {
	case CR: write_cr(d, v); break;
	case CFG: write_cfg(d, v); break;
	case MEAR:
		if (v & (MEAR_EESEL | MEAR_EECLK | MEAR_MDC))
			unimpl(d, U_MEAR, "MEAR EEPROM or MII bit-banging", v);
		d->mear = (v & 0x7d) | 0x12;
		break;
	case PTSCR: write_ptscr(d, v); break;
	case ISR: break; /* read-only */
	case IMR: d->imr = v; update_irq(d); break;
	case IER: d->ier = v & 1; update_irq(d); break;
	/* holdoff in 100 us units: stored, interrupts are not delayed */
	case IHR: d->ihr = v & 0x1ff; break;
	case TXDP: d->tx.dp = v & ~3u; d->tx.done = 0; break;
	case TXDP_HI: d->tx.dp_hi = v; break;
	case TXCFG:
		if (v & TXCFG_MLB)
			unimpl(d, U_TXCFG_MLB, "TXCFG MAC loopback", v);
		d->txcfg = v;
		break;
	case GPIOR: d->gpior = v; break; /* LEDs */
	case RXDP: d->rx.dp = v & ~3u; d->rx.done = 0; d->rx_waiting = 0; break;
	case RXDP_HI: d->rx.dp_hi = v; break;
	case RXCFG: d->rxcfg = v; break;
	case PQCR:
		if (v)
			unimpl(d, U_PQCR, "priority queueing (PQCR)", v);
		d->pqcr = v;
		break;
	case WCSR:
		if (v)
			unimpl(d, U_WCSR, "wake-on-LAN (WCSR)", v);
		d->wcsr = v;
		break;
	case PCR: d->pcr = v; break; /* pause frames: none arrive */
	case RFCR:
		if (v & (RFCR_MHEN | RFCR_UHEN | RFCR_ULM))
			unimpl(d, U_RFCR, "RFCR hash filtering or ULM", v);
		d->rfcr = v;
		break;
	case RFDR: write_rfdr(d, v); break;
	case BRAR: d->brar = v; break;
	case SRR: break; /* read-only */
	case MIBC: d->mibc = v & 0x3; break;
	case VRCR:
		if (v & VRCR_REJECT)
			unimpl(d, U_VRCR, "VRCR reject options", v);
		d->vrcr = v;
		break;
	case VTCR:
		if (v & VTCR_VGTI)
			unimpl(d, U_VTCR, "VTCR global tag insertion", v);
		d->vtcr = v;
		break;
	case CCSR: d->ccsr = v; break; /* CLKRUN: the bus clock never stops */
	case TBICR: d->tbicr = v; break;
	case TANAR: d->tanar = v; break;
	default:
		unimpl(d, U_WRITE, "write of an unmodelled register", off);
		break;
	}
}

/* ---- PCI ---- */

static void remap(struct dp83820 *d)
{
	if (mmio_place(&d->mmio, d->bar_base, (d->command & PCI_CMD_MEMORY) != 0))
		unimpl(d, U_BAR, "BAR 1 placed over another MMIO range", d->bar_base);
}

static void bar_moved(void *dev, unsigned bar, uint32_t base)
{
	struct dp83820 *d = dev;

	if (bar == 1) {
		d->bar_base = base;
		remap(d);
	}
}

static void command_changed(void *dev, uint16_t cmd)
{
	struct dp83820 *d = dev;

	d->command = cmd;
	remap(d);
}

int dp83820_init(struct dp83820 *d, const struct io_env *env, struct pci_host *bus,
		 const struct dp83820_config *cfg)
{
	if (!cfg->phys || !cfg->tx || !cfg->error)
		return -1;
	d->env = env;
	d->cfg = *cfg;
	d->link_up = 1;
	d->unimpl_done = d->error_done = 0;
	d->stats = (struct dp83820_stats){ 0 };
	d->bar_base = 0;
	d->command = 0;
	dev_name(d->name, sizeof(d->name), "dp83820", (uint16_t)cfg->slot);
	/* no I/O BAR: ns83820 uses only the memory window (BAR 1) */
	d->ident = (struct pci_ident){
		.vendor = 0x100b, .device = 0x0022,
		.subsys_vendor = 0x100b, .subsys_device = 0x0022,
		.class_code = 0x020000, .revision = 0, .int_pin = 1,
		.status = 0x0200, /* DEVSEL medium; no capabilities */
		.bar_size = { 0, DP83820_MMIO_SIZE },
		.bar_flags = { 0, PCI_BAR_MEM32 },
	};
	d->pci = (struct pci_function){
		.id = &d->ident, .dev = d, .bar_moved = bar_moved,
		.command_changed = command_changed, .int_line = cfg->int_line,
	};
	d->mmio = (struct mmio_range){
		.name = d->name, .len = DP83820_MMIO_SIZE, .dev = d,
		.read = reg_read, .write = reg_write,
	};
	chip_reset(d);
	if (mmio_register(&d->mmio))
		return -1;
	return pci_attach(bus, cfg->slot, &d->pci);
}
