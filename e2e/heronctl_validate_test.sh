#!/usr/bin/env bash
# The real heronctl binary: validate's exit codes and output on the shipped examples and on
# broken files (exit 0 valid, 1 invalid, 2 usage).  Usage: heronctl_validate_test.sh HERONCTL SRC
set -uo pipefail
heronctl="$1"; src="$2"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
check() {  # check NAME EXPECTED_RC PATTERN -- ARGS...
  local name="$1" want_rc="$2" pattern="$3"; shift 4
  local out rc
  out=$("$heronctl" "$@" 2>&1); rc=$?
  if [[ $rc -ne $want_rc ]]; then echo "FAIL $name: exit $rc, want $want_rc"; echo "$out"; fail=1; return; fi
  if ! grep -qF -- "$pattern" <<<"$out"; then echo "FAIL $name: output lacks '$pattern'"; echo "$out"; fail=1; return; fi
  echo "ok   $name"
}

check examples-valid 0 "3 files, 4 valid topologies, 0 invalid, 0 errors" -- validate -f "$src/manifests/examples"
sed 's/environment: devel/environment: qa/' "$src/manifests/examples/minimal.yaml" > "$tmp/bad.yaml"
check invalid-located 1 "$tmp/bad.yaml:9:16: spec.environment: 'qa' is not an Aurora environment" -- validate -f "$tmp/bad.yaml"
printf 'a: [unclosed\n' > "$tmp/syntax.yaml"
check syntax-error 1 "$tmp/syntax.yaml:2:1: YAML syntax error" -- validate -f "$tmp/syntax.yaml"
check missing-path 2 "no such file or directory" -- validate -f "$tmp/none.yaml"
check no-args 2 "--filename is required" -- validate
check unknown-verb 2 "unknown verb 'frob'" -- frob
check stdin 0 "<stdin>:2" -- validate -f - < "$src/manifests/examples/minimal.yaml"
check version 0 "heronctl " -- version
check help 0 "Usage: heronctl validate" -- validate --help
head -c 3000000 /dev/zero | tr '\0' 'x' > "$tmp/huge.yaml"
check huge-file 1 "over the limit of 1048576" -- validate -f "$tmp/huge.yaml"

if [[ $fail -ne 0 ]]; then echo "0 passed, 1 failed"; exit 1; fi
echo "heronctl validate e2e: all checks passed"
