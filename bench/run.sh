#!/usr/bin/env bash
# Raise the open-file limit (20,000 idle connections need 40,000+ descriptors), then run.
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n 200000 2>/dev/null || ulimit -n "$(ulimit -Hn)"
export BENCH_FD_LIMIT="$(ulimit -n)"
exec node --import tsx bench/run.ts "$@"
