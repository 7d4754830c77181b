/* ipvmm/core/mmio.c: registration, placement and dispatch. */
#include "harness.h"
#include "ipvmm/core/mmio.h"

struct mdummy {
	uint32_t last_off, last_val;
	unsigned last_size, writes;
};

static uint32_t md_read(void *dev, uint32_t off, unsigned size)
{
	struct mdummy *d = dev;

	d->last_off = off;
	d->last_size = size;
	return 0x11223344u;
}

static void md_write(void *dev, uint32_t off, unsigned size, uint32_t val)
{
	struct mdummy *d = dev;

	d->last_off = off;
	d->last_size = size;
	d->last_val = val;
	d->writes++;
}

void test_mmio(void)
{
	static struct mdummy d1, d2;
	static struct mmio_range many[MMIO_MAX_RANGES + 1];
	static struct mmio_range a = { "a", 0x1000, &d1, md_read, md_write, 0, 0 };
	static struct mmio_range b = { "b", 0x100, &d2, md_read, md_write, 0, 0 };
	static struct mmio_range empty = { "empty", 0, &d2, md_read, md_write, 0, 0 };
	uint32_t v = 0;

	fake_reset(0, 0);
	mmio_reset_table();
	CHECK_EQ(mmio_register(&a), 0);
	CHECK_EQ(mmio_register(&a), -1);
	CHECK_EQ(mmio_register(&empty), -1);
	CHECK_EQ(mmio_register(&b), 0);
	/* registered but not decoded yet */
	CHECK_EQ(mmio_read(0, 4, &v), -1);

	CHECK_EQ(mmio_place(&a, 0xfebf0000u, 1), 0);
	CHECK_EQ(mmio_read(0xfebf0010u, 4, &v), 0);
	CHECK_EQ(v, 0x11223344u);
	CHECK_EQ(d1.last_off, 0x10);
	CHECK_EQ(mmio_read(0xfebf0ffeu, 2, &v), 0);
	CHECK_EQ(v, 0x3344);
	CHECK_EQ(mmio_write(0xfebf0004u, 1, 0x1ff), 0);
	CHECK_EQ(d1.last_val, 0xff); /* masked to the access size */
	CHECK_EQ(mmio_read(0xfebf0ffeu, 4, &v), -1); /* straddles the end */
	CHECK_EQ(mmio_read(0xfebeffffu, 1, &v), -1);
	CHECK_EQ(mmio_read(0xfebf1000u, 1, &v), -1);
	CHECK_EQ(mmio_read(0xfebf0000u, 3, &v), -1);
	CHECK_EQ(mmio_write(0xfebf0000u, 8, 0), -1);

	/* overlap is refused and leaves the mover off */
	CHECK_EQ(mmio_place(&b, 0xfebf0f00u, 1), -1);
	CHECK_EQ(b.enabled, 0);
	CHECK_EQ(mmio_place(&b, 0xfebf1000u, 1), 0); /* adjacent is fine */
	CHECK_EQ(mmio_write(0xfebf1000u, 4, 7), 0);
	CHECK_EQ(d2.last_val, 7);
	CHECK_EQ(d2.last_off, 0);
	/* moving: the old place no longer answers */
	CHECK_EQ(mmio_place(&a, 0xe0000000u, 1), 0);
	CHECK_EQ(mmio_read(0xfebf0010u, 4, &v), -1);
	CHECK_EQ(mmio_read(0xe0000010u, 4, &v), 0);
	/* a disabled range overlaps nothing */
	CHECK_EQ(mmio_place(&a, 0xfebf1000u, 0), 0);
	CHECK_EQ(mmio_read(0xe0000010u, 4, &v), -1);
	CHECK_EQ(mmio_read(0xfebf1000u, 4, &v), 0);
	CHECK_EQ(d2.last_off, 0);
	/* no wrap around the top of the address space (a range may not even
	 * end exactly there: its end must be representable) */
	CHECK_EQ(mmio_place(&a, 0xfffffffffffff800ull, 1), -1);
	CHECK_EQ(mmio_place(&a, 0xfffffffffffff000ull, 1), -1);
	CHECK_EQ(mmio_place(&a, 0xffffffffffffe000ull, 1), 0);
	CHECK_EQ(mmio_read(0xffffffffffffefffull, 1, &v), 0);
	CHECK_EQ(d1.last_off, 0xfff);
	CHECK_EQ(mmio_read(0xffffffffffffeffeull, 4, &v), -1);

	/* the table is fixed-size */
	mmio_reset_table();
	CHECK_EQ(mmio_read(0xfebf1000u, 4, &v), -1);
	for (unsigned i = 0; i < MMIO_MAX_RANGES; i++) {
		many[i] = (struct mmio_range){ "m", 16, &d1, md_read, md_write, 0, 0 };
		CHECK_EQ(mmio_register(&many[i]), 0);
	}
	many[MMIO_MAX_RANGES] = (struct mmio_range){ "m", 16, &d1, md_read, md_write, 0, 0 };
	CHECK_EQ(mmio_register(&many[MMIO_MAX_RANGES]), -1);
	mmio_reset_table();
	CHECK_NO_UNIMPL();
}
