/* previrt run --platform=xen: the guest kernel on Debian's Xen 4.17, itself
 * on QEMU TCG, through the Xen in-place VMM (ipvmm/xen), which Xen boots as
 * dom0.  The kernel is checked here first, as the process back-end checks
 * it (ELF image, .afterburn records and sites, with the same loader and
 * patcher), so bad input is refused before Xen starts; then the kernel and
 * initrd are packed into the one module Xen passes dom0 (ipvmm/xen/
 * bundle.h), and QEMU runs Xen with the VMM and that module.  The console
 * is shown as it comes; the run's status is read from Xen's own report of
 * how dom0 ended. */
#ifndef PREVIRT_NO_RUN /* the sanitizer build of the CLI has no run command */
#include "xen.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ipvmm/process/elfimage.h"
#include "ipvmm/xen/bundle.h"
#include "ipvmm/xen/layout.h"

#define VMM_IMAGE "ipvmm-xen.elf"
/* What dom0 needs besides the guest's RAM: the VMM's image with its load
 * area (68 MiB) and the module; and what Xen needs besides dom0. */
#define DOM0_EXTRA_MIB 128
#define XEN_EXTRA_MIB 256

/* The checks pv_run makes before it runs a kernel (ipvmm/process/run.c):
 * 2 and a message naming the file and the problem, or 0. */
static int check_kernel(const char *path)
{
	char err[256];
	struct elfimage im;
	if (elfimage_open(&im, path, err, sizeof err)) {
		fprintf(stderr, "previrt run: %s: %s\n", path, err);
		return 2;
	}
	int rc = 2;
	uint64_t span = im.vhi - im.vlo;
	uint32_t max = (uint32_t)(im.ab_size / PREVIRT_AB_RECORD_SIZE);
	if (!im.ab_size)
		fprintf(stderr, "previrt run: %s: no %s section: not an afterburnt kernel\n", path,
			PREVIRT_AB_SECTION);
	else if (span > XEN_VMM_LOAD_AREA)
		fprintf(stderr, "previrt run: %s: its image spans %llu MiB; the Xen VMM loads at most %u MiB\n",
			path, (unsigned long long)(span >> 20), XEN_VMM_LOAD_AREA >> 20);
	else if (max > XEN_VMM_MAX_SITES)
		fprintf(stderr, "previrt run: %s: %u %s records; the Xen VMM's site table holds %u\n", path,
			max, PREVIRT_AB_SECTION, XEN_VMM_MAX_SITES);
	else {
		uint8_t *mem = malloc(span);
		struct patch_site *sites = calloc(max ? max : 1, sizeof *sites);
		struct patch_stats st;
		struct patch_error pe;
		uint32_t n = 0;
		if (!mem || !sites) {
			fprintf(stderr, "previrt run: %s: out of memory\n", path);
		} else {
			elfimage_copy(&im, mem);
			struct patch_image pi = {mem, im.vlo, span, im.ab_vaddr, im.ab_size, im.code, im.ncode};
			if (patch_image(&pi, NULL, sites, max, &n, &st, &pe))
				fprintf(stderr, "previrt run: %s: %s record %u (address %#llx): %s\n", path,
					PREVIRT_AB_SECTION, pe.rec, (unsigned long long)pe.addr, pe.msg);
			else {
				fprintf(stderr, "previrt run: %s: %s ELF, %u sites valid; starting Xen\n", path,
					im.is64 ? "x86-64" : "i386", n);
				rc = 0;
			}
		}
		free(mem);
		free(sites);
	}
	elfimage_close(&im);
	return rc;
}

static int is_readable_file(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, R_OK) == 0;
}

/* QEMU's -initrd splits modules at ',' and a module's file from its
 * command line at ' ': such paths cannot be passed. */
static int qemu_safe(const char *what, const char *p)
{
	if (strpbrk(p, ", ")) {
		fprintf(stderr, "previrt run: %s %s: QEMU cannot take a module path with ',' or ' '\n", what, p);
		return 0;
	}
	return 1;
}

static int verscmp_(const void *a, const void *b)
{
	return strverscmp(*(char *const *)a, *(char *const *)b);
}

/* $PREVIRT_XEN, or the newest hypervisor scripts/xen-packages.sh cached. */
static int find_xen(char *out, size_t size)
{
	const char *env = getenv("PREVIRT_XEN");
	if (env && *env) {
		if (snprintf(out, size, "%s", env) < (int)size && is_readable_file(out))
			return 0;
		fprintf(stderr, "previrt run: PREVIRT_XEN=%s: not a readable file\n", env);
		return -1;
	}
	char pat[PATH_MAX];
	const char *cache = getenv("PREVIRT_CACHE"), *home = getenv("HOME");
	int n = cache && *cache ? snprintf(pat, sizeof pat, "%s/xen/xen-hypervisor-*/xen", cache)
				: snprintf(pat, sizeof pat, "%s/.cache/previrt/xen/xen-hypervisor-*/xen",
					   home ? home : "");
	glob_t g;
	int found = n > 0 && n < (int)sizeof pat && glob(pat, 0, NULL, &g) == 0;
	if (found) {
		qsort(g.gl_pathv, g.gl_pathc, sizeof g.gl_pathv[0], verscmp_);
		found = snprintf(out, size, "%s", g.gl_pathv[g.gl_pathc - 1]) < (int)size;
		globfree(&g);
	}
	if (!found || !is_readable_file(out)) {
		fprintf(stderr, "previrt run: no Xen hypervisor at %s: run scripts/xen-packages.sh xen "
				"(or set PREVIRT_XEN)\n", pat);
		return -1;
	}
	return 0;
}

/* $PREVIRT_XEN_VMM, or the image the build puts next to this binary
 * (build/bin/previrt -> build/libexec/previrt/ipvmm-xen.elf). */
static int find_vmm(char *out, size_t size)
{
	const char *env = getenv("PREVIRT_XEN_VMM");
	int n = 0;
	if (env && *env)
		n = snprintf(out, size, "%s", env);
	else {
		/* room for the suffix below, so the result always fits */
		char exe[PATH_MAX - 64];
		ssize_t got = readlink("/proc/self/exe", exe, sizeof exe - 1);
		if (got <= 0) {
			fprintf(stderr, "previrt run: cannot find this program's path: %s\n", strerror(errno));
			return -1;
		}
		exe[got] = 0;
		char *slash = strrchr(exe, '/');
		*slash = 0;
		n = snprintf(out, size, "%s/../libexec/previrt/" VMM_IMAGE, exe);
	}
	if (n < 0 || n >= (int)size || !is_readable_file(out)) {
		fprintf(stderr, "previrt run: the Xen in-place VMM %s is missing: build it with make "
				"(or set PREVIRT_XEN_VMM)\n", out);
		return -1;
	}
	return 0;
}

static int read_all(const char *path, uint8_t **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	struct stat st;
	if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode) || st.st_size > UINT32_MAX) {
		fclose(f);
		errno = EFBIG;
		return -1;
	}
	*len = (size_t)st.st_size;
	*data = malloc(*len ? *len : 1);
	size_t got = *data ? fread(*data, 1, *len, f) : 0;
	fclose(f);
	if (!*data || got != *len) {
		free(*data);
		errno = EIO;
		return -1;
	}
	return 0;
}

/* Writes the module package (bundle.h) into fd: the kernel, then the
 * initrd, each at a page-aligned offset.  0, or 2 with a message. */
static int write_bundle(int fd, const struct pv_config *c)
{
	const char *paths[2] = {c->kernel, c->initrd};
	unsigned n = c->initrd ? 2 : 1;
	char cmd[2][BUNDLE_CMDLINE_MAX];
	int len = snprintf(cmd[0], sizeof cmd[0], "%s%s%s", BUNDLE_KERNEL, c->append ? " " : "",
			   c->append ? c->append : "");
	if (len < 0 || (size_t)len >= sizeof cmd[0]) {
		fprintf(stderr, "previrt run: --append: longer than %u bytes\n", BUNDLE_CMDLINE_MAX - 1);
		return 2;
	}
	snprintf(cmd[1], sizeof cmd[1], "%s", BUNDLE_INITRD);
	struct bundle_desc d[3] = {{0}};
	uint64_t off = (n + 1) * sizeof d[0];
	uint64_t cmd_off[2];
	for (unsigned i = 0; i < n; i++) {
		cmd_off[i] = off;
		off += strlen(cmd[i]) + 1;
	}
	uint8_t *data[2] = {0};
	size_t dlen[2] = {0};
	int rc = 0;
	for (unsigned i = 0; i < n && !rc; i++) {
		if (read_all(paths[i], &data[i], &dlen[i])) {
			fprintf(stderr, "previrt run: %s: %s\n", paths[i], strerror(errno));
			rc = 2;
			break;
		}
		off = (off + BUNDLE_ALIGN - 1) / BUNDLE_ALIGN * BUNDLE_ALIGN;
		/* an empty part would need mod_end = mod_start - 1; nothing sends one */
		if (!dlen[i] || off + dlen[i] > UINT32_MAX) {
			fprintf(stderr, "previrt run: %s: %s\n", paths[i],
				dlen[i] ? "the package would pass 4 GiB" : "empty file");
			rc = 2;
			break;
		}
		d[i] = (struct bundle_desc){(uint32_t)off, (uint32_t)(off + dlen[i] - 1), (uint32_t)cmd_off[i], 0};
		off += dlen[i];
	}
	for (unsigned i = 0; i < n && !rc; i++)
		if (pwrite(fd, cmd[i], strlen(cmd[i]) + 1, (off_t)cmd_off[i]) < 0 ||
		    pwrite(fd, data[i], dlen[i], d[i].mod_start) != (ssize_t)dlen[i])
			rc = 1;
	if (!rc && pwrite(fd, d, (n + 1) * sizeof d[0], 0) != (ssize_t)((n + 1) * sizeof d[0]))
		rc = 1;
	if (rc == 1) {
		fprintf(stderr, "previrt run: writing the Xen module package: %s\n", strerror(errno));
		rc = 2;
	}
	free(data[0]);
	free(data[1]);
	return rc;
}

/* How dom0 ended, from Xen's console: the lines Xen 4.17 prints. */
enum { DOM0_RUNNING, DOM0_SHUTDOWN, DOM0_HALTED, DOM0_CRASHED };

static int classify(const char *line)
{
	if (strstr(line, "(XEN) Hardware Dom0 shutdown"))
		return DOM0_SHUTDOWN; /* dom0 asked for a reboot: Xen resets, QEMU exits */
	if (strstr(line, "(XEN) Hardware Dom0 halted"))
		return DOM0_HALTED; /* a poweroff: Xen halts the machine, QEMU stays */
	if (strstr(line, "(XEN) Hardware Dom0 crashed") || strstr(line, "(XEN) Panic on CPU") ||
	    (strstr(line, "(XEN) Domain 0 (vcpu#") && strstr(line, "crashed")))
		return DOM0_CRASHED;
	return DOM0_RUNNING;
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* Runs QEMU, copies its output to stdout and watches it. */
static int supervise(char *const *argv, const char *bundle, unsigned timeout)
{
	int p[2];
	if (pipe(p)) {
		fprintf(stderr, "previrt run: pipe: %s\n", strerror(errno));
		return 2;
	}
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "previrt run: fork: %s\n", strerror(errno));
		return 2;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		dup2(null, 0);
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		execvp(argv[0], argv);
		fprintf(stderr, "previrt run: cannot run %s: %s (install qemu-system-x86)\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	close(p[1]);
	/* Ctrl-C on a terminal reaches QEMU too; this process outlives it to
	 * remove the package and report */
	signal(SIGINT, SIG_IGN);
	double t0 = now(), deadline = t0 + timeout;
	char line[4096];
	size_t used = 0;
	int state = DOM0_RUNNING, unlinked = 0, timed_out = 0;
	for (;;) {
		int wait_ms = -1; /* no --timeout: wait for QEMU as long as it runs */
		if (timeout) {
			double left = deadline - now();
			if (left <= 0) {
				timed_out = 1;
				break;
			}
			wait_ms = (int)(left * 1000) + 1;
		}
		struct pollfd pf = {p[0], POLLIN, 0};
		int r = poll(&pf, 1, wait_ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			continue;
		char buf[4096];
		ssize_t got = read(p[0], buf, sizeof buf);
		if (got <= 0)
			break; /* QEMU exited */
		fwrite(buf, 1, (size_t)got, stdout);
		fflush(stdout);
		for (ssize_t i = 0; i < got; i++) {
			if (buf[i] != '\n') { /* past the buffer, a line is cut: the markers are early in it */
				if (used < sizeof line - 1)
					line[used++] = buf[i];
				continue;
			}
			line[used] = 0;
			used = 0;
			/* Xen runs: QEMU has long loaded the modules into guest RAM */
			if (!unlinked && strstr(line, "(XEN)"))
				unlink(bundle), unlinked = 1;
			int s = classify(line);
			if (s != DOM0_RUNNING && state == DOM0_RUNNING)
				state = s;
		}
		/* a crashed dom0 is rebooted after 5 s and a halted one never:
		 * neither is worth waiting for */
		if (state == DOM0_CRASHED || state == DOM0_HALTED)
			break;
	}
	close(p[0]);
	if (!unlinked)
		unlink(bundle);
	int status = 0;
	if (waitpid(pid, &status, WNOHANG) == 0) {
		kill(pid, SIGTERM);
		waitpid(pid, &status, 0);
	}
	double secs = now() - t0;
	if (timed_out) {
		fprintf(stderr, "previrt run: stopped (watchdog): Xen ran longer than %u s\n", timeout);
		return 1;
	}
	switch (state) {
	case DOM0_SHUTDOWN:
	case DOM0_HALTED:
		fprintf(stderr, "previrt run: dom0 shut down after %.1f s\n", secs);
		return 0;
	case DOM0_CRASHED:
		fprintf(stderr, "previrt run: dom0 crashed (Xen's report above) after %.1f s\n", secs);
		return 1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return 2; /* QEMU could not be started: said above */
	fprintf(stderr, "previrt run: QEMU ended (status %d) before dom0 shut down\n",
		WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return 1;
}

int run_xen(const struct pv_config *c)
{
	int rc = check_kernel(c->kernel);
	if (rc)
		return rc;
	char xen[PATH_MAX], vmm[PATH_MAX];
	if (find_xen(xen, sizeof xen) || find_vmm(vmm, sizeof vmm) || !qemu_safe("Xen", xen) ||
	    !qemu_safe("VMM", vmm))
		return 2;
	const char *tmpdir = getenv("TMPDIR");
	char bundle[PATH_MAX];
	int n = snprintf(bundle, sizeof bundle, "%s/previrt-xen-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	if (n < 0 || n >= (int)sizeof bundle) {
		fprintf(stderr, "previrt run: TMPDIR: path too long\n");
		return 2;
	}
	if (!qemu_safe("temporary file", bundle))
		return 2;
	int fd = mkstemp(bundle);
	if (fd < 0) {
		fprintf(stderr, "previrt run: %s: %s\n", bundle, strerror(errno));
		return 2;
	}
	rc = write_bundle(fd, c);
	close(fd);
	if (rc) {
		unlink(bundle);
		return rc;
	}
	unsigned long long dom0 = (c->mem >> 20) + DOM0_EXTRA_MIB;
	char mem[32], xen_args[256], modules[3 * PATH_MAX];
	snprintf(mem, sizeof mem, "%llu", dom0 + XEN_EXTRA_MIB);
	/* -cpu max without SMAP: scripts/boot-xen.sh says why */
	snprintf(xen_args, sizeof xen_args,
		 "console=com1 com1=115200,8n1 dom0_mem=%lluM,max:%lluM loglvl=all guest_loglvl=all", dom0,
		 dom0);
	snprintf(modules, sizeof modules, "%s,%s", vmm, bundle); /* fits: 3 x PATH_MAX */
	char *argv[] = {"qemu-system-x86_64", "-nodefaults", "-display", "none", "-machine", "q35",
			"-cpu", "max,-smap", "-accel", "tcg", "-m", mem, "-no-reboot",
			"-serial", "stdio", "-monitor", "none", "-kernel", xen, "-append", xen_args,
			"-initrd", modules, NULL};
	return supervise(argv, bundle, c->timeout);
}
#endif
