/* dp83820: Linux 6.1 ns83820.c's probe, open, transmit and receive paths
 * played against the model, with guest RAM in a heap buffer so that
 * AddressSanitizer catches any access the DMA checks let through. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "ipvmm/core/mmio.h"
#include "ipvmm/dev/dp83820.h"
#include "ipvmm/dev/ethframe.h"

#define RAM_SIZE	(1u << 20)
#define BAR		0xfebf0000u
#define IRQ		11
#define SLOT		3
#define NR_RX		8	/* the driver has 64; fewer make "ring full" short */
#define NR_TX		16
#define RX_DESCS	0x10000u /* guest-physical addresses of the rings */
#define TX_DESCS	0x11000u
#define RX_BUFS		0x20000u
#define TX_BUFS		0x40000u
#define RX_BUF_SIZE	1514

enum {
	CR = 0x00, CFG = 0x04, PTSCR = 0x0c, ISR = 0x10, IMR = 0x14, IER = 0x18, IHR = 0x1c,
	TXDP = 0x20, TXDP_HI = 0x24, TXCFG = 0x28, RXDP = 0x30, RXDP_HI = 0x34, RXCFG = 0x38,
	PQCR = 0x3c, WCSR = 0x40, PCR = 0x44, RFCR = 0x48, RFDR = 0x4c, SRR = 0x58, VRCR = 0xbc,
	VTCR = 0xc0, CCSR = 0xcc,
};

#define OWN	0x80000000u
#define MORE	0x40000000u
#define INTR	0x20000000u
#define ERR	0x10000000u
#define OK	0x08000000u

#define ISR_PHY		0x00004000u
#define ISR_RXRCMP	0x00200000u
#define ISR_RMABT	0x00040000u
#define ISR_RXSOVR	0x00010000u
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

static const uint8_t mac[6] = { 0x02, 0x00, 0x5e, 0x10, 0x20, 0x30 };

static struct dp83820 nic;
static struct pci_host pci;
static uint8_t *ram;

static struct {
	uint8_t frame[4][DP83820_MAX_FRAME + 4];
	uint32_t len[4];
	unsigned n;		/* frames sent */
	unsigned errors;
	const char *what;
	uint64_t value;
} B;

static void *phys(void *ctx, uint64_t pa, uint32_t len)
{
	(void)ctx;
	if (pa >= RAM_SIZE || len > RAM_SIZE - pa)
		return NULL;
	return ram + pa;
}

static void tx(void *ctx, const uint8_t *f, uint32_t len)
{
	(void)ctx;
	if (len <= sizeof(B.frame[0])) {
		memcpy(B.frame[B.n % 4], f, len);
		B.len[B.n % 4] = len;
	}
	B.n++;
}

static void error(void *ctx, const char *dev, const char *what, uint64_t value)
{
	(void)ctx;
	(void)dev;
	B.errors++;
	B.what = what;
	B.value = value;
}

static uint32_t readl(uint32_t off)
{
	uint32_t v = 0;

	CHECK_EQ(mmio_read(BAR + off, 4, &v), 0);
	return v;
}

static void writel(uint32_t v, uint32_t off)
{
	CHECK_EQ(mmio_write(BAR + off, 4, v), 0);
}

static uint32_t le32(uint64_t pa) { uint32_t v; memcpy(&v, ram + pa, 4); return v; }
static void setle32(uint64_t pa, uint32_t v) { memcpy(ram + pa, &v, 4); }

static void cfgw(unsigned reg, unsigned size, uint32_t v)
{
	io_out(0xcf8, 4, 0x80000000u | SLOT << 11 | (reg & 0xfc));
	io_out((uint16_t)(0xcfc + (reg & 3)), size, v);
}

static uint32_t cfgr(unsigned reg, unsigned size)
{
	uint32_t v = 0;

	io_out(0xcf8, 4, 0x80000000u | SLOT << 11 | (reg & 0xfc));
	io_in((uint16_t)(0xcfc + (reg & 3)), size, &v);
	return v;
}

/* 32-bit descriptors (dma_addr_t of 4 bytes), 32 bytes apart as the
 * driver lays them out */
static uint64_t rxd(unsigned i) { return RX_DESCS + 32u * i; }
static uint64_t txd(unsigned i) { return TX_DESCS + 32u * i; }

static void setup(void)
{
	const struct dp83820_config c = {
		.ctx = &B, .phys = phys, .tx = tx, .error = error,
		.mac = { mac[0], mac[1], mac[2], mac[3], mac[4], mac[5] },
		.int_line = IRQ, .slot = SLOT,
	};

	fake_reset(0, 0);
	memset(&B, 0, sizeof(B));
	memset(ram, 0, RAM_SIZE);
	CHECK_EQ(pci_host_init(&pci, &fake_env), 0);
	CHECK_EQ(pci_attach_host_bridge(&pci), 0);
	CHECK_EQ(dp83820_init(&nic, &fake_env, &pci, &c), 0);
}

/* drivers/pci: probe the slot, size and place BAR 1, enable (memory
 * decoding and bus mastering: pci_enable_device, pci_set_master). */
static void linux_pci_probe(void)
{
	uint32_t v;

	CHECK_EQ(cfgr(0x00, 4), 0x0022100bu);
	CHECK_EQ(cfgr(0x0a, 2), 0x0200); /* Ethernet controller */
	CHECK_EQ(cfgr(0x0e, 1), 0);
	CHECK_EQ(cfgr(0x3d, 1), 1);
	CHECK_EQ(cfgr(0x3c, 1), IRQ);
	cfgw(0x04, 2, 0); /* decoding off while sizing */
	cfgw(0x10, 4, 0xffffffffu);
	CHECK_EQ(cfgr(0x10, 4), 0); /* no I/O BAR */
	cfgw(0x14, 4, 0xffffffffu);
	v = cfgr(0x14, 4);
	CHECK_EQ(v, 0xfffff000u); /* 4 KiB memory */
	cfgw(0x14, 4, BAR);
	CHECK_EQ(mmio_read(BAR, 4, &v), -1); /* not decoded yet */
	cfgw(0x04, 2, 0x0006);
	CHECK_EQ(cfgr(0x04, 2), 0x0006);
}

/* ns83820_run_bist */
static uint32_t run_bist(uint32_t enable, uint32_t done, uint32_t fail)
{
	uint32_t status = 0;

	writel(enable, PTSCR);
	for (int loops = 0; loops < 100; loops++) {
		status = readl(PTSCR);
		if (!(status & enable) || (status & done) || (status & fail))
			break;
	}
	CHECK(!(status & enable) || (status & done));
	return status & fail;
}

/* ns83820_init_one from the reset on; returns CFG_cache */
static uint32_t linux_init_one(uint8_t got_mac[6])
{
	uint32_t cfg;
	int loops = 0;

	writel(0, IMR);
	writel(0, IER);
	readl(IER);
	CHECK_EQ(readl(0x22c), 0x0022100bu); /* the subsystem ids, mirrored */
	writel(0x100, CR);
	while ((readl(CR) & 0x100) && loops++ < 100)
		;
	CHECK_EQ(loops, 0);
	writel(0x2000, PTSCR);
	CHECK_EQ(run_bist(0x400, 0x200, 0x1b8), 0);
	CHECK_EQ(run_bist(0x2, 0, 0x1), 0);
	run_bist(0x4, 0, 0);
	cfg = readl(CFG);
	CHECK_EQ(cfg & 0x2000, 0); /* 32-bit PCI */
	CHECK_EQ(cfg & 0x01000000, 0); /* copper, not TBI */
	cfg &= ~0x1000u;
	cfg &= 0x01000000u | 0x10000 | 0x8000 | 0x4000 | 0x1000 | 0x2 | 0x800;
	cfg |= 0x00100000u | 0x00080000u | 0x00040000u | 0x100 | 0x10 | 0x8;
	cfg |= 0x80 | 0x20 | 0x00020000u;
	writel(cfg, CFG);
	writel(0x80000000u | 0x40000000u | 0x10000000u | 0x00700000u | (1600 / 32) * 0x100, TXCFG);
	writel(0x000, IHR);
	writel(0x100, IHR);
	writel(0x000, IHR);
	writel(0x80000000u | 0x40000000u | 0x04000000u | 0x10000000u | 0x20000000u | 0x00700000u, RXCFG);
	writel(0, PQCR);
	writel(0x10 | 0x1 | 0x2, VRCR); /* IPEN VTDEN VTREN: the VLAN build */
	writel(0x8 | 0x2, VTCR);        /* PPCHK VPPTI */
	writel(0x40000000u | 0x20000000u | 0x80000000u | (1 << 21) | (3 << 21) | (1 << 23) | (3 << 23) | 0xfffe, PCR);
	writel(0, WCSR);
	for (unsigned i = 0; i < 3; i++) {
		uint32_t data;

		writel(i * 2, RFCR);
		data = readl(RFDR);
		got_mac[i * 2] = (uint8_t)data;
		got_mac[i * 2 + 1] = (uint8_t)(data >> 8);
	}
	CHECK_EQ(readl(SRR), 0x0103);
	return cfg;
}

static struct {
	unsigned next_rx, next_empty;
	unsigned tx_free, tx_done;
	uint32_t imr;
	int idle;
} drv;

static void build_rx_desc(unsigned i, uint32_t link, uint32_t buf, uint32_t cmdsts)
{
	setle32(rxd(i), link);
	setle32(rxd(i) + 4, buf);
	setle32(rxd(i) + 12, 0);
	setle32(rxd(i) + 8, cmdsts);
}

#define NR_RX_EMPTY() ((NR_RX - 2 + drv.next_rx - drv.next_empty) % NR_RX)

/* ns83820_add_rx_skb until the "last rx marker" rule stops it */
static void rx_refill(void)
{
	while (NR_RX_EMPTY() > 2) {
		unsigned i = drv.next_empty;

		drv.next_empty = (i + 1) % NR_RX;
		build_rx_desc(i, 0, RX_BUFS + 2048u * i, RX_BUF_SIZE | INTR);
		if (i != drv.next_rx)
			setle32(rxd((NR_RX + i - 1) % NR_RX), (uint32_t)rxd(i));
	}
}

static void kick_rx(void)
{
	if (drv.idle) {
		drv.idle = 0;
		writel((uint32_t)rxd(drv.next_rx), RXDP);
		writel(0x4, CR);
	}
}

/* ns83820_open: setup_rx (with phy_intr), the TX ring */
static void linux_open(void)
{
	uint32_t cfg;

	memset(&drv, 0, sizeof(drv));
	writel(0, PQCR);
	drv.idle = 1;
	for (unsigned i = 0; i < NR_RX; i++)
		build_rx_desc(i, 0, 0, OWN);
	writel(0, RXDP_HI);
	writel(RX_DESCS, RXDP);
	rx_refill();
	writel(0x0001, CCSR);
	writel(0, RFCR);
	writel(0x7fc00000u, RFCR);
	writel(0xffc00000u, RFCR);
	/* phy_intr, copper: CFG ^ SPDSTS_POLARITY */
	cfg = readl(CFG) ^ (0x40000000u | 0x20000000u | 0x10000000u);
	CHECK(cfg & 0x80000000u);          /* link up */
	CHECK_EQ((cfg / 0x20000000u) & 3, 2); /* "1000" */
	CHECK(cfg & 0x10000000u);          /* full duplex */
	drv.imr = ISR_PHY | ISR_RXRCMP | ISR_RXORN | ISR_RXSOVR | ISR_RXDESC | ISR_RXIDLE |
		  ISR_TXDESC | ISR_TXIDLE;
	writel(drv.imr, IMR);
	writel(1, IER);
	kick_rx();
	for (unsigned i = 0; i < NR_TX; i++) {
		memset(ram + txd(i), 0, 32);
		setle32(txd(i), (uint32_t)txd((i + 1) % NR_TX));
	}
	writel(0, TXDP_HI);
	writel(TX_DESCS, TXDP);
}

static void bring_up(void)
{
	uint8_t got[6];

	setup();
	linux_pci_probe();
	linux_init_one(got);
	CHECK(memcmp(got, mac, 6) == 0);
	linux_open();
}

/* ns83820_hard_start_xmit: fragments of (addr, len), INTR on the last */
static void xmit(const uint32_t *addr, const uint32_t *len, unsigned nfrag, uint32_t extsts, int intr)
{
	unsigned first = drv.tx_free, idx = first;

	for (unsigned f = 0; f < nfrag; f++) {
		uint32_t cmdsts = (f + 1 < nfrag) ? MORE : intr ? INTR : 0;

		idx = drv.tx_free;
		drv.tx_free = (idx + 1) % NR_TX;
		setle32(txd(idx), (uint32_t)txd(drv.tx_free));
		setle32(txd(idx) + 4, addr[f]);
		setle32(txd(idx) + 12, extsts);
		cmdsts |= f ? OWN : 0;
		setle32(txd(idx) + 8, cmdsts | len[f]);
	}
	setle32(txd(first) + 8, le32(txd(first) + 8) | OWN);
	writel(0x1, CR); /* kick_tx */
}

/* do_tx_done: descriptors the card handed back */
static unsigned tx_done(unsigned *oks, unsigned *errs)
{
	unsigned n = 0;
	uint32_t c;

	*oks = *errs = 0;
	while (drv.tx_done != drv.tx_free && !((c = le32(txd(drv.tx_done) + 8)) & OWN)) {
		*oks += !!(c & OK);
		*errs += !!(c & ERR);
		setle32(txd(drv.tx_done) + 8, 0);
		drv.tx_done = (drv.tx_done + 1) % NR_TX;
		n++;
	}
	return n;
}

/* rx_irq: frames the card filled; lengths into len[] */
static unsigned rx_irq(uint32_t *len, uint32_t *cmd, unsigned max)
{
	unsigned n = 0;
	uint32_t c;

	while ((OWN & (c = le32(rxd(drv.next_rx) + 8))) && c != OWN) {
		if (n < max) {
			len[n] = c & 0xffff;
			cmd[n] = c;
		}
		build_rx_desc(drv.next_rx, 0, 0, OWN);
		drv.next_rx = (drv.next_rx + 1) % NR_RX;
		n++;
	}
	return n;
}

static void test_probe(void)
{
	bring_up();
	CHECK_EQ(F.irq_level[IRQ], 0);
	CHECK_EQ(readl(ISR), 0);
	CHECK_EQ(readl(RXDP), rxd(0));
	CHECK_EQ(readl(CR), 0x4); /* receiver on, transmitter idle */
	CHECK_EQ(readl(TXDP), TX_DESCS);
	/* no I/O BAR, so the I/O enable bit sticks at 0 */
	cfgw(0x04, 2, 0x0007);
	CHECK_EQ(cfgr(0x04, 2), 0x0006);
	CHECK_EQ(B.errors, 0);
	CHECK_NO_UNIMPL();
}

static void fill(uint32_t pa, uint32_t n, uint8_t seed)
{
	for (uint32_t i = 0; i < n; i++)
		ram[pa + i] = (uint8_t)(seed + i * 7);
}

static void test_tx(void)
{
	uint32_t addr[3] = { TX_BUFS, TX_BUFS + 0x1000, TX_BUFS + 0x2003 };
	uint32_t len[3] = { 54, 1000, 17 };
	unsigned oks, errs;
	uint32_t isr;

	bring_up();
	fill(addr[0], len[0], 1);
	fill(addr[1], len[1], 50);
	fill(addr[2], len[2], 99);
	xmit(addr, len, 3, 0, 1);
	CHECK_EQ(B.n, 1);
	CHECK_EQ(B.len[0], 54 + 1000 + 17);
	CHECK(memcmp(B.frame[0], ram + addr[0], 54) == 0);
	CHECK(memcmp(B.frame[0] + 54, ram + addr[1], 1000) == 0);
	CHECK(memcmp(B.frame[0] + 1054, ram + addr[2], 17) == 0);
	/* OWN handed back everywhere, OK in the last, sizes kept */
	CHECK_EQ(le32(txd(0) + 8), MORE | 54);
	CHECK_EQ(le32(txd(1) + 8), MORE | 1000);
	CHECK_EQ(le32(txd(2) + 8), INTR | OK | 17);
	/* stopped on the next, empty descriptor: TXDP says where */
	CHECK_EQ(readl(TXDP), txd(3));
	CHECK_EQ(F.irq_level[IRQ], 1); /* TXDESC and TXIDLE are unmasked */
	isr = readl(ISR);
	CHECK_EQ(isr, ISR_TXOK | ISR_TXDESC | ISR_TXIDLE);
	CHECK_EQ(F.irq_level[IRQ], 0); /* read-to-clear */
	CHECK_EQ(readl(ISR), 0);
	CHECK_EQ(tx_done(&oks, &errs), 3);
	CHECK_EQ(oks, 1);
	CHECK_EQ(errs, 0);

	/* a small frame is padded (TXCFG.ATP); TXOK alone is masked */
	{
		uint32_t a = TX_BUFS, l = 20;

		xmit(&a, &l, 1, 0, 0);
		CHECK_EQ(B.n, 2);
		CHECK_EQ(B.len[1], 60);
		CHECK(memcmp(B.frame[1], ram + TX_BUFS, 20) == 0);
		CHECK_EQ(B.frame[1][59], 0);
		CHECK_EQ(readl(ISR), ISR_TXOK | ISR_TXIDLE);
	}
	/* the driver kicks again when TXIDLE says TXDP lags: a kick with
	 * nothing to do is harmless */
	writel(0x1, CR);
	CHECK_EQ(B.n, 2);
	CHECK_EQ(readl(ISR), ISR_TXIDLE);

	/* checksum offload and tag insertion as the VLAN build asks */
	{
		static const uint8_t hdr[42] = {
			0x02, 0, 0, 0, 0, 1, 0x02, 0x00, 0x5e, 0x10, 0x20, 0x30, 0x08, 0x00,
			0x45, 0, 0, 28, 0x12, 0x34, 0x40, 0, 64, 17, 0xde, 0xad, 10, 0, 0, 1, 10, 0, 0, 2,
			0x30, 0x39, 0x00, 0x35, 0, 8, 0xbe, 0xef,
		};
		uint32_t a = TX_BUFS, l = sizeof(hdr);
		/* IPPKT UDPPKT VPKT, VLAN id 5 stored as htons(5) */
		uint32_t ext = 0x00020000u | 0x00200000u | 0x00010000u | 0x0500;

		memcpy(ram + TX_BUFS, hdr, sizeof(hdr));
		xmit(&a, &l, 1, ext, 0);
		CHECK_EQ(B.n, 3);
		CHECK_EQ(B.len[2], 60); /* 42 + 4 of tag, padded: the minimum is the same tagged */
		CHECK_EQ(B.frame[2][12], 0x81);
		CHECK_EQ(B.frame[2][13], 0x00);
		CHECK_EQ(B.frame[2][14], 0x00);
		CHECK_EQ(B.frame[2][15], 0x05);
		CHECK_EQ(ethframe_check(B.frame[2], B.len[2]), ETHFRAME_IP | ETHFRAME_UDP);
		CHECK_EQ(ethframe_check(ram + TX_BUFS, l), ETHFRAME_IP | ETHFRAME_IP_BAD | ETHFRAME_UDP | ETHFRAME_L4_BAD);
	}
	CHECK_EQ(B.errors, 0);
	CHECK_NO_UNIMPL();
}

static void make_frame(uint8_t *f, uint32_t len, const uint8_t *dst, uint8_t seed)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, "\x02\x11\x22\x33\x44\x55", 6);
	f[12] = 0x88;
	f[13] = 0xb5;
	for (uint32_t i = 14; i < len; i++)
		f[i] = (uint8_t)(seed + i);
}

static void test_rx(void)
{
	static uint8_t f[2000];
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t other[6] = { 0x02, 0x99, 0x99, 0x99, 0x99, 0x99 };
	uint32_t len[NR_RX], cmd[NR_RX];

	bring_up();
	make_frame(f, 100, mac, 3);
	CHECK_EQ(dp83820_rx(&nic, f, 100), DP83820_RX_DELIVERED);
	CHECK_EQ(le32(rxd(0) + 8), OWN | OK | 0x00800000u | INTR | 100);
	CHECK(memcmp(ram + RX_BUFS, f, 100) == 0);
	CHECK_EQ(le32(rxd(0) + 12), 0); /* not IP, no tag */
	CHECK_EQ(readl(RXDP), rxd(1)); /* followed the link */
	CHECK_EQ(F.irq_level[IRQ], 1);
	CHECK_EQ(readl(ISR), ISR_RXOK | ISR_RXDESC);
	CHECK_EQ(F.irq_level[IRQ], 0);

	/* runt padded to 60; broadcast is DEST 11 */
	make_frame(f, 42, bcast, 5);
	CHECK_EQ(dp83820_rx(&nic, f, 42), DP83820_RX_DELIVERED);
	CHECK_EQ(le32(rxd(1) + 8) & 0xffff, 60);
	CHECK_EQ(le32(rxd(1) + 8) & 0x01800000u, 0x01800000u);
	CHECK_EQ(ram[RX_BUFS + 2048 + 59], 0);
	/* promiscuous after open (AAU), filtered once set_multicast clears it */
	make_frame(f, 64, other, 7);
	CHECK_EQ(dp83820_rx(&nic, f, 64), DP83820_RX_DELIVERED);
	writel(0xffc00000u & ~0x30000000u & ~0x80000000u, RFCR);
	writel(0xffc00000u & ~0x30000000u, RFCR);
	CHECK_EQ(dp83820_rx(&nic, f, 64), DP83820_RX_FILTERED);
	/* ... but ARP gets through (AARP) */
	f[12] = 0x08;
	f[13] = 0x06;
	CHECK_EQ(dp83820_rx(&nic, f, 64), DP83820_RX_DELIVERED);
	CHECK_EQ(rx_irq(len, cmd, NR_RX), 4);
	CHECK_EQ(len[0], 100);
	CHECK_EQ(len[1], 60);
	CHECK_EQ(len[3], 64);

	/* the 4th filled the last descriptor given (NULL link): RXIDLE, and
	 * the driver re-arms (ns83820_do_isr -> rx_kick -> kick_rx) */
	CHECK(readl(ISR) & ISR_RXIDLE);
	drv.idle = 1;
	rx_refill();
	kick_rx();
	CHECK_EQ(readl(RXDP), rxd(4));
	/* ring full: the driver gives NR_RX - 4 (its two-descriptor gap
	 * and the end marker) and does not reap */
	make_frame(f, 200, mac, 9);
	{
		unsigned delivered = 0;

		while (dp83820_rx(&nic, f, 200) == DP83820_RX_DELIVERED && delivered < 100)
			delivered++;
		CHECK_EQ(delivered, NR_RX - 4);
	}
	CHECK_EQ(nic.stats.rx_no_desc, 1);
	CHECK_EQ(dp83820_rx(&nic, f, 200), DP83820_RX_NO_DESC);
	CHECK_EQ(nic.stats.rx_no_desc, 2);
	CHECK_EQ(readl(ISR), ISR_RXOK | ISR_RXDESC | ISR_RXIDLE | ISR_RXORN);
	/* the driver's answer to RXIDLE: reap, refill, re-point RXDP, RXE */
	drv.idle = 1;
	CHECK_EQ(rx_irq(len, cmd, NR_RX), NR_RX - 4);
	rx_refill();
	kick_rx();
	CHECK_EQ(dp83820_rx(&nic, f, 200), DP83820_RX_DELIVERED);
	CHECK_EQ(rx_irq(len, cmd, NR_RX), 1);
	CHECK_EQ(len[0], 200);

	/* too long, tag stripped and checksum verdicts */
	make_frame(f, 1515, mac, 1);
	CHECK_EQ(dp83820_rx(&nic, f, 1515), DP83820_RX_TOO_LONG);
	{
		static const uint8_t udp[46] = {
			0x02, 0x00, 0x5e, 0x10, 0x20, 0x30, 0x02, 0, 0, 0, 0, 1, 0x81, 0x00, 0x20, 0x07,
			0x08, 0x00, 0x45, 0, 0, 28, 0x12, 0x34, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 2,
			10, 0, 0, 1, 0x00, 0x35, 0x30, 0x39, 0, 8, 0, 0,
		};
		uint32_t e;
		unsigned slot = drv.next_rx;

		memcpy(f, udp, sizeof(udp));
		ethframe_fill(f + 4, sizeof(udp) - 4, ETHFRAME_IP); /* header checksum, tag aside */
		memmove(f + 16, f + 16, 0);
		{
			uint8_t plain[42];

			memcpy(plain, f, 12);
			memcpy(plain + 12, f + 16, 30);
			ethframe_fill(plain, 42, ETHFRAME_IP | ETHFRAME_UDP);
			memcpy(f + 16, plain + 12, 30);
		}
		CHECK_EQ(dp83820_rx(&nic, f, sizeof(udp)), DP83820_RX_DELIVERED);
		e = le32(rxd(slot) + 12);
		CHECK_EQ(e, 0x00020000u | 0x00200000u | 0x00010000u | 0x0720); /* htons(0x2007) */
		CHECK_EQ(le32(rxd(slot) + 8) & 0xffff, 60);
		CHECK_EQ(ram[RX_BUFS + 2048u * slot + 12], 0x08); /* tag gone */
		/* the driver's CHECKSUM_UNNECESSARY test */
		CHECK((e & 0x002a0000u) && !(e & 0x00540000u));
		f[sizeof(udp) - 1] ^= 1; /* corrupt the UDP checksum */
		CHECK_EQ(dp83820_rx(&nic, f, sizeof(udp)), DP83820_RX_DELIVERED);
		e = le32(rxd((slot + 1) % NR_RX) + 12);
		CHECK(e & 0x00400000u); /* UDPERR */
	}
	CHECK_EQ(nic.stats.rx_too_long, 1);
	CHECK_EQ(B.errors, 0);
	CHECK_NO_UNIMPL();
}

/* A host side that holds frames asks first: no drop, no RXORN, one
 * RXIDLE per wait, room again once the driver refills and kicks. */
static void test_rx_room(void)
{
	static uint8_t f[200];
	uint32_t len[NR_RX], cmd[NR_RX];
	unsigned delivered = 0;

	bring_up();
	make_frame(f, 200, mac, 11);
	while (dp83820_rx_room(&nic) && delivered < 100) {
		CHECK_EQ(dp83820_rx(&nic, f, 200), DP83820_RX_DELIVERED);
		delivered++;
	}
	CHECK(delivered > 0 && delivered < 100);
	CHECK_EQ(nic.stats.rx_no_desc, 0);
	CHECK_EQ(readl(ISR) & (ISR_RXIDLE | ISR_RXORN), ISR_RXIDLE);
	CHECK_EQ(dp83820_rx_room(&nic), 0);
	CHECK_EQ(readl(ISR) & ISR_RXIDLE, 0); /* raised once per wait */
	/* a kick before the driver reaped: still no room, and the receiver
	 * idles (and says so) again, or the driver would wait forever */
	writel(0x00000004u, CR); /* RXE */
	CHECK_EQ(dp83820_rx_room(&nic), 0);
	CHECK_EQ(readl(ISR) & ISR_RXIDLE, ISR_RXIDLE);
	drv.idle = 1;
	CHECK_EQ(rx_irq(len, cmd, NR_RX), delivered);
	rx_refill();
	kick_rx();
	CHECK_EQ(dp83820_rx_room(&nic), 1);
	CHECK_EQ(dp83820_rx(&nic, f, 200), DP83820_RX_DELIVERED);
	/* a receiver that is off: room, so that dp83820_rx refuses and counts */
	writel(0x00000008u, CR); /* RXD */
	CHECK_EQ(dp83820_rx_room(&nic), 1);
	CHECK_EQ(dp83820_rx(&nic, f, 200), DP83820_RX_DISABLED);
}

static void test_link(void)
{
	static uint8_t f[64];

	bring_up();
	dp83820_set_link(&nic, 0);
	CHECK_EQ(F.irq_level[IRQ], 1);
	CHECK_EQ(readl(ISR), ISR_PHY);
	CHECK_EQ(readl(CFG) & 0x80000000u, 0);
	make_frame(f, 64, mac, 1);
	CHECK_EQ(dp83820_rx(&nic, f, 64), DP83820_RX_DISABLED);
	dp83820_set_link(&nic, 0);
	CHECK_EQ(readl(ISR), 0); /* no change, no interrupt */
	dp83820_set_link(&nic, 1);
	CHECK_EQ(readl(ISR), ISR_PHY);
	CHECK(readl(CFG) & 0x80000000u);
	CHECK_EQ(dp83820_rx(&nic, f, 64), DP83820_RX_DELIVERED);
	/* receiver off: nothing arrives, and nothing counts as an overrun */
	writel(0x8, CR);
	CHECK_EQ(dp83820_rx(&nic, f, 64), DP83820_RX_DISABLED);
	CHECK_EQ(nic.stats.rx_no_desc, 0);
	CHECK_EQ(dp83820_rx(&nic, f, 10), DP83820_RX_DISABLED);
	writel(0x4, CR);
	CHECK_EQ(dp83820_rx(&nic, f, 10), DP83820_RX_RUNT);
	CHECK_NO_UNIMPL();
}

/* Guest errors: error status to the guest, one report each, no access
 * outside the RAM buffer (ASan). */
static void test_bad(void)
{
	static uint8_t f[100];
	uint32_t a, l;
	unsigned oks, errs;

	/* TX buffer outside RAM, and straddling its end */
	bring_up();
	a = RAM_SIZE - 10;
	l = 100;
	xmit(&a, &l, 1, 0, 1);
	CHECK_EQ(B.n, 0);
	CHECK_EQ(B.errors, 1);
	CHECK(strstr(B.what, "transmit buffer outside RAM") != NULL);
	CHECK_EQ(B.value, RAM_SIZE - 10);
	CHECK_EQ(le32(txd(0) + 8) & (OWN | OK | ERR), ERR);
	CHECK_EQ(readl(ISR), ISR_TXERR | ISR_TXDESC | ISR_TXIDLE);
	CHECK_EQ(tx_done(&oks, &errs), 1);
	CHECK_EQ(errs, 1);
	a = 0xfffffff0u;
	xmit(&a, &l, 1, 0, 0);
	CHECK_EQ(B.errors, 1); /* reported once */
	CHECK_EQ(nic.stats.tx_errors, 2);
	/* and the ring goes on */
	a = TX_BUFS;
	xmit(&a, &l, 1, 0, 0);
	CHECK_EQ(B.n, 1);

	/* TX descriptor outside RAM: master abort, transmitter off */
	writel(RAM_SIZE - 8, TXDP);
	writel(0x1, CR);
	CHECK_EQ(B.errors, 2);
	CHECK(strstr(B.what, "transmit descriptor outside RAM") != NULL);
	CHECK(readl(ISR) & ISR_RMABT);
	CHECK_EQ(readl(CR) & 1, 0);

	/* RX buffer outside RAM: the descriptor comes back without OK */
	bring_up();
	setle32(rxd(0) + 4, RAM_SIZE - 50);
	make_frame(f, 100, mac, 1);
	CHECK_EQ(dp83820_rx(&nic, f, 100), DP83820_RX_ERROR);
	CHECK_EQ(le32(rxd(0) + 8) & (OWN | OK), OWN);
	CHECK(strstr(B.what, "receive buffer outside RAM") != NULL);
	CHECK(readl(ISR) & ISR_RXERR);
	CHECK_EQ(dp83820_rx(&nic, f, 100), DP83820_RX_DELIVERED); /* the next one works */
	/* buffer smaller than the frame */
	setle32(rxd(2) + 8, 50 | INTR);
	CHECK_EQ(dp83820_rx(&nic, f, 100), DP83820_RX_ERROR);
	CHECK_EQ(le32(rxd(2) + 8) & (OWN | OK), OWN);
	CHECK_EQ(B.errors, 2);
	/* RX descriptor outside RAM */
	writel(0xfff00000u, RXDP);
	CHECK_EQ(dp83820_rx(&nic, f, 100), DP83820_RX_ERROR);
	CHECK_EQ(B.errors, 3);
	CHECK(readl(ISR) & ISR_RMABT);
	CHECK_EQ(readl(CR) & 4, 0);
	CHECK_EQ(dp83820_rx(&nic, f, 100), DP83820_RX_DISABLED);

	/* DMA with bus mastering off does nothing */
	bring_up();
	cfgw(0x04, 2, 0x0002);
	a = TX_BUFS;
	l = 60;
	xmit(&a, &l, 1, 0, 0);
	CHECK_EQ(B.n, 0);
	CHECK_EQ(le32(txd(0) + 8) & OWN, OWN);
	CHECK_EQ(dp83820_rx(&nic, f, 100), DP83820_RX_DISABLED);
	CHECK_EQ(B.errors, 1);
	CHECK_NO_UNIMPL();
}

static void test_rings(void)
{
	uint32_t a[2] = { TX_BUFS, TX_BUFS }, l[2] = { 60, 60 };
	unsigned kicks = 0;

	/* a ring of one descriptor, linked to itself, with nothing to do */
	bring_up();
	setle32(txd(0), (uint32_t)txd(0));
	writel(0x1, CR);
	CHECK_EQ(readl(ISR), ISR_TXIDLE);
	CHECK_EQ(B.n, 0);
	/* ... with one frame: sent once, then idle on itself */
	setle32(txd(0) + 4, TX_BUFS);
	setle32(txd(0) + 8, OWN | 60);
	writel(0x1, CR);
	CHECK_EQ(B.n, 1);
	CHECK_EQ(readl(TXDP), txd(0));
	/* a MORE chain linked to itself ends in a descriptor we handed back */
	setle32(txd(0) + 8, OWN | MORE | 60);
	writel(0x1, CR);
	CHECK_EQ(B.n, 1);
	CHECK_EQ(readl(ISR) & (ISR_TXURN | ISR_TXERR), ISR_TXURN | ISR_TXERR);
	CHECK_EQ(B.errors, 1);
	/* a MORE chain ending in a NULL link */
	bring_up();
	xmit(a, l, 2, 0, 0);
	CHECK_EQ(B.n, 1);
	setle32(txd(2), 0);
	setle32(txd(2) + 4, TX_BUFS);
	setle32(txd(2) + 8, OWN | MORE | 60);
	writel(0x1, CR);
	CHECK_EQ(B.n, 1);
	CHECK(strstr(B.what, "NULL link") != NULL);

	/* a long chain of owned frames: bounded work per kick, all sent in
	 * the end because each limited kick raises TXIDLE */
	bring_up();
	for (unsigned i = 0; i < 2000; i++) {
		uint64_t d = 0x80000u + 16u * i;

		setle32(d, (uint32_t)(i + 1 < 2000 ? d + 16 : 0));
		setle32(d + 4, TX_BUFS);
		setle32(d + 8, OWN | 60);
	}
	writel(0x80000u, TXDP);
	do {
		unsigned before = B.n;

		writel(0x1, CR);
		CHECK(B.n - before <= DP83820_WALK_LIMIT / 2);
		kicks++;
	} while ((readl(ISR) & ISR_TXIDLE) && B.n < 2000 && kicks < 10);
	CHECK_EQ(B.n, 2000);
	CHECK(kicks > 1);
	CHECK(strstr(B.what, "walk limit") != NULL);

	/* oversized and empty frames */
	bring_up();
	{
		uint32_t aa[3] = { TX_BUFS, TX_BUFS, TX_BUFS }, ll[3] = { 0xffff, 0xffff, 10 };
		unsigned oks, errs;

		xmit(aa, ll, 3, 0, 0);
		CHECK_EQ(B.n, 0);
		CHECK(strstr(B.what, "longer than the FIFO") != NULL);
		CHECK_EQ(tx_done(&oks, &errs), 3);
		CHECK_EQ(errs, 1);
		ll[0] = 0;
		xmit(aa, ll, 1, 0, 0);
		CHECK_EQ(B.n, 0);
		CHECK(strstr(B.what, "length 0") != NULL);
		CHECK_EQ(readl(ISR) & ISR_TXERR, ISR_TXERR);
	}
	CHECK_NO_UNIMPL();
}

static void test_m64(void)
{
	uint32_t v;

	/* 64-bit descriptors: link and bufptr are 8 bytes, cmdsts at 16 */
	bring_up();
	writel(readl(CFG) | 0x800, CFG);
	setle32(txd(0), (uint32_t)txd(1));
	setle32(txd(0) + 4, 0);
	setle32(txd(0) + 8, TX_BUFS);
	setle32(txd(0) + 12, 0);
	setle32(txd(0) + 16, OWN | 70);
	memset(ram + txd(1), 0, 32);
	writel(0, TXDP_HI);
	writel(TX_DESCS, TXDP);
	writel(0x1, CR);
	CHECK_EQ(B.n, 1);
	CHECK_EQ(B.len[0], 70);
	CHECK_EQ(le32(txd(0) + 16), OK | 70);
	CHECK_EQ(readl(TXDP), txd(1));
	/* a buffer above 4 GiB is outside this RAM */
	setle32(txd(1), (uint32_t)txd(2));
	setle32(txd(1) + 8, TX_BUFS);
	setle32(txd(1) + 12, 1);
	setle32(txd(1) + 16, OWN | 70);
	writel(0x1, CR);
	CHECK_EQ(B.n, 1);
	CHECK_EQ(B.value, 0x100000000ull + TX_BUFS);
	/* TXDP_HI counts in 64-bit mode */
	writel(1, TXDP_HI);
	writel(0x1, CR);
	CHECK(strstr(B.what, "descriptor outside RAM") != NULL);
	CHECK_EQ(B.value, 0x100000000ull + txd(2));

	/* unimplemented, each reported once with its value */
	CHECK_NO_UNIMPL();
	writel(0x00200000u, RFCR);
	writel(0x00200000u, RFCR);
	CHECK_EQ(F.n_unimpl, 1);
	CHECK_EQ(unimpl_seen("hash"), 1);
	CHECK_EQ(F.unimpl[0].value, 0x00200000u);
	CHECK_EQ(mmio_read(BAR + 2, 2, &v), 0);
	CHECK_EQ(v, 0xffff);
	CHECK_EQ(unimpl_seen("aligned dword"), 1);
	CHECK_EQ(mmio_read(BAR + 0x100, 4, &v), 0);
	CHECK_EQ(unimpl_seen("unmodelled register"), 1);
	CHECK_EQ(F.unimpl[F.n_unimpl - 1].value, 0x100);
	writel(1, WCSR);
	CHECK_EQ(unimpl_seen("wake-on-LAN"), 1);
	writel(1, CFG);
	CHECK_EQ(unimpl_seen("big-endian"), 1);
	CHECK(strcmp(F.unimpl[0].dev, "dp83820@3") == 0);
	/* decoding off: the registers vanish from the bus */
	cfgw(0x04, 2, 0x0004);
	CHECK_EQ(mmio_read(BAR, 4, &v), -1);
	/* moved while on */
	cfgw(0x04, 2, 0x0006);
	cfgw(0x14, 4, 0xe0000000u);
	CHECK_EQ(mmio_read(BAR, 4, &v), -1);
	CHECK_EQ(mmio_read(0xe0000058u, 4, &v), 0);
	CHECK_EQ(v, 0x0103);
}

void test_dp83820(void)
{
	ram = malloc(RAM_SIZE);
	CHECK(ram != NULL);
	if (!ram)
		return;
	test_probe();
	test_tx();
	test_rx();
	test_rx_room();
	test_link();
	test_bad();
	test_rings();
	test_m64();
	free(ram);
	ram = NULL;
	mmio_reset_table();
}
