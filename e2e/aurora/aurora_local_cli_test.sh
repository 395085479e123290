#!/usr/bin/env bash
# The aurora-local binary's command line: --help, a missing --state-dir, a bad users file.
# Usage: aurora_local_cli_test.sh AURORA_LOCAL
set -uo pipefail
bin="$1"; tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
expect() {  # expect NAME RC PATTERN -- ARGS...
  local name="$1" want="$2" pattern="$3"; shift 4
  local out rc; out=$("$bin" "$@" 2>&1); rc=$?
  if [[ $rc -ne $want ]] || ! grep -qF -- "$pattern" <<<"$out"; then
    echo "FAIL $name: exit $rc (want $want), output:"; echo "$out"; fail=1
  else
    echo "ok   $name"
  fi
}
expect help 0 "--state-dir" -- --help
expect help-mentions-limits 0 "resource limits are not enforced" -- --help
expect missing-state-dir 106 "--state-dir is required" --
printf 'nocolon\n' > "$tmp/users"
expect bad-users-file 2 "$tmp/users:1: expected 'user:password[:role,...]'" -- --state-dir "$tmp/s" --auth-file "$tmp/users"
expect version 0 "aurora-local " -- --version
exit $fail
