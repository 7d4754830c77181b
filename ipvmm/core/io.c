/*
 * Port I/O dispatch: a fixed table of the ranges devices registered.
 *
 * Registration happens while the machine is built, before the guest runs;
 * lookups run in the VMM's trap handlers and only read the table.  Ranges
 * never overlap, so at most one device claims a port.  An access must lie
 * wholly inside one range: a 4-byte access at a range's last port would
 * touch ports the device does not own, so it is left unclaimed and the
 * caller reports it like any other unclaimed port.
 */
#include "ipvmm/core/io.h"

static const struct io_ports *ranges[IO_MAX_RANGES];
static unsigned nranges;

static int overlaps(const struct io_ports *a, const struct io_ports *b)
{
	uint32_t a_end = (uint32_t)a->base + a->count;
	uint32_t b_end = (uint32_t)b->base + b->count;

	return a->base < b_end && b->base < a_end;
}

int io_register(const struct io_ports *r)
{
	if (!r || r->count == 0 || (uint32_t)r->base + r->count > 0x10000u ||
	    !r->read || !r->write || nranges == IO_MAX_RANGES)
		return -1;
	for (unsigned i = 0; i < nranges; i++)
		if (overlaps(ranges[i], r))
			return -1;
	ranges[nranges++] = r;
	return 0;
}

static const struct io_ports *lookup(uint16_t port, unsigned size)
{
	if (size != 1 && size != 2 && size != 4)
		return NULL;
	for (unsigned i = 0; i < nranges; i++) {
		const struct io_ports *r = ranges[i];
		uint32_t off = (uint32_t)port - r->base;

		/* off wraps to a huge value for ports below the base */
		if (off < r->count)
			return off + size <= r->count ? r : NULL;
	}
	return NULL;
}

static uint32_t size_mask(unsigned size)
{
	return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

int io_in(uint16_t port, unsigned size, uint32_t *val)
{
	const struct io_ports *r = lookup(port, size);

	if (!r)
		return -1;
	*val = r->read(r->dev, port, size) & size_mask(size);
	return 0;
}

int io_out(uint16_t port, unsigned size, uint32_t val)
{
	const struct io_ports *r = lookup(port, size);

	if (!r)
		return -1;
	r->write(r->dev, port, size, val & size_mask(size));
	return 0;
}

void io_reset_table(void)
{
	for (unsigned i = 0; i < nranges; i++)
		ranges[i] = NULL;
	nranges = 0;
}
