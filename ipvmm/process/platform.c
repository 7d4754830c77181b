/* What the core and the devices ask of the platform: the vcpu_ops (guest
 * memory, segments, flushes, halt, time, interrupts, ports) and the
 * devices' io_env; the host timer that drives the PIT. */
#include "machine.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "console.h"
#include "nethost.h"

/* ---- the vcpu_ops ---- */

static void *phys(void *ctx, uint64_t pa, uint32_t len)
{
	(void)ctx;
	return pv_phys(&M.mem, pa, len);
}

static void halt(void *ctx)
{
	(void)ctx;
	sigset_t none;
	sigemptyset(&none);
	uint64_t t = vmm_clock();
	sigsuspend(&none); /* any signal: the timer brings the PIT up to date */
	/* an idle guest waits with interrupts on: without this, a guest idle
	 * for 10 s whose only kernel code is interrupt handlers (interrupts
	 * off) looked hung to the watchdog (signals.c) */
	if (VIF)
		M.if_seen_ns = now_ns();
	host_input();
	M.vmm_ns -= vmm_clock() - t; /* idle is not VMM time */
}

static uint64_t rdtsc(void *ctx)
{
	(void)ctx;
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* The PIT catches up when the host timer has ticked since it last did
 * (tick_due, set by SIGALRM), not at every VMM exit: that was a clock read
 * on every entry. */
int irq_pending(void *ctx)
{
	(void)ctx;
	if (M.tick_due) {
		M.tick_due = 0;
		i8254_update(&M.pit);
	}
	return i8259_pending(&M.pic);
}

static int irq_ack(void *ctx)
{
	(void)ctx;
	return i8259_ack(&M.pic);
}

static int port_in(void *ctx, uint16_t port, unsigned size, uint32_t *val)
{
	(void)ctx;
	return io_in(port, size, val);
}

static int port_out(void *ctx, uint16_t port, unsigned size, uint32_t val)
{
	(void)ctx;
	int r = io_out(port, size, val);
	if (M.ended)
		finish(M.status);
	return r;
}

static void note(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "previrt: %s\n", msg);
}

const struct vcpu_ops pv_vcpu_ops = {
	phys, seg_loaded, tlb_flush, cpl_changed, halt, rdtsc, irq_pending, irq_ack, port_in, port_out,
	note,
};

/* ---- devices ---- */

static void env_set_irq(void *ctx, unsigned line, int level)
{
	(void)ctx;
	i8259_set_irq(&M.pic, line, level);
}

static uint64_t env_now(void *ctx)
{
	(void)ctx;
	return now_ns();
}

static int64_t env_wall(void *ctx)
{
	(void)ctx;
	return (int64_t)time(NULL);
}

static void env_console(void *ctx, const uint8_t *buf, size_t len)
{
	(void)ctx;
	while (len) {
		ssize_t n = write(1, buf, len);
		if (n <= 0 && errno != EINTR)
			break;
		if (n > 0)
			buf += n, len -= (size_t)n;
	}
}

static void env_reset(void *ctx)
{
	(void)ctx;
	M.ended = 1;
	M.status = 0;
}

static void env_unimplemented(void *ctx, const char *dev, const char *what, uint32_t value)
{
	(void)ctx;
	vcpu_fail(&M.cpu, STOP_UNIMPLEMENTED, "%s: %s (value %#x) is not implemented, at eip %#x", dev,
		  what, value, M.cpu.eip);
	M.ended = 1;
	M.status = 1;
}

static void *nic_phys(void *ctx, uint64_t pa, uint32_t len)
{
	(void)ctx;
	return pv_phys(&M.mem, pa, len);
}

static void nic_tx_null(void *ctx, const uint8_t *frame, uint32_t len)
{
	(void)ctx, (void)frame, (void)len;
	M.net_dropped++;
}

static void nic_tx_helper(void *ctx, const uint8_t *frame, uint32_t len)
{
	(void)ctx;
	if (netring_push(&M.net->to_host, frame, len) == 0)
		nethost_kick(), M.net_kicks++;
}

/* Frames the helper queued, into the card (so a burst never holds up the
 * vCPU for longer than one ring). */
static void net_input(void)
{
	if (!M.net)
		return;
	const uint8_t *f;
	uint32_t len;
	for (unsigned k = 0; k < NETRING_SLOTS && (len = netring_peek(&M.net->to_guest, &f)); k++) {
		/* the ring is the card's FIFO: a burst longer than the driver's
		 * 64 descriptors waits for its next refill instead of being
		 * dropped */
		if (!dp83820_rx_room(&M.nic))
			break;
		if (dp83820_rx(&M.nic, f, len) != DP83820_RX_DELIVERED)
			M.net_in_dropped++;
		netring_pop(&M.net->to_guest);
	}
}

void host_input(void)
{
	console_input();
	net_input();
}

static void nic_error(void *ctx, const char *dev, const char *what, uint64_t value)
{
	(void)ctx;
	fprintf(stderr, "previrt: %s: guest error: %s (%#llx, eip %#x); the card answers as hardware would\n",
		dev, what, (unsigned long long)value, M.cpu.eip);
}

/* The network card, with --net: a host bridge (without one Linux does not
 * trust configuration mechanism #1), then the DP83820 in slot 1, INTA on
 * ISA line 11, a locally administered MAC. */
static int net_init(void)
{
	struct dp83820_config base = {
		.phys = nic_phys, .tx = M.net ? nic_tx_helper : nic_tx_null, .error = nic_error,
		.mac = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56}, .int_line = 11, .slot = 1,
	};
	if (pci_attach_host_bridge(&M.pci) || dp83820_init(&M.nic, &M.env, &M.pci, &base)) {
		fprintf(stderr, "previrt: the network card could not be attached\n");
		return -1;
	}
	return 0;
}

int devices_init(void)
{
	M.env = (struct io_env){NULL, env_set_irq, env_now, env_wall, env_console, env_reset,
				env_unimplemented};
	io_reset_table();
	if (i8259_init(&M.pic, &M.env) || i8254_init(&M.pit, &M.env) ||
	    uart16550_init(&M.uart, &M.env, 0x3f8, 4) || rtc_init(&M.rtc, &M.env) ||
	    reset_ctl_init(&M.reset, &M.env) || pci_host_init(&M.pci, &M.env) ||
	    postcode_init(&M.post))
		return -1;
	if (M.cfg->net != PV_NET_NONE && net_init())
		return -1;
	return 0;
}

/* ---- the host timer ---- */

void timer_arm(int on)
{
	struct itimerval it = {{0, on ? TICK_NS / 1000 : 0}, {0, on ? TICK_NS / 1000 : 0}};
	setitimer(ITIMER_REAL, &it, NULL);
}

