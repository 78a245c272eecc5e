# The watchdog boot of the image test (issue 20 items 5 and 7), sourced by image-test.sh after its main boot (it uses that
# script's say/pass/fail/check and $WORK, $SENSORS, $KERNEL): a second qemu boot of the same image with the i6300esb
# watchdog (-device i6300esb; qemu's default action on expiry is a reset) and a 64 MiB state disk, without -no-reboot, so
# that the guest can reset and come back. image/test/watchdog-scenario.sh SIGSTOPs the appliance after 6 s offline; asserts:
#   watchdog-armed      the appliance opened /dev/watchdog (i6300esb) and fed it;
#   watchdog-reset      the board reset after the SIGSTOP (two boots) within 3 x heartbeat, and the appliance ran again;
#   watchdog-delivered  after the reset every journaled record is acknowledged (seq_acked >= the seq_durable read before the
#                       stop, outbox empty, no journal gap), windows journaled offline before the reset are stored, and the
#                       env temperature windows are contiguous up to the stop (none lost);
#   nonroot-uid         the appliance ran as uid 999 (appliance) with its device groups and no_new_privs, and read its buses
#                       (windows of env, adc and tach stored);
#   poweroff-disarmed   the clean stop after the test disarmed the watchdog (magic close): qemu powered off, exit 0.
# IMAGE_WATCHDOG_TEST=0 skips it; WDT_HEARTBEAT (s, default 5): the i6300esb heartbeat (it resets after two).
watchdog_boot() {
  [ "${IMAGE_WATCHDOG_TEST:-1}" = 1 ] || { skip watchdog "IMAGE_WATCHDOG_TEST=0"; return; }
  local W=$WORK/watchdog HB=${WDT_HEARTBEAT:-5} WT0 WPORT WDB WCON WQ WC rc
  WT0=$(date +%s.%N)
  mkdir -p "$W/overlay/etc/appliance" "$W/overlay/usr/share/appliance"
  for _ in $(seq 1 50); do WPORT=$((20000 + RANDOM % 40000)); ss -Hltn "sport = :$WPORT" 2>/dev/null | grep -q . || break; done
  install -m 0755 image/test/watchdog-scenario.sh "$W/overlay/etc/appliance/scenario.sh"
  image/make-seed-repo.sh "$W/overlay/usr/share/appliance/test-config.git" "tcp://10.0.2.2:$WPORT" image-watchdog "$SENSORS" > /dev/null
  (cd "$W/overlay" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | zstd -q -f -o "$W/overlay.cpio.zst"
  cat out/image/initramfs.cpio.zst "$W/overlay.cpio.zst" > "$W/initramfs.cpio.zst"
  truncate -s 64M "$W/state.img"
  mkfs.ext2 -q -F -L appliance-state "$W/state.img" > /dev/null 2>&1 || true # else /init makes it (busybox mke2fs)
  WDB=$W/collector.db WCON=$W/console.log
  out/appliance cloud --listen "tcp://127.0.0.1:$WPORT" --db "$WDB" > "$W/collector.log" 2>&1 &
  WC=$!
  : > "$WCON"
  timeout "${IMAGE_WATCHDOG_TIMEOUT:-400}" qemu-system-x86_64 -M pc -cpu max -m 1024 -smp 2 \
    -display none -monitor none -serial "file:$WCON" \
    -kernel "$KERNEL" -initrd "$W/initramfs.cpio.zst" \
    -append "console=ttyS0 panic=-1 loglevel=4 no_timer_check appliance.repo=/usr/share/appliance/test-config.git appliance.wdt_heartbeat=$HB" \
    -device i6300esb -drive "file=$W/state.img,format=raw,if=virtio" \
    -netdev "user,id=n0" -device virtio-net-pci,netdev=n0 > "$W/qemu.log" 2>&1 &
  WQ=$!
  wait $WQ; rc=$?
  kill "$WC" 2>/dev/null; wait "$WC" 2>/dev/null
  sed 's/^/  guest| /' "$WCON" | grep -E 'init:|scenario:|watchdog|i6300|Stopped|reboot|fail|error|panic' | head -60
  wq() { sqlite3 -batch -noheader "$WDB" "$1" 2>/dev/null; }
  wg() { grep -c -- "$1" "$WCON" 2>/dev/null || true; }
  wkey() { echo "$1" | sed -n "s/.* $2 \([0-9]*\).*/\1/p"; }

  check watchdog-armed '[ "$(wg "watchdog: /dev/watchdog fed by the appliance")" -ge 1 ] && grep -q "device /dev/watchdog every 2000 ms" "$WCON"' \
    "init: $(grep -o 'watchdog: /dev/watchdog.*' "$WCON" | head -1 | tr -d '\r'); i6300esb heartbeat $HB s"
  local stop s1 a1 after boots t_stop t_boot2
  stop=$(grep -o 'scenario: watchdog SIGSTOP .*' "$WCON" | head -1 | tr -d '\r')
  after=$(grep -o 'scenario: watchdog after reset .*' "$WCON" | head -1 | tr -d '\r')
  boots=$(wg "init: Appliance image")
  t_stop=$(echo "$stop" | sed -n 's/.* uptime \([0-9.]*\):.*/\1/p')
  check watchdog-reset '[ -n "$stop" ] && [ "$boots" -ge 2 ] && [ "$(wg "scenario: watchdog phase 2")" -ge 1 ] && [ "$(wg "attempt 1,")" -ge 2 ]' \
    "SIGSTOP at guest uptime ${t_stop:-?} s; $boots boots; the appliance started again after the reset ($(grep -o 'scenario: watchdog phase 2: .*' "$WCON" | head -1 | tr -d '\r'))"
  s1=$(wkey "$stop" seq_durable); a1=$(wkey "$stop" seq_acked)
  local a2 w2 g2 stop_unix off_unix offline_rows first last env_n
  a2=$(wkey "$after" seq_acked); w2=$(wkey "$after" seq_written); g2=$(wkey "$after" journal_gaps)
  stop_unix=$(echo "$stop" | sed -n 's/.* at unix \([0-9]*\) .*/\1/p')
  off_unix=$(sed -n 's/.*scenario: watchdog network down at unix \([0-9]*\).*/\1/p' "$WCON" | head -1)
  # windows that ended while the network was down (journaled, not delivered) and were stored after all
  offline_rows=$(wq "SELECT count(*) FROM summaries WHERE device_id='image-watchdog' AND window_end_ns > ${off_unix:-0}000000000 AND window_end_ns <= ${stop_unix:-0}000000000;")
  first=$(wq "SELECT min(window_end_ns) / 1000000000 FROM summaries WHERE device_id='image-watchdog' AND sensor='env' AND channel='temperature_c';")
  last=$(wq "SELECT max(window_end_ns) / 1000000000 FROM summaries WHERE device_id='image-watchdog' AND sensor='env' AND channel='temperature_c' AND window_end_ns <= ${stop_unix:-0}000000000;")
  env_n=$(wq "SELECT count(*) FROM summaries WHERE device_id='image-watchdog' AND sensor='env' AND channel='temperature_c' AND window_end_ns <= ${stop_unix:-0}000000000;")
  check watchdog-delivered '[ -n "$s1" ] && [ -n "$a2" ] && [ "$a2" -ge "$s1" ] && [ "$a2" = "$w2" ] && [ "${g2:-1}" -eq 0 ] && [ "${a1:-0}" -lt "$s1" ] \
      && [ "${offline_rows:-0}" -ge 1 ] && [ -n "$first" ] && [ "$env_n" -eq $((last - first + 1)) ]' \
    "before the stop: seq_durable ${s1:-?}, seq_acked ${a1:-?} (offline); after the reset: seq_acked ${a2:-?} of ${w2:-?} written, journal_gaps ${g2:-?}; $offline_rows channel windows of the offline ${OFFLINE:-6} s stored; env windows up to the stop: ${env_n:-0} stored of $((${last:-0} - ${first:-0} + 1))"
  local cred rows
  cred=$(grep -o 'scenario: watchdog pid [0-9]* Uid:.*' "$WCON" | head -1 | tr -d '\r')
  rows=$(wq "SELECT group_concat(sensor || '=' || n, ' ') FROM (SELECT sensor, count(*) n FROM summaries WHERE device_id='image-watchdog' GROUP BY sensor);")
  check nonroot-uid 'echo "$cred" | grep -Eq "Uid: 999 999 999 999" && echo "$cred" | grep -Eq "NoNewPrivs: 1" && echo "$rows" | grep -Eq "env=[1-9]" && echo "$rows" | grep -Eq "adc=[1-9]"' \
    "${cred#scenario: watchdog }; channel windows stored: ${rows:-none}"
  check poweroff-disarmed '[ "$rc" -eq 0 ] && grep -q "reboot: Power down" "$WCON" && [ "$(grep -c "watchdog did not stop" "$WCON")" -eq 0 ]' \
    "qemu exit $rc after the clean stop; kernel's unexpected-close warnings: $(grep -c 'watchdog did not stop' "$WCON")"
  say "figure: watchdog boot wall time $(echo "$(date +%s.%N) - $WT0" | bc -l | xargs printf '%.1f') s (two boots, the reset $((2 * HB)) s after the last feed)"
}
