#!/bin/sh
# The jail around the VMM, tried by an attacker who knows the design: guest
# kernels that leave compatibility mode by a far jump to the host's 64-bit
# code segment, find a `syscall` instruction in a host library through the
# VMM's own register context and stack, and call open, socket, execve,
# ptrace, kill, mmap of a host file (guests/badkern/escape.S).  Each must be
# stopped with exit status 4 and a one-line message naming the call, with
# nothing touched.  The same attack with --no-jail must get through (so the
# test can fail).  Then: the jail as root and as an unprivileged user, and
# on a host that refuses namespaces (the run goes on and says so).
#
#   tests/jail.sh
set -u
# time limits, not checks, are 6 times longer in the nested host (tests/process-host.sh)
scale=1
[ "${PREVIRT_NESTED_HOST:-0}" = 1 ] && scale=6
top=$(cd "$(dirname "$0")/.." && pwd)
make -s -C "$top" all tests || exit 1
pv=$top/build/bin/previrt
bk=$top/build/guests/badkern
tk=$top/build/guests/testkern.elf
tmp=$(mktemp -d)
chmod 755 "$tmp"
trap 'rm -rf "$tmp"; rm -f /tmp/previrt-escaped' EXIT
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "  pass: $*"; }
bad() { failed=$((failed + 1)); echo "  FAIL: $*"; sed 's/^/    /' "$tmp/err" | head -8; }

# run LABEL CMD...: CMD with stdin a host file; its status in $rc.  The
# attack's search for a `syscall` instruction follows pointers it finds on
# the host stack, which depend on address-space randomisation: when the
# attack faults on one (the VMM then stops it as a guest kernel in 64-bit
# code, still contained), it is run again, up to 8 times.
run() {
	shift
	for try in 1 2 3 4 5 6 7 8; do
		timeout --kill-after=5 $((30 * scale)) "$@" </etc/passwd >"$tmp/out" 2>"$tmp/err"
		rc=$?
		grep -q 'the guest kernel ran 64-bit code at' "$tmp/err" || break
		echo "  (attempt $try: the attack's gadget search faulted; again)"
	done
}

rm -f /tmp/previrt-escaped
for call in open socket execve ptrace kill mmap own; do
	name=$call
	case $call in open) name=openat ;; own) name=getpid ;; esac
	run "$call" "$pv" run "$bk/escape-$call.elf"
	msg=$(grep -m1 -E "^previrt: jail: system call $name \(x86-64 [0-9]+\) from 64-bit code at 0x[0-9a-f]+ is not allowed" "$tmp/err")
	if [ "$rc" = 4 ] && [ -n "$msg" ] && [ "$(grep -c . "$tmp/err")" = 1 ] && ! grep -q escape "$tmp/out"; then
		ok "escape-$call: exit 4: $msg"
	else
		bad "escape-$call: exit $rc, want 4 and one line naming $name"
	fi
done
[ -e /tmp/previrt-escaped ] && bad "escape-open: /tmp/previrt-escaped was created" ||
	ok "escape-open: /tmp/previrt-escaped was not created"

# the attack is real: without the jail it creates the file
run nojail "$pv" run --no-jail "$bk/escape-open.elf"
if [ -e /tmp/previrt-escaped ]; then
	ok "--no-jail: the same guest creates /tmp/previrt-escaped (the attack works without the jail)"
else
	bad "--no-jail: escape-open did not get through: the attack is not a real one (exit $rc)"
fi
rm -f /tmp/previrt-escaped

# the jail as root: every namespace, an empty root, and the guest still runs
run stats "$pv" run --stats "$tk"
if [ "$rc" = 0 ] && grep -q 'testkern: PASS' "$tmp/out" &&
	grep -qE '^previrt: jail: namespaces user,mount,pid,net,ipc; root empty \((pivot_root|chroot)\); [0-9]+ system calls allowed; no_new_privs; RLIMIT_NOFILE [0-9]+; no capabilities$' "$tmp/err"; then
	ok "root: $(grep -m1 '^previrt: jail' "$tmp/err")"
else
	bad "root: testkern under the jail: exit $rc"
fi

# as an unprivileged user: from copies it can reach (a clone under /root,
# mode 700, it could not)
cp "$tk" "$bk/escape-open.elf" "$tmp/" && chmod 644 "$tmp"/*.elf
cp "$pv" "$tmp/previrt" && chmod 755 "$tmp/previrt"
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
	nobody="setpriv --reuid=65534 --regid=65534 --clear-groups"
	run user $nobody "$tmp/previrt" run --stats "$tmp/testkern.elf"
	if [ "$rc" = 0 ] && grep -q 'testkern: PASS' "$tmp/out" && grep -q '^previrt: jail: namespaces' "$tmp/err"; then
		ok "unprivileged (uid 65534): $(grep -m1 '^previrt: jail' "$tmp/err")"
	else
		bad "unprivileged: testkern under the jail: exit $rc"
	fi
	run user-escape $nobody "$tmp/previrt" run "$tmp/escape-open.elf"
	if [ "$rc" = 4 ] && grep -q 'jail: system call openat' "$tmp/err" && [ ! -e /tmp/previrt-escaped ]; then
		ok "unprivileged: escape-open stopped"
	else
		bad "unprivileged: escape-open: exit $rc"
	fi
else
	echo "  skip: not root or no setpriv: the unprivileged runs"
fi

# a host that refuses every namespace: said once, the run goes on, the
# allow-list still stops the escape
run refused "$top/build/tests/deny-unshare" "$pv" run "$tk"
if [ "$rc" = 0 ] && grep -q 'testkern: PASS' "$tmp/out" &&
	grep -qE '^previrt: jail: namespaces none, refused user,mount,pid,net,ipc; root the host.s;' "$tmp/err"; then
	ok "namespaces refused: $(grep -m1 '^previrt: jail' "$tmp/err")"
else
	bad "namespaces refused: exit $rc"
fi
run refused-escape "$top/build/tests/deny-unshare" "$pv" run "$bk/escape-open.elf"
if [ "$rc" = 4 ] && grep -q 'jail: system call openat' "$tmp/err" && [ ! -e /tmp/previrt-escaped ]; then
	ok "namespaces refused: escape-open still stopped by the allow-list"
else
	bad "namespaces refused: escape-open: exit $rc"
fi

echo "jail.sh: $passed passed, $failed failed"
[ "$failed" = 0 ]
