/* Times the site patcher on a real kernel image: validation, decoding and
 * rewriting of every .afterburn record with the process back-end's policy,
 * on a fresh copy of the loaded image each run (the copy is not timed).
 *
 *   patch-speed [--runs N] [--json FILE] VMLINUX */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ipvmm/process/elfimage.h"
#include "ipvmm/process/policy.h"

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int runs = 21;
	const char *json = NULL, *path = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
			runs = atoi(argv[++i]);
		else if (strcmp(argv[i], "--json") == 0 && i + 1 < argc)
			json = argv[++i];
		else if (argv[i][0] != '-' && !path)
			path = argv[i];
		else {
			fprintf(stderr, "usage: patch-speed [--runs N] [--json FILE] VMLINUX\n");
			return 2;
		}
	}
	if (!path || runs < 1 || runs > 10000) {
		fprintf(stderr, "usage: patch-speed [--runs N] [--json FILE] VMLINUX\n");
		return 2;
	}
	struct elfimage im;
	char err[256];
	if (elfimage_open(&im, path, err, sizeof err)) {
		fprintf(stderr, "patch-speed: %s: %s\n", path, err);
		return 1;
	}
	uint64_t span = im.vhi - im.vlo;
	uint8_t *orig = malloc(span), *mem = malloc(span);
	uint32_t max = (uint32_t)(im.ab_size / 8), n = 0;
	struct patch_site *sites = calloc(max ? max : 1, sizeof *sites);
	double *ms = calloc((size_t)runs, sizeof *ms);
	if (!orig || !mem || !sites || !ms) {
		fprintf(stderr, "patch-speed: out of memory\n");
		return 1;
	}
	elfimage_copy(&im, orig);
	struct patch_policy pol;
	process_policy(&pol);
	struct patch_image pi = {mem, im.vlo, span, im.ab_vaddr, im.ab_size, im.code, im.ncode};
	struct patch_stats st;
	struct patch_error pe;
	for (int r = 0; r < runs; r++) {
		memcpy(mem, orig, span);
		double t0 = now_ms();
		int rc = patch_image(&pi, &pol, sites, max, &n, &st, &pe);
		ms[r] = now_ms() - t0;
		if (rc) {
			fprintf(stderr, "patch-speed: %s: record %u at %#llx: %s\n", path, pe.rec,
				(unsigned long long)pe.addr, pe.msg);
			return 1;
		}
	}
	qsort(ms, (size_t)runs, sizeof *ms, cmp);
	unsigned inl = 0, call = 0, nat = 0, shortn = 0;
	for (unsigned k = 0; k < PREVIRT_AB_NKINDS; k++)
		inl += st.kind[k].inlined, call += st.kind[k].called + st.kind[k].jumped,
			nat += st.kind[k].native, shortn += st.kind[k].too_short;
	printf("%-28s %8s %8s %8s %8s %8s %10s %10s %10s\n", "image", "records", "sites", "inline",
	       "call", "native", "min ms", "median ms", "max ms");
	printf("%-28.28s %8u %8u %8u %8u %8u %10.3f %10.3f %10.3f\n", path, st.records, n, inl, call,
	       nat, ms[0], ms[runs / 2], ms[runs - 1]);
	printf("per kind (sites inline/call/native, too short):\n");
	for (unsigned k = 1; k < PREVIRT_AB_NKINDS; k++)
		if (st.kind[k].sites)
			printf("  %-13s %5u  %u/%u/%u  %u\n", previrt_ab_kind_name[k], st.kind[k].sites,
			       st.kind[k].inlined, st.kind[k].called + st.kind[k].jumped,
			       st.kind[k].native, st.kind[k].too_short);
	if (json) {
		FILE *f = fopen(json, "w");
		if (!f) {
			perror(json);
			return 1;
		}
		fprintf(f,
			"{\"image\": \"%s\", \"policy\": \"%s\", \"runs\": %d, \"records\": %u, "
			"\"sites\": %u, \"inline\": %u, \"call\": %u, \"native\": %u, \"too_short\": %u, "
			"\"ms\": {\"min\": %.4f, \"median\": %.4f, \"max\": %.4f}}\n",
			path, pol.name, runs, st.records, n, inl, call, nat, shortn, ms[0], ms[runs / 2],
			ms[runs - 1]);
		fclose(f);
	}
	free(orig);
	free(mem);
	free(sites);
	free(ms);
	elfimage_close(&im);
	return 0;
}
