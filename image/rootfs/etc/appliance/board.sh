#!/bin/sh
# Board set-up of the emulated test board (qemu + appliance_sim.ko). Run once by /init before the appliance starts.
# A real board has no board.sh, or one that only loads its bus drivers. (busybox i2cset reads numbers as hex: keep 0x.)
#
# BME280 at 0x76 on /dev/i2c-0: the register map of Bosch's worked example, written with i2cset (SMBus byte writes,
# which the I2C core turns into plain transfers for appliance_sim's adapter):
#   calibration (BST-BME280-DS002 table 16) = the BST-BMP280-DS001 3.12 example for T and P:
#     dig_T1..T3 = 27504, 26435, -1000; dig_P1..P9 = 36477, -10685, 3024, 2855, 140, -7, 15500, -14600, 6000;
#     humidity dig_H1..H6 = 75, 362, 0, 315, 50, 30;
#   raw data 0xF7..0xFE: adc_P = 415148, adc_T = 519888, adc_H = 30000;
#   expected reading: 25.08 degC, 100653.27 Pa (double formula), 54.29 %RH (BST-BME280-DS002 8.1).
# Little-endian 16-bit values (table 16): 27504 = 0x6B70 -> 70 6B; -1000 = 0xFC18 -> 18 FC; and so on.
set -e
BUS=0
ADDR=0x76
w() { i2cset -y "$BUS" "$ADDR" "$1" "$2" b; }
# i = I2C block write: one transfer [register, bytes...] (the BME280 auto-increments, DS002 6.2.1).
block() { r=$1; shift; i2cset -y "$BUS" "$ADDR" "$r" "$@" i; }
block 0x88 0x70 0x6B 0x43 0x67 0x18 0xFC \
           0x7D 0x8E 0x43 0xD6 0xD0 0x0B 0x27 0x0B 0x8C 0x00 0xF9 0xFF 0x8C 0x3C 0xF8 0xC6 0x70 0x17
w 0xA1 0x4B                 # dig_H1 = 75
# 0xE1..0xE7: dig_H2 = 362 = 0x016A -> 6A 01; dig_H3 = 0; dig_H4 = 315 = 0x13B -> E4 = 0x13, E5[3:0] = 0xB;
# dig_H5 = 50 = 0x032 -> E6 = 0x03, E5[7:4] = 0x2; dig_H6 = 30 = 0x1E
block 0xE1 0x6A 0x01 0x00 0x13 0x2B 0x03 0x1E
block 0xF7 0x65 0x5A 0xC0 0x7E 0xED 0x00 0x75 0x30   # press_msb..hum_lsb: adc_P, adc_T, adc_H
w 0xF3 0x00                 # status: not measuring
w 0xD0 0x60                 # chip id (5.4.1)
echo "board: BME280 register map written on i2c-$BUS at $ADDR (chip id $(i2cget -y $BUS $ADDR 0xD0 b))"

P=/sys/module/appliance_sim/parameters
if [ -d "$P" ]; then
  echo 0,128,256,512,768,1023,100,900 > "$P/adc"   # MCP3008 CH0..CH7 codes
  # 10 Hz on gpiochip0 lines 0 and 1 (600 rpm at one pulse per turn). System.Device.Gpio's libgpiod 1.6 driver asks for
  # both edges, 20 events/s through the GPIO v1 uAPI's 16-event FIFO: 0.8 s of slack for a starved emulated CPU (at
  # 50 Hz, 0.16 s, 8 % of the edges were lost under TCG at host load 15-20: dropped from the full FIFO or merged).
  echo 10 > "$P/pulse_hz"
  echo "board: MCP3008 codes $(cat $P/adc), pulse generator $(cat $P/pulse_hz) Hz"
fi

# Camera: vivid (drivers/media/test-drivers/vivid), one instance with one video capture node (node_types bit 0) and one
# input of type webcam (input_types bits 1-0 = 0): /dev/video0, a webcam-like source of test patterns for
# `appliance camera probe` (docs/video.md). A real board has its camera's driver (uvcvideo, a CSI bridge) instead.
if modprobe vivid n_devs=1 node_types=0x1 num_inputs=1 input_types=0x0 2>/dev/null; then
  i=0; while [ ! -e /dev/video0 ] && [ $i -lt 20 ]; do sleep 0.1; i=$((i + 1)); done
  echo "board: vivid loaded, camera $(ls /dev/video0 2>/dev/null || echo 'missing: no /dev/video0')"
else
  echo "board: vivid not loaded (no camera)"
fi
