/* The JSON report: one document for all files,
 *   {"tool": "previrt audit", "abi_version": 1, "files": [...], "exit_status": N}
 * Addresses are strings ("0xc1001234"): 64-bit kernel addresses do not fit
 * a JSON number's double precision. */
#include "report.h"

#include <string.h>

#include "exclusions.h"
#include "reasons.h"
#include "sensitive.h"

static int nfiles;

static void str(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			fprintf(out, "\\u%04x", *p); /* bytes, not UTF-8: stay ASCII */
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

static void addr(FILE *out, uint64_t a)
{
	fprintf(out, "\"0x%llx\"", (unsigned long long)a);
}

void json_begin(FILE *out)
{
	nfiles = 0;
	fprintf(out, "{\"tool\": \"previrt audit\", \"abi_version\": %u, \"files\": [",
		PREVIRT_AB_VERSION);
}

static void kinds(FILE *out, const struct result *res)
{
	int first = 1;
	fprintf(out, "\"kinds\": {");
	for (unsigned k = 0; k < PREVIRT_AB_NKINDS; k++) {
		if (!result_counts_kind(k))
			continue;
		fprintf(out, "%s\n      ", first ? "" : ",");
		str(out, sens_kind_name(k));
		fprintf(out, ": {\"found\": %lu, \"annotated\": %lu, \"not_annotated\": %lu}",
			res->found[k], res->annotated[k], res->found[k] - res->annotated[k]);
		first = 0;
	}
	fprintf(out, "}");
}

static void finding(FILE *out, const struct result *res, const struct finding *fd)
{
	const struct elf_sec *sec = &res->f->secs[fd->sec];
	const struct named *nm = symidx_name(res->x, fd->sec, fd->off);
	fprintf(out, "{\"address\": ");
	addr(out, sec->addr + fd->off);
	fprintf(out, ", \"section\": ");
	str(out, sec->name);
	fprintf(out, ", \"symbol\": ");
	if (nm) {
		str(out, nm->name);
		fprintf(out, ", \"offset\": %llu", (unsigned long long)(fd->off - nm->off));
	} else {
		fprintf(out, "null, \"offset\": %llu", (unsigned long long)fd->off);
	}
	if (fd->has_orig) {
		const struct named *o = symidx_name(res->x, fd->orig_sec, fd->orig_off);
		fprintf(out, ", \"replaces\": ");
		addr(out, res->f->secs[fd->orig_sec].addr + fd->orig_off);
		fprintf(out, ", \"replaces_symbol\": ");
		if (o) {
			str(out, o->name);
			fprintf(out, ", \"replaces_offset\": %llu",
				(unsigned long long)(fd->orig_off - o->off));
		} else {
			fprintf(out, "null");
		}
		fprintf(out, ", \"feature\": \"%s%u*32+%u\"", fd->feature & 0x8000 ? "!" : "",
			(fd->feature & 0x7fff) / 32, fd->feature % 32);
	}
	fprintf(out, ", \"kind\": ");
	str(out, sens_kind_name(fd->kind));
	fprintf(out, ", \"insn\": ");
	str(out, fd->text);
	fprintf(out, ", \"bytes\": \"");
	for (unsigned i = 0; i < fd->len && i < sizeof fd->bytes; i++)
		fprintf(out, "%02x", fd->bytes[i]);
	fprintf(out, "\", \"bits\": %u, \"reason\": ", fd->bits);
	str(out, reason_name(fd->reason));
	if (fd->reason == R_EXCLUDED) {
		const struct rule *ru = fd->rule;
		fprintf(out, ", \"rule\": ");
		str(out, ru->file);
		fprintf(out, ", \"rule_line\": %u, \"rule_reason\": ", ru->line);
		str(out, ru->reason);
	} else if (fd->reason == R_RAW_BYTE) {
		fprintf(out, ", \"raw_byte\": ");
		str(out, fd->raw);
	} else if (fd->reason == R_INVALID_RECORD) {
		fprintf(out, ", \"record\": %zu", fd->rec);
	}
	fprintf(out, "}");
}

static void problem(FILE *out, const struct result *res, const struct problem *p)
{
	fprintf(out, "{\"index\": %zu, \"offset\": %llu, \"site\": ", p->rec,
		(unsigned long long)p->recoff);
	if (p->where == AT_SECTION) {
		const struct elf_sec *sec = &res->f->secs[p->sec];
		const struct named *nm = symidx_name(res->x, p->sec, p->off);
		addr(out, sec->addr + p->off);
		fprintf(out, ", \"section\": ");
		str(out, sec->name);
		fprintf(out, ", \"symbol\": ");
		if (nm) {
			str(out, nm->name);
			fprintf(out, ", \"symbol_offset\": %llu", (unsigned long long)(p->off - nm->off));
		} else {
			fprintf(out, "null");
		}
	} else if (p->where == AT_ADDRESS) {
		addr(out, p->off);
	} else {
		fprintf(out, "null");
	}
	fprintf(out, ", \"problem\": ");
	str(out, p->msg);
	fprintf(out, "}");
}

void json_file(FILE *out, const struct result *res)
{
	fprintf(out, "%s\n  {\"file\": ", nfiles++ ? "," : "");
	str(out, res->path);
	if (res->error) {
		fprintf(out, ", \"error\": ");
		str(out, res->error);
		fprintf(out, "}");
		return;
	}
	const struct elf_file *f = res->f;
	const struct scan *s = res->s;
	const struct records *r = res->r;
	fprintf(out, ", \"class\": \"ELF%d\", \"type\": \"%s\", \"default_bits\": %d,\n   "
		     "\"code_sections\": %zu, \"code_bytes\": %llu, \"instructions\": %llu, "
		     "\"undecodable_bytes\": %llu, \"data_bytes\": %llu,\n   ",
		f->is64 ? 64 : 32, elf_type_name(f->type), res->bits, res->ncode,
		(unsigned long long)s->code_bytes, (unsigned long long)s->insns,
		(unsigned long long)s->undecodable, (unsigned long long)s->data_bytes);
	fprintf(out, "\"records\": {\"present\": %s, \"total\": %zu, \"headers\": %zu, "
		     "\"sites\": %zu, \"invalid\": %zu},\n   ",
		r->present ? "true" : "false", r->nrecords, r->nheaders, r->nsiterecords,
		r->ninvalid);
	kinds(out, res);
	unsigned long tf = 0, ta = 0;
	for (unsigned k = 0; k < PREVIRT_AB_NKINDS; k++)
		if (result_counts_kind(k)) {
			tf += res->found[k];
			ta += res->annotated[k];
		}
	fprintf(out, ",\n   \"total\": {\"found\": %lu, \"annotated\": %lu, \"not_annotated\": %lu},"
		     "\n   \"not_annotated_by_reason\": {", tf, ta, tf - ta);
	for (unsigned k = R_INVALID_RECORD; k < R_NREASONS; k++) {
		fprintf(out, "%s", k > R_INVALID_RECORD ? ", " : "");
		str(out, reason_name((enum reason)k));
		fprintf(out, ": %lu", res->by_reason[k]);
	}
	fprintf(out, "},\n   \"outside_exempt\": {\"annotated\": %lu, \"required\": %lu},",
		res->by_reason[R_ANNOTATED], res->by_reason[R_ANNOTATED] + res->failing);
	fprintf(out, "\n   \"unannotated\": [");
	int first = 1;
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].reason != R_ANNOTATED) {
			fprintf(out, "%s\n    ", first ? "" : ",");
			finding(out, res, &s->v[i]);
			first = 0;
		}
	fprintf(out, "],\n   \"invalid_records\": [");
	for (size_t i = 0; i < r->nprobs; i++) {
		fprintf(out, "%s\n    ", i ? "," : "");
		problem(out, res, &r->probs[i]);
	}
	fprintf(out, "],\n   \"complete\": %s}", res->complete ? "true" : "false");
}

void json_end(FILE *out, int status)
{
	fprintf(out, "\n ], \"exit_status\": %d}\n", status);
}
