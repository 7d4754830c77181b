/* previrt: the project's front end.  Each subcommand is one entry of the
 * table below (name, entry point, one-line summary); main only dispatches,
 * so a new tool is a new row, not a new branch. */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "hostcheck.h"
#include "run.h"

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{"audit", audit_main, "check that every sensitive instruction of an ELF is annotated"},
#ifndef PREVIRT_NO_RUN
	{"run", run_main, "boot a kernel in this process (in-place VMM) or on QEMU TCG"},
	{"host-check", hostcheck_main, "can this host run --platform=process (exit 0) or not (1)"},
#endif
};

static void usage(FILE *f)
{
	fputs("usage: previrt COMMAND [ARGS...]\n\ncommands:\n", f);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("\n'previrt COMMAND --help' describes one command.\n", f);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "previrt: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
