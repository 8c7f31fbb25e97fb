#!/usr/bin/env bash
# Runs every Tessera test and ends with one line "N passed, N failed".
# Usage: ./test.sh [extra dotnet test arguments]
set -uo pipefail
cd "$(dirname "$0")"

# Some tests use Debian packages: Graphviz's `dot` (graph pictures), Chromium (dashboard pages),
# OpenBLAS (matrix products; a managed kernel is tested without it), python3-zarr and python3-h5py
# (Zarr stores and HDF5 files written by another tool), nftables (packet loss and partitions between
# network namespaces in the fault tests). Install the missing ones when we can (Debian, as root); the tests that
# need a missing one say so and are skipped.
missing=()
command -v dot >/dev/null 2>&1 || missing+=(graphviz)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
ldconfig -p 2>/dev/null | grep -q 'libopenblas\.so\.0' || missing+=(libopenblas0-pthread)
/usr/bin/python3 -c 'import zarr' >/dev/null 2>&1 || missing+=(python3-zarr)
/usr/bin/python3 -c 'import h5py' >/dev/null 2>&1 || missing+=(python3-h5py)
command -v nft >/dev/null 2>&1 || [ -x /usr/sbin/nft ] || missing+=(nftables)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing ${missing[*]} (needed by some tests)" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}") >&2 || true
  else
    echo "test.sh: missing Debian packages ${missing[*]}; the tests that need them are skipped" >&2
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
