/*
 * MMIO dispatch: a fixed table of the ranges devices registered.
 *
 * Registration happens while the machine is built; placement changes when
 * the guest programs a BAR or the PCI command register, inside a trap, so
 * it only rewrites fields of an already registered range.  Decoded ranges
 * never overlap, so at most one device claims an address.  An access must
 * lie wholly inside one range, like a port access in io.c.
 */
#include "ipvmm/core/mmio.h"

static struct mmio_range *ranges[MMIO_MAX_RANGES];
static unsigned nranges;

int mmio_register(struct mmio_range *r)
{
	if (!r || r->len == 0 || !r->read || !r->write || nranges == MMIO_MAX_RANGES)
		return -1;
	for (unsigned i = 0; i < nranges; i++)
		if (ranges[i] == r)
			return -1;
	r->base = 0;
	r->enabled = 0;
	ranges[nranges++] = r;
	return 0;
}

int mmio_place(struct mmio_range *r, uint64_t base, int enable)
{
	r->enabled = 0;
	r->base = base;
	if (!enable)
		return 0;
	if (base + r->len < base)
		return -1;
	for (unsigned i = 0; i < nranges; i++) {
		const struct mmio_range *o = ranges[i];

		if (o != r && o->enabled && base < o->base + o->len && o->base < base + r->len)
			return -1;
	}
	r->enabled = 1;
	return 0;
}

static struct mmio_range *lookup(uint64_t pa, unsigned size, uint32_t *off)
{
	if (size != 1 && size != 2 && size != 4)
		return NULL;
	for (unsigned i = 0; i < nranges; i++) {
		struct mmio_range *r = ranges[i];
		/* wraps to a huge value for addresses below the base */
		uint64_t o = pa - r->base;

		if (r->enabled && o < r->len) {
			if (o + size > r->len)
				return NULL;
			*off = (uint32_t)o;
			return r;
		}
	}
	return NULL;
}

static uint32_t size_mask(unsigned size)
{
	return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

int mmio_read(uint64_t pa, unsigned size, uint32_t *val)
{
	uint32_t off;
	struct mmio_range *r = lookup(pa, size, &off);

	if (!r)
		return -1;
	*val = r->read(r->dev, off, size) & size_mask(size);
	return 0;
}

int mmio_write(uint64_t pa, unsigned size, uint32_t val)
{
	uint32_t off;
	struct mmio_range *r = lookup(pa, size, &off);

	if (!r)
		return -1;
	r->write(r->dev, off, size, val & size_mask(size));
	return 0;
}

int mmio_claims(uint64_t pa)
{
	uint32_t off;
	return lookup(pa, 1, &off) != NULL;
}

void mmio_reset_table(void)
{
	for (unsigned i = 0; i < nranges; i++)
		ranges[i] = NULL;
	nranges = 0;
}
