#!/bin/sh
# Boot-test scenario, run by /init beside the supervisor (test images only; image-test.sh adds it in an overlay).
# Every line it prints starts with "scenario:" and is read by image-test.sh from the serial console.
#   1. waits for the first appliance start, lets it run RUN1 seconds (ONNX session set-up alone takes ~20 s under TCG);
#   2. runs busprobe (the buses through their character devices) when present, then steps the BME280's temperature;
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
# A temperature step on the BME280: adc_T 519888 -> 524288 (0xFA..0xFC = 80 00 00), 26.46 degC by the datasheet's
# compensation (BST-BME280-DS002 8.1), for STEP seconds; the EWMA z-score detector must alert on it, and an alarm
# output (gpiochip line 4), where configured, must follow.
STEP=${STEP:-4}
say "temperature step on at unix $(date +%s)"
i2cset -y 0 0x76 0xFA 0x80 0x00 0x00 i
sleep 2
say "gpio_out during the step $(cat /sys/module/appliance_sim/parameters/gpio_out 2>/dev/null)"
sleep $((STEP - 2))
i2cset -y 0 0x76 0xFA 0x7E 0xED 0x00 i
say "temperature step off at unix $(date +%s)"
sleep 3
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
