# The guest half of tests/linux-process.sh: each check prints
# "check: NAME: ok|FAIL"; the host times the sleep and compares the date.
fail=0
check() {
	name=$1
	shift
	if "$@"; then echo "check: $name: ok"; else echo "check: $name: FAIL"; fail=$((fail + 1)); fi
}
forkexec() {
	i=0
	while [ $i -lt 200 ]; do
		/bin/true || return 1
		i=$((i + 1))
	done
}
pipeline() {
	[ "$(seq 1 2000 | grep 7 | sort -rn | head -n 1 | tr 9 x)" = 1xx7 ]
}
signals() {
	# a child that waits for SIGUSR1, and its trap must run
	sh -c 'trap "echo got-usr1; exit 0" USR1; while :; do sleep 1; done' >/tmp/sig.out &
	pid=$!
	sleep 1
	kill -USR1 $pid && wait $pid && grep -q got-usr1 /tmp/sig.out &&
		{ sh -c 'kill -TERM $$; sleep 5'; [ $? = 143 ]; }
}
cpuinfo() {
	grep -q '^processor' /proc/cpuinfo && grep -q '^model name' /proc/cpuinfo &&
		grep -q '^flags.* tsc' /proc/cpuinfo
}
interrupts() {
	grep -qE '^ *0: +[0-9]+ .*timer' /proc/interrupts
}
check fork-exec-200 forkexec
check pipeline pipeline
check signals signals
check proc-cpuinfo cpuinfo
check proc-interrupts interrupts
check memory-64M sh -c '/bin/memtouch 64 | grep -q "16384 pages ok"'
check fork-private-copies sh -c '/bin/memtouch 4 fork 30 | grep -q "30 rounds ok"'
check segment-load-across-syscall sh -c '/bin/segload | grep -q "segload: ok (vDSO used)"'
check syscall-restart-through-vdso sh -c '/bin/restart'
check fpu-across-preemption sh -c '/bin/fpucheck >/tmp/fpu.out; r=$?; cat /tmp/fpu.out; [ $r = 0 ] && grep -q "fpucheck: ok" /tmp/fpu.out'
# Attacks on the sandbox by an ordinary program (hostile.c): host system
# calls from 64-bit mode and by sysenter/syscall, reads of kernel and VMM
# memory from 64-bit mode, a far call to the VMM's entry from no site, and a
# handoff forged in the stub's context page must each kill it, a second
# thread must never see a page another replaced, and the kernel must carry
# on; loads of host selectors are reported, not judged (docs/security.md).
contained() {
	/bin/hostile syscall64 int80-64 sysenter32 syscall32 read-kernel read-vmm stub-openat stub-unmap \
		farcall-vmm forged-signal race-remap >/tmp/hostile.out
	cat /tmp/hostile.out
	[ "$(grep -c ': blocked (signal' /tmp/hostile.out)" = 10 ] && grep -q 'race-remap: held' /tmp/hostile.out &&
		! grep -q LEAKED /tmp/hostile.out
}
check hostile-contained contained
/bin/hostile host-gdt-selector host-ldt-selector
# idle longer than the in-place VMM's 10 s watchdog on a guest that keeps
# interrupts off: halting with them on is not being hung
check idle-12s sleep 12
echo "sleep: start"
sleep 1
echo "sleep: end"
echo "date: $(date +%s)"
echo "check: done, $fail failed"
[ $fail = 0 ]
