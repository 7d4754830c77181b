/* Hypercalls of a 64-bit PV guest: a call into the hypercall page Xen
 * fills in at build time (XEN_ELFNOTE_HYPERCALL_PAGE), 32 bytes per
 * hypercall number; arguments in rdi, rsi, rdx, r10, r8, the result in rax,
 * rcx and r11 clobbered (the page uses syscall).  Freestanding. */
#ifndef IPVMM_XEN_HYPERCALL_H
#define IPVMM_XEN_HYPERCALL_H

#include <stddef.h>
#include <stdint.h>

#include <xen/xen.h>
#include <xen/sched.h>

extern char hypercall_page[4096];

static inline long hypercall2_(unsigned long entry, unsigned long a1, unsigned long a2)
{
	register unsigned long rdi __asm__("rdi") = a1, rsi __asm__("rsi") = a2;
	long ret;
	__asm__ volatile("call *%[entry]"
			 : "=a"(ret), "+r"(rdi), "+r"(rsi)
			 : [entry] "r"(entry)
			 : "memory", "rcx", "r11", "rdx", "r10", "r8", "r9");
	return ret;
}

static inline long hypercall3_(unsigned long entry, unsigned long a1, unsigned long a2,
			       unsigned long a3)
{
	register unsigned long rdi __asm__("rdi") = a1, rsi __asm__("rsi") = a2,
				   rdx __asm__("rdx") = a3;
	long ret;
	__asm__ volatile("call *%[entry]"
			 : "=a"(ret), "+r"(rdi), "+r"(rsi), "+r"(rdx)
			 : [entry] "r"(entry)
			 : "memory", "rcx", "r11", "r10", "r8", "r9");
	return ret;
}

#define HYPERCALL_ENTRY(nr) ((unsigned long)hypercall_page + (nr) * 32ul)

static inline long xen_console_write(const char *buf, size_t len)
{
	return hypercall3_(HYPERCALL_ENTRY(__HYPERVISOR_console_io), CONSOLEIO_write, len,
			   (unsigned long)buf);
}

static inline long xen_sched_shutdown(unsigned reason)
{
	struct sched_shutdown s = {.reason = reason};
	return hypercall2_(HYPERCALL_ENTRY(__HYPERVISOR_sched_op), SCHEDOP_shutdown,
			   (unsigned long)&s);
}

static inline long xen_set_trap_table(const void *table)
{
	return hypercall2_(HYPERCALL_ENTRY(__HYPERVISOR_set_trap_table), (unsigned long)table, 0);
}

static inline long xen_version(int cmd, void *arg)
{
	return hypercall2_(HYPERCALL_ENTRY(__HYPERVISOR_xen_version), (unsigned long)cmd,
			   (unsigned long)arg);
}

#endif
