#include "pci.h"

static uint32_t pci_read(void *dev, uint16_t port, unsigned size)
{
	struct pci_host *p = dev;
	if (port == 0xcf8 && size == 4)
		return p->address;
	if (port == 0xcfb && size == 1)
		return p->cfb;
	if (port >= 0xcf8 && port < 0xcfc) /* other sizes of the address register */
		return (p->address >> (8 * (port - 0xcf8))) & (size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1);
	return 0xffffffffu; /* data port: no device answers */
}

static void pci_write(void *dev, uint16_t port, unsigned size, uint32_t val)
{
	struct pci_host *p = dev;
	if (port == 0xcf8 && size == 4)
		p->address = val & 0x80fffffcu;
	else if (port == 0xcfb && size == 1)
		p->cfb = (uint8_t)val;
	/* writes to an absent device's configuration space go nowhere */
}

int pci_host_init(struct pci_host *p, const struct io_env *env)
{
	p->env = env;
	p->address = 0;
	p->cfb = 0;
	p->ports = (struct io_ports){"pci@cf8", 0xcf8, 8, p, pci_read, pci_write};
	return io_register(&p->ports);
}
