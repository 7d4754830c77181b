#include "cpuid.h"

#include <cpuid.h>

/* Leaf 1 EDX: FPU VME DE PSE TSC MSR PAE MCE CX8 APIC - SEP MTRR PGE MCA CMOV
 * PAT PSE36 ... : the VMM offers FPU, PSE, TSC, MSR, CX8, PGE, CMOV, PAT
 * (cache types only), FXSR, MMX, SSE, SSE2.  Hidden: VME, DE, PAE (no PAE
 * paging), MCE/MCA, APIC (none emulated), SEP (sysenter goes native), MTRR,
 * PSE36, DS, ACPI, SS, TM, PBE. */
#define L1_EDX_KEEP 0x0781a139u /* FPU PSE TSC MSR CX8 PGE CMOV PAT MMX FXSR SSE SSE2 */
/* Leaf 1 ECX: SSE3 PCLMUL SSSE3 CX16 SSE4.1 SSE4.2 MOVBE POPCNT AES RDRAND;
 * hidden: MONITOR, VMX, SMX, EST, x2APIC, TSC-deadline, XSAVE/OSXSAVE/AVX
 * (no XSAVE state handling), the hypervisor bit. */
#define L1_ECX_KEEP 0x42d82203u

void cpuid_policy(uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
	uint32_t a = 0, b = 0, c = 0, d = 0;
	uint32_t max = __get_cpuid_max(0, 0);
	if (leaf <= 1 || (leaf >= 0x80000000u && leaf <= 0x80000004u))
		__cpuid_count(leaf, subleaf, a, b, c, d);
	switch (leaf) {
	case 0:
		a = max < 1 ? max : 1; /* only leaves 0 and 1 */
		break;
	case 1:
		b &= 0x0000ffffu; /* no APIC id, one logical CPU */
		c &= L1_ECX_KEEP;
		d &= L1_EDX_KEEP;
		break;
	case 0x80000000u:
		a = a < 0x80000004u ? a : 0x80000004u;
		break;
	case 0x80000001u:
		c = 0, d = 0; /* no syscall, nx, lm, rdtscp */
		break;
	case 0x80000002u:
	case 0x80000003u:
	case 0x80000004u:
		break; /* the brand string */
	default:
		a = b = c = d = 0;
	}
	out[0] = a, out[1] = b, out[2] = c, out[3] = d;
}
