#!/usr/bin/env bash
# change-latency.sh - ChangeResourceRecordSets response -> record answered over DNS, and -> GetChange INSYNC.
#
# usage: bench/api/change-latency.sh [-b BIN] [-n CHANGES] [-w WARMUP] [-s small,big] [-x SCALE]
#                                    [-S CPUS] [-o DIR] [-K]
#   -b BIN     zonekeeper binary (default build/zonekeeper)
#   -n N       measured changes per zone (default 1000); -w N unmeasured warm-up changes first (default 20)
#   -s LIST    zones to measure (default small,big)
#   -x SCALE   scale of the big zone (gen-big-zone.py --scale; 1 = 1,000,000 records, 0.01 = smoke test)
#   -S CPUS    taskset the server to CPUS (default: not pinned)
#   -o DIR     work dir (default mktemp -d /tmp/zk-change-latency.XXXXXX); -K keeps the data folders
# For each zone, starts `BIN serve --data-dir DIR/<zone>/zk --dns-listen 127.0.0.1:P+1 --api-listen
# 127.0.0.1:P` (credentials from DIR/<zone>/zk/credentials), runs change-latency.py (one UPSERT of one
# A record per change, alternately a new name and a new address for an existing name; DNS polled over
# UDP every 0.2 ms; GetChange polled until INSYNC), stops the server by pid, and prints a markdown table.
#   small  a hosted zone created with CreateHostedZone (SOA + NS), growing by N/2 names
#   big    ../shared/bench/gen-big-zone.py big.test. (1,000,000 records, 999,999 record sets) stored with
#          `BIN zone import` before the server starts (an imported zone is a Route 53 hosted zone of the
#          data folder's default account, the one the admin key belongs to), served with
#          --route53-max-rrsets-per-zone 2000000 (the default 10,000 refuses new names); odd changes
#          give a random imported h-NNNNNNN name a new address
# Python: $ZK_PYTHON or python3 (needs boto3 only; DNS is parsed by the script itself).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
bin=$repo/build/zonekeeper n=1000 warm=20 sizes=small,big scale=1 cpus="" work="" keep=0
cmdline="bench/api/change-latency.sh $*"
while getopts "b:n:w:s:x:S:o:Kh" o; do
  case $o in
    b) bin=$OPTARG ;; n) n=$OPTARG ;; w) warm=$OPTARG ;; s) sizes=$OPTARG ;; x) scale=$OPTARG ;;
    S) cpus=$OPTARG ;; o) work=$OPTARG ;; K) keep=1 ;; *) sed -n '2,24p' "$0"; exit 2 ;;
  esac
done
py=${ZK_PYTHON:-python3}
gen=${ZK_GEN_BIG_ZONE:-$repo/../shared/bench/gen-big-zone.py}
[ -x "$bin" ] || { echo "no binary $bin" >&2; exit 2; }
"$py" -c 'import boto3' 2>/dev/null || { echo "$py has no boto3 (set ZK_PYTHON)" >&2; exit 2; }
if [ -z "$work" ]; then work=$(mktemp -d /tmp/zk-change-latency.XXXXXX); else mkdir -p "$work"; fi
work=$(cd "$work" && pwd)
log() { echo "[$(date +%T)] $*" >&2; }
now() { echo "$EPOCHREALTIME"; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.1f", b - a}'; }

srv_pid=""
stop_server() {
  [ -n "$srv_pid" ] || return 0
  kill "$srv_pid" 2>/dev/null || true
  wait "$srv_pid" 2>/dev/null || true
  srv_pid=""
}
cleanup() {
  stop_server
  if [ "$keep" = 0 ]; then rm -rf "$work"/small/zk "$work"/big/zk "$work"/big/big.test.zone; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_free() { ! ss -Hlnut "sport = :$1" 2>/dev/null | grep -q .; }
pick_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 20000))
    port_free "$p" && port_free $((p + 1)) && { echo "$p"; return; }
  done
  echo "no free port" >&2; exit 1
}

# start_server DIR EXTRA... : sets srv_pid, api, dns; waits until the API answers (zones are loaded first)
start_server() {
  local dir=$1; shift
  local port; port=$(pick_port)
  api=http://127.0.0.1:$port dns=127.0.0.1:$((port + 1))
  local pin=(); [ -n "$cpus" ] && pin=(taskset -c "$cpus")
  local t0; t0=$(now)
  "${pin[@]}" "$bin" serve --data-dir "$dir/zk" --dns-listen "$dns" --api-listen "127.0.0.1:$port" \
    --log-level warn "$@" >"$dir/serve.log" 2>&1 &
  srv_pid=$!
  for _ in $(seq 1 6000); do
    curl -s -o /dev/null "$api/" && break
    kill -0 "$srv_pid" 2>/dev/null || { cat "$dir/serve.log" >&2; echo "server exited" >&2; exit 1; }
    sleep 0.1
  done
  curl -s -o /dev/null "$api/" || { echo "no API at $api" >&2; exit 1; }
  start_s=$(since "$t0")
  rss_mib=$(awk '/^VmRSS/{printf "%.0f", $2/1024}' "/proc/$srv_pid/status")
  log "server pid $srv_pid up after ${start_s}s (API $api, DNS $dns, RSS ${rss_mib} MiB)"
}

# run_zone SIZE PYTHON-ARGS...
run_zone() {
  local size=$1; shift
  AWS_SHARED_CREDENTIALS_FILE=$work/$size/zk/credentials AWS_PROFILE=default AWS_ACCESS_KEY_ID= \
    AWS_SECRET_ACCESS_KEY= "$py" "$here/change-latency.py" --endpoint "$api" --dns "$dns" -n "$n" \
    --warmup "$warm" --server-pid "$srv_pid" --label "$size" --csv "$work/$size.csv" "$@" \
    >"$work/$size.json" || log "$size: some changes were not answered or not INSYNC (see $work/$size.csv)"
  "$py" - "$work/$size.json" "$start_s" "$rss_mib" "${import_s:-}" <<'PY'
import json, sys
d = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
d["start_s"], d["rss_mib"], d["import_s"] = sys.argv[2], sys.argv[3], sys.argv[4]
open(sys.argv[1], "w").write(json.dumps(d) + "\n")
PY
}

log "work dir $work"
IFS=, read -r -a list <<<"$sizes"
for size in "${list[@]}"; do
  mkdir -p "$work/$size"
  import_s=""
  case $size in
    small)
      start_server "$work/small"
      run_zone small --create-zone small.test
      ;;
    big)
      zf=$work/big/big.test.zone
      log "generating big.test. (scale $scale)"
      "$py" "$gen" --scale "$scale" "$zf"
      nrec=$(grep -vc '^\$' "$zf")
      t0=$(now)
      "$bin" zone import "$zf" --data-dir "$work/big/zk" >&2
      import_s=$(since "$t0")
      log "imported $nrec records in ${import_s}s"
      nh=$(grep -c '^h-' "$zf")
      start_server "$work/big" --route53-max-rrsets-per-zone 2000000
      read -r last_name _ last_type _ < <(tail -1 "$zf")
      last=$(dig +short +norec +time=2 +tries=1 @127.0.0.1 -p "${dns#*:}" "$last_name.big.test." "$last_type" || true)
      [ -n "$last" ] || { echo "the imported zone's last record ($last_name $last_type) is not answered" >&2; exit 1; }
      log "the file's last record answers: $last_name $last_type $last"
      run_zone big --zone-name big.test --existing-fmt 'h-%07d' --existing-count "$nh"
      ;;
    *) echo "unknown zone size $size" >&2; exit 2 ;;
  esac
  stop_server
done

"$py" - "$cmdline" "$work" "${list[@]}" <<'PY' | tee "$work/table.md"
import json, sys
cmd, work, sizes = sys.argv[1], sys.argv[2], sys.argv[3:]
f = lambda v, d=2: "NA" if v in (None, "") else "%.*f" % (d, float(v))
print("| zone | record sets | changes | answer p50 ms | p90 | p99 | max | first poll | INSYNC p50 ms | p99 | INSYNC in response | API call p50 / p99 ms | server CPU ms/change | failed calls | import s | start s | RSS MiB |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for s in sizes:
    d = json.loads(open("%s/%s.json" % (work, s)).read())
    miss = "" if not d["answer_missing"] else " (%d never)" % d["answer_missing"]
    print("| %s | %s | %d | %s | %s | %s | %s%s | %d/%d | %s | %s | %d/%d | %s / %s | %s | %d | %s | %s | %s |" % (
        d["zone"], d["record_sets"], d["changes"], f(d["answer_p50"]), f(d["answer_p90"]), f(d["answer_p99"]),
        f(d["answer_max"]), miss, d["first_poll_hit"], d["changes"], f(d["insync_p50"]), f(d["insync_p99"]),
        d["insync_in_response"], d["changes"], f(d["api_p50"]), f(d["api_p99"]), f(d["server_cpu_ms_per_change"]),
        d.get("api_errors", 0), f(d["import_s"], 1), f(d["start_s"], 1), d["rss_mib"]))
print()
print("answer = API response returned -> UDP answer with the new address (one query round trip when already served: "
      "DNS RTT p50 %s ms before the run); INSYNC = 0 when the response already says INSYNC. Command: `%s`" % (
          "/".join(f(json.loads(open("%s/%s.json" % (work, s)).read())["dns_rtt_p50"], 3) for s in sizes), cmd))
PY
log "per-change rows: $work/<zone>.csv; table: $work/table.md"
