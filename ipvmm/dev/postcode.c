#include "postcode.h"

static uint32_t post_read(void *dev, uint16_t port, unsigned size)
{
	(void)port, (void)size;
	return ((struct postcode *)dev)->last;
}

static void post_write(void *dev, uint16_t port, unsigned size, uint32_t val)
{
	(void)port, (void)size;
	((struct postcode *)dev)->last = (uint8_t)val;
}

int postcode_init(struct postcode *p)
{
	p->last = 0;
	p->ports = (struct io_ports){"post@80", 0x80, 1, p, post_read, post_write};
	return io_register(&p->ports);
}
