/*
 * testkern: previrt's own i386 test kernel.  It runs every kind of
 * virtualization-sensitive instruction that exists in 32-bit protected mode,
 * checks each result, and prints one deterministic line per check on COM1,
 * so the same transcript comes out on QEMU TCG and under the in-place VMM.
 */
#include <stddef.h>

#include "cpu.h"
#include "testkern.h"

#define MULTIBOOT_LOADER_MAGIC 0x2badb002u

/* gcc may call these even in freestanding code (struct copies) */
void *memset(void *d, int c, size_t n)
{
	unsigned char *p = d;
	while (n--)
		*p++ = (unsigned char)c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	unsigned char *p = d;
	const unsigned char *q = s;
	while (n--)
		*p++ = *q++;
	return d;
}

static __attribute__((noreturn)) void reset(void)
{
	cli();
	/* keyboard controller: wait for its input buffer, then pulse reset */
	for (unsigned i = 0; i < 100000 && (inb(0x64) & 0x02); i++)
		;
	outb(0x64, 0xfe);
	for (volatile unsigned i = 0; i < 1000000; i++)
		;
	/* port 0x92: a 0 -> 1 edge on bit 0 is a fast reset */
	uint8_t a = inb(0x92) & (uint8_t)~1;
	outb(0x92, a);
	outb(0x92, a | 1);
	for (;;)
		__asm__ volatile("cli; hlt");
}

void finish(void)
{
	if (failures)
		kprintf("testkern: FAIL (%u checks failed)\n", failures);
	else
		kprintf("testkern: PASS\n");
	uart_drain();
	reset();
}

void kmain(uint32_t magic, uint32_t info);

void kmain(uint32_t magic, uint32_t info)
{
	uart_init();
	kprintf("testkern: start\n");
	check(magic == MULTIBOOT_LOADER_MAGIC && info != 0,
	      "multiboot: entered with eax %#x and an information pointer", magic);
	uart_checks();
	gdt_init();
	idt_init();
	trap_checks();
	desc_checks();
	paging_init();
	paging_checks();
	misc_checks();
	timer_checks();
	user_checks();
	finish();
}
