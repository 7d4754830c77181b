/*
 * Ring 3: a TSS whose esp0 the CPU switches to, DPL-3 code and data
 * segments, iret into user mode, int $0x80 system calls whose pointers are
 * checked against the user pages, and faults in user mode that end the task.
 */
#include "cpu.h"
#include "testkern.h"

#define SYS_WRITE 1
#define SYS_GETPID 2
#define SYS_EXIT 3
#define EFAULT 14
#define PID 7

uint32_t kernel_secret = 0x5ec2e7;
static uint8_t kstack0[8192] __attribute__((aligned(16)));

extern char user_hello[], user_bad_pointer[], user_read_kernel[], user_write_hole[],
	user_cli[], user_hlt[], user_in[], user_int81[], user_stack_top[];

void syscall(struct trapframe *f)
{
	switch (f->eax) {
	case SYS_WRITE:
		if (!user_range_ok(f->ebx, f->ecx) || f->ecx > 256) {
			f->eax = (uint32_t)-EFAULT;
			return;
		}
		for (uint32_t i = 0; i < f->ecx; i++)
			uart_putc(((const char *)f->ebx)[i]);
		f->eax = f->ecx;
		return;
	case SYS_GETPID:
		f->eax = PID;
		return;
	case SYS_EXIT:
		user_return((int)f->ebx);
	}
	f->eax = (uint32_t)-1;
}

struct fault_case {
	const char *what;
	char *entry;
	uint32_t vector, err, cr2;
};

void user_checks(void)
{
	tss_set_esp0((uint32_t)&kstack0[sizeof kstack0]);

	trap_reset();
	int code = enter_user((uint32_t)user_hello, (uint32_t)user_stack_top);
	check(last_trap.count == 0 && code == (3 << 8 | PID),
	      "ring3: task ran at cpl %d, getpid %d, exit() returned to the kernel", code >> 8,
	      code & 0xff);
	trap_reset();
	code = enter_user((uint32_t)user_bad_pointer, (uint32_t)user_stack_top);
	check(last_trap.count == 0 && code == -EFAULT,
	      "ring3: write() of a kernel pointer refused with %d", code);

	const struct fault_case cases[] = {
		{"read of a supervisor page", user_read_kernel, 14, 5, (uint32_t)&kernel_secret},
		{"write to a not-present page", user_write_hole, 14, 6, 0x40001000},
		{"cli", user_cli, 13, 0, 0},
		{"hlt", user_hlt, 13, 0, 0},
		{"inb from the 8259 (IOPL 0, no I/O bitmap)", user_in, 13, 0, 0},
		{"int $0x81 through a DPL-0 gate", user_int81, 13, 0x81 << 3 | 2, 0},
	};
	for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct fault_case *c = &cases[i];
		trap_reset();
		enter_user((uint32_t)c->entry, (uint32_t)user_stack_top);
		check(last_trap.count == 1 && last_trap.vector == c->vector &&
			      last_trap.err == c->err && last_trap.cr2 == c->cr2,
		      "ring3: %s: vector %u error %#x%s, task ended", c->what, last_trap.vector,
		      last_trap.err, c->vector == 14 ? ", cr2 the address touched" : "");
	}
}
