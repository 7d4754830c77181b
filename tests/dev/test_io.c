/* ipvmm/core/io.c: registration rules and dispatch. */
#include "harness.h"

struct dummy {
	uint16_t last_port;
	unsigned last_size;
	uint32_t last_val;
};

static uint32_t dummy_read(void *dev, uint16_t port, unsigned size)
{
	struct dummy *d = dev;

	d->last_port = port;
	d->last_size = size;
	return 0xa5a5a5a5u;
}

static void dummy_write(void *dev, uint16_t port, unsigned size, uint32_t val)
{
	struct dummy *d = dev;

	d->last_port = port;
	d->last_size = size;
	d->last_val = val;
}

void test_io(void)
{
	static struct dummy d1, d2;
	static struct io_ports many[IO_MAX_RANGES];
	struct io_ports a = { "a", 0x100, 8, &d1, dummy_read, dummy_write };
	struct io_ports b = { "b", 0x108, 4, &d2, dummy_read, dummy_write };
	struct io_ports over = { "over", 0x107, 2, &d2, dummy_read, dummy_write };
	struct io_ports inside = { "inside", 0x102, 1, &d2, dummy_read, dummy_write };
	struct io_ports empty = { "empty", 0x200, 0, &d2, dummy_read, dummy_write };
	struct io_ports wrap = { "wrap", 0xfffe, 4, &d2, dummy_read, dummy_write };
	struct io_ports top = { "top", 0xfffc, 4, &d2, dummy_read, dummy_write };
	uint32_t v = 0;

	fake_reset(0, 0);
	CHECK_EQ(io_register(&a), 0);
	CHECK_EQ(io_register(&b), 0); /* adjacent is fine */
	CHECK_EQ(io_register(&over), -1);
	CHECK_EQ(io_register(&inside), -1);
	CHECK_EQ(io_register(&a), -1);
	CHECK_EQ(io_register(&empty), -1);
	CHECK_EQ(io_register(&wrap), -1);
	CHECK_EQ(io_register(&top), 0);

	CHECK_EQ(io_in(0x103, 1, &v), 0);
	CHECK_EQ(v, 0xa5);
	CHECK_EQ(d1.last_port, 0x103);
	CHECK_EQ(io_in(0x104, 2, &v), 0);
	CHECK_EQ(v, 0xa5a5);
	CHECK_EQ(io_in(0x104, 4, &v), 0);
	CHECK_EQ(v, 0xa5a5a5a5u);
	CHECK_EQ(io_out(0x109, 2, 0x12345678), 0);
	CHECK_EQ(d2.last_val, 0x5678); /* masked to the access size */
	CHECK_EQ(d2.last_size, 2);
	CHECK_EQ(io_out(0xffff, 1, 1), 0);

	/* unclaimed, straddling and malformed accesses */
	CHECK_EQ(io_in(0xff, 1, &v), -1);
	CHECK_EQ(io_in(0x10c, 1, &v), -1);
	CHECK_EQ(io_out(0x80, 1, 0), -1);
	CHECK_EQ(io_in(0x106, 4, &v), -1); /* 0x106-0x109 spans a and b */
	CHECK_EQ(io_in(0x10b, 2, &v), -1);
	CHECK_EQ(io_in(0xfffe, 4, &v), -1);
	CHECK_EQ(io_in(0x100, 3, &v), -1);
	CHECK_EQ(io_out(0x100, 0, 0), -1);

	io_reset_table();
	CHECK_EQ(io_in(0x100, 1, &v), -1);

	/* the table is fixed-size */
	for (unsigned i = 0; i < IO_MAX_RANGES; i++) {
		many[i] = (struct io_ports){ "m", (uint16_t)(0x1000 + 4 * i), 4, &d1, dummy_read, dummy_write };
		CHECK_EQ(io_register(&many[i]), 0);
	}
	CHECK_EQ(io_register(&a), -1);
	io_reset_table();
	CHECK_EQ(io_register(&a), 0);
	io_reset_table();
}
