# ipvmm/xen: the in-place VMM for Xen, a freestanding 64-bit PV kernel image
# that Xen boots as dom0 ($(B)/libexec/previrt/ipvmm-xen.elf, which
# `previrt run --platform=xen` hands Xen).  It links the core's patcher and
# the decoder from their sources, freestanding, and Xen's public headers
# (Debian's libxen-dev, /usr/include/xen).
XV_DIR   := ipvmm/xen
XV_SRC   := $(XV_DIR)/head.S $(XV_DIR)/main.c $(XV_DIR)/console.c $(XV_DIR)/lib.c $(XV_DIR)/elf.c \
	$(XV_DIR)/traps.S $(XV_DIR)/traps.c \
	$(IPVMM_CORE_PATCH) $(X86_SRC)
XV_HDR   := $(wildcard $(XV_DIR)/*.h ipvmm/core/*.h x86/*.h include/previrt/*.h)
XV_OBJ   := $(patsubst %,$(B)/ipvmm-xen/%.o,$(XV_SRC))
# Position-independent so it runs at XEN_VMM_VIRT_BASE (layout.h), outside
# the top 2 GiB; no red zone, since Xen pushes exception and event frames
# onto the kernel stack; no SSE; no loop turned into a memcpy call inside
# memcpy itself.
XV_CFLAGS := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -O2 -g -m64 \
	-ffreestanding -fpie -fno-stack-protector -fno-asynchronous-unwind-tables \
	-mno-red-zone -mgeneral-regs-only -fno-tree-loop-distribute-patterns \
	-D__XEN_INTERFACE_VERSION__=0x00040e00 -Iinclude -I.
XV_LDFLAGS := -m64 -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,max-page-size=0x1000 \
	-Wl,--no-warn-rwx-segments -Wl,--fatal-warnings

ALL += $(B)/libexec/previrt/ipvmm-xen.elf

$(B)/ipvmm-xen/.headers:
	@test -f /usr/include/xen/elfnote.h || { echo "ipvmm/xen: Xen's public headers are missing" \
		"(/usr/include/xen/elfnote.h: package libxen-dev, which scripts/deps.sh installs)" >&2; exit 1; }
	@mkdir -p $(@D) && touch $@

$(B)/ipvmm-xen/%.c.o: %.c $(XV_HDR) $(XV_DIR)/build.mk $(B)/ipvmm-xen/.headers
	@mkdir -p $(@D)
	$(CC) $(XV_CFLAGS) -c -o $@ $<

$(B)/ipvmm-xen/%.S.o: %.S $(XV_HDR) $(XV_DIR)/build.mk $(B)/ipvmm-xen/.headers
	@mkdir -p $(@D)
	$(CC) $(XV_CFLAGS) -c -o $@ $<

$(B)/ipvmm-xen/link.ld: $(XV_DIR)/link.ld $(XV_DIR)/layout.h
	@mkdir -p $(@D)
	$(CC) -E -P -x c -I$(XV_DIR) -o $@ $<

# An undefined symbol would be a library call the VMM cannot make.
$(B)/libexec/previrt/ipvmm-xen.elf: $(XV_OBJ) $(B)/ipvmm-xen/link.ld
	@mkdir -p $(@D)
	$(CC) $(XV_LDFLAGS) -Wl,-T,$(B)/ipvmm-xen/link.ld -o $@.tmp $(XV_OBJ)
	@u=$$(nm -u $@.tmp); if [ -n "$$u" ]; then echo "ipvmm/xen: undefined: $$u" >&2; rm -f $@.tmp; exit 1; fi
	@mv $@.tmp $@
