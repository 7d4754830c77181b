/* The one module the Xen platform hands its in-place VMM.
 *
 * Xen 4.17 builds dom0 from the first multiboot module and gives it exactly
 * one more, the first module after it, as its "initrd" (start_info's
 * mod_start/mod_len); any further module is left unused with the warning
 * "Multiple initrd candidates, picking module #1" (docs/xen.md).  The guest
 * kernel and its initrd therefore travel together in that one module, in the
 * layout Xen's public interface defines for exactly this purpose
 * (xen/xen.h: SIF_MULTIBOOT_MOD, struct xen_multiboot_mod_list): an array
 * of descriptors at the start of the module, offsets relative to the
 * module's start, ended by a descriptor whose mod_start is 0.  Each
 * descriptor's command line starts with the part's name.  Xen sets
 * SIF_MULTIBOOT_MOD only for packages its toolstack builds for a domU, so
 * the VMM recognises the layout by validating it.
 *
 * previrt's packages put the parts at page-aligned offsets (so a part can
 * later be mapped rather than copied) in this order: the vmlinux, named
 * BUNDLE_KERNEL and followed by the guest's command line, then the initrd,
 * named BUNDLE_INITRD, when there is one.
 *
 * Plain C11 with <stdint.h> only: included by the hosted launcher
 * (cli/xen.c) and the freestanding VMM alike. */
#ifndef IPVMM_XEN_BUNDLE_H
#define IPVMM_XEN_BUNDLE_H

#include <stdint.h>

struct bundle_desc {
	uint32_t mod_start; /* offset of the part's first byte */
	uint32_t mod_end;   /* offset of its last byte (inclusive) */
	uint32_t cmdline;   /* offset of its NUL-terminated command line */
	uint32_t pad;       /* 0 */
};

#define BUNDLE_KERNEL "vmlinux"
#define BUNDLE_INITRD "initrd"
#define BUNDLE_MAX_PARTS 8
#define BUNDLE_ALIGN 4096u
/* Xen's console_io and the guest's boot protocols keep command lines short. */
#define BUNDLE_CMDLINE_MAX 1024u

#endif
