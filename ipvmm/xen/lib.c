/* The few C library functions the compiler may call on its own (struct
 * copies and clears in the core and the decoder): the VMM links no libc.
 * The bulk copies are string instructions: loading a guest kernel copies
 * tens of MiB, and QEMU TCG runs rep movsb/stosb as one helper loop. */
#include <stddef.h>
#include <stdint.h>

void *memcpy(void *restrict d, const void *restrict s, size_t n);
void *memmove(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

void *memcpy(void *restrict d, const void *restrict s, size_t n)
{
	void *o = d;
	__asm__ volatile("rep movsb" : "+D"(o), "+S"(s), "+c"(n) : : "memory");
	return d;
}

void *memmove(void *d, const void *s, size_t n)
{
	unsigned char *o = d;
	const unsigned char *i = s;
	if (o < i)
		while (n--)
			*o++ = *i++;
	else
		while (n--)
			o[n] = i[n];
	return d;
}

void *memset(void *d, int c, size_t n)
{
	void *o = d;
	__asm__ volatile("rep stosb" : "+D"(o), "+c"(n) : "a"(c) : "memory");
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}
