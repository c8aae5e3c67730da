#!/usr/bin/env bash
# api-throughput.sh - signed, durable ChangeResourceRecordSets per second: zonekeeper beside moto_server.
#
# usage: bench/api/api-throughput.sh [-b build/zonekeeper] [-c CONNS] [-d SECONDS] [-r ROUNDS] [-n]
#   -n  skip moto_server
# Starts each server on 127.0.0.1 (high ports, temporary data folder), creates a hosted zone with boto3,
# writes a wrk script replaying one SigV4-signed UPSERT (../shared/bench/api-wrk.py), runs
# `wrk -t1 -cCONNS -dSECONDS` ROUNDS times, stops the server by pid, and prints requests/s and the ratio,
# plus the server's CPU time per request (from /proc/PID/stat; steadier on a busy machine).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
bin=$repo/build/zonekeeper conns=8 dur=10 rounds=1 moto=1
while getopts "b:c:d:r:n" o; do
  case $o in b) bin=$OPTARG ;; c) conns=$OPTARG ;; d) dur=$OPTARG ;; r) rounds=$OPTARG ;; n) moto=0 ;; *) exit 2 ;; esac
done
wrkgen=${ZK_API_WRK:-$repo/../shared/bench/api-wrk.py}
[ -f "$wrkgen" ] || { echo "missing $wrkgen" >&2; exit 2; }
py=${ZK_PYTHON:-python3}
tmp=$(mktemp -d /tmp/zk-api-bench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

wait_http() { for _ in $(seq 1 100); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; echo "no answer at $1" >&2; return 1; }

# create_zone ENDPOINT -> prints the zone id
create_zone() {
  "$py" - "$1" <<'PY'
import sys, time, boto3
c = boto3.client("route53", endpoint_url=sys.argv[1], region_name="us-east-1")
z = c.create_hosted_zone(Name="bench.example.", CallerReference=str(time.time()))
print(z["HostedZone"]["Id"].split("/")[-1])
PY
}

# cpu_ticks PID -> user+system clock ticks the process has used (all threads; /proc/PID/stat fields 14, 15)
cpu_ticks() { awk '{sub(/.*\) /, ""); print $12 + $13}' "/proc/$1/stat" 2>/dev/null || echo 0; }

run_wrk() { # NAME ENDPOINT PID   (ZK_BENCH_ZONE_ID: an existing zone instead of a new one)
  local zid; zid=${ZK_BENCH_ZONE_ID:-$(create_zone "$2")}
  "$py" "$wrkgen" "$2" "$zid" "www.bench.example." "$tmp/$1.lua"
  local hz; hz=$(getconf CLK_TCK)
  for r in $(seq 1 "$rounds"); do
    local t0; t0=$(cpu_ticks "$3")
    local out; out=$(wrk -t1 -c"$conns" -d"${dur}s" -s "$tmp/$1.lua" "$2")
    local t1; t1=$(cpu_ticks "$3")
    echo "$out" > "$tmp/$1.$r.txt"
    local rps non2xx reqs cpu_us
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    reqs=$(awk '/requests in/ {print $1}' <<<"$out")
    non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out"); non2xx=${non2xx:-0}
    # Server CPU time per request: steadier than req/s when other work shares the machine.
    cpu_us=$(awk -v a="$t0" -v b="$t1" -v n="$reqs" -v hz="$hz" 'BEGIN { if (n > 0) printf "%.0f", (b - a) * 1e6 / hz / n; else print "?" }')
    echo "$1 round $r: $rps req/s (non-2xx: $non2xx), server CPU ${cpu_us} us/request" >&2
    echo "$1 $r $rps $non2xx $cpu_us" >> "$tmp/results.tsv"
  done
}

# zonekeeper
port=$((20000 + RANDOM % 20000))
"$bin" serve --data-dir "$tmp/zk" --dns-listen 127.0.0.1:$((port + 1)) --api-listen 127.0.0.1:$port \
  --log-level warn ${ZK_SERVE_FLAGS:-} > "$tmp/zk.log" 2>&1 &
zk_pid=$!; pids+=("$zk_pid")
wait_http "http://127.0.0.1:$port/"
# Authorisation on: the UPSERTs are signed by a user holding exactly cert-manager's Route 53 policy
# (../shared/seeds), made by the admin of the first start (ZK_BENCH_ADMIN=1: sign as the admin instead).
read -r ukey usecret < <(AWS_SHARED_CREDENTIALS_FILE=$tmp/zk/credentials AWS_PROFILE=default \
  AWS_ACCESS_KEY_ID= AWS_SECRET_ACCESS_KEY= "$py" - "http://127.0.0.1:$port" <<'PY'
import json, os, sys, boto3
iam = boto3.client("iam", endpoint_url=sys.argv[1], region_name="us-east-1")
if os.environ.get("ZK_BENCH_ADMIN") == "1":
    c = boto3.session.Session().get_credentials()
    print(c.access_key, c.secret_key); sys.exit()
policy = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "route53:GetChange", "Resource": "arn:aws:route53:::change/*"},
    {"Effect": "Allow", "Action": ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets"],
     "Resource": "arn:aws:route53:::hostedzone/*"},
    {"Effect": "Allow", "Action": "route53:ListHostedZonesByName", "Resource": "*"}]}
iam.create_user(UserName="cert-manager")
iam.put_user_policy(UserName="cert-manager", PolicyName="route53-dns01", PolicyDocument=json.dumps(policy))
k = iam.create_access_key(UserName="cert-manager")["AccessKey"]
print(k["AccessKeyId"], k["SecretAccessKey"])
PY
)
# The zone is created by the admin; the UPSERTs are the user's.
zid_admin=$(AWS_SHARED_CREDENTIALS_FILE=$tmp/zk/credentials AWS_PROFILE=default AWS_ACCESS_KEY_ID= AWS_SECRET_ACCESS_KEY= \
  create_zone "http://127.0.0.1:$port")
export ZK_BENCH_ZONE_ID=$zid_admin
AWS_ACCESS_KEY_ID=$ukey AWS_SECRET_ACCESS_KEY=$usecret run_wrk zonekeeper "http://127.0.0.1:$port" "$zk_pid"
unset ZK_BENCH_ZONE_ID
kill "$zk_pid"; wait "$zk_pid" 2>/dev/null || true

if [ "$moto" = 1 ]; then
  mport=$((port + 2))
  moto_server -H 127.0.0.1 -p $mport > "$tmp/moto.log" 2>&1 &
  m_pid=$!; pids+=("$m_pid")
  wait_http "http://127.0.0.1:$mport/"
  AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing run_wrk moto "http://127.0.0.1:$mport" "$m_pid"
  kill "$m_pid"; wait "$m_pid" 2>/dev/null || true
fi

awk '{s[$1]+=$3; n[$1]++} END {
  zk = n["zonekeeper"] ? s["zonekeeper"]/n["zonekeeper"] : 0; mo = n["moto"] ? s["moto"]/n["moto"] : 0;
  printf "| server | signed UPSERTs/s (mean of rounds) |\n|---|---|\n";
  printf "| zonekeeper | %.0f |\n", zk; if (mo) printf "| moto_server | %.0f |\n", mo;
  if (mo) printf "ratio zonekeeper/moto: %.1fx\n", zk/mo }' "$tmp/results.tsv"
echo "raw: $tmp" >&2
