/* previrt run: boot a kernel on a platform, one flag apart:
 *   --platform=process  the in-place VMM runs it inside this process
 *   --platform=qemu     QEMU TCG runs the same binary ("raw hardware")
 *   --platform=xen      Xen on QEMU TCG, through the Xen in-place VMM (xen.c) */
#include "run.h"

#include <errno.h>
#include <stdint.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "ipvmm/process/elfimage.h"
#include "ipvmm/process/hosttsc.h"
#include "ipvmm/process/run.h"
#include "previrt/afterburn.h"
#include "netopt.h"
#include "xen.h"

static void usage(FILE *f)
{
	fputs("usage: previrt run [OPTIONS] KERNEL\n"
	      "Boots KERNEL (an i386 ELF: afterburnt Linux vmlinux or a multiboot kernel).\n\n"
	      "  --platform=process|qemu  where it runs (default: process, the in-place VMM\n"
	      "                           inside this process; qemu: QEMU TCG, raw hardware)\n"
	      "  --platform=xen           Xen 4.17 on QEMU TCG: the Xen in-place VMM checks\n"
	      "                           the afterburnt KERNEL as dom0 (running it: not yet)\n"
	      "  --initrd FILE            initial ramdisk\n"
	      "  --append STRING          kernel command line\n"
	      "  --mem N                  guest RAM in MiB (default 128)\n"
	      "  --stats                  print per-kind site statistics, traps and VMM time\n"
	      "  --native KIND[,KIND...]  leave these site kinds unpatched: they trap and are\n"
	      "                           emulated (process platform)\n"
	      "  --timeout SECONDS        stop a guest that runs longer (default: none)\n"
	      "  --user-sees-kernel       process platform: keep the kernel's pages mapped\n"
	      "                           while the guest runs user mode (about 4x faster\n"
	      "                           Linux; guest user code can then reach mapped\n"
	      "                           kernel memory: no protection between the two)\n"
	      "  --processes N            process platform: host processes that keep the\n"
	      "                           mappings of N recently used guest address spaces\n"
	      "                           (1..16, default 4; 1: this process alone)\n"
	      "  --ring3-in-vmm           process platform: run guest ring 3 in the VMM's own\n"
	      "                           processes (segment cap, or the kernel's pages\n"
	      "                           unmapped) instead of in stub processes that map\n"
	      "                           only its own pages (the default)\n"
	      "  --no-jail                process platform: no namespaces, rlimits or system-\n"
	      "                           call allow-list around the VMM (to strace or debug it)\n"
	      "  --net null               process platform: a DP83820 gigabit Ethernet card on\n"
	      "                           the PCI bus, its link up, its cable going nowhere:\n"
	      "                           frames sent are counted and dropped, none arrive\n"
	      "  --net user[,hostfwd=tcp::HOSTPORT-:GUESTPORT]...\n"
	      "                           process platform: the card on libslirp's user-mode\n"
	      "                           network, as QEMU's -netdev user (guest 10.0.2.15/24,\n"
	      "                           gateway and host 10.0.2.2, DNS 10.0.2.3, DHCP); each\n"
	      "                           hostfwd forwards a port of the host (127.0.0.1 unless\n"
	      "                           an address is given; udp: too) to the guest\n"
	      "  --net tap=IFNAME         process platform: the card on the host's TAP device\n"
	      "                           IFNAME (made if missing; needs root or CAP_NET_ADMIN),\n"
	      "                           as QEMU's -netdev tap,ifname=IFNAME\n\n"
	      "Exit status: the guest's (0 when it resets the machine to shut down), 1 when\n"
	      "the guest fails (message and registers on stderr), 2 for bad usage or input,\n"
	      "3 when the user quit (Ctrl-]), 4 when the jail stopped a system call outside\n"
	      "its allow-list (a guest that escaped into the VMM, or a VMM bug).\n",
	      f);
}

static int parse_native(const char *list, uint8_t *native)
{
	char *copy = strdup(list), *save = NULL;
	if (!copy)
		return -1;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		int hit = 0;
		for (unsigned k = 1; k < PREVIRT_AB_NKINDS; k++)
			if (strcasecmp(t, previrt_ab_kind_name[k]) == 0 || strcasecmp(t, "all") == 0)
				native[k] = 1, hit = 1;
		if (!hit) {
			fprintf(stderr, "previrt run: --native: unknown kind '%s'\n", t);
			free(copy);
			return -1;
		}
	}
	free(copy);
	return 0;
}

static int parse_uint(const char *opt, const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end || end == s || v == 0 || v > max) {
		fprintf(stderr, "previrt run: %s: expected a number 1..%lu, got '%s'\n", opt, max, s);
		return -1;
	}
	*out = v;
	return 0;
}

/* QEMU's -kernel takes a bzImage or a multiboot ELF, not a Linux vmlinux:
 * for a vmlinux, the bzImage of the same build (which carries that
 * vmlinux, compressed) sits in arch/x86/boot/ of its build directory. */
static const char *qemu_kernel(const char *kernel, char *buf, size_t size)
{
	unsigned char head[8192];
	FILE *f = fopen(kernel, "rb");
	size_t n = f ? fread(head, 1, sizeof head, f) : 0;
	if (f)
		fclose(f);
	if (n < 4 || memcmp(head, "\177ELF", 4) != 0)
		return kernel; /* a bzImage */
	if (elf_has_multiboot(head, n))
		return kernel;
	const char *slash = strrchr(kernel, '/');
	int dir = slash ? (int)(slash - kernel) : 1;
	snprintf(buf, size, "%.*s/arch/x86/boot/bzImage", dir, slash ? kernel : ".");
	if (access(buf, R_OK) != 0) {
		fprintf(stderr, "previrt run: %s is a vmlinux; QEMU needs the bzImage of its build, not found at %s\n",
			kernel, buf);
		return NULL;
	}
	fprintf(stderr, "previrt run: QEMU boots %s, the bzImage of this vmlinux's build\n", buf);
	return buf;
}

static int run_qemu(const struct pv_config *c)
{
	char bz[4096];
	const char *kernel = qemu_kernel(c->kernel, bz, sizeof bz);
	if (!kernel)
		return 2;
	char mem[32];
	snprintf(mem, sizeof mem, "%llu", (unsigned long long)(c->mem >> 20));
	const char *argv[24];
	unsigned n = 0;
	argv[n++] = "qemu-system-i386";
	argv[n++] = "-accel";
	argv[n++] = "tcg";
	argv[n++] = "-m";
	argv[n++] = mem;
	argv[n++] = "-kernel";
	argv[n++] = kernel;
	if (c->initrd)
		argv[n++] = "-initrd", argv[n++] = c->initrd;
	/* the same console the process platform gives Linux */
	char append[4200];
	if (kernel == bz || c->append) {
		/* as the process platform: TCG's rdtsc is the host's TSC */
		char tsc[64] = "";
		uint32_t khz = kernel == bz ? pv_host_tsc_khz() : 0;
		if (khz)
			snprintf(tsc, sizeof tsc, " tsc_early_khz=%u tsc=reliable", khz);
		snprintf(append, sizeof append, "console=ttyS0%s%s%s", tsc, c->append ? " " : "",
			 c->append ? c->append : "");
		argv[n++] = "-append", argv[n++] = append;
	}
	argv[n++] = "-display";
	argv[n++] = "none";
	argv[n++] = "-serial";
	argv[n++] = "stdio";
	argv[n++] = "-monitor";
	argv[n++] = "none";
	argv[n++] = "-no-reboot";
	argv[n] = NULL;
	execvp(argv[0], (char *const *)argv);
	fprintf(stderr, "previrt run: cannot run %s: %s (install qemu-system-x86)\n", argv[0],
		strerror(errno));
	return 2;
}

int run_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"platform", required_argument, 0, 'p'}, {"initrd", required_argument, 0, 'i'},
		{"append", required_argument, 0, 'a'},   {"mem", required_argument, 0, 'm'},
		{"stats", no_argument, 0, 's'},         {"native", required_argument, 0, 'n'},
		{"timeout", required_argument, 0, 't'}, {"help", no_argument, 0, 'h'},
		{"user-sees-kernel", no_argument, 0, 'u'}, {"processes", required_argument, 0, 'P'},
		{"no-jail", no_argument, 0, 'J'},       {"ring3-in-vmm", no_argument, 0, 'R'},
		{"net", required_argument, 0, 'N'},
		{0, 0, 0, 0},
	};
	struct pv_config c = {.mem = 128ull << 20, .processes = 4};
	int qemu = 0, xen = 0, o;
	unsigned long v;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 'p':
			qemu = xen = 0;
			if (strcmp(optarg, "qemu") == 0)
				qemu = 1;
			else if (strcmp(optarg, "xen") == 0)
				xen = 1;
			else if (strcmp(optarg, "process") != 0) {
				fprintf(stderr, "previrt run: --platform: 'process' or 'qemu' or 'xen', not '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'i':
			c.initrd = optarg;
			break;
		case 'a':
			c.append = optarg;
			break;
		case 'm':
			if (parse_uint("--mem", optarg, 3072, &v))
				return 2;
			c.mem = (uint64_t)v << 20;
			break;
		case 's':
			c.stats = 1;
			break;
		case 'n':
			if (parse_native(optarg, c.native))
				return 2;
			break;
		case 't':
			if (parse_uint("--timeout", optarg, 86400, &v))
				return 2;
			c.timeout = (unsigned)v;
			break;
		case 'u':
			c.user_sees_kernel = 1;
			break;
		case 'P':
			if (parse_uint("--processes", optarg, 16, &v))
				return 2;
			c.processes = (unsigned)v;
			break;
		case 'J':
			c.no_jail = 1;
			break;
		case 'R':
			c.ring3_in_vmm = 1;
			break;
		case 'N':
			if (netopt_parse(&c, optarg))
				return 2;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	c.kernel = argv[optind];
	if (access(c.kernel, R_OK)) {
		fprintf(stderr, "previrt run: %s: %s\n", c.kernel, strerror(errno));
		return 2;
	}
	if (c.initrd && access(c.initrd, R_OK)) {
		fprintf(stderr, "previrt run: %s: %s\n", c.initrd, strerror(errno));
		return 2;
	}
	if (c.net && (xen || qemu)) {
		fprintf(stderr, "previrt run: --net is for the process platform (not yet on qemu or xen)\n");
		return 2;
	}
	if (xen)
		return run_xen(&c);
	return qemu ? run_qemu(&c) : pv_run(&c);
}
