/* Reason classes for unannotated instructions, first match wins:
 *   invalid-record           a record points at it but failed its checks
 *   alternative-replacement  in .altinstr_replacement, copied over the
 *                            original at run time (never annotated, by design)
 *   16-bit                   real-mode code (never annotated, by design)
 *   excluded                 a documented exclusion rule (--exclusions)
 *   raw-byte                 bytes Linux writes with .byte, which the
 *                            afterburner cannot see (table below)
 *   unknown                  none of these: the afterburner missed it
 * Only alternative-replacement, 16-bit and excluded leave coverage complete. */
#include "reasons.h"

#include <stdio.h>
#include <string.h>

#include "previrt/afterburn.h"
#include "sensitive.h"

/* What Linux 6.1 writes as .byte sequences in code that reaches vmlinux
 * (checked against its headers and both built kernels; docs/audit.md lists
 * which occur).  xsetbv (fpu/xcr.h) and wbnoinvd were .byte in older
 * kernels but are mnemonics (or absent) in 6.1, so a miss there is the
 * afterburner's and stays "unknown". */
static const struct raw {
	unsigned char len, b[4];
	const char *note;
} raw[] = {
	{2, {0x0f, 0x0b}, "ud2: ASM_UD2 in asm/bug.h (BUG(), WARN())"},
	{3, {0x0f, 0xb9, 0xcc}, "ud1 %esp,%ecx: asm/static_call.h NULL trampoline"},
	{3, {0x0f, 0x01, 0xc8}, "monitor: __monitor() in asm/mwait.h"},
	{3, {0x0f, 0x01, 0xc9}, "mwait: __mwait(), __sti_mwait() in asm/mwait.h"},
	{3, {0x0f, 0x01, 0xfa}, "monitorx: __monitorx() in asm/mwait.h"},
	{3, {0x0f, 0x01, 0xfb}, "mwaitx: __mwaitx() in asm/mwait.h"},
	{3, {0x0f, 0x01, 0xca}, "clac: __ASM_CLAC in asm/smap.h"},
	{3, {0x0f, 0x01, 0xcb}, "stac: __ASM_STAC in asm/smap.h"},
	{4, {0xf3, 0x0f, 0xc7, 0xf8}, "rdpid %eax: vdso_read_cpunode() in asm/segment.h"},
};

static const char *raw_note(const struct finding *fd)
{
	for (size_t i = 0; i < sizeof raw / sizeof raw[0]; i++)
		if (fd->len == raw[i].len && memcmp(fd->bytes, raw[i].b, raw[i].len) == 0)
			return raw[i].note;
	return NULL;
}

void reasons_assign(struct scan *s, const struct elf_file *f, const struct symidx *x,
		    const struct rules *rules, const struct altmap *alt)
{
	for (size_t i = 0; i < s->n; i++) {
		struct finding *fd = &s->v[i];
		const char *sec = f->secs[fd->sec].name;
		const struct alt *a = strcmp(sec, ".altinstr_replacement") == 0
					      ? altmap_find(alt, f->secs[fd->sec].addr + fd->off)
					      : NULL;
		if (a && altmap_code_place(f, a->orig, &fd->orig_sec, &fd->orig_off)) {
			fd->has_orig = 1;
			fd->feature = a->feature;
		}
		if (fd->reason == R_ANNOTATED || fd->reason == R_INVALID_RECORD)
			continue;
		const struct named *nm = symidx_name(x, fd->sec, fd->off);
		const struct named *fn = symidx_container(x, fd->sec, fd->off);
		const struct rule *ru;
		if (strcmp(sec, ".altinstr_replacement") == 0) {
			fd->reason = R_ALTERNATIVE;
		} else if (fd->bits == 16) {
			fd->reason = R_16BIT;
		} else if ((ru = rules_match(rules, sec, nm ? nm->name : NULL,
					     fn ? fn->name : NULL,
					     previrt_ab_kind_name[fd->kind])) != NULL) {
			fd->reason = R_EXCLUDED;
			fd->rule = ru;
		} else if ((fd->raw = raw_note(fd)) != NULL) {
			fd->reason = R_RAW_BYTE;
		} else {
			fd->reason = R_UNKNOWN;
		}
	}
}

int reason_fails(enum reason r)
{
	return r == R_INVALID_RECORD || r == R_RAW_BYTE || r == R_UNKNOWN;
}

const char *reason_name(enum reason r)
{
	static const char *const names[R_NREASONS] = {
		[R_ANNOTATED] = "annotated",
		[R_INVALID_RECORD] = "invalid-record",
		[R_ALTERNATIVE] = "alternative-replacement",
		[R_16BIT] = "16-bit",
		[R_EXCLUDED] = "excluded",
		[R_RAW_BYTE] = "raw-byte",
		[R_UNKNOWN] = "unknown",
	};
	return r < R_NREASONS ? names[r] : "?";
}

void reasons_print_raw_table(void)
{
	for (size_t i = 0; i < sizeof raw / sizeof raw[0]; i++) {
		char hex[16] = "";
		for (unsigned k = 0; k < raw[i].len; k++)
			snprintf(hex + 2 * k, sizeof hex - 2 * k, "%02x", raw[i].b[k]);
		printf("  %-10s %s\n", hex, raw[i].note);
	}
}
