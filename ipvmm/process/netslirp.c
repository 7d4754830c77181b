/* `--net user`: libslirp (Debian's, as QEMU's -netdev user) in the helper
 * process, between the frame rings and the host's sockets. */
#include "nethelper.h"
#include "nethost.h"

#include <errno.h>
#include <poll.h>
#include <slirp/libslirp.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_TIMERS 16
#define MAX_POLL 256

static struct helper {
	Slirp *slirp;
	struct netring_pair *rings;
	int efd;
	struct timer {
		int used;
		SlirpTimerId id;
		SlirpTimerCb cb;
		void *cb_opaque;
		int64_t expire_ms; /* -1: not armed */
	} timers[MAX_TIMERS];
	struct pollfd pfd[MAX_POLL];
	unsigned npfd;
} H;

static int64_t clock_ns(void *opaque)
{
	(void)opaque;
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static ssize_t to_guest(const void *buf, size_t len, void *opaque)
{
	(void)opaque;
	/* a full ring drops, as a wire would: TCP resends, and the VMM's
	 * --stats counts it */
	netring_push(&H.rings->to_guest, buf, (uint32_t)(len > UINT32_MAX ? UINT32_MAX : len));
	return (ssize_t)len;
}

static void guest_error(const char *msg, void *opaque)
{
	(void)opaque;
	fprintf(stderr, "previrt: net user: guest error: %s\n", msg);
}

static struct timer *timer_slot(void)
{
	for (unsigned i = 0; i < MAX_TIMERS; i++)
		if (!H.timers[i].used) {
			H.timers[i] = (struct timer){.used = 1, .expire_ms = -1};
			return &H.timers[i];
		}
	fprintf(stderr, "previrt: net user: more than %u slirp timers\n", MAX_TIMERS);
	_exit(1);
}

static void *timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
	(void)opaque;
	struct timer *t = timer_slot();
	t->cb = cb, t->cb_opaque = cb_opaque;
	return t;
}

static void *timer_new_opaque(SlirpTimerId id, void *cb_opaque, void *opaque)
{
	(void)opaque;
	struct timer *t = timer_slot();
	t->id = id, t->cb_opaque = cb_opaque;
	return t;
}

static void timer_free(void *timer, void *opaque)
{
	(void)opaque;
	((struct timer *)timer)->used = 0;
}

static void timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
	(void)opaque;
	((struct timer *)timer)->expire_ms = expire_ms;
}

static void poll_fd_ignored(int fd, void *opaque)
{
	(void)fd, (void)opaque; /* every poll is rebuilt from slirp_pollfds_fill */
}

static void notify(void *opaque)
{
	(void)opaque;
}

static int add_poll(int fd, int events, void *opaque)
{
	(void)opaque;
	if (H.npfd == MAX_POLL) {
		fprintf(stderr, "previrt: net user: more than %u sockets at once\n", MAX_POLL);
		_exit(1);
	}
	short ev = 0;
	if (events & SLIRP_POLL_IN)
		ev |= POLLIN;
	if (events & SLIRP_POLL_OUT)
		ev |= POLLOUT;
	if (events & SLIRP_POLL_PRI)
		ev |= POLLPRI;
	H.pfd[H.npfd] = (struct pollfd){fd, ev, 0};
	return (int)H.npfd++;
}

static int get_revents(int idx, void *opaque)
{
	(void)opaque;
	if (idx < 0 || (unsigned)idx >= H.npfd)
		return 0;
	short r = H.pfd[idx].revents;
	return (r & POLLIN ? SLIRP_POLL_IN : 0) | (r & POLLOUT ? SLIRP_POLL_OUT : 0) |
	       (r & POLLPRI ? SLIRP_POLL_PRI : 0) | (r & POLLERR ? SLIRP_POLL_ERR : 0) |
	       (r & POLLHUP ? SLIRP_POLL_HUP : 0);
}

static void run_timers(void)
{
	int64_t now = clock_ns(NULL) / 1000000;
	for (unsigned i = 0; i < MAX_TIMERS; i++) {
		struct timer *t = &H.timers[i];
		if (!t->used || t->expire_ms < 0 || t->expire_ms > now)
			continue;
		t->expire_ms = -1;
		if (t->cb)
			t->cb(t->cb_opaque);
		else
			slirp_handle_timer(H.slirp, t->id, t->cb_opaque);
	}
}

static uint32_t next_timer_ms(uint32_t timeout)
{
	int64_t now = clock_ns(NULL) / 1000000;
	for (unsigned i = 0; i < MAX_TIMERS; i++) {
		const struct timer *t = &H.timers[i];
		if (t->used && t->expire_ms >= 0) {
			int64_t d = t->expire_ms > now ? t->expire_ms - now : 0;
			if (d < timeout)
				timeout = (uint32_t)d;
		}
	}
	return timeout;
}

static struct in_addr ip4(uint32_t a)
{
	return (struct in_addr){htonl(a)};
}

_Noreturn void netslirp_main(const struct pv_config *cfg, struct netring_pair *rings, int efd, int ready)
{
	static const SlirpCb cb = {
		.send_packet = to_guest,
		.guest_error = guest_error,
		.clock_get_ns = clock_ns,
		.timer_new = timer_new,
		.timer_free = timer_free,
		.timer_mod = timer_mod,
		.register_poll_fd = poll_fd_ignored,
		.unregister_poll_fd = poll_fd_ignored,
		.notify = notify,
		.timer_new_opaque = timer_new_opaque,
	};
	SlirpConfig sc = {
		.version = 4,
		.in_enabled = 1,
		.vnetwork = ip4(NETHOST_NET),
		.vnetmask = ip4(0xffffff00u),
		.vhost = ip4(NETHOST_HOST),
		.vdhcp_start = ip4(NETHOST_GUEST),
		.vnameserver = ip4(NETHOST_DNS),
		.vhostname = "previrt",
		.if_mtu = 1500,
		.if_mru = 1500,
	};
	H.rings = rings;
	H.efd = efd;
	H.slirp = slirp_new(&sc, &cb, NULL);
	if (!H.slirp) {
		fprintf(stderr, "previrt: net user: libslirp would not start\n");
		_exit(1);
	}
	for (unsigned i = 0; i < cfg->nhostfwd; i++) {
		const struct pv_hostfwd *f = &cfg->hostfwd[i];
		if (slirp_add_hostfwd(H.slirp, f->udp, ip4(f->host_addr), f->host_port,
				      ip4(NETHOST_GUEST), f->guest_port)) {
			fprintf(stderr, "previrt: net user: hostfwd %s port %u -> guest port %u: %s\n",
				f->udp ? "udp" : "tcp", f->host_port, f->guest_port,
				errno ? strerror(errno) : "refused by libslirp");
			_exit(1);
		}
	}
	nethelper_ready(ready); /* the rules are in place */
	for (;;) {
		uint32_t timeout = 1000;
		H.npfd = 0;
		add_poll(H.efd, SLIRP_POLL_IN, NULL);
		slirp_pollfds_fill(H.slirp, &timeout, add_poll, NULL);
		timeout = next_timer_ms(timeout);
		int n = poll(H.pfd, H.npfd, (int)timeout);
		if (n < 0 && errno != EINTR) {
			fprintf(stderr, "previrt: net user: poll: %s\n", strerror(errno));
			_exit(1);
		}
		if (n > 0 && (H.pfd[0].revents & POLLIN)) {
			uint64_t v;
			if (read(H.efd, &v, sizeof v) < 0 && errno != EAGAIN)
				_exit(1);
		}
		slirp_pollfds_poll(H.slirp, n < 0, get_revents, NULL);
		run_timers();
		const uint8_t *f;
		uint32_t len;
		for (unsigned k = 0; k < NETRING_SLOTS && (len = netring_peek(&H.rings->to_host, &f)); k++) {
			slirp_input(H.slirp, f, (int)len);
			netring_pop(&H.rings->to_host);
		}
		nethelper_check_parent();
	}
}
