/* Property 2, instructions: ORIG's code and AFTERBURNT's code with the site
 * padding cut out are the same instruction sequence.  The pairing is the
 * offset map every later check goes through.
 *
 * Besides short/near branch relaxation, one more difference is legitimate:
 * alignment filler (.p2align, the kernel's alternative .skip padding) is
 * computed from positions that the padding moved, so runs of assembler NOPs
 * may differ in length on either side; such runs are paired as wholes. */
#include <capstone/capstone.h>
#include <stdlib.h>
#include <string.h>

#include "abcheck.h"
#include "previrt/afterburn.h"

struct pcref {
	uint64_t o, a;   /* instruction offsets */
	uint64_t ot, at; /* targets */
};

struct pairing {
	const struct obj *ab;
	const struct sec *so, *sa;
	int bits;
	const struct site *site; /* sites of sa, by start */
	size_t nsite, k;
	struct secmap *m;
	struct pcref *br;
	size_t nbr, capbr;
	unsigned long fill_runs;
};

static unsigned step(const struct insn *in)
{
	return in->len ? in->len : 1; /* undecodable: one .byte */
}

static void decode_at(const struct sec *s, int bits, uint64_t pos, struct insn *in)
{
	sens_decode(bits, s->data + pos, s->size - pos, pos, in);
}

static int covered(const struct sec *s, uint64_t pos, unsigned len)
{
	return memchr(s->covered + pos, 1, len) != NULL;
}

/* Whether [pos, end) decodes as alignment filler only. */
static int all_fill(const struct sec *s, int bits, uint64_t pos, uint64_t end)
{
	while (pos < end) {
		struct insn in;
		decode_at(s, bits, pos, &in);
		if (!in.fill)
			return 0;
		pos += in.len;
	}
	return pos == end;
}

/* End of the alignment filler at pos, at most `end`; gas jumps over long
 * fills. */
static uint64_t fill_end(const struct sec *s, int bits, uint64_t pos, uint64_t end)
{
	while (pos < end) {
		struct insn in;
		decode_at(s, bits, pos, &in);
		if (in.fill) {
			pos += in.len;
			continue;
		}
		uint64_t next = pos + step(&in);
		if (in.id == X86_INS_JMP && in.pcrel == SENS_PC_BRANCH && !covered(s, pos, in.len) &&
		    in.target > next && in.target <= end &&
		    all_fill(s, bits, next, in.target)) {
			pos = in.target;
			continue;
		}
		break;
	}
	return pos;
}

struct secmap *secmap_new(struct sec *so)
{
	struct secmap *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	so->map = m;
	m->osize = so->size;
	m->asize = so->peer->size;
	m->limit = so->size + 1;
	m->alimit = so->peer->size + 1;
	return m;
}

int secmap_add(struct secmap *m, uint64_t o, uint64_t a, uint64_t olen, uint64_t alen, int fill)
{
	if (m->n == m->cap) {
		size_t nc = m->cap ? 2 * m->cap : 256;
		struct pair *np = realloc(m->p, nc * sizeof *np);
		if (!np)
			return -1;
		m->p = np;
		m->cap = nc;
	}
	m->p[m->n++] = (struct pair){o, a, (uint32_t)olen, (uint32_t)alen, fill};
	return 0;
}

static int add_ref(struct pairing *P, const struct pcref *b)
{
	if (P->nbr == P->capbr) {
		size_t nc = P->capbr ? 2 * P->capbr : 64;
		struct pcref *nb = realloc(P->br, nc * sizeof *nb);
		if (!nb)
			return -1;
		P->br = nb;
		P->capbr = nc;
	}
	P->br[P->nbr++] = *b;
	return 0;
}

/* Jumps over site padding at j; reports padding that an instruction ran into. */
static uint64_t skip_padding(struct pairing *P, uint64_t j)
{
	while (P->k < P->nsite && P->site[P->k].pad_start <= j) {
		const struct site *st = &P->site[P->k++];
		if (st->pad_start == j) {
			j = st->end;
			continue;
		}
		report_fail(P->ab->path, P->sa->name, st->pad_start,
			    "an instruction runs over the start of site padding "
			    "(site 0x%llx..0x%llx, record .afterburn+0x%llx)",
			    (unsigned long long)st->start, (unsigned long long)st->end,
			    (unsigned long long)st->recoff);
	}
	return j;
}

/* Code size at j: a site says it (.code32 in a 64-bit object, say), so the
 * instruction and its ORIG counterpart decode as the CPU will run them. */
static int site_bits(const struct pairing *P, uint64_t j)
{
	if (P->k >= P->nsite || P->site[P->k].start != j)
		return P->bits;
	unsigned mode = P->site[P->k].flags & PREVIRT_AB_F_MODE_MASK;
	return mode == PREVIRT_AB_F_MODE64 ? 64 : 32;
}

/* A PC-relative reference the assembler resolved, leaving no relocation:
 * its target is compared through the map, later. */
static int free_pcrel(const struct sec *s, uint64_t pos, const struct insn *in)
{
	/* a target outside the section means bytes that only decode as one */
	return in->len && in->pcrel && in->target <= s->size && !covered(s, pos, in->len);
}

static int same_insn(const struct pairing *P, uint64_t i, const struct insn *A, uint64_t j,
		     const struct insn *B)
{
	const uint8_t *a = P->so->data + i, *b = P->sa->data + j;
	if (free_pcrel(P->so, i, A) && free_pcrel(P->sa, j, B)) {
		if (A->pcrel != B->pcrel)
			return 0;
		if (A->pcrel == SENS_PC_BRANCH) /* short and near forms are both fine */
			return A->id == B->id && A->npfx == B->npfx && memcmp(a, b, A->npfx) == 0;
		unsigned d = A->disp_off, e = A->disp_off + A->disp_size;
		return A->len == B->len && d == B->disp_off && e <= A->len &&
		       memcmp(a, b, d) == 0 && memcmp(a + e, b + e, A->len - e) == 0;
	}
	return step(A) == step(B) && (A->len == 0) == (B->len == 0) &&
	       memcmp(P->so->zeroed + i, P->sa->zeroed + j, step(A)) == 0;
}

static void report_mismatch(const struct pairing *P, uint64_t i, const struct insn *A,
			    uint64_t j, const struct insn *B)
{
	char ho[64], ha[64];
	int oend = i >= P->so->size, aend = j >= P->sa->size;
	hex_bytes(ho, sizeof ho, P->so->data + i, oend ? 0 : step(A));
	hex_bytes(ha, sizeof ha, P->sa->data + j, aend ? 0 : step(B));
	if (aend)
		report_fail(P->ab->path, P->sa->name, j,
			    "section ends, expected `%s` [%s] (ORIG %s+0x%llx)", A->text, ho,
			    P->so->name, (unsigned long long)i);
	else if (oend)
		report_fail(P->ab->path, P->sa->name, j,
			    "found `%s` [%s], expected the section to end (ORIG %s ends at 0x%llx)",
			    B->text, ha, P->so->name, (unsigned long long)i);
	else
		report_fail(P->ab->path, P->sa->name, j,
			    "found `%s` [%s], expected `%s` [%s] (ORIG %s+0x%llx)", B->text, ha,
			    A->text, ho, P->so->name, (unsigned long long)i);
}

/* Whether [j, j2) is exactly the padding afterburn gives an instruction of
 * this kind and length. */
static int padding_shaped(const struct sec *s, uint64_t j, uint64_t j2, unsigned kind,
			  unsigned insn_len)
{
	if (previrt_ab_site_len[kind] <= insn_len || j2 - j != previrt_ab_site_len[kind] - insn_len ||
	    j < insn_len)
		return 0;
	const uint8_t *site = s->data + j - insn_len;
	for (unsigned k, pos = insn_len; pos < previrt_ab_site_len[kind]; pos += k)
		if (!(k = previrt_ab_pad_at(kind, site, insn_len, pos, previrt_ab_site_len[kind])))
			return 0;
	return 1;
}

/* Whether the filler before `end` can come from aligning to `end`. */
static int aligned_to_end(uint64_t end, uint64_t len)
{
	return len == 0 || end == 0 || (end & -end) > len;
}

/* A filler run is alignment padding followed by a part that stays the same
 * (.skip padding computed from unchanged code, or nothing); the padding
 * ends on a boundary larger than itself.  Whether some split of the two
 * runs fits that. */
static int alignment_explains(const struct pairing *P, uint64_t i, uint64_t i2, uint64_t j,
			      uint64_t j2)
{
	uint64_t same = 0;
	while (same < i2 - i && same < j2 - j &&
	       P->so->zeroed[i2 - same - 1] == P->sa->zeroed[j2 - same - 1])
		same++;
	for (uint64_t s = 0; s <= same; s++)
		if (aligned_to_end(j2 - s, j2 - j - s) && aligned_to_end(i2 - s, i2 - i - s))
			return 1;
	return 0;
}

/* Extra filler in AFTERBURNT must be alignment (.p2align, .balign, gas's
 * jump over a long fill); the kernel's computed .skip padding (alternatives,
 * clear_bhb_loop) only shrinks or stays as instructions grow.  Filler where
 * ORIG has none, right after a sensitive instruction without a record and
 * shaped like its site padding, is taken for padding whose record was lost. */
static void check_extra_fill(const struct pairing *P, uint64_t prev, uint64_t i, uint64_t i2,
			     uint64_t j, uint64_t j2)
{
	struct insn in;
	unsigned kind = 0;
	if (prev != UINT64_MAX && i2 == i) {
		decode_at(P->sa, P->bits, prev, &in);
		kind = sensitive_kind(&in);
	}
	if (kind && padding_shaped(P->sa, j, j2, kind, in.len))
		report_fail(P->ab->path, P->sa->name, j,
			    "%llu bytes of NOPs follow `%s` (%s, at 0x%llx), which has no "
			    "site record",
			    (unsigned long long)(j2 - j), in.text, previrt_ab_kind_name[kind],
			    (unsigned long long)prev);
	else if (!alignment_explains(P, i, i2, j, j2))
		report_fail(P->ab->path, P->sa->name, j,
			    "%llu bytes of filler where ORIG has %llu (at 0x%llx): alignment does "
			    "not explain the difference",
			    (unsigned long long)(j2 - j), (unsigned long long)(i2 - i),
			    (unsigned long long)i);
}

/* Pairs the filler runs at i and j as wholes; equal runs map linearly.  A
 * run of AFTERBURNT stops at a site, whose instruction may be int3.
 * Returns 1 if there is no filler to pair after all, -1 if out of memory. */
static int pair_fill(struct pairing *P, uint64_t prev, uint64_t *i, uint64_t *j)
{
	uint64_t aend = P->sa->size;
	for (size_t k = P->k; k < P->nsite; k++)
		if (P->site[k].start >= *j) {
			aend = P->site[k].start;
			break;
		}
	uint64_t i2 = fill_end(P->so, P->bits, *i, P->so->size);
	uint64_t j2 = fill_end(P->sa, P->bits, *j, aend);
	if (i2 == *i && j2 == *j)
		return 1;
	if (i2 - *i != j2 - *j ||
	    memcmp(P->so->zeroed + *i, P->sa->zeroed + *j, i2 - *i) != 0) {
		P->fill_runs++;
		if (j2 - *j > i2 - *i)
			check_extra_fill(P, prev, *i, i2, *j, j2);
	}
	if (secmap_add(P->m, *i, *j, i2 - *i, j2 - *j, 1))
		return -1;
	*i = i2;
	*j = j2;
	return 0;
}

/* Pairs the instructions: 0 if the sequences matched to the end, 1 if not
 * (reported), -1 if out of memory. */
static int pair_section(struct pairing *P)
{
	uint64_t i = 0, j = 0, osize = P->so->size, asize = P->sa->size;
	uint64_t prev = UINT64_MAX; /* last paired instruction of AFTERBURNT, not a site */
	for (;;) {
		uint64_t j0 = j;
		j = skip_padding(P, j);
		if (j != j0)
			prev = UINT64_MAX;
		if (i >= osize && j >= asize)
			return 0;
		struct insn A = {0}, B = {0};
		int at_site = P->k < P->nsite && P->site[P->k].start == j;
		int bits = site_bits(P, j);
		if (i < osize)
			decode_at(P->so, bits, i, &A);
		if (j < asize)
			decode_at(P->sa, bits, j, &B);
		/* an int3 site pairs with its int3 before filler runs are considered */
		int r = 1;
		if ((A.fill || B.fill) &&
		    !(at_site && i < osize && j < asize && same_insn(P, i, &A, j, &B)))
			r = pair_fill(P, prev, &i, &j);
		if (r < 0)
			return -1;
		if (r == 0) {
			prev = UINT64_MAX;
			continue;
		}
		if (i < osize && j < asize && same_insn(P, i, &A, j, &B)) {
			if (free_pcrel(P->so, i, &A) &&
			    add_ref(P, &(struct pcref){i, j, A.target, B.target}))
				return -1;
			if (secmap_add(P->m, i, j, step(&A), step(&B), 0))
				return -1;
			prev = j;
			i += step(&A);
			j += step(&B);
			continue;
		}
		report_mismatch(P, i, &A, j, &B);
		P->m->limit = i;
		P->m->alimit = j;
		return 1;
	}
}

static void check_refs(const struct pairing *P)
{
	for (size_t k = 0; k < P->nbr; k++) {
		const struct pcref *b = &P->br[k];
		uint64_t want;
		if (map_accepts(P->m, b->ot, b->at))
			continue;
		struct insn in;
		decode_at(P->sa, P->bits, b->a, &in);
		if (map_off(P->m, b->ot, &want))
			report_fail(P->ab->path, P->sa->name, b->a,
				    "`%s` refers to 0x%llx, expected 0x%llx (image of ORIG "
				    "target 0x%llx)",
				    in.text, (unsigned long long)b->at, (unsigned long long)want,
				    (unsigned long long)b->ot);
		else
			report_fail(P->ab->path, P->sa->name, b->a,
				    "`%s`: ORIG target %s+0x%llx (from ORIG 0x%llx) is not an "
				    "instruction boundary with an image",
				    in.text, P->so->name, (unsigned long long)b->ot,
				    (unsigned long long)b->o);
	}
}

static const struct site *sites_of(const struct sites *ss, const struct sec *sa, size_t *n)
{
	size_t i = 0;
	while (i < ss->n && ss->v[i].sec != sa)
		i++;
	size_t k = i;
	while (k < ss->n && ss->v[k].sec == sa)
		k++;
	*n = k - i;
	return ss->v + i;
}

static unsigned long stream_section(const struct obj *orig, const struct obj *ab,
				    struct sec *so, const struct sites *ss, unsigned long *fills)
{
	struct pairing P = {.ab = ab, .so = so, .sa = so->peer, .bits = orig->is64 ? 64 : 32};
	P.site = sites_of(ss, P.sa, &P.nsite);
	P.m = secmap_new(so);
	if (!P.m) {
		report_fail(ab->path, so->name, NO_OFF, "out of memory");
		return 0;
	}
	int r = pair_section(&P);
	if (r == 0)
		check_refs(&P);
	else if (r < 0)
		report_fail(ab->path, so->name, NO_OFF, "out of memory");
	free(P.br);
	*fills += P.fill_runs;
	return P.m->n;
}

void check_streams(struct obj *orig, struct obj *ab, const struct sites *sites,
		   unsigned long *ninsns)
{
	unsigned long fills = 0;
	*ninsns = 0;
	for (size_t k = 1; k < orig->nsecs; k++) {
		struct sec *so = &orig->secs[k];
		if (!sec_is_code(so))
			continue;
		if (!so->peer || !sec_is_code(so->peer))
			continue; /* reported with the other section attributes */
		*ninsns += stream_section(orig, ab, so, sites, &fills);
	}
	if (fills)
		report_note(ab->path, "%lu runs of alignment NOPs differ in length", fills);
}

static const struct pair *pair_of(const struct secmap *m, uint64_t t)
{
	size_t lo = 0, hi = m->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->p[mid].o <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &m->p[lo - 1] : NULL;
}

int map_off(const struct secmap *m, uint64_t t, uint64_t *out)
{
	if (!m || t >= m->limit)
		return 0;
	if (t == m->osize) {
		*out = m->asize;
		return 1;
	}
	const struct pair *p = pair_of(m, t);
	if (!p || t >= p->o + p->olen)
		return 0;
	uint64_t to_end = p->o + p->olen - t;
	if (t == p->o || p->olen == p->alen)
		*out = p->a + (t - p->o);
	else if (p->fill && to_end <= p->alen) /* "function - 1" and the like */
		*out = p->a + p->alen - to_end;
	else
		return 0;
	return 1;
}

int map_accepts(const struct secmap *m, uint64_t t, uint64_t a)
{
	uint64_t w;
	if (map_off(m, t, &w) && w == a)
		return 1;
	if (!m || t >= m->limit)
		return 0;
	/* where AFTERBURNT has filler and ORIG none, a label there may stand
	 * before or after the filler */
	const struct pair *p = pair_of(m, t);
	for (size_t k = p ? (size_t)(p - m->p) + 1 : 0; k-- > 0 && m->p[k].o == t;)
		if (m->p[k].fill && m->p[k].olen == 0 &&
		    (a == m->p[k].a || a == m->p[k].a + m->p[k].alen))
			return 1;
	return 0;
}

int map_entry_field(const struct secmap *m, uint64_t t, uint64_t *out)
{
	const struct pair *p = m && t < m->limit ? pair_of(m, t) : NULL;
	if (!p || t >= p->o + p->olen || t - p->o >= p->alen)
		return 0;
	*out = p->a + (t - p->o);
	return 1;
}

int map_diverged(const struct secmap *m, uint64_t t)
{
	return m && m->limit <= m->osize && t >= m->limit;
}

int map_insn_end(const struct secmap *m, uint64_t t, uint64_t *oend, uint64_t *aend)
{
	const struct pair *p = m && t < m->limit ? pair_of(m, t) : NULL;
	if (!p || t >= p->o + p->olen)
		return 0;
	*oend = p->o + p->olen;
	*aend = p->a + p->alen;
	return 1;
}

void free_maps(struct obj *orig)
{
	for (size_t k = 0; k < orig->nsecs; k++) {
		if (orig->secs[k].map)
			free(orig->secs[k].map->p);
		free(orig->secs[k].map);
		orig->secs[k].map = NULL;
	}
}
