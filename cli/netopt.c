#include "netopt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A port: 1..65535, the whole of [s, end). */
static int port(const char *s, const char *end, uint16_t *out)
{
	if (s == end || end - s > 5)
		return -1;
	unsigned v = 0;
	for (const char *p = s; p < end; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (unsigned)(*p - '0');
	}
	if (v == 0 || v > 65535)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

/* A dotted IPv4 address, the whole of [s, end). */
static int ipv4(const char *s, const char *end, uint32_t *out)
{
	uint32_t a = 0;
	const char *p = s;
	for (int i = 0; i < 4; i++) {
		unsigned v = 0, digits = 0;
		while (p < end && *p >= '0' && *p <= '9' && digits < 4)
			v = v * 10 + (unsigned)(*p++ - '0'), digits++;
		if (!digits || v > 255 || (i < 3 && (p == end || *p++ != '.')))
			return -1;
		a = a << 8 | v;
	}
	if (p != end)
		return -1;
	*out = a;
	return 0;
}

/* hostfwd=PROTO:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT, as QEMU's, with
 * GUESTADDR empty or 10.0.2.15 (the guest's address). */
static int hostfwd(struct pv_config *c, const char *r, const char *end)
{
	if (c->nhostfwd == PV_MAX_HOSTFWD) {
		fprintf(stderr, "previrt run: --net user: at most %d hostfwd rules\n", PV_MAX_HOSTFWD);
		return -1;
	}
	struct pv_hostfwd f = {.host_addr = 0x7f000001u};
	const char *p = r;
	if ((size_t)(end - p) > 4 && strncmp(p, "tcp:", 4) == 0)
		p += 4;
	else if ((size_t)(end - p) > 4 && strncmp(p, "udp:", 4) == 0)
		f.udp = 1, p += 4;
	else
		goto bad;
	const char *colon = memchr(p, ':', (size_t)(end - p));
	const char *dash = colon ? memchr(colon, '-', (size_t)(end - colon)) : NULL;
	if (!colon || !dash || (colon > p && ipv4(p, colon, &f.host_addr)) ||
	    port(colon + 1, dash, &f.host_port))
		goto bad;
	const char *g = dash + 1, *gcolon = memchr(g, ':', (size_t)(end - g));
	uint32_t gaddr;
	if (!gcolon || (gcolon > g && (ipv4(g, gcolon, &gaddr) || gaddr != 0x0a00020fu)) ||
	    port(gcolon + 1, end, &f.guest_port))
		goto bad;
	c->hostfwd[c->nhostfwd++] = f;
	return 0;
bad:
	fprintf(stderr,
		"previrt run: --net user: bad rule '%.*s' (hostfwd=tcp|udp:[HOSTADDR]:HOSTPORT-[10.0.2.15]:"
		"GUESTPORT)\n",
		(int)(end - r), r);
	return -1;
}

/* An interface name as Linux accepts one (dev_valid_name). */
static int tapname(const char *n)
{
	size_t len = strlen(n);
	int ok = len > 0 && len < sizeof ((struct pv_config *)0)->tap && strcmp(n, ".") && strcmp(n, "..");
	for (const char *p = n; ok && *p; p++)
		ok = *p != '/' && *p != ':' && *p > ' ' && *p != 0x7f;
	if (!ok)
		fprintf(stderr,
			"previrt run: --net tap: bad interface name '%s' (1 to 15 characters, no '/', ':' "
			"or spaces)\n",
			n);
	return ok ? 0 : -1;
}

int netopt_parse(struct pv_config *c, const char *spec)
{
	c->nhostfwd = 0;
	if (strcmp(spec, "none") == 0) {
		c->net = PV_NET_NONE;
		return 0;
	}
	if (strcmp(spec, "null") == 0) {
		c->net = PV_NET_NULL;
		return 0;
	}
	if (strncmp(spec, "user", 4) == 0 && (spec[4] == 0 || spec[4] == ',')) {
		c->net = PV_NET_USER;
		for (const char *p = spec + 4; *p == ',';) {
			const char *opt = p + 1, *end = strchr(opt, ',');
			if (!end)
				end = opt + strlen(opt);
			if ((size_t)(end - opt) > 8 && strncmp(opt, "hostfwd=", 8) == 0) {
				if (hostfwd(c, opt + 8, end))
					return -1;
			} else {
				fprintf(stderr, "previrt run: --net user: unknown option '%.*s' (hostfwd=... only)\n",
					(int)(end - opt), opt);
				return -1;
			}
			p = end;
		}
		return 0;
	}
	if (strncmp(spec, "tap=", 4) == 0) {
		if (tapname(spec + 4))
			return -1;
		c->net = PV_NET_TAP;
		snprintf(c->tap, sizeof c->tap, "%s", spec + 4);
		return 0;
	}
	fprintf(stderr, "previrt run: --net: 'none', 'null', 'user[,hostfwd=...]' or 'tap=IFNAME', not '%s'\n",
		spec);
	return -1;
}
