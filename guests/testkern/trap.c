/*
 * The IDT, the one C entry for every vector (entry.S saves the registers),
 * the exception table that lets a test fault on purpose, and the checks of
 * exceptions raised in ring 0: #UD, #DE, int $n.
 */
#include "cpu.h"
#include "testkern.h"

struct gate {
	uint16_t off_lo, sel;
	uint8_t zero, type;
	uint16_t off_hi;
};

struct extable {
	uint32_t insn, fixup;
};

static struct gate idt[256] __attribute__((aligned(8)));
volatile struct trap_record last_trap;
volatile uint32_t ticks;
static volatile uint32_t soft_int_vector;
extern const uint32_t vector_stubs[];       /* entry.S: vector, address pairs */
extern const struct extable __extable_start[], __extable_end[];

#define GATE_INTR 0x8e   /* present, DPL 0, 32-bit interrupt gate */
#define GATE_INTR_U 0xee /* the same, callable from ring 3 */

void trap_reset(void)
{
	last_trap.vector = last_trap.err = last_trap.cr2 = last_trap.count = 0;
}

void idt_init(void)
{
	for (const uint32_t *p = vector_stubs; p[1]; p += 2) {
		uint32_t v = p[0], a = p[1];
		idt[v] = (struct gate){(uint16_t)a, SEL_KCODE, 0, v == 0x80 ? GATE_INTR_U : GATE_INTR,
				       (uint16_t)(a >> 16)};
	}
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) d = {sizeof idt - 1, (uint32_t)idt}, r = {0, 0};
	__asm__ volatile("lidt %0" : : "m"(d) : "memory");
	__asm__ volatile("sidt %0" : "=m"(r));
	check(r.limit == sizeof idt - 1 && r.base == (uint32_t)idt,
	      "idt: sidt returns limit %#x and the base lidt loaded", r.limit);
}

static uint32_t fixup_for(uint32_t eip)
{
	for (const struct extable *e = __extable_start; e < __extable_end; e++)
		if (e->insn == eip)
			return e->fixup;
	return 0;
}

static void irq(unsigned n)
{
	if (n == 7) {
		/* spurious IRQ 7: ISR bit clear means no EOI */
		outb(0x20, 0x0b);
		if (!(inb(0x20) & 0x80))
			return;
	}
	if (n == 0)
		ticks++;
	if (n >= 8)
		outb(0xa0, 0x20);
	outb(0x20, 0x20);
}

void trap(struct trapframe *f)
{
	if (f->vector >= 0x20 && f->vector < 0x30) {
		irq(f->vector - 0x20);
		return;
	}
	if (f->vector == 0x80) {
		syscall(f);
		return;
	}
	if (f->vector == 0x40) {
		soft_int_vector = f->vector;
		f->eax = ~f->eax;
		return;
	}
	last_trap.vector = f->vector;
	last_trap.err = f->err;
	last_trap.cr2 = f->vector == 14 ? read_cr2() : 0;
	last_trap.count++;
	if ((f->cs & 3) == 3)
		user_return(-1); /* user.c reports last_trap */
	uint32_t fix = fixup_for(f->eip);
	if (fix) {
		f->eip = fix;
		return;
	}
	/* a diagnostic, not part of the transcript of a passing run */
	kprintf("FAIL - unexpected exception: vector %u error %#x at eip %#x cs %#x cr2 %#x\n",
		f->vector, f->err, f->eip, f->cs, last_trap.cr2);
	failures++;
	finish();
}

void trap_checks(void)
{
	uint32_t v = 0x12345678;
	__asm__ volatile("int $0x40" : "+a"(v) : : "memory");
	check(soft_int_vector == 0x40 && v == ~0x12345678u,
	      "int: int $0x40 reached its handler, which saw and changed eax");

	trap_reset();
	__asm__ volatile(FIXUP("ud2") : : : "memory");
	check(last_trap.count == 1 && last_trap.vector == 6,
	      "#UD: ud2 raised vector %u, resumed after it", last_trap.vector);

	trap_reset();
	uint32_t q = 7, d = 0, r = 0;
	__asm__ volatile(FIXUP("divl %2") : "+a"(q), "+d"(r) : "r"(d) : "memory", "cc");
	check(last_trap.count == 1 && last_trap.vector == 0,
	      "#DE: divide by zero raised vector %u, resumed after it", last_trap.vector);
}
