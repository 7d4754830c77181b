#include "opts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

int ab_parse_pad(struct ab_opts *o, const char *spec, const char *prog)
{
	const char *eq = strchr(spec, '=');
	if (!eq || eq == spec) {
		fprintf(stderr, "%s: --pad: expected KIND=N, got '%s'\n", prog, spec);
		return -1;
	}
	char *end;
	errno = 0;
	long v = strtol(eq + 1, &end, 10);
	if (errno || *end || end == eq + 1 || v < (long)PREVIRT_AB_MIN_SITE || v > 255) {
		fprintf(stderr, "%s: --pad %s: site length must be %u..255 bytes\n", prog, spec,
			PREVIRT_AB_MIN_SITE);
		return -1;
	}
	size_t kl = (size_t)(eq - spec);
	int hit = 0;
	for (int k = 1; k < PREVIRT_AB_NKINDS; k++) {
		const char *name = previrt_ab_kind_name[k];
		int all = kl == 3 && strncasecmp(spec, "all", 3) == 0;
		if (all || (strlen(name) == kl && strncasecmp(spec, name, kl) == 0)) {
			long lo = (long)previrt_ab_min_len((unsigned)k), hi = PREVIRT_AB_TAIL_MAX;
			if (all && previrt_ab_restarts((unsigned)k)) {
				/* all=N: as close to N as the restart tail allows */
				o->site_len[k] = (uint8_t)(v < lo ? lo : v > hi ? hi : v);
				hit = 1;
				continue;
			}
			if (previrt_ab_restarts((unsigned)k) && (v < lo || v > hi)) {
				fprintf(stderr,
					"%s: --pad %s: %s sites end with a restart tail, so %u..%u bytes\n",
					prog, spec, name, previrt_ab_min_len((unsigned)k),
					PREVIRT_AB_TAIL_MAX);
				return -1;
			}
			o->site_len[k] = (uint8_t)v;
			hit = 1;
		}
	}
	if (!hit) {
		fprintf(stderr, "%s: --pad: unknown kind '%.*s' (see --help for the list)\n", prog,
			(int)kl, spec);
		return -1;
	}
	return 0;
}

int ab_read_all(const char *path, struct buf *b)
{
	int fd = 0;
	if (path && strcmp(path, "-") != 0) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -1;
	}
	char tmp[1 << 16];
	for (;;) {
		ssize_t r = read(fd, tmp, sizeof tmp);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			if (fd)
				close(fd);
			errno = e;
			return -1;
		}
		if (r == 0)
			break;
		buf_put(b, tmp, (size_t)r);
	}
	if (fd)
		close(fd);
	return 0;
}
