/* The list of deliberate differences from capstone 4.  Each entry names
 * the encodings precisely (mode, map, opcode, prefixes, ModRM) so that a
 * new difference elsewhere still fails. */
#include "diverge.h"

#include <stdio.h>
#include <string.h>

/* Prefixes, map, opcode and ModRM of the bytes, read independently of the
 * decoder under test. */
struct shape {
	int p66, p67, pf2, pf3, lock, rex;
	uint8_t last; /* the last legacy prefix byte, 0 if none */
	unsigned map, opc;
	int modrm; /* -1 if the bytes end */
};

static void shape_of(const struct dcase *c, struct shape *s)
{
	size_t i = 0;
	*s = (struct shape){0};
	for (; i < c->n; i++) {
		uint8_t b = c->p[i];
		if (c->mode == 64 && (b & 0xf0) == 0x40) {
			s->rex = b;
			continue;
		}
		if (b == 0x66)
			s->p66 = 1;
		else if (b == 0xf2)
			s->pf2 = 1;
		else if (b == 0xf3)
			s->pf3 = 1;
		else if (b == 0xf0)
			s->lock = 1;
		else if (b == 0x67)
			s->p67 = 1;
		else if (!(b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e || b == 0x64 ||
			   b == 0x65))
			break;
		s->last = b;
		s->rex = 0;
	}
	if (i < c->n && c->p[i] == 0x0f) {
		s->map = 1;
		i++;
		if (i < c->n && (c->p[i] == 0x38 || c->p[i] == 0x3a)) {
			s->map = c->p[i] == 0x38 ? 2 : 3;
			i++;
		}
	}
	s->opc = i < c->n ? c->p[i] : 0x100;
	s->modrm = i + 1 < c->n ? c->p[i + 1] : -1;
}

#define BIT(k) (1u << (k))

static int vex_measured(const struct dcase *c)
{
	return c->in->vex != 0;
}

static int vex_after_prefix(const struct dcase *c)
{
	struct shape s;
	shape_of(c, &s);
	return s.map == 0 && (s.opc == 0xc4 || s.opc == 0xc5 || s.opc == 0x62) &&
	       (s.p66 || s.pf2 || s.pf3 || s.lock || s.rex) && (c->mode == 64 || s.modrm >= 0xc0);
}

static int xop(const struct dcase *c)
{
	struct shape s;
	shape_of(c, &s);
	return s.map == 0 && s.opc == 0x8f && s.modrm >= 0 && (s.modrm & 0x1f) >= 8;
}

static int ud01(const struct dcase *c)
{
	struct shape s;
	shape_of(c, &s);
	return s.map == 1 && (s.opc == 0xb9 || s.opc == 0xff);
}

static int newer(const struct dcase *c)
{
	struct shape s;
	shape_of(c, &s);
	if (s.map == 1 && s.opc == 0x01 && s.modrm >= 0) {
		switch (s.modrm) {
		case 0xe8: case 0xee: case 0xef: case 0xfa: case 0xfb: case 0xfc: case 0xfd:
			return 1;
		}
		return s.modrm < 0xc0 && ((s.modrm >> 3) & 7) == 5 && s.pf3;
	}
	if (s.map == 2 && (s.opc == 0xf8 || s.opc == 0xf9))
		return 1;
	return s.map == 2 && s.opc == 0xf6 && !s.p66 && !s.pf3 && !s.pf2;
}

static int amd_prefetch(const struct dcase *c)
{
	struct shape s;
	shape_of(c, &s);
	return s.map == 1 && s.opc == 0x0d && s.modrm >= 0 && ((s.modrm >> 3) & 7) == 0;
}

static int hint_nop(const struct dcase *c)
{
	struct shape s;
	shape_of(c, &s);
	return s.map == 1 && s.opc >= 0x19 && s.opc <= 0x1f;
}

static int sse16(const struct dcase *c)
{
	struct shape s;
	shape_of(c, &s);
	return c->mode == 16 && s.map >= 1 && (s.p66 || s.pf2 || s.pf3);
}

static int branch66(const struct dcase *c)
{
	struct shape s;
	shape_of(c, &s);
	return c->mode == 64 && s.p66 && !(s.rex & 8) &&
	       ((s.map == 0 && (s.opc == 0xe8 || s.opc == 0xe9)) ||
		(s.map == 1 && (s.opc & 0xf0) == 0x80));
}

static int lock_ud(const struct dcase *c)
{
	struct shape s;
	shape_of(c, &s);
	return s.lock;
}

static int swapgs_legacy(const struct dcase *c)
{
	struct shape s;
	shape_of(c, &s);
	return c->mode != 64 && s.map == 1 && s.opc == 0x01 && s.modrm == 0xf8;
}

static int rexw_vs_66_67(const struct dcase *c)
{
	struct shape s;
	shape_of(c, &s);
	return c->mode == 64 && (s.rex & 8) && (s.p66 || s.p67);
}

static int opsize_with_rep(const struct dcase *c)
{
	struct shape s;
	shape_of(c, &s);
	return s.p66 && (s.pf2 || s.pf3) && !(s.rex & 8);
}

static int xchg66(const struct dcase *c)
{
	struct shape s;
	shape_of(c, &s);
	return c->mode == 64 && s.p66 && s.map == 0 && s.opc >= 0x91 && s.opc <= 0x97;
}

static int femms_suffix(const struct dcase *c)
{
	struct shape s;
	shape_of(c, &s);
	return s.map == 1 && s.opc == 0x0f && c->r->len > 0 && c->p[c->r->len - 1] == 0x0e;
}

static int lsl64(const struct dcase *c)
{
	struct shape s;
	shape_of(c, &s);
	return c->mode == 64 && (s.rex & 8) && s.map == 1 && s.opc == 0x03 && s.modrm >= 0xc0;
}

static int sse_66_and_rep(const struct dcase *c)
{
	struct shape s;
	shape_of(c, &s);
	return s.map >= 1 && s.p66 && (s.pf2 || s.pf3);
}

static int moffs_66_rep(const struct dcase *c)
{
	struct shape s;
	shape_of(c, &s);
	return s.map == 0 && s.opc >= 0xa0 && s.opc <= 0xa3 && s.p66 && (s.pf2 || s.pf3);
}

static int nop_rex(const struct dcase *c)
{
	struct shape s;
	shape_of(c, &s);
	return c->mode == 64 && s.map == 0 && s.opc == 0x90 && s.rex && !(s.rex & 1);
}

static int evex_rounding(const struct dcase *c)
{
	const struct x86_insn *in = c->in;
	return in->vex == 4 && in->modrm >= 0xc0 && c->r->len == in->len + 1 &&
	       strstr(c->r->text, "-sae}") != NULL;
}

static int sse_66_not_last(const struct dcase *c)
{
	struct shape s;
	shape_of(c, &s);
	return s.map >= 1 && s.p66 && s.last != 0x66 && !s.pf2 && !s.pf3;
}

struct divergence divergences[] = {
	{"VEX/EVEX measured only",
	 "the decoder measures VEX and EVEX instructions (escape, map, EVEX's fixed bits) "
	 "but does not check that the opcode/pp/W/L combination exists; none is sensitive, "
	 "so the VMM needs only their length",
	 BIT(D_ONLY_OURS), vex_measured, 0},
	{"prefix before VEX/EVEX",
	 "66, f2, f3, lock or REX before c4/c5/62 is #UD (SDM 2.3.2); capstone 4 decodes it",
	 BIT(D_ONLY_REF), vex_after_prefix, 0},
	{"XOP", "AMD XOP (8f with map >= 8, Bulldozer family only) is not decoded",
	 BIT(D_ONLY_REF), xop, 0},
	{"ud0/ud1 ModRM",
	 "ud0 (0f ff) and ud1 (0f b9) take a ModRM operand (SDM; Linux's UBSAN traps use "
	 "ud1 with one); capstone 4 stops after the opcode",
	 BIT(D_LENGTH) | BIT(D_ONLY_OURS), ud01, 0},
	{"newer than capstone 4",
	 "serialize, rdpkru, wrpkru, monitorx, mwaitx, clzero, rdpru (0f 01 e8/ee/ef/fa-fd), "
	 "rstorssp (f3 0f 01 /5), wrss (0f 38 f6), movdir64b/enqcmd(s) (0f 38 f8), "
	 "movdiri (0f 38 f9) postdate capstone 4",
	 BIT(D_ONLY_OURS), newer, 0},
	{"AMD prefetch",
	 "0f 0d /0 is AMD's PREFETCH (3DNow!, executed as a NOP by later CPUs); capstone 4 "
	 "knows only prefetchw (/1)",
	 BIT(D_ONLY_OURS), amd_prefetch, 0},
	{"hint NOP space",
	 "0f 19-0f 1f are \"nop Ev\" for every ModRM and prefix (SDM NOP, reserved hint "
	 "NOPs); capstone 4 rejects some register and prefixed forms (MPX, CET remnants)",
	 BIT(D_ONLY_OURS), hint_nop, 0},
	{"SSE in 16-bit code",
	 "capstone 4 does not see 66/f2/f3 as mandatory prefixes in 16-bit mode, so it "
	 "rejects SSE2+ forms that CPUs run in real mode",
	 BIT(D_ONLY_OURS) | BIT(D_LENGTH), sse16, 0},
	{"lock where it is #UD",
	 "lock is allowed only on the read-modify-write instructions with a memory "
	 "destination (SDM LOCK); capstone 4 accepts it on more (lock adc reg, mem; "
	 "some x87 and popf forms)",
	 BIT(D_ONLY_REF), lock_ud, 0},
	{"swapgs outside 64-bit",
	 "swapgs is #UD outside 64-bit mode (SDM); capstone 4 decodes it in every mode",
	 BIT(D_ONLY_REF), swapgs_legacy, 0},
	{"66 near branch, 64-bit",
	 "Intel CPUs ignore 66 on near jmp/call/jcc in 64-bit mode (rel32); capstone 4 "
	 "follows AMD (rel16)",
	 BIT(D_LENGTH), branch66, 0},
	{"REX.W with 66 or 67",
	 "REX.W wins over 66 and 67 changes only the address size (SDM 2.2.1.2); capstone 4 "
	 "gives a 16-bit operand size when 66 or 67 comes with REX.W (insw, call rel16)",
	 BIT(D_LENGTH) | BIT(D_OPERANDS), rexw_vs_66_67, 0},
	{"66 with f2/f3",
	 "capstone 4 drops part of 66's operand-size effect when f2 or f3 is present too "
	 "(it prints `out dx, eax` for 66 f2 ef, `test eax, 0x63f` for 66 f3 a9 3f 06, "
	 "and reads imm32 for 66 f2 68)",
	 BIT(D_OPERANDS) | BIT(D_LENGTH), opsize_with_rep, 0},
	{"EVEX rounding",
	 "EVEX register forms that capstone 4 prints with embedded rounding ({rn-sae}...) "
	 "are measured one byte too long by it; rounding lives in EVEX.b and L'L, there is "
	 "no extra byte (SDM 2.7.6)",
	 BIT(D_LENGTH), evex_rounding, 0},
	{"66 with f2/f3, SSE form",
	 "with 66 and f2/f3 the last f2/f3 selects the SSE form (SDM 2.1.1, table A-3 "
	 "notes); capstone 4 falls back to the 66 form when the f2/f3 form does not fit",
	 BIT(D_ONLY_REF), sse_66_and_rep, 0},
	{"66 not next to 0f",
	 "a 66 mandatory prefix counts wherever it is among the prefixes (SDM 2.1.1); "
	 "capstone 4 ignores it when another legacy prefix follows it (66 67 0f 7d)",
	 BIT(D_ONLY_OURS), sse_66_not_last, 0},
	{"66 f2/f3 moffs mov",
	 "capstone 4 rejects mov to/from moffs (a0-a3) when 66 and f2/f3 are both present; "
	 "f2/f3 do nothing there and 66 sets the operand size",
	 BIT(D_ONLY_OURS), moffs_66_rep, 0},
	{"REX 90 is nop",
	 "90 with a REX prefix but not REX.B is nop (pause after f3); capstone 4 calls "
	 "f3 REX.W 90 `xchg rax, rax`",
	 BIT(D_OPERANDS), nop_rex, 0},
	{"66 xchg, 64-bit",
	 "capstone 4 names the accumulator eax in 66 9x (xchg ax, r16) in 64-bit code",
	 BIT(D_OPERANDS), xchg66, 0},
	{"lsl r64, r32",
	 "lsl's register source is r32 with REX.W (SDM: LSL r64, r32/m16); capstone 4 "
	 "prints a 64-bit register there (and r32 for lar)",
	 BIT(D_OPERANDS), lsl64, 0},
	{"3DNow! suffix 0e",
	 "capstone 4 decodes 0f 0f /r 0e as femms (which is 0f 0e); no CPU defines that "
	 "3DNow! suffix",
	 BIT(D_ONLY_REF), femms_suffix, 0},
};
const size_t ndivergences = sizeof divergences / sizeof divergences[0];

struct divergence *diverge_classify(const struct dcase *c)
{
	for (size_t i = 0; i < ndivergences; i++)
		if ((divergences[i].kinds >> c->kind & 1) && divergences[i].match(c)) {
			divergences[i].count++;
			return &divergences[i];
		}
	return NULL;
}

void diverge_report(void)
{
	for (size_t i = 0; i < ndivergences; i++)
		if (divergences[i].count)
			printf("  divergence %-26s %8lu  (%s)\n", divergences[i].name,
			       divergences[i].count, divergences[i].reason);
}
