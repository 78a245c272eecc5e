#!/usr/bin/env bash
# The standing fault campaign (issue 14 "Bad input and faults, as a standing campaign"; issue 15's hostile-frame flood),
# against the published binary out/appliance (APPLIANCE_BIN overrides it). docs/faults.md describes each case and the forms.
#
#   tests/faults/campaign.sh --short    CI (./build.sh test): 12 device kills, 6 collector kills, 4 torn tails, 50,000 flood frames
#   tests/faults/campaign.sh --medium   100 device kills, 20 collector kills, 10 torn tails, 200,000 flood frames
#   tests/faults/campaign.sh --long     1000 device kills, 135 collector kills, 30 torn tails, 1,000,000 flood frames
#   options: --cases LIST (comma-separated among device-kill, collector-kill, torn-tail, flood), --keep (keep the work dir);
#   CAMPAIGN_SETTLE=S: seconds between the flood's end and the "after" RSS (5, 10, 20 by form)
#
# One line per case: "campaign: CASE STORE produced P stored S merged M dropped D duplicates U lost L [details] PASS|FAIL",
# then "campaign: N passed, N failed, N skipped". Exit 1 when any case failed: lost > 0, duplicates > 0, the collector
# died, the device did not drain, or the collector's RSS after the flood is not within 20 % of before. A case needing
# PostgreSQL is skipped without APPLIANCE_TEST_PG (./build.sh test and ./build.sh with-pg set it).
# The flood's frames come from `dotnet exec tests/Appliance.Faults.Tests/bin/Release/net10.0/Appliance.Faults.Tests.dll
# flood` (FloodDriver.cs), built by `dotnet build Appliance.sln -c Release`.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
APP=${APPLIANCE_BIN:-$ROOT/out/appliance}
FLOOD_DLL=$ROOT/tests/Appliance.Faults.Tests/bin/Release/net10.0/Appliance.Faults.Tests.dll

FORM=short CASES=device-kill,collector-kill,torn-tail,flood KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --short|--medium|--long) FORM=${1#--} ;;
    --cases) CASES=$2; shift ;;
    --keep) KEEP=1 ;;
    *) echo "usage: tests/faults/campaign.sh [--short|--medium|--long] [--cases LIST] [--keep]" >&2; exit 2 ;;
  esac
  shift
done
case "$FORM" in # device kills, collector kills, torn-tail rounds, flood frames, flood peers, emulated sensors, RSS settle s
  short) DEV_KILLS=12 COLL_KILLS=6 TEARS=4 FLOOD=50000 PEERS=4 SENSORS=2 SETTLE=8 ;;
  medium) DEV_KILLS=100 COLL_KILLS=20 TEARS=10 FLOOD=200000 PEERS=6 SENSORS=2 SETTLE=10 ;;
  long) DEV_KILLS=1000 COLL_KILLS=135 TEARS=30 FLOOD=1000000 PEERS=8 SENSORS=4 SETTLE=20 ;;
esac
SETTLE=${CAMPAIGN_SETTLE:-$SETTLE}
[ -x "$APP" ] || { echo "campaign: $APP is missing: run ./build.sh publish first" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "campaign: sqlite3 is missing (apt-get install sqlite3)" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/appliance-campaign.XXXXXX")
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
  [ "$KEEP" = 1 ] && echo "campaign: work directory kept: $WORK" >&2 || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
say() { printf 'campaign: %s\n' "$*" >&2; }
PASSED=0 FAILED=0 SKIPPED=0 T0=$SECONDS

# --- helpers -----------------------------------------------------------------------------------------------------------
# free_port: a port below the kernel's ephemeral range (ip_local_port_range) that no socket uses in any state: a port inside
# that range can be taken by an outgoing connection's local end (the flood's 1,500 peers) between this check and the
# collector's bind (seen in CI: "address already in use" for the PostgreSQL flood's collector).
free_port() {
  local p low
  low=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  [ "${low:-0}" -gt 12000 ] || low=32768
  while :; do
    p=$((10000 + RANDOM % (low - 10000)))
    ss -Htan "sport = :$p" 2>/dev/null | grep -q . || { echo "$p"; return; }
  done
}
rand_ms() { echo $(($1 + RANDOM % ($2 - $1 + 1))); } # a random count of ms in [$1, $2]
sleep_ms() { sleep "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))"; }

# sql STORE DB QUERY: one value (SQLite file or postgresql:// URL).
sql() {
  if [ "$1" = postgres ]; then psql -X -q -At -d "$2" -c "$3"; else sqlite3 -cmd ".timeout 30000" "$2" "$3"; fi
}

# A configuration repository for device $2 sending to port $3 from $SENSORS emulated ADXL345s at 1 kHz, 10 ms windows.
make_repo() {
  local dir=$1 device=$2 port=$3 i
  mkdir -p "$dir"
  {
    printf '[device]\nid = "%s"\n\n' "$device"
    for ((i = 0; i < SENSORS; i++)); do
      printf '[[sensor]]\nname = "a%d"\nchip = "adxl345"\nbus = "emulated:adxl345"\nrate_hz = 1000\n\n' "$i"
    done
    printf '[window]\nlength = "10ms"\n\n[inference]\nenabled = false\n\n'
    printf '[uplink]\nendpoint = "tcp://127.0.0.1:%s"\n\n[gitops]\nbranch = "main"\ninterval = "1h"\n' "$port"
  } >"$dir/appliance.toml"
  git -C "$dir" init -q -b main && git -C "$dir" add appliance.toml &&
    git -C "$dir" -c user.name=campaign -c user.email=campaign@appliance.local commit -q -m campaign
}

# start_collector DB PORT LOG: sets CPID once the collector listens.
start_collector() {
  "$APP" cloud --listen "tcp://127.0.0.1:$2" --db "$1" >>"$3" 2>&1 &
  CPID=$!; PIDS+=("$CPID")
  local i
  for ((i = 0; i < 300; i++)); do
    [ "$(grep -c 'Collector listening' "$3")" -gt "${4:-0}" ] && return 0
    kill -0 "$CPID" 2>/dev/null || { say "collector did not start:"; tail -5 "$3" >&2; return 1; }
    sleep 0.1
  done
  say "collector not listening after 30 s"; return 1
}

# start_device REPO STATE LOG: sets DPID.
start_device() {
  "$APP" run --repo "$1" --state "$2" --insecure-skip-verify >>"$3" 2>&1 &
  DPID=$!; PIDS+=("$DPID")
}

# status STATE KEY: a number from STATE/status.json.
status() { sed -n "s/^ *\"$2\": *\([0-9-]*\),\{0,1\}$/\1/p" "$1/status.json" 2>/dev/null | head -1; }

# stop_device LOG: SIGTERM (the device waits up to 10 s for acknowledgements), then its Stopped: line's windows and alerts
# are added to PRODUCED_SA. Returns 1 when it did not exit within 60 s or its outbox was not fully acknowledged.
stop_device() {
  kill -TERM "$DPID" 2>/dev/null
  local i
  for ((i = 0; i < 600; i++)); do kill -0 "$DPID" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$DPID" 2>/dev/null && { say "device $DPID did not stop within 60 s"; kill -9 "$DPID"; return 1; }
  wait "$DPID" 2>/dev/null
  local line; line=$(grep 'Stopped:' "$1" | tail -1)
  local w a
  w=$(sed -n 's/.*Stopped: \([0-9]*\) windows summarised, \([0-9]*\) alerts.*/\1/p' <<<"$line")
  a=$(sed -n 's/.*Stopped: \([0-9]*\) windows summarised, \([0-9]*\) alerts.*/\2/p' <<<"$line")
  PRODUCED_SA=$((PRODUCED_SA + ${w:-0} + ${a:-0}))
  grep -q 'fully acknowledged: True' <<<"$line" || { say "device did not drain: $line"; return 1; }
}

# caught_up STATE SECONDS: until the running device has an acknowledgement and its acknowledged sequence is within 1,000
# of its written one (a backlog left by the faults is sent; the rest is the SIGTERM wait's). Returns 1 on time-out.
caught_up() {
  local end=$((SECONDS + $2)) w k
  while [ "$SECONDS" -lt "$end" ]; do
    w=$(status "$1" seq_written); k=$(status "$1" seq_acked)
    [ -n "$w" ] && [ "${k:-0}" -gt 0 ] && [ $((w - k)) -le 1000 ] && return 0
    sleep 0.2
  done
  say "the device did not catch up within $2 s (written ${w:-none}, acknowledged ${k:-none})"; return 1
}

# counts STORE DB DEVICE: sets STORED (summaries + alerts + heartbeats), STORED_SA (summaries + alerts) and DUPS
# (windows stored more than once: same sensor, channel and window start, or alert time, under two keys).
counts() {
  local d="device_id = '$3'"
  STORED=$(sql "$1" "$2" "SELECT (SELECT count(*) FROM summaries WHERE $d) + (SELECT count(*) FROM alerts WHERE $d) + (SELECT count(*) FROM heartbeats WHERE $d)")
  STORED_SA=$(sql "$1" "$2" "SELECT (SELECT count(*) FROM summaries WHERE $d) + (SELECT count(*) FROM alerts WHERE $d)")
  DUPS=$(sql "$1" "$2" "SELECT (SELECT count(*) FROM (SELECT sensor, channel, window_start_ns FROM summaries WHERE $d GROUP BY sensor, channel, window_start_ns HAVING count(*) > 1) s) + (SELECT count(*) FROM (SELECT sensor, channel, time_ns FROM alerts WHERE $d GROUP BY sensor, channel, time_ns HAVING count(*) > 1) a)")
}

# report CASE STORE PRODUCED STORED MERGED DROPPED DUPS LOST OK DETAILS: the case's line, PASS when OK = 1, lost and
# duplicates are 0.
report() {
  local verdict=PASS
  { [ "$9" = 1 ] && [ "$7" = 0 ] && [ "$8" = 0 ]; } || verdict=FAIL
  printf 'campaign: %-14s %-8s produced %s stored %s merged %s dropped %s duplicates %s lost %s %s %s\n' \
    "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$8" "${10}" "$verdict"
  if [ "$verdict" = PASS ]; then PASSED=$((PASSED + 1)); else FAILED=$((FAILED + 1)); fi
}

# new_db STORE NAME: a fresh SQLite file, or the PostgreSQL URL (rows are told apart by device id).
new_db() { if [ "$1" = postgres ]; then echo "$APPLIANCE_TEST_PG"; else echo "$WORK/$2.db"; fi; }
store_ok() {
  [ "$1" = sqlite ] || [ -n "${APPLIANCE_TEST_PG:-}" ] && return 0
  printf 'campaign: %-14s %-8s SKIPPED (APPLIANCE_TEST_PG not set)\n' "$2" "$1"; SKIPPED=$((SKIPPED + 1)); return 1
}
collector_alive() { kill -0 "$CPID" 2>/dev/null && echo 1 || echo 0; }

# stats STORE DB FIELD: a counter of `appliance cloud stats --json` (duplicates_rejected, malformed_dropped, ...).
stats() { "$APP" cloud stats --db "$2" --json 2>/dev/null | sed -n "s/.*\"$3\":\([0-9]*\).*/\1/p"; }

# case_setup CASE STORE: DIR, DB, PORT, DEV (a device id of this run), a configuration repository; the collector started.
RUN=$$-$RANDOM
case_setup() {
  DIR=$WORK/$1-$2; DB=$(new_db "$2" "$1"); PORT=$(free_port); DEV=camp-$RUN-$1
  mkdir -p "$DIR"; make_repo "$DIR/repo" "$DEV" "$PORT" >/dev/null
  PRODUCED_SA=0 OK=1
  start_collector "$DB" "$PORT" "$DIR/collector.log" || OK=0
  REJ0=$(stats "$2" "$DB" duplicates_rejected)
}

# journal_counts: MERGED, DROPPED, GAPS, PRODUCED (the journal's highest sequence) and UNSENT (written, not acknowledged:
# still in the journal when a device that did not drain stopped; not lost, and the case fails as not drained) from the
# device's last status.json.
journal_counts() {
  PRODUCED=$(status "$DIR/state" seq_written); MERGED=$(status "$DIR/state" merged)
  DROPPED=$(status "$DIR/state" dropped); GAPS=$(status "$DIR/state" journal_gaps)
  PRODUCED=${PRODUCED:-0} MERGED=${MERGED:-0} DROPPED=${DROPPED:-0} GAPS=${GAPS:-0}
  local acked; acked=$(status "$DIR/state" seq_acked)
  UNSENT=$((PRODUCED - ${acked:-0}))
}

stop_collector() {
  ALIVE=$(collector_alive)
  kill -TERM "$CPID" 2>/dev/null; wait "$CPID" 2>/dev/null
  [ "$ALIVE" = 1 ] || OK=0
}

# (a) kill -9 loop of a device under high rate; lost = produced - merged - dropped - unsent - stored (journal sequences:
# every record the journal kept, heartbeats included), duplicates = windows stored under two keys.
case_device_kill() {
  local store=$1 k
  store_ok "$store" device-kill || return 0
  case_setup device-kill "$store"
  for ((k = 0; k < DEV_KILLS; k++)); do
    start_device "$DIR/repo" "$DIR/state" "$DIR/device.log"
    sleep_ms "$(rand_ms 200 1500)"
    kill -9 "$DPID" 2>/dev/null; wait "$DPID" 2>/dev/null
  done
  start_device "$DIR/repo" "$DIR/state" "$DIR/device.log"
  sleep 2; caught_up "$DIR/state" 120
  stop_device "$DIR/device.log" || OK=0
  journal_counts; counts "$store" "$DB" "$DEV"
  local rej=$(($(stats "$store" "$DB" duplicates_rejected) - REJ0))
  stop_collector
  report device-kill "$store" "$PRODUCED" "$STORED" "$MERGED" "$DROPPED" "$DUPS" \
    $((PRODUCED - MERGED - DROPPED - UNSENT - STORED)) "$OK" "kills $DEV_KILLS gaps $GAPS unsent $UNSENT rejected_as_duplicates $rej"
}

# (b) kill -9 loop of the collector while one device sends; produced = the device's Stopped: line (windows + alerts)
# and its journal's sequences; lost is the larger of the two differences.
case_collector_kill() {
  local store=$1 k
  store_ok "$store" collector-kill || return 0
  case_setup collector-kill "$store"
  start_device "$DIR/repo" "$DIR/state" "$DIR/device.log"
  for ((k = 1; k <= COLL_KILLS; k++)); do
    sleep_ms "$(rand_ms 300 1500)"
    kill -9 "$CPID" 2>/dev/null; wait "$CPID" 2>/dev/null
    sleep_ms "$(rand_ms 0 800)"
    start_collector "$DB" "$PORT" "$DIR/collector.log" "$k" || OK=0
  done
  sleep 1; caught_up "$DIR/state" 120
  stop_device "$DIR/device.log" || OK=0
  journal_counts; counts "$store" "$DB" "$DEV"
  local lost_seq=$((PRODUCED - MERGED - DROPPED - UNSENT - STORED)) lost_sa=$((PRODUCED_SA - MERGED - DROPPED - UNSENT - STORED_SA))
  stop_collector
  report collector-kill "$store" "$PRODUCED" "$STORED" "$MERGED" "$DROPPED" "$DUPS" \
    $((lost_seq > lost_sa ? lost_seq : lost_sa)) "$OK" "kills $COLL_KILLS windows+alerts $PRODUCED_SA/$STORED_SA unsent $UNSENT"
}

# flip FILE OFFSET: inverts one byte in place.
flip() {
  local b; b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
  printf "\\x$(printf '%02x' $((255 - ${b:-0})))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# (c) torn and bit-flipped journal tails: each round the device runs, drains and stops (SIGTERM), then the newest segment
# is cut at a random point of its last quarter (odd rounds) or gets 8 random bytes of its last 4 KiB inverted (even
# rounds), and the next round starts on it. Every window the device summarised (its Stopped: lines) must be stored:
# records written after a recovery must not be taken for duplicates of records the collector already has.
case_torn_tail() {
  local store=$1 r seg size off i k gaps=0 cut=0
  store_ok "$store" torn-tail || return 0
  case_setup torn-tail "$store"
  for ((r = 1; r <= TEARS + 1; r++)); do
    start_device "$DIR/repo" "$DIR/state" "$DIR/device.log"
    sleep_ms "$(rand_ms 2000 4000)"
    stop_device "$DIR/device.log" || OK=0
    k=$(status "$DIR/state" journal_gaps); gaps=$((gaps + ${k:-0}))
    k=$(status "$DIR/state" truncated_bytes); cut=$((cut + ${k:-0}))
    [ "$r" -gt "$TEARS" ] && break
    seg=$(ls "$DIR/state/outbox"/seg-*.log 2>/dev/null | sort | tail -1)
    [ -n "$seg" ] || { say "torn-tail: no journal segment"; OK=0; break; }
    size=$(stat -c %s "$seg")
    if ((r % 2)); then
      truncate -s $((size - 1 - (RANDOM * 32768 + RANDOM) % (size / 4 + 1))) "$seg"
    else
      for ((i = 0; i < 8; i++)); do
        off=$((size - 1 - (RANDOM % (size < 4096 ? size : 4096)))); flip "$seg" "$off"
      done
    fi
  done
  journal_counts; counts "$store" "$DB" "$DEV"
  local rej=$(($(stats "$store" "$DB" duplicates_rejected) - REJ0))
  stop_collector
  report torn-tail "$store" "$PRODUCED_SA" "$STORED_SA" "$MERGED" "$DROPPED" "$DUPS" \
    $((PRODUCED_SA - MERGED - DROPPED - UNSENT - STORED_SA)) "$OK" "unsent $UNSENT rounds $TEARS gaps $gaps truncated_bytes $cut rejected_as_duplicates $rej"
}

rss_kb() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status" 2>/dev/null; }

# (d) the hostile-frame flood (FloodDriver.cs) from PEERS peers while a real device sends: the collector stays alive, the
# device's records are all stored, drops by class, collector RSS before / peak / after (after: SETTLE s after the flood;
# within 20 % of before), bytes the collector logged during the flood.
case_flood() {
  local store=$1 before after peak log0 logged frc sampler
  store_ok "$store" flood || return 0
  SENSORS=1 case_setup flood "$store" # the real device with one sensor (300 records/s): a backlog the flood leaves drains sooner
  [ -f "$FLOOD_DLL" ] || { say "flood: $FLOOD_DLL is missing (dotnet build Appliance.sln -c Release)"; OK=0; }
  start_device "$DIR/repo" "$DIR/state" "$DIR/device.log"
  caught_up "$DIR/state" 60 || OK=0
  sleep 2
  before=$(rss_kb "$CPID"); log0=$(stat -c %s "$DIR/collector.log")
  (while kill -0 "$CPID" 2>/dev/null; do rss_kb "$CPID"; sleep 0.2; done) >"$DIR/rss.txt" &
  sampler=$!
  dotnet exec "$FLOOD_DLL" flood --endpoint "tcp://127.0.0.1:$PORT" --frames "$FLOOD" --peers "$PEERS" \
    --appliance "$APP" --db "$DB" >"$DIR/flood.out" 2>&1
  frc=$?
  logged=$(($(stat -c %s "$DIR/collector.log") - log0))
  sleep "$SETTLE"
  after=$(rss_kb "$CPID"); kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null
  peak=$(sort -n "$DIR/rss.txt" | tail -1)
  [ "$frc" = 0 ] || { say "flood: the generator failed (exit $frc):"; tail -3 "$DIR/flood.out" >&2; OK=0; }
  caught_up "$DIR/state" 300
  stop_device "$DIR/device.log" || OK=0
  journal_counts; counts "$store" "$DB" "$DEV"
  stop_collector
  local rss_ok=0
  [ -n "$after" ] && [ -n "$before" ] && [ $((after * 100)) -le $((before * 120)) ] && rss_ok=1
  [ "$rss_ok" = 1 ] || OK=0
  local tot; tot=$(sed -n 's/^total frames \([0-9]*\) bytes \([0-9]*\) seconds \([0-9.]*\) dropped \([0-9]*\)/\1 frames \2 bytes \3 s dropped \4/p' "$DIR/flood.out")
  report flood "$store" "$PRODUCED" "$STORED" "$MERGED" "$DROPPED" "$DUPS" $((PRODUCED - MERGED - DROPPED - UNSENT - STORED)) "$OK" \
    "unsent $UNSENT collector_alive $ALIVE flood ${tot:-none} rss_kb ${before:-?}/${peak:-?}/${after:-?} (after within 20 %: $([ $rss_ok = 1 ] && echo yes || echo no)) log_bytes $logged"
  sed -n 's/^class \([^ ]*\) frames \([0-9]*\) bytes \([0-9]*\) seconds \([0-9.]*\) dropped \([0-9]*\)/campaign:   flood   \1: \2 frames, \3 bytes, \5 dropped/p' "$DIR/flood.out"
  grep -o 'Stopped: .*' "$DIR/collector.log" | tail -1 | sed 's/^/campaign:   flood   collector /'
}

say "$FORM form on $(nproc) cores: $DEV_KILLS device kills, $COLL_KILLS collector kills, $TEARS torn tails, $FLOOD flood frames"
IFS=, read -ra wanted <<<"$CASES"
for c in "${wanted[@]}"; do
  case "$c" in
    device-kill) case_device_kill sqlite ;;
    collector-kill) case_collector_kill sqlite; [ "$FORM" = short ] || case_collector_kill postgres ;;
    torn-tail) case_torn_tail sqlite ;;
    flood) case_flood sqlite; case_flood postgres ;;
    *) say "unknown case '$c' (device-kill, collector-kill, torn-tail, flood)"; exit 2 ;;
  esac
done
echo "campaign: $PASSED passed, $FAILED failed, $SKIPPED skipped ($FORM form, $((SECONDS - T0)) s)"
[ "$FAILED" = 0 ]
