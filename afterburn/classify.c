#include "classify.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "previrt/afterburn.h"

#define K(n) PREVIRT_AB_KIND_##n

/* How the operands decide the kind; ANY means the mnemonic alone does. */
enum rule { ANY, MOV, PUSH, POP, JMP, CALL, MEMFAM, INTN };

struct entry {
	const char *mn;
	unsigned char kind;
	unsigned char rule;
};

/* Mnemonic (lower case, every suffix form) -> kind and operand rule. */
static const struct entry table[] = {
	{"and", 0, MEMFAM}, {"andb", 0, MEMFAM}, {"andl", 0, MEMFAM},
	{"andq", 0, MEMFAM}, {"andw", 0, MEMFAM},
	{"call", K(FARCALL), CALL}, {"calll", K(FARCALL), CALL},
	{"callq", K(FARCALL), CALL}, {"callw", K(FARCALL), CALL},
	{"clac", K(CLAC), ANY}, {"cli", K(CLI), ANY}, {"clts", K(CLTS), ANY},
	{"cpuid", K(CPUID), ANY},
	{"hlt", K(HLT), ANY},
	{"in", K(IN), ANY}, {"inb", K(IN), ANY}, {"inl", K(IN), ANY},
	{"ins", K(INS), ANY}, {"insb", K(INS), ANY}, {"insd", K(INS), ANY},
	{"insl", K(INS), ANY}, {"insw", K(INS), ANY},
	{"int", K(INT), INTN},
	{"invd", K(INVD), ANY}, {"invlpg", K(INVLPG), ANY},
	{"invpcid", K(INVPCID), ANY}, {"inw", K(IN), ANY},
	{"iret", K(IRET), ANY}, {"iretd", K(IRET), ANY}, {"iretl", K(IRET), ANY},
	{"iretq", K(IRET), ANY}, {"iretw", K(IRET), ANY},
	{"jmp", K(FARJMP), JMP}, {"jmpl", K(FARJMP), JMP}, {"jmpq", K(FARJMP), JMP},
	{"jmpw", K(FARJMP), JMP},
	{"lar", K(LAR), ANY}, {"larl", K(LAR), ANY}, {"larq", K(LAR), ANY},
	{"larw", K(LAR), ANY},
	{"lcall", K(FARCALL), ANY}, {"lcalll", K(FARCALL), ANY},
	{"lcallq", K(FARCALL), ANY}, {"lcallw", K(FARCALL), ANY},
	{"lds", K(LOAD_FARPTR), ANY}, {"ldsl", K(LOAD_FARPTR), ANY},
	{"ldsw", K(LOAD_FARPTR), ANY},
	{"les", K(LOAD_FARPTR), ANY}, {"lesl", K(LOAD_FARPTR), ANY},
	{"lesw", K(LOAD_FARPTR), ANY},
	{"lfs", K(LOAD_FARPTR), ANY}, {"lfsl", K(LOAD_FARPTR), ANY},
	{"lfsq", K(LOAD_FARPTR), ANY}, {"lfsw", K(LOAD_FARPTR), ANY},
	{"lgdt", K(LGDT), ANY}, {"lgdtl", K(LGDT), ANY}, {"lgdtq", K(LGDT), ANY},
	{"lgdtw", K(LGDT), ANY},
	{"lgs", K(LOAD_FARPTR), ANY}, {"lgsl", K(LOAD_FARPTR), ANY},
	{"lgsq", K(LOAD_FARPTR), ANY}, {"lgsw", K(LOAD_FARPTR), ANY},
	{"lidt", K(LIDT), ANY}, {"lidtl", K(LIDT), ANY}, {"lidtq", K(LIDT), ANY},
	{"lidtw", K(LIDT), ANY},
	{"ljmp", K(FARJMP), ANY}, {"ljmpl", K(FARJMP), ANY},
	{"ljmpq", K(FARJMP), ANY}, {"ljmpw", K(FARJMP), ANY},
	{"lldt", K(LLDT), ANY}, {"lldtw", K(LLDT), ANY},
	{"lmsw", K(LMSW), ANY}, {"lmsww", K(LMSW), ANY},
	{"lret", K(LRET), ANY}, {"lretl", K(LRET), ANY}, {"lretq", K(LRET), ANY},
	{"lretw", K(LRET), ANY},
	{"lsl", K(LSL), ANY}, {"lsll", K(LSL), ANY}, {"lslq", K(LSL), ANY},
	{"lslw", K(LSL), ANY},
	{"lss", K(LOAD_FARPTR), ANY}, {"lssl", K(LOAD_FARPTR), ANY},
	{"lssq", K(LOAD_FARPTR), ANY}, {"lssw", K(LOAD_FARPTR), ANY},
	{"ltr", K(LTR), ANY}, {"ltrw", K(LTR), ANY},
	{"monitor", K(MONITOR), ANY}, {"monitorx", K(MONITOR), ANY},
	{"mov", 0, MOV}, {"movb", 0, MEMFAM}, {"movl", 0, MOV}, {"movq", 0, MOV},
	{"movsbl", 0, MEMFAM}, {"movsbq", 0, MEMFAM}, {"movsbw", 0, MEMFAM},
	{"movslq", 0, MEMFAM}, {"movswl", 0, MEMFAM}, {"movswq", 0, MEMFAM},
	{"movsx", 0, MEMFAM}, {"movw", 0, MOV},
	{"movzbl", 0, MEMFAM}, {"movzbq", 0, MEMFAM}, {"movzbw", 0, MEMFAM},
	{"movzwl", 0, MEMFAM}, {"movzwq", 0, MEMFAM}, {"movzx", 0, MEMFAM},
	{"mwait", K(MWAIT), ANY}, {"mwaitx", K(MWAIT), ANY},
	{"or", 0, MEMFAM}, {"orb", 0, MEMFAM}, {"orl", 0, MEMFAM},
	{"orq", 0, MEMFAM}, {"orw", 0, MEMFAM},
	{"out", K(OUT), ANY}, {"outb", K(OUT), ANY}, {"outl", K(OUT), ANY},
	{"outs", K(OUTS), ANY}, {"outsb", K(OUTS), ANY}, {"outsd", K(OUTS), ANY},
	{"outsl", K(OUTS), ANY}, {"outsw", K(OUTS), ANY}, {"outw", K(OUT), ANY},
	{"pop", K(POP_SEG), POP}, {"popf", K(POPF), ANY}, {"popfd", K(POPF), ANY},
	{"popfl", K(POPF), ANY}, {"popfq", K(POPF), ANY}, {"popfw", K(POPF), ANY},
	{"popl", K(POP_SEG), POP}, {"popq", K(POP_SEG), POP},
	{"popw", K(POP_SEG), POP},
	{"push", K(PUSH_SEG), PUSH}, {"pushf", K(PUSHF), ANY},
	{"pushfd", K(PUSHF), ANY}, {"pushfl", K(PUSHF), ANY},
	{"pushfq", K(PUSHF), ANY}, {"pushfw", K(PUSHF), ANY},
	{"pushl", K(PUSH_SEG), PUSH}, {"pushq", K(PUSH_SEG), PUSH},
	{"pushw", K(PUSH_SEG), PUSH},
	{"rdfsbase", K(FSGSBASE), ANY}, {"rdfsbasel", K(FSGSBASE), ANY},
	{"rdfsbaseq", K(FSGSBASE), ANY}, {"rdgsbase", K(FSGSBASE), ANY},
	{"rdgsbasel", K(FSGSBASE), ANY}, {"rdgsbaseq", K(FSGSBASE), ANY},
	{"rdmsr", K(RDMSR), ANY}, {"rdpid", K(RDPID), ANY},
	{"rdpmc", K(RDPMC), ANY}, {"rdtsc", K(RDTSC), ANY},
	{"rdtscp", K(RDTSCP), ANY},
	{"retf", K(LRET), ANY}, {"retfl", K(LRET), ANY}, {"retfq", K(LRET), ANY},
	{"retfw", K(LRET), ANY},
	{"sgdt", K(SGDT), ANY}, {"sgdtl", K(SGDT), ANY}, {"sgdtq", K(SGDT), ANY},
	{"sgdtw", K(SGDT), ANY},
	{"sidt", K(SIDT), ANY}, {"sidtl", K(SIDT), ANY}, {"sidtq", K(SIDT), ANY},
	{"sidtw", K(SIDT), ANY},
	{"sldt", K(SLDT), ANY}, {"sldtl", K(SLDT), ANY}, {"sldtq", K(SLDT), ANY},
	{"sldtw", K(SLDT), ANY},
	{"smsw", K(SMSW), ANY}, {"smswl", K(SMSW), ANY}, {"smswq", K(SMSW), ANY},
	{"smsww", K(SMSW), ANY},
	{"stac", K(STAC), ANY}, {"sti", K(STI), ANY},
	{"str", K(STR), ANY}, {"strl", K(STR), ANY}, {"strq", K(STR), ANY},
	{"strw", K(STR), ANY},
	{"swapgs", K(SWAPGS), ANY}, {"syscall", K(SYSCALL), ANY},
	{"sysenter", K(SYSENTER), ANY}, {"sysexit", K(SYSEXIT), ANY},
	{"sysexitl", K(SYSEXIT), ANY}, {"sysexitq", K(SYSEXIT), ANY},
	{"sysret", K(SYSRET), ANY}, {"sysretl", K(SYSRET), ANY},
	{"sysretq", K(SYSRET), ANY},
	{"test", 0, MEMFAM}, {"testb", 0, MEMFAM}, {"testl", 0, MEMFAM},
	{"testq", 0, MEMFAM}, {"testw", 0, MEMFAM},
	{"ud0", K(UD2), ANY}, {"ud1", K(UD2), ANY}, {"ud2", K(UD2), ANY},
	{"ud2a", K(UD2), ANY}, {"ud2b", K(UD2), ANY},
	{"verr", K(VERR), ANY}, {"verrw", K(VERR), ANY},
	{"verw", K(VERW), ANY}, {"verww", K(VERW), ANY},
	{"wbinvd", K(WBINVD), ANY}, {"wbnoinvd", K(WBNOINVD), ANY},
	{"wrfsbase", K(FSGSBASE), ANY}, {"wrfsbasel", K(FSGSBASE), ANY},
	{"wrfsbaseq", K(FSGSBASE), ANY}, {"wrgsbase", K(FSGSBASE), ANY},
	{"wrgsbasel", K(FSGSBASE), ANY}, {"wrgsbaseq", K(FSGSBASE), ANY},
	{"wrmsr", K(WRMSR), ANY},
	{"xchg", 0, MEMFAM}, {"xchgb", 0, MEMFAM}, {"xchgl", 0, MEMFAM},
	{"xchgq", 0, MEMFAM}, {"xchgw", 0, MEMFAM},
	{"xsetbv", K(XSETBV), ANY},
};

/* Encodings written as .byte lists in Linux 6.1 (asm/mwait.h, asm/smap.h,
 * ...).  Only complete lists match.  Two stay out on purpose: ud1 (0f b9),
 * a signature static calls check in place, and ud2 (0f 0b, BUG()/WARN()'s
 * ASM_UD2): objtool reads WARN()'s .discard.reachable label as "the
 * instruction before this one continues", and padding between the ud2 and
 * that label made objtool call 224 continuations unreachable.  ud2 traps at
 * every privilege level, so it needs no rewriting anyway. */
static const struct {
	unsigned char n, b[4];
	unsigned char kind;
} byte_forms[] = {
	{3, {0x0f, 0x01, 0xc8}, K(MONITOR)},
	{3, {0x0f, 0x01, 0xc9}, K(MWAIT)},    {3, {0x0f, 0x01, 0xfa}, K(MONITOR)},
	{3, {0x0f, 0x01, 0xfb}, K(MWAIT)},    {3, {0x0f, 0x01, 0xca}, K(CLAC)},
	{3, {0x0f, 0x01, 0xcb}, K(STAC)},     {3, {0x0f, 0x01, 0xd1}, K(XSETBV)},
	{3, {0x0f, 0x01, 0xf9}, K(RDTSCP)},   {3, {0x0f, 0x01, 0xf8}, K(SWAPGS)},
	{3, {0xf3, 0x0f, 0x09}, K(WBNOINVD)}, {4, {0xf3, 0x0f, 0xc7, 0xf8}, K(RDPID)},
};

static const char *const prefixes[] = {
	"addr16", "addr32", "cs", "data16", "data32", "ds", "es", "fs", "gs",
	"rep", "repe", "repne", "repnz", "repz", "rex", "rex64", "ss",
};

/* Open-addressed hash of table[] and prefixes[], keyed on the lower-cased
 * word, built on first use: the lookup runs for every statement of every
 * file, so it must not cost a binary search of string compares. */
#define HBITS 10
#define HSIZE (1u << HBITS)
static struct slot {
	const char *w;  /* NULL: empty */
	short entry;    /* index into table[], or -1 */
	char prefix;    /* a prefix word */
} hash[HSIZE];

static unsigned hash_word(const char *w, size_t n)
{
	unsigned h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)(w[i] | 0x20)) * 16777619u;
	return (h ^ (h >> HBITS)) & (HSIZE - 1);
}

static struct slot *slot_for(const char *w, size_t n, int insert)
{
	for (unsigned h = hash_word(w, n);; h = (h + 1) & (HSIZE - 1)) {
		struct slot *sl = &hash[h];
		if (!sl->w) {
			if (!insert)
				return NULL;
			sl->w = w;
			sl->entry = -1;
			return sl;
		}
		if (strlen(sl->w) == n && strncasecmp(sl->w, w, n) == 0)
			return sl;
	}
}

static void build_hash(void)
{
	static int built;
	if (built)
		return;
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		slot_for(table[i].mn, strlen(table[i].mn), 1)->entry = (short)i;
	for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
		slot_for(prefixes[i], strlen(prefixes[i]), 1)->prefix = 1;
	built = 1;
}

/* Mnemonics and prefixes are short words of letters and digits. */
static int plain_word(const char *w, size_t n)
{
	if (n == 0 || n > 12)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)(w[i] | 0x20);
		if (!((c >= 'a' && c <= 'z') || (w[i] >= '0' && w[i] <= '9')))
			return 0;
	}
	return 1;
}

/* Copy w to buf lower-cased; 0 if it does not fit or is not a plain word. */
static int ab_lower(const char *w, size_t n, char *buf, size_t bufsz)
{
	if (n == 0 || n >= bufsz)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)w[i];
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
			return 0;
		buf[i] = (char)c;
	}
	buf[n] = 0;
	return 1;
}

int ab_is_prefix(const char *w, size_t n)
{
	build_hash();
	const struct slot *sl = plain_word(w, n) ? slot_for(w, n, 0) : NULL;
	return sl && sl->prefix;
}

/* Split operands at top-level commas; returns how many (at most max). */
static int split_ops(const char *s, size_t n, const char **op, size_t *oplen, int max)
{
	int k = 0, depth = 0;
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		char c = i < n ? s[i] : ',';
		if (c == '(')
			depth++;
		else if (c == ')' && depth > 0)
			depth--;
		else if (c == ',' && depth == 0) {
			size_t a = start, b = i;
			while (a < b && (s[a] == ' ' || s[a] == '\t'))
				a++;
			while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t'))
				b--;
			if (k < max) {
				op[k] = s + a;
				oplen[k] = b - a;
			}
			k++;
			start = i + 1;
		}
	}
	if (n == 0)
		return 0;
	return k;
}

static int is_reg(const char *o, size_t n, char kind)
{
	char b[8];
	if (n < 3 || o[0] != '%' || !ab_lower(o + 1, n - 1, b, sizeof b))
		return 0;
	switch (kind) {
	case 's': /* segment register: the whole operand, not an override */
		return n == 3 && b[1] == 's' && strchr("cdefgs", b[0]) != NULL;
	case 'c':
		return b[0] == 'c' && b[1] == 'r' && b[2] >= '0' && b[2] <= '9';
	case 'd':
		return b[0] == 'd' && (b[1] == 'b' || b[1] == 'r') && b[2] >= '0' &&
		       b[2] <= '9';
	}
	return 0;
}

/* A quick look for %crN, %dbN, %drN or a segment register in s[0..n). */
static int names_special_reg(const char *s, size_t n)
{
	for (const char *p = memchr(s, '%', n); p && p + 2 < s + n;
	     p = memchr(p + 1, '%', (size_t)(s + n - p - 1))) {
		char a = (char)(p[1] | 0x20), b = (char)(p[2] | 0x20);
		if ((a == 'c' && b == 'r') || (a == 'd' && (b == 'b' || b == 'r')) ||
		    (b == 's' && strchr("cdefgs", a)))
			return 1;
	}
	return 0;
}

/* o[0..n) equals w, ignoring case */
static int is_word(const char *o, size_t n, const char *w)
{
	return strlen(w) == n && strncasecmp(o, w, n) == 0;
}

static int is_mem_operand(const char *o, size_t n)
{
	if (n == 0 || o[0] == '$' || (o[0] == '%' && memchr(o, ':', n) == NULL))
		return 0;
	/* %fs:/%gs: are per-CPU data, never a device register */
	if (n > 4 && o[0] == '%' && (o[1] == 'f' || o[1] == 'g') && o[2] == 's')
		return 0;
	return 1;
}

int ab_classify_bytes(const char *ops, size_t n)
{
	unsigned char v[5];
	size_t k = 0, i = 0;
	while (i < n) {
		while (i < n && (ops[i] == ' ' || ops[i] == '\t'))
			i++;
		char num[16];
		size_t j = 0;
		while (i < n && ops[i] != ',' && ops[i] != ' ' && ops[i] != '\t' && j + 1 < sizeof num)
			num[j++] = ops[i++];
		num[j] = 0;
		while (i < n && (ops[i] == ' ' || ops[i] == '\t'))
			i++;
		if (i < n && ops[i] != ',')
			return 0;
		if (i < n && ++i == n)
			return 0; /* "0x0f, 0x0b," is three bytes to gas */
		char *end;
		unsigned long x = strtoul(num, &end, 0);
		if (j == 0 || *end || x > 255 || k == sizeof v)
			return 0;
		v[k++] = (unsigned char)x;
	}
	for (size_t f = 0; f < sizeof byte_forms / sizeof byte_forms[0]; f++)
		if (byte_forms[f].n == k && memcmp(byte_forms[f].b, v, k) == 0)
			return byte_forms[f].kind;
	return 0;
}

int ab_classify(const char *mn, size_t mnlen, const char *ops, size_t opslen, int mem)
{
	build_hash();
	const struct slot *sl = plain_word(mn, mnlen) ? slot_for(mn, mnlen, 0) : NULL;
	if (!sl || sl->entry < 0)
		return 0;
	const struct entry *e = &table[sl->entry];
	if (e->rule == ANY)
		return e->kind;
	/* Most statements reaching here are ordinary movs: without a control,
	 * debug or segment register among the operands, and outside --mem,
	 * there is nothing to split. */
	if ((e->rule == MOV || e->rule == MEMFAM) && !mem && !names_special_reg(ops, opslen))
		return 0;
	const char *op[3];
	size_t ol[3];
	int nops = split_ops(ops, opslen, op, ol, 3);
	switch (e->rule) {
	case ANY:
		return e->kind;
	case MOV:
		if (nops == 2) {
			if (is_reg(op[1], ol[1], 'c'))
				return K(MOV_TO_CR);
			if (is_reg(op[0], ol[0], 'c'))
				return K(MOV_FROM_CR);
			if (is_reg(op[1], ol[1], 'd'))
				return K(MOV_TO_DR);
			if (is_reg(op[0], ol[0], 'd'))
				return K(MOV_FROM_DR);
			if (is_reg(op[1], ol[1], 's'))
				return K(MOV_TO_SEG);
			if (is_reg(op[0], ol[0], 's'))
				return K(MOV_FROM_SEG);
		}
		/* an ordinary mov may still be a device access */
		__attribute__((fallthrough));
	case MEMFAM:
		if (mem)
			for (int i = 0; i < nops && i < 3; i++)
				if (is_mem_operand(op[i], ol[i]))
					return K(MEM);
		return 0;
	case PUSH:
	case POP:
		return nops == 1 && is_reg(op[0], ol[0], 's') ? e->kind : 0;
	case INTN:
		/* gas assembles "int $3" as int3 (0xcc), which is no site */
		return nops == 1 && (is_word(op[0], ol[0], "$3") || is_word(op[0], ol[0], "$0x3") ||
				     is_word(op[0], ol[0], "$0x03"))
			       ? 0
			       : e->kind;
	case JMP:
	case CALL:
		/* "jmp $sel, $off" is a direct far transfer in AT&T syntax */
		return nops == 2 ? e->kind : 0;
	}
	return 0;
}
