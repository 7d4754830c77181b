# ipvmm/core: the guest- and hypervisor-neutral in-place VMM.  The patcher
# is guest-side code: besides the hosted build it is compile-checked
# freestanding for 32- and 64-bit.
IPVMM_CORE_PATCH := ipvmm/core/patch.c ipvmm/core/kinds.c ipvmm/core/nops.c
IPVMM_CFLAGS := -I.

$(B)/freestanding/ipvmm-core-%.stamp: $(IPVMM_CORE_PATCH) $(wildcard ipvmm/core/*.h x86/*.h include/previrt/*.h)
	@mkdir -p $(@D)
	for f in $(IPVMM_CORE_PATCH); do \
		$(CC) $(WARN) -O2 -ffreestanding -fno-builtin -m$* $(CPPFLAGS) $(IPVMM_CFLAGS) -c -o /dev/null $$f || exit 1; \
	done
	touch $@

ALL += $(B)/freestanding/ipvmm-core-32.stamp $(B)/freestanding/ipvmm-core-64.stamp

# Unit tests of the patcher (needs the decoder in x86/).
$(B)/tests/patch_test: tests/patch/patch_test.c $(IPVMM_CORE_PATCH) ipvmm/process/elfimage.c $(wildcard x86/*.c x86/*.h ipvmm/core/*.h ipvmm/process/*.h include/previrt/*.h)
	@mkdir -p $(@D)
	$(CC) $(WARN) -O1 -g $(SAN) $(CPPFLAGS) $(IPVMM_CFLAGS) -o $@ tests/patch/patch_test.c $(IPVMM_CORE_PATCH) ipvmm/process/elfimage.c $(filter-out %_test.c,$(wildcard x86/*.c))

TESTS += $(B)/tests/patch_test

# Unit tests of the emulator's moves against device registers (MEM sites,
# trapped BAR accesses): the whole core and the decoder, under ASan/UBSan.
$(B)/tests/mmio_emulate_test: tests/core/mmio_emulate_test.c $(wildcard ipvmm/core/*.c ipvmm/core/*.h x86/*.c x86/*.h)
	@mkdir -p $(@D)
	$(CC) $(WARN) -O1 -g $(SAN) $(CPPFLAGS) $(IPVMM_CFLAGS) -o $@ tests/core/mmio_emulate_test.c \
		$(wildcard ipvmm/core/*.c) $(filter-out %_test.c,$(wildcard x86/*.c))

TESTS += $(B)/tests/mmio_emulate_test
