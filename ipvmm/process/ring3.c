/* Guest ring 3 in stub processes (ustub.h): each VMM process keeps one
 * stub for the address space it holds.  When a VMM entry ends at CPL 3 the
 * VMM does not return to guest code in its own process (which maps the
 * guest kernel, the VMM and previrt): it hands the registers to the stub
 * and sleeps until the stub posts the next event, which it then handles
 * like a trap of its own; only when the guest is back at CPL 0 does the
 * VMM entry return.  The stub maps guest user pages only, filled from the
 * guest's page tables on its faults and dropped at the guest's TLB
 * flushes, so ring 3 in 64-bit mode reaches nothing but its own memory. */
#include "machine.h"

#include <asm/ldt.h>
#include <errno.h>
#include <linux/audit.h>
#include <linux/futex.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/rseq.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include "aspace.h"
#include "console.h"
#include "ipvmm/core/seg.h"
#include "ustub.h"

extern const uint8_t us_blob_start[], us_blob_end[], us_blob_int80[], us_blob_site[], us_blob_signal[],
	us_blob_restorer[], us_blob_begin[], us_blob_clone_agent[];

#define U32(off) (*(volatile uint32_t *)(ctx + (off)))
#define U64(off) (*(volatile uint64_t *)(ctx + (off)))

/* This process's stub (not shared: each VMM process has its own). */
static struct {
	pid_t pid;        /* 0: none yet */
	int pipe;         /* our end of the agent's completion pipe */
	int flush_all;    /* drop every guest page before it resumes */
	unsigned nops;    /* the stub's own operations (LDT), in the context page */
	unsigned anops;   /* the agent's (map, unmap), in the request page */
	uint32_t seq;     /* the agent's last batch */
	uint8_t ldt_valid;
	struct user_desc ldt[S_NSEG];
} S;
static uint8_t *ctx;          /* US_CTX(as_self()); its request page follows */
#define REQ (ctx + 0x1000)
/* The stub's mappings: per linear page what it maps (pa | SM_V | SM_W),
 * 4 MiB reserved at start, and the list of pages, so that a CR3 write
 * keeps those the new tables translate alike instead of dropping all. */
#define SM_V 1u
#define SM_W 2u
#define SM_MAX 8192u
static uint32_t *smap;
static uint32_t slist[SM_MAX];
static unsigned sn;
static int soverflow, revalidate;
static uint64_t high;          /* the stub's code, above 4 GiB (shared by all stubs) */
static uint32_t pf_la, pf_acc; /* the last ring-3 page fault given to the guest */
static int pf_pending;
static int smapped_get(uint32_t la)
{
	return smap[la >> 12] & SM_V;
}

static void smap_note(uint32_t page, uint32_t pa, int w)
{
	uint32_t *e = &smap[page >> 12];
	if (!(*e & SM_V)) {
		if (sn < SM_MAX)
			slist[sn++] = page;
		else
			soverflow = 1;
	}
	*e = (pa & ~0xfffu) | SM_V | (w ? SM_W : 0);
}

static void smap_clear(void)
{
	if (soverflow)
		memset(smap, 0, (1u << 20) * sizeof *smap);
	else
		for (unsigned i = 0; i < sn; i++)
			smap[slist[i] >> 12] = 0;
	sn = 0;
	soverflow = 0;
	revalidate = 0;
}

static int op(uint32_t kind, uint32_t la, uint64_t pa, uint32_t len, uint32_t prot)
{
	uint8_t *o;
	if (kind == US_OP_LDT) {
		if (S.nops >= USC_MAXOPS)
			return -1;
		o = ctx + USC_OPS + 32 * S.nops++;
	} else {
		if (S.anops >= USR_MAXOPS - 1) /* room for a flush in front */
			return -1;
		o = REQ + USR_OPS + 24 * S.anops++;
	}
	*(uint32_t *)(o + USO_OP) = kind;
	*(uint32_t *)(o + USO_LA) = la;
	*(uint64_t *)(o + USO_PA) = pa;
	*(uint32_t *)(o + USO_LEN) = len;
	*(uint32_t *)(o + USO_PROT) = prot;
	return 0;
}

/* ---- the guest's TLB flushes, for the stub's mappings ---- */

void ring3_flush(uint32_t la, int all)
{
	if (!S.pid)
		return;
	if (all == 1 && !S.flush_all) {
		/* a CR3 write: checked against the new tables before ring 3
		 * runs again (ring3_run), as a TLB may keep what they allow */
		revalidate = 1;
		return;
	}
	if (all) {
		S.flush_all = 1;
		S.anops = 0; /* whatever was queued is superseded */
		return;
	}
	la &= ~0xfffu;
	if (la >= 0x10000 && la < PV_AREA_BASE && smapped_get(la)) {
		if (op(US_OP_UNMAP, la, 0, 0x1000, 0)) {
			S.flush_all = 1;
			S.anops = 0;
		}
		smap[la >> 12] = 0;
	}
}

/* A new VMM process (aspace.c) starts without a stub of its own. */
void ring3_forget(void)
{
	if (S.pid)
		close(S.pipe);
	memset(&S, 0, sizeof S);
	smap_clear();
	pf_pending = 0;
	ctx = (uint8_t *)(uintptr_t)US_CTX(as_self());
}

/* ---- making a stub ---- */

/* The stub's filters, on top of the VMM's (which it inherits).  The first
 * is the agent's too: from any address, only what the stub's handoff and
 * the agent's work need, with the arguments checked; the rest, and every
 * system call from guest code, traps to the stub's handler and reaches the
 * VMM as an event.  The second, the guest task's alone, takes mapping away:
 * the guest task holds no file descriptor and may not map anything. */
static int stub_filter(int memfd, int agent)
{
	scmp_filter_ctx c = seccomp_init(SCMP_ACT_TRAP);
	if (!c)
		return -1;
	int e = seccomp_attr_set(c, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_TRAP);
	e |= seccomp_rule_add(c, SCMP_ACT_ALLOW, SCMP_SYS(futex), 0);
	e |= seccomp_rule_add(c, SCMP_ACT_ALLOW, SCMP_SYS(rt_sigreturn), 0);
	e |= seccomp_rule_add(c, SCMP_ACT_ALLOW, SCMP_SYS(rt_sigprocmask), 0);
	e |= seccomp_rule_add(c, SCMP_ACT_ALLOW, SCMP_SYS(munmap), 0);
	e |= seccomp_rule_add(c, SCMP_ACT_ALLOW, SCMP_SYS(modify_ldt), 1, SCMP_A0(SCMP_CMP_EQ, 1));
	if (agent) {
		e |= seccomp_rule_add(c, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 3,
				      SCMP_A0(SCMP_CMP_LT, PV_AREA_BASE),
				      SCMP_A3(SCMP_CMP_EQ, MAP_SHARED | MAP_FIXED),
				      SCMP_A4(SCMP_CMP_MASKED_EQ, 0xffffffffu, (uint32_t)memfd));
		e |= seccomp_rule_add(c, SCMP_ACT_ALLOW, SCMP_SYS(write), 1,
				      SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffu, 2));
		e |= seccomp_rule_add(c, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 2,
				      SCMP_A0(SCMP_CMP_EQ, PR_SET_PDEATHSIG), SCMP_A1(SCMP_CMP_EQ, SIGKILL));
		/* the second filter's loading (libseccomp's calls) */
		e |= seccomp_rule_add(c, SCMP_ACT_ALLOW, SCMP_SYS(seccomp), 0);
		e |= seccomp_rule_add(c, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 2,
				      SCMP_A0(SCMP_CMP_EQ, PR_SET_NO_NEW_PRIVS), SCMP_A1(SCMP_CMP_EQ, 1));
		e |= seccomp_rule_add(c, SCMP_ACT_ALLOW, SCMP_SYS(brk), 0);
		e |= seccomp_rule_add(c, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
				      SCMP_A4(SCMP_CMP_MASKED_EQ, 0xffffffffu, 0xffffffffu));
		e |= seccomp_rule_add(c, SCMP_ACT_ALLOW, SCMP_SYS(close), 0);
		/* the agent's making: this call, these flags */
		e |= seccomp_rule_add(c, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
				      SCMP_A0(SCMP_CMP_EQ, CLONE_VM | SIGCHLD));
	}
	if (!e)
		e = seccomp_load(c);
	seccomp_release(c);
	return e ? -1 : 0;
}

struct kernel_sigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	uint64_t mask;
};

/* movabs $entry, %r11; jmp *%r11 -- 13 bytes at t */
static void trampoline(uint8_t *t, const uint8_t *sym)
{
	uint64_t entry = high + (uint64_t)(sym - us_blob_start);
	t[0] = 0x49, t[1] = 0xbb;
	memcpy(t + 2, &entry, 8);
	t[10] = 0x41, t[11] = 0xff, t[12] = 0xe3;
}

static _Noreturn void stub_child(int pipe_w)
{
	int memfd = M.mem.fd;
	if (prctl(PR_SET_PDEATHSIG, SIGKILL))
		_exit(70);
	uint64_t all = ~0ull;
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, NULL, 8);
	/* fds: the pipe on 2 (the agent's write end), guest RAM on its
	 * number, nothing else; the guest task closes both after the agent
	 * has its copy */
	if (memfd == 2 || dup2(pipe_w, 2) < 0)
		_exit(70);
	for (int fd = 0; fd < 64; fd++)
		if (fd != 2 && fd != memfd)
			close(fd);
	/* the vDSO entry: a trampoline at the VMM blob's int80 address */
	uint8_t *code = mmap((void *)(uintptr_t)PV_CODE_PAGE, 0x1000, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (code == MAP_FAILED)
		_exit(70);
	trampoline(code + (PV_BLOB_ADDR(pv_blob_entry_int80) - PV_CODE_PAGE), us_blob_int80);
	trampoline(code + (PV_ENTRY - PV_CODE_PAGE), us_blob_site);
	if (mprotect(code, 0x1000, PROT_READ | PROT_EXEC))
		_exit(70);
	/* the private page and the signal stack, fresh */
	uint8_t *priv = mmap((void *)(uintptr_t)US_PRIV, 0x1000, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	void *stk = mmap((void *)(uintptr_t)US_STACK, 0x5000, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (priv == MAP_FAILED || stk == MAP_FAILED)
		_exit(70);
	uint64_t c = (uint64_t)(uintptr_t)ctx;
	memcpy(priv + USP_CTX, &c, 8);
	memcpy(priv + USP_MEMFD, &memfd, 4);
	int two = 2;
	memcpy(priv + USP_PIPE, &two, 4);
	if (mprotect(priv, 0x1000, PROT_READ) || mprotect(REQ, 0x1000, PROT_READ))
		_exit(70);
	stack_t ss = {.ss_sp = stk, .ss_size = 0x4000};
	if (sigaltstack(&ss, NULL))
		_exit(70);
	struct kernel_sigaction ka = {(void *)(uintptr_t)(high + (uint64_t)(us_blob_signal - us_blob_start)),
				      SA_SIGINFO | SA_ONSTACK | 0x04000000 /* SA_RESTORER */,
				      (void *)(uintptr_t)(high + (uint64_t)(us_blob_restorer - us_blob_start)),
				      ~0ull};
	static const int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS, SIGALRM};
	for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		if (syscall(SYS_rt_sigaction, sigs[i], &ka, NULL, 8))
			_exit(70);
	/* glibc registered this thread's rseq area, which is about to be
	 * unmapped: the kernel would fault on it at the next preemption */
	if (__rseq_size) {
		void *rs = (char *)__builtin_thread_pointer() + __rseq_offset;
		/* registered with the area's whole size (32), which glibc 2.36's
		 * __rseq_size (the used part, 20) is not */
		if (syscall(SYS_rseq, rs, 32, 1 /* RSEQ_FLAG_UNREGISTER */, RSEQ_SIG) &&
		    syscall(SYS_rseq, rs, __rseq_size, 1, RSEQ_SIG))
			_exit(70);
	}
	struct itimerval it = {{0, TICK_NS / 1000}, {0, TICK_NS / 1000}};
	if (setitimer(ITIMER_REAL, &it, NULL))
		_exit(70);
	/* the agent: this address space, a copy of these fds, the first filter */
	if (stub_filter(memfd, 1))
		_exit(70);
	long (*clone_agent)(void) =
		(long (*)(void))(uintptr_t)(high + (uint64_t)(us_blob_clone_agent - us_blob_start));
	if (clone_agent() < 0)
		_exit(70);
	close(2);
	close(memfd);
	if (stub_filter(memfd, 0))
		_exit(70);
	void (*begin)(uint64_t, uint64_t) =
		(void (*)(uint64_t, uint64_t))(uintptr_t)(high + (uint64_t)(us_blob_begin - us_blob_start));
	begin(high, high + 0x2000);
	_exit(70);
}

/* Waits for the stub's next event (state 1); 0 when it came, -1 when the
 * stub is gone (ring 3 can unmap the stub's own pages: it then dies).  If
 * ring 3 keeps the host timer away from it (a forged signal frame can
 * block it), the run ends: the VMM cannot preempt the stub. */
static int wait_event(void)
{
	uint64_t since = now_ns();
	for (;;) {
		uint32_t s = __atomic_load_n((uint32_t *)(ctx + USC_STATE), __ATOMIC_ACQUIRE);
		if (s == 1)
			return 0;
		struct timespec ts = {0, 100000000};
		long r = syscall(SYS_futex, ctx + USC_STATE, FUTEX_WAIT, s, &ts, NULL, 0);
		if (r == 0 || errno == EAGAIN)
			continue;
		/* a timeout, or (most often) the VMM's own 1 ms tick: look for
		 * the stub's death and count the time after both, or neither is
		 * ever seen (a hang, found in the nested host) */
		struct pollfd p = {S.pipe, 0, 0};
		if (poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR)))
			return -1;
		if (now_ns() - since > 5000000000ull) {
			vcpu_fail(&M.cpu, STOP_TIMEOUT,
				  "ring 3 gave no event for 5 s (host timer blocked in the stub, pid %d)",
				  (int)S.pid);
			finish(1);
		}
	}
}

/* The stub's code above 4 GiB and the shared context pages: made before
 * the jail (which allows mprotect only below 4 GiB) and any fork. */
int ring3_init(char *err, size_t errsz)
{
	size_t n = (size_t)(us_blob_end - us_blob_start);
	void *p = mmap(NULL, 0x2000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || n > 0x2000) {
		snprintf(err, errsz, "the ring-3 stub's code: %s", strerror(errno));
		return -1;
	}
	memcpy(p, us_blob_start, n);
	if (mprotect(p, 0x2000, PROT_READ | PROT_EXEC) ||
	    mmap((void *)(uintptr_t)US_CTX(0), AS_MAX * 0x2000, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED) {
		snprintf(err, errsz, "the ring-3 stubs' pages: %s", strerror(errno));
		return -1;
	}
	high = (uint64_t)(uintptr_t)p;
	void *m = mmap(NULL, (1u << 20) * sizeof *smap, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m == MAP_FAILED) {
		snprintf(err, errsz, "the ring-3 stubs' page map: %s", strerror(errno));
		return -1;
	}
	smap = m;
	return 0;
}

static int spawn(char *err, size_t errsz)
{
	ctx = (uint8_t *)(uintptr_t)US_CTX(as_self());
	memset(ctx, 0, 0x2000);
	int pfd[2];
	if (pipe(pfd)) {
		snprintf(err, errsz, "the ring-3 agent's pipe: %s", strerror(errno));
		return -1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, errsz, "fork of the ring-3 stub: %s", strerror(errno));
		close(pfd[0]), close(pfd[1]);
		return -1;
	}
	if (pid == 0)
		stub_child(pfd[1]);
	close(pfd[1]);
	/* on the number the jail lets the VMM read */
	if (pfd[0] != US_AGENT_FD && (dup2(pfd[0], US_AGENT_FD) < 0 || close(pfd[0]))) {
		snprintf(err, errsz, "the ring-3 agent's pipe on fd %d: %s", US_AGENT_FD, strerror(errno));
		return -1; /* the run ends; the stub goes with it */
	}
	S.pid = pid, S.pipe = US_AGENT_FD, S.flush_all = 0, S.nops = S.anops = 0, S.seq = 0, S.ldt_valid = 0;
	smap_clear();
	M.stubs++;
	if (wait_event()) { /* "ready" */
		snprintf(err, errsz, "the ring-3 stub (pid %d) died while starting", (int)pid);
		return -1;
	}
	return 0;
}

/* Hands the queued maps and unmaps to the agent and waits until it has
 * done them: an unmap must be complete before the guest may reuse the
 * frame.  0, or -1 when the agent is gone. */
static int agent_run(void)
{
	if (!S.anops)
		return 0;
	*(volatile uint32_t *)(REQ + USR_NOPS) = S.anops;
	S.anops = 0;
	uint32_t seq = ++S.seq;
	__atomic_store_n((uint32_t *)(REQ + USR_SEQ), seq, __ATOMIC_RELEASE);
	syscall(SYS_futex, REQ + USR_SEQ, FUTEX_WAKE, 1, NULL, NULL, 0);
	uint32_t msg[2];
	for (;;) {
		ssize_t n = read(S.pipe, msg, sizeof msg);
		if (n < 0 && errno == EINTR)
			continue;
		if (n != sizeof msg)
			return -1;
		if (msg[0] == seq)
			break;
	}
	if (msg[1]) {
		vcpu_fail(&M.cpu, STOP_UNIMPLEMENTED, "the ring-3 agent: %u of its mappings failed", msg[1]);
		finish(1);
	}
	M.agent_batches++;
	return 0;
}

/* ---- moving the registers ---- */

static void seg_ops(void)
{
	for (unsigned s = 0; s < S_NSEG; s++) {
		const struct vseg *g = &M.cpu.seg[s];
		struct user_desc d;
		ldt_desc(FULL_SLOT(s), g, 0, &d);
		if ((S.ldt_valid & (1u << s)) && memcmp(&d, &S.ldt[s], sizeof d) == 0)
			continue;
		memcpy(ctx + USC_LDT + 16 * s, &d, 16);
		if (op(US_OP_LDT, s, 0, 0, 0) == 0) {
			S.ldt[s] = d;
			S.ldt_valid |= (uint8_t)(1u << s);
		}
	}
}

_Static_assert(USC_SIZE <= USC_FPU && USC_FPU % 16 == 0 && USC_FPU + 512 <= 0x1000,
	       "ustub.h: the FPU image's place in the context page");

static void cpu_to_stub(void)
{
	const struct vcpu *v = &M.cpu;
	fpu_to_image(ctx + USC_FPU);
	U32(USC_EAX) = v->gpr[R_EAX], U32(USC_ECX) = v->gpr[R_ECX], U32(USC_EDX) = v->gpr[R_EDX];
	U32(USC_EBX) = v->gpr[R_EBX], U32(USC_ESP) = v->gpr[R_ESP], U32(USC_EBP) = v->gpr[R_EBP];
	U32(USC_ESI) = v->gpr[R_ESI], U32(USC_EDI) = v->gpr[R_EDI];
	U32(USC_EIP) = v->eip;
	U32(USC_EFLAGS) = (v->eflags & ~(EFL_IF | EFL_IOPL | EFL_NT | EFL_VM)) | EFL_IF;
	static const unsigned off[S_NSEG] = {USC_ES, USC_CS, USC_SS, USC_DS, USC_FS, USC_GS};
	for (unsigned s = 0; s < S_NSEG; s++)
		U32(off[s]) = v->seg[s].usable ? SLOT_SEL(FULL_SLOT(s)) : 0;
}

static void cpu_from_stub(uint16_t now[S_NSEG])
{
	struct vcpu *v = &M.cpu;
	v->gpr[R_EAX] = U32(USC_EAX), v->gpr[R_ECX] = U32(USC_ECX), v->gpr[R_EDX] = U32(USC_EDX);
	v->gpr[R_EBX] = U32(USC_EBX), v->gpr[R_ESP] = U32(USC_ESP), v->gpr[R_EBP] = U32(USC_EBP);
	v->gpr[R_ESI] = U32(USC_ESI), v->gpr[R_EDI] = U32(USC_EDI);
	v->eip = U32(USC_EIP);
	v->eflags = (U32(USC_EFLAGS) & ~(EFL_IF | EFL_IOPL | EFL_NT | EFL_VM)) |
		    (v->eflags & (EFL_IOPL | EFL_NT)) | EFL_IF;
	now[S_ES] = (uint16_t)U32(USC_ES), now[S_DS] = (uint16_t)U32(USC_DS);
	now[S_FS] = (uint16_t)U32(USC_FS), now[S_GS] = (uint16_t)U32(USC_GS);
	now[S_CS] = (uint16_t)U32(USC_CS), now[S_SS] = (uint16_t)U32(USC_SS);
}

/* ---- ring 3's faults: the stub's soft TLB ---- */

#define AROUND 16u

static void stub_map(uint32_t page, uint32_t pa, int w)
{
	if (op(US_OP_MAP, page, pa, 0x1000, PROT_READ | PROT_EXEC | (w ? PROT_WRITE : 0)) == 0)
		smap_note(page, pa, w);
}

static void stub_fault(uint32_t la, uint32_t err)
{
	struct vcpu *v = &M.cpu;
	unsigned acc = (err & 2 ? MMU_WRITE : 0) | MMU_USER;
	uint32_t pa;
	int w, u;
	if (la >= PV_AREA_BASE) {
		/* the VMM's area, absent here: an inline site run at CPL 3 (test
		 * kernels), else the guest's own page fault */
		const struct patch_site *st = find_site(v->seg[S_CS].base + v->eip);
		if (st && st->action == PATCH_INLINE) {
			inline_site_at_cpl3();
			return;
		}
	}
	if (mmu_fill(v, la, acc, &pa, &w, &u)) {
		/* #PF raised for the guest: map the page on the way back */
		if (v->exc_vector == 14)
			pf_la = la, pf_acc = acc, pf_pending = 1;
		return;
	}
	if (la < 0x10000 || la >= PV_AREA_BASE) {
		/* a user page the guest's tables allow where a host process
		 * cannot have one: the program gets #GP, the kernel goes on */
		static int said;
		if (!said++)
			fprintf(stderr, "previrt: ring 3 touched linear %#x (eip %#x), which a host process "
				"cannot map: #GP to the guest program (said once)\n", la, v->eip);
		vcpu_raise(v, 13, 1, 0);
		return;
	}
	if (!pv_phys(&M.mem, pa, 0x1000)) {
		vcpu_fail(v, STOP_BAD_MEMORY, "ring 3 touched guest-physical %#x (linear %#x), outside RAM (eip %#x)",
			  pa, la, v->eip);
		return;
	}
	uint32_t page = la & ~0xfffu;
	stub_map(page, pa, w);
	M.faults_filled++;
	/* the already-accessed neighbours, as fault_around does for the VMM */
	uint32_t lo = page & ~(AROUND * 0x1000 - 1);
	for (uint32_t i = 0; i < AROUND; i++) {
		uint32_t n = lo + i * 0x1000, npa;
		int nw, nu;
		if (n == page || n < 0x10000 || smapped_get(n) || S.nops >= USC_MAXOPS - 4)
			continue;
		if (mmu_peek(v, n, MMU_USER, &npa, &nw, &nu) == 0 && pv_phys(&M.mem, npa, 0x1000)) {
			stub_map(n, npa, nw);
			M.faults_around++;
		}
	}
}

/* Back in ring 3 after the guest's handler for a ring-3 page fault: map
 * the page now if the tables allow it without side effects (mmu_peek),
 * instead of after a second fault of the stub. */

static void map_after_fault(void)
{
	uint32_t page = pf_la & ~0xfffu, pa;
	int w, u;
	if (!pf_pending)
		return;
	pf_pending = 0;
	if (page < 0x10000 || page >= PV_AREA_BASE || smapped_get(page) ||
	    mmu_peek(&M.cpu, page, pf_acc, &pa, &w, &u) || !pv_phys(&M.mem, pa, 0x1000))
		return;
	stub_map(page, pa, w);
	M.prefills++;
}

/* ---- the events ---- */

static void stub_signal(uint16_t now[S_NSEG])
{
	struct vcpu *v = &M.cpu;
	int sig = (int)U32(USC_SIGNO);
	uint32_t trapno = U32(USC_TRAPNO), err = U32(USC_ERR);
	if (sig > 0 && sig < 65)
		M.signals[sig]++;
	uint64_t rip = U64(USC_RIP);
	if (now[S_CS] == 0x33 || rip >> 32) {
		if (rip >= high && rip < high + 0x2000) {
			/* the stub's own code: ring 3 jumped into it (its address
			 * is in the trampoline, which ring 3 can read) and made a
			 * call the stub's filter refuses -- or a bug of ours */
			M.ring3_escapes++;
			if (M.cfg->stats)
				fprintf(stderr, "previrt: ring 3 at the stub's code %#llx: signal %d, system call %u\n",
					(unsigned long long)rip, sig, U32(USC_SYSCALL));
			vcpu_raise(v, 13, 1, 0);
			return;
		}
		if (sig == SIGSYS && U32(USC_ARCH) == AUDIT_ARCH_I386 && now[S_CS] != 0x33) {
			/* sysenter from 32-bit code: the host returns to a vDSO
			 * this process does not have, so where it came from is
			 * lost; it is hidden in CPUID: #UD */
			vcpu_raise(v, 6, 0, 0);
			return;
		}
		/* ring 3 in 64-bit code of its own: the #GP of its far jump */
		M.ring3_escapes++;
		vcpu_raise(v, 13, 1, 0);
		return;
	}
	if (sig != SIGSEGV && sig != SIGBUS)
		adopt_native_segments(now, 0);
	switch (sig) {
	case SIGSEGV:
	case SIGBUS:
		if (adopt_native_segments(now, 1))
			break;
		if (trapno == 14)
			stub_fault((uint32_t)U64(USC_CR2), err);
		else
			trap_emulate(trapno == 12 ? 12 : 13, err);
		break;
	case SIGILL:
		trap_emulate(6, 0);
		break;
	case SIGFPE:
		vcpu_raise(v, 0, 0, 0);
		break;
	case SIGTRAP:
		vcpu_raise(v, trapno == 3 ? 3 : 1, 0, 0);
		break;
	case SIGSYS: {
		uint8_t b[2] = {0, 0};
		uint32_t at = v->eip - 2;
		vmem_read(v, v->seg[S_CS].base + at, b, 2, 0);
		v->exc_vector = -1;
		v->eip = at;
		struct x86_insn in;
		if (b[0] == 0xcd && x86_decode(b, 2, X86_MODE32, &in) == 2)
			vcpu_emulate(v, &in, 2);
		else
			vcpu_raise(v, 6, 0, 0); /* sysenter/syscall: hidden in CPUID */
		break;
	}
	case SIGALRM:
		M.tick_due = 0;
		i8254_update(&M.pit);
		host_input();
		if (M.cfg->timeout && now_ns() - M.t0_ns > M.cfg->timeout * 1000000000ull) {
			vcpu_fail(v, STOP_TIMEOUT, "the guest ran longer than %u s (--timeout)", M.cfg->timeout);
			finish(1);
		}
		M.if_seen_ns = now_ns();
		break;
	default:
		/* the stub's handler posts only the signals above: anything
		 * else is a handoff ring 3 forged in its context page, which
		 * gets it the #GP of a far jump it had no right to, never a
		 * stop of the guest kernel */
		M.ring3_escapes++;
		vcpu_raise(v, 13, 1, 0);
	}
}

/* After a CR3 write: of the pages the stub maps, keeps those the current
 * tables map to the same frame, still Accessed (and Dirty if mapped
 * writable), and unmaps the rest in runs; too many runs drop them all. */
static void revalidate_pages(void)
{
	unsigned k = 0;
	uint32_t run_la = 0, run_n = 0;
	revalidate = 0;
	if (soverflow) {
		S.flush_all = 1;
		return;
	}
	for (unsigned i = 0; i <= sn; i++) {
		uint32_t la = i < sn ? slist[i] : 0, e = i < sn ? smap[la >> 12] : 0, pa;
		int w, u, gone = 0;
		if (i < sn) {
			if (!(e & SM_V))
				continue;
			if (mmu_peek(&M.cpu, la, MMU_USER, &pa, &w, &u) == 0 && u && pa == (e & ~0xfffu) &&
			    (w || !(e & SM_W))) {
				slist[k++] = la;
				continue;
			}
			smap[la >> 12] = 0;
			gone = 1;
			if (run_n && la == run_la + run_n * 0x1000) {
				run_n++;
				continue;
			}
		}
		if (run_n && op(US_OP_UNMAP, run_la, 0, run_n * 0x1000, 0)) {
			/* the queue is full: everything goes */
			for (unsigned j = i; j < sn; j++)
				smap[slist[j] >> 12] = 0;
			sn = k;
			S.flush_all = 1;
			S.anops = 0;
			return;
		}
		run_n = 0;
		if (gone)
			run_la = la, run_n = 1;
	}
	sn = k;
}

/* Runs the guest while it stays at CPL 3, in this process's stub. */
void ring3_run(void)
{
	char err[200];
	if (!S.pid && spawn(err, sizeof err)) {
		vcpu_fail(&M.cpu, STOP_UNIMPLEMENTED, "%s", err);
		finish(1);
	}
	while (M.cpu.cpl == 3) {
		if (revalidate && !S.flush_all)
			revalidate_pages(); /* may decide on a flush of everything */
		if (S.flush_all) {
			/* first, before the queued maps: all guest pages go */
			memmove(REQ + USR_OPS + 24, REQ + USR_OPS, 24 * S.anops);
			S.anops++;
			uint8_t *o = REQ + USR_OPS;
			*(uint32_t *)(o + USO_OP) = US_OP_UNMAP;
			*(uint32_t *)(o + USO_LA) = 0x10000;
			*(uint32_t *)(o + USO_LEN) = PV_AREA_BASE - 0x10000;
			smap_clear();
			S.flush_all = 0;
		}
		map_after_fault();
		seg_ops();
		int dead = agent_run();
		cpu_to_stub();
		U32(USC_NOPS) = S.nops;
		S.nops = 0;
		__atomic_store_n((uint32_t *)(ctx + USC_STATE), 2, __ATOMIC_RELEASE);
		if (!dead)
			syscall(SYS_futex, ctx + USC_STATE, FUTEX_WAKE, 1, NULL, NULL, 0);
		if (dead || wait_event()) {
			/* the stub died under ring 3 (it unmapped the stub's own
			 * pages): the guest program gets a #GP where it last was,
			 * and the next ring-3 entry a new stub */
			close(S.pipe);
			S.pid = 0;
			M.stub_deaths++;
			if (spawn(err, sizeof err)) {
				vcpu_fail(&M.cpu, STOP_UNIMPLEMENTED, "%s", err);
				finish(1);
			}
			vcpu_raise(&M.cpu, 13, 1, 0);
			step_done();
			continue;
		}
		M.stub_events++;
		uint16_t now[S_NSEG];
		cpu_from_stub(now);
		fpu_from_image(ctx + USC_FPU);
		if (U32(USC_REASON) == US_REASON_INT80)
			vdso_int80(M.cpu.eip, now);
		else if (U32(USC_REASON) == US_REASON_SITE)
			site_call(M.cpu.eip);
		else
			stub_signal(now);
		step_done();
	}
}
