/* The Linux/x86 32-bit boot protocol (Documentation/x86/boot.rst): the zero
 * page with the setup header, e820 map, command line and initrd, for
 * entering a vmlinux at its 32-bit entry (startup_32) with paging off. */
#ifndef IPVMM_PROCESS_LINUXBOOT_H
#define IPVMM_PROCESS_LINUXBOOT_H

#include <stddef.h>
#include <stdint.h>

#define LB_ZERO_PAGE 0x10000u /* boot_params */
#define LB_CMDLINE 0x11000u   /* up to 4 KiB */
#define LB_CMDLINE_MAX 4096u

struct lb_layout {
	uint64_t ram;          /* bytes of guest RAM */
	uint64_t kernel_end;   /* physical end of the loaded kernel (bss included) */
	const uint8_t *initrd; /* NULL: none */
	uint64_t initrd_size;
	const char *cmdline;
};

/* Writes the zero page, command line and initrd into guest RAM (phys:
 * RAM's host mapping).  0, or -1 with a message in err. */
int lb_setup(uint8_t *phys, const struct lb_layout *l, char *err, size_t errsz);

#endif
