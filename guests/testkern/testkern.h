/* The test kernel's modules and what they share. */
#ifndef TESTKERN_H
#define TESTKERN_H

#include <stdarg.h>
#include <stdint.h>

/* GDT layout (desc.c); user selectors carry RPL 3 */
#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_KCODE2 0x18 /* a second flat code segment, for far transfers */
#define SEL_UCODE 0x23
#define SEL_UDATA 0x2b
#define SEL_TSS 0x30
#define SEL_LDT 0x38
#define SEL_FSBASE 0x40 /* data segment based at fs_area[] */
#define SEL_SMALL 0x48  /* data segment with a 256-byte limit */
#define GDT_ENTRIES 10
#define SEL_LDT_DATA 0x04 /* LDT entry 0, TI=1, RPL 0 */

#define FS_MAGIC 0x5eb5eb5eu
#define LDT_MAGIC 0x1d71d71du

/* uart.c */
void uart_init(void);
void uart_putc(char c);
void uart_drain(void);
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char *fmt, va_list ap);
void check(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
extern unsigned failures;
void uart_checks(void);

/* trap.c: what the last exception was (the handler records it) */
struct trap_record {
	uint32_t vector, err, cr2, count;
};
extern volatile struct trap_record last_trap;
void trap_reset(void);
void idt_init(void);
void trap_checks(void);
extern volatile uint32_t ticks;

struct trapframe {
	uint32_t gs, fs, es, ds;
	uint32_t edi, esi, ebp, esp0, ebx, edx, ecx, eax;
	uint32_t vector, err;
	uint32_t eip, cs, eflags, uesp, uss; /* uesp/uss only from ring 3 */
};
void trap(struct trapframe *f);
void syscall(struct trapframe *f);

/* desc.c */
void gdt_init(void);
void desc_checks(void);
void tss_set_esp0(uint32_t esp0);

/* paging.c */
void paging_init(void);
void paging_checks(void);
int user_range_ok(uint32_t addr, uint32_t len);

/* misc.c */
void misc_checks(void);

/* timer.c */
void timer_checks(void);

/* user.c and entry.S */
void user_checks(void);
int enter_user(uint32_t eip, uint32_t esp);
__attribute__((noreturn)) void user_return(int code);

/* main.c */
__attribute__((noreturn)) void finish(void);

/* the linker script's symbols */
extern char __user_start[], __user_end[], __kernel_end[];

#endif
