#!/usr/bin/env bash
# Appliance build entry point. Works on a fresh Debian 12 machine with the .NET 10 SDK:
#   ./build.sh            publish the Native AOT binary to out/appliance (CPU ONNX Runtime: no CUDA provider in out/)
#   ./build.sh --gpu      the same with the CUDA ONNX Runtime (linux-x64 only): out/ then carries the CUDA providers
#   ./build.sh --rid linux-arm64   cross-compile the linux-arm64 binary to out/linux-arm64/appliance (also with publish),
#                         with its arm64 native libraries, and lay an arm64 runtime sysroot in out/sysroot-linux-arm64
#                         (to run it here: qemu-aarch64 -L out/sysroot-linux-arm64 out/linux-arm64/appliance selftest)
#   ./build.sh demo [...] publish, then run `appliance demo` (arguments are passed on)
#   ./build.sh test       publish (linux-x64, then linux-arm64), run every test project, the fault campaign's short form (tests/faults/campaign.sh) and
#                         the image's boot test; last line: "N passed, N failed, N skipped"
#   ./build.sh bench      BenchmarkDotNet suites in perf/ (long; not part of test)
#   ./build.sh image      publish, then build the device image (kernel + initramfs) into out/image/
#   ./build.sh image-test publish, build the image and boot it under qemu against emulated kernel buses (~2 min more)
#   ./build.sh image --rid linux-arm64, ./build.sh image-test --rid linux-arm64: the same for the arm64 image
#                         (out/image-arm64, from ./build.sh --rid linux-arm64's out/linux-arm64/appliance; qemu-system-aarch64)
#   ./build.sh device-only  publish the device-only binary (no cloud side, no offline tools) to out/device/appliance
#   ./build.sh with-pg CMD [ARGS...]  run CMD with APPLIANCE_TEST_PG set to a throwaway PostgreSQL server (as test does)
#   ./build.sh clean
#
# Packages: each command checks for the Debian packages it needs (dpkg-query) and calls apt-get only when one is
# missing: as root it runs `apt-get update` once and installs them (--no-install-recommends); otherwise it prints one
# line naming them and exits 2. publish/demo: clang (or gcc), zlib1g-dev, git; --rid linux-arm64 adds clang,
# gcc-aarch64-linux-gnu (Debian's cross linker, binutils and arm64 C runtime under /usr/aarch64-linux-gnu), file and, for the
# sysroot, the arm64 architecture in dpkg (dpkg --add-architecture arm64, one apt-get update). image/image-test add qemu-system-x86,
# busybox-static, kmod, cpio, zstd, xz-utils, bc, sqlite3, make, gcc, libc6-dev, iproute2, libssl3, libgpiod2 and the
# headers of the Debian kernel the image boots (linux-headers-<abi>-amd64; <abi> from linux-image-amd64 or
# IMAGE_KERNEL_ABI). test adds clang (gcc alone is not enough), python3-pandas, postgresql (unless APPLIANCE_TEST_PG
# is given) and chromium, prometheus, qemu-user, qemu-system-arm and ffmpeg; with IMAGE_TEST=0 it skips the image's
# packages and its boot test. The arm64 image (--rid linux-arm64, and test's arm64 boot test; IMAGE_TEST_ARM64=0 skips
# that one) needs the arm64 architecture in dpkg (added as root, then `apt-get update`) for `apt-get download` of its
# kernel, headers, busybox-static and libraries, and on the host qemu-system-arm, qemu-user, gcc-aarch64-linux-gnu,
# libc6-dev-arm64-cross, the arm64 headers' linux-headers-<abi>-common and linux-kbuild-<version>, plus the list above
# without qemu-system-x86, busybox-static, xz-utils, libssl3, libgpiod2 and the amd64 headers.
#
# PostgreSQL: when APPLIANCE_TEST_PG is not set, test (and with-pg) start a throwaway server with Debian's binaries
# (/usr/lib/postgresql/<newest>/bin initdb and pg_ctl, run as the postgres user when root, as the caller otherwise) in a
# mktemp directory (under /tmp when root): it listens on 127.0.0.1 only, on a free port (never 5432, so a system
# cluster is left alone), with role appliance (password appliance, scram-sha-256) owning database appliance_test;
# APPLIANCE_TEST_PG is exported as postgresql://appliance:appliance@127.0.0.1:PORT/appliance_test. The server is stopped
# and its directory deleted when build.sh exits (trap EXIT, also on failure or Ctrl-C). A given APPLIANCE_TEST_PG is
# used as it is.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

say() { printf '%s\n' "$*" >&2; }

# Debian packages. ensure_packages NAME... installs those not installed (one apt-get update and one apt-get install, as
# root) or names them and exits 2. A name "a|b" is satisfied by either package (the first is installed).
APT_UPDATED=0
apt_update_once() {
  [ "$APT_UPDATED" = 1 ] && return 0
  APT_UPDATED=1
  apt-get update -qq >/dev/null || say "build.sh: apt-get update failed; installing from the package lists as they are"
}

installed_packages() { # the names of installed packages among the arguments, one a line
  dpkg-query -W -f='${db:Status-Status} ${Package}\n' "$@" 2>/dev/null | sed -n 's/^installed //p' || true
}

ensure_packages() {
  local have want missing=() alt ok p
  have=$(installed_packages $(tr '|' ' ' <<<"$*"))
  for want in "$@"; do
    ok=0
    IFS='|' read -ra alt <<<"$want"
    for p in "${alt[@]}"; do grep -qxF "$p" <<<"$have" && { ok=1; break; }; done
    [ "$ok" = 1 ] || missing+=("${alt[0]}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "build.sh: installing ${missing[*]} with apt-get"
    local t0=$SECONDS
    apt_update_once
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    say "build.sh: installed ${#missing[@]} packages in $((SECONDS - t0)) s"
  else
    say "build.sh: missing packages: ${missing[*]}. Install them with: sudo apt-get install --no-install-recommends ${missing[*]}"
    exit 2
  fi
}

# The headers package of the Debian kernel the image boots (image/build-image.sh builds appliance_sim.ko against it):
# sets KERNEL_HEADERS=linux-headers-<abi>-amd64.
kernel_abi() { apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/.*Depends: linux-image-\(.*\)-amd64$/\1/p' | head -1 || true; }
kernel_headers_package() {
  local abi=${IMAGE_KERNEL_ABI:-}
  if [ -z "$abi" ]; then
    abi=$(kernel_abi)
    if [ -z "$abi" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      apt_update_once # a fresh machine has no package lists yet
      abi=$(kernel_abi)
    fi
    [ -n "$abi" ] || { say "build.sh: cannot find the image's kernel ABI (apt-cache depends linux-image-amd64): run apt-get update, or set IMAGE_KERNEL_ABI, e.g. 6.1.0-57"; exit 2; }
  fi
  KERNEL_HEADERS=linux-headers-$abi-amd64
}

# The arm64 image takes its packages with `apt-get download PKG:arm64`: dpkg must know the architecture and apt its lists.
foreign_arch() {
  dpkg --print-foreign-architectures | grep -qx "$1" && return 0
  if [ "$(id -u)" = 0 ]; then
    say "build.sh: adding the $1 architecture to dpkg (dpkg --add-architecture $1; apt-get update)"
    dpkg --add-architecture "$1"
    APT_UPDATED=0; apt_update_once
  else
    say "build.sh: the $1 architecture is missing: sudo dpkg --add-architecture $1 && sudo apt-get update"; exit 2
  fi
}

# --rid of image and image-test: linux-x64 (default) or linux-arm64; sets and exports IMAGE_ARCH (image/arch.sh).
image_rid() {
  local rid=linux-x64
  while [ $# -gt 0 ]; do
    case "$1" in
      --rid) rid=${2:-}; shift $(( $# > 1 ? 2 : 1 )) ;;
      --rid=*) rid=${1#--rid=}; shift ;;
      *) say "build.sh: unknown option '$1' (expected --rid linux-x64 or --rid linux-arm64)"; exit 2 ;;
    esac
  done
  case "$rid" in
    linux-x64) IMAGE_ARCH=amd64 ;;
    linux-arm64) IMAGE_ARCH=arm64 ;;
    *) say "build.sh: --rid '$rid': expected linux-x64 or linux-arm64"; exit 2 ;;
  esac
  export IMAGE_ARCH
}

# Native AOT links with clang (or gcc) and needs zlib's headers; tests use git.
PUBLISH_PACKAGES=("clang|gcc" zlib1g-dev git)
# The image and its boot test under qemu (image/build-image.sh, image/test/image-test.sh).
image_packages() {
  kernel_headers_package
  IMAGE_PACKAGES=(qemu-system-x86 busybox-static kmod cpio zstd xz-utils bc sqlite3 make gcc libc6-dev iproute2 libssl3 libgpiod2
    "$KERNEL_HEADERS")
}
# The arm64 image (IMAGE_ARCH=arm64): its kernel, headers, busybox and libraries are arm64 packages that
# image/build-image.sh downloads itself; the host needs the cross compiler, qemu, and the arm64 headers' arch-all
# common part and the host's kbuild tools (their version from the ABI: 6.1.0-57 -> linux-kbuild-6.1).
image_packages_arm64() {
  kernel_headers_package
  local abi=${KERNEL_HEADERS#linux-headers-}; abi=${abi%-amd64}
  foreign_arch arm64
  IMAGE_PACKAGES_ARM64=(qemu-system-arm qemu-user gcc-aarch64-linux-gnu libc6-dev-arm64-cross kmod cpio zstd bc sqlite3 make gcc
    libc6-dev iproute2 "linux-headers-$abi-common" "linux-kbuild-$(sed 's/^\([0-9]*\.[0-9]*\).*/\1/' <<<"$abi")")
}
# The test projects (python3-pandas: perf/scripts/stats_vs_pandas.py; sqlite3: tests/faults/campaign.sh), and tools later work needs: chromium, prometheus
# (promtool), qemu-user and qemu-system-arm (arm64), ffmpeg.
TEST_PACKAGES=(clang zlib1g-dev git python3-pandas sqlite3 chromium prometheus qemu-user qemu-system-arm ffmpeg)

need_packages() { ensure_packages "${PUBLISH_PACKAGES[@]}"; }

need_dotnet() {
  command -v dotnet >/dev/null 2>&1 || { say "build.sh: the .NET 10 SDK is required (dotnet not on PATH)"; exit 2; }
}

# The ONNX Runtime flavour: cpu (Microsoft.ML.OnnxRuntime, linux-x64 and linux-arm64) unless --gpu (Microsoft.ML.OnnxRuntime.Gpu.Linux,
# linux-x64 only, built in obj-gpu/ and bin-gpu/ so that it never disturbs the CPU build's incremental state).
GPU=0
publish() {
  need_dotnet
  need_packages
  local flags=()
  if [ "$GPU" = 1 ]; then
    flags=(-p:ApplianceGpu=true -p:BaseIntermediateOutputPath=obj-gpu/ -p:BaseOutputPath=bin-gpu/)
    say "build.sh: publishing Native AOT binary to out/appliance, flavour: gpu (CUDA execution provider)"
  else
    say "build.sh: publishing Native AOT binary to out/appliance, flavour: cpu (no CUDA provider)"
  fi
  local log; log=$(mktemp)
  # The provider libraries of the other flavour must not linger in out/ (publish only adds files).
  rm -f out/libonnxruntime*.so
  if ! dotnet publish runtime/Appliance/Appliance.csproj -c Release -o out "${flags[@]}" -nodeReuse:false -v:q -clp:NoSummary >"$log" 2>&1; then
    cat "$log" >&2; rm -f "$log"; exit 1
  fi
  check_publish_log "$log"
  rm -f "$log"
  rm -f out/*.xml out/*.pdb
  ls -l out/appliance >&2
  x64_images "${flags[@]}"
  if [ "$GPU" = 1 ]; then
    say "build.sh: flavour: gpu (CUDA execution provider): $(cd out && ls libonnxruntime*.so | tr '\n' ' ')"
  else
    say "build.sh: flavour: cpu (CPU execution provider; out/ holds no libonnxruntime_providers_cuda.so)"
  fi
}

# Third-party trim/AOT warnings are listed in docs/aot-warnings.md; one naming our own assemblies fails the build.
check_publish_log() {
  local log=$1
  if grep -E "warning IL[0-9]+" "$log" | grep -E "Assembly 'Appliance[.']|/(kernels|drivers|runtime)/[^ ]*\.cs\(" >&2; then
    say "build.sh: trim/AOT warnings in the project's own code (above)"; rm -f "$log"; exit 1
  fi
  grep -oE "Assembly '[^']+' produced (trim|AOT analysis) warnings" "$log" | sort -u | sed 's/^/build.sh: third-party (see docs\/aot-warnings.md): /' >&2 || true
}

# linux-arm64, cross-compiled here (docs/platforms.md). ILC (the x64-hosted compiler, targeting arm64 from the
# runtime.linux-arm64.Microsoft.DotNet.ILCompiler pack that restore brings) links with clang --target=aarch64-linux-gnu,
# which finds Debian's cross toolchain (gcc-aarch64-linux-gnu: aarch64-linux-gnu-ld, crt files and libc under
# /usr/aarch64-linux-gnu) by itself; zlib and brotli are linked from the runtime pack's static copies. Built in obj-arm64/
# and bin-arm64/ (the RID-specific restore would otherwise replace the x64 build's project.assets.json).
ARM64_PACKAGES=(clang gcc-aarch64-linux-gnu git file)
publish_arm64() {
  need_dotnet
  [ "$GPU" = 0 ] || { say "build.sh: --gpu is linux-x64 only (the CUDA ONNX Runtime package has no linux-arm64 libraries)"; exit 2; }
  ensure_packages "${ARM64_PACKAGES[@]}"
  say "build.sh: cross-compiling the linux-arm64 Native AOT binary to out/linux-arm64/appliance, flavour: cpu"
  local log t0=$SECONDS; log=$(mktemp)
  rm -f out/linux-arm64/libonnxruntime*.so
  if ! dotnet publish runtime/Appliance/Appliance.csproj -c Release -r linux-arm64 -o out/linux-arm64 \
      -p:BaseIntermediateOutputPath=obj-arm64/ -p:BaseOutputPath=bin-arm64/ -nodeReuse:false -v:q -clp:NoSummary >"$log" 2>&1; then
    cat "$log" >&2; rm -f "$log"; exit 1
  fi
  check_publish_log "$log"
  rm -f "$log" out/linux-arm64/*.xml out/linux-arm64/*.pdb
  local f
  for f in appliance libonnxruntime.so libe_sqlite3.so; do
    file -b "out/linux-arm64/$f" | grep -q aarch64 || { say "build.sh: out/linux-arm64/$f is not an aarch64 ELF: $(file -b "out/linux-arm64/$f")"; exit 1; }
  done
  ls -l out/linux-arm64/appliance >&2
  say "build.sh: linux-arm64 published in $((SECONDS - t0)) s: $(cd out/linux-arm64 && ls | grep -v '\.dbg$' | tr '\n' ' ')"
  arm64_sysroot
}

# out/sysroot-linux-arm64: the arm64 shared libraries the binary and its native libraries load (glibc, libgcc_s, libstdc++,
# OpenSSL 3 for .NET's cryptography), unpacked from Debian's arm64 packages (apt-get download + dpkg-deb -x; nothing
# installed), so that `qemu-aarch64 -L out/sysroot-linux-arm64 out/linux-arm64/appliance` runs on this x64 machine.
ARM64_SYSROOT_DEBS=(libc6 libgcc-s1 libstdc++6 libssl3 zlib1g)
arm64_sysroot() {
  local root=out/sysroot-linux-arm64 stamp
  stamp=$(printf '%s:arm64\n' "${ARM64_SYSROOT_DEBS[@]}")
  [ -f "$root/.debs" ] && [ "$(cat "$root/.debs")" = "$stamp" ] && [ -e "$root/lib/ld-linux-aarch64.so.1" ] && return 0
  command -v dpkg-deb >/dev/null || { say "build.sh: dpkg-deb is needed to lay out/sysroot-linux-arm64 (Debian)"; exit 2; }
  foreign_arch arm64 # (package lists only; nothing arm64 is installed)
  local tmp; tmp=$(mktemp -d)
  if ! (cd "$tmp" && apt-get download -qq $(printf '%s:arm64 ' "${ARM64_SYSROOT_DEBS[@]}") >/dev/null 2>&1); then
    apt_update_once
    (cd "$tmp" && apt-get download -qq $(printf '%s:arm64 ' "${ARM64_SYSROOT_DEBS[@]}") >/dev/null) ||
      { rm -rf "$tmp"; say "build.sh: apt-get download of the arm64 packages failed: ${ARM64_SYSROOT_DEBS[*]}"; exit 1; }
  fi
  rm -rf "$root"; mkdir -p "$root"
  local deb
  for deb in "$tmp"/*.deb; do dpkg-deb -x "$deb" "$root"; done
  rm -rf "$tmp"
  [ -e "$root/lib/ld-linux-aarch64.so.1" ] || { say "build.sh: $root has no lib/ld-linux-aarch64.so.1 after unpacking"; exit 1; }
  printf '%s\n' "$stamp" > "$root/.debs"
  say "build.sh: arm64 runtime sysroot in $root ($(du -sh "$root" | cut -f1)): ${ARM64_SYSROOT_DEBS[*]}"
}

# out/appliance is built for x86-64-v2 and hands over at start to out/appliance-x86-64-vN, the same program built for a
# higher level, where the CPU runs it (runtime/Appliance/Commands/X64Images.cs, docs/x86-64-levels.md). X64_IMAGES
# names the levels built beside it (default "x86-64-v3"; "x86-64-v3 x86-64-v4" adds AVX-512; "" builds none). Each
# has its own native intermediate folder, so that the baseline's incremental state is left alone.
x64_images() { # FLAGS...: the flavour's publish flags (--gpu: its own obj-gpu/ and bin-gpu/)
  local level log tmp obj=runtime/Appliance/obj/Release/net10.0/linux-x64
  [ "$GPU" = 1 ] && obj=runtime/Appliance/obj-gpu/Release/net10.0/linux-x64
  for level in ${X64_IMAGES-x86-64-v3}; do
    say "build.sh: publishing the $level image to out/appliance-$level"
    log=$(mktemp); tmp=$(mktemp -d)
    if ! dotnet publish runtime/Appliance/Appliance.csproj -c Release -o "$tmp" -p:IlcInstructionSet="$level" "$@" \
        -p:NativeIntermediateOutputPath="$ROOT/$obj/native-$level/" -p:NativeOutputPath="$ROOT/$obj/native-$level/out/" \
        -nodeReuse:false -v:q -clp:NoSummary >"$log" 2>&1; then
      cat "$log" >&2; rm -rf "$log" "$tmp"; exit 1
    fi
    mv "$tmp/appliance" "out/appliance-$level"; rm -rf "$log" "$tmp"
    ls -l "out/appliance-$level" >&2
  done
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

# A throwaway PostgreSQL server for the tests (see the header): pg_up starts it and exports APPLIANCE_TEST_PG, pg_down
# (trap EXIT) stops it and deletes its directory. Does nothing when APPLIANCE_TEST_PG is already set.
PG_DIR= PG_BIN= PG_AS=()
pg_up() {
  if [ -n "${APPLIANCE_TEST_PG:-}" ]; then
    say "build.sh: PostgreSQL tests use the given APPLIANCE_TEST_PG"
    return 0
  fi
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  [ -n "$PG_BIN" ] && [ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/pg_ctl" ] ||
    { say "build.sh: PostgreSQL's server binaries are missing (/usr/lib/postgresql/*/bin): apt-get install postgresql, or set APPLIANCE_TEST_PG"; exit 2; }
  local base=${TMPDIR:-/tmp}
  [ "$(id -u)" != 0 ] || base=/tmp # the server's user must reach its directory (a root TMPDIR may be under /root)
  PG_DIR=$(mktemp -d "$base/appliance-pg.XXXXXX")
  trap pg_down EXIT
  trap 'exit 130' INT TERM
  if [ "$(id -u)" = 0 ]; then # initdb and postgres refuse to run as root
    local user=postgres; id -u postgres >/dev/null 2>&1 || user=nobody
    chown "$user": "$PG_DIR"
    PG_AS=(runuser -u "$user" --)
  fi
  # Local connections (the socket, in this 0700 directory: only its owner and root reach it) are trusted; TCP needs the password.
  if ! "${PG_AS[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -E UTF8 --locale=C --auth-local=trust \
      --auth-host=scram-sha-256 >"$PG_DIR/initdb.log" 2>&1; then
    cat "$PG_DIR/initdb.log" >&2; say "build.sh: initdb failed"; exit 1
  fi
  local port= try
  for try in 1 2 3 4 5 6 7 8 9 10; do
    port=$((20000 + RANDOM % 40000))
    ss -Hltn "sport = :$port" 2>/dev/null | grep -q . && continue
    if "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 -s \
        -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$PG_DIR" start >/dev/null 2>&1; then
      break
    fi
    port= # (the port was taken meanwhile, or the server failed: its log says which)
  done
  [ -n "$port" ] || { cat "$PG_DIR/server.log" >&2 2>/dev/null; say "build.sh: the throwaway PostgreSQL server did not start"; exit 1; }
  "${PG_AS[@]}" "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_DIR" -p "$port" -U postgres -d postgres \
    -c "CREATE ROLE appliance LOGIN PASSWORD 'appliance'" -c "CREATE DATABASE appliance_test OWNER appliance" >&2
  export APPLIANCE_TEST_PG="postgresql://appliance:appliance@127.0.0.1:$port/appliance_test"
  say "build.sh: throwaway PostgreSQL $("$PG_BIN/postgres" -V | sed -n 's/.*(PostgreSQL) \([0-9.]*\).*/\1/p') at $APPLIANCE_TEST_PG (data in $PG_DIR, removed at exit)"
}

pg_down() {
  [ -n "$PG_DIR" ] || return 0
  "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 30 -s stop >/dev/null 2>&1 ||
    "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -s stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
  say "build.sh: throwaway PostgreSQL stopped and $PG_DIR removed"
  PG_DIR=
}

# add_counts "NAME: N passed, N failed[, N skipped]": adds a suite's counts to run_tests's passed, failed and skipped
# (a suite that printed no such line counts as one failure).
add_counts() {
  local p x s
  p=$(sed -n 's/^[^:]*: \([0-9]*\) passed.*/\1/p' <<<"$1"); passed=$((passed + ${p:-0}))
  x=$(sed -n 's/.* \([0-9]*\) failed.*/\1/p' <<<"$1"); failed=$((failed + ${x:-1}))
  s=$(sed -n 's/.* \([0-9]*\) skipped.*/\1/p' <<<"$1"); skipped=$((skipped + ${s:-0}))
}

# failure_summary RESULTS DEVICE_LINE: one line per failure, at most FAILURE_LINES (30) in all, for the end of run_tests's
# output (CI keeps only its tail): "build.sh: FAILED PROJECT: Namespace.Class.Method: first line of the message" for each
# failed test of each TRX (<UnitTestResult outcome="Failed"> and its <Message>), "build.sh: FAILED PROJECT: no TRX" for a
# test project that wrote none (its run did not finish), the campaign's and image tests' FAIL lines (and a missing result
# line), and the device-only build.
failure_summary() {
  local results=$1 device_line=$2 proj name log
  {
    for proj in tests/*/*.Tests.csproj; do
      name=$(basename "$proj" .csproj)
      [ -f "$results/$name.trx" ] || echo "build.sh: FAILED $name: no TRX (the test run did not finish)"
    done
    python3 - "$results"/*.trx <<'PY' || echo "build.sh: FAILED (the TRX files could not be read by python3)"
import os, sys, xml.etree.ElementTree as ET
for path in sys.argv[1:]:
    if not os.path.isfile(path):
        continue
    project = os.path.basename(path)[:-len(".trx")]
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        print(f"build.sh: FAILED {project}: its TRX is not well-formed XML ({e})")
        continue
    for r in root.iter():
        if r.tag.rsplit("}", 1)[-1] != "UnitTestResult" or r.get("outcome") != "Failed":
            continue
        message = next((m.text or "" for m in r.iter() if m.tag.rsplit("}", 1)[-1] == "Message"), "")
        lines = [l.strip() for l in message.splitlines() if l.strip()] or ["(no message)"]
        # xunit's "Values differ" says what in its Expected and Actual lines: they go on the same line.
        first = " | ".join([lines[0]] + [l for l in lines[1:4] if l.startswith(("Expected:", "Actual:"))])
        print(f"build.sh: FAILED {project}: {r.get('testName')}: {first[:240]}")
PY
    for log in campaign image-test image-test-arm64; do
      [ -f "$results/$log.log" ] || continue
      grep -a -E '(^|[ :])FAIL( |:|$)' "$results/$log.log" | sed -E "s/^(campaign|image-test): //; s/^/build.sh: FAILED $log: /" || true
    done
    if [ -f "$results/campaign.log" ] && ! grep -q -E 'campaign: [0-9]+ passed' "$results/campaign.log"; then
      echo "build.sh: FAILED campaign: no result line (last: $(tail -1 "$results/campaign.log"))"
    fi
    case "$device_line" in *" 1 failed"*) echo "build.sh: FAILED $device_line (dotnet build -p:ApplianceFlavor=device)" ;; esac
  } | awk -v max="${FAILURE_LINES:-30}" 'NR <= max { print } END { if (NR > max) printf "build.sh: ... and %d more failures (out/test-results)\n", NR - max }'
}

run_tests() {
  local wanted=("${TEST_PACKAGES[@]}")
  [ -n "${APPLIANCE_TEST_PG:-}" ] || wanted+=(postgresql)
  if [ "${IMAGE_TEST:-1}" != 0 ]; then image_packages; wanted+=("${IMAGE_PACKAGES[@]}"); fi
  if [ "${IMAGE_TEST:-1}" != 0 ] && [ "${IMAGE_TEST_ARM64:-1}" != 0 ]; then image_packages_arm64; wanted+=("${IMAGE_PACKAGES_ARM64[@]}"); fi
  ensure_packages "${wanted[@]}"
  publish
  # The arm64 binary for Appliance.Aot.Tests' qemu-aarch64 selftest (ARM64=0 skips it; that test then fails under CI=true).
  [ "${ARM64:-1}" = 0 ] || publish_arm64
  pg_up
  local results="$ROOT/out/test-results"
  rm -rf "$results"; mkdir -p "$results"
  local status=0
  dotnet build Appliance.sln -c Release -nodeReuse:false -v:q -clp:NoSummary 1>&2 || exit 1
  # The device-only flavour compiles (a verb that needs Appliance.Cloud or Appliance.Evaluation must be left out of it in
  # runtime/Appliance/Appliance.csproj): published to out/device/appliance (its own obj-device/ and bin-device/), counted as
  # one test; Appliance.Aot.Tests' FootprintTests hold it to issue 20's 20 MB and run its self-test.
  local device_line="device-only build: 1 passed, 0 failed"
  ( device_only ) || { device_line="device-only build: 0 passed, 1 failed"; status=1; }
  for proj in tests/*/*.Tests.csproj; do
    local name; name=$(basename "$proj" .csproj)
    say "build.sh: testing $name"
    dotnet test "$proj" -c Release --no-build -nodeReuse:false \
      --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" \
      --results-directory "$results" 1>&2 || status=1
  done
  # The fault campaign's short form (tests/faults/campaign.sh, docs/faults.md): one pass or fail per case, beside the
  # PostgreSQL server (its flood case runs on both stores). FAULT_CAMPAIGN=0 skips it.
  local campaign_line=
  if [ "${FAULT_CAMPAIGN:-1}" != 0 ]; then
    say "build.sh: fault campaign, short form (tests/faults/campaign.sh --short)"
    tests/faults/campaign.sh --short > "$results/campaign.log" 2>&1 || status=1
    cat "$results/campaign.log" >&2
    campaign_line=$(grep -oE 'campaign: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped' "$results/campaign.log" | tail -1 || true)
    campaign_line=${campaign_line:-campaign: no result line}
  fi
  pg_down
  # Sum the TRX counters of every project.
  local passed=0 failed=0 skipped=0 f line
  for f in "$results"/*.trx; do
    [ -f "$f" ] || continue
    line=$(grep -o '<Counters [^>]*>' "$f" | head -1)
    p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$line"); passed=$((passed + ${p:-0}))
    x=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$line"); failed=$((failed + ${x:-0}))
    s=$(sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p' <<<"$line"); skipped=$((skipped + ${s:-0}))
  done
  [ -z "$campaign_line" ] || add_counts "$campaign_line"
  add_counts "$device_line"
  # The image's boot test under qemu (image/test/image-test.sh); its assertions count as tests (a check it could not
  # measure on a starved guest is counted as skipped). IMAGE_TEST=0 skips it.
  if [ "${IMAGE_TEST:-1}" != 0 ]; then
    say "build.sh: testing the device image under qemu (image/test/image-test.sh)"
    image/test/image-test.sh > "$results/image-test.log" 2>&1 || status=1
    cat "$results/image-test.log" >&2
    add_counts "$(grep -oE 'image-test: [0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?' "$results/image-test.log" | tail -1 || true)"
  fi
  # The same boot test on the arm64 image under qemu-system-aarch64 -M virt (image/README.md, "arm64"); IMAGE_TEST_ARM64=0
  # skips it. Its binary is the one published above (with ARM64=0, published here).
  if [ "${IMAGE_TEST:-1}" != 0 ] && [ "${IMAGE_TEST_ARM64:-1}" != 0 ]; then
    say "build.sh: testing the arm64 device image under qemu-system-aarch64 (IMAGE_ARCH=arm64 image/test/image-test.sh)"
    if [ "${ARM64:-1}" != 0 ] || ( publish_arm64 ); then
      IMAGE_ARCH=arm64 image/test/image-test.sh > "$results/image-test-arm64.log" 2>&1 || status=1
      cat "$results/image-test-arm64.log" >&2
      add_counts "$(grep -oE 'image-test: [0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?' "$results/image-test-arm64.log" | tail -1 || true)"
    else
      say "build.sh: the arm64 publish failed: the arm64 image's boot test did not run"; status=1; failed=$((failed + 1))
    fi
  fi
  if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
  # What failed, just above the last line (CI shows only the tail of the output).
  [ "$status" -eq 0 ] && [ "$failed" -eq 0 ] || failure_summary "$results" "$device_line"
  echo "$passed passed, $failed failed, $skipped skipped"
  return $status
}

# Options of publish (before or after the command): --rid linux-x64|linux-arm64, --gpu.
RID=linux-x64
parse_option() {
  case "$1" in
    --gpu) GPU=1 ;;
    --rid=*) RID=${1#--rid=} ;;
    *) return 1 ;;
  esac
}
while [ $# -gt 0 ]; do
  if [ "$1" = --rid ]; then [ $# -ge 2 ] || { say "build.sh: --rid needs a value (linux-x64 or linux-arm64)"; exit 2; }; RID=$2; shift 2
  elif parse_option "$1"; then shift
  else break; fi
done
cmd=${1:-publish}
[ $# -gt 0 ] && shift
if [ "$cmd" = publish ] || [ "$cmd" = build ]; then
  while [ $# -gt 0 ]; do
    if [ "$1" = --rid ]; then [ $# -ge 2 ] || { say "build.sh: --rid needs a value (linux-x64 or linux-arm64)"; exit 2; }; RID=$2; shift 2
    elif parse_option "$1"; then shift
    else say "build.sh: unknown publish option $1 (expected --rid linux-x64|linux-arm64, --gpu)"; exit 2; fi
  done
fi
case "$RID" in
  linux-x64|linux-arm64) ;;
  *) say "build.sh: --rid $RID is not supported (expected linux-x64 or linux-arm64)"; exit 2 ;;
esac
if [ "$RID" = linux-arm64 ] && [ "$cmd" != publish ] && [ "$cmd" != build ] && [ "$cmd" != image ] && [ "$cmd" != image-test ]; then
  say "build.sh: --rid linux-arm64 applies to publish, image and image-test only (./build.sh --rid linux-arm64)"; exit 2
fi
if [ "$GPU" = 1 ] && [ "$cmd" != publish ] && [ "$cmd" != build ] && [ "$cmd" != demo ]; then
  say "build.sh: --gpu applies to publish and demo only (./build.sh --gpu)"; exit 2
fi
case "$cmd" in
  publish|build) if [ "$RID" = linux-arm64 ]; then publish_arm64; else publish; fi ;;
  demo) publish; exec "$ROOT/out/appliance" demo "$@" ;;
  test) run_tests ;;
  image|image-test) image_rid --rid "$RID" "$@"
    if [ "$IMAGE_ARCH" = amd64 ]; then
      image_packages; ensure_packages "${PUBLISH_PACKAGES[@]}" "${IMAGE_PACKAGES[@]}"; publish
    else # the arm64 binary; image-test also the x86-64 one (its collector runs on this machine)
      image_packages_arm64; ensure_packages "${PUBLISH_PACKAGES[@]}" "${IMAGE_PACKAGES_ARM64[@]}"; publish_arm64
      [ "$cmd" = image ] || publish
    fi
    if [ "$cmd" = image ]; then image/build-image.sh; else image/test/image-test.sh; fi ;;
  device-only) device_only ;;
  with-pg) [ $# -gt 0 ] || { say "usage: ./build.sh with-pg COMMAND [ARGS...]"; exit 2; }
    [ -n "${APPLIANCE_TEST_PG:-}" ] || ensure_packages postgresql
    pg_up; rc=0; "$@" || rc=$?; exit $rc ;;
  bench) need_dotnet; dotnet run -c Release --project perf/Appliance.Benchmarks -- "$@" ;;
  clean) rm -rf out; find . \( -name bin -o -name obj -o -name 'bin-device' -o -name 'obj-device' -o -name 'bin-arm64' -o -name 'obj-arm64' \
      -o -name 'bin-gpu' -o -name 'obj-gpu' \) -type d -prune -exec rm -rf {} + ;;
  *) say "usage: ./build.sh [--rid linux-x64|linux-arm64] [--gpu] [publish|demo|test|bench|image [--rid RID]|image-test [--rid RID]|device-only|with-pg CMD...|clean]"; exit 2 ;;
esac
