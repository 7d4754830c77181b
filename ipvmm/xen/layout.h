/* Where the Xen in-place VMM lives and how big its fixed areas are.
 * Included by assembler, the linker script and C. */
#ifndef IPVMM_XEN_LAYOUT_H
#define IPVMM_XEN_LAYOUT_H

/* The VMM's virtual base: the start of the 444 GiB hole that x86-64 Linux's
 * memory map leaves unused (Documentation/x86/x86_64/mm.rst, 4-level
 * paging: ffffff8000000000-ffffffeeffffffff), above every address an i386
 * guest can form, and outside Xen's own range (ffff800000000000-
 * ffff87ffffffffff).  Both guests' linked addresses stay free for them.
 * The VMM is compiled position-independent (-fpie), so nothing in it needs
 * the top 2 GiB that -mcmodel=kernel would demand. */
#define XEN_VMM_VIRT_BASE 0xffffff8000000000

#define XEN_VMM_STACK_SIZE (64 * 1024)

/* The guest kernel's image is copied here, at its linked layout, to be
 * validated and patched.  It lives in the VMM's .bss, so Xen's domain
 * builder maps it with the rest of the image and no page-table update is
 * needed yet: 64 MiB holds the x86-64 vmlinux (10 MiB) and the i386 one
 * (4 MiB) with room to grow. */
#define XEN_VMM_LOAD_AREA (64u << 20)

/* Site table capacity: both Linux builds have under 3500 sites. */
#define XEN_VMM_MAX_SITES 16384u

#endif
