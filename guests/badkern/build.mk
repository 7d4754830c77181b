# badkern: tiny multiboot guests that each misbehave one way, for
# tests/run-failures.sh (the VMM must stop them with a clear message).
BK_DIR   := guests/badkern
BK_NAMES := unknown-msr bad-memory no-device pit-mode1 triple-fault spin
# escape-CALL: a kernel that leaves to 64-bit mode and makes host system
# call CALL (escape.S), for tests/jail.sh
BK_ESCAPES := open socket execve ptrace kill mmap own
BK_ELFS  := $(patsubst %,$(B)/guests/badkern/%.elf,$(BK_NAMES) $(addprefix escape-,$(BK_ESCAPES)))

ALL += $(BK_ELFS)

$(B)/guests/badkern/%.o: $(BK_DIR)/%.S $(B)/bin/afterburn-cc $(B)/bin/afterburn-as $(B)/libexec/previrt/as
	@mkdir -p $(@D)
	$(B)/bin/afterburn-cc gcc -m32 -c $< -o $@

$(B)/guests/badkern/escape-%.o: $(BK_DIR)/escape.S $(B)/bin/afterburn-cc $(B)/bin/afterburn-as $(B)/libexec/previrt/as
	@mkdir -p $(@D)
	$(B)/bin/afterburn-cc gcc -m32 -DCALL_$* -c $< -o $@

$(B)/guests/badkern/%.elf: $(B)/guests/badkern/%.o $(B)/guests/badkern/head.o $(BK_DIR)/link.ld
	gcc -m32 -nostdlib -static -no-pie -Wl,-T,$(BK_DIR)/link.ld -Wl,--build-id=none -Wl,--no-warn-rwx-segments -o $@ $(B)/guests/badkern/head.o $<
