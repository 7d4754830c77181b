/*
 * The afterburner's rewriter.  One pass over GNU assembler text (AT&T
 * syntax), statement by statement, tracking just enough assembler state to
 * know where a site may be annotated: the current section (with the
 * .pushsection stack and .previous), the code size (.code16/32/64), Intel
 * syntax, .macro bodies and #APP blocks.
 *
 * Output is the input with text inserted around each sensitive statement and
 * nothing else changed; inserted text stays on the statement's own line (";"
 * separates statements), so the assembler's line numbers remain the
 * programmer's.  Labels are numeric local labels, which may be redefined, so
 * they are safe inside .macro, .rept and .irp bodies and never capture the
 * program's own "1:"/"1b" references; the base number is chosen so that it
 * does not occur in the input at all.
 */
#include "rewrite.h"

#include <stdlib.h>
#include <string.h>

#include "classify.h"

#define SECN 128
#define STACKN 64
#define MACRON 32

struct sec {
	char cur[SECN], prev[SECN];
	unsigned char curgrp, prevgrp; /* in a COMDAT group */
};

struct ctx {
	const struct ab_opts *o;
	struct ab_stats *st;
	struct buf *out;
	const char *in;
	size_t n, copied; /* input consumed into out up to here */
	unsigned long lineno;
	struct sec sec, stack[STACKN];
	int sp;
	struct {
		struct sec sec;
		int mode, intel;
	} macro[MACRON];
	int msp;
	int mode, intel, in_app, in_comment, ended;
	int pending_prefix; /* a start label stands before a prefix statement */
	int pending_sti;    /* an STI site waits to see its next statement */
	unsigned sti_flags;
	size_t sti_out_pos; /* where in out the STI's padding belongs */
	int label_since;    /* a label was seen since the pending item */
	unsigned long emitted; /* sites written (text occurrences) */
	unsigned long macro_sites; /* of which inside .macro bodies */
	/* Where the output enters (1) or leaves (0) .altinstr_replacement;
	 * marked there with ".set .Lprevirt_alt" only if macro_sites > 0. */
	struct alt_mark {
		size_t pos;
		int on;
	} *alt;
	size_t nalt, altcap;
	unsigned lab;          /* base of our numeric labels */
};

enum { L_START, L_IEND, L_PEND, L_SEND };

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static int is_label_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '$' || c == '\\' || c == '@';
}

static void emit_upto(struct ctx *c, size_t pos)
{
	if (pos > c->copied) {
		buf_put(c->out, c->in + c->copied, pos - c->copied);
		c->copied = pos;
	}
}

static void put_label(struct ctx *c, int which)
{
	buf_printf(c->out, "%u:", c->lab + (unsigned)which);
}

/* Padding up to the kind's site length, measured from the start label to
 * label `endlab`, then the site's record. */
static void put_pad_and_record(struct ctx *c, struct buf *o, int kind, int endlab,
			       unsigned flags)
{
	unsigned b = c->lab;
	/* A macro body may be expanded inside an alternative replacement (Linux
	 * entry_64.S: ALTERNATIVE "", "ZAP_GS", ...), where neither padding nor
	 * record belongs; only the assembler knows, so it decides, from the
	 * .Lprevirt_alt marks (see mark_alt). */
	int guarded = c->msp > 0;
	if (guarded)
		buf_puts(o, ";.ifndef .Lprevirt_alt;.set .Lprevirt_alt,0;.endif;.if .Lprevirt_alt==0");
	/* gas: a true comparison is -1 */
	buf_printf(o, ";.set .Lprevirt_d,%u-(%ub-%ub);.set .Lprevirt_p,-(.Lprevirt_d>0)*.Lprevirt_d",
		   (unsigned)c->o->site_len[kind], b + endlab, b + L_START);
	int tail = previrt_ab_restarts((unsigned)kind);
	/* the NOPs: .Lprevirt_p bytes, or .Lprevirt_n between the two short
	 * jumps of a restart tail (afterburn.h) */
	const char *n = "p";
	if (tail) {
		buf_puts(o, ";.set .Lprevirt_p,.Lprevirt_p-(.Lprevirt_p<4)*(4-.Lprevirt_p)"
			    ";.byte 0xeb,.Lprevirt_p-2;.set .Lprevirt_n,.Lprevirt_p-4");
		n = "n";
	}
	buf_printf(o, ";.set .Lprevirt_r,.Lprevirt_%s%%7"
		      ";.fill .Lprevirt_%s/7,7,0x00801f0f"
		      ";.fill -(.Lprevirt_r==1),1,0x90"
		      ";.fill -(.Lprevirt_r==2),2,0x9066"
		      ";.fill -(.Lprevirt_r==3),3,0x001f0f"
		      ";.fill -(.Lprevirt_r==4),4,0x00401f0f"
		      ";.fill -(.Lprevirt_r==5),5,0x00441f0f"
		      ";.fill -(.Lprevirt_r==6),6,0x441f0f66",
		   n, n);
	if (tail)
		buf_printf(o, ";.byte 0xeb,-(%ub-%ub+.Lprevirt_p)", b + endlab, b + L_START);
	buf_printf(o,
		   ";%u:;.pushsection " PREVIRT_AB_SECTION ",1,\"a\",@progbits;.balign 4"
		   ";.long %ub-.;.byte %ub-%ub,%ub-%ub,%d,%u;.popsection",
		   b + L_SEND, b + L_START, b + L_SEND, b + L_START, b + L_IEND, b + L_START, kind,
		   flags);
	if (guarded) {
		buf_puts(o, ";.endif");
		c->macro_sites++;
	}
	c->emitted++;
	c->st->sites[kind]++;
}

/* The pending STI had no shadow partner: its padding goes right after it,
 * on its own line, wherever the next statement turned out to be. */
static void flush_sti(struct ctx *c)
{
	if (!c->pending_sti)
		return;
	struct buf tail = {0};
	put_pad_and_record(c, &tail, PREVIRT_AB_KIND_STI, L_IEND, c->sti_flags);
	buf_insert(c->out, c->sti_out_pos, tail.p, tail.len);
	for (size_t i = 0; i < c->nalt; i++)
		if (c->alt[i].pos >= c->sti_out_pos)
			c->alt[i].pos += tail.len;
	buf_free(&tail);
	c->pending_sti = 0;
}

static void copy_name(char *dst, const char *s, size_t n)
{
	if (n >= SECN)
		n = SECN - 1;
	memcpy(dst, s, n);
	dst[n] = 0;
}

static void set_section(struct ctx *c, const char *s, size_t n, int grp)
{
	memcpy(c->sec.prev, c->sec.cur, SECN);
	c->sec.prevgrp = c->sec.curgrp;
	copy_name(c->sec.cur, s, n);
	c->sec.curgrp = (unsigned char)grp;
}

/* ".section NAME[, "flags"[, @type[, group, comdat]]]" */
static void parse_section(struct ctx *c, const char *ops, size_t n)
{
	size_t i = 0, a, b;
	if (n && ops[0] == '"') {
		a = 1;
		for (i = 1; i < n && ops[i] != '"'; i++)
			;
		b = i;
		if (i < n)
			i++;
	} else {
		a = 0;
		while (i < n && ops[i] != ',' && !is_space(ops[i]))
			i++;
		b = i;
	}
	int grp = 0;
	const char *q = memchr(ops + i, '"', n - i);
	if (q) {
		for (q++; q < ops + n && *q != '"'; q++)
			if (*q == 'G')
				grp = 1;
	}
	set_section(c, ops + a, b - a, grp);
}

static int dir_is(const char *mn, size_t n, const char *name)
{
	size_t k = strlen(name);
	if (n != k)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = mn[i];
		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		if (ch != name[i])
			return 0;
	}
	return 1;
}

static const char *skip_reason(const struct ctx *c)
{
	if (c->mode == 16)
		return "16-bit code";
	if (c->intel)
		return "Intel syntax";
	if (strcmp(c->sec.cur, ".altinstr_replacement") == 0)
		return "alternative replacement (copied at run time)";
	if (strncmp(c->sec.cur, ".discard", 8) == 0)
		return "discarded section";
	if (c->sec.curgrp)
		return "COMDAT section group (may be discarded at link time)";
	if (c->msp > 0 && c->sec.cur[0] == 0)
		return "macro body with unknown section";
	return NULL;
}

/* Something the afterburner cannot make sense of: it passes through
 * unchanged, and --verbose says so. */
static void warn(const struct ctx *c, const char *what)
{
	if (c->o->verbose)
		fprintf(c->o->verbose, "%s:%lu: warning: %s (passed through unchanged)\n",
			c->o->name, c->lineno, what);
}

static unsigned site_flags(const struct ctx *c, int prefixed)
{
	unsigned f = c->mode == 64 ? PREVIRT_AB_F_MODE64 : PREVIRT_AB_F_MODE32;
	if (strncmp(c->sec.cur, ".init.", 6) == 0 || strcmp(c->sec.cur, ".head.text") == 0)
		f |= PREVIRT_AB_F_INIT;
	if (strcmp(c->sec.cur, ".head.text") == 0)
		f |= PREVIRT_AB_F_EARLY;
	if (prefixed)
		f |= PREVIRT_AB_F_PREFIXED;
	if (c->in_app)
		f |= PREVIRT_AB_F_INLINE;
	return f;
}

static void put_header(struct ctx *c)
{
	buf_printf(c->out,
		   "\t.pushsection " PREVIRT_AB_SECTION ",0,\"a\",@progbits;.balign 4;"
		   ".long 0x%08x;.byte %u,0,%d,0;.popsection\n",
		   PREVIRT_AB_MAGIC, PREVIRT_AB_VERSION, PREVIRT_AB_KIND_HEADER);
}

/* The statement ending at `end` executes in the pending STI's shadow. */
static void close_shadow(struct ctx *c, size_t end)
{
	emit_upto(c, end);
	buf_puts(c->out, ";");
	put_label(c, L_PEND);
	put_pad_and_record(c, c->out, PREVIRT_AB_KIND_STI, L_PEND,
			   c->sti_flags | PREVIRT_AB_F_SHADOW);
	c->pending_sti = 0;
}

static int in_alt(const struct ctx *c)
{
	return strcmp(c->sec.cur, ".altinstr_replacement") == 0;
}

/* Remember that the assembler enters (on) or leaves .altinstr_replacement
 * right here in the output. */
static void mark_alt(struct ctx *c, int on)
{
	if (c->nalt == c->altcap) {
		size_t cap = c->altcap ? c->altcap * 2 : 16;
		struct alt_mark *a = realloc(c->alt, cap * sizeof *a);
		if (!a)
			return; /* then no guard for this one: records stay valid elsewhere */
		c->alt = a;
		c->altcap = cap;
	}
	c->alt[c->nalt++] = (struct alt_mark){c->out->len, on};
}

/* The directives that change the current section; 1 if it was one. */
static int section_directive(struct ctx *c, const char *mn, size_t mnl, const char *ops,
			     size_t opl)
{
	if (dir_is(mn, mnl, ".section")) {
		parse_section(c, ops, opl);
	} else if (dir_is(mn, mnl, ".pushsection")) {
		if (c->sp < STACKN)
			c->stack[c->sp] = c->sec;
		else
			warn(c, "section stack deeper than the afterburner tracks");
		c->sp++;
		parse_section(c, ops, opl);
	} else if (dir_is(mn, mnl, ".popsection")) {
		if (c->sp == 0)
			warn(c, ".popsection without .pushsection");
		else if (--c->sp < STACKN)
			c->sec = c->stack[c->sp];
	} else if (dir_is(mn, mnl, ".previous")) {
		struct sec s = c->sec;
		memcpy(c->sec.cur, s.prev, SECN);
		memcpy(c->sec.prev, s.cur, SECN);
		c->sec.curgrp = s.prevgrp;
		c->sec.prevgrp = s.curgrp;
	} else if (dir_is(mn, mnl, ".text") || dir_is(mn, mnl, ".data") ||
		   dir_is(mn, mnl, ".bss")) {
		set_section(c, mn, mnl, 0);
	} else {
		return 0;
	}
	return 1;
}

static void site(struct ctx *c, size_t start, size_t end, int kind, int inline_prefix);

static void directive(struct ctx *c, size_t start, size_t end, const char *mn, size_t mnl,
		      const char *ops, size_t opl)
{
	/* Linux writes some instructions as bytes for old assemblers
	 * (ASM_UD2, mwait, monitor): a .byte list that is exactly one
	 * sensitive instruction is a site like the instruction itself. */
	int bkind = dir_is(mn, mnl, ".byte") ? ab_classify_bytes(ops, opl) : 0;
	if (c->pending_sti) {
		if (!c->label_since && !skip_reason(c) && bkind == PREVIRT_AB_KIND_MWAIT) {
			close_shadow(c, end);
			return;
		}
		flush_sti(c);
	}
	if (bkind) {
		site(c, start, end, bkind, 0);
		return;
	}
	c->pending_prefix = 0;
	int was_alt = in_alt(c);
	int handled = section_directive(c, mn, mnl, ops, opl);
	if (in_alt(c) != was_alt) {
		emit_upto(c, end);
		mark_alt(c, !was_alt);
	}
	if (handled) {
		/* done */
	} else if (dir_is(mn, mnl, ".code16") || dir_is(mn, mnl, ".code16gcc")) {
		c->mode = 16;
	} else if (dir_is(mn, mnl, ".code32")) {
		c->mode = 32;
	} else if (dir_is(mn, mnl, ".code64")) {
		c->mode = 64;
	} else if (dir_is(mn, mnl, ".intel_syntax")) {
		c->intel = 1;
	} else if (dir_is(mn, mnl, ".att_syntax")) {
		c->intel = 0;
	} else if (dir_is(mn, mnl, ".macro")) {
		/* A body is assembled where it is used, not here: keep the
		 * state it changes to itself. */
		if (c->msp < MACRON) {
			c->macro[c->msp].sec = c->sec;
			c->macro[c->msp].mode = c->mode;
			c->macro[c->msp].intel = c->intel;
		}
		c->msp++;
	} else if (dir_is(mn, mnl, ".endm")) {
		if (c->msp == 0)
			warn(c, ".endm outside a macro");
		else if (--c->msp < MACRON) {
			c->sec = c->macro[c->msp].sec;
			c->mode = c->macro[c->msp].mode;
			c->intel = c->macro[c->msp].intel;
		}
	} else if (dir_is(mn, mnl, ".end") && c->msp == 0) {
		emit_upto(c, start);
		if (c->emitted)
			put_header(c);
		c->ended = 1;
	}
}

static int is_shadow_partner(int kind)
{
	return kind == PREVIRT_AB_KIND_HLT || kind == PREVIRT_AB_KIND_SYSEXIT ||
	       kind == PREVIRT_AB_KIND_SYSRET || kind == PREVIRT_AB_KIND_MWAIT;
}

static void verbose_skip(struct ctx *c, int kind, const char *reason, const char *s, size_t n)
{
	c->st->skipped++;
	if (c->o->verbose)
		fprintf(c->o->verbose, "%s:%lu: %s not annotated: %s: %.*s\n", c->o->name,
			c->lineno, previrt_ab_kind_name[kind], reason, (int)n, s);
}

static void statement(struct ctx *c, size_t start, size_t end)
{
	const char *s = c->in + start, *e = c->in + end;
	const char *mn = s;
	while (s < e && !is_space(*s))
		s++;
	size_t mnl = (size_t)(s - mn);
	while (s < e && is_space(*s))
		s++;
	if (mn[0] == '.') {
		directive(c, start, end, mn, mnl, s, (size_t)(e - s));
		return;
	}
	/* Prefixes written as words of the same statement: "rep outsb". */
	int inline_prefix = 0;
	while (s < e && ab_is_prefix(mn, mnl)) {
		inline_prefix = 1;
		mn = s;
		while (s < e && !is_space(*s))
			s++;
		mnl = (size_t)(s - mn);
		while (s < e && is_space(*s))
			s++;
	}
	int kind = ab_classify(mn, mnl, s, (size_t)(e - s), c->o->mem && c->in_app);

	if (c->pending_sti) {
		if (!c->label_since && is_shadow_partner(kind) && !skip_reason(c)) {
			close_shadow(c, end);
			return;
		}
		flush_sti(c);
	}
	if (!inline_prefix && s == e && ab_is_prefix(mn, mnl)) {
		/* "rep; insb": the site must start at the prefix.  The label is
		 * harmless if no sensitive instruction follows. */
		if (!skip_reason(c)) {
			emit_upto(c, start);
			put_label(c, L_START);
			c->pending_prefix = 1;
			c->label_since = 0;
		}
		return;
	}
	site(c, start, end, kind, inline_prefix);
}

/* Statement [start, end) is a sensitive instruction of `kind`: annotate it
 * where that is valid, else report why not. */
static void site(struct ctx *c, size_t start, size_t end, int kind, int inline_prefix)
{
	int prefixed = c->pending_prefix || inline_prefix;
	int have_start = c->pending_prefix;
	c->pending_prefix = 0;
	if (kind == 0)
		return;
	const char *why = skip_reason(c);
	if (why) {
		verbose_skip(c, kind, why, c->in + start, end - start);
		return;
	}
	if (have_start && c->label_since) {
		verbose_skip(c, kind, "label between prefix and instruction", c->in + start,
			     end - start);
		return;
	}
	unsigned flags = site_flags(c, prefixed);
	if (!have_start) {
		emit_upto(c, start);
		put_label(c, L_START);
	}
	emit_upto(c, end);
	buf_puts(c->out, ";");
	put_label(c, L_IEND);
	if (kind == PREVIRT_AB_KIND_STI) {
		c->pending_sti = 1;
		c->sti_flags = flags;
		c->sti_out_pos = c->out->len;
		c->label_since = 0;
		return;
	}
	put_pad_and_record(c, c->out, kind, L_IEND, flags);
}

static void label(struct ctx *c)
{
	flush_sti(c);
	c->label_since = 1;
}

/* End of a statement: ';', '#', a C comment, or the end of the line. */
static size_t stmt_end(const char *in, size_t p, size_t le)
{
	/* bytes that end or quote a statement, or may start a comment */
	static const unsigned char stop[256] = {[';'] = 1, ['#'] = 1, ['\n'] = 1,
						['/'] = 1,  ['"'] = 1, ['\''] = 1};
	while (p < le) {
		while (p < le && !stop[(unsigned char)in[p]])
			p++;
		if (p >= le)
			break;
		char ch = in[p];
		if (ch == ';' || ch == '#' || ch == '\n')
			return p;
		if (ch == '/' && p + 1 < le && in[p + 1] == '*')
			return p;
		if (ch == '"') {
			for (p++; p < le && in[p] != '"'; p++)
				if (in[p] == '\\' && p + 1 < le)
					p++;
			if (p < le)
				p++;
			continue;
		}
		if (ch == '\'' && p + 1 < le) {
			p += (in[p + 1] == '\\' && p + 2 < le) ? 3 : 2;
			continue;
		}
		p++;
	}
	return le;
}

/* Whether every '"' string in s[0..n) is closed (escapes honoured). */
static int quotes_closed(const char *s, size_t n)
{
	int open = 0;
	for (size_t i = 0; i < n; i++) {
		if (open && s[i] == '\\')
			i++;
		else if (!open && s[i] == '\'')
			i++; /* a character constant, maybe '"' */
		else if (s[i] == '"')
			open = !open;
	}
	return !open;
}

/* A label at p ("name:", "1:", "\"quoted\":"): returns its end, or 0. */
static size_t label_end(const char *in, size_t p, size_t le)
{
	size_t q = p;
	if (in[q] == '"') {
		for (q++; q < le && in[q] != '"'; q++)
			;
		if (q >= le)
			return 0;
		q++;
	} else {
		while (q < le) {
			if (in[q] == '\\' && q + 2 < le && in[q + 1] == '(' && in[q + 2] == ')')
				q += 3;
			else if (is_label_char(in[q]))
				q++;
			else
				break;
		}
	}
	if (q == p || q >= le || in[q] != ':')
		return 0;
	return q + 1;
}

static void line(struct ctx *c, size_t ls, size_t le)
{
	size_t p = ls;
	int first = 1;
	while (p < le) {
		if (c->in_comment) {
			const char *q = NULL;
			for (size_t i = p; i + 1 < le; i++)
				if (c->in[i] == '*' && c->in[i + 1] == '/') {
					q = c->in + i;
					break;
				}
			if (!q)
				return;
			c->in_comment = 0;
			p = (size_t)(q - c->in) + 2;
			continue;
		}
		while (p < le && is_space(c->in[p]))
			p++;
		if (p >= le)
			return;
		char ch = c->in[p];
		if (ch == '#') {
			if (first && le - p >= 4 && memcmp(c->in + p, "#APP", 4) == 0)
				c->in_app = 1;
			else if (first && le - p >= 7 && memcmp(c->in + p, "#NO_APP", 7) == 0)
				c->in_app = 0;
			return;
		}
		first = 0;
		if (ch == '/' && p + 1 < le && c->in[p + 1] == '*') {
			c->in_comment = 1;
			p += 2;
			continue;
		}
		if (ch == ';') {
			p++;
			continue;
		}
		size_t q = label_end(c->in, p, le);
		if (q) {
			label(c);
			p = q;
			continue;
		}
		size_t e = stmt_end(c->in, p, le);
		if (e == le && memchr(c->in + p, '"', le - p) && !quotes_closed(c->in + p, le - p))
			warn(c, "unterminated string");
		size_t t = e;
		while (t > p && is_space(c->in[t - 1]))
			t--;
		if (t > p)
			statement(c, p, t);
		if (c->ended)
			return;
		p = e;
		if (p < le && c->in[p] == ';')
			p++;
		else if (p < le && c->in[p] == '#')
			return;
	}
}

/* A decimal prefix P such that no digit run of the input contains P as a
 * substring, so labels P0..P3 cannot be the program's: the default 8047 when
 * possible, else the smallest free prefix of 4 to 8 digits (labels stay below
 * the assembler's 2^31 limit).  One pass per length over the input; 0 if every
 * prefix up to 8 digits occurs, which takes an input of some 90 MB of digits. */
static unsigned pick_label_prefix(const char *in, size_t n)
{
	for (unsigned k = 4; k <= 8; k++) {
		unsigned lo = 1, hi;
		for (unsigned i = 1; i < k; i++)
			lo *= 10;
		hi = lo * 10;
		unsigned char *seen = calloc((hi - lo + 7) / 8, 1);
		if (!seen)
			return 0;
		unsigned run = 0, val = 0;
		for (size_t i = 0; i < n; i++) {
			if (in[i] < '0' || in[i] > '9') {
				run = 0;
				val = 0;
				continue;
			}
			val = (val * 10 + (unsigned)(in[i] - '0')) % hi; /* last k digits */
			if (++run >= k && val >= lo)
				seen[(val - lo) / 8] |= (unsigned char)(1u << ((val - lo) % 8));
		}
		unsigned pick = 0;
		if (k == 4 && !(seen[(8047 - lo) / 8] & (1u << ((8047 - lo) % 8))))
			pick = 8047;
		for (unsigned v = lo; !pick && v < hi; v++)
			if (!(seen[(v - lo) / 8] & (1u << ((v - lo) % 8))))
				pick = v;
		free(seen);
		if (pick)
			return pick * 10;
	}
	return 0;
}

void ab_opts_default(struct ab_opts *o, int bits)
{
	memset(o, 0, sizeof *o);
	o->bits = bits;
	memcpy(o->site_len, previrt_ab_site_len, sizeof o->site_len);
	o->name = "<stdin>";
}

void ab_rewrite(const char *in, size_t n, struct buf *out, const struct ab_opts *o,
		struct ab_stats *st)
{
	static struct ctx c; /* large; one rewrite at a time per process */
	memset(&c, 0, sizeof c);
	c.o = o;
	c.st = st;
	c.out = out;
	c.in = in;
	c.n = n;
	c.mode = o->bits;
	strcpy(c.sec.cur, ".text");
	c.lab = pick_label_prefix(in, n);
	if (c.lab == 0) {
		if (o->verbose)
			fprintf(o->verbose, "%s: no free numeric label prefix; passed through "
					    "without annotations\n", o->name);
		buf_put(out, in, n);
		return;
	}
	size_t ls = 0;
	while (ls < n && !c.ended) {
		const char *nl = memchr(in + ls, '\n', n - ls);
		size_t le = nl ? (size_t)(nl - in) : n;
		c.lineno++;
		line(&c, ls, le);
		ls = nl ? le + 1 : n;
	}
	st->lines += c.lineno;
	if (c.in_comment)
		warn(&c, "unterminated /* comment at end of input");
	flush_sti(&c);
	emit_upto(&c, n);
	if (c.macro_sites)
		for (size_t i = c.nalt; i-- > 0;) {
			const char *set = c.alt[i].on ? ";.set .Lprevirt_alt,1" : ";.set .Lprevirt_alt,0";
			buf_insert(out, c.alt[i].pos, set, strlen(set));
		}
	free(c.alt);
	if (c.emitted && !c.ended) {
		if (out->len && out->p[out->len - 1] != '\n')
			buf_puts(out, "\n");
		put_header(&c);
	}
}
