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
P=/sys/module/appliance_sim/parameters
up() { cut -d' ' -f1 /proc/uptime; }
# UTC in seconds with microseconds (busybox date has no %N; adjtimex(2) returns tv_sec and tv_usec)
unixus() { adjtimex | awk '/tv_sec/ {s = $2} /tv_usec/ {u = $2} END {printf "%d.%06d", s, u}'; }
# The pulse generator's own count (rising edges on gpiochip0 lines 0 and 1) at the start and at the end: its real rate.
pulses() { say "pulse generator $(cat $P/pulse_count 2>/dev/null) edges at uptime $(up)"; }
i=0
while [ ! -s /run/appliance.pid ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
first=$(cat /run/appliance.pid 2>/dev/null)
[ -n "$first" ] || { say "appliance never started"; exit 1; }
pulses
sleep "$RUN1"
# The camera (vivid's /dev/video0, loaded by board.sh): `appliance camera probe` reads 30 frames at 320x180, 30 fps, once
# in the format it negotiates by itself (GREY first) and once in packed YUYV (luma taken from every other byte); one JSON
# object each, checked by image-test.sh (camera-*). About 1 s of frames each under TCG.
if [ -e /dev/video0 ]; then
  for fmt in auto yuyv; do
    opt=; [ "$fmt" = auto ] || opt="--pixel-format $fmt"
    t0=$(up)
    out=$(/opt/appliance/appliance camera probe /dev/video0 --frames 30 --width 320 --height 180 --fps 30 $opt --json 2>&1)
    rc=$?
    say "camera $fmt status $rc in $(echo "$(up) - $t0" | bc) s: $(echo "$out" | tr '\n' ' ')"
  done
else
  say "camera no /dev/video0"
fi
if [ -x /usr/bin/busprobe ]; then
  /usr/bin/busprobe > /dev/console 2>&1 || say "busprobe reported failures"
fi
# A temperature step on the BME280: adc_T 519888 -> 524304 (0xFA..0xFC = 80 01 00; not 80 00 00, the reset value 0x80000 that
# the driver reads as a skipped measurement), 26.46 degC by the datasheet's
# compensation (BST-BME280-DS002 8.1), for STEP seconds; the EWMA z-score detector must alert on it. At the same time
# the MCP3008's CH1 code steps 128 -> 640 (the appliance must follow a changing input). Where an [[alarm]] is configured
# (ALARM=1 in /etc/appliance/scenario.env), its output, gpiochip0 line 4 = bit 4 of appliance_sim's gpio_out, must go
# high after the alert and low again `hold` after the last one: polled every 0.1 s, times in guest uptime (0.01 s).
STEP=${STEP:-4}
ALARM=0
[ -f /etc/appliance/scenario.env ] && . /etc/appliance/scenario.env
line4() { echo $(( ($(cat $P/gpio_out 2>/dev/null || echo 0) >> 4) & 1 )); }
say "alarm line 4 before the step: $(line4) (gpio_out $(cat $P/gpio_out 2>/dev/null))"
say "temperature step on at unix $(date +%s) uptime $(up)"
i2cset -y 0 0x76 0xFA 0x80 0x01 0x00 i
echo 0,640,256,512,768,1023,100,900 > $P/adc
step_up=$(up)
raised=
# Poll until the step ends (and, with an alarm, until the line goes high, at most 10 s after the step began).
while :; do
  now=$(up)
  if [ "$ALARM" = 1 ] && [ -z "$raised" ] && [ "$(line4)" = 1 ]; then
    raised=$now
    say "alarm line 4 high at unix $(unixus) uptime $now, $(echo "$now - $step_up" | bc) s after the step on"
  fi
  if [ "$(echo "$now - $step_up >= $STEP" | bc)" = 1 ]; then
    [ "$ALARM" != 1 ] || [ -n "$raised" ] || [ "$(echo "$now - $step_up >= 10" | bc)" = 1 ] && break
  fi
  sleep 0.1
done
[ "$ALARM" = 1 ] && [ -z "$raised" ] && say "alarm line 4 not high within 10 s of the step on"
i2cset -y 0 0x76 0xFA 0x7E 0xED 0x00 i
echo 0,128,256,512,768,1023,100,900 > $P/adc
off_up=$(up)
say "temperature step off at unix $(date +%s) uptime $off_up"
if [ "$ALARM" = 1 ] && [ -n "$raised" ]; then
  # The alarm clears `hold` (5 s) after the last alert; the step's end may alert once more. Wait at most 20 s.
  cleared=
  while [ "$(echo "$(up) - $off_up < 20" | bc)" = 1 ]; do
    [ "$(line4)" = 0 ] && { cleared=$(up); break; }
    sleep 0.1
  done
  if [ -n "$cleared" ]; then
    say "alarm line 4 low at unix $(unixus) uptime $cleared, $(echo "$cleared - $off_up" | bc) s after the step off"
  else
    say "alarm line 4 still high 20 s after the step off"
  fi
  # The device's own account of it (STATE/status.json, key "alarms", rewritten every second), on one line.
  sleep 2
  say "status alarms $(tr -d '\n' < /var/lib/appliance/status.json 2>/dev/null | sed -n 's/.*"alarms" *: *\(\[[^]]*\]\).*/\1/p' | tr -s ' ')"
fi
sleep 3
step2=0
if [ "$ALARM" = 1 ] && [ -n "$raised" ]; then
  # Crash while the alarm is raised: a second, larger step (adc_T 532480 = 0x82 00 00, 29.03 degC) raises it again and
  # the appliance is killed while line 4 is high. The restarted process has no alert behind it (its status says
  # "raised": false), so it must drive the line inactive; the scenario reports when (or whether) line 4 goes low.
  step2=1
  say "temperature step 2 on at unix $(date +%s)"
  i2cset -y 0 0x76 0xFA 0x82 0x00 0x00 i
  s2=$(up)
  while [ "$(line4)" = 0 ] && [ "$(echo "$(up) - $s2 < 10" | bc)" = 1 ]; do sleep 0.1; done
  say "alarm line 4 before the kill: $(line4)"
fi
kill -0 "$first" 2>/dev/null || { say "appliance pid $first is not running before the kill"; exit 1; }
say "kill -9 appliance pid $first at unix $(date +%s)"
kill -9 "$first"
if [ "$step2" = 1 ]; then
  i2cset -y 0 0x76 0xFA 0x7E 0xED 0x00 i
  say "temperature step 2 off at unix $(date +%s)"
fi
i=0
while [ $i -lt 200 ]; do
  now=$(cat /run/appliance.pid 2>/dev/null)
  [ -n "$now" ] && [ "$now" != "$first" ] && kill -0 "$now" 2>/dev/null && break
  sleep 0.1; i=$((i + 1))
done
[ "$now" != "$first" ] || { say "no restart within 20 s"; exit 1; }
say "restarted as pid $now at unix $(date +%s)"
if [ "$step2" = 1 ]; then
  r=$(up)
  while [ "$(line4)" = 1 ] && [ "$(echo "$(up) - $r < 20" | bc)" = 1 ]; do sleep 0.2; done
  if [ "$(line4)" = 0 ]; then
    say "alarm line 4 after the restart: low $(echo "$(up) - $r" | bc) s after it"
  else
    say "alarm line 4 after the restart: still high 20 s after it"
  fi
  sleep "$(echo "$RUN2 - ($(up) - $r)" | bc | sed 's/^-.*/0/')"
else
  sleep "$RUN2"
fi
pulses
# The sampling loops' own account (STATE/status.json "sensors": samples read and deadlines missed per sensor, counted on
# the guest's clock since this process started), for image-test.sh's rate checks; with the file's pid and write time.
say "status sensors pid $(sed -n 's/^ *"pid": *\([0-9]*\).*/\1/p' /var/lib/appliance/status.json 2>/dev/null | head -1) written_unix_ms $(sed -n 's/^ *"written_unix_ms": *\([0-9]*\).*/\1/p' /var/lib/appliance/status.json 2>/dev/null | head -1) $(tr -d '\n' < /var/lib/appliance/status.json 2>/dev/null | sed -n 's/.*"sensors" *: *\(\[[^]]*\]\).*/\1/p' | tr -s ' ')"
say "done at unix $(date +%s)"
