#!/bin/sh
# Watchdog boot scenario (image/test/watchdog-test.sh: qemu with -device i6300esb and a state disk /dev/vda; test images
# only). Every line it prints starts with "scenario: watchdog". The phase is kept on the state disk, which survives the reset:
#   phase 1: the appliance runs until the collector has acknowledged windows; the scenario takes the network down for
#            OFFLINE s (summaries are journaled, not delivered), reads status.json, then SIGSTOPs the appliance: the process
#            hangs whole, nothing feeds /dev/watchdog, and the i6300esb resets the board (2 x appliance.wdt_heartbeat s);
#   phase 2: after the reset the appliance starts again from the journal on the disk; the scenario waits until the outbox
#            is fully acknowledged, prints the status, and returns: /init stops the appliance (magic close) and powers off.
OFFLINE=${OFFLINE:-6}
say() { echo "scenario: watchdog $*" > /dev/console; }
up() { cut -d' ' -f1 /proc/uptime; }
S=/var/lib/appliance/status.json
MARK=/var/lib/appliance/watchdog-test-phase
key() { tr -d '\n' < "$S" 2>/dev/null | sed -n "s/.*\"$1\": *\([0-9]*\).*/\1/p"; }
status() { echo "seq_written $(key seq_written) seq_durable $(key seq_durable) seq_acked $(key seq_acked) windows_summarised $(key windows_summarised) journal_gaps $(key journal_gaps) recovered_records $(key recovered_records) stage_restarts $(key stage_restarts) watchdog_fed $(key watchdog_fed)"; }
i=0
while [ ! -s /run/appliance.pid ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
pid=$(cat /run/appliance.pid 2>/dev/null)
[ -n "$pid" ] || { say "appliance never started"; exit 1; }
# least privilege: the appliance's credentials, from the kernel
sleep 1
say "pid $pid $(grep -E '^(Uid|Gid|Groups|NoNewPrivs):' /proc/"$pid"/status | tr -s '\t ' ' ' | tr '\n' ' ')"
if [ ! -f "$MARK" ]; then
  say "phase 1 at uptime $(up)"
  # 40 channel windows (5 s of 8 channels) and at least one acknowledgement, at most 180 s (start-up under TCG)
  i=0
  while [ $i -lt 1800 ]; do
    w=$(key windows_summarised); a=$(key seq_acked)
    [ "${w:-0}" -ge 40 ] && [ "${a:-0}" -ge 1 ] && break
    sleep 0.1; i=$((i + 1))
  done
  NIC=$(ls /sys/class/net | grep -v '^lo$' | head -1)
  ip link set "$NIC" down
  say "network down at unix $(date +%s)"
  sleep "$OFFLINE"
  echo 1 > "$MARK"; sync
  kill -STOP "$pid"
  STOP_AT=$(date +%s)
  sleep 1.5 # the status writer is stopped too: status.json holds the last state the process wrote
  say "SIGSTOP pid $pid at unix $STOP_AT uptime $(up): $(status)"
  sleep 120
  say "no reset within 120 s of SIGSTOP"
  rm -f "$MARK"; sync
  kill -CONT "$pid"
  exit 1
fi
say "phase 2: booted again, uptime $(up), unix $(date +%s)"
# the outbox empties: everything journaled before the reset and since is acknowledged; at most 120 s
i=0
while [ $i -lt 1200 ]; do
  a=$(key seq_acked); wr=$(key seq_written); w=$(key windows_summarised)
  # (status.json of the process before the reset is still on the disk: wait for this process's own)
  [ "$(key pid)" = "$pid" ] && [ -n "$a" ] && [ "$a" = "$wr" ] && [ "${w:-0}" -ge 16 ] && break
  sleep 0.1; i=$((i + 1))
done
say "after reset at uptime $(up): $(status)"
rm -f "$MARK"; sync
