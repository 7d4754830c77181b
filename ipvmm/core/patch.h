/*
 * The site patcher: validates an image's .afterburn records and rewrites
 * each site as the back-end's policy says (leave native, inline sequence,
 * call to a thunk, jump to a handler).
 *
 * Guest-neutral and hypervisor-neutral: a back-end supplies a policy table,
 * one rule per site kind.  Runs before the guest does, but keeps to the
 * guest-side rules anyway (no allocation, no libc): the caller provides the
 * site table.
 *
 * Nothing is written until every record has been validated, and then only
 * inside [site, site + len) of a validated site.
 */
#ifndef IPVMM_CORE_PATCH_H
#define IPVMM_CORE_PATCH_H

#include <stddef.h>
#include <stdint.h>

#include "previrt/afterburn.h"
#include "x86/decode.h"

enum patch_action {
	PATCH_NATIVE, /* leave the instruction; it traps or runs as is */
	PATCH_INLINE, /* the rule's emit() writes the replacement */
	PATCH_CALL,   /* call the rule's target; it returns to the site's end */
	PATCH_JMP,    /* jump to the target; it never returns to the site, so it
		       * must not need the site's identity (iret, sysexit, ...) */
};

/* How a CALL or JMP reaches its target. */
enum patch_xfer {
	XFER_REL32,  /* e8/e9 rel32 (5 bytes): only where the site runs at its
		      * linked address; EARLY sites fall back to XFER_ABS */
	XFER_ABS,    /* ff 15/25 [cell] (6 bytes; 32-bit code): target is the
		      * linear address of a 4-byte cell holding the entry */
	XFER_FAR,    /* 9a/ea ptr16:32 (7 bytes; 32-bit code): target:far_sel */
};

/* One annotated site, validated and decoded: the table handlers look sites
 * up in (by the return address of a call) and stats are kept from. */
struct patch_site {
	uint64_t addr;        /* guest linear address of the site */
	uint32_t rec;         /* record index in .afterburn */
	uint8_t len, insn_len, kind, flags;
	uint8_t action;       /* what was done: enum patch_action */
	uint8_t fallback;     /* 1: the rule did not fit, left native */
	uint8_t xfer_len;     /* bytes of the call/jmp written (0 otherwise) */
	uint8_t orig[24];     /* the site's original bytes, first 24 (STI is the longest) */
	struct x86_insn insn; /* the decoded annotated instruction */
};

/* Writes the inline replacement of site s into buf (room = s->len bytes,
 * already filled with NOPs; buf corresponds to s->addr).  Returns the bytes
 * written, or -1 if the sequence does not fit (the site is left native). */
typedef int (*patch_emit_fn)(const struct patch_site *s, uint8_t *buf, unsigned room, void *ctx);

struct patch_rule {
	uint8_t action; /* enum patch_action */
	uint8_t xfer;   /* enum patch_xfer, for CALL and JMP */
	uint16_t far_sel;
	uint64_t target; /* CALL/JMP: entry (XFER_ABS: the cell's address) */
	patch_emit_fn emit;
};

struct patch_policy {
	const char *name;
	struct patch_rule rule[PREVIRT_AB_NKINDS];
	void *ctx; /* passed to emit() */
};

struct patch_kind_stats {
	uint32_t sites, native, inlined, called, jumped, too_short;
};

struct patch_stats {
	uint32_t records, headers, sites;
	struct patch_kind_stats kind[PREVIRT_AB_NKINDS];
};

/* The loaded image as the patcher sees it: bytes at host pointer mem hold
 * guest linear addresses [vaddr, vaddr + size).  The records are read from
 * the image itself at ab_vaddr (their rel fields are relative to their own
 * guest addresses).  Code regions: sites must lie in one of them. */
struct patch_region {
	uint64_t start, end;
};

struct patch_image {
	uint8_t *mem;
	uint64_t vaddr, size;
	uint64_t ab_vaddr, ab_size;
	const struct patch_region *code;
	unsigned ncode;
};

struct patch_error {
	uint32_t rec;  /* record index */
	uint64_t addr; /* the record's site address (or the record's own, if unknown) */
	char msg[160];
};

/* Validates every record, fills sites[] (capacity max_sites, sorted by
 * address on return, *nsites set), then patches per policy (policy NULL:
 * validate only).  Returns 0, or -1 with *err naming the first bad record;
 * on -1 the image is untouched. */
int patch_image(const struct patch_image *img, const struct patch_policy *policy,
		struct patch_site *sites, uint32_t max_sites, uint32_t *nsites,
		struct patch_stats *stats, struct patch_error *err);

/* The site holding addr, NULL if none (binary search over the sorted
 * table).  A thunk finds its caller's site with its return address - 1:
 * a 7-byte far call may fill a site, so the return address itself can be
 * the start of the next site. */
const struct patch_site *patch_find(const struct patch_site *sites, uint32_t n, uint64_t addr);

/* Whether a decoded instruction is what a record of this kind annotates. */
int patch_kind_matches(unsigned kind, const struct x86_insn *in);

#endif
