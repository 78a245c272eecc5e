#!/usr/bin/env bash
# Builds the Appliance device image for x86-64 or arm64 (IMAGE_ARCH, see arch.sh): a Debian 6.1 kernel and an initramfs holding busybox, /init (the
# supervisor), the AOT appliance binary with the native libraries it loads, the bus kernel modules (with
# appliance_sim.ko, built here against the matching linux-headers), and the seed configuration repository.
#
#   image/build-image.sh                   -> out/image/{vmlinuz,vmlinux,initramfs.cpio.zst,image.env}, sizes printed
#   IMAGE_ARCH=arm64 image/build-image.sh  -> out/image-arm64/{vmlinuz,initramfs.cpio.zst,image.env} (vmlinuz: the arm64
#                                             Image, booted directly by qemu -M virt), from out/linux-arm64/appliance
#
# Environment: IMAGE_KERNEL_ABI (e.g. 6.1.0-56; default: the one linux-image-amd64 depends on),
# IMAGE_COLLECTOR (default tcp://10.0.2.2:5556), IMAGE_DEVICE_ID (default image-1),
# IMAGE_SENSORS (comma list of image/config/sensors.d/*.toml, default bme280,mcp3008,pulse,alarm), IMAGE_OUT (default out/image,
# out/image-arm64 for arm64), IMAGE_ARCH (amd64 or arm64). Needs root for apt-get (otherwise it names the packages to install).
# arm64: image/README.md, "arm64".
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
. image/arch.sh
OUT=$IMG_OUT
CACHE=$IMG_CACHE
say() { printf 'image: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }
trap 'say "error: command failed (status $?) at build-image.sh line $LINENO: $BASH_COMMAND"' ERR

[ -x "$IMG_APP/appliance" ] || die "$IMG_APP/appliance is missing: run ./build.sh$([ "$IMG_ARCH" = amd64 ] || echo " --rid linux-$IMG_ARCH") first"

need=()
if [ "$IMG_ARCH" = amd64 ]; then
command -v busybox >/dev/null && [ -e /bin/busybox ] && busybox --list | grep -qx i2cset || need+=(busybox-static)
command -v depmod >/dev/null || need+=(kmod)
command -v cpio >/dev/null || need+=(cpio)
command -v zstd >/dev/null || need+=(zstd)
command -v git >/dev/null || need+=(git)
command -v make >/dev/null || need+=(make)
command -v gcc >/dev/null || need+=(gcc)
ldconfig -p | grep 'libgpiod\.so\.2 .*x86-64' >/dev/null || need+=(libgpiod2) # (no grep -q: ldconfig's SIGPIPE would fail the pipe)
else # arm64: the cross compiler for the module; busybox, the kernel and the libraries come from arm64 packages (deb_unpack)
  for c in depmod:kmod cpio:cpio zstd:zstd git:git make:make aarch64-linux-gnu-gcc-12:gcc-aarch64-linux-gnu qemu-aarch64:qemu-user; do
    command -v "${c%%:*}" >/dev/null || need+=("${c#*:}")
  done
fi
ABI=${IMAGE_KERNEL_ABI:-}
if [ -z "$ABI" ]; then
  ABI=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/.*Depends: linux-image-\(.*\)-amd64$/\1/p' | head -1 || true)
  [ -n "$ABI" ] || die "cannot find the kernel ABI (apt-cache depends linux-image-amd64); set IMAGE_KERNEL_ABI, e.g. 6.1.0-56"
fi
KVER=$ABI-$IMG_ARCH
KDIR=/usr/src/linux-headers-$KVER
if [ "$IMG_ARCH" = amd64 ]; then
  [ -d "$KDIR" ] || need+=("linux-headers-$KVER")
else
  # The arm64 headers package is unpacked into the cache; it includes the host's linux-headers-<abi>-common (arch all)
  # and uses the host's kbuild tools (linux-kbuild-<major.minor>, amd64: fixdep and modpost run on the build machine).
  KBUILD=linux-kbuild-$(sed 's/^\([0-9]*\.[0-9]*\).*/\1/' <<<"$ABI")
  [ -d "/usr/src/linux-headers-$ABI-common" ] || need+=("linux-headers-$ABI-common")
  [ -d "/usr/lib/$KBUILD" ] || need+=("$KBUILD")
  KDIR=$CACHE/linux-headers-$KVER/usr/src/linux-headers-$KVER
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    say "installing ${need[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
      || { apt-get update -qq >/dev/null; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; }
  else
    die "missing packages: ${need[*]} (sudo apt-get install --no-install-recommends ${need[*]})"
  fi
fi

# Kernel: the Debian package, unpacked (not installed).
KROOT=$CACHE/linux-$KVER
if [ ! -f "$KROOT/boot/vmlinuz-$KVER" ]; then
  mkdir -p "$CACHE"
  say "downloading linux-image-$KVER"
  if [ "$IMG_ARCH" = amd64 ]; then
  (cd "$CACHE" && rm -f linux-image-"$KVER"_*.deb && apt-get download "linux-image-$KVER" 2>/dev/null) \
    || die "apt-get download linux-image-$KVER failed"
  rm -rf "$KROOT"; dpkg -x "$CACHE"/linux-image-"$KVER"_*.deb "$KROOT"
  else
    rm -rf "$KROOT"; deb_unpack "$KROOT" "linux-image-$KVER" || die "linux-image-$KVER:$IMG_ARCH not unpacked"
  fi
fi
if [ "$IMG_ARCH" != amd64 ]; then
  if [ ! -f "$KDIR/Makefile" ]; then
    rm -rf "$CACHE/linux-headers-$KVER"; deb_unpack "$CACHE/linux-headers-$KVER" "linux-headers-$KVER" || die "linux-headers-$KVER:$IMG_ARCH not unpacked"
  fi
  mkdir -p "$CACHE/linux-headers-$KVER/usr/lib"
  ln -sfn "/usr/lib/$KBUILD" "$CACHE/linux-headers-$KVER/usr/lib/$KBUILD" # (its scripts and tools links are relative)
fi

# The bus emulation module, against the matching headers.
say "building appliance_sim.ko against $KDIR"
MODULE=image/module MAKE_CROSS=()
if [ "$IMG_ARCH" != amd64 ]; then # cross-compiled in a copy, so that the x86-64 build's objects stay as they are
  MODULE=$CACHE/module; rm -rf "$MODULE"; mkdir -p "$MODULE"; cp image/module/Makefile image/module/appliance_sim.c "$MODULE/"
  MAKE_CROSS=(ARCH="$IMG_ARCH" CROSS_COMPILE="$IMG_TRIPLET-")
fi
make -s -C "$MODULE" KDIR="$KDIR" "${MAKE_CROSS[@]}" >/dev/null 2>"$CACHE/module-build.log" || { cat "$CACHE/module-build.log" >&2; die "module build failed"; }

# Least privilege (issue 20 item 7): the appliance runs as `appliance` (uid 999), a member of the groups that own the bus
# devices and the watchdog (/init gives them the devices, as 60-appliance.rules does under udev).
image_users() {
  printf 'appliance:x:999:999:appliance:/var/lib/appliance:/bin/false\n' >> "$1/etc/passwd"
  printf 'appliance:x:999:\ni2c:x:998:appliance\nspi:x:997:appliance\ngpio:x:996:appliance\nwatchdog:x:995:appliance\n' >> "$1/etc/group"
}
# Watchdogs (issue 20 item 5): the hardware watchdog (qemu's -device i6300esb) and the state disk that keeps the journal
# across the reset it causes (virtio_blk, ext4 for ext2).
WATCHDOG_MODULES=(i6300esb virtio_blk ext4 crc32c_generic)

STAGE=$CACHE/rootfs
rm -rf "$STAGE"; mkdir -p "$STAGE"/{bin,sbin,usr/bin,usr/sbin,etc/appliance,opt/appliance,lib64,proc,sys,dev,run,tmp,root,var/lib/appliance,usr/share/appliance}
if [ "$IMG_ARCH" = amd64 ]; then
  cp /bin/busybox "$STAGE/bin/busybox"; RUN_TARGET=()
else
  SYSROOT=$CACHE/sysroot # busybox and the appliance's libraries, from the arm64 packages
  [ -f "$SYSROOT/bin/busybox" ] || deb_unpack "$SYSROOT" busybox-static libc6 libstdc++6 libgcc-s1 libssl3 libgpiod2 zlib1g || die "arm64 packages not unpacked"
  cp "$SYSROOT/bin/busybox" "$STAGE/bin/busybox"; RUN_TARGET=(qemu-aarch64) # (to list its applets)
fi
for a in $("${RUN_TARGET[@]}" "$STAGE/bin/busybox" --list); do [ "$a" = busybox ] || ln -sf busybox "$STAGE/bin/$a"; done
install -m 0755 image/rootfs/init "$STAGE/init"
cp -a image/rootfs/etc/. "$STAGE/etc/"
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$STAGE/etc/passwd"
printf 'root:x:0:\n' > "$STAGE/etc/group"
image_users "$STAGE" # least privilege: the appliance user and its device groups
install -m 0644 image/systemd/appliance.service "$STAGE/etc/appliance/appliance.service"
install -m 0644 image/systemd/60-appliance.rules "$STAGE/etc/appliance/60-appliance.rules"
echo "$(git describe --always --dirty 2>/dev/null || echo unknown) kernel $KVER" > "$STAGE/etc/appliance/image-version"

# The appliance and the native libraries beside it; the CUDA provider libraries are left out (no GPU on these boards).
cp "$IMG_APP/appliance" "$STAGE/opt/appliance/"
for f in "$IMG_APP"/*.so "$IMG_APP"/*.so.*; do
  [ -e "$f" ] || continue
  case "$(basename "$f")" in *cuda*|*tensorrt*) continue ;; esac
  cp "$f" "$STAGE/opt/appliance/"
done
# Their shared-library closure (libc, libm, libstdc++, libgcc_s, ...), found with ldd (arm64: from the arm64 packages,
# by DT_NEEDED; then the libraries below that are loaded with dlopen, and the loader).
if [ "$IMG_ARCH" != amd64 ]; then
  elf_closure "$SYSROOT" "$STAGE" "$STAGE"/opt/appliance/* || die "library closure incomplete"
  for so in libssl.so.3 libcrypto.so.3 libgpiod.so.2; do
    mkdir -p "$STAGE/usr/lib/$IMG_TRIPLET"; cp -L "$SYSROOT/usr/lib/$IMG_TRIPLET/$so" "$STAGE/usr/lib/$IMG_TRIPLET/"
  done
  elf_closure "$SYSROOT" "$STAGE" "$STAGE/usr/lib/$IMG_TRIPLET"/lib{ssl,crypto,gpiod}.so.* || die "library closure incomplete"
  cp -L "$SYSROOT/lib/ld-linux-aarch64.so.1" "$STAGE/lib/" 2>/dev/null || cp "$SYSROOT/lib/$IMG_TRIPLET/ld-linux-aarch64.so.1" "$STAGE/lib/"
else
for f in "$STAGE"/opt/appliance/*; do
  { ldd "$f" 2>/dev/null || true; } | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'
done | sort -u | while read -r lib; do
  mkdir -p "$STAGE$(dirname "$lib")"; cp -L "$lib" "$STAGE$lib"
done
[ -e "$STAGE/lib64/ld-linux-x86-64.so.2" ] || cp -L /lib64/ld-linux-x86-64.so.2 "$STAGE/lib64/"
# Loaded with dlopen, so ldd does not list them: libgit2 loads OpenSSL 3 for https remotes at initialisation (and
# crashes without it: seen as SIGSEGV in `appliance run` on the first image), .NET's System.Net.Security too.
# libgpiod 1.6 (soname libgpiod.so.2, Debian's libgpiod2) is System.Device.Gpio's LibGpiodDriver for /dev/gpiochipN
# (pulse counters, alarm outputs); without it a gpio:N sensor fails with "Libgpiod driver not installed".
for so in libssl.so.3 libcrypto.so.3 libgpiod.so.2; do
  # (no early exit in awk: ldconfig would get SIGPIPE, and pipefail would end the script without a word)
  lib=$(ldconfig -p | awk -v n="$so" '$1 == n && /x86-64/ && !found {print $NF; found = 1}')
  [ -n "$lib" ] || die "$so not found on the build machine (apt-get install libssl3 libgpiod2)"
  mkdir -p "$STAGE$(dirname "$lib")"; cp -L "$lib" "$STAGE$lib"
done
fi
# CA certificates for https configuration remotes.
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
  mkdir -p "$STAGE/etc/ssl/certs"; cp /etc/ssl/certs/ca-certificates.crt "$STAGE/etc/ssl/certs/"
fi

# Kernel modules: the buses, the NIC, the test board's camera (vivid, the kernel's virtual V4L2 driver: /dev/video0,
# loaded by board.sh; it pulls in videodev, mc, videobuf2-*, v4l2-tpg, v4l2-dv-timings, cec and rc-core), and their
# dependencies; depmod writes modules.dep.
MODSRC=$KROOT/lib/modules/$KVER
MODDST=$STAGE/lib/modules/$KVER
mkdir -p "$MODDST/extra"
want=(i2c-dev virtio_net virtio_pci vivid "${WATCHDOG_MODULES[@]}")
declare -A seen=()
while [ ${#want[@]} -gt 0 ]; do
  m=${want[0]}; want=("${want[@]:1}")
  [ -n "${seen[$m]:-}" ] && continue; seen[$m]=1
  path=$(find "$MODSRC/kernel" -name "$m.ko" -o -name "${m//_/-}.ko" | head -1 || true)
  [ -n "$path" ] || die "kernel module $m not found in linux-image-$KVER"
  rel=${path#"$MODSRC/"}; mkdir -p "$MODDST/$(dirname "$rel")"; cp "$path" "$MODDST/$rel"
  for d in $(modinfo -F depends "$path" | tr ',' ' '); do want+=("$d"); done
done
cp "$MODULE/appliance_sim.ko" "$MODDST/extra/"
cp "$MODSRC"/modules.{order,builtin,builtin.modinfo} "$MODDST/" 2>/dev/null || true
depmod -b "$STAGE" "$KVER"

# The seed configuration repository (bare), one commit on main.
COLLECTOR=${IMAGE_COLLECTOR:-tcp://10.0.2.2:5556}
SENSORS=${IMAGE_SENSORS:-bme280,mcp3008,pulse,alarm}
image/make-seed-repo.sh "$STAGE/usr/share/appliance/config.git" "$COLLECTOR" "${IMAGE_DEVICE_ID:-image-1}" "$SENSORS"

mkdir -p "$OUT"
(cd "$STAGE" && find . -print0 | LC_ALL=C sort -z | cpio -o -0 -H newc -R 0:0 --quiet) | zstd -q -T0 -10 -f -o "$OUT/initramfs.cpio.zst"
cp "$KROOT/boot/vmlinuz-$KVER" "$OUT/vmlinuz"
# The uncompressed ELF kernel (PVH direct boot in qemu is about twice as fast); the bzImage payload is xz. (The arm64
# package's vmlinuz is the uncompressed Image already, booted as it is.)
off=; [ "$IMG_ARCH" != amd64 ] || off=$(LC_ALL=C grep -m1 -abo $'\xfd7zXZ' "$OUT/vmlinuz" | head -1 | cut -d: -f1 || true)
if [ -n "$off" ] && tail -c +$((off + 1)) "$OUT/vmlinuz" | xz -dc 2>/dev/null > "$OUT/vmlinux.tmp"; [ -s "$OUT/vmlinux.tmp" ]; then
  mv "$OUT/vmlinux.tmp" "$OUT/vmlinux"
else
  rm -f "$OUT/vmlinux.tmp"
fi
printf 'KVER=%s\nCOLLECTOR=%s\nSENSORS=%s\n' "$KVER" "$COLLECTOR" "$SENSORS" > "$OUT/image.env"
say "kernel $KVER, sensors $SENSORS, collector $COLLECTOR"
for f in "$OUT"/vmlinuz "$OUT"/vmlinux "$OUT"/initramfs.cpio.zst; do
  [ -f "$f" ] && say "$(printf '%-40s %7.1f MiB' "${f#"$ROOT/"}" "$(echo "$(stat -c %s "$f") / 1048576" | bc -l)")"
done
say "uncompressed root filesystem: $(du -sh "$STAGE" | cut -f1)"
