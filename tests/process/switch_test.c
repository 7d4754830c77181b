/* The process back-end's world switch on a hand-written 32-bit guest:
 * patched-site entry (lcall $0x33) and return, a trapped privileged
 * instruction through the signal path with the host's FS base restored,
 * and the pushf/irqcheck thunks. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

#include "ipvmm/process/memory.h"
#include "ipvmm/process/switch.h"

static unsigned passed, failed;
#define CHECK(c, ...) do { if (c) passed++; else { failed++; printf("FAIL: " __VA_ARGS__); putchar('\n'); } } while (0)

static struct pv_ctx *ctx = (struct pv_ctx *)(uintptr_t)PV_CTX;
static _Thread_local int tls_probe = 42; /* C must see the host's TLS in handlers */
static int calls, traps, tls_ok = 1;

static int handler(struct pv_ctx *c)
{
	calls++;
	if (tls_probe != 42)
		tls_ok = 0;
	if (calls == 1) {
		c->eax *= 2;
		/* the VMM's code may use SSE: the guest's xmm0 must survive */
		__asm__ volatile("pcmpeqd %%xmm0, %%xmm0" : : : "xmm0");
		return 0;
	}
	return 7;
}

void pv_sig_entry(int sig, siginfo_t *si, void *uc);
int pv_signal(int sig, siginfo_t *si, void *ucv);
int pv_signal(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	greg_t *g = uc->uc_mcontext.gregs;
	(void)si;
	if (tls_probe != 42)
		tls_ok = 0;
	unsigned cs = (unsigned)g[REG_CSGSFS] & 0xffff;
	if (sig == SIGSEGV && cs == 0x23 && *(uint8_t *)(uintptr_t)g[REG_RIP] == 0xfa) {
		traps++; /* cli: skip it */
		g[REG_RIP] += 1;
		return (int)((g[REG_CSGSFS] >> 32) & 0xffff);
	}
	printf("unexpected signal %d at %#llx cs %#x\n", sig, (unsigned long long)g[REG_RIP], cs);
	exit(3);
}

int main(void)
{
	struct pv_mem m;
	char err[200];
	if (pv_mem_init(&m, 16 << 20, err, sizeof err)) {
		printf("FAIL: %s\n", err);
		return 1;
	}
	stack_t ss = {.ss_sp = malloc(1 << 16), .ss_size = 1 << 16};
	sigaltstack(&ss, NULL);
	struct sigaction sa = {.sa_sigaction = pv_sig_entry, .sa_flags = SA_SIGINFO | SA_ONSTACK};
	sigaction(SIGSEGV, &sa, NULL);
	CHECK(pv_map(&m, 0x100000, 0x100000, 0x100000, 1) == 0, "map");
	uint32_t pushf = PV_BLOB_ADDR(pv_blob_pushf);
	*(uint32_t *)(uintptr_t)PV_CELL_PUSHF = pushf;
	*(uint32_t *)(uintptr_t)PV_CELL_IRQCHECK = PV_BLOB_ADDR(pv_blob_ret);
	static const uint8_t code[] = {
		0xb8, 0x05, 0, 0, 0,                         /* mov $5, %eax */
		0x66, 0x0f, 0x6e, 0xc8,                      /* movd %eax, %xmm1 */
		0x66, 0x0f, 0x6e, 0xc0,                      /* movd %eax, %xmm0 */
		0x9a, 0x00, 0x10, 0x80, 0xff, 0x33, 0x00,    /* lcall $0x33, $PV_CODE_PAGE */
		0x66, 0x0f, 0x7e, 0xc6,                      /* movd %xmm0, %esi */
		0x83, 0xc0, 0x01,                            /* add $1, %eax */
		0xfa,                                        /* cli: traps */
		0xc6, 0x05, 0x00, 0x00, 0x80, 0xff, 0x00,    /* movb $0, vcpu.if */
		0xff, 0x15, 0x08, 0x00, 0x80, 0xff,          /* call *pushf cell */
		0x5b,                                        /* pop %ebx */
		0xc6, 0x05, 0x00, 0x00, 0x80, 0xff, 0x01,    /* movb $1, vcpu.if */
		0xff, 0x15, 0x04, 0x00, 0x80, 0xff,          /* call *irqcheck (ret) */
		0xff, 0x15, 0x08, 0x00, 0x80, 0xff,          /* call *pushf cell */
		0x59,                                        /* pop %ecx */
		0x9a, 0x00, 0x10, 0x80, 0xff, 0x33, 0x00,    /* lcall: ends the run */
	};
	memcpy(m.phys + 0x100000, code, sizeof code);
	static uint8_t fpu[512] __attribute__((aligned(16)));
	__builtin_ia32_fxsave64(fpu);
	*ctx = (struct pv_ctx){.eip = 0x100000, .esp = 0x1ff000, .eflags = 0x202, .cs = 0x23,
			       .ss = 0x2b, .ds = 0x2b, .es = 0x2b, .handler = handler, .fpu = fpu};
	__asm__ volatile("rdfsbase %0" : "=r"(ctx->host_fsbase));
	int (*run)(void) = (int (*)(void))(uintptr_t)PV_BLOB_ADDR(pv_blob_run);
	int rc = run();
	CHECK(rc == 7, "run returned %d", rc);
	CHECK(calls == 2, "%d calls", calls);
	CHECK(ctx->eax == 11, "eax %u", ctx->eax);
	CHECK(ctx->esi == 5, "the guest's xmm0 after a VMM entry that used SSE: %#x, not 5", ctx->esi);
	CHECK(traps == 1, "%d traps", traps);
	CHECK(tls_ok && tls_probe == 42, "host TLS not restored");
	CHECK((ctx->ebx & 0x200) == 0, "pushf with virtual IF 0: %#x", ctx->ebx);
	CHECK((ctx->ecx & 0x200) != 0, "pushf with virtual IF 1: %#x", ctx->ecx);
	CHECK(ctx->eip == 0x100000 + sizeof code && ctx->esp == 0x1ff000, "eip %#x esp %#x", ctx->eip, ctx->esp);
	printf("switch_test: %u passed, %u failed\n", passed, failed);
	return failed != 0;
}
