# ipvmm/process: the back-end that runs an i386 guest inside this process.
PV_PROCESS_SRC := ipvmm/process/memory.c ipvmm/process/switch.S ipvmm/process/sigentry.S

$(B)/tests/switch_test: tests/process/switch_test.c $(PV_PROCESS_SRC) $(wildcard ipvmm/process/*.h)
	@mkdir -p $(@D)
	$(CC) $(WARN) -O1 -g $(CPPFLAGS) -I. -Iipvmm/process -o $@ tests/process/switch_test.c $(PV_PROCESS_SRC)

TESTS += $(B)/tests/switch_test
