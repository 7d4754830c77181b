# Benchmark programs (the scripts in bench/ run them).  The process policy
# reads which segment thunks exist from the switch code's blob.
$(B)/bench/patch-speed: bench/patch_speed.c ipvmm/process/elfimage.c ipvmm/process/policy.c ipvmm/process/switch.S $(IPVMM_CORE_PATCH) $(wildcard x86/*.c x86/*.h ipvmm/core/*.h ipvmm/process/*.h include/previrt/*.h)
	@mkdir -p $(@D)
	$(CC) $(WARN) -O2 -g $(CPPFLAGS) -I. -o $@ bench/patch_speed.c ipvmm/process/elfimage.c ipvmm/process/policy.c ipvmm/process/switch.S $(IPVMM_CORE_PATCH) $(filter-out %_test.c,$(wildcard x86/*.c))

TESTS += $(B)/bench/patch-speed
