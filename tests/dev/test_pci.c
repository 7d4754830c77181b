/* pci: configuration mechanism #1 as Linux's x86 PCI code uses it. */
#include "harness.h"
#include "ipvmm/dev/pci.h"

static struct pci_host pci;

static void outl(uint16_t port, uint32_t v) { CHECK_EQ(io_out(port, 4, v), 0); }
static uint32_t inl(uint16_t port)
{
	uint32_t v = 0;

	CHECK_EQ(io_in(port, 4, &v), 0);
	return v;
}

static uint32_t cfg_addr(unsigned bus, unsigned dev, unsigned fn, unsigned reg)
{
	return 0x80000000u | bus << 16 | dev << 11 | fn << 8 | (reg & 0xfc);
}

/* arch/x86/pci/direct.c pci_conf1_read/write */
static uint32_t conf1_read(unsigned dev, unsigned reg, unsigned size)
{
	uint32_t v = 0;

	outl(0xcf8, cfg_addr(0, dev, 0, reg));
	CHECK_EQ(io_in((uint16_t)(0xcfc + (reg & 3)), size, &v), 0);
	return v;
}

static void conf1_write(unsigned dev, unsigned reg, unsigned size, uint32_t v)
{
	outl(0xcf8, cfg_addr(0, dev, 0, reg));
	CHECK_EQ(io_out((uint16_t)(0xcfc + (reg & 3)), size, v), 0);
}

/* pci_check_type1 and pci_sanity_check (no DMI: the BIOS year is 0) */
static int linux_check_type1(void)
{
	uint32_t tmp;
	int works = 0;

	outb(0xcfb, 0x01);
	tmp = inl(0xcf8);
	outl(0xcf8, 0x80000000u);
	if (inl(0xcf8) == 0x80000000u) {
		for (unsigned devfn = 0; devfn < 0x100 && !works; devfn++) {
			uint32_t x;

			outl(0xcf8, 0x80000000u | devfn << 8 | 0x08);
			x = 0;
			io_in(0xcfe, 2, &x);
			if (x == 0x0600 || x == 0x0300)
				works = 1;
			outl(0xcf8, 0x80000000u | devfn << 8);
			io_in(0xcfc, 2, &x);
			if (x == 0x8086 || x == 0x0e11)
				works = 1;
		}
	}
	outl(0xcf8, tmp);
	return works;
}

static const struct pci_ident test_id = {
	.vendor = 0x1234, .device = 0x5678, .subsys_vendor = 0xabcd, .subsys_device = 0xef01,
	.class_code = 0x020000, .revision = 0x07, .int_pin = 1, .min_gnt = 0x0b, .max_lat = 0x34,
	.status = 0x0280,
	.bar_size = { 256, 4096, 0, 0, 0, 0 },
	.bar_flags = { PCI_BAR_IO, PCI_BAR_MEM32, 0, 0, 0, 0 },
};

static struct {
	unsigned moves, cmds;
	unsigned last_bar;
	uint32_t last_base;
	uint16_t last_cmd;
} seen;

static void on_bar(void *dev, unsigned bar, uint32_t base)
{
	(void)dev;
	seen.moves++;
	seen.last_bar = bar;
	seen.last_base = base;
}

static void on_cmd(void *dev, uint16_t cmd)
{
	(void)dev;
	seen.cmds++;
	seen.last_cmd = cmd;
}

static struct pci_function fn;

static void setup(void)
{
	fake_reset(0, 0);
	CHECK_EQ(pci_host_init(&pci, &fake_env), 0);
	seen.moves = seen.cmds = 0;
}

static void test_empty(void)
{
	uint32_t v = 0;

	setup();
	outl(0xcf8, 0x8000f80cu);
	CHECK_EQ(inl(0xcf8), 0x8000f80cu);
	outl(0xcf8, 0xffffffffu);
	CHECK_EQ(inl(0xcf8), 0x80fffffcu); /* reserved and type bits read 0 */
	outb(0xcfb, 0x5a);
	CHECK_EQ(inb(0xcfb), 0x5a);
	CHECK_EQ(conf1_read(0, 0, 4), 0xffffffffu);
	CHECK_EQ(conf1_read(3, 0x3c, 1), 0xff);
	CHECK_EQ(linux_check_type1(), 0); /* no host bridge: Linux gives up */
	CHECK_EQ(io_in(0xcfe, 4, &v), -1); /* would run past 0xcff */
	CHECK_NO_UNIMPL();

	CHECK_EQ(pci_attach_host_bridge(&pci), 0);
	CHECK_EQ(pci_attach_host_bridge(&pci), -1);
	CHECK_EQ(linux_check_type1(), 1);
	CHECK_EQ(conf1_read(0, 0, 4), 0x12378086u);
	CHECK_EQ(conf1_read(0, 0x0a, 2), 0x0600);
	CHECK_EQ(conf1_read(0, 0x10, 4), 0); /* no BARs */
	conf1_write(0, 0x10, 4, 0xffffffffu);
	CHECK_EQ(conf1_read(0, 0x10, 4), 0);
	CHECK_NO_UNIMPL();
}

static void test_probe(void)
{
	setup();
	fn = (struct pci_function){ .id = &test_id, .dev = &seen, .bar_moved = on_bar,
				    .command_changed = on_cmd, .int_line = 11 };
	CHECK_EQ(pci_attach(&pci, 0, &fn), -1); /* the bridge's */
	CHECK_EQ(pci_attach(&pci, 32, &fn), -1);
	CHECK_EQ(pci_attach(&pci, 3, &fn), 0);
	CHECK_EQ(pci_attach(&pci, 3, &fn), -1);

	/* identity at every width and offset */
	CHECK_EQ(conf1_read(3, 0x00, 4), 0x56781234u);
	CHECK_EQ(conf1_read(3, 0x00, 2), 0x1234);
	CHECK_EQ(conf1_read(3, 0x02, 2), 0x5678);
	CHECK_EQ(conf1_read(3, 0x01, 1), 0x12);
	CHECK_EQ(conf1_read(3, 0x03, 1), 0x56);
	CHECK_EQ(conf1_read(3, 0x01, 2), 0x7812); /* mid-dword word */
	CHECK_EQ(conf1_read(3, 0x08, 4), 0x02000007u);
	CHECK_EQ(conf1_read(3, 0x0e, 1), 0x00); /* header type 0, single function */
	CHECK_EQ(conf1_read(3, 0x06, 2), 0x0280);
	CHECK_EQ(conf1_read(3, 0x06, 2) & 0x10, 0); /* no capability list */
	CHECK_EQ(conf1_read(3, 0x34, 1), 0);
	CHECK_EQ(conf1_read(3, 0x2c, 4), 0xef01abcdu);
	CHECK_EQ(conf1_read(3, 0x3c, 4), 0x340b010bu); /* max_lat min_gnt pin line */
	CHECK_EQ(conf1_read(3, 0x30, 4), 0); /* no expansion ROM */
	CHECK_EQ(conf1_read(3, 0x80, 4), 0);

	/* what is not there reads all ones */
	CHECK_EQ(conf1_read(4, 0, 4), 0xffffffffu);
	outl(0xcf8, cfg_addr(0, 3, 1, 0)); /* function 1 */
	CHECK_EQ(inl(0xcfc), 0xffffffffu);
	outl(0xcf8, cfg_addr(1, 3, 0, 0)); /* bus 1 */
	CHECK_EQ(inl(0xcfc), 0xffffffffu);
	outl(0xcf8, cfg_addr(0, 3, 0, 0) & ~0x80000000u); /* enable bit clear */
	CHECK_EQ(inl(0xcfc), 0xffffffffu);
	CHECK_NO_UNIMPL();
}

/* drivers/pci/probe.c __pci_read_base: decoding off, all ones, read the
 * mask, restore; then pci_enable_device sets the command bits. */
static void test_bars(void)
{
	uint16_t orig;

	setup();
	fn = (struct pci_function){ .id = &test_id, .dev = &seen, .bar_moved = on_bar,
				    .command_changed = on_cmd, .int_line = 11 };
	CHECK_EQ(pci_attach(&pci, 3, &fn), 0);
	CHECK_EQ(conf1_read(3, 0x10, 4), 0x1); /* I/O, unassigned */
	CHECK_EQ(conf1_read(3, 0x14, 4), 0x0); /* 32-bit memory, unassigned */
	orig = (uint16_t)conf1_read(3, 0x04, 2);
	CHECK_EQ(orig, 0);
	conf1_write(3, 0x10, 4, 0xffffffffu);
	CHECK_EQ(conf1_read(3, 0x10, 4), 0xffffff01u); /* 256 bytes of I/O */
	conf1_write(3, 0x10, 4, 0xc001);
	CHECK_EQ(conf1_read(3, 0x10, 4), 0xc001);
	conf1_write(3, 0x14, 4, 0xffffffffu);
	CHECK_EQ(conf1_read(3, 0x14, 4), 0xfffff000u); /* 4 KiB of memory */
	CHECK_EQ(seen.last_bar, 1);
	CHECK_EQ(seen.last_base, 0xfffff000u);
	conf1_write(3, 0x14, 4, 0xfebf1234u); /* low bits: not decoded */
	CHECK_EQ(conf1_read(3, 0x14, 4), 0xfebf1000u);
	CHECK_EQ(seen.last_base, 0xfebf1000u);
	CHECK_EQ(seen.moves, 4);
	conf1_write(3, 0x14, 4, 0xfebf1000u); /* same base: no callback */
	CHECK_EQ(seen.moves, 4);
	conf1_write(3, 0x15, 1, 0x20); /* byte lanes: bits 15:8 */
	CHECK_EQ(conf1_read(3, 0x14, 4), 0xfebf2000u);
	conf1_write(3, 0x18, 4, 0xffffffffu); /* absent BAR */
	CHECK_EQ(conf1_read(3, 0x18, 4), 0);
	CHECK_EQ(seen.moves, 5);

	/* command: only the bits this function has */
	conf1_write(3, 0x04, 2, 0xffff);
	CHECK_EQ(conf1_read(3, 0x04, 2), 0x0147);
	CHECK_EQ(seen.cmds, 1);
	CHECK_EQ(seen.last_cmd, 0x0147);
	conf1_write(3, 0x04, 4, 0xffff0006u); /* status half ignored */
	CHECK_EQ(conf1_read(3, 0x04, 4), 0x02800006u);
	CHECK_EQ(seen.last_cmd, 0x0006);
	conf1_write(3, 0x06, 2, 0xffff); /* status only: command untouched */
	CHECK_EQ(seen.cmds, 2);

	/* cache line size and latency timer are storage */
	conf1_write(3, 0x0c, 1, 0x10);
	conf1_write(3, 0x0d, 1, 0x40);
	CHECK_EQ(conf1_read(3, 0x0c, 4), 0x00004010u);
	/* identity is read-only */
	conf1_write(3, 0x00, 4, 0);
	conf1_write(3, 0x2c, 4, 0);
	CHECK_EQ(conf1_read(3, 0x00, 4), 0x56781234u);
	CHECK_EQ(conf1_read(3, 0x2c, 4), 0xef01abcdu);
	CHECK_NO_UNIMPL();
	conf1_write(3, 0x40, 4, 1);
	conf1_write(3, 0x44, 4, 1);
	CHECK_EQ(F.n_unimpl, 1);
	CHECK_EQ(unimpl_seen("device-specific"), 1);
	CHECK_EQ(F.unimpl[0].value, 3u << 16 | 0x40);
}

static void test_irq(void)
{
	static struct pci_ident bad;

	setup();
	fn = (struct pci_function){ .id = &test_id, .int_line = 11 };
	CHECK_EQ(pci_attach(&pci, 5, &fn), 0);
	CHECK_EQ(conf1_read(5, 0x3c, 1), 11);
	CHECK_EQ(conf1_read(5, 0x3d, 1), 1); /* INTA */
	pci_set_irq(&fn, 1);
	CHECK_EQ(F.irq_level[11], 1);
	pci_set_irq(&fn, 1);
	CHECK_EQ(F.irq_rises[11], 1);
	pci_set_irq(&fn, 0);
	CHECK_EQ(F.irq_level[11], 0);
	/* the register is software's note: rewriting it routes nothing */
	conf1_write(5, 0x3c, 1, 9);
	CHECK_EQ(conf1_read(5, 0x3c, 1), 9);
	CHECK_EQ(conf1_read(5, 0x3d, 1), 1);
	pci_set_irq(&fn, 1);
	CHECK_EQ(F.irq_level[11], 1);
	CHECK_EQ(F.irq_level[9], 0);
	pci_set_irq(&fn, 0);

	/* a function wired to no line raises nothing */
	{
		static struct pci_function none;

		none = (struct pci_function){ .id = &test_id, .int_line = 0xff };
		CHECK_EQ(pci_attach(&pci, 6, &none), 0);
		pci_set_irq(&none, 1);
		for (unsigned i = 0; i < 16; i++)
			CHECK_EQ(F.irq_level[i], 0);
	}

	/* malformed identities are refused */
	bad = test_id;
	bad.bar_size[1] = 3000;
	fn = (struct pci_function){ .id = &bad };
	CHECK_EQ(pci_attach(&pci, 7, &fn), -1);
	bad = test_id;
	bad.bar_size[0] = 2;
	CHECK_EQ(pci_attach(&pci, 7, &fn), -1);
	bad = test_id;
	bad.status |= 0x10;
	CHECK_EQ(pci_attach(&pci, 7, &fn), -1);
	CHECK_NO_UNIMPL();
}

void test_pci(void)
{
	test_empty();
	test_probe();
	test_bars();
	test_irq();
}
