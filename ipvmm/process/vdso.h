/* The guest kernel's vDSO: an ELF image inside the kernel's data, with its
 * own .afterburn records (it is built by the same afterburnt build).  Guest
 * user code enters the kernel through it, so its `int $0x80` sites are
 * rewritten into far calls into the VMM before the kernel maps it. */
#ifndef IPVMM_PROCESS_VDSO_H
#define IPVMM_PROCESS_VDSO_H

#include <stddef.h>
#include <stdint.h>

#include "ipvmm/core/patch.h"

/* Finds every page-aligned i386 shared object with a .afterburn section in
 * image[0..len) and patches its INT sites to `lcall $sel, $entry`.  Returns
 * the number of images patched, -1 with err on a bad record. */
int vdso_patch(uint8_t *image, uint64_t len, uint16_t sel, uint32_t entry,
	       struct patch_stats *stats, char *err, size_t errsz);

#endif
