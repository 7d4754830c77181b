/* The audit's single classifier: capstone instruction -> site kind.
 *
 * Capstone 4.0.2 (Debian 12) misses or mismeasures a few instructions that
 * kernels use; they are recognised from their bytes here so the linear
 * sweep keeps true lengths and the kinds stay right:
 *   ud0 (0f ff /r), ud1 (0f b9 /r)  decoded without their ModRM byte
 *   monitorx, mwaitx (0f 01 fa/fb)  unknown
 *   rdpid (f3 0f c7 /7)             decoded as rdseed
 *   wbnoinvd (f3 0f 09)             decoded as wbinvd
 *   other 0f 01 /r with mod 11      (rdpkru, wrpkru, serialize, ...) unknown
 *   0f ae /r with mod 11            (tpause, umwait, umonitor) unknown
 *   tilerelease (c4 e2 78 49 c0)    unknown
 * Operand-dependent kinds (mov to/from CR/DR/segment registers, push/pop of
 * segment registers, int n) are decided from the opcode bytes, which do not
 * depend on the syntax capstone prints. */
#include "sensitive.h"

#include <capstone/capstone.h>
#include <stdio.h>
#include <string.h>

#include "previrt/afterburn.h"

#define K(n) PREVIRT_AB_KIND_##n

/* How the kind of an id is decided: by the id alone, or by opcode bytes. */
enum rule { ID, MOV, PUSHPOP, INTN };

static const struct {
	unsigned id;
	unsigned char kind, rule;
} by_id[] = {
	{X86_INS_CLI, K(CLI), ID},         {X86_INS_STI, K(STI), ID},
	{X86_INS_PUSHF, K(PUSHF), ID},     {X86_INS_PUSHFD, K(PUSHF), ID},
	{X86_INS_PUSHFQ, K(PUSHF), ID},    {X86_INS_POPF, K(POPF), ID},
	{X86_INS_POPFD, K(POPF), ID},      {X86_INS_POPFQ, K(POPF), ID},
	{X86_INS_IRET, K(IRET), ID},       {X86_INS_IRETD, K(IRET), ID},
	{X86_INS_IRETQ, K(IRET), ID},      {X86_INS_RETF, K(LRET), ID},
	{X86_INS_RETFQ, K(LRET), ID},      {X86_INS_LJMP, K(FARJMP), ID},
	{X86_INS_LCALL, K(FARCALL), ID},   {X86_INS_INT, K(INT), INTN},
	{X86_INS_HLT, K(HLT), ID},         {X86_INS_IN, K(IN), ID},
	{X86_INS_OUT, K(OUT), ID},         {X86_INS_INSB, K(INS), ID},
	{X86_INS_INSW, K(INS), ID},        {X86_INS_INSD, K(INS), ID},
	{X86_INS_OUTSB, K(OUTS), ID},      {X86_INS_OUTSW, K(OUTS), ID},
	{X86_INS_OUTSD, K(OUTS), ID},      {X86_INS_CPUID, K(CPUID), ID},
	{X86_INS_RDMSR, K(RDMSR), ID},     {X86_INS_WRMSR, K(WRMSR), ID},
	{X86_INS_RDTSC, K(RDTSC), ID},     {X86_INS_RDTSCP, K(RDTSCP), ID},
	{X86_INS_RDPMC, K(RDPMC), ID},     {X86_INS_XSETBV, K(XSETBV), ID},
	{X86_INS_MOV, 0, MOV},             {X86_INS_PUSH, K(PUSH_SEG), PUSHPOP},
	{X86_INS_POP, K(POP_SEG), PUSHPOP}, {X86_INS_LDS, K(LOAD_FARPTR), ID},
	{X86_INS_LES, K(LOAD_FARPTR), ID}, {X86_INS_LFS, K(LOAD_FARPTR), ID},
	{X86_INS_LGS, K(LOAD_FARPTR), ID}, {X86_INS_LSS, K(LOAD_FARPTR), ID},
	{X86_INS_LGDT, K(LGDT), ID},       {X86_INS_LIDT, K(LIDT), ID},
	{X86_INS_LLDT, K(LLDT), ID},       {X86_INS_LTR, K(LTR), ID},
	{X86_INS_SGDT, K(SGDT), ID},       {X86_INS_SIDT, K(SIDT), ID},
	{X86_INS_SLDT, K(SLDT), ID},       {X86_INS_STR, K(STR), ID},
	{X86_INS_SMSW, K(SMSW), ID},       {X86_INS_LMSW, K(LMSW), ID},
	{X86_INS_CLTS, K(CLTS), ID},       {X86_INS_INVLPG, K(INVLPG), ID},
	{X86_INS_INVD, K(INVD), ID},       {X86_INS_WBINVD, K(WBINVD), ID},
	{X86_INS_INVPCID, K(INVPCID), ID}, {X86_INS_LAR, K(LAR), ID},
	{X86_INS_LSL, K(LSL), ID},         {X86_INS_VERR, K(VERR), ID},
	{X86_INS_VERW, K(VERW), ID},       {X86_INS_SWAPGS, K(SWAPGS), ID},
	{X86_INS_SYSRET, K(SYSRET), ID},   {X86_INS_SYSEXIT, K(SYSEXIT), ID},
	{X86_INS_SYSENTER, K(SYSENTER), ID}, {X86_INS_SYSCALL, K(SYSCALL), ID},
	{X86_INS_MONITOR, K(MONITOR), ID}, {X86_INS_MWAIT, K(MWAIT), ID},
	{X86_INS_STAC, K(STAC), ID},       {X86_INS_CLAC, K(CLAC), ID},
	{X86_INS_RDFSBASE, K(FSGSBASE), ID}, {X86_INS_RDGSBASE, K(FSGSBASE), ID},
	{X86_INS_WRFSBASE, K(FSGSBASE), ID}, {X86_INS_WRGSBASE, K(FSGSBASE), ID},
	{X86_INS_UD2, K(UD2), ID},         {X86_INS_UD2B, K(UD2), ID},
	{X86_INS_UD0, K(UD2), ID},
};

static unsigned char kind_of[X86_INS_ENDING], rule_of[X86_INS_ENDING];

/* One handle per code size: 16, 32, 64. */
static csh cs[3];
static cs_insn *ci[3];

static int mode_index(int bits)
{
	return bits == 16 ? 0 : bits == 32 ? 1 : 2;
}

int sens_init(void)
{
	static const cs_mode modes[3] = {CS_MODE_16, CS_MODE_32, CS_MODE_64};
	for (size_t i = 0; i < sizeof by_id / sizeof by_id[0]; i++) {
		kind_of[by_id[i].id] = by_id[i].kind;
		rule_of[by_id[i].id] = by_id[i].rule;
	}
	for (int i = 0; i < 3; i++) {
		if (cs_open(CS_ARCH_X86, modes[i], &cs[i]) != CS_ERR_OK)
			return -1;
		/* AT&T, so the text reads like the .s files the kernel was built from */
		cs_option(cs[i], CS_OPT_SYNTAX, CS_OPT_SYNTAX_ATT);
		cs_option(cs[i], CS_OPT_DETAIL, CS_OPT_ON);
		ci[i] = cs_malloc(cs[i]);
		if (!ci[i])
			return -1;
	}
	return 0;
}

void sens_fini(void)
{
	for (int i = 0; i < 3; i++) {
		if (ci[i])
			cs_free(ci[i], 1);
		ci[i] = NULL;
		if (cs[i])
			cs_close(&cs[i]);
	}
}

static int is_legacy_prefix(uint8_t b)
{
	switch (b) {
	case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
	case 0x66: case 0x67: case 0xf0: case 0xf2: case 0xf3:
		return 1;
	}
	return 0;
}

/* Bytes before the opcode: legacy prefixes, then REX in 64-bit code. */
static unsigned prefix_len(int bits, const uint8_t *p, size_t n, int *has_f3)
{
	unsigned i = 0;
	*has_f3 = 0;
	while (i < n && i < 14 && is_legacy_prefix(p[i]))
		*has_f3 |= p[i++] == 0xf3;
	if (bits == 64 && i < n && (p[i] & 0xf0) == 0x40)
		i++;
	return i;
}

static const cs_insn *cs_one(int bits, const uint8_t *p, size_t n, uint64_t addr)
{
	int m = mode_index(bits);
	const uint8_t *code = p;
	size_t size = n < 15 ? n : 15;
	return cs_disasm_iter(cs[m], &code, &size, &addr, ci[m]) ? ci[m] : NULL;
}

/* ud0/ud1 take a ModRM operand that capstone 4 ignores: measure them as
 * imul (0f af), which has the same operand encoding. */
static unsigned modrm_len_as_imul(int bits, const uint8_t *p, size_t n, unsigned o)
{
	uint8_t tmp[15];
	size_t k = n < sizeof tmp ? n : sizeof tmp;
	memcpy(tmp, p, k);
	tmp[o + 1] = 0xaf;
	const cs_insn *c = cs_one(bits, tmp, k, 0);
	return c && c->id == X86_INS_IMUL ? c->size : 0;
}

static void set(struct insn *in, unsigned len, unsigned kind, const char *text)
{
	in->len = len;
	in->kind = kind;
	snprintf(in->text, sizeof in->text, "%s", text);
}

/* What capstone 4 cannot decode or measure; 1 if handled. */
static int by_bytes(int bits, const uint8_t *p, size_t n, unsigned o, struct insn *in)
{
	if (o + 3 > n || o + 3 > 15 || p[o] != 0x0f)
		return 0;
	if (p[o + 1] == 0x01 && (p[o + 2] == 0xfa || p[o + 2] == 0xfb)) {
		int wait = p[o + 2] == 0xfb;
		set(in, o + 3, wait ? K(MWAIT) : K(MONITOR), wait ? "mwaitx" : "monitorx");
		return 1;
	}
	if (p[o + 1] == 0xb9 || p[o + 1] == 0xff) {
		unsigned len = modrm_len_as_imul(bits, p, n, o);
		if (!len)
			return 0;
		set(in, len, K(UD2), p[o + 1] == 0xb9 ? "ud1" : "ud0");
		return 1;
	}
	return 0;
}

/* Instructions capstone 4 rejects that are not sensitive but occur in
 * kernels: measured so the sweep stays in step (kind 0).  Anything else is
 * undecodable, named as the byte it starts with. */
static void unknown_to_capstone(const uint8_t *p, size_t n, unsigned o, struct insn *in)
{
	static const uint8_t tilerelease[] = {0xc4, 0xe2, 0x78, 0x49, 0xc0};
	char t[48];
	if (o == 0 && n >= sizeof tilerelease && memcmp(p, tilerelease, sizeof tilerelease) == 0) {
		set(in, sizeof tilerelease, 0, "tilerelease");
		return;
	}
	/* 0f 01 (group 7: rdpkru, wrpkru, serialize, ...) and 0f ae (tpause,
	 * umwait, umonitor) with a register ModRM are opcode + ModRM only. */
	if (o + 3 <= n && o + 3 <= 15 && p[o] == 0x0f && (p[o + 2] & 0xc0) == 0xc0 &&
	    (p[o + 1] == 0x01 || p[o + 1] == 0xae)) {
		snprintf(t, sizeof t, "(0f %02x %02x, unknown to capstone 4)", p[o + 1], p[o + 2]);
		set(in, o + 3, 0, t);
		return;
	}
	snprintf(t, sizeof t, ".byte 0x%02x", p[0]);
	set(in, 0, 0, t);
}

static unsigned kind_by_rule(unsigned id, const uint8_t *p, size_t n, unsigned o)
{
	uint8_t b0 = o < n ? p[o] : 0, b1 = o + 1 < n ? p[o + 1] : 0;
	switch (rule_of[id]) {
	case ID:
		return kind_of[id];
	case MOV:
		if (b0 == 0x8c)
			return K(MOV_FROM_SEG);
		if (b0 == 0x8e)
			return K(MOV_TO_SEG);
		if (b0 == 0x0f && b1 == 0x20)
			return K(MOV_FROM_CR);
		if (b0 == 0x0f && b1 == 0x22)
			return K(MOV_TO_CR);
		if (b0 == 0x0f && b1 == 0x21)
			return K(MOV_FROM_DR);
		if (b0 == 0x0f && b1 == 0x23)
			return K(MOV_TO_DR);
		return 0;
	case PUSHPOP:
		/* es cs ss ds: 06 0e 16 1e push, 07 17 1f pop; fs gs: 0f a0/a8, 0f a1/a9 */
		if (b0 == 0x06 || b0 == 0x0e || b0 == 0x16 || b0 == 0x1e || b0 == 0x07 ||
		    b0 == 0x17 || b0 == 0x1f ||
		    (b0 == 0x0f && (b1 == 0xa0 || b1 == 0xa1 || b1 == 0xa8 || b1 == 0xa9)))
			return kind_of[id];
		return 0;
	case INTN:
		/* cd 03 traps like int3, which is not a site (docs/afterburner.md) */
		return b0 == 0xcd && b1 != 3 ? K(INT) : 0;
	}
	return 0;
}

static int is_rel_branch_id(unsigned id)
{
	switch (id) {
	case X86_INS_JMP: case X86_INS_CALL: case X86_INS_XBEGIN:
	case X86_INS_LOOP: case X86_INS_LOOPE: case X86_INS_LOOPNE:
	case X86_INS_JCXZ: case X86_INS_JECXZ: case X86_INS_JRCXZ:
	case X86_INS_JAE: case X86_INS_JA: case X86_INS_JBE: case X86_INS_JB:
	case X86_INS_JE: case X86_INS_JGE: case X86_INS_JG: case X86_INS_JLE:
	case X86_INS_JL: case X86_INS_JNE: case X86_INS_JNO: case X86_INS_JNP:
	case X86_INS_JNS: case X86_INS_JO: case X86_INS_JP: case X86_INS_JS:
		return 1;
	}
	return 0;
}

static void pc_relative(int bits, const cs_insn *c, struct insn *in)
{
	const cs_x86 *x = &c->detail->x86;
	if (is_rel_branch_id(c->id) && x->op_count == 1 && x->operands[0].type == X86_OP_IMM) {
		in->pcrel = SENS_PC_BRANCH;
		in->target = (uint64_t)x->operands[0].imm;
		if (bits != 64)
			in->target &= 0xffffffffu;
	}
	for (unsigned i = 0; i < x->op_count; i++)
		if (x->operands[i].type == X86_OP_MEM && x->operands[i].mem.base == X86_REG_RIP &&
		    x->encoding.disp_offset && x->encoding.disp_size) {
			in->pcrel = SENS_PC_RIP;
			in->target = c->address + c->size + (uint64_t)x->operands[i].mem.disp;
			in->disp_off = x->encoding.disp_offset;
			in->disp_size = x->encoding.disp_size;
		}
}

/* "lea 0(%esi),%esi" and friends: gas's 32-bit alignment NOPs. */
static int is_fill_lea(int bits, const cs_insn *c)
{
	const cs_x86 *x = &c->detail->x86;
	/* AT&T operand order: the source, in memory, comes first */
	if (bits != 32 || c->id != X86_INS_LEA || x->op_count != 2 ||
	    x->operands[0].type != X86_OP_MEM || x->operands[1].type != X86_OP_REG)
		return 0;
	const x86_op_mem *m = &x->operands[0].mem;
	return m->base == x->operands[1].reg && m->disp == 0 &&
	       (m->index == X86_REG_INVALID || m->index == X86_REG_EIZ) &&
	       m->segment == X86_REG_INVALID;
}

static int is_fill(int bits, const uint8_t *p, const cs_insn *c, unsigned npfx)
{
	if (npfx >= c->size)
		return 0;
	for (unsigned i = 0; i < npfx; i++)
		if (p[i] != 0x66 && p[i] != 0x2e)
			return 0;
	const uint8_t *op = p + npfx;
	if (op[0] == 0xcc) /* ".align 64, 0xcc" in the kernel's entry code */
		return npfx == 0;
	if (op[0] == 0x90)
		return c->id == X86_INS_NOP || c->id == X86_INS_XCHG;
	if (op[0] == 0x0f && c->size > npfx + 2 && op[1] == 0x1f)
		return 1;
	if (npfx)
		return 0;
	/* "mov %esi,%esi": what older gas used for two bytes in 32-bit code */
	const cs_x86 *x = &c->detail->x86;
	if (bits == 32 && c->id == X86_INS_MOV && c->size == 2 && x->op_count == 2 &&
	    x->operands[0].type == X86_OP_REG && x->operands[1].type == X86_OP_REG &&
	    x->operands[0].reg == x->operands[1].reg)
		return 1;
	return is_fill_lea(bits, c);
}

void sens_decode(int bits, const uint8_t *p, size_t n, uint64_t addr, struct insn *in)
{
	memset(in, 0, sizeof *in);
	if (n == 0)
		return;
	int f3;
	unsigned o = prefix_len(bits, p, n, &f3);
	in->npfx = o;
	if (by_bytes(bits, p, n, o, in))
		return;
	const cs_insn *c = cs_one(bits, p, n, addr);
	if (!c) {
		unknown_to_capstone(p, n, o, in);
		return;
	}
	in->len = c->size;
	in->id = c->id;
	in->kind = c->id < X86_INS_ENDING ? kind_by_rule(c->id, p, n, o) : 0;
	pc_relative(bits, c, in);
	in->fill = is_fill(bits, p, c, o);
	/* a long operand text is cut short: the text is for people */
	if (snprintf(in->text, sizeof in->text, "%s%s%s", c->mnemonic, c->op_str[0] ? " " : "",
		     c->op_str) >= (int)sizeof in->text)
		in->text[sizeof in->text - 1] = 0;
	const cs_x86 *x = &c->detail->x86;
	for (unsigned i = 0; i < x->op_count && i < 8; i++)
		in->has_mem |= x->operands[i].type == X86_OP_MEM;
	/* capstone 4 drops the f3 that tells these apart from rdseed/wbinvd */
	if (f3 && c->id == X86_INS_RDSEED && o + 3 <= n && p[o] == 0x0f && p[o + 1] == 0xc7)
		set(in, c->size, K(RDPID), "rdpid");
	else if (f3 && c->id == X86_INS_WBINVD)
		set(in, c->size, K(WBNOINVD), "wbnoinvd");
}

int sens_kind_matches(unsigned kind, const struct insn *in)
{
	if (in->len == 0 || kind == K(HEADER) || kind >= PREVIRT_AB_NKINDS)
		return 0;
	if (kind == K(MEM))
		return in->has_mem;
	return in->kind == kind;
}

int sens_is_shadow_partner(unsigned kind)
{
	return kind == K(HLT) || kind == K(SYSEXIT) || kind == K(SYSRET) || kind == K(MWAIT);
}

const char *sens_kind_name(unsigned kind)
{
	return kind < PREVIRT_AB_NKINDS ? previrt_ab_kind_name[kind] : "?";
}
