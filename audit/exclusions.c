#include "exclusions.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *err, size_t errsz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
	return -1;
}

static char *skip_space(char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Cuts the word at p; returns what follows it. */
static char *word(char *p)
{
	while (*p && *p != ' ' && *p != '\t')
		p++;
	if (*p)
		*p++ = 0;
	return p;
}

static int add(struct rules *rs, const struct rule *r)
{
	struct rule *v = realloc(rs->v, (rs->n + 1) * sizeof *v);
	if (!v)
		return -1;
	rs->v = v;
	rs->v[rs->n++] = *r;
	return 0;
}

int rules_load(struct rules *rs, const char *path, char *err, size_t errsz)
{
	FILE *fp = fopen(path, "r");
	if (!fp)
		return fail(err, errsz, "%s: %s", path, strerror(errno));
	char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;
	int rc = 0;
	while (getline(&line, &cap, fp) >= 0) {
		lineno++;
		line[strcspn(line, "\r\n")] = 0;
		char *p = skip_space(line);
		if (*p == 0 || *p == '#')
			continue;
		char *kw = p;
		p = skip_space(word(p));
		char *name = p;
		p = skip_space(word(p));
		char *reason = p;
		int is_symbol = strcmp(kw, "symbol") == 0, is_kind = strcmp(kw, "kind") == 0;
		if (!is_symbol && !is_kind && strcmp(kw, "section") != 0) {
			rc = fail(err, errsz,
				  "%s:%u: unknown rule '%s' (expected 'section', 'symbol' or 'kind')",
				  path, lineno, kw);
			break;
		}
		if (*name == 0 || *reason == 0) {
			rc = fail(err, errsz, "%s:%u: '%s' needs a NAME and a reason", path, lineno, kw);
			break;
		}
		size_t rl = strlen(reason);
		while (rl && (reason[rl - 1] == ' ' || reason[rl - 1] == '\t'))
			reason[--rl] = 0;
		struct rule r = {path, lineno, is_symbol, is_kind, strdup(name), strdup(reason)};
		if (!r.name || !r.reason || add(rs, &r)) {
			free(r.name);
			free(r.reason);
			rc = fail(err, errsz, "out of memory");
			break;
		}
	}
	if (rc == 0 && ferror(fp))
		rc = fail(err, errsz, "%s: read error", path);
	free(line);
	fclose(fp);
	return rc;
}

const struct rule *rules_match(const struct rules *rs, const char *section, const char *sym,
			       const char *container, const char *kind)
{
	for (size_t i = 0; i < rs->n; i++) {
		const struct rule *r = &rs->v[i];
		int hit;
		if (r->is_kind)
			hit = kind && strcmp(r->name, kind) == 0;
		else if (r->is_symbol)
			hit = (sym && fnmatch(r->name, sym, 0) == 0) ||
			      (container && fnmatch(r->name, container, 0) == 0);
		else
			hit = fnmatch(r->name, section, 0) == 0;
		if (hit)
			return r;
	}
	return NULL;
}

void rules_free(struct rules *rs)
{
	for (size_t i = 0; i < rs->n; i++) {
		free(rs->v[i].name);
		free(rs->v[i].reason);
	}
	free(rs->v);
	rs->v = NULL;
	rs->n = 0;
}
