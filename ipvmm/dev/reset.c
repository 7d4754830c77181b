/*
 * Machine reset through port 0x92 and the 8042's pulse-output command.
 * Linux reboots with "outb(0xfe, 0x64)" after waiting for the input
 * buffer to empty (arch/x86/kernel/reboot.c), and its boot code sends
 * 0xff as a null command (arch/x86/boot/a20.c).
 */
#include "ipvmm/dev/reset.h"
#include "ipvmm/dev/dev.h"

#define P92_RESET	0x01
#define P92_A20		0x02

/* status: system flag (self-test passed) and keyboard not inhibited; the
 * input and output buffers are always empty */
#define KBC_STATUS	0x14
#define KBC_STATUS_CMD	0x08

enum { R_SIZE, R_A20, R_KBC_CMD, R_KBC_DATA_IN, R_KBC_DATA_OUT };

static const char p92_name[] = "port92@92", kbc_name[] = "i8042@60";

static void do_reset(struct reset_ctl *r)
{
	r->env->reset(r->env->ctx);
}

static int bad_size(struct reset_ctl *r, uint16_t port, unsigned size)
{
	if (size == 1)
		return 0;
	dev_unimplemented(r->env, &r->unimpl_done, R_SIZE, port == 0x92 ? p92_name : kbc_name,
			  "access size", size);
	return 1;
}

static uint32_t reset_read(void *dev, uint16_t port, unsigned size)
{
	struct reset_ctl *r = dev;

	if (bad_size(r, port, size))
		return 0xffffffffu;
	switch (port) {
	case 0x92:
		return r->port92;
	case 0x64:
		return KBC_STATUS | (r->kbc_cmd_last ? KBC_STATUS_CMD : 0);
	default: /* 0x60: the output buffer is empty, there is nothing to read */
		dev_unimplemented(r->env, &r->unimpl_done, R_KBC_DATA_IN, kbc_name, "data port read", 0);
		return 0;
	}
}

static void kbc_command(struct reset_ctl *r, uint8_t cmd)
{
	if (cmd == 0xff)
		return; /* pulse no output line: a null command */
	if (cmd >= 0xf0 && !(cmd & 1)) {
		/* pulsing output bit 0, the CPU's reset line */
		do_reset(r);
		return;
	}
	dev_unimplemented(r->env, &r->unimpl_done, R_KBC_CMD, kbc_name, "command", cmd);
}

static void reset_write(void *dev, uint16_t port, unsigned size, uint32_t val32)
{
	struct reset_ctl *r = dev;
	uint8_t val = (uint8_t)val32;

	if (bad_size(r, port, size))
		return;
	switch (port) {
	case 0x92:
		if (!(val & P92_A20))
			dev_unimplemented(r->env, &r->unimpl_done, R_A20, p92_name, "A20 masking", val);
		r->port92 = val & (uint8_t)~P92_RESET;
		if (val & P92_RESET)
			do_reset(r);
		break;
	case 0x64:
		r->kbc_cmd_last = 1;
		kbc_command(r, val);
		break;
	default:
		r->kbc_cmd_last = 0;
		dev_unimplemented(r->env, &r->unimpl_done, R_KBC_DATA_OUT, kbc_name, "data port write", val);
		break;
	}
}

int reset_ctl_init(struct reset_ctl *r, const struct io_env *env)
{
	*r = (struct reset_ctl){ .env = env, .port92 = P92_A20 };
	r->ports[0] = (struct io_ports){ .name = p92_name, .base = 0x92, .count = 1,
					 .dev = r, .read = reset_read, .write = reset_write };
	r->ports[1] = (struct io_ports){ .name = kbc_name, .base = 0x60, .count = 1,
					 .dev = r, .read = reset_read, .write = reset_write };
	r->ports[2] = (struct io_ports){ .name = "i8042@64", .base = 0x64, .count = 1,
					 .dev = r, .read = reset_read, .write = reset_write };
	for (int i = 0; i < 3; i++)
		if (io_register(&r->ports[i]) != 0)
			return -1;
	return 0;
}
