#!/bin/sh
# Runs a command that needs the process platform on a host that has it:
# this one when `previrt host-check` says so, else the nested host
# (scripts/nested-host.sh: Debian's 6.1 kernel on QEMU 10 TCG, this file
# system over 9p), whose QEMU it fetches from bookworm-backports once.
#
#   tests/process-host.sh COMMAND [ARG...]
#
# The command sees PREVIRT_NESTED_HOST=1 in the nested host, where
# everything runs 20 to 50 times slower: tests scale their time limits by
# it, never their checks.  Environment variables do not cross into the
# nested host: pass them with env(1) as part of the command.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
[ $# -gt 0 ] || { echo "process-host.sh: no command" >&2; exit 2; }
if [ "${PREVIRT_NESTED_HOST:-0}" = 1 ] || "$top/build/bin/previrt" host-check -q; then
	exec "$@"
fi
why=$("$top/build/bin/previrt" host-check 2>&1 >/dev/null)
echo "process-host.sh: ${why#previrt: }"
echo "process-host.sh: so this runs in the nested host (QEMU 10 TCG, Debian's 6.1 kernel): $*"
cache=${PREVIRT_CACHE:-$HOME/.cache/previrt}
[ -x "${QEMU:-$cache/qemu-bpo/usr/bin/qemu-system-x86_64}" ] ||
	"$top/scripts/nested-host.sh" --fetch-qemu || exit 1
rcf=$(mktemp)
# shown as it comes, less the nested kernel's, QEMU's and SeaBIOS's lines
{ "$top/scripts/nested-host.sh" -- "$@" 2>&1; echo $? >"$rcf"; } |
	sed -u 's/\x1bc//g; s/\x1b\[[?0-9;]*[a-zA-Z]//g; s/\r//g; s/^Booting from ROM\.*//' |
	grep -a --line-buffered -v -E '^(\[ *[0-9]+\.[0-9]+\]|qemu-system-x86_64: |Only modules from|SeaBIOS|iPXE|Press Ctrl-B|.*: sleep: Input/output error$|sleep: error while loading shared libraries.*|.*/rc: 1: \[ *[0-9.]*\] reboot: Power down|$)'
rc=$(cat "$rcf")
rm -f "$rcf"
exit "${rc:-1}"
