/*
 * PCI configuration mechanism #1 and the type-0 header of each function.
 * Field layout and BAR sizing follow the PCI Local Bus Specification 2.2
 * (chapter 6); what Linux's PCI core does with them (probe, BAR sizing
 * with decoding off, enable) decides which fields are writable.
 */
#include "ipvmm/dev/pci.h"
#include "ipvmm/dev/dev.h"

#define ADDR_ENABLE	0x80000000u

enum { U_DEVSPECIFIC_WRITE };

/* The host bridge is a label for Linux's sanity check: nothing behind it
 * is modelled, so it has no BARs and no interrupt. */
static const struct pci_ident host_bridge_id = {
	.vendor = 0x8086, .device = 0x1237, /* 82441FX (440FX) */
	.class_code = 0x060000, .revision = 0x02,
	.status = 0x0280, /* fast back-to-back, DEVSEL medium */
};

static uint32_t size_mask(unsigned size)
{
	return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

/* Address bits a BAR keeps: the base, aligned to its size. */
static uint32_t bar_addr_mask(const struct pci_ident *id, unsigned i)
{
	return ~(id->bar_size[i] - 1) & ((id->bar_flags[i] & PCI_BAR_IO) ? ~3u : ~15u);
}

static uint16_t cmd_writable(const struct pci_ident *id)
{
	uint16_t m = PCI_CMD_MASTER | 0x0040 /* parity */ | 0x0100 /* SERR# */;

	for (unsigned i = 0; i < PCI_BARS; i++)
		if (id->bar_size[i])
			m |= (id->bar_flags[i] & PCI_BAR_IO) ? PCI_CMD_IO : PCI_CMD_MEMORY;
	return m;
}

static uint32_t read_dword(const struct pci_function *fn, unsigned reg)
{
	const struct pci_ident *id = fn->id;

	switch (reg) {
	case 0x00:
		return (uint32_t)id->device << 16 | id->vendor;
	case 0x04:
		return (uint32_t)id->status << 16 | fn->command;
	case 0x08:
		return id->class_code << 8 | id->revision;
	case 0x0c: /* BIST 0, header type 0 (single function) */
		return (uint32_t)fn->latency << 8 | fn->cache_line;
	case 0x10: case 0x14: case 0x18: case 0x1c: case 0x20: case 0x24:
		return fn->bar[(reg - 0x10) / 4];
	case 0x2c:
		return (uint32_t)id->subsys_device << 16 | id->subsys_vendor;
	case 0x3c:
		return (uint32_t)id->max_lat << 24 | (uint32_t)id->min_gnt << 16 |
		       (uint32_t)id->int_pin << 8 | fn->int_line_reg;
	default:
		/* CardBus CIS, expansion ROM (none), capabilities pointer (none),
		 * reserved and device-specific registers */
		return 0;
	}
}

uint32_t pci_config_read(const struct pci_function *fn, unsigned off, unsigned size)
{
	return (read_dword(fn, off & 0xfc) >> (8 * (off & 3))) & size_mask(size);
}

static void write_bar(struct pci_function *fn, unsigned i, uint32_t merged)
{
	const struct pci_ident *id = fn->id;
	uint32_t old = fn->bar[i];

	if (!id->bar_size[i])
		return; /* unimplemented BARs are hardwired to 0 */
	fn->bar[i] = (merged & bar_addr_mask(id, i)) | id->bar_flags[i];
	if (fn->bar[i] != old && fn->bar_moved)
		fn->bar_moved(fn->dev, i, fn->bar[i] & bar_addr_mask(id, i));
}

void pci_config_write(struct pci_function *fn, unsigned off, unsigned size, uint32_t val)
{
	unsigned reg = off & 0xfc, shift = 8 * (off & 3);
	uint32_t lanes = size_mask(size) << shift;
	uint32_t merged = (read_dword(fn, reg) & ~lanes) | ((val << shift) & lanes);

	switch (reg) {
	case 0x04:
		/* the status half: its error bits are write-1-to-clear and
		 * this model never sets them */
		if (lanes & 0xffff) {
			uint16_t cmd = (uint16_t)(merged & cmd_writable(fn->id));

			if (cmd != fn->command) {
				fn->command = cmd;
				if (fn->command_changed)
					fn->command_changed(fn->dev, cmd);
			}
		}
		break;
	case 0x0c:
		/* the cache line size register holds 0 or a power of two; any
		 * value reads back here, which Linux never tests */
		fn->cache_line = (uint8_t)merged;
		fn->latency = (uint8_t)(merged >> 8);
		break;
	case 0x10: case 0x14: case 0x18: case 0x1c: case 0x20: case 0x24:
		write_bar(fn, (reg - 0x10) / 4, merged);
		break;
	case 0x3c:
		fn->int_line_reg = (uint8_t)merged;
		break;
	default:
		if (reg >= 0x40 && fn->host)
			dev_unimplemented(fn->host->env, &fn->host->unimpl_done, U_DEVSPECIFIC_WRITE,
					  "pci@cf8", "write to device-specific configuration register",
					  (uint32_t)fn->slot << 16 | reg);
		/* the rest of the header is read-only */
		break;
	}
}

void pci_set_irq(struct pci_function *fn, int level)
{
	level = !!level;
	if (level == fn->irq_level)
		return;
	fn->irq_level = level;
	if (fn->int_line < 16 && fn->host)
		fn->host->env->set_irq(fn->host->env->ctx, fn->int_line, level);
}

/* The function the address register selects, or NULL (reads all ones). */
static struct pci_function *selected(const struct pci_host *p)
{
	uint32_t a = p->address;

	if (!(a & ADDR_ENABLE) || (a >> 16 & 0xff) != 0 || (a >> 8 & 7) != 0)
		return NULL;
	return p->slot[a >> 11 & 0x1f];
}

static uint32_t pci_read(void *dev, uint16_t port, unsigned size)
{
	struct pci_host *p = dev;
	const struct pci_function *fn;

	if (port == 0xcf8 && size == 4)
		return p->address;
	if (port == 0xcfb && size == 1)
		return p->cfb;
	if (port >= 0xcf8 && port < 0xcfc) /* other sizes of the address register */
		return (p->address >> (8 * (port - 0xcf8))) & size_mask(size);
	/* data port: io.c keeps an access inside 0xcfc-0xcff, so it never
	 * crosses the dword */
	fn = selected(p);
	if (!fn)
		return 0xffffffffu; /* no device answers */
	return pci_config_read(fn, (p->address & 0xfc) + (port - 0xcfc), size);
}

static void pci_write(void *dev, uint16_t port, unsigned size, uint32_t val)
{
	struct pci_host *p = dev;
	struct pci_function *fn;

	if (port == 0xcf8 && size == 4) {
		p->address = val & 0x80fffffcu;
		return;
	}
	if (port == 0xcfb && size == 1) {
		p->cfb = (uint8_t)val;
		return;
	}
	if (port < 0xcfc)
		return; /* partial writes of the address register are ignored */
	fn = selected(p);
	if (fn) /* writes to an absent device's configuration space go nowhere */
		pci_config_write(fn, (p->address & 0xfc) + (port - 0xcfc), size, val);
}

int pci_host_init(struct pci_host *p, const struct io_env *env)
{
	*p = (struct pci_host){ .env = env };
	p->ports = (struct io_ports){"pci@cf8", 0xcf8, 8, p, pci_read, pci_write};
	return io_register(&p->ports);
}

static int ident_ok(const struct pci_ident *id)
{
	if (id->status & 0x0010)
		return 0;
	for (unsigned i = 0; i < PCI_BARS; i++) {
		uint32_t s = id->bar_size[i];

		if (!s)
			continue;
		if ((s & (s - 1)) || s < ((id->bar_flags[i] & PCI_BAR_IO) ? 4u : 16u) ||
		    (id->bar_flags[i] & ~(PCI_BAR_IO | PCI_BAR_PREFETCH)) ||
		    (id->bar_flags[i] == (PCI_BAR_IO | PCI_BAR_PREFETCH)))
			return 0;
	}
	return 1;
}

static int attach(struct pci_host *p, unsigned slot, struct pci_function *fn)
{
	if (slot >= PCI_SLOTS || p->slot[slot] || !fn || !fn->id || !ident_ok(fn->id))
		return -1;
	fn->host = p;
	fn->slot = slot;
	fn->command = 0;
	fn->cache_line = fn->latency = 0;
	fn->int_line_reg = fn->int_line;
	fn->irq_level = 0;
	for (unsigned i = 0; i < PCI_BARS; i++)
		fn->bar[i] = fn->id->bar_size[i] ? fn->id->bar_flags[i] : 0;
	p->slot[slot] = fn;
	return 0;
}

int pci_attach(struct pci_host *p, unsigned slot, struct pci_function *fn)
{
	return slot == 0 ? -1 : attach(p, slot, fn);
}

int pci_attach_host_bridge(struct pci_host *p)
{
	p->bridge = (struct pci_function){ .id = &host_bridge_id, .int_line = 0xff };
	return attach(p, 0, &p->bridge);
}
