#!/bin/sh
# Boots the test kernel on QEMU TCG ("raw hardware"), afterburnt and plain,
# and compares each serial transcript with guests/testkern/expected.txt line
# for line; checks that the afterburnt ELF's .afterburn section has records
# of every kind the kernel exercises, that `previrt audit` finds every
# sensitive instruction annotated, and that the plain ELF has no records.
#
#   tests/testkern-qemu.sh [--timeout SECONDS]
#
# Exit status: 0 pass, 1 a check failed, 2 bad arguments or missing tools.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
timeout=60
while [ $# -gt 0 ]; do
	case $1 in
	--timeout) timeout=${2:?--timeout needs seconds}; shift 2 ;;
	-h|--help) sed -n '2,10s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "testkern-qemu.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
case $timeout in ''|*[!0-9]*) echo "testkern-qemu.sh: --timeout needs seconds, not '$timeout'" >&2; exit 2 ;; esac
command -v qemu-system-i386 >/dev/null ||
	{ echo "testkern-qemu.sh: qemu-system-i386 missing (package qemu-system-x86)" >&2; exit 2; }
make -s -C "$top" all || { echo "testkern-qemu.sh: make all failed" >&2; exit 1; }

ab=$top/build/guests/testkern.elf
plain=$top/build/guests/testkern-plain.elf
expected=$top/guests/testkern/expected.txt
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "testkern-qemu.sh: FAIL: $*" >&2; fail=1; }

# The kinds the kernel exercises in 32-bit protected mode (README.md says
# why the others are left out).
kinds="CLI STI PUSHF POPF IRET LRET FARJMP FARCALL INT HLT IN OUT INS OUTS CPUID
RDMSR WRMSR RDTSC MOV_TO_CR MOV_FROM_CR MOV_TO_DR MOV_FROM_DR MOV_TO_SEG
MOV_FROM_SEG PUSH_SEG POP_SEG LOAD_FARPTR LGDT LIDT LLDT LTR SGDT SIDT SLDT STR
SMSW LMSW CLTS INVLPG INVD WBINVD LAR LSL VERR VERW UD2"

# boot NAME ELF: the transcript must equal expected.txt (carriage returns
# dropped), and QEMU must exit by itself through the kernel's reset.
boot() {
	name=$1 elf=$2 log=$tmp/$1.serial
	t0=$(date +%s%N)
	timeout --kill-after=5 "$timeout" qemu-system-i386 -accel tcg -nodefaults -display none \
		-machine pc -m 64 -no-reboot -serial "file:$log" -kernel "$elf" \
		</dev/null >"$tmp/$name.qemu" 2>&1
	rc=$?
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		bad "$name: no reset within ${timeout}s (serial output below)"
		cat "$log" >&2
		return
	fi
	[ $rc -eq 0 ] || { bad "$name: qemu exited with status $rc: $(cat "$tmp/$name.qemu")"; return; }
	tr -d '\r' <"$log" >"$tmp/$name.txt"
	if diff -u "$expected" "$tmp/$name.txt" >"$tmp/$name.diff"; then
		echo "testkern-qemu.sh: $name: $(wc -l <"$tmp/$name.txt") lines as expected, ${ms} ms"
	else
		bad "$name: transcript differs from guests/testkern/expected.txt:"
		cat "$tmp/$name.diff" >&2
	fi
}

[ -r "$ab" ] && [ -r "$plain" ] || { bad "missing $ab or $plain"; exit 1; }
boot afterburnt "$ab"
boot plain "$plain"

# Records per kind, read straight from the section: byte 6 of each 8-byte
# record is the kind, byte 7 the flags; names from afterburn.h's X-macro.
if ! objcopy -O binary --only-section=.afterburn "$ab" "$tmp/ab.bin" 2>/dev/null || [ ! -s "$tmp/ab.bin" ]; then
	bad "$ab has no .afterburn section"
else
	sed -n 's/^[[:space:]]*X(\([A-Z0-9_]*\), *\([0-9]*\),.*/\2 \1/p' "$top/include/previrt/afterburn.h" >"$tmp/names"
	od -An -v -tu1 -w8 "$tmp/ab.bin" | awk -v names="$tmp/names" -v want="$kinds" '
		BEGIN { while ((getline l < names) > 0) { split(l, f, " "); name[f[1]] = f[2] } }
		{ n[$7]++; if ($7 == 2 && int($8 / 64) % 2) shadow++ }
		END {
			bad = 0
			nk = split(want, w, /[ \n]+/)
			for (v in name) id[name[v]] = v
			line = ""
			for (i = 1; i <= nk; i++) {
				c = n[id[w[i]]] + 0
				line = line sprintf(" %s=%d", w[i], c)
				if (c == 0) { print "testkern-qemu.sh: FAIL: no " w[i] " record" > "/dev/stderr"; bad = 1 }
			}
			if (!shadow) { print "testkern-qemu.sh: FAIL: no STI record with the SHADOW flag (sti; hlt)" > "/dev/stderr"; bad = 1 }
			printf "testkern-qemu.sh: records:%s (STI+shadow=%d)\n", line, shadow
			exit bad
		}' || fail=1
fi
if objdump -h "$plain" | grep -q '\.afterburn'; then
	bad "the plain ELF has a .afterburn section"
fi

# The audit's view: every sensitive instruction annotated, every record valid.
"$top/build/bin/previrt" audit --json "$ab" >"$tmp/audit.json" || bad "previrt audit: coverage incomplete or invalid records in $ab"
for k in $kinds; do
	grep -q "\"$k\": {\"found\": [0-9]*, \"annotated\": [1-9]" "$tmp/audit.json" || bad "audit: no annotated $k"
done

if [ $fail -eq 0 ]; then
	echo "testkern-qemu.sh: PASS"
else
	echo "testkern-qemu.sh: FAIL"
fi
exit $fail
