# previrt: plain Make.  `make` builds the tools into build/; `make check`
# runs the unit and golden tests (the full suite is tests/run).
CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
CPPFLAGS += -D_GNU_SOURCE -Iinclude
B       := build
# Sanitizers for test builds of hosted code.
SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
AB_CORE := afterburn/rewrite.c afterburn/classify.c afterburn/buf.c afterburn/opts.c

# Each component adds its own rules in a build.mk next to its sources and
# appends to ALL (built by `make`) and TESTS (built by `make tests`).
.DEFAULT_GOAL := all
ALL   :=
TESTS :=
include $(wildcard x86/build.mk ipvmm/*/build.mk guests/*/build.mk tests/*/build.mk bench/build.mk bench/*/build.mk)

all: $(ALL) $(B)/bin/afterburn $(B)/bin/afterburn-as $(B)/bin/afterburn-cc $(B)/libexec/previrt/as $(B)/bin/previrt

$(B)/bin/afterburn: afterburn/main.c $(AB_CORE) $(wildcard afterburn/*.h include/previrt/*.h)
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) $(CPPFLAGS) -o $@ afterburn/main.c $(AB_CORE)

# The wrappers run once per compiled file: static linking saves the dynamic
# loader's share of their start-up (bench/afterburn-vs-as.sh).
$(B)/bin/afterburn-as: afterburn/as_wrap.c afterburn/objcount.c $(AB_CORE) $(wildcard afterburn/*.h include/previrt/*.h)
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) $(CPPFLAGS) -static -o $@ afterburn/as_wrap.c afterburn/objcount.c $(AB_CORE)

$(B)/bin/afterburn-cc: afterburn/cc_wrap.c $(wildcard afterburn/*.h)
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) $(CPPFLAGS) -static -o $@ afterburn/cc_wrap.c

# previrt: the front end (cli/) and its subcommands; audit decodes with
# capstone; run carries the in-place VMM (x86/, ipvmm/).  It must be a PIE:
# the guest owns the low 4 GiB of the process.
VMM_SRC := $(filter-out %_test.c,$(wildcard x86/*.c)) $(wildcard ipvmm/core/*.c ipvmm/dev/*.c) \
	$(wildcard ipvmm/process/*.c ipvmm/process/*.S)
$(B)/bin/previrt: $(wildcard cli/*.c cli/*.h audit/*.c audit/*.h include/previrt/*.h) $(VMM_SRC) \
		$(wildcard x86/*.h ipvmm/*/*.h)
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) $(CPPFLAGS) -I. -fPIE -pie -o $@ $(wildcard cli/*.c audit/*.c) $(VMM_SRC) -lcapstone -lseccomp -lslirp

# gcc -B<dir>/ finds the assembler wrapper under the name "as".
$(B)/libexec/previrt/as: $(B)/bin/afterburn-as
	@mkdir -p $(@D)
	ln -sf ../../bin/afterburn-as $@

# Test tools: the capstone property checker, and the afterburner built with
# AddressSanitizer and UndefinedBehaviorSanitizer for the golden/CLI tests.
# abcheck loads and decodes with the audit's modules: tests may use audit/,
# never the other way round.
ABCHECK_SRC := $(wildcard tests/abcheck/*.c) audit/elf.c audit/sensitive.c

tests: $(TESTS) $(B)/tests/abcheck $(B)/asan/afterburn $(B)/asan/previrt

$(B)/tests/abcheck: $(ABCHECK_SRC) $(wildcard tests/abcheck/*.h audit/*.h include/previrt/*.h)
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) $(CPPFLAGS) -I. -o $@ $(ABCHECK_SRC) -lcapstone

$(B)/asan/afterburn: afterburn/main.c $(AB_CORE) $(wildcard afterburn/*.h include/previrt/*.h)
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) $(SAN) $(CPPFLAGS) -o $@ afterburn/main.c $(AB_CORE)

$(B)/asan/previrt: $(wildcard cli/*.c cli/*.h audit/*.c audit/*.h include/previrt/*.h)
	@mkdir -p $(@D)
	$(CC) $(WARN) -O1 -g $(SAN) $(CPPFLAGS) -I. -DPREVIRT_NO_RUN -o $@ $(filter-out cli/run.c cli/hostcheck.c,$(wildcard cli/*.c)) $(wildcard audit/*.c) -lcapstone

clean:
	rm -rf $(B)

.PHONY: all tests clean
