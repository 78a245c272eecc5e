#!/bin/sh
# Boot-test scenario, run by /init beside the supervisor (test images only; image-test.sh adds it in an overlay).
# Every line it prints starts with "scenario:" and is read by image-test.sh from the serial console.
#   1. waits for the first appliance start, lets it run RUN1 seconds (ONNX session set-up alone takes ~20 s under TCG);
#   2. runs busprobe (the buses through their character devices) when present;
#   3. kill -9 of the appliance; waits for the supervisor's restart;
#   4. lets the new process run RUN2 seconds, then returns: /init stops the appliance with SIGTERM and powers off.
RUN1=${RUN1:-25}
RUN2=${RUN2:-25}
say() { echo "scenario: $*" > /dev/console; }
i=0
while [ ! -s /run/appliance.pid ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
first=$(cat /run/appliance.pid 2>/dev/null)
[ -n "$first" ] || { say "appliance never started"; exit 1; }
sleep "$RUN1"
if [ -x /usr/bin/busprobe ]; then
  /usr/bin/busprobe > /dev/console 2>&1 || say "busprobe reported failures"
fi
kill -0 "$first" 2>/dev/null || { say "appliance pid $first is not running before the kill"; exit 1; }
say "kill -9 appliance pid $first at unix $(date +%s)"
kill -9 "$first"
i=0
while [ $i -lt 200 ]; do
  now=$(cat /run/appliance.pid 2>/dev/null)
  [ -n "$now" ] && [ "$now" != "$first" ] && kill -0 "$now" 2>/dev/null && break
  sleep 0.1; i=$((i + 1))
done
[ "$now" != "$first" ] || { say "no restart within 20 s"; exit 1; }
say "restarted as pid $now at unix $(date +%s)"
sleep "$RUN2"
say "done at unix $(date +%s)"
