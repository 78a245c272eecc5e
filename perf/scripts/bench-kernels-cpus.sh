#!/usr/bin/env bash
# The kernels benchmark on a CPU without AVX and on this host, in one run (issue 20 item 3): the same out/appliance
# under qemu-user as a Nehalem (SSE4.2, no AVX: the x86-64-v2 image runs, 128-bit vectors) and natively (the
# baseline hands over to out/appliance-x86-64-v3 or -v4 where the CPU has AVX2 / AVX-512: 256 or 512 bits). Prints one JSON
# line per run, each with "cpu" added, then the host run capped to x86-64-v2 (APPLIANCE_X64_LEVEL) for the speed-up on
# the same machine. Options after BINARY are passed to the native runs (default: --mib 256 --rounds 9); the qemu run is
# --mib 1 --rounds 1 (256 MiB per kernel), as TCG is 10-50 times slower and its GB/s say nothing about a real Nehalem.
#   perf/scripts/bench-kernels-cpus.sh [BINARY]      (default out/appliance; needs qemu-x86_64, Debian's qemu-user)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:-out/appliance}
[ -x "$bin" ] || { echo "bench-kernels-cpus: $bin not found: run ./build.sh first" >&2; exit 2; }
command -v qemu-x86_64 >/dev/null || { echo "bench-kernels-cpus: qemu-x86_64 not found (apt-get install qemu-user)" >&2; exit 2; }
tag() { sed "s/^{/{\"cpu\":\"$1\",/"; }
qemu-x86_64 -cpu Nehalem "$bin" bench kernels --json --mib 1 --rounds 1 | tag "qemu Nehalem"
"$bin" bench kernels --json "${@:2}" | tag "host"
APPLIANCE_X64_LEVEL=x86-64-v2 "$bin" bench kernels --json "${@:2}" | tag "host, x86-64-v2 image"
