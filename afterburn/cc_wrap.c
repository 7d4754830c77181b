/*
 * afterburn-cc: use like ccache, `make CC="afterburn-cc gcc"`.  It runs the
 * compiler with -B<libexec>/previrt/ so that gcc assembles through
 * afterburn-as; gcc itself keeps handling -pipe, -m32/-m64, -o -, dependency
 * files and .S preprocessing.  Preprocess-only, compile-to-assembler and
 * link-only invocations run the compiler unchanged.
 */
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *prog = "afterburn-cc";

static void usage(FILE *f)
{
	fputs("usage: afterburn-cc [--mem-sources=GLOBS] [--exclude=GLOBS] COMPILER ARGS...\n"
	      "Runs COMPILER (gcc) so that everything it assembles is afterburnt.\n"
	      "  --mem-sources=GLOBS  ':'-separated globs of source files whose inline-asm\n"
	      "                       memory accesses are device-register accesses (MEM\n"
	      "                       sites); env PREVIRT_MEM_SOURCES.  Default: none.\n"
	      "  --exclude=GLOBS      ':'-separated globs of source files compiled without\n"
	      "                       afterburning; env PREVIRT_NO_AFTERBURN.\n"
	      "Globs match the source path as given to the compiler; '*' matches '/' too.\n"
	      "Other environment: PREVIRT_AFTERBURN_FLAGS, PREVIRT_SITE_LOG, PREVIRT_REAL_AS\n"
	      "(see afterburn-as).\n",
	      f);
}

static int matches(const char *globs, const char *path)
{
	if (!globs || !*globs || !path)
		return 0;
	char *copy = strdup(globs), *save = NULL;
	int hit = 0;
	for (char *g = strtok_r(copy, ":", &save); g && !hit; g = strtok_r(NULL, ":", &save))
		hit = fnmatch(g, path, 0) == 0;
	free(copy);
	return hit;
}

static int has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a > b && strcmp(s + a - b, suf) == 0;
}

/* Options whose value is the next argument: it is never a source file. */
static int separate_value(const char *a)
{
	static const char *const v[] = {"-o", "-MF", "-MT", "-MQ", "-include", "-imacros",
					"-isystem", "-iquote", "-idirafter", "-I", "-D", "-U",
					"-Xassembler", "-Xlinker", "-Xpreprocessor", "-L",
					"-aux-info", "-T", "--param", NULL};
	for (int i = 0; v[i]; i++)
		if (strcmp(a, v[i]) == 0)
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	const char *mem = getenv("PREVIRT_MEM_SOURCES");
	const char *excl = getenv("PREVIRT_NO_AFTERBURN");
	int i = 1;
	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strncmp(argv[i], "--mem-sources=", 14) == 0)
			mem = argv[i] + 14;
		else if (strncmp(argv[i], "--exclude=", 10) == 0)
			excl = argv[i] + 10;
		else if (strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "%s: unknown option '%s'\n", prog, argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (i >= argc) {
		fprintf(stderr, "%s: no compiler given\n", prog);
		usage(stderr);
		return 2;
	}
	char **cc = argv + i;
	int ncc = argc - i;

	/* Does this run assemble anything?  And which source does it compile? */
	int assembles = 0, stop_early = 0;
	const char *src = NULL;
	for (int k = 1; k < ncc; k++) {
		const char *a = cc[k];
		if (separate_value(a)) {
			k++;
			continue;
		}
		if (strcmp(a, "-E") == 0 || strcmp(a, "-S") == 0 || strcmp(a, "-M") == 0 ||
		    strcmp(a, "-MM") == 0 || strncmp(a, "-print-", 7) == 0 ||
		    strncmp(a, "-dump", 5) == 0 || strcmp(a, "--version") == 0 ||
		    strcmp(a, "-v") == 0)
			stop_early = 1;
		if (strcmp(a, "-x") == 0 || strncmp(a, "-x", 2) == 0 || strcmp(a, "-") == 0)
			assembles = 1; /* explicit language or stdin: a compile */
		if (a[0] == '-')
			continue;
		if (has_suffix(a, ".c") || has_suffix(a, ".S") || has_suffix(a, ".s") ||
		    has_suffix(a, ".sx") || has_suffix(a, ".i")) {
			assembles = 1;
			src = a;
		}
	}
	int afterburn = assembles && !stop_early && !matches(excl, src);
	char **av = calloc((size_t)ncc + 2, sizeof *av);
	if (!av)
		return 2;
	int ac = 0;
	av[ac++] = cc[0];
	char bdir[PATH_MAX + 32];
	if (afterburn) {
		char self[PATH_MAX];
		ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
		if (n <= 0) {
			fprintf(stderr, "%s: cannot find my own path\n", prog);
			return 2;
		}
		self[n] = 0;
		char *slash = strrchr(self, '/');
		*slash = 0; /* .../bin */
		snprintf(bdir, sizeof bdir, "-B%s/../libexec/previrt/", self);
		av[ac++] = bdir;
		if (matches(mem, src)) {
			const char *f = getenv("PREVIRT_AFTERBURN_FLAGS");
			char *nf;
			if (asprintf(&nf, "%s%s--mem", f ? f : "", f && *f ? " " : "") < 0 ||
			    setenv("PREVIRT_AFTERBURN_FLAGS", nf, 1))
				return 2;
		}
	}
	for (int k = 1; k < ncc; k++)
		av[ac++] = cc[k];
	av[ac] = NULL;
	execvp(av[0], av);
	fprintf(stderr, "%s: cannot run '%s': %m\n", prog, av[0]);
	return 127;
}
