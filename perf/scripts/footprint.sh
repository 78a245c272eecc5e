#!/usr/bin/env bash
# Steady-state footprint of `appliance run` (issue 20 item 8): 8 emulated sensors of four chips (2 BME280 at 10 Hz,
# 2 ADS1115 with two inputs at 100 Hz, 2 MCP3008 with two channels at 100 Hz, 2 ADXL345 at 100 Hz), 1 s windows,
# [inference] on (ONNX Runtime: the device fits its z-score model and scores every window with it), a collector on
# loopback. After WARM seconds, samples /proc/PID every second for SAMPLE seconds and prints one JSON line: the median
# VmRSS and its parts (anonymous, file-backed), the resident KiB of the ONNX Runtime library and of the binary's image
# (from /proc/PID/smaps), Pss and the private (clean + dirty) and shared parts from /proc/PID/smaps_rollup, the CPU share
# (utime+stime over the sampling seconds), and the binary's size.
#   perf/scripts/footprint.sh [BINARY] [WARM] [SAMPLE]        (default out/appliance 40 20)
#   INFERENCE=false perf/scripts/footprint.sh                 the same with [inference] enabled = false
#   ONLY=adc1 perf/scripts/footprint.sh                       one of the eight sensors alone (its CPU share)
#   COLLECTOR=out/appliance perf/scripts/footprint.sh out/device/appliance   the collector from another binary (the
#                                                             device-only flavour has no `cloud` verb)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(realpath "${1:-out/appliance}"); warm=${2:-40}; sample=${3:-20}; inference=${INFERENCE:-true}; only=${ONLY:-}
collector=$(realpath "${COLLECTOR:-$bin}")
[ -x "$bin" ] || { echo "footprint: $bin not found: run ./build.sh first" >&2; exit 2; }
[ -x "$collector" ] || { echo "footprint: COLLECTOR $collector not found" >&2; exit 2; }
tmp=$(mktemp -d); pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
port=$((20000 + RANDOM % 20000))
"$bin" init-config "$tmp/config" >/dev/null
sensor() {
  [ -z "$only" ] || [ "$only" = "$1" ] || return 0
  printf '[[sensor]]\nname = "%s"\nchip = "%s"\nbus = "emulated:%s"\nrate_hz = %s\n%s\n\n' "$@"
}
{
  printf '[device]\nid = "footprint-1"\n\n'
  sensor env1 bme280 bme280 10 'address = 0x76'
  sensor env2 bme280 bme280 10 'address = 0x77'
  sensor adc1 ads1115 ads1115 100 'channels = "ain0,ain1"'
  sensor adc2 ads1115 ads1115 100 'channels = "ain2,ain3"'
  sensor pot1 mcp3008 mcp3008 100 'channels = "0,1"'
  sensor pot2 mcp3008 mcp3008 100 'channels = "2,3"'
  sensor vib1 adxl345 adxl345 100 ''
  sensor vib2 adxl345 adxl345 100 ''
  printf '[window]\nlength = "1s"\n\n[detector]\nkind = "ewma-z"\nalpha = 0.1\nthreshold = 4.0\nwarmup = 5\ncooldown = 5\n\n'
  printf '[inference]\nenabled = %s\ngpu = "off"\n\n[uplink]\nendpoint = "tcp://127.0.0.1:%s"\n\n[gitops]\nbranch = "main"\ninterval = "30s"\n' "$inference" "$port"
} >"$tmp/config/appliance.toml"
count=$(grep -c '^\[\[sensor\]\]' "$tmp/config/appliance.toml")
git -C "$tmp/config" add -A
git -C "$tmp/config" -c user.name=footprint -c user.email=footprint@localhost commit -q -m footprint
"$collector" cloud --listen "tcp://127.0.0.1:$port" --db "$tmp/collector.db" >"$tmp/cloud.log" 2>&1 & pids+=($!)
"$bin" run --repo "$tmp/config" --state "$tmp/state" --insecure-skip-verify >"$tmp/run.log" 2>&1 & pid=$!; pids+=($pid)
sleep "$warm"
kill -0 "$pid" 2>/dev/null || { echo "footprint: appliance run exited early:" >&2; cat "$tmp/run.log" >&2; exit 1; }
field() { sed -n "s/^$1:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$pid/status"; }
smaps_kib() { awk -v pat="$1" '/^[0-9a-f]+-[0-9a-f]+ /{m = ($6 ~ pat)} m && /^Rss:/{s += $2} END{print s + 0}' "/proc/$pid/smaps"; }
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
rollup() { sed -n "s/^$1:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$pid/smaps_rollup"; }
rss=(); anon=(); file=(); ort=(); image=(); pss=(); private=(); shared=()
t0=$(ticks); s0=$(date +%s.%N)
for _ in $(seq "$sample"); do
  rss+=("$(field VmRSS)"); anon+=("$(field RssAnon)"); file+=("$(field RssFile)")
  ort+=("$(smaps_kib 'libonnxruntime')"); image+=("$(smaps_kib '/appliance(-x86-64-v[0-9])?$')")
  pss+=("$(rollup Pss)"); private+=("$(( $(rollup Private_Clean) + $(rollup Private_Dirty) ))")
  shared+=("$(( $(rollup Shared_Clean) + $(rollup Shared_Dirty) ))")
  sleep 1
done
t1=$(ticks); s1=$(date +%s.%N)
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
exe=$(readlink "/proc/$pid/exe")
cores=$(awk -v t="$((t1 - t0))" -v hz="$(getconf CLK_TCK)" -v s="$(echo "$s1 - $s0" | bc)" 'BEGIN{printf "%.3f", t / hz / s}')
printf '{"sensors":%s,"inference":%s,"warm_s":%s,"sample_s":%s,"vmrss_kib":%s,"rss_anon_kib":%s,"rss_file_kib":%s,"onnxruntime_kib":%s,"image_kib":%s,"pss_kib":%s,"private_kib":%s,"shared_kib":%s,"cpu_cores":%s,"running_image":"%s","binary_bytes":%s,"running_image_bytes":%s}\n' \
  "$count" "$inference" "$warm" "$sample" "$(median "${rss[@]}")" "$(median "${anon[@]}")" "$(median "${file[@]}")" \
  "$(median "${ort[@]}")" "$(median "${image[@]}")" "$(median "${pss[@]}")" "$(median "${private[@]}")" "$(median "${shared[@]}")" "$cores" "$(basename "$exe")" "$(stat -c %s "$bin")" "$(stat -c %s "$exe")"
