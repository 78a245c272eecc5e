#!/usr/bin/env python3
"""Scores `appliance video CLIP --json` against the clip's known motion intervals (make-clip.sh writes CLIP.intervals).

    perf/video/score.py EVENTS.jsonl CLIP.intervals

An event and an interval match when they overlap. Prints recall (intervals matched / intervals), false events (events
matching no interval) per hour of video (duration_s from the last line), and the start and end errors (event minus
interval, seconds) of the matched pairs, then the byte ratio the last line reports.
"""
import json
import sys

lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
events, total = lines[:-1], lines[-1]
intervals = [tuple(map(float, l.split())) for l in open(sys.argv[2]) if l.strip()]
hours = total["duration_s"] / 3600
matched, starts, ends = 0, [], []
for a, b in intervals:
    hits = [e for e in events if e["start_s"] <= b and e["end_s"] >= a]
    if hits:
        matched += 1
        starts.append(hits[0]["start_s"] - a)
        ends.append(hits[-1]["end_s"] - b)
false = [e for e in events if not any(e["start_s"] <= b and e["end_s"] >= a for a, b in intervals)]
fmt = lambda xs: "n/a" if not xs else f"mean {sum(xs) / len(xs):+.3f} s, max |{max(abs(x) for x in xs):.3f}| s"
print(f"recall {matched}/{len(intervals)} = {matched / len(intervals):.3f}")
print(f"false events {len(false)} in {total['duration_s']:.0f} s = {len(false) / hours:.1f} per hour")
print(f"start error {fmt(starts)}; end error {fmt(ends)}")
print(f"raw_bytes {total['raw_bytes']}, sent_bytes {total['sent_bytes']}, ratio {total['ratio']}")
