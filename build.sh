#!/usr/bin/env bash
# Appliance build entry point. Works on a fresh Debian 12 machine with the .NET 10 SDK:
#   ./build.sh            publish the Native AOT binary to out/appliance
#   ./build.sh demo [...] publish, then run `appliance demo` (arguments are passed on)
#   ./build.sh test       publish, run every test project; last line: "N passed, N failed, N skipped"
#   ./build.sh bench      BenchmarkDotNet suites in perf/ (long; not part of test)
#   ./build.sh image      publish, then build the device image (kernel + initramfs) into out/image/
#   ./build.sh image-test publish, build the image and boot it under qemu against emulated kernel buses (~5 min)
#   ./build.sh device-only  publish the device-only binary (no cloud side, no offline tools) to out/device/appliance
#   ./build.sh clean
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

say() { printf '%s\n' "$*" >&2; }

# Native AOT links with clang (or gcc) and needs zlib's headers; tests use git.
need_packages() {
  local missing=()
  command -v clang >/dev/null 2>&1 || command -v gcc >/dev/null 2>&1 || missing+=(clang)
  dpkg -s zlib1g-dev >/dev/null 2>&1 || missing+=(zlib1g-dev)
  command -v git >/dev/null 2>&1 || missing+=(git)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "build.sh: installing ${missing[*]} with apt-get"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    say "build.sh: missing packages: ${missing[*]}. Install them with: sudo apt-get install ${missing[*]}"
    exit 2
  fi
}

need_dotnet() {
  command -v dotnet >/dev/null 2>&1 || { say "build.sh: the .NET 10 SDK is required (dotnet not on PATH)"; exit 2; }
}

publish() {
  need_dotnet
  need_packages
  say "build.sh: publishing Native AOT binary to out/appliance"
  local log; log=$(mktemp)
  if ! dotnet publish runtime/Appliance/Appliance.csproj -c Release -o out -nodeReuse:false -v:q -clp:NoSummary >"$log" 2>&1; then
    cat "$log" >&2; rm -f "$log"; exit 1
  fi
  # Third-party trim/AOT warnings are listed in docs/aot-warnings.md; one naming our own assemblies fails the build.
  if grep -E "warning IL[0-9]+" "$log" | grep -E "Assembly 'Appliance[.']|/(kernels|drivers|runtime)/[^ ]*\.cs\(" >&2; then
    say "build.sh: trim/AOT warnings in the project's own code (above)"; rm -f "$log"; exit 1
  fi
  grep -oE "Assembly '[^']+' produced (trim|AOT analysis) warnings" "$log" | sort -u | sed 's/^/build.sh: third-party (see docs\/aot-warnings.md): /' >&2 || true
  rm -f "$log"
  rm -f out/*.xml out/*.pdb
  ls -l out/appliance >&2
}

# The device-only flavour: Appliance.Cloud and Appliance.Evaluation (collector, stores, training, NAB) left out, built in
# its own obj-device/ and bin-device/ trees so that it never disturbs the full build's incremental state.
device_only() {
  need_dotnet
  need_packages
  say "build.sh: publishing the device-only Native AOT binary to out/device/appliance"
  local log; log=$(mktemp)
  if ! dotnet publish runtime/Appliance/Appliance.csproj -c Release -o out/device -p:ApplianceFlavor=device \
      -p:BaseIntermediateOutputPath=obj-device/ -p:BaseOutputPath=bin-device/ -nodeReuse:false -v:q -clp:NoSummary >"$log" 2>&1; then
    cat "$log" >&2; rm -f "$log"; exit 1
  fi
  rm -f "$log" out/device/*.xml out/device/*.pdb
  local rsp; rsp=$(ls runtime/Appliance/obj-device/Release/net10.0/linux-x64/native/appliance.ilc.rsp)
  if grep -E "Appliance\.(Cloud|Evaluation)\.dll|Npgsql\.dll|Microsoft\.Data\.Sqlite\.dll" "$rsp" >&2; then
    say "build.sh: the device-only binary references cloud assemblies (above)"; exit 1
  fi
  say "build.sh: device-only binary: $(stat -c %s out/device/appliance) bytes; full binary: $(stat -c %s out/appliance 2>/dev/null || echo 'not built') bytes; ILC inputs without Appliance.Cloud, Appliance.Evaluation, Npgsql, SQLite"
}

run_tests() {
  publish
  local results="$ROOT/out/test-results"
  rm -rf "$results"; mkdir -p "$results"
  local status=0
  dotnet build Appliance.sln -c Release -nodeReuse:false -v:q -clp:NoSummary 1>&2 || exit 1
  for proj in tests/*/*.Tests.csproj; do
    local name; name=$(basename "$proj" .csproj)
    say "build.sh: testing $name"
    dotnet test "$proj" -c Release --no-build -nodeReuse:false \
      --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" \
      --results-directory "$results" 1>&2 || status=1
  done
  # Sum the TRX counters of every project.
  local passed=0 failed=0 skipped=0 f line
  for f in "$results"/*.trx; do
    [ -f "$f" ] || continue
    line=$(grep -o '<Counters [^>]*>' "$f" | head -1)
    p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$line"); passed=$((passed + ${p:-0}))
    x=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$line"); failed=$((failed + ${x:-0}))
    s=$(sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p' <<<"$line"); skipped=$((skipped + ${s:-0}))
  done
  # The image's boot test under qemu (image/test/image-test.sh); its assertions count as tests. IMAGE_TEST=0 skips it.
  if [ "${IMAGE_TEST:-1}" != 0 ]; then
    say "build.sh: testing the device image under qemu (image/test/image-test.sh)"
    image/test/image-test.sh > "$results/image-test.log" 2>&1 || status=1
    cat "$results/image-test.log" >&2
    line=$(grep -o 'image-test: [0-9]* passed, [0-9]* failed' "$results/image-test.log" | tail -1 || true)
    p=$(sed -n 's/image-test: \([0-9]*\) passed.*/\1/p' <<<"$line"); passed=$((passed + ${p:-0}))
    x=$(sed -n 's/.* \([0-9]*\) failed/\1/p' <<<"$line"); failed=$((failed + ${x:-1}))
  fi
  if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
  echo "$passed passed, $failed failed, $skipped skipped"
  return $status
}

cmd=${1:-publish}
[ $# -gt 0 ] && shift
case "$cmd" in
  publish|build) publish ;;
  demo) publish; exec "$ROOT/out/appliance" demo "$@" ;;
  test) run_tests ;;
  image) publish; image/build-image.sh ;;
  image-test) publish; image/test/image-test.sh ;;
  device-only) device_only ;;
  bench) need_dotnet; dotnet run -c Release --project perf/Appliance.Benchmarks -- "$@" ;;
  clean) rm -rf out; find . -name bin -o -name obj -type d -prune -exec rm -rf {} + ;;
  *) say "usage: ./build.sh [publish|demo|test|bench|image|image-test|device-only|clean]"; exit 2 ;;
esac
