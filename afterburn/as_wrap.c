/*
 * afterburn-as: an assembler front end that afterburns its input and hands
 * the result to the real GNU as through a pipe.  gcc finds it as "as" in the
 * directory afterburn-cc passes with -B, so it sees exactly what gcc would
 * assemble: compiler output (also with -pipe) and preprocessed .S files.
 *
 * Environment:
 *   PREVIRT_REAL_AS          the assembler to run (default: "as" on PATH, not us)
 *   PREVIRT_AFTERBURN_FLAGS  extra afterburn options: --mem --verbose --pad K=N
 *   PREVIRT_SITE_LOG         append "OBJECT SITES SKIPPED" per assembled object
 *   PREVIRT_CORPUS_DIR       keep each original input as DIR/<object>.<32|64>.s
 *                            (object path with '/' as '_'), for tests and bench
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "objcount.h"
#include "opts.h"
#include "rewrite.h"

static const char *prog = "afterburn-as";

static int takes_value(const char *a)
{
	static const char *const v[] = {"-o", "-I", "--defsym", "-MD", "--MD",
					"--debug-prefix-map", NULL};
	for (int i = 0; v[i]; i++)
		if (strcmp(a, v[i]) == 0)
			return 1;
	return 0;
}

static int find_real_as(char *out, size_t outsz)
{
	const char *env = getenv("PREVIRT_REAL_AS");
	if (env && *env) {
		snprintf(out, outsz, "%s", env);
		return 0;
	}
	char self[PATH_MAX];
	if (!realpath("/proc/self/exe", self))
		return -1;
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/bin:/bin";
	while (*path) {
		const char *c = strchr(path, ':');
		size_t n = c ? (size_t)(c - path) : strlen(path);
		char cand[PATH_MAX], real[PATH_MAX];
		if (n && n + 4 < sizeof cand) {
			snprintf(cand, sizeof cand, "%.*s/as", (int)n, path);
			if (access(cand, X_OK) == 0 && realpath(cand, real) &&
			    strcmp(real, self) != 0) {
				snprintf(out, outsz, "%s", cand);
				return 0;
			}
		}
		path += n + (c ? 1 : 0);
	}
	return -1;
}

static int parse_env_flags(struct ab_opts *o)
{
	const char *f = getenv("PREVIRT_AFTERBURN_FLAGS");
	if (!f)
		return 0;
	char *copy = strdup(f), *save = NULL;
	if (!copy)
		return -1;
	int rc = 0;
	for (char *t = strtok_r(copy, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		if (strcmp(t, "--mem") == 0)
			o->mem = 1;
		else if (strcmp(t, "--verbose") == 0)
			o->verbose = stderr;
		else if (strncmp(t, "--pad=", 6) == 0)
			rc |= ab_parse_pad(o, t + 6, prog);
		else if (strcmp(t, "--pad") == 0) {
			t = strtok_r(NULL, " \t", &save);
			rc |= t ? ab_parse_pad(o, t, prog) : -1;
		} else {
			fprintf(stderr, "%s: PREVIRT_AFTERBURN_FLAGS: unknown option '%s'\n", prog, t);
			rc = -1;
		}
	}
	free(copy);
	return rc;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static void log_sites(const char *obj, const struct ab_stats *st)
{
	const char *logp = getenv("PREVIRT_SITE_LOG");
	struct stat sb;
	if (!logp || !*logp || !obj || stat(obj, &sb) || !S_ISREG(sb.st_mode))
		return;
	long n = ab_count_records(obj);
	char abs[PATH_MAX];
	if (!realpath(obj, abs))
		snprintf(abs, sizeof abs, "%s", obj);
	int fd = open(logp, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "%s: PREVIRT_SITE_LOG %s: %s\n", prog, logp, strerror(errno));
		return;
	}
	char line[PATH_MAX + 64];
	int k = snprintf(line, sizeof line, "%s %ld %lu\n", abs, n, st->skipped);
	/* one write() per line: O_APPEND keeps parallel builds' lines whole */
	if (k > 0 && write_all(fd, line, (size_t)k))
		fprintf(stderr, "%s: PREVIRT_SITE_LOG %s: %s\n", prog, logp, strerror(errno));
	close(fd);
}

/* The site log and the corpus need the assembler to have finished. */
static int want_after_as(void)
{
	const char *l = getenv("PREVIRT_SITE_LOG"), *c = getenv("PREVIRT_CORPUS_DIR");
	return (l && *l) || (c && *c);
}

static void save_corpus(const char *obj, int bits, const struct buf *in)
{
	const char *dir = getenv("PREVIRT_CORPUS_DIR");
	if (!dir || !*dir || !obj || !in->len || strcmp(obj, "/dev/null") == 0)
		return;
	char name[PATH_MAX];
	int k = snprintf(name, sizeof name, "%s/", dir);
	for (const char *s = obj; *s && k < (int)sizeof name - 8; s++)
		name[k++] = *s == '/' ? '_' : *s;
	snprintf(name + k, sizeof name - (size_t)k, ".%d.s", bits);
	FILE *f = fopen(name, "w");
	int bad = !f || fwrite(in->p, 1, in->len, f) != in->len;
	if ((f && fclose(f)) || bad)
		fprintf(stderr, "%s: PREVIRT_CORPUS_DIR %s: %s\n", prog, name, strerror(errno));
}

int main(int argc, char **argv)
{
	struct ab_opts o;
	ab_opts_default(&o, 64);
	if (parse_env_flags(&o))
		return 2;
	char **av = calloc((size_t)argc + 1, sizeof *av);
	if (!av)
		return 2;
	int ac = 0;
	const char *obj = "a.out";
	int obj_slot = -1; /* index in av of the -o value */
	struct buf in = {0};
	int ninputs = 0;
	av[ac++] = NULL; /* argv[0] of the real as, filled in below */
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--32") == 0)
			o.bits = 32;
		else if (strcmp(a, "--64") == 0 || strcmp(a, "--x32") == 0)
			o.bits = 64;
		if (takes_value(a) && i + 1 < argc) {
			if (strcmp(a, "-o") == 0) {
				obj = argv[i + 1];
				obj_slot = ac + 1;
			}
			av[ac++] = argv[i++];
			av[ac++] = argv[i];
			continue;
		}
		if (a[0] == '-' && a[1] != 0 && strcmp(a, "--") != 0) {
			av[ac++] = argv[i];
			continue;
		}
		/* an input: afterburn it; the real as reads the result on stdin */
		if (ab_read_all(a, &in)) {
			fprintf(stderr, "%s: %s: %s\n", prog, a, strerror(errno));
			return 2;
		}
		if (in.len && in.p[in.len - 1] != '\n')
			buf_put(&in, "\n", 1);
		o.name = a;
		ninputs++;
	}
	if (ninputs > 1)
		o.name = "<inputs>";
	int version_only = 0;
	for (int i = 1; i < ac; i++)
		if (strcmp(av[i], "--version") == 0 || strcmp(av[i], "--help") == 0)
			version_only = 1;
	if (ninputs == 0 && !version_only && ab_read_all("-", &in)) {
		fprintf(stderr, "%s: <stdin>: %s\n", prog, strerror(errno));
		return 2;
	}
	char real[PATH_MAX];
	if (find_real_as(real, sizeof real)) {
		fprintf(stderr, "%s: cannot find the real 'as' on PATH (set PREVIRT_REAL_AS)\n",
			prog);
		return 2;
	}
	av[0] = real;
	/* GNU as cannot write an object to stdout; we can, through a file. */
	char tmpobj[] = "/tmp/afterburn-as-XXXXXX";
	int to_stdout = obj_slot > 0 && strcmp(obj, "-") == 0;
	if (to_stdout) {
		const char *td = getenv("TMPDIR");
		int tfd = -1;
		char *tpath = NULL;
		if (td && *td && asprintf(&tpath, "%s/afterburn-as-XXXXXX", td) > 0)
			tfd = mkstemp(tpath);
		if (tfd < 0) {
			free(tpath);
			tpath = tmpobj;
			tfd = mkstemp(tpath);
		}
		if (tfd < 0) {
			fprintf(stderr, "%s: temporary object file: %s\n", prog, strerror(errno));
			return 2;
		}
		close(tfd);
		av[obj_slot] = tpath;
		obj = tpath;
	}
	struct buf out = {0};
	struct ab_stats st = {0};
	ab_rewrite(in.p ? in.p : "", in.len, &out, &o, &st);

	/* Nothing to do after the assembler: become it.  The text goes in
	 * through a memfd, so there is no second process and no pipe. */
	if (!to_stdout && !want_after_as()) {
		int mfd = memfd_create("afterburnt.s", 0);
		if (mfd >= 0 && (!out.len || write_all(mfd, out.p, out.len) == 0) &&
		    lseek(mfd, 0, SEEK_SET) == 0 && dup2(mfd, 0) == 0) {
			execv(real, av);
			fprintf(stderr, "%s: %s: %s\n", prog, real, strerror(errno));
			return 127;
		}
		fprintf(stderr, "%s: memfd for the assembler: %s\n", prog, strerror(errno));
		return 2;
	}

	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC)) {
		fprintf(stderr, "%s: pipe: %s\n", prog, strerror(errno));
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "%s: fork: %s\n", prog, strerror(errno));
		return 2;
	}
	if (pid == 0) {
		if (dup2(pfd[0], 0) < 0)
			_exit(127);
		signal(SIGPIPE, SIG_DFL);
		execv(real, av);
		fprintf(stderr, "%s: %s: %s\n", prog, real, strerror(errno));
		_exit(127);
	}
	close(pfd[0]);
	if (out.len && write_all(pfd[1], out.p, out.len) && errno != EPIPE)
		fprintf(stderr, "%s: writing to %s: %s\n", prog, real, strerror(errno));
	close(pfd[1]);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			fprintf(stderr, "%s: waitpid: %s\n", prog, strerror(errno));
			return 2;
		}
	int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (to_stdout) {
		struct buf objbytes = {0};
		if (rc == 0 && (ab_read_all(obj, &objbytes) ||
				(objbytes.len && write_all(1, objbytes.p, objbytes.len)))) {
			fprintf(stderr, "%s: copying the object to stdout: %s\n", prog,
				strerror(errno));
			rc = 1;
		}
		buf_free(&objbytes);
		unlink(obj);
		return rc;
	}
	if (rc == 0 && !version_only) {
		log_sites(obj, &st);
		save_corpus(obj, o.bits, &in);
	}
	return rc;
}
