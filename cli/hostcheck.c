/* previrt host-check: can this machine run the process platform?  Tests and
 * benchmarks ask before they boot, so that a host whose kernel cannot (a PVM
 * guest kernel accepts modify_ldt(2) but never loads the LDT) sends them to
 * the nested host (scripts/nested-host.sh) instead of failing. */
#include <stdio.h>
#include <string.h>

#include "hostcheck.h"
#include "ipvmm/process/run.h"

int hostcheck_main(int argc, char **argv)
{
	int quiet = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-q") == 0 || strcmp(argv[i], "--quiet") == 0) {
			quiet = 1;
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			puts("usage: previrt host-check [-q]\n\n"
			     "Exit 0 when this host's kernel can run --platform=process, 1 (with the\n"
			     "reason on stderr) when it cannot.  -q: print nothing.");
			return 0;
		} else {
			fprintf(stderr, "previrt host-check: unknown argument '%s'\n", argv[i]);
			return 2;
		}
	}
	char err[256];
	if (ldt_probe(err, sizeof err)) {
		if (!quiet)
			fprintf(stderr, "previrt: %s\n", err);
		return 1;
	}
	if (!quiet)
		puts("previrt: this host can run --platform=process");
	return 0;
}
