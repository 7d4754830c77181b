/* The emulator's moves against device registers (what a MEM site or a
 * trapped access to a memory BAR becomes): loads and stores of 1, 2 and 4
 * bytes, zero and sign extension, immediates, the registers' untouched
 * parts, and the errors -- an address outside RAM where no device decodes,
 * an access straddling a range's end.  Paging off: linear = physical.
 * Built with ASan/UBSan; prints "mmio_emulate_test: N passed, N failed". */
#include <stdio.h>
#include <string.h>

#include "ipvmm/core/mmio.h"
#include "ipvmm/core/vcpu.h"
#include "x86/decode.h"

#define RAM_SIZE 0x10000u
#define DEV_BASE 0x100000u

static uint8_t ram[RAM_SIZE];
static unsigned passed, failed;
static struct {
	unsigned reads, writes, last_off, last_size;
	uint32_t last_val, reg[64];
} dev;

#define CHECK(e)                                                                      \
	do {                                                                          \
		if (e)                                                                \
			passed++;                                                     \
		else {                                                                \
			failed++;                                                     \
			printf("  FAIL %s:%d: %s\n", __FILE__, __LINE__, #e);         \
		}                                                                     \
	} while (0)

static void *phys(void *ctx, uint64_t pa, uint32_t len)
{
	(void)ctx;
	return pa + len <= RAM_SIZE ? ram + pa : NULL;
}

static uint32_t dev_read(void *d, uint32_t off, unsigned size)
{
	(void)d;
	dev.reads++, dev.last_off = off, dev.last_size = size;
	uint32_t v;
	memcpy(&v, (uint8_t *)dev.reg + off, 4);
	return v;
}

static void dev_write(void *d, uint32_t off, unsigned size, uint32_t val)
{
	(void)d;
	dev.writes++, dev.last_off = off, dev.last_size = size, dev.last_val = val;
	memcpy((uint8_t *)dev.reg + off, &val, size);
}

static void nop_seg(void *c, unsigned s) { (void)c, (void)s; }
static void nop_flush(void *c, uint32_t la, int all) { (void)c, (void)la, (void)all; }
static void nop_ctx(void *c) { (void)c; }
static uint64_t zero_tsc(void *c) { (void)c; return 0; }
static int no_irq(void *c) { (void)c; return 0; }
static int no_in(void *c, uint16_t p, unsigned s, uint32_t *v) { (void)c, (void)p, (void)s, (void)v; return -1; }
static int no_out(void *c, uint16_t p, unsigned s, uint32_t v) { (void)c, (void)p, (void)s, (void)v; return -1; }
static void no_note(void *c, const char *m) { (void)c, (void)m; }

static const struct vcpu_ops ops = {phys, nop_seg, nop_flush, nop_ctx, nop_ctx, zero_tsc,
				    no_irq, no_irq, no_in, no_out, no_note};
static struct vcpu v;

/* Runs the instruction bytes at eip 0x1000 with the registers as set;
 * 0 when it went on, -1 when it stopped the guest. */
static int run(const uint8_t *b, unsigned n)
{
	struct x86_insn in;
	int len = x86_decode(b, n, X86_MODE32, &in);
	if (len != (int)n) {
		printf("  FAIL: decode of %u bytes gave %d\n", n, len);
		failed++;
		return -1;
	}
	v.eip = 0x1000;
	int r = vcpu_emulate(&v, &in, (unsigned)len);
	if (r == 0 && v.eip != 0x1000 + n) {
		printf("  FAIL: eip %#x after a %u-byte move\n", v.eip, n);
		failed++;
	}
	return r;
}

int main(void)
{
	static struct mmio_range r = {.name = "test", .len = 256, .read = dev_read, .write = dev_write};
	vcpu_reset(&v, &ops, NULL);
	mmio_reset_table();
	CHECK(mmio_register(&r) == 0);
	CHECK(mmio_place(&r, DEV_BASE, 1) == 0);
	CHECK(mmio_claims(DEV_BASE) && mmio_claims(DEV_BASE + 255) && !mmio_claims(DEV_BASE + 256));

	/* mov 4(%eax), %ecx: a readl */
	dev.reg[1] = 0xdeadbeef;
	v.gpr[R_EAX] = DEV_BASE, v.gpr[R_ECX] = 0;
	CHECK(run((const uint8_t[]){0x8b, 0x48, 0x04}, 3) == 0);
	CHECK(v.gpr[R_ECX] == 0xdeadbeef && dev.reads == 1 && dev.last_off == 4 && dev.last_size == 4);

	/* mov %edx, 8(%eax): a writel */
	v.gpr[R_EDX] = 0x12345678;
	CHECK(run((const uint8_t[]){0x89, 0x50, 0x08}, 3) == 0);
	CHECK(dev.writes == 1 && dev.last_off == 8 && dev.last_size == 4 && dev.reg[2] == 0x12345678);

	/* movw %dx, 12(%eax), movb %dl, 16(%eax) */
	CHECK(run((const uint8_t[]){0x66, 0x89, 0x50, 0x0c}, 4) == 0);
	CHECK(dev.last_size == 2 && dev.reg[3] == 0x5678);
	CHECK(run((const uint8_t[]){0x88, 0x50, 0x10}, 3) == 0);
	CHECK(dev.last_size == 1 && dev.reg[4] == 0x78);

	/* movw 4(%eax), %cx keeps the upper half; movb 4(%eax), %ch the rest */
	v.gpr[R_ECX] = 0xaaaaaaaa;
	CHECK(run((const uint8_t[]){0x66, 0x8b, 0x48, 0x04}, 4) == 0);
	CHECK(v.gpr[R_ECX] == 0xaaaabeef && dev.last_size == 2);
	CHECK(run((const uint8_t[]){0x8a, 0x68, 0x04}, 3) == 0);
	CHECK(v.gpr[R_ECX] == 0xaaaaefef && dev.last_size == 1);

	/* movzbl / movsbl / movswl 4(%eax), %ecx */
	CHECK(run((const uint8_t[]){0x0f, 0xb6, 0x48, 0x04}, 4) == 0);
	CHECK(v.gpr[R_ECX] == 0xef);
	CHECK(run((const uint8_t[]){0x0f, 0xbe, 0x48, 0x04}, 4) == 0);
	CHECK(v.gpr[R_ECX] == 0xffffffef);
	CHECK(run((const uint8_t[]){0x0f, 0xbf, 0x48, 0x04}, 4) == 0);
	CHECK(v.gpr[R_ECX] == 0xffffbeef);

	/* movl $0x55aa, 20(%eax) */
	CHECK(run((const uint8_t[]){0xc7, 0x40, 0x14, 0xaa, 0x55, 0, 0}, 7) == 0);
	CHECK(dev.reg[5] == 0x55aa && dev.last_size == 4);

	/* the same moves on RAM still reach RAM (the driver's per-CPU moves) */
	v.gpr[R_EAX] = 0x2000, v.gpr[R_EDX] = 0xcafe;
	unsigned w = dev.writes;
	CHECK(run((const uint8_t[]){0x89, 0x10}, 2) == 0);
	uint32_t got;
	memcpy(&got, ram + 0x2000, 4);
	CHECK(got == 0xcafe && dev.writes == w);

	/* outside RAM where no device decodes: the guest stops, named */
	v.gpr[R_EAX] = DEV_BASE + 0x1000;
	CHECK(run((const uint8_t[]){0x8b, 0x08}, 2) == -1);
	CHECK(v.stop == STOP_BAD_MEMORY && strstr(v.why, "no device decodes"));
	v.stop = STOP_NONE, v.why[0] = 0;

	/* a dword straddling the range's end is no device's */
	v.gpr[R_EAX] = DEV_BASE + 254;
	unsigned rd = dev.reads;
	CHECK(run((const uint8_t[]){0x8b, 0x08}, 2) == -1);
	CHECK(v.stop == STOP_BAD_MEMORY && dev.reads == rd);
	v.stop = STOP_NONE;

	/* decoding off: the registers are gone */
	CHECK(mmio_place(&r, DEV_BASE, 0) == 0);
	v.gpr[R_EAX] = DEV_BASE;
	CHECK(run((const uint8_t[]){0x8b, 0x08}, 2) == -1);
	v.stop = STOP_NONE;

	printf("mmio_emulate_test: %u passed, %u failed\n", passed, failed);
	return failed != 0;
}
