/* The Xen in-place VMM's entry and the ELF notes that make Xen load it as a
 * 64-bit PV kernel (xen/elfnote.h).  Debian's Xen 4.17 is built without
 * CONFIG_PV32, so a 64-bit PV image is the only kind it runs; an i386
 * guest will run in a compatibility-mode segment under it (docs/xen.md).
 *
 * Xen enters at XEN_ELFNOTE_ENTRY in 64-bit mode, ring 3, events masked,
 * with %rsi = the start_info page's virtual address and %rsp on a boot
 * stack of one page; every page of the image is mapped writable. */
#include <xen/elfnote.h>
#include <xen/features.h>

#include "layout.h"

#define NOTE(type, desc_directive...)                  \
	.pushsection .note.Xen, "a", @note;             \
	.balign 4;                                      \
	.long 2f - 1f, 4f - 3f, type;                   \
1:	.asciz "Xen";                                   \
2:	.balign 4;                                      \
3:	desc_directive;                                 \
4:	.balign 4;                                      \
	.popsection

NOTE(XEN_ELFNOTE_GUEST_OS, .asciz "previrt")
NOTE(XEN_ELFNOTE_GUEST_VERSION, .asciz "0")
/* "generic": Xen refuses other loaders unless GUEST_OS is "linux". */
NOTE(XEN_ELFNOTE_LOADER, .asciz "generic")
NOTE(XEN_ELFNOTE_XEN_VERSION, .asciz "xen-3.0")
NOTE(XEN_ELFNOTE_VIRT_BASE, .quad XEN_VMM_VIRT_BASE)
/* The link puts ELF paddr at vaddr - VIRT_BASE, as Linux does. */
NOTE(XEN_ELFNOTE_PADDR_OFFSET, .quad 0)
NOTE(XEN_ELFNOTE_ENTRY, .quad _start)
NOTE(XEN_ELFNOTE_HYPERCALL_PAGE, .quad hypercall_page)
/* A kernel that names its features must list dom0 to be built as dom0. */
NOTE(XEN_ELFNOTE_SUPPORTED_FEATURES, .long (1 << XENFEAT_dom0))

	.text
	.globl _start
_start:
	cld
	leaq vmm_stack_top(%rip), %rsp
	movq %rsi, %rdi
	call xen_main
	/* xen_main shuts the domain down; should the hypercall return, spin */
1:	hlt
	jmp 1b

	/* Xen writes one 32-byte stub per hypercall here when it builds the
	 * domain; the VMM calls into it (hypercall.h). */
	.balign 4096
	.globl hypercall_page
hypercall_page:
	.fill 4096, 1, 0xcc

	.bss
	.balign 16
vmm_stack:
	.skip XEN_VMM_STACK_SIZE
vmm_stack_top:

	.section .note.GNU-stack, "", @progbits
