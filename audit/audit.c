/* previrt audit: proves, on a built ELF binary, that every sensitive
 * instruction is annotated by a valid .afterburn record (DESIGN.md
 * section 3, "Audit").  This file is the command: options, the per-file
 * pipeline (load, records, sweep, reasons, report) and the exit status. */
#include "audit.h"

#include <elf.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "altinstr.h"
#include "elf.h"
#include "exclusions.h"
#include "modes.h"
#include "reasons.h"
#include "records.h"
#include "report.h"
#include "result.h"
#include "scan.h"
#include "sensitive.h"
#include "symbols.h"

enum { EXIT_COMPLETE = 0, EXIT_INCOMPLETE = 1, EXIT_BAD_INPUT = 2 };

struct opts {
	int json;
	int bits; /* 0: from each file's e_machine */
	struct rules rules;
};

static void usage(FILE *f)
{
	fputs("usage: previrt audit [--json] [--arch=i386|x86_64] [--exclusions FILE]... ELF...\n"
	      "\n"
	      "Decodes every executable section of each ELF file (ELF32/ELF64 x86: objects,\n"
	      "vmlinux, the vDSO), finds every sensitive instruction, checks the .afterburn\n"
	      "records, and reports per kind what is annotated and what is not, and why.\n"
	      "\n"
	      "  --json             one JSON document on stdout instead of the table\n"
	      "  --arch=ARCH        decode as i386 (32-bit) or x86_64 (64-bit) code instead\n"
	      "                     of what e_machine says\n"
	      "  --exclusions FILE  documented exclusion rules, one per line:\n"
	      "                       section NAME reason...   symbol NAME reason...\n"
	      "                     (NAME is a shell pattern; '#' starts a comment line)\n"
	      "  -h, --help         this text\n"
	      "\n"
	      "Reasons an instruction is not annotated: invalid-record, alternative-replacement,\n"
	      "16-bit, excluded, raw-byte, unknown.  Exit status: 0 every sensitive instruction\n"
	      "is annotated or alternative-replacement/16-bit/excluded, and every record is\n"
	      "valid; 1 coverage incomplete or a record invalid; 2 bad input or usage.\n"
	      "\n"
	      "Code-size table (default: the ELF machine):\n",
	      f);
	if (f == stdout) {
		modes_print_table();
		fputs("Raw-byte table (instructions Linux 6.1 writes with .byte):\n", f);
		reasons_print_raw_table();
	}
}

static int default_bits(const struct elf_file *f, const struct opts *o, char *err, size_t n)
{
	if (f->machine != EM_386 && f->machine != EM_X86_64 && f->machine != EM_IAMCU) {
		snprintf(err, n, "e_machine %u is not x86 (EM_386 or EM_X86_64)", f->machine);
		return 0;
	}
	if (o->bits)
		return o->bits;
	return f->machine == EM_X86_64 ? 64 : 32;
}

static void count(struct result *res, const struct scan *s)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct finding *fd = &s->v[i];
		res->found[fd->kind]++;
		res->by_reason[fd->reason]++;
		if (fd->reason == R_ANNOTATED)
			res->annotated[fd->kind]++;
		else if (reason_fails((enum reason)fd->reason))
			res->failing++;
	}
	res->complete = res->failing == 0 && res->r->ninvalid == 0;
}

static void emit(const struct opts *o, const struct result *res)
{
	if (o->json)
		json_file(stdout, res);
	else
		report_human(stdout, res);
}

/* One file through the whole pipeline; returns its exit status. */
static int audit_file(const char *path, const struct opts *o)
{
	static char err[512];
	struct elf_file f;
	struct symidx x = {0};
	struct records r = {0};
	struct scan s = {0};
	struct secmodes *modes = NULL;
	struct altmap alt = {0};
	struct result res = {.path = path};
	int status = EXIT_BAD_INPUT;
	if (elf_load(&f, path, err, sizeof err))
		goto out;
	res.bits = default_bits(&f, o, err, sizeof err);
	if (!res.bits)
		goto out;
	modes = calloc(f.nsecs, sizeof *modes);
	if (!modes || symidx_build(&x, &f)) {
		snprintf(err, sizeof err, "out of memory");
		goto out;
	}
	for (size_t i = 1; i < f.nsecs; i++) {
		if (!elf_is_code(&f.secs[i]))
			continue;
		res.ncode++;
		if (modes_for_section(&f, &x, (unsigned)i, res.bits, &modes[i])) {
			snprintf(err, sizeof err, "out of memory");
			goto out;
		}
	}
	if (records_read(&r, &f, &x, modes, err, sizeof err))
		goto out;
	if (scan_image(&s, &f, &x, modes, &r)) {
		snprintf(err, sizeof err, "out of memory");
		goto out;
	}
	if (r.oom) {
		snprintf(err, sizeof err, "out of memory");
		goto out;
	}
	if (altmap_build(&alt, &f)) {
		snprintf(err, sizeof err, "out of memory");
		goto out;
	}
	reasons_assign(&s, &f, &x, &o->rules, &alt);
	records_finish(&r);
	res.f = &f;
	res.x = &x;
	res.r = &r;
	res.s = &s;
	count(&res, &s);
	status = res.complete ? EXIT_COMPLETE : EXIT_INCOMPLETE;
out:
	if (status == EXIT_BAD_INPUT) {
		fprintf(stderr, "previrt audit: %s: %s\n", path, err);
		res.error = err;
	}
	emit(o, &res);
	altmap_free(&alt);
	scan_free(&s);
	records_free(&r);
	if (modes)
		for (size_t i = 0; i < f.nsecs; i++)
			free(modes[i].v);
	free(modes);
	symidx_free(&x);
	elf_free(&f);
	return status;
}

int audit_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'},
		{"arch", required_argument, NULL, 'a'},
		{"exclusions", required_argument, NULL, 'x'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct opts o = {0};
	char err[512];
	int c, status = EXIT_COMPLETE;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			o.json = 1;
			break;
		case 'a':
			if (strcmp(optarg, "i386") == 0)
				o.bits = 32;
			else if (strcmp(optarg, "x86_64") == 0)
				o.bits = 64;
			else {
				fprintf(stderr, "previrt audit: unknown --arch '%s' (i386 or x86_64)\n",
					optarg);
				status = EXIT_BAD_INPUT;
				goto out;
			}
			break;
		case 'x':
			if (rules_load(&o.rules, optarg, err, sizeof err)) {
				fprintf(stderr, "previrt audit: %s\n", err);
				status = EXIT_BAD_INPUT;
				goto out;
			}
			break;
		case 'h':
			usage(stdout);
			goto out;
		default:
			usage(stderr);
			status = EXIT_BAD_INPUT;
			goto out;
		}
	}
	if (optind >= argc) {
		fputs("previrt audit: no input files\n", stderr);
		usage(stderr);
		status = EXIT_BAD_INPUT;
		goto out;
	}
	if (sens_init()) {
		fputs("previrt audit: cannot open capstone\n", stderr);
		sens_fini();
		status = EXIT_BAD_INPUT;
		goto out;
	}
	if (o.json)
		json_begin(stdout);
	for (int i = optind; i < argc; i++) {
		int st = audit_file(argv[i], &o);
		if (st > status)
			status = st;
	}
	if (o.json)
		json_end(stdout, status);
	sens_fini();
out:
	rules_free(&o.rules);
	return status;
}
