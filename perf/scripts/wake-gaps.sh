#!/usr/bin/env bash
# The machine's own scheduling gaps, without the appliance: a C loop that wakes every 2.5 ms (the ADXL345 driver's
# quarter-FIFO poll at 3200 Hz) on an absolute CLOCK_MONOTONIC grid, at SCHED_FIFO 20 when allowed, and prints one JSON
# line: wakes, max_gap_ms, gaps_over_7_5_ms, gaps_over_10_ms. The ADXL345's FIFO holds 32 samples = 10 ms at 3200 Hz,
# so every gap over 10 ms here is an overrun no user-space reader on this machine can avoid (docs/vibration.md).
# Usage: perf/scripts/wake-gaps.sh [SECONDS]   (default 60; needs gcc or cc)
set -euo pipefail
cd "$(dirname "$0")"
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
${CC:-cc} -O2 -o "$out/wake-gaps" wake-gaps.c
if chrt -f 20 true 2>/dev/null; then chrt -f 20 "$out/wake-gaps" "${1:-60}"; else "$out/wake-gaps" "${1:-60}"; fi
