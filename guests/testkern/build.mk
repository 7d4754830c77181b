# testkern: the i386 test kernel, built twice from the same sources:
# afterburnt ($(B)/guests/testkern.elf, through afterburn-cc) and plain
# ($(B)/guests/testkern-plain.elf, gcc alone), for tests/testkern-qemu.sh.
TK_DIR    := guests/testkern
TK_SRC    := $(wildcard $(TK_DIR)/*.c $(TK_DIR)/*.S)
TK_HDR    := $(wildcard $(TK_DIR)/*.h)
# Fixed flags, not $(CFLAGS): the kernel's code must not change with the
# hosted tools' build options (sanitizers, -O0).
TK_CFLAGS := -m32 -march=i686 -O2 -g -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fno-delete-null-pointer-checks -mgeneral-regs-only \
	-fno-builtin -nostdinc -isystem $(shell gcc -print-file-name=include) $(WARN)
TK_LDFLAGS := -m32 -nostdlib -static -no-pie -Wl,-T,$(TK_DIR)/link.ld -Wl,--build-id=none \
	-Wl,-z,max-page-size=0x1000 -Wl,--no-warn-rwx-segments -Wl,--fatal-warnings
TK_OBJ     = $(patsubst $(TK_DIR)/%,$(B)/guests/testkern/$(1)/%.o,$(TK_SRC))
TK_AB_DEPS := $(B)/bin/afterburn-cc $(B)/bin/afterburn-as $(B)/libexec/previrt/as

ALL += $(B)/guests/testkern.elf $(B)/guests/testkern-plain.elf

$(B)/guests/testkern/ab/%.o: $(TK_DIR)/% $(TK_HDR) $(TK_AB_DEPS) $(TK_DIR)/build.mk
	@mkdir -p $(@D)
	$(B)/bin/afterburn-cc gcc $(TK_CFLAGS) -c $< -o $@

$(B)/guests/testkern/plain/%.o: $(TK_DIR)/% $(TK_HDR) $(TK_DIR)/build.mk
	@mkdir -p $(@D)
	gcc $(TK_CFLAGS) -c $< -o $@

$(B)/guests/testkern.elf: $(call TK_OBJ,ab) $(TK_DIR)/link.ld
	gcc $(TK_LDFLAGS) -o $@ $(call TK_OBJ,ab)

$(B)/guests/testkern-plain.elf: $(call TK_OBJ,plain) $(TK_DIR)/link.ld
	gcc $(TK_LDFLAGS) -o $@ $(call TK_OBJ,plain)
