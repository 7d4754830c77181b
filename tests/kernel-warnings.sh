#!/bin/sh
# Afterburning adds no kernel build warnings: the warning lines of the
# afterburnt build log, minus those of the plain build, must be exactly the
# documented exceptions in guests/linux/allowed-warnings.txt (build dir
# written as <build>, the object a linker notice names as <object>, repeated
# lines once; see docs/linux-guest.md for the reasons).
#   tests/kernel-warnings.sh PLAIN_DIR AFTERBURNT_DIR
set -eu
here=$(cd "$(dirname "$0")" && pwd)
p=${1:?usage: kernel-warnings.sh PLAIN_DIR AFTERBURNT_DIR}
a=${2:?usage: kernel-warnings.sh PLAIN_DIR AFTERBURNT_DIR}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
warnings() {
	# any build directory of the cache, wherever it was when it was built
	grep -iE 'warning|error' "$1/build.log" |
		sed -e "s#[^ \`']*/linux/[a-z0-9_]*-\(plain\|afterburnt\)-[0-9a-f]*#<build>#g" \
		-e "s/^ld: warning: orphan section \`\([^']*\)' from \`[^']*'/ld: warning: orphan section \`\1' from \`<object>'/" |
		sort -u || true
}
warnings "$p" >"$tmp/plain"
warnings "$a" >"$tmp/ab"
comm -13 "$tmp/plain" "$tmp/ab" >"$tmp/added"
grep -v '^#' "$here/../guests/linux/allowed-warnings.txt" | grep . | sort >"$tmp/allowed" || true
if cmp -s "$tmp/added" "$tmp/allowed"; then
	echo "kernel-warnings: $(wc -l <"$tmp/added") added warning lines, all documented exceptions"
	exit 0
fi
echo "kernel-warnings: FAIL: added warnings differ from guests/linux/allowed-warnings.txt:" >&2
diff "$tmp/allowed" "$tmp/added" | sed 's/^/  /' >&2
exit 1
