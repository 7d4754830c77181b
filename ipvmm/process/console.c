#include "console.h"

#include <errno.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

static struct termios saved;
static int raw, eof;

void console_init(void)
{
	if (!isatty(0) || tcgetattr(0, &saved))
		return;
	struct termios t = saved;
	cfmakeraw(&t);
	t.c_oflag |= OPOST | ONLCR; /* the host's own messages keep their line ends */
	if (tcsetattr(0, TCSANOW, &t) == 0)
		raw = 1;
}

void console_restore(void)
{
	if (raw) {
		tcsetattr(0, TCSANOW, &saved);
		raw = 0;
	}
}

long console_poll(uint8_t *buf, size_t room)
{
	if (eof || !room)
		return 0;
	struct pollfd p = {0, POLLIN, 0};
	if (poll(&p, 1, 0) <= 0 || !(p.revents & (POLLIN | POLLHUP)))
		return 0;
	ssize_t n = read(0, buf, room);
	if (n <= 0) {
		if (n == 0 || (errno != EINTR && errno != EAGAIN))
			eof = 1; /* a closed pipe: stop asking */
		return 0;
	}
	if (raw)
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] == CONSOLE_ESCAPE)
				return -1;
	return n;
}
