/* segload: user code loads %gs itself (as glibc does after set_thread_area)
 * and enters the kernel before using it, through the vDSO and through a
 * bare int $0x80.  The load must survive the system call: afterwards %gs
 * reads back as loaded (null) or reaches the thread's TLS again.  Prints
 * "segload: ok" or what went wrong. */
#include <stdint.h>
#include <stdio.h>
#include <asm/ldt.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <unistd.h>

static unsigned getpid_vdso(uintptr_t vsys, unsigned short load)
{
	unsigned pid, sel;
	__asm__ volatile("movw %w3, %%gs\n\t"
			 "call *%2\n\t"
			 "movw %%gs, %w1"
			 : "=a"(pid), "=r"(sel)
			 : "r"(vsys), "r"(load), "0"(20)
			 : "memory", "ecx", "edx");
	(void)pid;
	return sel & 0xffff;
}

static unsigned getpid_int80(unsigned short load)
{
	unsigned pid, sel;
	__asm__ volatile("movw %w2, %%gs\n\t"
			 "int $0x80\n\t"
			 "movw %%gs, %w1"
			 : "=a"(pid), "=r"(sel)
			 : "r"(load), "0"(20)
			 : "memory");
	(void)pid;
	return sel & 0xffff;
}

static uintptr_t tcb(void)
{
	uintptr_t p;
	__asm__ volatile("movl %%gs:0, %0" : "=r"(p));
	return p;
}

/* The GDT selector of this thread's TLS (reading %gs would give a VMM's
 * selector, not necessarily the guest's): the TLS entry based at the TCB. */
static unsigned short tls_selector(uintptr_t self)
{
	for (unsigned e = 1; e < 32; e++) { /* 6-8 on i386 kernels, 12-14 on x86-64 */
		struct user_desc d = {.entry_number = e};
		if (syscall(SYS_get_thread_area, &d) == 0 && d.base_addr == self)
			return (unsigned short)(e << 3 | 3);
	}
	return 0;
}

int main(void)
{
	uintptr_t self = tcb(), vsys = getauxval(AT_SYSINFO);
	unsigned short tls = tls_selector(self);
	if (!tls) {
		printf("segload: no GDT TLS entry is based at the TCB %#lx\n", (unsigned long)self);
		return 1;
	}
	int bad = 0;
	for (int i = 0; i < 1000 && !bad; i++) {
		unsigned a = getpid_int80(0), b = vsys ? getpid_vdso(vsys, 0) : 0;
		getpid_int80(tls);
		uintptr_t t1 = tcb();
		if (vsys)
			getpid_vdso(vsys, tls);
		uintptr_t t2 = tcb();
		if (a != 0 || b != 0 || t1 != self || t2 != self) {
			printf("segload: round %d: %%gs after loading null: %#x (int $0x80), %#x (vDSO); "
			       "TLS after reloading: %#lx %#lx, not %#lx\n",
			       i, a, b, (unsigned long)t1, (unsigned long)t2, (unsigned long)self);
			bad = 1;
		}
	}
	if (!bad)
		printf("segload: ok (vDSO %s)\n", vsys ? "used" : "absent");
	return bad;
}
