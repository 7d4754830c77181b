/* `--net tap=IFNAME`: frames between the rings and a TAP device of the
 * host, as QEMU's -netdev tap,ifname=.  The device is attached in the
 * helper (it needs CAP_NET_ADMIN, which the jailed VMM never has); a
 * frame from the host is read straight into its ring slot, one copy. */
#include "nethelper.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int tap_open(const char *name)
{
	int existed = if_nametoindex(name) != 0;
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "previrt: net tap: /dev/net/tun: %s%s\n", strerror(errno),
			errno == ENOENT ? " (the tun module is not loaded)" : "");
		_exit(1);
	}
	struct ifreq ifr = {.ifr_flags = IFF_TAP | IFF_NO_PI};
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		int e = errno;
		fprintf(stderr, "previrt: net tap: attaching %s: %s%s\n", name, strerror(e),
			e == EPERM   ? " (needs root, or CAP_NET_ADMIN, or a TAP device owned by this user)"
			: e == EBUSY ? " (another process has it)"
			: e == EINVAL ? " (is it a TUN device, not a TAP device?)"
				      : "");
		_exit(1);
	}
	if (!existed)
		fprintf(stderr, "previrt: net tap: made %s (down, no address; it goes with the run)\n", name);
	return fd;
}

/* Frames from the guest, onto the wire; 1 when the device pushes back. */
static int to_wire(struct netring *r, int fd)
{
	const uint8_t *f;
	uint32_t len;
	for (unsigned k = 0; k < NETRING_SLOTS && (len = netring_peek(r, &f)); k++) {
		if (write(fd, f, len) < 0) {
			if (errno == EAGAIN)
				return 1; /* keep it for the next round */
			if (errno != EIO && errno != EINVAL) {
				fprintf(stderr, "previrt: net tap: write: %s\n", strerror(errno));
				_exit(1);
			}
			/* EIO: the device is down, a wire without a peer drops */
		}
		netring_pop(r);
	}
	return 0;
}

/* Frames from the wire, into their slots; 1 when the ring is full (the
 * rest wait in the device's queue, which drops beyond its own length, as
 * a switch port would). */
static int from_wire(struct netring *r, int fd)
{
	for (unsigned k = 0; k < NETRING_SLOTS; k++) {
		uint8_t *slot = netring_reserve(r);
		if (!slot)
			return 1;
		ssize_t n = read(fd, slot, NETRING_FRAME);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			fprintf(stderr, "previrt: net tap: read: %s\n", strerror(errno));
			_exit(1);
		}
		if (n > 0)
			netring_commit(r, (uint32_t)n);
	}
	return 0;
}

_Noreturn void nettap_main(const struct pv_config *cfg, struct netring_pair *rings, int efd, int ready)
{
	int fd = tap_open(cfg->tap);
	nethelper_ready(ready);
	int busy = 0;
	for (;;) {
		struct pollfd p[2] = {{efd, POLLIN, 0}, {fd, busy ? 0 : POLLIN, 0}};
		/* a full ring or a device that pushed back: look again soon, as
		 * nothing wakes us when the VMM empties a slot */
		if (poll(p, 2, busy ? 1 : 1000) < 0 && errno != EINTR) {
			fprintf(stderr, "previrt: net tap: poll: %s\n", strerror(errno));
			_exit(1);
		}
		if (p[0].revents & POLLIN) {
			uint64_t v;
			if (read(efd, &v, sizeof v) < 0 && errno != EAGAIN)
				_exit(1);
		}
		busy = to_wire(&rings->to_host, fd);
		busy |= from_wire(&rings->to_guest, fd);
		nethelper_check_parent();
	}
}
