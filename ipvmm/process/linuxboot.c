#include "linuxboot.h"

#include <stdio.h>
#include <string.h>

/* boot_params offsets (arch/x86/include/uapi/asm/bootparam.h) */
#define BP_E820_ENTRIES 0x1e8
#define BP_HDR_BOOT_FLAG 0x1fe
#define BP_HDR_HEADER 0x202
#define BP_HDR_VERSION 0x206
#define BP_HDR_TYPE_OF_LOADER 0x210
#define BP_HDR_LOADFLAGS 0x211
#define BP_HDR_RAMDISK_IMAGE 0x218
#define BP_HDR_RAMDISK_SIZE 0x21c
#define BP_HDR_CMD_LINE_PTR 0x228
#define BP_HDR_INITRD_ADDR_MAX 0x22c
#define BP_HDR_CMDLINE_SIZE 0x238
#define BP_E820_TABLE 0x2d0

#define E820_RAM 1
#define E820_RESERVED 2

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void e820(uint8_t *zp, unsigned i, uint64_t addr, uint64_t size, uint32_t type)
{
	uint8_t *e = zp + BP_E820_TABLE + 20 * i;
	put32(e, (uint32_t)addr), put32(e + 4, (uint32_t)(addr >> 32));
	put32(e + 8, (uint32_t)size), put32(e + 12, (uint32_t)(size >> 32));
	put32(e + 16, type);
}

int lb_setup(uint8_t *phys, const struct lb_layout *l, char *err, size_t errsz)
{
	uint8_t *zp = phys + LB_ZERO_PAGE;
	memset(zp, 0, 4096);
	size_t cl = l->cmdline ? strlen(l->cmdline) : 0;
	if (cl >= LB_CMDLINE_MAX) {
		snprintf(err, errsz, "kernel command line longer than %u bytes", LB_CMDLINE_MAX - 1);
		return -1;
	}
	memcpy(phys + LB_CMDLINE, l->cmdline ? l->cmdline : "", cl + 1);
	put16(zp + BP_HDR_BOOT_FLAG, 0xaa55);
	put32(zp + BP_HDR_HEADER, 0x53726448); /* "HdrS" */
	put16(zp + BP_HDR_VERSION, 0x020f);
	zp[BP_HDR_TYPE_OF_LOADER] = 0xff;       /* undefined loader */
	zp[BP_HDR_LOADFLAGS] = 0x01;            /* LOADED_HIGH */
	put32(zp + BP_HDR_CMD_LINE_PTR, LB_CMDLINE);
	put32(zp + BP_HDR_CMDLINE_SIZE, LB_CMDLINE_MAX - 1);
	put32(zp + BP_HDR_INITRD_ADDR_MAX, 0x37ffffff);
	if (l->initrd) {
		/* at the top of low memory (i386 lowmem ends at 896 MiB), page aligned */
		uint64_t top = l->ram < 0x38000000u ? l->ram : 0x38000000u;
		uint64_t at = (top - l->initrd_size) & ~0xfffull;
		if (l->initrd_size > top || at < l->kernel_end + (1u << 20)) {
			snprintf(err, errsz, "initrd of %llu bytes does not fit in %llu MiB of RAM above the kernel",
				 (unsigned long long)l->initrd_size, (unsigned long long)(l->ram >> 20));
			return -1;
		}
		memcpy(phys + at, l->initrd, l->initrd_size);
		put32(zp + BP_HDR_RAMDISK_IMAGE, (uint32_t)at);
		put32(zp + BP_HDR_RAMDISK_SIZE, (uint32_t)l->initrd_size);
	}
	/* the PC's map: conventional memory, the EBDA/ROM hole, then RAM */
	e820(zp, 0, 0, 0x9fc00, E820_RAM);
	e820(zp, 1, 0x9fc00, 0x400, E820_RESERVED);
	e820(zp, 2, 0xf0000, 0x10000, E820_RESERVED);
	e820(zp, 3, 0x100000, l->ram - 0x100000, E820_RAM);
	zp[BP_E820_ENTRIES] = 4;
	return 0;
}
