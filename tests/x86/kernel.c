/* Differential test over real kernels: every instruction of every
 * executable section of each image, decoded by the decoder and by capstone
 * 4, and every annotated site of its .afterburn section.
 *
 *   kernel VMLINUX...
 *
 * The sweep restarts at every non-object symbol (function entries and the
 * labels of assembly entry points) and skips object symbols inside code;
 * where neither side decodes a byte (padding, data without a symbol) it
 * steps one byte.  Lengths must agree, and operands for the decoder's
 * identities; a difference not listed in diverge.c fails.  Sites must decode
 * to the identity of their record's kind, with the record's length, and
 * with capstone's operands.  The decoder's speed over the sweep is printed
 * (ns per instruction, decode only). */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../audit/elf.h"
#include "../../audit/symbols.h"
#include "compare.h"
#include "diverge.h"
#include "previrt/afterburn.h"
#include "ref.h"
#include "x86/decode.h"

static unsigned long failures;

static void report(const struct elf_sec *s, uint64_t off, int mode, const uint8_t *p, size_t n,
		   const char *what, const struct x86_insn *in, const struct ref *r)
{
	char h[64], d[300];
	if (failures++ >= 30)
		return;
	hex(h, sizeof h, p, n < 15 ? n : 15);
	d[0] = 0;
	if (in)
		show_insn(d, sizeof d, in);
	printf("  %s+%#llx (%#llx, %d-bit) %s: %s\n    capstone: %s | decoder: %s\n", s->name,
	       (unsigned long long)off, (unsigned long long)(s->addr + off), mode, h, what,
	       r->len ? r->text : "-", d);
}

/* Compares one instruction; returns the length to step (0: neither decodes). */
static int one(const struct elf_sec *s, uint64_t off, int mode, struct x86_insn *in,
	       struct ref *r, unsigned long *explained)
{
	const uint8_t *p = s->data + off;
	size_t n = s->size - off;
	int rc = x86_decode(p, n, (enum x86_mode)mode, in);
	ref_decode(mode, p, n, r);
	struct dcase c = {mode, p, n < 15 ? n : 15, rc, in, r, D_NKINDS};
	char msg[200] = "";
	if (rc > 0 && r->len) {
		if (rc != r->len) {
			c.kind = D_LENGTH;
			snprintf(msg, sizeof msg, "length %d, capstone %d", rc, r->len);
		} else if ((in->op || r->op) && compare_operands(in, r, msg, sizeof msg)) {
			c.kind = D_OPERANDS;
		}
	} else if (rc > 0) {
		c.kind = D_ONLY_OURS;
		snprintf(msg, sizeof msg, "only the decoder decodes it");
	} else if (r->len) {
		c.kind = D_ONLY_REF;
		snprintf(msg, sizeof msg, "decoder says %d", rc);
	}
	if (c.kind != D_NKINDS) {
		if (diverge_classify(&c))
			++*explained;
		else
			report(s, off, mode, p, n, msg, rc > 0 ? in : NULL, r);
	}
	return rc > 0 ? rc : r->len;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

struct stats {
	unsigned long insns, undecodable, cuts, explained, data;
	double decode_ns;
	unsigned long timed;
};

static void sweep(const struct elf_file *f, const struct symidx *x, unsigned sec, int mode,
		  struct stats *st)
{
	const struct elf_sec *s = &f->secs[sec];
	const struct secsyms *ss = symidx_section(x, sec);
	size_t n = ss ? ss->n : 0, nr = 0;
	uint64_t *restart = malloc((n + 1) * sizeof *restart);
	unsigned char *data = calloc(s->size ? s->size : 1, 1);
	if (!restart || !data) {
		fprintf(stderr, "kernel: out of memory\n");
		exit(2);
	}
	for (size_t i = 0; i < n; i++) {
		const struct named *nm = &ss->v[i];
		if (nm->off >= s->size)
			continue;
		if (nm->type == STT_OBJECT)
			for (uint64_t k = nm->off; k < s->size && k - nm->off < nm->size; k++)
				data[k] = 1;
		else
			restart[nr++] = nm->off;
	}
	qsort(restart, nr, sizeof *restart, cmp_u64);
	size_t ri = 0;
	uint64_t pos = 0;
	struct x86_insn in;
	struct ref r;
	while (pos < s->size) {
		if (data[pos]) {
			st->data++;
			pos++;
			continue;
		}
		while (ri < nr && restart[ri] <= pos)
			ri++;
		uint64_t limit = ri < nr ? restart[ri] : s->size;
		int len = one(s, pos, mode, &in, &r, &st->explained);
		if (len <= 0) {
			st->undecodable++;
			pos++;
			continue;
		}
		if (pos + (uint64_t)len > limit) {
			st->cuts++;
			pos = limit;
			continue;
		}
		st->insns++;
		pos += (uint64_t)len;
	}
	/* decode-only pass for the speed figure: same walk, the decoder alone */
	struct timespec t0, t1;
	unsigned long k = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (pos = 0; pos < s->size;) {
		int len = x86_decode(s->data + pos, s->size - pos, (enum x86_mode)mode, &in);
		pos += len > 0 ? (uint64_t)len : 1;
		k++;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	st->decode_ns += (double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec);
	st->timed += k;
	free(restart);
	free(data);
}

/* Identities a record kind may decode to. */
static int kind_matches(unsigned kind, const struct x86_insn *in)
{
	static const unsigned char direct[PREVIRT_AB_NKINDS] = {
#define K(kd, op) [PREVIRT_AB_KIND_##kd] = X86_OP_##op
		K(CLI, CLI), K(STI, STI), K(PUSHF, PUSHF), K(POPF, POPF), K(IRET, IRET),
		K(LRET, LRET), K(FARJMP, FARJMP), K(FARCALL, FARCALL), K(INT, INT), K(HLT, HLT),
		K(IN, IN), K(OUT, OUT), K(INS, INS), K(OUTS, OUTS), K(CPUID, CPUID),
		K(RDMSR, RDMSR), K(WRMSR, WRMSR), K(RDTSC, RDTSC), K(MOV_TO_CR, MOV_TO_CR),
		K(MOV_FROM_CR, MOV_FROM_CR), K(MOV_TO_DR, MOV_TO_DR), K(MOV_FROM_DR, MOV_FROM_DR),
		K(MOV_TO_SEG, MOV_TO_SEG), K(MOV_FROM_SEG, MOV_FROM_SEG), K(PUSH_SEG, PUSH_SEG),
		K(POP_SEG, POP_SEG), K(LGDT, LGDT), K(LIDT, LIDT), K(LLDT, LLDT), K(LTR, LTR),
		K(SGDT, SGDT), K(SIDT, SIDT), K(SLDT, SLDT), K(STR, STR), K(SMSW, SMSW),
		K(LMSW, LMSW), K(CLTS, CLTS), K(INVLPG, INVLPG), K(INVD, INVD), K(WBINVD, WBINVD),
		K(LAR, LAR), K(LSL, LSL), K(VERR, VERR), K(VERW, VERW), K(SWAPGS, SWAPGS),
		K(SYSRET, SYSRET), K(SYSEXIT, SYSEXIT), K(SYSENTER, SYSENTER), K(SYSCALL, SYSCALL),
		K(XSETBV, XSETBV), K(RDPMC, RDPMC), K(RDTSCP, RDTSCP), K(RDPID, RDPID),
		K(MONITOR, MONITOR), K(MWAIT, MWAIT), K(INVPCID, INVPCID), K(WBNOINVD, WBNOINVD),
		K(STAC, STAC), K(CLAC, CLAC),
#undef K
	};
	switch (kind) {
	case PREVIRT_AB_KIND_LOAD_FARPTR:
		return in->op == X86_OP_LDS || in->op == X86_OP_LES || in->op == X86_OP_LFS ||
		       in->op == X86_OP_LGS || in->op == X86_OP_LSS;
	case PREVIRT_AB_KIND_FSGSBASE:
		return in->op == X86_OP_RDFSBASE || in->op == X86_OP_RDGSBASE ||
		       in->op == X86_OP_WRFSBASE || in->op == X86_OP_WRGSBASE;
	case PREVIRT_AB_KIND_UD2:
		return in->op == X86_OP_UD2 || in->op == X86_OP_UD1 || in->op == X86_OP_UD0;
	case PREVIRT_AB_KIND_MEM:
		for (unsigned k = 0; k < in->nopnd; k++)
			if (in->opnd[k].type == X86_OPND_MEM)
				return in->op == X86_OP_MOV || in->op == X86_OP_MOVZX ||
				       in->op == X86_OP_MOVSX || in->op == X86_OP_XCHG ||
				       in->op == X86_OP_TEST || in->op == X86_OP_AND ||
				       in->op == X86_OP_OR;
		return 0;
	}
	return kind < PREVIRT_AB_NKINDS && direct[kind] && in->op == direct[kind];
}

static unsigned long sites(const struct elf_file *f, unsigned long *per_kind)
{
	unsigned long nsites = 0, explained = 0;
	for (size_t i = 1; i < f->nsecs; i++) {
		const struct elf_sec *ab = &f->secs[i];
		if (strcmp(ab->name, PREVIRT_AB_SECTION) != 0 || !ab->data)
			continue;
		for (uint64_t off = 0; off + PREVIRT_AB_RECORD_SIZE <= ab->size;
		     off += PREVIRT_AB_RECORD_SIZE) {
			const uint8_t *q = ab->data + off;
			int32_t rel = (int32_t)((uint32_t)q[0] | (uint32_t)q[1] << 8 |
						(uint32_t)q[2] << 16 | (uint32_t)q[3] << 24);
			unsigned insn_len = q[5], kind = q[6], flags = q[7];
			if (kind == PREVIRT_AB_KIND_HEADER)
				continue;
			uint64_t addr = ab->addr + off + (uint64_t)(int64_t)rel;
			int mode = (flags & PREVIRT_AB_F_MODE_MASK) == PREVIRT_AB_F_MODE16 ? 16
				 : (flags & PREVIRT_AB_F_MODE_MASK) == PREVIRT_AB_F_MODE32 ? 32 : 64;
			const struct elf_sec *s = NULL;
			for (size_t k = 1; k < f->nsecs && !s; k++)
				if (elf_is_code(&f->secs[k]) && addr >= f->secs[k].addr &&
				    addr - f->secs[k].addr < f->secs[k].size)
					s = &f->secs[k];
			struct x86_insn in;
			struct ref r = {0};
			if (!s) {
				printf("  record at .afterburn+%#llx: site %#llx is in no code section\n",
				       (unsigned long long)off, (unsigned long long)addr);
				failures++;
				continue;
			}
			nsites++;
			if (kind < PREVIRT_AB_NKINDS)
				per_kind[kind]++;
			uint64_t so = addr - s->addr;
			int len = one(s, so, mode, &in, &r, &explained);
			int rc = x86_decode(s->data + so, s->size - so, (enum x86_mode)mode, &in);
			char what[160];
			if (rc <= 0 || !kind_matches(kind, &in) || (unsigned)rc != insn_len) {
				snprintf(what, sizeof what, "%s site (record length %u) decodes as %s (%d)",
					 kind < PREVIRT_AB_NKINDS ? previrt_ab_kind_name[kind] : "?",
					 insn_len, rc > 0 ? x86_op_name(in.op) : "nothing", rc);
				report(s, so, mode, s->data + so, s->size - so, what, rc > 0 ? &in : NULL,
				       &r);
			}
			(void)len;
		}
	}
	if (explained)
		printf("  %lu site(s) differ from capstone as diverge.c lists\n", explained);
	return nsites;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: kernel VMLINUX...\n");
		return 2;
	}
	if (ref_init()) {
		fprintf(stderr, "kernel: capstone initialisation failed\n");
		return 2;
	}
	for (int a = 1; a < argc; a++) {
		struct elf_file f;
		struct symidx x;
		char err[256];
		if (elf_load(&f, argv[a], err, sizeof err)) {
			fprintf(stderr, "kernel: %s: %s\n", argv[a], err);
			return 2;
		}
		if (symidx_build(&x, &f)) {
			fprintf(stderr, "kernel: %s: out of memory\n", argv[a]);
			return 2;
		}
		int mode = f.is64 ? 64 : 32;
		struct stats st = {0};
		unsigned long before = failures;
		for (size_t i = 1; i < f.nsecs; i++)
			if (elf_is_code(&f.secs[i]))
				sweep(&f, &x, (unsigned)i, mode, &st);
		unsigned long per_kind[PREVIRT_AB_NKINDS] = {0};
		unsigned long nsites = sites(&f, per_kind);
		printf("%s (%d-bit): %lu instructions compared, %lu bytes undecodable by both, "
		       "%lu cut at a symbol, %lu object bytes skipped, %lu listed divergences; "
		       "%lu sites checked; %lu failures; decoder %.1f ns/instruction\n",
		       argv[a], mode, st.insns, st.undecodable, st.cuts, st.data, st.explained, nsites,
		       failures - before, st.timed ? st.decode_ns / (double)st.timed : 0.0);
		printf("  sites by kind:");
		for (unsigned k = 1; k < PREVIRT_AB_NKINDS; k++)
			if (per_kind[k])
				printf(" %s %lu", previrt_ab_kind_name[k], per_kind[k]);
		printf("\n");
		symidx_free(&x);
		elf_free(&f);
	}
	diverge_report();
	ref_fini();
	printf("kernel: %s (%lu failures)\n", failures ? "FAIL" : "ok", failures);
	return failures ? 1 : 0;
}
