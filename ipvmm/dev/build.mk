# ipvmm/dev: the device models.  They run in the VMM's trap handlers, so
# besides the hosted library they are compile-checked freestanding (no
# libc) for 32- and 64-bit; ipvmm/core/io.c and mmio.c, their port and MMIO
# dispatch, with them.
DEV_SRC  := $(wildcard ipvmm/dev/*.c)
DEV_HDR  := $(wildcard ipvmm/dev/*.h) ipvmm/core/io.h ipvmm/core/mmio.h
DEV_CORE := ipvmm/core/io.c ipvmm/core/mmio.c
DEV_OBJ  := $(patsubst %.c,$(B)/obj/%.o,$(DEV_SRC))
DEV_CFLAGS := -I. -fno-stack-protector

$(B)/obj/ipvmm/dev/%.o: ipvmm/dev/%.c $(DEV_HDR)
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) $(CPPFLAGS) $(DEV_CFLAGS) -c -o $@ $<

$(B)/lib/libipvmm-dev.a: $(DEV_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(B)/freestanding/ipvmm-dev-%.stamp: $(DEV_SRC) $(DEV_CORE) $(DEV_HDR)
	@mkdir -p $(@D)
	for f in $(DEV_SRC) $(DEV_CORE); do \
		$(CC) $(WARN) -O2 -ffreestanding -fno-builtin -m$* $(CPPFLAGS) $(DEV_CFLAGS) -c -o /dev/null $$f || exit 1; \
	done
	touch $@

ALL += $(B)/lib/libipvmm-dev.a $(B)/freestanding/ipvmm-dev-32.stamp $(B)/freestanding/ipvmm-dev-64.stamp

# Unit tests: the models with a fake io_env, under ASan/UBSan.
DEV_TEST_SRC := $(wildcard tests/dev/*.c)

$(B)/tests/dev-test: $(DEV_TEST_SRC) $(wildcard tests/dev/*.h) $(DEV_SRC) $(DEV_CORE) $(DEV_HDR)
	@mkdir -p $(@D)
	$(CC) $(WARN) -O1 -g $(SAN) $(CPPFLAGS) -I. -o $@ $(DEV_TEST_SRC) $(DEV_SRC) $(DEV_CORE)

TESTS += $(B)/tests/dev-test
