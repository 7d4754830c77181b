# bench/isolation: one program per host mechanism that can contain guest
# user code (bench/isolation.sh runs them; docs/isolation-mechanisms.md).
ISO_PROGS := handoff scm_rights agent seccomp ptrace fault floor
ISO_BINS  := $(addprefix $(B)/bench/isolation/,$(ISO_PROGS))
ISO_HDRS  := $(wildcard bench/isolation/*.h)

$(B)/bench/isolation/%: bench/isolation/%.c bench/isolation/harness.c $(ISO_HDRS)
	@mkdir -p $(@D)
	$(CC) $(WARN) -O2 -g $(CPPFLAGS) -I. -o $@ $< bench/isolation/harness.c $(ISO_EXTRA) $(ISO_LIBS)

# the two that share the mapping agent, and the one that needs libseccomp
$(B)/bench/isolation/agent $(B)/bench/isolation/fault: bench/isolation/mapagent.c
$(B)/bench/isolation/agent $(B)/bench/isolation/fault: ISO_EXTRA := bench/isolation/mapagent.c
$(B)/bench/isolation/seccomp: ISO_LIBS := -lseccomp

bench-isolation: $(ISO_BINS)

TESTS += $(ISO_BINS)
.PHONY: bench-isolation
