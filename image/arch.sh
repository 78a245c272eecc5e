# The image's target architecture, sourced by build-image.sh and test/image-test.sh (bash). IMAGE_ARCH selects it:
#   amd64 (default; also x86_64, x64, linux-x64): the x86-64 image, built from the host's own packages as before;
#   arm64 (also aarch64, linux-arm64): the arm64 image, cross-built on x86-64 from Debian's arm64 packages, taken with
#     `apt-get download PKG:arm64` and unpacked with `dpkg -x` (never installed; needs `dpkg --add-architecture arm64`
#     and `apt-get update`, which ./build.sh does), the module cross-compiled with gcc-aarch64-linux-gnu.
# Sets: IMG_ARCH (amd64|arm64), IMG_TRIPLET (the multiarch tuple), IMG_OUT (the image's folder), IMG_CACHE (downloads
# and the staged root), IMG_APP (the folder holding the appliance binary and its native libraries), IMG_QEMU.
case "${IMAGE_ARCH:-amd64}" in
  amd64|x86_64|x64|linux-x64)
    IMG_ARCH=amd64 IMG_TRIPLET=x86_64-linux-gnu IMG_QEMU=qemu-system-x86_64
    IMG_OUT=${IMAGE_OUT:-$ROOT/out/image} IMG_CACHE=$ROOT/out/image-cache IMG_APP=out ;;
  arm64|aarch64|linux-arm64)
    IMG_ARCH=arm64 IMG_TRIPLET=aarch64-linux-gnu IMG_QEMU=qemu-system-aarch64
    IMG_OUT=${IMAGE_OUT:-$ROOT/out/image-arm64} IMG_CACHE=$ROOT/out/image-cache-arm64 IMG_APP=out/linux-arm64 ;;
  *) printf 'image: error: IMAGE_ARCH=%s: expected amd64 or arm64\n' "$IMAGE_ARCH" >&2; exit 2 ;;
esac

# deb_unpack DEST PKG...: `apt-get download PKG:$IMG_ARCH` into $IMG_CACHE/debs (once) and `dpkg -x` each into DEST.
deb_unpack() {
  local dest=$1 p f; shift
  mkdir -p "$IMG_CACHE/debs" "$dest"
  for p in "$@"; do
    f=$(ls "$IMG_CACHE/debs/${p}_"*"_$IMG_ARCH.deb" 2>/dev/null | head -1 || true)
    if [ -z "$f" ]; then
      (cd "$IMG_CACHE/debs" && apt-get download "$p:$IMG_ARCH" >/dev/null 2>&1) || {
        printf 'image: error: apt-get download %s:%s failed (the %s architecture needs: dpkg --add-architecture %s; apt-get update)\n' \
          "$p" "$IMG_ARCH" "$IMG_ARCH" "$IMG_ARCH" >&2; return 1; }
      f=$(ls "$IMG_CACHE/debs/${p}_"*"_$IMG_ARCH.deb" | head -1)
    fi
    dpkg -x "$f" "$dest"
  done
}

# elf_closure SYSROOT STAGE FILE...: copies into STAGE, at the same paths, the shared libraries the ELF files need
# (DT_NEEDED, read with readelf: ldd cannot run a foreign binary), recursively, from SYSROOT's /lib/TRIPLET and
# /usr/lib/TRIPLET. A library found in neither fails with its name and who needs it.
elf_closure() {
  local sys=$1 stage=$2; shift 2
  local todo=("$@") f n d found
  declare -A seen_lib=()
  while [ ${#todo[@]} -gt 0 ]; do
    f=${todo[0]}; todo=("${todo[@]:1}")
    for n in $(readelf -d "$f" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
      [ -n "${seen_lib[$n]:-}" ] && continue; seen_lib[$n]=1
      found=
      for d in lib/$IMG_TRIPLET usr/lib/$IMG_TRIPLET; do
        [ -e "$sys/$d/$n" ] && { found=$d/$n; break; }
      done
      [ -n "$found" ] || { printf 'image: error: %s (needed by %s) is in none of the unpacked %s packages\n' "$n" "${f##*/}" "$IMG_ARCH" >&2; return 1; }
      mkdir -p "$stage/$(dirname "$found")"; cp -L "$sys/$found" "$stage/$found"
      todo+=("$stage/$found")
    done
  done
}
