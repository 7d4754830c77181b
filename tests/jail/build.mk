# tests/jail: helpers of tests/jail.sh.
$(B)/tests/deny-unshare: tests/jail/deny_unshare.c
	@mkdir -p $(@D)
	$(CC) $(WARN) -O1 -g $(SAN) $(CPPFLAGS) -o $@ $< -lseccomp

TESTS += $(B)/tests/deny-unshare
