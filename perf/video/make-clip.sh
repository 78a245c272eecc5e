#!/usr/bin/env bash
# Generates the motion test clip of docs/video.md: a still textured scene (one frozen FFmpeg testsrc2 frame) with
# temporal sensor noise (FFmpeg's noise filter, uniform, every frame), and a white 48x48 box that is drawn, moving,
# ONLY during the given intervals (inclusive: FFmpeg's between(t,a,b)).
#
#   perf/video/make-clip.sh OUT.mp4 [DURATION_S] [FPS] [WxH] [INTERVALS] [NOISE]
#
# Defaults: 600 s at 12 fps, 640x360, motion 2 % of the time (6 intervals of 2 s: 12 s), noise strength 6.
# INTERVALS is "a-b,c-d,..." in seconds. The clip is H.264 at CRF 18 (near-transparent: the noise survives).
# The intervals are also written beside the clip as OUT.intervals (one "a b" line each) for the evaluation.
set -euo pipefail
out=${1:?usage: make-clip.sh OUT.mp4 [DURATION_S] [FPS] [WxH] [INTERVALS] [NOISE]}
duration=${2:-600}
fps=${3:-12}
size=${4:-640x360}
intervals=${5:-60-62,150-152,240-242,330-332,420-422,510-512}
noise=${6:-6}
command -v ffmpeg >/dev/null || { echo "make-clip.sh: ffmpeg is not installed (Debian: apt-get install ffmpeg)" >&2; exit 2; }

enable=""
: > "$out.intervals"
IFS=, read -ra parts <<< "$intervals"
for p in "${parts[@]}"; do
    a=${p%-*}; b=${p#*-}
    [[ $a =~ ^[0-9.]+$ && $b =~ ^[0-9.]+$ ]] || { echo "make-clip.sh: interval '$p': expected START-END in seconds" >&2; exit 2; }
    enable+="${enable:++}between(t,$a,$b)"
    echo "$a $b" >> "$out.intervals"
done

# The box crosses the frame at 100 px/s and bobs 40 px up and down; overlay evaluates x and y on every frame.
ffmpeg -nostdin -loglevel error -y \
    -f lavfi -i "testsrc2=size=$size:rate=$fps,trim=end_frame=1,loop=loop=-1:size=1:start=0,setpts=N/($fps*TB)" \
    -f lavfi -i "color=c=white:size=48x48:rate=$fps" \
    -filter_complex "[0][1]overlay=x='mod(t*100,main_w-overlay_w)':y='main_h/2-24+40*sin(t)':eval=frame:enable='$enable',noise=alls=$noise:allf=t,format=yuv420p" \
    -t "$duration" -r "$fps" -c:v libx264 -preset veryfast -crf 18 "$out"
