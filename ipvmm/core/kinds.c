/* Which decoded instruction each annotation kind stands for: the patcher
 * refuses a record whose bytes are something else. */
#include "patch.h"

#define K(n) PREVIRT_AB_KIND_##n
#define OP(n) X86_OP_##n

/* Kind of each decoder identity; 0 (HEADER) = no site kind. */
static const uint8_t kind_of_op[X86_NOPS] = {
	[OP(CLI)] = K(CLI), [OP(STI)] = K(STI), [OP(PUSHF)] = K(PUSHF), [OP(POPF)] = K(POPF),
	[OP(IRET)] = K(IRET), [OP(LRET)] = K(LRET), [OP(FARJMP)] = K(FARJMP),
	[OP(FARCALL)] = K(FARCALL), [OP(INT)] = K(INT), [OP(HLT)] = K(HLT), [OP(IN)] = K(IN),
	[OP(OUT)] = K(OUT), [OP(INS)] = K(INS), [OP(OUTS)] = K(OUTS), [OP(CPUID)] = K(CPUID),
	[OP(RDMSR)] = K(RDMSR), [OP(WRMSR)] = K(WRMSR), [OP(RDTSC)] = K(RDTSC),
	[OP(RDTSCP)] = K(RDTSCP), [OP(RDPMC)] = K(RDPMC), [OP(MOV_TO_CR)] = K(MOV_TO_CR),
	[OP(MOV_FROM_CR)] = K(MOV_FROM_CR), [OP(MOV_TO_DR)] = K(MOV_TO_DR),
	[OP(MOV_FROM_DR)] = K(MOV_FROM_DR), [OP(MOV_TO_SEG)] = K(MOV_TO_SEG),
	[OP(MOV_FROM_SEG)] = K(MOV_FROM_SEG), [OP(PUSH_SEG)] = K(PUSH_SEG),
	[OP(POP_SEG)] = K(POP_SEG), [OP(LDS)] = K(LOAD_FARPTR), [OP(LES)] = K(LOAD_FARPTR),
	[OP(LFS)] = K(LOAD_FARPTR), [OP(LGS)] = K(LOAD_FARPTR), [OP(LSS)] = K(LOAD_FARPTR),
	[OP(LGDT)] = K(LGDT), [OP(LIDT)] = K(LIDT), [OP(LLDT)] = K(LLDT), [OP(LTR)] = K(LTR),
	[OP(SGDT)] = K(SGDT), [OP(SIDT)] = K(SIDT), [OP(SLDT)] = K(SLDT), [OP(STR)] = K(STR),
	[OP(SMSW)] = K(SMSW), [OP(LMSW)] = K(LMSW), [OP(CLTS)] = K(CLTS),
	[OP(INVLPG)] = K(INVLPG), [OP(INVD)] = K(INVD), [OP(WBINVD)] = K(WBINVD),
	[OP(WBNOINVD)] = K(WBNOINVD), [OP(LAR)] = K(LAR), [OP(LSL)] = K(LSL),
	[OP(VERR)] = K(VERR), [OP(VERW)] = K(VERW), [OP(SWAPGS)] = K(SWAPGS),
	[OP(SYSRET)] = K(SYSRET), [OP(SYSEXIT)] = K(SYSEXIT), [OP(SYSENTER)] = K(SYSENTER),
	[OP(SYSCALL)] = K(SYSCALL), [OP(XSETBV)] = K(XSETBV), [OP(UD2)] = K(UD2),
	[OP(RDPID)] = K(RDPID), [OP(MONITOR)] = K(MONITOR), [OP(MWAIT)] = K(MWAIT),
	[OP(INVPCID)] = K(INVPCID), [OP(RDFSBASE)] = K(FSGSBASE),
	[OP(RDGSBASE)] = K(FSGSBASE), [OP(WRFSBASE)] = K(FSGSBASE),
	[OP(WRGSBASE)] = K(FSGSBASE), [OP(STAC)] = K(STAC), [OP(CLAC)] = K(CLAC),
};

/* The instruction families a device driver's register access compiles to
 * (the afterburner's --mem): they are MEM sites when they touch memory. */
static const uint8_t mem_family[X86_NOPS] = {
	[OP(MOV)] = 1, [OP(MOVZX)] = 1, [OP(MOVSX)] = 1, [OP(XCHG)] = 1,
	[OP(TEST)] = 1, [OP(AND)] = 1, [OP(OR)] = 1,
};

int patch_kind_matches(unsigned kind, const struct x86_insn *in)
{
	if (in->op >= X86_NOPS || kind == K(HEADER) || kind >= PREVIRT_AB_NKINDS)
		return 0;
	if (kind != K(MEM))
		return kind_of_op[in->op] == kind;
	if (!mem_family[in->op])
		return 0;
	for (unsigned i = 0; i < in->nopnd && i < 3; i++)
		if (in->opnd[i].type == X86_OPND_MEM)
			return 1;
	return 0;
}
