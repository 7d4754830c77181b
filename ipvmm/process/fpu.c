/* The guest's x87/SSE registers around VMM code.  The VMM's C code (and
 * the C library under it) uses SSE; the guest kernel keeps its tasks' FPU
 * state in the registers and saves it only at a context switch.  So the
 * registers are the guest's only while guest code runs: M.fpu holds them
 * while the VMM runs, filled at every entry (the switch code's FXSAVE, or
 * the signal frame) and loaded at every return (FXRSTOR, or the frame);
 * the ring-3 stub gets and gives them in its context page.  Without this a
 * guest program's XMM registers changed under it (busybox ash losing a
 * character of a command name; a static program's start-up reading
 * garbage), most often when its time slice ended in an SSE string routine. */
#include "machine.h"

#include <string.h>
#include <ucontext.h>

/* Bytes 0-415 of the FXSAVE image: control, x87 and XMM0-15.  416-511 are
 * reserved or the kernel's (its signal frame keeps its XSAVE magic there). */
#define FPU_USED 416

void fpu_init(void)
{
	/* the host's initial state: what a reset CPU gives, MXCSR 0x1f80 */
	__builtin_ia32_fxsave64(M.fpu);
	CTX->fpu = M.fpu;
}

/* Bits 16-31 of MXCSR are reserved: FXRSTOR faults on them.  The image a
 * stub posts is the guest's to write. */
static void sanitize(uint8_t *img)
{
	uint32_t mxcsr;
	memcpy(&mxcsr, img + 24, 4);
	mxcsr &= 0xffffu;
	memcpy(img + 24, &mxcsr, 4);
}

void fpu_from_frame(const void *ucv)
{
	const ucontext_t *uc = ucv;
	if (uc->uc_mcontext.fpregs)
		memcpy(M.fpu, uc->uc_mcontext.fpregs, FPU_USED);
}

void fpu_to_frame(void *ucv)
{
	ucontext_t *uc = ucv;
	uint8_t *f = (uint8_t *)uc->uc_mcontext.fpregs;
	if (!f)
		return;
	memcpy(f, M.fpu, FPU_USED);
	/* an XSAVE frame restores x87 and SSE from it only if its header
	 * says they are not in their initial state */
	uint32_t magic;
	memcpy(&magic, f + 464, 4);
	if (magic == FP_XSTATE_MAGIC1) {
		uint64_t bv;
		memcpy(&bv, f + 512, 8);
		bv |= 3;
		memcpy(f + 512, &bv, 8);
	}
}

void fpu_from_image(const uint8_t *img)
{
	memcpy(M.fpu, img, FPU_USED);
	sanitize(M.fpu);
}

void fpu_to_image(uint8_t *img)
{
	memcpy(img, M.fpu, FPU_USED);
}
