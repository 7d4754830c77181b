/*
 * previrt annotation ABI: the only contract between the afterburner and every
 * in-place VMM.  A guest binary built once against this header must run on
 * raw hardware and on every back-end, so everything here is versioned.
 *
 * Layout.  Section ".afterburn", flags "a" (allocated, read-only), 4-byte
 * aligned, holding 8-byte records (struct previrt_ab_record).  Each object
 * file that has sites contributes one HEADER record (kind 0) in front of its
 * site records (the afterburner puts it in subsection 0, records in
 * subsection 1), so a linked image is a sequence of
 *     HEADER, site, site, ..., HEADER, site, ...
 * A reader must check every HEADER's magic and version, and reject a site
 * record that comes before the first HEADER.
 *
 * Site record.  rel is position independent (site start minus the address of
 * the rel field itself), so relocation, KASLR and 32/64-bit images need no
 * run-time fix-ups.  The site is [start, start + len): the original
 * instruction (insn_len bytes, prefixes included) followed only by padding.
 * With PREVIRT_AB_F_SHADOW the instruction (always STI) is followed by exactly
 * one more instruction that executes in its interrupt shadow (hlt, sysexit,
 * sysret, mwait) before the NOPs; the pair must stay adjacent on raw
 * hardware, and the site covers both.
 *
 * Padding.  The afterburner pads each site to previrt_ab_site_len[kind]
 * bytes (or to the instruction's own length if that is longer) with the
 * multi-byte NOPs recommended by Intel and AMD (0f 1f /0 forms, 66 90, 90).
 * Every site is at least 7 bytes, so a rewrite to "call rel32" (5),
 * "call *abs32" (6) or "lcall $sel,$abs32" (7) fits.  Kinds with inline fast
 * paths in 32-bit code get more, after the original Afterburner's measured
 * needs (cli 8, sti 24, popf 22).  Changing this table changes the layout of
 * every afterburnt binary: bump PREVIRT_AB_VERSION.
 *
 * Restart tail (version 2; INT sites only).  An OS restarts an interrupted
 * system call by moving the return address back by the 2 bytes of
 * `int $n` (Linux: regs->ip -= 2), and Linux's i386 vDSO returns from
 * sysenter to the address after its `int $0x80` (int80_landing_pad), so the
 * 2 bytes before an INT site's end must enter the site again.  An INT site
 * is therefore
 *     int $n; jmp short <site end>; NOPs; jmp short <site start>
 * (eb <len - insn_len - 2> ... eb <-len>).  A VMM keeps the last two bytes
 * when it rewrites the site (its rewrite has len - 2 bytes) and resumes at
 * the site's end.  previrt_ab_pad_at() is the one definition readers use.
 */
#ifndef PREVIRT_AFTERBURN_H
#define PREVIRT_AFTERBURN_H

#include <stdint.h>

#define PREVIRT_AB_SECTION ".afterburn"
#define PREVIRT_AB_MAGIC 0x6e727562u /* "burn" little-endian, in rel of a HEADER */
#define PREVIRT_AB_VERSION 2u        /* in len of a HEADER */
#define PREVIRT_AB_RECORD_SIZE 8u
#define PREVIRT_AB_MIN_SITE 7u

struct previrt_ab_record {
	int32_t rel;      /* site start - &rel; HEADER: PREVIRT_AB_MAGIC */
	uint8_t len;      /* site length: instruction(s) + padding; HEADER: version */
	uint8_t insn_len; /* length of the annotated instruction; HEADER: 0 */
	uint8_t kind;     /* enum previrt_ab_kind */
	uint8_t flags;    /* PREVIRT_AB_F_*; HEADER: 0 */
};

_Static_assert(sizeof(struct previrt_ab_record) == PREVIRT_AB_RECORD_SIZE,
	       "the record layout is normative");

/* X-macro: kind name, value, site length.  Values never change meaning. */
#define PREVIRT_AB_KINDS(X)                                                  \
	X(HEADER, 0, 0)                                                      \
	X(CLI, 1, 8)                                                         \
	X(STI, 2, 24)                                                        \
	X(PUSHF, 3, 16)                                                      \
	X(POPF, 4, 22)                                                       \
	X(IRET, 5, 7)                                                        \
	X(LRET, 6, 7)                                                        \
	X(FARJMP, 7, 7)                                                      \
	X(FARCALL, 8, 7)                                                     \
	X(INT, 9, 9)          /* int $n only: int3/int1/into trap anyway */  \
	X(HLT, 10, 7)                                                        \
	X(IN, 11, 7)                                                         \
	X(OUT, 12, 7)                                                        \
	X(INS, 13, 7)                                                        \
	X(OUTS, 14, 7)                                                       \
	X(CPUID, 15, 7)                                                      \
	X(RDMSR, 16, 7)                                                      \
	X(WRMSR, 17, 7)                                                      \
	X(RDTSC, 18, 7)                                                      \
	X(MOV_TO_CR, 19, 7)                                                  \
	X(MOV_FROM_CR, 20, 7)                                                \
	X(MOV_TO_DR, 21, 7)                                                  \
	X(MOV_FROM_DR, 22, 7)                                                \
	X(MOV_TO_SEG, 23, 7)                                                 \
	X(MOV_FROM_SEG, 24, 7)                                               \
	X(PUSH_SEG, 25, 7)                                                   \
	X(POP_SEG, 26, 7)                                                    \
	X(LOAD_FARPTR, 27, 7) /* lds les lfs lgs lss */                      \
	X(LGDT, 28, 7)                                                       \
	X(LIDT, 29, 7)                                                       \
	X(LLDT, 30, 7)                                                       \
	X(LTR, 31, 7)                                                        \
	X(SGDT, 32, 7)                                                       \
	X(SIDT, 33, 7)                                                       \
	X(SLDT, 34, 7)                                                       \
	X(STR, 35, 7)                                                        \
	X(SMSW, 36, 7)                                                       \
	X(LMSW, 37, 7)                                                       \
	X(CLTS, 38, 7)                                                       \
	X(INVLPG, 39, 7)                                                     \
	X(INVD, 40, 7)                                                       \
	X(WBINVD, 41, 7)                                                     \
	X(LAR, 42, 7)                                                        \
	X(LSL, 43, 7)                                                        \
	X(VERR, 44, 7)                                                       \
	X(VERW, 45, 7)                                                       \
	X(SWAPGS, 46, 7)                                                     \
	X(SYSRET, 47, 7)                                                     \
	X(SYSEXIT, 48, 7)                                                    \
	X(SYSENTER, 49, 7)                                                   \
	X(SYSCALL, 50, 7)                                                    \
	X(XSETBV, 51, 7)                                                     \
	X(RDPMC, 52, 7)                                                      \
	X(UD2, 53, 7)                                                        \
	X(MEM, 54, 7)        /* device-register access in a marked driver */ \
	X(RDTSCP, 55, 7)                                                     \
	X(RDPID, 56, 7)                                                      \
	X(MONITOR, 57, 7)                                                    \
	X(MWAIT, 58, 7)                                                      \
	X(INVPCID, 59, 7)                                                    \
	X(WBNOINVD, 60, 7)                                                   \
	X(FSGSBASE, 61, 7)   /* rdfsbase rdgsbase wrfsbase wrgsbase */       \
	X(STAC, 62, 7)                                                       \
	X(CLAC, 63, 7)

enum previrt_ab_kind {
#define PREVIRT_AB_ENUM_(name, val, site) PREVIRT_AB_KIND_##name = val,
	PREVIRT_AB_KINDS(PREVIRT_AB_ENUM_)
#undef PREVIRT_AB_ENUM_
	PREVIRT_AB_NKINDS
};

/* Whole-site length per kind (instruction + padding), for every code size. */
static const uint8_t previrt_ab_site_len[PREVIRT_AB_NKINDS] = {
#define PREVIRT_AB_LEN_(name, val, site) [val] = site,
	PREVIRT_AB_KINDS(PREVIRT_AB_LEN_)
#undef PREVIRT_AB_LEN_
};

static const char *const previrt_ab_kind_name[PREVIRT_AB_NKINDS] = {
#define PREVIRT_AB_NAME_(name, val, site) [val] = #name,
	PREVIRT_AB_KINDS(PREVIRT_AB_NAME_)
#undef PREVIRT_AB_NAME_
};

/* The only byte patterns allowed in a site's padding, by length (the
 * afterburner writes 7-byte NOPs and one shorter one for the rest). */
#define PREVIRT_AB_NOP_MAX 7u
static const uint8_t previrt_ab_nop[PREVIRT_AB_NOP_MAX + 1][PREVIRT_AB_NOP_MAX] = {
	[1] = {0x90},
	[2] = {0x66, 0x90},
	[3] = {0x0f, 0x1f, 0x00},
	[4] = {0x0f, 0x1f, 0x40, 0x00},
	[5] = {0x0f, 0x1f, 0x44, 0x00, 0x00},
	[6] = {0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00},
	[7] = {0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00},
};

/* flags: bits 0-1 code size (0 is invalid so a zeroed record never passes) */
#define PREVIRT_AB_F_MODE_MASK 0x03u
#define PREVIRT_AB_F_MODE16 0x01u
#define PREVIRT_AB_F_MODE32 0x02u
#define PREVIRT_AB_F_MODE64 0x03u
#define PREVIRT_AB_F_INIT 0x04u     /* in an init section, freed after boot */
#define PREVIRT_AB_F_EARLY 0x08u    /* in .head.text: may run at its physical alias */
#define PREVIRT_AB_F_PREFIXED 0x10u /* prefix written as its own statement or word */
#define PREVIRT_AB_F_INLINE 0x20u   /* from a compiler #APP (inline asm) block */
#define PREVIRT_AB_F_SHADOW 0x40u   /* STI + one shadowed instruction, see above */
#define PREVIRT_AB_F_RESERVED 0x80u /* must be zero */

/* The restart tail (see the top of this file): which kinds end with it. */
#define PREVIRT_AB_TAIL 2u      /* bytes of each of its two short jumps */
#define PREVIRT_AB_TAIL_MAX 128u /* longest site a short jump back can span */
static inline int previrt_ab_restarts(unsigned kind)
{
	return kind == PREVIRT_AB_KIND_INT;
}

/* The shortest site of this kind a VMM can still rewrite to a far call. */
static inline unsigned previrt_ab_min_len(unsigned kind)
{
	return PREVIRT_AB_MIN_SITE + (previrt_ab_restarts(kind) ? PREVIRT_AB_TAIL : 0);
}

/* Length of the padding element at offset pos of a site of `kind` and `len`
 * bytes whose instruction(s) end at offset pad (site points at its start),
 * or 0 if the bytes there are not what the afterburner writes. */
static inline unsigned previrt_ab_pad_at(unsigned kind, const uint8_t *site, unsigned pad,
					 unsigned pos, unsigned len)
{
	unsigned end = len;
	if (previrt_ab_restarts(kind)) {
		if (len < pad + 2 * PREVIRT_AB_TAIL || len > PREVIRT_AB_TAIL_MAX)
			return 0;
		if (pos == pad)
			return site[pos] == 0xeb && site[pos + 1] == len - pad - PREVIRT_AB_TAIL
				       ? PREVIRT_AB_TAIL
				       : 0;
		if (pos == len - PREVIRT_AB_TAIL)
			return site[pos] == 0xeb && site[pos + 1] == (uint8_t)(0x100 - len) ? PREVIRT_AB_TAIL
											 : 0;
		end = len - PREVIRT_AB_TAIL;
	}
	for (unsigned n = PREVIRT_AB_NOP_MAX; n >= 1; n--) {
		unsigned k = 0;
		if (pos >= end || n > end - pos)
			continue;
		while (k < n && site[pos + k] == previrt_ab_nop[n][k])
			k++;
		if (k == n)
			return n;
	}
	return 0;
}

#endif
