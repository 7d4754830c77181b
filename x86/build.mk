# x86/: the freestanding decoder.  The VMM links its sources directly; here
# they are checked to build freestanding for both guest widths, with no
# symbol left for a C library to supply, and tested (tests/x86/build.mk).
X86_SRC := x86/decode.c x86/operand.c x86/tables.c x86/names.c
X86_HDR := $(wildcard x86/*.h)
X86_FREE := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -O2 \
	-ffreestanding -fno-builtin -nostdlib -fno-stack-protector -I.

ALL += $(B)/x86/freestanding-32.ok $(B)/x86/freestanding-64.ok

# An undefined symbol would be a libc (or libgcc) call the guest side
# cannot make: memset/memcpy from a struct copy, __udivdi3, ...  (The GOT
# symbol is the linker's, present in any position-independent link.)
$(B)/x86/freestanding-%.ok: $(X86_SRC) $(X86_HDR)
	@mkdir -p $(@D)/$*
	@for f in $(X86_SRC); do \
		$(CC) $(X86_FREE) -m$* -c -o $(@D)/$*/$$(basename $$f .c).o $$f || exit 1; \
	done
	@$(CC) -m$* -nostdlib -r -o $(@D)/$*/x86.o $(patsubst x86/%.c,$(@D)/$*/%.o,$(X86_SRC))
	@u=$$(nm -u $(@D)/$*/x86.o | grep -v _GLOBAL_OFFSET_TABLE_); if [ -n "$$u" ]; then \
		echo "x86: freestanding -m$* build needs: $$u" >&2; exit 1; fi
	@touch $@
