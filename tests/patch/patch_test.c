/* Unit tests of the site patcher (ipvmm/core/patch.c) on hand-made images,
 * and, given vmlinux files as arguments, on real afterburnt kernels:
 *
 *   patch_test [VMLINUX...]
 *
 * Every failing check prints what it expected; the last line is the count. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipvmm/core/nops.h"
#include "ipvmm/core/patch.h"
#include "ipvmm/process/elfimage.h"

#define K(n) PREVIRT_AB_KIND_##n

static unsigned passed, failed;

static void check(int ok, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (ok) {
		passed++;
	} else {
		failed++;
		fputs("FAIL: ", stdout);
		vprintf(fmt, ap);
		putchar('\n');
	}
	va_end(ap);
}

/* A synthetic image: code at VADDR, records after it. */
#define VADDR 0xc1000000u
#define IMG 0x400
#define CODE_END 0x300
#define AB_OFF 0x300
#define GUARD 64

struct fake {
	uint8_t raw[GUARD + IMG + GUARD]; /* guard bytes on both sides */
	uint8_t *img;
	unsigned nrec;
	struct patch_region code;
	struct patch_image pi;
};

static void put_rec(struct fake *f, int32_t rel, uint8_t len, uint8_t ilen, uint8_t kind, uint8_t flags)
{
	uint8_t *r = f->img + AB_OFF + 8 * f->nrec;
	uint32_t u = (uint32_t)rel;
	for (int k = 0; k < 4; k++)
		r[k] = (uint8_t)(u >> (8 * k));
	r[4] = len, r[5] = ilen, r[6] = kind, r[7] = flags;
	f->nrec++;
	f->pi.ab_size = 8 * f->nrec;
}

/* A site at code offset off: the instruction bytes (nbytes: the
 * annotated one, ilen, plus a shadowed one), then padding to len. */
static void site_bytes(struct fake *f, unsigned off, const uint8_t *insn, unsigned nbytes,
		       unsigned ilen, unsigned len, unsigned kind, unsigned flags)
{
	memcpy(f->img + off, insn, nbytes);
	nop_fill(f->img + off + nbytes, len - nbytes);
	put_rec(f, (int32_t)(off - (AB_OFF + 8 * f->nrec)), (uint8_t)len, (uint8_t)ilen,
		(uint8_t)kind, (uint8_t)flags);
}

static void site(struct fake *f, unsigned off, const uint8_t *insn, unsigned ilen, unsigned len,
		 unsigned kind, unsigned flags)
{
	site_bytes(f, off, insn, ilen, ilen, len, kind, flags);
}

static const uint8_t CLI[] = {0xfa}, STI_HLT[] = {0xfb, 0xf4}, MOVCR3[] = {0x0f, 0x22, 0xd8},
		     OUT80[] = {0xe6, 0x80}, IRET[] = {0xcf};

#define M32 PREVIRT_AB_F_MODE32

static void fake_init(struct fake *f)
{
	memset(f, 0, sizeof *f);
	memset(f->raw, 0xa5, sizeof f->raw);
	f->img = f->raw + GUARD;
	memset(f->img, 0xcc, IMG); /* int3 between sites */
	f->code = (struct patch_region){VADDR, VADDR + CODE_END};
	f->pi = (struct patch_image){f->img, VADDR, IMG, VADDR + AB_OFF, 0, &f->code, 1};
	put_rec(f, (int32_t)PREVIRT_AB_MAGIC, PREVIRT_AB_VERSION, 0, 0, 0);
	site(f, 0x40, CLI, 1, 8, K(CLI), M32);
	site(f, 0x10, MOVCR3, 3, 7, K(MOV_TO_CR), M32); /* out of address order */
	site(f, 0x60, OUT80, 2, 7, K(OUT), M32 | PREVIRT_AB_F_EARLY);
	site_bytes(f, 0x80, STI_HLT, 2, 1, 24, K(STI), M32 | PREVIRT_AB_F_SHADOW);
	site(f, 0xb0, IRET, 1, 7, K(IRET), M32);
}

/* cli -> movb $0, 0xfffff000 (7 bytes) */
static int emit_cli(const struct patch_site *s, uint8_t *buf, unsigned room, void *ctx)
{
	(void)s, (void)ctx;
	static const uint8_t seq[] = {0xc6, 0x05, 0x00, 0xf0, 0xff, 0xff, 0x00};
	if (room < sizeof seq)
		return -1;
	memcpy(buf, seq, sizeof seq);
	return sizeof seq;
}

static int emit_never_fits(const struct patch_site *s, uint8_t *buf, unsigned room, void *ctx)
{
	(void)s, (void)buf, (void)ctx;
	return room < 64 ? -1 : 0;
}

static struct patch_policy test_policy(void)
{
	struct patch_policy p = {.name = "test"};
	p.rule[K(CLI)] = (struct patch_rule){.action = PATCH_INLINE, .emit = emit_cli};
	p.rule[K(MOV_TO_CR)] = (struct patch_rule){PATCH_CALL, XFER_FAR, 0x33, 0xffe00000, 0};
	p.rule[K(OUT)] = (struct patch_rule){PATCH_CALL, XFER_REL32, 0, 0xffe00100, 0};
	p.rule[K(STI)] = (struct patch_rule){.action = PATCH_INLINE, .emit = emit_never_fits};
	p.rule[K(IRET)] = (struct patch_rule){PATCH_JMP, XFER_ABS, 0, 0xffe00200, 0};
	return p;
}

static void test_good(void)
{
	struct fake f;
	fake_init(&f);
	struct patch_site sites[8];
	uint32_t n;
	struct patch_stats st;
	struct patch_error err;
	uint8_t before[sizeof f.raw];
	memcpy(before, f.raw, sizeof before);
	int rc = patch_image(&f.pi, NULL, sites, 8, &n, &st, &err);
	check(rc == 0, "valid image rejected: %s", err.msg);
	check(n == 5 && st.sites == 5 && st.headers == 1 && st.records == 6, "counts: %u sites", n);
	check(memcmp(before, f.raw, sizeof before) == 0, "validation alone wrote to the image");
	for (uint32_t k = 1; k < n; k++)
		check(sites[k - 1].addr < sites[k].addr, "site table not sorted at %u", k);
	check(sites[0].kind == K(MOV_TO_CR) && sites[0].insn.opnd[0].u.reg.num == 3,
	      "mov to cr3 decoded: kind %u", sites[0].kind);

	struct patch_policy pol = test_policy();
	rc = patch_image(&f.pi, &pol, sites, 8, &n, &st, &err);
	check(rc == 0, "patching failed: %s", err.msg);
	static const uint8_t far[] = {0x9a, 0x00, 0x00, 0xe0, 0xff, 0x33, 0x00};
	check(memcmp(f.img + 0x10, far, 7) == 0, "mov %%eax,%%cr3 not rewritten to lcall $0x33");
	static const uint8_t mov[] = {0xc6, 0x05, 0x00, 0xf0, 0xff, 0xff, 0x00, 0x90};
	check(memcmp(f.img + 0x40, mov, 8) == 0, "cli not inlined (plus a 1-byte NOP)");
	check(memcmp(f.img + 0x60, before + GUARD + 0x60, 7) == 0, "EARLY site given a rel32 call");
	check(st.kind[K(OUT)].too_short == 1 && st.kind[K(OUT)].native == 1, "EARLY rel32 not counted");
	check(memcmp(f.img + 0x80, before + GUARD + 0x80, 24) == 0, "too-short inline wrote");
	check(st.kind[K(STI)].too_short == 1, "too-short inline not counted");
	static const uint8_t jmp[] = {0xff, 0x25, 0x00, 0x02, 0xe0, 0xff, 0x90};
	check(memcmp(f.img + 0xb0, jmp, 7) == 0, "iret not rewritten to jmp *abs");
	check(st.kind[K(CLI)].inlined == 1 && st.kind[K(MOV_TO_CR)].called == 1 &&
		      st.kind[K(IRET)].jumped == 1,
	      "per-kind statistics");
	/* nothing outside the sites changed */
	for (unsigned i = 0; i < sizeof f.raw; i++) {
		int64_t a = (int64_t)i - GUARD;
		const struct patch_site *s = patch_find(sites, n, VADDR + (uint64_t)a);
		if (!s && f.raw[i] != before[i]) {
			check(0, "byte at image offset %lld written outside any site", (long long)a);
			break;
		}
	}
	const struct patch_site *s = patch_find(sites, n, VADDR + 0x10 + 7 - 1);
	check(s && s->addr == VADDR + 0x10, "patch_find by return address - 1");
	check(patch_find(sites, n, VADDR + 0x17) == NULL, "patch_find past a site's end");
	check(patch_find(sites, n, VADDR) == NULL, "patch_find before the first site");

	/* the same policy on a rel32-capable (not early) OUT site */
	fake_init(&f);
	f.img[AB_OFF + 8 * 3 + 7] = M32;
	rc = patch_image(&f.pi, &pol, sites, 8, &n, &st, &err);
	uint32_t want = 0xffe00100u - (VADDR + 0x60 + 5);
	uint8_t call[5] = {0xe8, (uint8_t)want, (uint8_t)(want >> 8), (uint8_t)(want >> 16),
			   (uint8_t)(want >> 24)};
	check(rc == 0 && memcmp(f.img + 0x60, call, 5) == 0, "out not rewritten to call rel32");
}

/* Each broken image must be refused naming record idx, and left untouched. */
static void expect_reject(const char *what, void (*breakit)(struct fake *), uint32_t idx)
{
	struct fake f;
	fake_init(&f);
	breakit(&f);
	uint8_t before[sizeof f.raw];
	memcpy(before, f.raw, sizeof before);
	struct patch_site sites[8];
	uint32_t n = 99;
	struct patch_stats st;
	struct patch_error err = {0};
	struct patch_policy pol = test_policy();
	int rc = patch_image(&f.pi, &pol, sites, 8, &n, &st, &err);
	char want[32];
	snprintf(want, sizeof want, "record %u", idx);
	check(rc == -1, "%s: accepted", what);
	check(rc == -1 && err.rec == idx && strstr(err.msg, want), "%s: error '%s' (want %s)", what,
	      err.msg, want);
	check(rc == -1 && strstr(err.msg, "0x"), "%s: error names no address: '%s'", what, err.msg);
	check(memcmp(before, f.raw, sizeof before) == 0, "%s: image written", what);
	check(n == 0, "%s: site count %u", what, n);
	printf("  rejected (%s): %s\n", what, err.msg);
}

static void bad_kind(struct fake *f) { f->img[AB_OFF + 8 * 2 + 6] = 99; }
static void header_kind(struct fake *f) { f->img[AB_OFF + 8 * 2 + 6] = 0; }
static void overlap(struct fake *f)
{
	site(f, 0x40, CLI, 1, 8, K(CLI), M32); /* record 6: same site as record 1 */
}
static void overlap_partial(struct fake *f)
{
	/* record 6: the hlt inside the sti; hlt site (the only way a valid
	 * instruction sits inside another site: padding is never one) */
	put_rec(f, (int32_t)(0x81 - (AB_OFF + 8 * 6)), 7, 1, K(HLT), M32);
}
static void out_of_bounds(struct fake *f) { put_rec(f, 0x7ffffff0, 7, 1, K(CLI), M32); }
static void outside_code(struct fake *f)
{
	f->img[0x340] = 0xfa; /* inside the image but in the records area, not code */
	put_rec(f, (int32_t)(0x340 - (AB_OFF + 8 * 6)), 7, 1, K(CLI), M32);
}
static void before_end(struct fake *f) { put_rec(f, -(int32_t)(AB_OFF + 8 * 6) - 16, 7, 1, K(CLI), M32); }
static void wrong_len(struct fake *f) { f->img[AB_OFF + 8 * 2 + 5] = 2; }
static void wrong_kind(struct fake *f) { f->img[AB_OFF + 8 * 1 + 6] = K(STI); }
static void bad_pad(struct fake *f) { f->img[0x40 + 5] = 0xcc; }
static void bad_version(struct fake *f) { f->img[AB_OFF + 4] = 1; }
static void bad_magic(struct fake *f) { f->img[AB_OFF] ^= 1; }
static void no_header(struct fake *f) { memcpy(f->img + AB_OFF, f->img + AB_OFF + 8, 8); }
static void reserved_flag(struct fake *f) { f->img[AB_OFF + 8 * 5 + 7] |= PREVIRT_AB_F_RESERVED; }
static void no_mode(struct fake *f) { f->img[AB_OFF + 8 * 5 + 7] = 0; }
static void short_site(struct fake *f) { f->img[AB_OFF + 8 * 5 + 4] = 6; }
static void no_shadow(struct fake *f) { f->img[0x81] = 0x90; }

static void test_rejects(void)
{
	expect_reject("undefined kind", bad_kind, 2);
	expect_reject("site record with the header kind", header_kind, 2);
	expect_reject("two records, one site", overlap, 6);
	expect_reject("site inside another's padding", overlap_partial, 6);
	expect_reject("site far out of bounds", out_of_bounds, 6);
	expect_reject("site outside the code regions", outside_code, 6);
	expect_reject("site before the image", before_end, 6);
	expect_reject("insn_len does not match", wrong_len, 2);
	expect_reject("instruction is not the kind", wrong_kind, 1);
	expect_reject("padding overwritten", bad_pad, 1);
	expect_reject("ABI version 1 (before the restart tail)", bad_version, 0);
	expect_reject("header magic", bad_magic, 0);
	expect_reject("site before any header", no_header, 0);
	expect_reject("reserved flag", reserved_flag, 5);
	expect_reject("no code size", no_mode, 5);
	expect_reject("site shorter than the minimum", short_site, 5);
	expect_reject("SHADOW without a partner", no_shadow, 4);

	struct fake f;
	fake_init(&f);
	struct patch_site sites[2];
	uint32_t n;
	struct patch_stats st;
	struct patch_error err;
	check(patch_image(&f.pi, NULL, sites, 2, &n, &st, &err) == -1 && err.rec == 3,
	      "a full site table is an error naming the record: %s", err.msg);
	f.pi.ab_size = 12;
	check(patch_image(&f.pi, NULL, sites, 2, &n, &st, &err) == -1, "partial record accepted");
}

/* A policy that rewrites every site: far calls in 32-bit code, rel32 calls
 * in 64-bit code (targets near the image so they reach). */
static struct patch_policy all_calls(int is64, uint64_t near)
{
	struct patch_policy p = {.name = "all-calls"};
	for (unsigned k = 1; k < PREVIRT_AB_NKINDS; k++)
		p.rule[k] = is64 ? (struct patch_rule){PATCH_CALL, XFER_REL32, 0, near, 0}
				 : (struct patch_rule){PATCH_CALL, XFER_FAR, 0x33, 0xffe00000u, 0};
	return p;
}

/* An int $0x80 site of n bytes with the restart tail (afterburn.h), at off. */
static void int80_site(struct fake *f, unsigned off, unsigned n)
{
	static const uint8_t INT80[] = {0xcd, 0x80};
	site(f, off, INT80, 2, n, K(INT), M32);
	f->img[off + 2] = 0xeb, f->img[off + 3] = (uint8_t)(n - 4);
	nop_fill(f->img + off + 4, n - 6);
	f->img[off + n - 2] = 0xeb, f->img[off + n - 1] = (uint8_t)(0x100 - n);
}

/* The restart tail: the patcher accepts it only whole, and a rewrite keeps
 * it, so an OS backing the return address up by 2 re-enters the site. */
static void test_restart_tail(void)
{
	struct fake f;
	fake_init(&f);
	int80_site(&f, 0xd0, 9);
	struct patch_policy pol = test_policy();
	pol.rule[K(INT)] = (struct patch_rule){PATCH_CALL, XFER_FAR, 0x33, 0xffe00300, 0};
	struct patch_site sites[8];
	uint32_t n;
	struct patch_stats st;
	struct patch_error err;
	int rc = patch_image(&f.pi, &pol, sites, 8, &n, &st, &err);
	check(rc == 0, "int site with its restart tail rejected: %s", rc ? err.msg : "");
	static const uint8_t want[9] = {0x9a, 0x00, 0x03, 0xe0, 0xff, 0x33, 0x00, 0xeb, 0xf7};
	check(memcmp(f.img + 0xd0, want, 9) == 0, "int site: far call, then the tail's jump back");
	check(st.kind[K(INT)].called == 1, "int site: not called");

	/* every other shape is refused before anything is written */
	static const struct {
		const char *what;
		unsigned len, at;
		uint8_t byte;
	} bad[] = {
		{"int site without a tail (NOPs to its end)", 9, 7, 0x66},
		{"tail jumping back to the wrong place", 9, 8, 0xf8},
		{"jump over the NOPs to the wrong place", 9, 3, 0x04},
		{"int site too short for the tail", 5, 0, 0},
	};
	for (unsigned k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		fake_init(&f);
		if (bad[k].len == 5) {
			static const uint8_t INT80[] = {0xcd, 0x80};
			site(&f, 0xd0, INT80, 2, 7, K(INT), M32); /* version 1 layout */
		} else {
			int80_site(&f, 0xd0, bad[k].len);
			f.img[0xd0 + bad[k].at] = bad[k].byte;
			if (bad[k].at == 7)
				f.img[0xd0 + 8] = 0x90; /* 66 90 */
		}
		uint8_t before[sizeof f.raw];
		memcpy(before, f.raw, sizeof before);
		rc = patch_image(&f.pi, &pol, sites, 8, &n, &st, &err);
		check(rc != 0 && err.rec == 6, "%s: accepted (rec %u: %s)", bad[k].what, err.rec, err.msg);
		check(memcmp(before, f.raw, sizeof before) == 0, "%s: image written", bad[k].what);
	}
}

static void test_kernel(const char *path)
{
	struct elfimage im;
	char e[256];
	if (elfimage_open(&im, path, e, sizeof e)) {
		check(0, "%s: %s", path, e);
		return;
	}
	uint64_t span = im.vhi - im.vlo;
	uint8_t *orig = malloc(span), *mem = malloc(span);
	uint32_t max = (uint32_t)(im.ab_size / 8), n;
	struct patch_site *sites = calloc(max ? max : 1, sizeof *sites);
	if (!orig || !mem || !sites) {
		check(0, "out of memory");
		return;
	}
	elfimage_copy(&im, orig);
	memcpy(mem, orig, span);
	struct patch_image pi = {mem, im.vlo, span, im.ab_vaddr, im.ab_size, im.code, im.ncode};
	struct patch_stats st;
	struct patch_error err = {0};
	int rc = patch_image(&pi, NULL, sites, max, &n, &st, &err);
	check(rc == 0, "%s: records rejected: %s", path, err.msg);
	check(rc == 0 && n == st.records - st.headers && n > 1000, "%s: %u sites of %u records", path,
	      n, st.records);
	check(memcmp(orig, mem, span) == 0, "%s: validation wrote", path);
	uint64_t near = im.code[0].start + 64;
	struct patch_policy pol = all_calls(im.is64, near);
	rc = patch_image(&pi, &pol, sites, max, &n, &st, &err);
	check(rc == 0, "%s: patching failed: %s", path, err.msg);
	uint32_t called = 0, short_ = 0;
	for (unsigned k = 0; k < PREVIRT_AB_NKINDS; k++)
		called += st.kind[k].called, short_ += st.kind[k].too_short;
	/* every byte outside a site unchanged; every site starts with its call */
	uint64_t outside_diff = 0, wrong_call = 0;
	for (uint32_t k = 0, last = 0; k <= n; k++) {
		uint64_t from = last, to = k < n ? sites[k].addr - im.vlo : span;
		if (memcmp(orig + from, mem + from, to - from))
			outside_diff++;
		if (k == n)
			break;
		const struct patch_site *s = &sites[k];
		uint8_t op = mem[s->addr - im.vlo];
		if (s->action == PATCH_CALL && op != (im.is64 ? 0xe8 : 0x9a))
			wrong_call++;
		last = (uint32_t)(s->addr + s->len - im.vlo);
	}
	check(outside_diff == 0, "%s: %llu gaps between sites changed", path,
	      (unsigned long long)outside_diff);
	check(wrong_call == 0, "%s: %llu sites without their call", path, (unsigned long long)wrong_call);
	check(called + short_ == n, "%s: %u called + %u left native != %u sites", path, called, short_, n);
	printf("  %s: %u records, %u headers, %u sites; all-calls policy: %u called, %u left native\n",
	       path, st.records, st.headers, n, called, short_);
	free(orig);
	free(mem);
	free(sites);
	elfimage_close(&im);
}

int main(int argc, char **argv)
{
	test_good();
	test_rejects();
	test_restart_tail();
	for (int i = 1; i < argc; i++)
		test_kernel(argv[i]);
	printf("patch_test: %u passed, %u failed\n", passed, failed);
	return failed != 0;
}
