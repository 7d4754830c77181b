/* The site patcher (patch.h).  Two phases so a bad record leaves the image
 * untouched: validate and decode every record into the site table, sort it
 * and reject overlaps; only then rewrite, one validated site at a time. */
#include "patch.h"

#include "nops.h"

#define K(n) PREVIRT_AB_KIND_##n

/* Formats into a fixed buffer without libc: the patcher is guest-side code.
 * %s takes str; each %u (decimal) or %x (0x-hex) takes the next of a, b, c. */
static int fail(struct patch_error *e, uint32_t rec, uint64_t addr, const char *fmt,
		const char *str, uint64_t a, uint64_t b, uint64_t c)
{
	char *o = e->msg, *end = e->msg + sizeof e->msg - 1;
	uint64_t args[3] = {a, b, c};
	unsigned na = 0;
	e->rec = rec;
	e->addr = addr;
	for (; *fmt && o < end; fmt++) {
		if (*fmt != '%') {
			*o++ = *fmt;
			continue;
		}
		char conv = *++fmt;
		if (conv == 's') {
			for (const char *t = str ? str : "?"; *t && o < end; t++)
				*o++ = *t;
			continue;
		}
		uint64_t v = na < 3 ? args[na++] : 0;
		unsigned base = conv == 'x' ? 16 : 10;
		char digits[24];
		int nd = 0;
		do {
			digits[nd++] = "0123456789abcdef"[v % base];
			v /= base;
		} while (v);
		if (base == 16 && o + 2 < end) {
			*o++ = '0';
			*o++ = 'x';
		}
		while (nd && o < end)
			*o++ = digits[--nd];
	}
	*o = 0;
	return -1;
}

/* Host pointer to [addr, addr + len) of the image, or NULL: the one place
 * guest addresses become pointers. */
static uint8_t *img_ptr(const struct patch_image *img, uint64_t addr, uint64_t len)
{
	if (addr < img->vaddr || len > img->size || addr - img->vaddr > img->size - len)
		return 0;
	return img->mem + (addr - img->vaddr);
}

static int in_code(const struct patch_image *img, uint64_t addr, uint64_t len)
{
	for (unsigned i = 0; i < img->ncode; i++) {
		const struct patch_region *r = &img->code[i];
		if (addr >= r->start && addr <= r->end && len <= r->end - addr)
			return 1;
	}
	return 0;
}

static enum x86_mode rec_mode(unsigned flags)
{
	switch (flags & PREVIRT_AB_F_MODE_MASK) {
	case PREVIRT_AB_F_MODE16:
		return X86_MODE16;
	case PREVIRT_AB_F_MODE64:
		return X86_MODE64;
	default:
		return X86_MODE32;
	}
}

static int shadow_partner(unsigned op)
{
	return op == X86_OP_HLT || op == X86_OP_SYSEXIT || op == X86_OP_SYSRET || op == X86_OP_MWAIT;
}

/* One site record: bounds, kind, decode, padding.  0 or -1 with *err. */
static int check_site(const struct patch_image *img, uint32_t i, uint64_t rec_addr,
		      const struct previrt_ab_record *r, struct patch_site *s,
		      struct patch_error *err)
{
	uint64_t addr = rec_addr + (uint64_t)(int64_t)r->rel;
	if (r->kind == K(HEADER) || r->kind >= PREVIRT_AB_NKINDS)
		return fail(err, i, addr, "record %u (site %x): undefined kind %u", 0, i, addr, r->kind);
	const char *kn = previrt_ab_kind_name[r->kind];
	if ((r->flags & PREVIRT_AB_F_RESERVED) || !(r->flags & PREVIRT_AB_F_MODE_MASK))
		return fail(err, i, addr, "record %u (%s at %x): bad flags %x", kn, i, addr, r->flags);
	if (r->insn_len == 0 || r->insn_len > r->len || r->len < PREVIRT_AB_MIN_SITE)
		return fail(err, i, addr, "record %u (%s at %x): bad lengths: site %u bytes", kn, i,
			    addr, r->len);
	const uint8_t *p = img_ptr(img, addr, r->len);
	if (!p || !in_code(img, addr, r->len))
		return fail(err, i, addr, "record %u (%s): site at %x is outside the image's code", kn,
			    i, addr, 0);
	enum x86_mode mode = rec_mode(r->flags);
	int n = x86_decode(p, r->len, mode, &s->insn);
	if (n != r->insn_len)
		return fail(err, i, addr, "record %u (%s at %x): no %u-byte instruction there", kn, i,
			    addr, r->insn_len);
	if (!patch_kind_matches(r->kind, &s->insn))
		return fail(err, i, addr, "record %u at %x: the instruction there (%s) is not its kind",
			    x86_op_name(s->insn.op), i, addr, 0);
	unsigned pos = (unsigned)n;
	if (r->flags & PREVIRT_AB_F_SHADOW) {
		struct x86_insn next;
		int m = r->kind == K(STI) ? x86_decode(p + pos, r->len - pos, mode, &next) : -1;
		if (m <= 0 || !shadow_partner(next.op))
			return fail(err, i, addr, "record %u (%s at %x): no shadowed instruction", kn, i,
				    addr, 0);
		pos += (unsigned)m;
	}
	for (unsigned pad = pos; pos < r->len;) {
		unsigned m = previrt_ab_pad_at(r->kind, p, pad, pos, r->len);
		if (!m)
			return fail(err, i, addr, "record %u (%s at %x): byte %u of the site is not padding",
				    kn, i, addr, pos);
		pos += m;
	}
	s->addr = addr;
	s->rec = i;
	s->len = r->len;
	s->insn_len = r->insn_len;
	s->kind = r->kind;
	s->flags = r->flags;
	s->action = PATCH_NATIVE;
	s->fallback = 0;
	s->xfer_len = 0;
	for (unsigned k = 0; k < sizeof s->orig; k++)
		s->orig[k] = k < r->len ? p[k] : 0;
	return 0;
}

/* In-place heapsort by address: no recursion, no allocation. */
static void sift(struct patch_site *a, uint32_t root, uint32_t n)
{
	for (;;) {
		uint32_t c = 2 * root + 1;
		if (c >= n)
			return;
		if (c + 1 < n && a[c + 1].addr > a[c].addr)
			c++;
		if (a[root].addr >= a[c].addr)
			return;
		struct patch_site t = a[root];
		a[root] = a[c];
		a[c] = t;
		root = c;
	}
}

static void sort_sites(struct patch_site *a, uint32_t n)
{
	for (uint32_t i = n / 2; i-- > 0;)
		sift(a, i, n);
	for (uint32_t end = n; end-- > 1;) {
		struct patch_site t = a[0];
		a[0] = a[end];
		a[end] = t;
		sift(a, 0, end);
	}
}

static uint32_t le32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

_Static_assert(PREVIRT_AB_VERSION < 10, "version_str is one digit");
static const char version_str[] = {'0' + PREVIRT_AB_VERSION, 0};

static int validate(const struct patch_image *img, struct patch_site *sites, uint32_t max,
		    uint32_t *nsites, struct patch_stats *st, struct patch_error *err)
{
	const uint8_t *ab = img_ptr(img, img->ab_vaddr, img->ab_size);
	if (!ab || img->ab_size % PREVIRT_AB_RECORD_SIZE)
		return fail(err, 0, img->ab_vaddr,
			    "%s at %x (%u bytes) is not whole records inside the image",
			    PREVIRT_AB_SECTION, img->ab_vaddr, img->ab_size, 0);
	uint32_t nrec = (uint32_t)(img->ab_size / PREVIRT_AB_RECORD_SIZE), n = 0;
	int seen_header = 0;
	for (uint32_t i = 0; i < nrec; i++) {
		const uint8_t *b = ab + (uint64_t)i * PREVIRT_AB_RECORD_SIZE;
		struct previrt_ab_record r = {(int32_t)le32(b), b[4], b[5], b[6], b[7]};
		uint64_t rec_addr = img->ab_vaddr + (uint64_t)i * PREVIRT_AB_RECORD_SIZE;
		st->records++;
		if (r.kind == K(HEADER)) {
			if ((uint32_t)r.rel != PREVIRT_AB_MAGIC || r.insn_len || r.flags)
				return fail(err, i, rec_addr, "record %u at %x: header without the magic number",
					    0, i, rec_addr, 0);
			if (r.len != PREVIRT_AB_VERSION)
				return fail(err, i, rec_addr,
					    "record %u at %x: annotation ABI version %u, this VMM reads version %s",
					    version_str, i, rec_addr, r.len);
			seen_header = 1;
			st->headers++;
			continue;
		}
		if (!seen_header)
			return fail(err, i, rec_addr, "record %u at %x: site record before any header", 0, i,
				    rec_addr, 0);
		if (n == max)
			return fail(err, i, rec_addr, "record %u: more than %u sites", 0, i, max, 0);
		if (check_site(img, i, rec_addr, &r, &sites[n], err))
			return -1;
		n++;
	}
	sort_sites(sites, n);
	for (uint32_t k = 1; k < n; k++) {
		const struct patch_site *a = &sites[k - 1], *b = &sites[k];
		if (a->addr + a->len > b->addr) {
			const struct patch_site *late = a->rec > b->rec ? a : b;
			const struct patch_site *early = late == a ? b : a;
			return fail(err, late->rec, late->addr,
				    "record %u: site at %x overlaps the site of record %u", 0, late->rec,
				    late->addr, early->rec);
		}
	}
	st->sites = n;
	*nsites = n;
	return 0;
}

/* Encodes a call/jmp of the rule into buf; returns its length, or 0 when
 * it cannot be used at this site (mode, early boot, distance, room). */
static unsigned encode_xfer(const struct patch_site *s, const struct patch_rule *r, unsigned room,
			   uint8_t *buf)
{
	int call = r->action == PATCH_CALL;
	unsigned mode = s->flags & PREVIRT_AB_F_MODE_MASK;
	uint64_t t = r->target;
	switch (r->xfer) {
	case XFER_REL32: {
		if (s->flags & PREVIRT_AB_F_EARLY || mode == PREVIRT_AB_F_MODE16 || room < 5)
			return 0;
		int64_t d = (int64_t)(t - (s->addr + 5));
		if (mode == PREVIRT_AB_F_MODE32)
			d = (int32_t)(uint32_t)d; /* 32-bit code wraps around 4 GiB */
		if (d < INT32_MIN || d > INT32_MAX)
			return 0;
		buf[0] = call ? 0xe8 : 0xe9;
		for (unsigned k = 0; k < 4; k++)
			buf[1 + k] = (uint8_t)((uint32_t)d >> (8 * k));
		return 5;
	}
	case XFER_ABS:
		if (mode != PREVIRT_AB_F_MODE32 || room < 6 || t > UINT32_MAX)
			return 0;
		buf[0] = 0xff;
		buf[1] = call ? 0x15 : 0x25;
		for (unsigned k = 0; k < 4; k++)
			buf[2 + k] = (uint8_t)(t >> (8 * k));
		return 6;
	case XFER_FAR:
		if (mode != PREVIRT_AB_F_MODE32 || room < 7 || t > UINT32_MAX)
			return 0;
		buf[0] = call ? 0x9a : 0xea;
		for (unsigned k = 0; k < 4; k++)
			buf[1 + k] = (uint8_t)(t >> (8 * k));
		buf[5] = (uint8_t)r->far_sel;
		buf[6] = (uint8_t)(r->far_sel >> 8);
		return 7;
	}
	return 0;
}

static void rewrite(const struct patch_image *img, const struct patch_policy *pol,
		    struct patch_site *s, struct patch_kind_stats *ks)
{
	const struct patch_rule *r = &pol->rule[s->kind];
	uint8_t buf[256];
	unsigned used = 0;
	/* a restart tail stays: the rewrite has the bytes before it */
	unsigned room = s->len - (previrt_ab_restarts(s->kind) ? PREVIRT_AB_TAIL : 0);
	nop_fill(buf, room);
	switch (r->action) {
	case PATCH_INLINE: {
		int w = r->emit ? r->emit(s, buf, room, pol->ctx) : -1;
		if (w < 0 || (unsigned)w > room)
			goto too_short;
		used = (unsigned)w;
		ks->inlined++;
		break;
	}
	case PATCH_CALL:
	case PATCH_JMP:
		used = encode_xfer(s, r, room, buf);
		if (!used)
			goto too_short;
		s->xfer_len = (uint8_t)used;
		if (r->action == PATCH_CALL)
			ks->called++;
		else
			ks->jumped++;
		break;
	default:
		ks->native++;
		return;
	}
	s->action = r->action;
	/* the rest of the site: whole NOPs again (the replacement may have
	 * ended inside one of the originals) */
	nop_fill(buf + used, room - used);
	/* validated: [addr, addr + len) is inside the image */
	uint8_t *dst = img_ptr(img, s->addr, s->len);
	for (unsigned k = 0; k < room; k++)
		dst[k] = buf[k];
	return;
too_short:
	s->fallback = 1;
	ks->too_short++;
	ks->native++;
}

int patch_image(const struct patch_image *img, const struct patch_policy *policy,
		struct patch_site *sites, uint32_t max_sites, uint32_t *nsites,
		struct patch_stats *stats, struct patch_error *err)
{
	*stats = (struct patch_stats){0};
	*nsites = 0;
	if (validate(img, sites, max_sites, nsites, stats, err))
		return -1;
	for (uint32_t k = 0; k < *nsites; k++) {
		struct patch_site *s = &sites[k];
		struct patch_kind_stats *ks = &stats->kind[s->kind];
		ks->sites++;
		if (policy)
			rewrite(img, policy, s, ks);
		else
			ks->native++;
	}
	return 0;
}

const struct patch_site *patch_find(const struct patch_site *sites, uint32_t n, uint64_t addr)
{
	uint32_t lo = 0, hi = n;
	while (lo < hi) { /* first site starting after addr */
		uint32_t mid = lo + (hi - lo) / 2;
		if (sites[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return 0;
	const struct patch_site *s = &sites[lo - 1];
	return addr - s->addr < s->len ? s : 0;
}
