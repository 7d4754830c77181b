/* The end of a run: the exit status, the guest's registers and the
 * statistics on stderr; console input, whose escape key also ends it. */
#include "machine.h"

#include <stdio.h>

#include "aspace.h"
#include "console.h"

/* ---- the end of the run ---- */

static void dump_regs(FILE *f)
{
	const struct vcpu *v = &M.cpu;
	fprintf(f, "  eip %08x eflags %08x cpl %u\n", v->eip, v->eflags, v->cpl);
	fprintf(f, "  eax %08x ebx %08x ecx %08x edx %08x\n", v->gpr[R_EAX], v->gpr[R_EBX],
		v->gpr[R_ECX], v->gpr[R_EDX]);
	fprintf(f, "  esi %08x edi %08x ebp %08x esp %08x\n", v->gpr[R_ESI], v->gpr[R_EDI],
		v->gpr[R_EBP], v->gpr[R_ESP]);
	static const char *names[] = {"es", "cs", "ss", "ds", "fs", "gs"};
	for (unsigned s = 0; s < S_NSEG; s++)
		fprintf(f, "  %s %04x base %08x limit %08x%s", names[s], v->seg[s].sel, v->seg[s].base,
			v->seg[s].limit, s % 2 ? "\n" : "");
	fprintf(f, "  cr0 %08x cr2 %08x cr3 %08x cr4 %08x\n", v->cr0, v->cr2, v->cr3, v->cr4);
	fprintf(f, "  gdt %08x/%04x idt %08x/%04x ldtr %04x tr %04x\n", v->gdtr.base, v->gdtr.limit,
		v->idtr.base, v->idtr.limit, v->ldtr.sel, v->tr.sel);
}

static void print_stats(FILE *f)
{
	fprintf(f, "previrt: statistics\n  %-14s %6s %7s %6s %6s %12s %10s\n", "kind", "sites", "inline",
		"call", "native", "vmm entries", "traps");
	for (unsigned k = 1; k < PREVIRT_AB_NKINDS; k++) {
		const struct patch_kind_stats *s = &M.pstats.kind[k];
		if (!s->sites && !M.traps[k])
			continue;
		fprintf(f, "  %-14s %6u %7u %6u %6u %12llu %10llu\n", previrt_ab_kind_name[k], s->sites,
			s->inlined, s->called + s->jumped, s->native, (unsigned long long)M.hits[k],
			(unsigned long long)M.traps[k]);
	}
	if (M.vdsos)
		fprintf(f, "  vDSO: %u int $0x80 sites rewritten, %llu system calls through them\n",
			M.vdso_stats.kind[PREVIRT_AB_KIND_INT].called, (unsigned long long)M.vdso_calls);
	if (M.cfg->net)
		fprintf(f, "  network: DP83820, %llu device-register accesses trapped, %llu frames sent "
			   "(%llu dropped into --net null), %llu received\n",
			(unsigned long long)M.mmio_traps, (unsigned long long)M.nic.stats.tx_frames,
			(unsigned long long)M.net_dropped, (unsigned long long)M.nic.stats.rx_frames);
	if (M.net)
		fprintf(f, "  net %s: frames dropped: %llu to the host (ring full), %llu too long, %llu "
			   "from the host (ring full), %llu refused by the card; %llu wakeups of the helper\n",
			M.cfg->net == PV_NET_TAP ? "tap" : "user",
			(unsigned long long)atomic_load(&M.net->to_host.full),
			(unsigned long long)atomic_load(&M.net->to_host.too_long),
			(unsigned long long)atomic_load(&M.net->to_guest.full),
			(unsigned long long)M.net_in_dropped, (unsigned long long)M.net_kicks);
	fprintf(f, "  exceptions delivered:");
	for (unsigned i = 0; i < 32; i++)
		if (M.cpu.stat_exc[i])
			fprintf(f, " #%u:%llu", i, (unsigned long long)M.cpu.stat_exc[i]);
	fprintf(f, "\n  interrupts delivered: %llu, soft-TLB fills: %llu (+%llu pages mapped ahead, "
		   "%llu after the guest's page fault handler)\n",
		(unsigned long long)M.cpu.stat_irq, (unsigned long long)M.faults_filled,
		(unsigned long long)M.faults_around, (unsigned long long)M.prefills);
	if (M.stubbed)
		fprintf(f, "  ring 3 in stub processes: %llu started (%llu after ring 3 killed one), %llu events, "
			   "%llu mapping batches; 64-bit escapes #GP'd: %llu\n",
			(unsigned long long)M.stubs, (unsigned long long)M.stub_deaths,
			(unsigned long long)M.stub_events, (unsigned long long)M.agent_batches,
			(unsigned long long)M.ring3_escapes);
	else
		fprintf(f, "  ring 3: kernel pages dropped %llu times, segment cap suspended %llu times\n",
			(unsigned long long)M.drops, (unsigned long long)M.uncaps);
	fprintf(f, "  host signals: SIGSEGV %llu SIGSYS %llu SIGALRM %llu SIGILL %llu SIGFPE %llu\n",
		(unsigned long long)M.signals[SIGSEGV], (unsigned long long)M.signals[SIGSYS],
		(unsigned long long)M.signals[SIGALRM], (unsigned long long)M.signals[SIGILL],
		(unsigned long long)M.signals[SIGFPE]);
	uint64_t total = now_ns() - M.t0_ns;
	fprintf(f, "  time: %.3f s, in the VMM %.3f s (%.1f%%)\n", (double)total / 1e9,
		(double)M.vmm_ns / 1e9, total ? 100.0 * (double)M.vmm_ns / (double)total : 0.0);
}

/* Ends the process: reached from signal handlers and VMM calls alike, so
 * it leaves through _exit after flushing what it printed. */
_Noreturn void finish(int status)
{
	console_restore();
	static const char *const why[] = {"", "unimplemented", "triple fault", "bad memory access",
					  "halted", "watchdog"};
	fflush(stdout);
	if (M.cpu.stop == STOP_HALTED)
		fprintf(stderr, "previrt: the guest halted with interrupts off: powered off (%s)\n", M.cpu.why);
	if (status) {
		fprintf(stderr, "previrt: guest stopped (%s): %s\n",
			M.cpu.stop < 6 ? why[M.cpu.stop] : "?", M.cpu.why);
		dump_regs(stderr);
	}
	if (M.cfg && M.cfg->stats)
		print_stats(stderr);
	fflush(stderr);
	as_exit(status);
}

/* Console input into the UART; the escape key ends the run. */
void console_input(void)
{
	uint8_t buf[256];
	size_t room = uart16550_rx_space(&M.uart);
	long n = console_poll(buf, room < sizeof buf ? room : sizeof buf);
	if (n < 0) {
		console_restore();
		fprintf(stderr, "\r\nprevirt: quit (Ctrl-])\n");
		M.cfg = NULL;
		finish(3);
	}
	if (n > 0)
		uart16550_receive(&M.uart, buf, (size_t)n);
}
