#include "console.h"

#include <stdarg.h>
#include <stdint.h>

#include "hypercall.h"

static char line[256];
static size_t used;

static void flush(void)
{
	/* console_io takes the bytes of a guest-virtual buffer; dom0's output
	 * is printed at once, whatever the console log level. */
	if (used)
		xen_console_write(line, used);
	used = 0;
}

static void put(char c)
{
	line[used++] = c;
	if (c == '\n' || used == sizeof line)
		flush();
}

void con_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put(s[i]);
}

static void put_num(uint64_t v, unsigned base, int neg, unsigned width, char padc)
{
	char d[24];
	unsigned n = 0;
	do {
		d[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (neg)
		d[n++] = '-';
	while (width > n) {
		put(padc);
		width--;
	}
	while (n)
		put(d[--n]);
}

void con_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(*fmt);
			continue;
		}
		fmt++;
		char padc = ' ';
		unsigned width = 0, lng = 0, alt = 0;
		if (*fmt == '#')
			alt = 1, fmt++;
		if (*fmt == '0')
			padc = '0', fmt++;
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (unsigned)(*fmt++ - '0');
		while (*fmt == 'l' || *fmt == 'z')
			lng += *fmt == 'z' ? 2 : 1, fmt++;
		switch (*fmt) {
		case 's': {
			const char *s = va_arg(ap, const char *);
			size_t n = 0;
			for (const char *t = s ? s : "(null)"; *t; t++)
				n++;
			while (width > n)
				put(' '), width--;
			con_write(s ? s : "(null)", n);
			break;
		}
		case 'c':
			put((char)va_arg(ap, int));
			break;
		case 'd': {
			int64_t v = lng ? va_arg(ap, long) : va_arg(ap, int);
			put_num(v < 0 ? -(uint64_t)v : (uint64_t)v, 10, v < 0, width, padc);
			break;
		}
		case 'u':
		case 'x': {
			uint64_t v = lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned);
			if (alt && *fmt == 'x')
				put('0'), put('x');
			put_num(v, *fmt == 'x' ? 16 : 10, 0, width, padc);
			break;
		}
		case '%':
			put('%');
			break;
		default: /* an unknown conversion is shown, not skipped */
			put('%');
			if (!*fmt)
				goto out;
			put(*fmt);
		}
	}
out:
	va_end(ap);
}
