/*
 * abcheck: property checker for the afterburner.
 *
 * usage: abcheck [-q] ORIG.o AFTERBURNT.o
 *
 * ORIG.o is assembled from a .s file, AFTERBURNT.o from afterburn's output
 * for the same file with the same assembler flags; both are i386 (ELF32) or
 * both x86_64 (ELF64) relocatable objects.  abcheck verifies that
 *   1. .afterburn holds well-formed records (include/previrt/afterburn.h)
 *      whose sites hold the annotated instruction and afterburner NOPs only,
 *      in code that runs in place (not .altinstr_replacement, not a COMDAT
 *      group member);
 *   2. every code section decodes to the same instructions once the site
 *      padding is cut out (branches may relax between short and near,
 *      alignment filler may change length), and relocations into code
 *      follow the resulting offset map;
 *   3. all other allocated sections and their relocations are unchanged,
 *      except .altinstructions instrlen bytes, which must span the image of
 *      the original range (notes), and .eh_frame, whose FDEs must cover the
 *      image of the same code with the same rules at the image locations;
 *   4. symbols keep their attributes, code symbols moving with the map.
 * -q prints failures only.  Output: "abcheck: OK ..." or one
 * "abcheck: FAIL <file>: <section>+0x<offset>: <what>" line per failure
 * (the first 20).  Exit status: 0 all properties hold, 1 some property
 * fails, 2 bad usage or unusable input.
 *
 * Build (from the top directory):
 *   gcc -std=c11 -Wall -Wextra -Werror -O2 -g -D_GNU_SOURCE -Iinclude -I. \
 *       -o build/tests/abcheck tests/abcheck/[a-z]*.c audit/sensitive.c -lcapstone
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "abcheck.h"

static void usage(FILE *f)
{
	fputs("usage: abcheck [-q] ORIG.o AFTERBURNT.o\n", f);
}

static int run(struct obj *orig, struct obj *ab, int quiet)
{
	if (orig->is64 != ab->is64) {
		fprintf(stderr, "abcheck: %s is ELF%d but %s is ELF%d\n", orig->path,
			orig->is64 ? 64 : 32, ab->path, ab->is64 ? 64 : 32);
		return 2;
	}
	if (sens_init()) {
		fputs("abcheck: cannot initialise capstone\n", stderr);
		sens_fini();
		return 2;
	}
	link_peers(orig, ab);
	struct sites sites;
	unsigned long ninsns;
	check_records(ab, &sites);
	check_streams(orig, ab, &sites, &ninsns);
	unsigned long nrels = check_sections(orig, ab);
	check_symbols(orig, ab);
	free_maps(orig);
	free(sites.v);
	sens_fini();
	if (report_finish())
		return 1;
	if (!quiet)
		printf("abcheck: OK %s: %zu sites, %lu instructions, %lu relocations\n", ab->path,
		       sites.nrecords, ninsns, nrels);
	return 0;
}

int main(int argc, char **argv)
{
	int quiet = 0, c;
	while ((c = getopt(argc, argv, "qh")) != -1) {
		switch (c) {
		case 'q':
			quiet = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind != 2) {
		usage(stderr);
		return 2;
	}
	report_quiet(quiet);
	struct obj orig, ab;
	int rc = 2;
	if (obj_load(&orig, argv[optind]) == 0) {
		if (obj_load(&ab, argv[optind + 1]) == 0)
			rc = run(&orig, &ab, quiet);
		obj_free(&ab);
	}
	obj_free(&orig);
	return rc;
}
