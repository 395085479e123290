#!/usr/bin/env bash
# scripts/demo --no-wait, as a new user runs it, with the binaries of this build: every example
# reaches Running, and when the demo returns nothing it started is left: no process working in
# its directory or naming it on its command line (ZooKeeper, aurora-local, heron-controller, and
# the topologies' task processes, which run in process groups of their own), no directory.
# Usage: demo_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build="$1"
root="$2"
out=$(mktemp /tmp/hgo_demo_test_XXXXXX)
trap 'rm -f "$out"' EXIT

if ! HGO_DEMO_BUILD_DIR="$build" "$root/scripts/demo" --no-wait > "$out" 2>&1; then
  cat "$out"
  echo "FAIL: scripts/demo --no-wait failed" >&2
  exit 1
fi
demo=$(sed -n 's/^== starting ZooKeeper, aurora-local and heron-controller in //p' "$out")
[[ -n "$demo" ]] || { cat "$out"; echo "FAIL: the demo did not say where it ran" >&2; exit 1; }
grep -q "Running" "$out" || { cat "$out"; echo "FAIL: no topology listed Running" >&2; exit 1; }

left=()
for proc in /proc/[0-9]*; do
  pid=${proc#/proc/}
  cwd=$(readlink "$proc/cwd" 2>/dev/null || true)
  cmd=$(tr '\0' ' ' < "$proc/cmdline" 2>/dev/null || true)
  if [[ "$cwd" == "$demo"* || "$cmd" == *"$demo"* ]]; then
    left+=("$pid: $cmd (in $cwd)")
    kill -9 "$pid" 2>/dev/null || true  # this test leaves nothing behind either
  fi
done
if [[ ${#left[@]} -gt 0 ]]; then
  printf 'FAIL: left running after the demo stopped:\n'; printf '  %s\n' "${left[@]}"
  exit 1
fi
if [[ -e "$demo" ]]; then
  rm -rf "$demo"
  echo "FAIL: $demo was left behind" >&2
  exit 1
fi
echo "demo test: every example Running; nothing left after it stopped ($demo)"
