/* Host signals as the guest's exceptions, traps and timer interrupts. */
#include "machine.h"

#include <linux/audit.h>
#include <stdio.h>
#include <sys/time.h>
#include <unistd.h>

#include "aspace.h"
#include "console.h"
#include "ipvmm/core/seg.h"
#include "jail.h"

#ifndef SYS_SECCOMP
#define SYS_SECCOMP 1 /* si_code of a seccomp SIGSYS (linux/siginfo.h) */
#endif

int decode_at_eip(struct x86_insn *in, uint32_t *la_out)
{
	struct vcpu *v = &M.cpu;
	uint8_t buf[X86_MAX_LEN] = {0};
	uint32_t la = v->seg[S_CS].base + v->eip;
	unsigned n = 0;
	while (n < sizeof buf && vmem_read(v, la + n, buf + n, 1, 0) == 0)
		n++;
	v->exc_vector = -1; /* a page fault reading past the end is not the guest's */
	*la_out = la;
	return x86_decode(buf, n, X86_MODE32, in);
}

/* Emulates the instruction at eip after a host trap, or reports the trap
 * to the guest as the exception it is. */
void trap_emulate(unsigned vector, uint32_t err)
{
	struct vcpu *v = &M.cpu;
	struct x86_insn in;
	uint32_t la;
	int len = decode_at_eip(&in, &la);
	const struct patch_site *s = find_site(la);
	if (s && site_here(s, la) == la && s->action == PATCH_NATIVE && len == s->insn_len) {
		M.traps[s->kind]++;
		if (s->flags & PREVIRT_AB_F_SHADOW)
			vcpu_sti_hlt(v, s->len);
		else
			vcpu_emulate(v, &s->insn, s->len);
		return;
	}
	/* a #GP of a plain move (a segment limit) is the guest's own */
	int move = in.op == X86_OP_MOV || in.op == X86_OP_MOVZX || in.op == X86_OP_MOVSX;
	if (len > 0 && in.op != X86_OP_OTHER && !move && vector == 13) {
		/* unannotated code (ring 3) doing something privileged */
		if (in.op == X86_OP_MOV_TO_SEG || in.op == X86_OP_POP_SEG || in.op == X86_OP_IRET ||
		    in.op == X86_OP_LRET || in.op == X86_OP_FARJMP || in.op == X86_OP_FARCALL ||
		    in.op == X86_OP_LDS || in.op == X86_OP_LES || in.op == X86_OP_LFS ||
		    in.op == X86_OP_LGS || in.op == X86_OP_LSS || v->cpl == 0) {
			vcpu_emulate(v, &in, (unsigned)len);
			return;
		}
	}
	vcpu_raise(v, vector, vector == 13 || vector == 14 || (vector >= 10 && vector <= 12), err);
}

static int in_guest_code(const greg_t *g)
{
	uint16_t cs = (uint16_t)(g[REG_CSGSFS] & 0xffff);
	return cs != 0x33;
}

/* Whether an interrupt may be delivered at the interrupted guest eip: not
 * in the middle of a site's inline sequence, not in the VMM's thunks. */
static int interruptible(uint32_t la)
{
	if (la >= PV_AREA_BASE)
		return 0;
	const struct patch_site *s = find_site(la);
	return !s || site_here(s, la) == la;
}

/* A system call the jail's allow-list refused, made by 64-bit code: the
 * VMM itself, or a guest kernel that left compatibility mode and jumped to
 * a `syscall` instruction.  Either way the run ends, naming the call; the
 * call itself never happened. */
static _Noreturn void blocked_call(const siginfo_t *si)
{
	char msg[256];
	int x86_64 = si->si_arch == AUDIT_ARCH_X86_64;
	int n = snprintf(msg, sizeof msg,
			 "previrt: jail: system call %s (%s %d) from 64-bit code at %#llx is not allowed: "
			 "the run is stopped\n",
			 x86_64 ? jail_syscall_name(si->si_syscall) : "?", x86_64 ? "x86-64" : "i386",
			 si->si_syscall, (unsigned long long)(uintptr_t)si->si_call_addr);
	if (write(2, msg, (size_t)n) < 0)
		as_exit(JAIL_STATUS);
	console_restore();
	as_exit(JAIL_STATUS);
}

/* The guest kernel runs 64-bit code of its own: nothing a real i386 can
 * do, and a sign of an attack on the VMM. */
static _Noreturn void left_compat_mode(int sig, const siginfo_t *si, uint64_t rip)
{
	char msg[200], addr[40] = "";
	if (sig == SIGSEGV || sig == SIGBUS)
		snprintf(addr, sizeof addr, ", address %#llx", (unsigned long long)(uintptr_t)si->si_addr);
	int n = snprintf(msg, sizeof msg,
			 "previrt: jail: the guest kernel ran 64-bit code at %#llx (signal %d%s): the run is "
			 "stopped\n",
			 (unsigned long long)rip, sig, addr);
	if (write(2, msg, (size_t)n) < 0)
		as_exit(JAIL_STATUS);
	console_restore();
	as_exit(JAIL_STATUS);
}

int pv_signal(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	greg_t *g = uc->uc_mcontext.gregs;
	if (sig > 0 && sig < 65)
		M.signals[sig]++;
	/* A guest that keeps interrupts off this long is hung or has given up
	 * (a Linux panic spins with them off): end it rather than hang. */
	if (sig == SIGALRM && in_guest_code(g) && !M.in_vmm) {
		uint64_t t = now_ns();
		if (VIF)
			M.if_seen_ns = t;
		else if (M.if_seen_ns && t - M.if_seen_ns > STUCK_NS) {
			vcpu_fail(&M.cpu, STOP_TIMEOUT,
				  "the guest ran %u s with interrupts disabled: hung or panicked",
				  (unsigned)(STUCK_NS / 1000000000u));
			finish(1);
		}
	}
	if (sig == SIGALRM && M.cfg->timeout && now_ns() - M.t0_ns > M.cfg->timeout * 1000000000ull) {
		vcpu_fail(&M.cpu, STOP_TIMEOUT, "the guest ran longer than %u s (--timeout)",
			  M.cfg->timeout);
		finish(1);
	}
	if (sig == SIGALRM)
		M.tick_due = 1;
	/* 64-bit code in the guest's own pages, outside the VMM: guest code
	 * that far-jumped to the host's 64-bit segment.  Ring 3 gets the #GP
	 * a real CPU would have given its far jump; the kernel is stopped. */
	uint64_t rip = (uint64_t)g[REG_RIP];
	int escaped = !in_guest_code(g) && !M.in_vmm && rip < PV_AREA_BASE && sig != SIGALRM;
	if (escaped && M.cpu.cpl == 3)
		M.ring3_escapes++;
	else if (sig == SIGSYS && si->si_code == SYS_SECCOMP && (!in_guest_code(g) || M.in_vmm))
		blocked_call(si);
	else if (escaped)
		left_compat_mode(sig, si, rip);
	if (!escaped && (!in_guest_code(g) || M.in_vmm)) {
		if (sig == SIGALRM)
			return -1; /* the PIT catches up when the VMM next looks */
		static char msg[160];
		int n = snprintf(msg, sizeof msg, "previrt: internal error: signal %d at host %#llx (addr %p)\n",
				 sig, (unsigned long long)g[REG_RIP], si->si_addr);
		if (write(2, msg, (size_t)n) < 0)
			_exit(70);
		_exit(70);
	}
	uint64_t t = vmm_clock();
	M.in_vmm = 1;
	cpu_from_uc(g);
	fpu_from_frame(uc);
	struct vcpu *v = &M.cpu;
	uint32_t trapno = (uint32_t)g[REG_TRAPNO];
	if (escaped) {
		vcpu_raise(v, 13, 1, 0);
		sig = 0;
	} else if (v->cpl == 3 && sig != SIGSEGV && sig != SIGBUS) {
		fix_native_segments(0);
	}
	switch (sig) {
	case SIGSEGV:
	case SIGBUS:
		if (v->cpl == 3 && fix_native_segments(1))
			break;
		if (trapno != 14 && capping()) {
			/* maybe a ring-3 access above the cap: run it again on
			 * full segments, without the kernel's pages, so it page
			 * faults (or #GPs) exactly as the guest would see */
			P.uncapped = 1;
			M.uncaps++;
			drop_supervisor_pages();
			guard_vcpu_page();
			break;
		}
		if (trapno == 14)
			page_fault((uint32_t)(uintptr_t)si->si_addr, (uint64_t)g[REG_ERR]);
		else
			trap_emulate(trapno == 12 ? 12 : 13, (uint32_t)g[REG_ERR]);
		break;
	case SIGILL:
		trap_emulate(6, 0);
		break;
	case SIGFPE:
		vcpu_raise(v, 0, 0, 0);
		break;
	case SIGTRAP:
		if (trapno == 3)
			vcpu_raise(v, 3, 0, 0); /* eip is after the int3 already: a trap */
		else
			vcpu_raise(v, 1, 0, 0);
		break;
	case SIGSYS: {
		/* a system-call instruction the guest ran natively (unpatched) */
		uint8_t b[2] = {0, 0};
		uint32_t at = v->eip - 2;
		vmem_read(v, v->seg[S_CS].base + at, b, 2, 0);
		v->exc_vector = -1;
		v->eip = at;
		if (b[0] == 0xcd) {
			struct x86_insn in;
			if (x86_decode(b, 2, X86_MODE32, &in) == 2)
				vcpu_emulate(v, &in, 2);
		} else {
			vcpu_raise(v, 6, 0, 0); /* sysenter/syscall: hidden in CPUID */
		}
		break;
	}
	case SIGALRM:
		M.tick_due = 0;
		i8254_update(&M.pit);
		host_input();
		if (!interruptible(v->seg[S_CS].base + v->eip)) {
			irqcheck_cell();
			goto out;
		}
		break;
	}
	step_done();
out:
	switch_aspace();
	if (M.stubbed && M.cpu.cpl == 3)
		ring3_run();
	cpu_to_uc(g);
	fpu_to_frame(uc);
	M.in_vmm = 0;
	M.vmm_ns += vmm_clock() - t;
	return real_selector(S_FS);
}

void pv_sig_entry(int sig, siginfo_t *si, void *uc);

int signals_init(void)
{
	static uint8_t altstack[256 * 1024];
	stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
	if (sigaltstack(&ss, NULL))
		return -1;
	struct sigaction sa = {.sa_sigaction = pv_sig_entry, .sa_flags = SA_SIGINFO | SA_ONSTACK};
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGALRM); /* no timer inside another handler */
	static const int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS, SIGALRM};
	for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		if (sigaction(sigs[i], &sa, NULL))
			return -1;
	struct itimerval it = {{0, TICK_NS / 1000}, {0, TICK_NS / 1000}};
	return setitimer(ITIMER_REAL, &it, NULL);
}
