/*
 * 16550 UART at 0x3f8, polled, set up like a real driver would, and the
 * kernel's tiny printf.  Every line goes out as "\r\n"; the test compares
 * transcripts with the carriage returns removed.
 */
#include "cpu.h"
#include "testkern.h"

#define COM1 0x3f8
#define THR 0 /* DLAB=0 */
#define IER 1
#define DLL 0 /* DLAB=1 */
#define DLM 1
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define SCR 7
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define FIFO_SIZE 16

unsigned failures;

void uart_init(void)
{
	outb(COM1 + IER, 0x00);  /* polled: no interrupts */
	outb(COM1 + LCR, 0x80);  /* DLAB */
	outb(COM1 + DLL, 0x01);  /* 115200 baud */
	outb(COM1 + DLM, 0x00);
	outb(COM1 + LCR, 0x03);  /* 8N1 */
	outb(COM1 + FCR, 0xc7);  /* FIFOs on and cleared, 14-byte trigger */
	outb(COM1 + MCR, 0x0b);  /* DTR, RTS, OUT2 */
}

static void raw_putc(char c)
{
	/* bounded: a UART that never drains must not hang the kernel */
	for (unsigned i = 0; i < 1000000 && !(inb(COM1 + LSR) & LSR_THRE); i++)
		;
	outb(COM1 + THR, (uint8_t)c);
}

void uart_putc(char c)
{
	if (c == '\n')
		raw_putc('\r');
	raw_putc(c);
}

void uart_drain(void)
{
	for (unsigned i = 0; i < 1000000 && !(inb(COM1 + LSR) & LSR_TEMT); i++)
		;
}

/* rep outsb, at most a FIFO's worth after the transmitter is empty */
static void uart_write_outs(const char *s, uint32_t n)
{
	while (n > 0) {
		uint32_t k = n < FIFO_SIZE ? n : FIFO_SIZE;
		uart_drain();
		const char *p = s;
		uint32_t c = k;
		__asm__ volatile("cld; rep outsb" : "+S"(p), "+c"(c) : "d"(COM1 + THR) : "memory");
		s += k;
		n -= k;
	}
}

static void put_num(uint32_t v, unsigned base, int width, char pad, int neg)
{
	char buf[12];
	int n = 0;
	do {
		buf[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (neg)
		buf[n++] = '-';
	while (width-- > n)
		uart_putc(pad);
	while (n)
		uart_putc(buf[--n]);
}

/* %s %c %d %u %x %%, with an optional '#', '0' and width */
void kvprintf(const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			uart_putc(*fmt);
			continue;
		}
		fmt++;
		int alt = 0, width = 0;
		char pad = ' ';
		if (*fmt == '#') {
			alt = 1;
			fmt++;
		}
		if (*fmt == '0') {
			pad = '0';
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		switch (*fmt) {
		case 's': {
			const char *s = va_arg(ap, const char *);
			while (*s)
				uart_putc(*s++);
			break;
		}
		case 'c':
			uart_putc((char)va_arg(ap, int));
			break;
		case 'd': {
			int v = va_arg(ap, int);
			put_num(v < 0 ? -(uint32_t)v : (uint32_t)v, 10, width, pad, v < 0);
			break;
		}
		case 'u':
			put_num(va_arg(ap, uint32_t), 10, width, pad, 0);
			break;
		case 'x':
			if (alt) {
				uart_putc('0');
				uart_putc('x');
			}
			put_num(va_arg(ap, uint32_t), 16, width, pad, 0);
			break;
		case '%':
			uart_putc('%');
			break;
		default:
			uart_putc('?');
			break;
		}
	}
}

void kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}

void check(int ok, const char *fmt, ...)
{
	va_list ap;
	kprintf("%s - ", ok ? "ok" : "FAIL");
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	uart_putc('\n');
	if (!ok)
		failures++;
}

void uart_checks(void)
{
	outb(COM1 + SCR, 0x5a);
	uint8_t a = inb(COM1 + SCR);
	outb(COM1 + SCR, 0xa5);
	uint8_t b = inb(COM1 + SCR);
	check(a == 0x5a && b == 0xa5, "uart: scratch register reads back 0x5a and 0xa5 (in/out)");
	outb(COM1 + LCR, 0x83);
	uint8_t dll = inb(COM1 + DLL), dlm = inb(COM1 + DLM);
	outb(COM1 + LCR, 0x03);
	check(dll == 1 && dlm == 0 && inb(COM1 + LCR) == 0x03,
	      "uart: divisor latch 0x%02x%02x and LCR 0x03 read back", dlm, dll);
	static const char line[] = "ok - uart: this line was written with rep outsb\r\n";
	uart_write_outs(line, sizeof line - 1);
}
