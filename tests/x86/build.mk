# tests/x86: the decoder's unit, kernel and random differential tests,
# built with ASan/UBSan against capstone 4 (a test-only dependency).  The
# kernel test links the audit's ELF loader and symbol index, which check
# their input.
X86T_COMMON := tests/x86/ref.c tests/x86/compare.c tests/x86/diverge.c $(X86_SRC)
X86T_HDR := $(wildcard tests/x86/*.h) $(X86_HDR)
X86T_FLAGS := $(WARN) $(CFLAGS) $(SAN) $(CPPFLAGS) -I.

TESTS += $(B)/tests/x86/unit $(B)/tests/x86/kernel $(B)/tests/x86/random

$(B)/tests/x86/unit: tests/x86/unit.c $(X86T_COMMON) $(X86T_HDR)
	@mkdir -p $(@D)
	$(CC) $(X86T_FLAGS) -o $@ tests/x86/unit.c $(X86T_COMMON) -lcapstone

$(B)/tests/x86/random: tests/x86/random.c $(X86T_COMMON) $(X86T_HDR)
	@mkdir -p $(@D)
	$(CC) $(X86T_FLAGS) -o $@ tests/x86/random.c $(X86T_COMMON) -lcapstone

$(B)/tests/x86/kernel: tests/x86/kernel.c audit/elf.c audit/symbols.c $(X86T_COMMON) $(X86T_HDR) audit/elf.h audit/symbols.h
	@mkdir -p $(@D)
	$(CC) $(X86T_FLAGS) -o $@ tests/x86/kernel.c audit/elf.c audit/symbols.c $(X86T_COMMON) -lcapstone
