/*
 * IPv4 (RFC 791), TCP (RFC 793) and UDP (RFC 768) checksums: the ones'
 * complement sum of 16-bit words, with the pseudo-header for TCP/UDP.
 */
#include "ipvmm/dev/ethframe.h"

struct ipv4 {
	uint32_t ip, ihl;	/* offset of the IP header, its length */
	uint32_t l4, l4len;	/* offset and length of the payload */
	uint8_t proto;
};

static uint32_t be16(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t sum16(uint32_t s, const uint8_t *p, uint32_t n)
{
	for (; n > 1; p += 2, n -= 2)
		s += be16(p);
	if (n)
		s += (uint32_t)p[0] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* 1 and *h filled if f holds a whole first-fragment IPv4 datagram. */
static int parse(const uint8_t *f, uint32_t len, struct ipv4 *h)
{
	uint32_t off = 12, type, total;

	if (len < 14)
		return 0;
	type = be16(f + off);
	if (type == 0x8100) {
		off += 4;
		if (len < off + 2)
			return 0;
		type = be16(f + off);
	}
	if (type != 0x0800)
		return 0;
	h->ip = off + 2;
	if (len < h->ip + 20 || (f[h->ip] >> 4) != 4)
		return 0;
	h->ihl = (f[h->ip] & 15) * 4u;
	total = be16(f + h->ip + 2);
	/* the frame may carry padding after the datagram, never less */
	if (h->ihl < 20 || total < h->ihl || len - h->ip < total)
		return 0;
	/* fragment offset != 0: no transport header here */
	h->proto = (be16(f + h->ip + 6) & 0x1fff) ? 0 : f[h->ip + 9];
	h->l4 = h->ip + h->ihl;
	h->l4len = total - h->ihl;
	return 1;
}

static uint32_t pseudo(const uint8_t *f, const struct ipv4 *h)
{
	return sum16(0, f + h->ip + 12, 8) + h->proto + h->l4len;
}

/* Offset of the checksum field inside the transport header, or 0. */
static uint32_t l4_field(const struct ipv4 *h)
{
	if (h->proto == 6 && h->l4len >= 20)
		return 16;
	if (h->proto == 17 && h->l4len >= 8)
		return 6;
	return 0;
}

unsigned ethframe_check(const uint8_t *f, uint32_t len)
{
	struct ipv4 h;
	unsigned r;
	uint32_t field;

	if (!parse(f, len, &h))
		return 0;
	r = ETHFRAME_IP;
	if (fold(sum16(0, f + h.ip, h.ihl)) != 0xffff)
		r |= ETHFRAME_IP_BAD;
	field = l4_field(&h);
	if (!field)
		return r;
	r |= h.proto == 6 ? ETHFRAME_TCP : ETHFRAME_UDP;
	/* UDP checksum 0: the sender did not compute one */
	if (h.proto == 17 && be16(f + h.l4 + field) == 0)
		return r;
	if (fold(sum16(pseudo(f, &h), f + h.l4, h.l4len)) != 0xffff)
		r |= ETHFRAME_L4_BAD;
	return r;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

unsigned ethframe_fill(uint8_t *f, uint32_t len, unsigned want)
{
	struct ipv4 h;
	unsigned done = 0;
	uint32_t field;

	if (!parse(f, len, &h))
		return 0;
	field = l4_field(&h);
	if (field && (want & (h.proto == 6 ? ETHFRAME_TCP : ETHFRAME_UDP))) {
		uint16_t c;

		put16(f + h.l4 + field, 0);
		c = (uint16_t)~fold(sum16(pseudo(f, &h), f + h.l4, h.l4len));
		if (h.proto == 17 && c == 0)
			c = 0xffff; /* 0 means "no checksum" in UDP */
		put16(f + h.l4 + field, c);
		done |= h.proto == 6 ? ETHFRAME_TCP : ETHFRAME_UDP;
	}
	if (want & ETHFRAME_IP) {
		put16(f + h.ip + 10, 0);
		put16(f + h.ip + 10, (uint16_t)~fold(sum16(0, f + h.ip, h.ihl)));
		done |= ETHFRAME_IP;
	}
	return done;
}
