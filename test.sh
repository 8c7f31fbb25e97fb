#!/usr/bin/env bash
# Runs every Tessera test and ends with one line "N passed, N failed".
# Usage: ./test.sh [extra dotnet test arguments]
set -uo pipefail
cd "$(dirname "$0")"

# Graph pictures need Graphviz's `dot`; install it when we can (Debian, as root).
if ! command -v dot >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing graphviz (needed by the graph-drawing tests)" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz) >&2 || true
  else
    echo "test.sh: Graphviz 'dot' is missing; install the graphviz package for the graph-drawing tests" >&2
  fi
fi

log=$(mktemp)
dotnet test Tessera.slnx -c Release "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Sum the per-assembly summaries that Microsoft.Testing.Platform prints.
total=$(grep -E '^\s+total: [0-9]+' "$log" | tail -n 1 | grep -oE '[0-9]+' || echo 0)
failed=$(grep -E '^\s+failed: [0-9]+' "$log" | tail -n 1 | grep -oE '[0-9]+' || echo 0)
passed=$(grep -E '^\s+succeeded: [0-9]+' "$log" | tail -n 1 | grep -oE '[0-9]+' || echo 0)
rm -f "$log"
if [ "$status" -ne 0 ] && [ "${failed:-0}" -eq 0 ]; then
  # The build or the test host failed before any test could report.
  failed=1
fi
echo "${passed:-0} passed, ${failed:-0} failed"
exit "$status"
