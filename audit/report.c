/* The human report: per file a coverage table by kind, every unannotated
 * instruction with its reason, every invalid record, and a verdict line. */
#include "report.h"

#include <string.h>

#include "exclusions.h"
#include "reasons.h"
#include "sensitive.h"

static void hex(char *out, size_t n, const uint8_t *b, unsigned len)
{
	size_t k = 0;
	out[0] = 0;
	for (unsigned i = 0; i < len && i < 15 && k + 3 < n; i++)
		k += (size_t)snprintf(out + k, n - k, "%02x", b[i]);
}

static void place_of_problem(char *buf, size_t n, const struct result *res,
			     const struct problem *p)
{
	switch (p->where) {
	case AT_SECTION:
		symidx_place(buf, n, res->f, res->x, p->sec, p->off);
		return;
	case AT_ADDRESS:
		snprintf(buf, n, "0x%llx", (unsigned long long)p->off);
		return;
	case AT_NONE:
		break;
	}
	snprintf(buf, n, "-");
}

static void table(FILE *out, const struct result *res)
{
	unsigned long tf = 0, ta = 0;
	fprintf(out, "  %-14s %8s %10s %14s\n", "kind", "found", "annotated", "not annotated");
	for (unsigned k = 0; k < PREVIRT_AB_NKINDS; k++) {
		if (!result_counts_kind(k) || !res->found[k])
			continue;
		fprintf(out, "  %-14s %8lu %10lu %14lu\n", sens_kind_name(k), res->found[k],
			res->annotated[k], res->found[k] - res->annotated[k]);
		tf += res->found[k];
		ta += res->annotated[k];
	}
	fprintf(out, "  %-14s %8lu %10lu %14lu", "total", tf, ta, tf - ta);
	if (tf)
		fprintf(out, "   (%.2f%% annotated)", 100.0 * (double)ta / (double)tf);
	fputc('\n', out);
}

static void unannotated(FILE *out, const struct result *res)
{
	const struct scan *s = res->s;
	int any = 0;
	for (size_t i = 0; i < s->n; i++) {
		const struct finding *fd = &s->v[i];
		if (fd->reason == R_ANNOTATED)
			continue;
		if (!any++)
			fprintf(out, "  not annotated (address, symbol+offset, section, kind, "
				     "instruction, bytes, reason):\n");
		const struct elf_sec *sec = &res->f->secs[fd->sec];
		const struct named *nm = symidx_name(res->x, fd->sec, fd->off);
		char sym[160], b[40];
		if (nm) {
			snprintf(sym, sizeof sym, "%s+0x%llx", nm->name,
				 (unsigned long long)(fd->off - nm->off));
		} else if (fd->has_orig) {
			const struct named *o = symidx_name(res->x, fd->orig_sec, fd->orig_off);
			snprintf(sym, sizeof sym, "(replaces %s+0x%llx if feature %s%u*32+%u)",
				 o ? o->name : "?",
				 (unsigned long long)(o ? fd->orig_off - o->off : fd->orig_off),
				 fd->feature & 0x8000 ? "!" : "", (fd->feature & 0x7fff) / 32,
				 fd->feature % 32);
		} else {
			snprintf(sym, sizeof sym, "-");
		}
		hex(b, sizeof b, fd->bytes, fd->len);
		fprintf(out, "    0x%llx  %s  %s  %s  `%s`  %s  %s",
			(unsigned long long)(sec->addr + fd->off), sym, sec->name,
			sens_kind_name(fd->kind), fd->text, b, reason_name(fd->reason));
		if (fd->reason == R_EXCLUDED) {
			const struct rule *ru = fd->rule;
			fprintf(out, " (%s:%u: %s)", ru->file, ru->line, ru->reason);
		} else if (fd->reason == R_RAW_BYTE) {
			fprintf(out, " (%s)", fd->raw);
		} else if (fd->reason == R_INVALID_RECORD) {
			fprintf(out, " (record #%zu)", fd->rec);
		}
		fputc('\n', out);
	}
}

static void invalid(FILE *out, const struct result *res)
{
	const struct records *r = res->r;
	for (size_t i = 0; i < r->nprobs; i++) {
		const struct problem *p = &r->probs[i];
		char place[200];
		place_of_problem(place, sizeof place, res, p);
		if (i == 0)
			fprintf(out, "  invalid records:\n");
		fprintf(out, "    record #%zu (%s+0x%llx), site %s: %s\n", p->rec, PREVIRT_AB_SECTION,
			(unsigned long long)p->recoff, place, p->msg);
	}
}

void report_human(FILE *out, const struct result *res)
{
	if (res->error) {
		fprintf(out, "%s: error: %s\n", res->path, res->error);
		return;
	}
	const struct elf_file *f = res->f;
	const struct scan *s = res->s;
	const struct records *r = res->r;
	fprintf(out, "%s: ELF%d %s, %d-bit code by default, %zu code sections, %llu bytes, "
		     "%llu instructions, %llu undecodable bytes",
		res->path, f->is64 ? 64 : 32, elf_type_name(f->type), res->bits, res->ncode,
		(unsigned long long)s->code_bytes, (unsigned long long)s->insns,
		(unsigned long long)s->undecodable);
	if (s->data_bytes)
		fprintf(out, ", %llu data bytes", (unsigned long long)s->data_bytes);
	fputc('\n', out);
	if (r->present)
		fprintf(out, "  %s: %zu records (%zu HEADER, %zu sites), %zu invalid\n",
			PREVIRT_AB_SECTION, r->nrecords, r->nheaders, r->nsiterecords, r->ninvalid);
	else
		fprintf(out, "  no %s section\n", PREVIRT_AB_SECTION);
	table(out, res);
	int first = 1;
	for (unsigned k = R_INVALID_RECORD; k < R_NREASONS; k++)
		if (res->by_reason[k]) {
			fprintf(out, "%s%s %lu", first ? "  not annotated by reason: " : ", ",
				reason_name((enum reason)k), res->by_reason[k]);
			first = 0;
		}
	if (!first)
		fputc('\n', out);
	unsigned long need = res->by_reason[R_ANNOTATED] + res->failing;
	if (need)
		fprintf(out, "  outside the exempt classes: %lu of %lu annotated (%.2f%%)\n",
			res->by_reason[R_ANNOTATED], need,
			100.0 * (double)res->by_reason[R_ANNOTATED] / (double)need);
	unannotated(out, res);
	invalid(out, res);
	if (res->complete)
		fprintf(out, "%s: coverage complete\n", res->path);
	else
		fprintf(out, "%s: coverage INCOMPLETE: %lu sensitive instructions not annotated "
			     "(invalid-record, raw-byte or unknown), %zu invalid records\n",
			res->path, res->failing, r->ninvalid);
}
