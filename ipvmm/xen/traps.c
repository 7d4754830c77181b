/* The trap table for set_trap_table, and the report of a fault in the VMM. */
#include "traps.h"

#include <xen/xen.h>

#include "console.h"
#include "hypercall.h"

void xen_trap(const struct xen_trap_frame *f) __attribute__((noreturn));

#define ENTRIES(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) \
	X(14) X(16) X(17) X(18) X(19)
#define DECLARE(v) extern char xen_trap_##v[];
ENTRIES(DECLARE)

static const char *const names[20] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
	"#BR bound range", "#UD invalid opcode", "#NM device not available",
	"#DF double fault", "coprocessor segment overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack fault", "#GP general protection",
	"#PF page fault", "reserved", "#MF x87 error", "#AC alignment check",
	"#MC machine check", "#XM SIMD error",
};

long traps_init(void)
{
	/* privilege 0: no software interrupt may enter them; the kernel code
	 * selector of 64-bit PV; the last entry (address 0) ends the table */
#define ENTRY(v) {v, 0, FLAT_KERNEL_CS, (unsigned long)xen_trap_##v},
	static struct trap_info table[] = {ENTRIES(ENTRY){0, 0, 0, 0}};
	return xen_set_trap_table(table);
}

void xen_trap(const struct xen_trap_frame *f)
{
	/* the page fault's address is in the shared info page, which the VMM
	 * does not map yet */
	con_printf("previrt-xen: FAIL: fault in the VMM: vector %lu (%s) at rip %#lx, error %#lx, "
		   "rsp %#lx\n",
		   f->vector, f->vector < 20 ? names[f->vector] : "?", f->rip, f->error, f->rsp);
	xen_sched_shutdown(SHUTDOWN_crash);
	for (;;)
		;
}
