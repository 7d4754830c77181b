/* afterburn: annotate the sensitive instructions of one assembler file. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "opts.h"
#include "rewrite.h"

static void usage(FILE *f)
{
	fputs("usage: afterburn [--arch=i386|x86_64] [-o OUT] [--pad KIND=N]... [--mem]\n"
	      "                 [--verbose] [--stats] [IN]\n"
	      "Reads GNU assembler text (AT&T syntax, gcc -S or preprocessed .S), pads every\n"
	      "virtualization-sensitive instruction with NOPs and records it in the\n"
	      "'.afterburn' section (ABI in include/previrt/afterburn.h).  IN and OUT\n"
	      "default to stdin and stdout; '-' names them too.\n"
	      "  --arch=ARCH    starting code size: i386 (32-bit) or x86_64 (default)\n"
	      "  -o OUT         write here instead of stdout\n"
	      "  --pad KIND=N   whole site length in bytes for KIND (or all), 7..255\n"
	      "  --mem          annotate memory accesses in #APP blocks as MEM sites\n"
	      "  --verbose      list sensitive instructions left alone, with the reason\n"
	      "  --stats        print sites per kind on stderr\n"
	      "Kinds:",
	      f);
	for (int k = 1; k < PREVIRT_AB_NKINDS; k++)
		fprintf(f, "%s%s", k % 10 ? " " : "\n  ", previrt_ab_kind_name[k]);
	fputs("\nExit status: 0 ok, 2 bad option or unreadable/unwritable file.\n", f);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{"arch", required_argument, 0, 'a'}, {"pad", required_argument, 0, 'p'},
		{"mem", no_argument, 0, 'm'},        {"verbose", no_argument, 0, 'v'},
		{"stats", no_argument, 0, 's'},      {"help", no_argument, 0, 'h'},
		{"output", required_argument, 0, 'o'}, {0, 0, 0, 0}};
	struct ab_opts o;
	ab_opts_default(&o, 64);
	const char *outpath = NULL;
	int stats = 0, c;
	struct { const char *spec; } pads[PREVIRT_AB_NKINDS * 2];
	int npads = 0;
	while ((c = getopt_long(argc, argv, "o:vh", lo, NULL)) != -1) {
		switch (c) {
		case 'a':
			if (strcmp(optarg, "i386") == 0)
				o.bits = 32;
			else if (strcmp(optarg, "x86_64") == 0)
				o.bits = 64;
			else {
				fprintf(stderr, "afterburn: --arch: unknown '%s' (i386 or x86_64)\n",
					optarg);
				return 2;
			}
			break;
		case 'p':
			if (npads >= (int)(sizeof pads / sizeof pads[0])) {
				fputs("afterburn: too many --pad options\n", stderr);
				return 2;
			}
			pads[npads++].spec = optarg;
			break;
		case 'm': o.mem = 1; break;
		case 'v': o.verbose = stderr; break;
		case 's': stats = 1; break;
		case 'o': outpath = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	for (int i = 0; i < npads; i++)
		if (ab_parse_pad(&o, pads[i].spec, "afterburn"))
			return 2;
	if (argc - optind > 1) {
		fprintf(stderr, "afterburn: one input file at most (got %d)\n", argc - optind);
		return 2;
	}
	const char *inpath = optind < argc ? argv[optind] : "-";
	struct buf in = {0}, out = {0};
	if (ab_read_all(inpath, &in)) {
		fprintf(stderr, "afterburn: %s: %s\n", inpath, strerror(errno));
		buf_free(&in);
		return 2;
	}
	o.name = strcmp(inpath, "-") ? inpath : "<stdin>";
	struct ab_stats st = {0};
	ab_rewrite(in.p ? in.p : "", in.len, &out, &o, &st);
	FILE *f = stdout;
	if (outpath && strcmp(outpath, "-") != 0) {
		f = fopen(outpath, "w");
		if (!f) {
			fprintf(stderr, "afterburn: %s: %s\n", outpath, strerror(errno));
			buf_free(&in);
			buf_free(&out);
			return 2;
		}
	}
	if ((out.len && fwrite(out.p, 1, out.len, f) != out.len) || fflush(f) ||
	    (f != stdout && fclose(f))) {
		fprintf(stderr, "afterburn: %s: write error: %s\n", outpath ? outpath : "<stdout>",
			strerror(errno));
		if (f != stdout)
			unlink(outpath);
		buf_free(&in);
		buf_free(&out);
		return 2;
	}
	if (stats) {
		unsigned long total = 0;
		for (int k = 1; k < PREVIRT_AB_NKINDS; k++) {
			if (st.sites[k])
				fprintf(stderr, "%-13s %lu\n", previrt_ab_kind_name[k], st.sites[k]);
			total += st.sites[k];
		}
		fprintf(stderr, "%-13s %lu\n%-13s %lu\n", "total", total, "skipped", st.skipped);
	}
	buf_free(&in);
	buf_free(&out);
	return 0;
}
