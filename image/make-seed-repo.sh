#!/usr/bin/env bash
# make-seed-repo.sh DEST.git ENDPOINT DEVICE_ID SENSORS: writes a bare git repository at DEST.git whose main branch
# holds one appliance.toml: image/config/appliance.toml with ENDPOINT and DEVICE_ID filled in, followed by
# image/config/sensors.d/NAME.toml for each NAME in the comma list SENSORS, and the lines of $IMAGE_UPLINK_EXTRA
# after [uplink] endpoint.
set -euo pipefail
[ $# -eq 4 ] || { echo "usage: make-seed-repo.sh DEST.git ENDPOINT DEVICE_ID SENSORS" >&2; exit 2; }
DEST=$1 ENDPOINT=$2 DEVICE=$3 SENSORS=$4
HERE=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
# IMAGE_UPLINK_EXTRA: more [uplink] lines, e.g. the CURVE keys (curve_server_key = "...") where the runtime reads them.
awk -v extra="${IMAGE_UPLINK_EXTRA:-}" '{print} /^endpoint = "@COLLECTOR@"$/ && extra != "" {print extra}' "$HERE/config/appliance.toml" |
  sed -e "s|@COLLECTOR@|$ENDPOINT|" -e "s|@DEVICE_ID@|$DEVICE|" > "$work/appliance.toml"
for s in ${SENSORS//,/ }; do
  [ -f "$HERE/config/sensors.d/$s.toml" ] || { echo "make-seed-repo.sh: no image/config/sensors.d/$s.toml (SENSORS=$SENSORS)" >&2; exit 2; }
  cat "$HERE/config/sensors.d/$s.toml" >> "$work/appliance.toml"
done
git -C "$work" init -q -b main
git -C "$work" -c user.name=image -c user.email=image@appliance.invalid add appliance.toml
git -C "$work" -c user.name=image -c user.email=image@appliance.invalid commit -q -m "Seed configuration ($SENSORS)"
rm -rf "$DEST"; mkdir -p "$(dirname "$DEST")"
git clone -q --bare "$work" "$DEST"
