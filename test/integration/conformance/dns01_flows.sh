#!/usr/bin/env bash
# Real-client DNS-01 issuance against a real `zonekeeper serve`: lego and certbot drive the Route 53 API.
#
#   dns01_flows.sh ZONEKEEPER_BINARY [FLOW...]      (default flows: lego-route53 certbot-dns-route53)
#
# Starts zonekeeper on free loopback ports with a fresh data folder, reads the administrator key the
# server wrote to DATA_DIR/credentials, and runs the shared acceptance flows
# (../shared/conformance/run-all.sh beside the repository clone; override with ZK_CONFORMANCE_DIR).
# Each flow gets a certificate from pebble (an ACME test CA that resolves the _acme-challenge TXT
# through zonekeeper's DNS) and checks the TXT is gone afterwards; see the README beside this file.
# Passes only when run-all.sh ends with "N passed, 0 failed" for every requested flow.
# env: ZK_CONF_KEEP=1 keep the temp folder; ZK_CONF_SERVER_ARGS extra `serve` flags (e.g.
#      "--dns-workers 8"); ZK_CONF_TRACE=1 also record every API exchange through run-all.sh's
#      TRACE_DIR proxy; FLOW_TIMEOUT (seconds per flow, default 420).
#      ZK_CONF_POLICY: whose key the ACME clients get (the flows' own zone setup always runs as the
#        administrator):
#        admin      (default) the administrator key of DATA_DIR/credentials
#        minimal    a new IAM user holding only cert-manager's seed policy (GetChange on change/*,
#                   ChangeResourceRecordSets + ListResourceRecordSets on hostedzone/*,
#                   ListHostedZonesByName on *); for certbot-dns-route53 plus route53:ListHostedZones,
#                   which its plugin calls to find the zone (certbot's documented policy has it)
#        no-change  the seed policy without route53:ChangeResourceRecordSets: an expected failure, so the
#                   script passes only when every flow FAILS with AccessDenied for
#                   route53:ChangeResourceRecordSets in the client's log and dig never saw the TXT
#      ZK_CONF_POLICY_DOC: a policy document (JSON) to use instead of the mode's (minimal, no-change)
set -u
set -o pipefail

say() { printf '[dns01 %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { echo "FAIL: $*"; exit 1; }

ZK_BIN="${1:-}"
[ -n "$ZK_BIN" ] || die "usage: $0 ZONEKEEPER_BINARY [FLOW...]"
shift
[ -x "$ZK_BIN" ] || die "zonekeeper binary '$ZK_BIN' is not executable"
FLOW_LIST=("$@")
[ ${#FLOW_LIST[@]} -gt 0 ] || FLOW_LIST=(lego-route53 certbot-dns-route53)
POLICY="${ZK_CONF_POLICY:-admin}"
case "$POLICY" in
    admin | minimal | no-change) ;;
    *) die "ZK_CONF_POLICY='$POLICY': expected admin, minimal or no-change" ;;
esac

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../../.." && pwd)"
CONF="${ZK_CONFORMANCE_DIR:-$REPO/../shared/conformance}"
[ -x "$CONF/run-all.sh" ] ||
    die "the shared conformance flows are missing: expected $CONF/run-all.sh (a copy of shared/ must sit" \
        "beside the clone, i.e. at $REPO/../shared, or set ZK_CONFORMANCE_DIR)"
for f in "${FLOW_LIST[@]}"; do
    [ -x "$CONF/flows/$f.sh" ] || die "flow '$f' not found at $CONF/flows/$f.sh"
done

# --- preconditions: fail loudly rather than let the flows apt-get in the middle of a test run --------
[ "$(id -u)" = 0 ] || die "needs root: the flows use 'unshare -m' (private /etc/hosts) and port 443 on a loopback address"
PY="$(command -v python3)" || die "python3 not found"
# the real interpreter behind a pyenv shim: the shim costs seconds per start on a loaded machine
PY="$("$PY" -c 'import sys; print(sys.executable)')" || die "$(command -v python3) does not run"
"$PY" -c 'import awscli' 2>/dev/null ||
    die "$PY lacks the awscli module (the flows create the zone with 'python3 -m awscli'); use a python3 with awscli/boto3 first in PATH"
need=(openssl curl util-linux bind9-dnsutils pebble)
for f in "${FLOW_LIST[@]}"; do
    case "$f" in
        lego-route53) need+=(lego) ;;
        certbot-dns-route53) need+=(certbot python3-certbot-dns-route53) ;;
    esac
done
missing=()
for p in "${need[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] || die "missing Debian packages: ${missing[*]} (run scripts/install-deps.sh test)"

# --- ports and addresses ------------------------------------------------------------------------------
# free_port [udp]: a TCP port (and, with udp, one also free over UDP) on 127.0.0.1
ZK_HARNESS="$HERE/../lib/zkharness.py"
free_port() { "$PY" "$ZK_HARNESS" free-port ${1:+--udp} 2>/dev/null; }
# a loopback address in 127.42/16 whose port 443 is free, for the TLS front of route53.amazonaws.com
free_front_ip() { "$PY" "$ZK_HARNESS" free-ip --port 443 --prefix 127.42 2>/dev/null; }
DNS_PORT=$(free_port udp); API_PORT=$(free_port)
[ -n "$DNS_PORT" ] && [ -n "$API_PORT" ] || die "no free loopback ports"
# the flows' fixed defaults (pebble 14000/15000, front 127.42.0.1:443) would collide with a parallel run
export PEBBLE_PORT=$(free_port) PEBBLE_MGMT_PORT=$(free_port) R53_FRONT_IP=$(free_front_ip)
[ -n "$PEBBLE_PORT" ] && [ -n "$PEBBLE_MGMT_PORT" ] && [ -n "$R53_FRONT_IP" ] || die "no free ports for pebble / TLS front"

TMP="$(mktemp -d /tmp/zk-dns01-XXXXXX)"
DATA="$TMP/data"
SERVER_LOG="$TMP/server.log"
export CONF_STATE="$TMP/state"
mkdir -p "$CONF_STATE"

ZK_PID=""
stop_server() {
    [ -n "$ZK_PID" ] || return 0
    if kill -0 "$ZK_PID" 2>/dev/null; then
        kill -TERM "$ZK_PID" 2>/dev/null
        for _ in $(seq 50); do kill -0 "$ZK_PID" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$ZK_PID" 2>/dev/null; then say "zonekeeper pid $ZK_PID ignored SIGTERM for 5 s; SIGKILL"; kill -KILL "$ZK_PID" 2>/dev/null; fi
    fi
    wait "$ZK_PID" 2>/dev/null
    ZK_PID=""
}
finish() {
    stop_server
    if [ "${ZK_CONF_KEEP:-0}" = 1 ]; then say "kept $TMP"; else rm -rf "$TMP"; fi
}
trap finish EXIT
trap 'exit 130' INT TERM

# --- the server under test ------------------------------------------------------------------------------
say "zonekeeper serve: dns 127.0.0.1:$DNS_PORT api 127.0.0.1:$API_PORT data $DATA"
# shellcheck disable=SC2086  # ZK_CONF_SERVER_ARGS: extra serve flags, word-split on purpose
"$ZK_BIN" serve --data-dir "$DATA" --dns-listen "127.0.0.1:$DNS_PORT" --api-listen "127.0.0.1:$API_PORT" \
    ${ZK_CONF_SERVER_ARGS:-} >"$SERVER_LOG" 2>&1 &
ZK_PID=$!
up=""
for _ in $(seq 300); do
    kill -0 "$ZK_PID" 2>/dev/null || break
    if (exec 3<>"/dev/tcp/127.0.0.1/$API_PORT") 2>/dev/null && [ -s "$DATA/credentials" ]; then up=1; break; fi
    sleep 0.1
done
if [ -z "$up" ]; then
    sed 's/^/  server| /' "$SERVER_LOG" >&2
    kill -0 "$ZK_PID" 2>/dev/null && die "zonekeeper did not open 127.0.0.1:$API_PORT and write $DATA/credentials within 30 s"
    wait "$ZK_PID"; rc=$?; ZK_PID=""
    die "zonekeeper exited with status $rc at start (log above)"
fi

# AWS shared-credentials file, profile [default]
read_cred() {
    awk -v key="$1" '
        /^[ \t]*\[/ { gsub(/[][ \t]/, ""); prof = $0; next }
        prof == "default" { line = $0; sub(/[ \t]*[;#].*$/, "", line)
            n = index(line, "="); if (n == 0) next
            k = substr(line, 1, n - 1); v = substr(line, n + 1)
            gsub(/^[ \t]+|[ \t]+$/, "", k); gsub(/^[ \t]+|[ \t]+$/, "", v)
            if (k == key) { print v; exit } }' "$DATA/credentials"
}
AWS_ACCESS_KEY_ID="$(read_cred aws_access_key_id)"
AWS_SECRET_ACCESS_KEY="$(read_cred aws_secret_access_key)"
[ -n "$AWS_ACCESS_KEY_ID" ] && [ -n "$AWS_SECRET_ACCESS_KEY" ] ||
    die "no aws_access_key_id/aws_secret_access_key under [default] in $DATA/credentials"
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
unset AWS_SESSION_TOKEN AWS_PROFILE AWS_DEFAULT_PROFILE
say "credentials: key id $AWS_ACCESS_KEY_ID from $DATA/credentials"

# --- ZK_CONF_POLICY: a restricted IAM user for the clients ----------------------------------------------
# The flows run `$PYTHON -m awscli ... create-hosted-zone` for their setup and give AWS_ACCESS_KEY_ID to
# the ACME client. With a restricted key the setup stays the operator's job: $PYTHON becomes a wrapper
# that runs `-m awscli` with the administrator key; the client (and the TLS front) get the restricted
# key, which is checked to be the new user's and unable to create a zone before the flows start.
RUN_PY="$PY"
CLIENT_USER=""
if [ "$POLICY" != admin ]; then
    zk_aws() {  # zk_aws KEY_ID SECRET ARGS...: the aws CLI v1 of $PY against the server under test
        env AWS_ACCESS_KEY_ID="$1" AWS_SECRET_ACCESS_KEY="$2" AWS_CONFIG_FILE=/dev/null \
            AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_DEFAULT_REGION=us-east-1 \
            "$PY" -m awscli --endpoint-url "http://127.0.0.1:$API_PORT" --output text "${@:3}"
    }
    ADMIN_KEY="$AWS_ACCESS_KEY_ID" ADMIN_SECRET="$AWS_SECRET_ACCESS_KEY"
    change='"route53:ChangeResourceRecordSets",'
    [ "$POLICY" = no-change ] && change=""
    list_zones=""
    case " ${FLOW_LIST[*]} " in *" certbot-dns-route53 "*) list_zones=',"route53:ListHostedZones"' ;; esac
    DEFAULT_DOC='{"Version":"2012-10-17","Statement":['
    DEFAULT_DOC+='{"Effect":"Allow","Action":"route53:GetChange","Resource":"arn:aws:route53:::change/*"},'
    DEFAULT_DOC+='{"Effect":"Allow","Action":['"$change"'"route53:ListResourceRecordSets"],"Resource":"arn:aws:route53:::hostedzone/*"},'
    DEFAULT_DOC+='{"Effect":"Allow","Action":["route53:ListHostedZonesByName"'"$list_zones"'],"Resource":"*"}]}'
    DOC="${ZK_CONF_POLICY_DOC:-$DEFAULT_DOC}"
    CLIENT_USER="dns01-$POLICY"
    {
        zk_aws "$ADMIN_KEY" "$ADMIN_SECRET" iam create-user --user-name "$CLIENT_USER" &&
            zk_aws "$ADMIN_KEY" "$ADMIN_SECRET" iam put-user-policy --user-name "$CLIENT_USER" \
                --policy-name "$POLICY" --policy-document "$DOC"
    } >"$TMP/iam.log" 2>&1 || die "creating IAM user $CLIENT_USER failed: $(tail -3 "$TMP/iam.log")"
    read -r CLIENT_KEY CLIENT_SECRET < <(zk_aws "$ADMIN_KEY" "$ADMIN_SECRET" iam create-access-key \
        --user-name "$CLIENT_USER" --query 'AccessKey.[AccessKeyId,SecretAccessKey]' 2>>"$TMP/iam.log")
    [ -n "${CLIENT_KEY:-}" ] && [ -n "${CLIENT_SECRET:-}" ] ||
        die "iam create-access-key for $CLIENT_USER failed: $(tail -3 "$TMP/iam.log")"
    say "policy $POLICY: user $CLIENT_USER (key $CLIENT_KEY) holds $DOC"
    who="$(zk_aws "$CLIENT_KEY" "$CLIENT_SECRET" sts get-caller-identity --query Arn 2>&1)"
    case "$who" in *":user/$CLIENT_USER") ;; *) die "the $CLIENT_USER key does not work: $who" ;; esac
    if denied="$(zk_aws "$CLIENT_KEY" "$CLIENT_SECRET" route53 create-hosted-zone --name "probe-$$.example.test" \
        --caller-reference "probe-$$" 2>&1)"; then
        die "the $CLIENT_USER key could create a hosted zone: $denied"
    fi
    grep -q AccessDenied <<<"$denied" || die "create-hosted-zone with the $CLIENT_USER key: expected AccessDenied: $denied"
    say "policy $POLICY: $who cannot create-hosted-zone (AccessDenied); the flows' setup runs as the administrator"
    export ZK_CONF_ADMIN_KEY_ID="$ADMIN_KEY" ZK_CONF_ADMIN_SECRET="$ADMIN_SECRET"
    export AWS_ACCESS_KEY_ID="$CLIENT_KEY" AWS_SECRET_ACCESS_KEY="$CLIENT_SECRET"
    RUN_PY="$TMP/python-setup-as-admin"
    {
        echo '#!/bin/sh'
        echo '# $PYTHON for the flows: `-m awscli` (their zone setup) runs as the administrator, anything else as is'
        echo 'if [ "$1" = -m ] && [ "$2" = awscli ]; then'
        echo '    AWS_ACCESS_KEY_ID="$ZK_CONF_ADMIN_KEY_ID" AWS_SECRET_ACCESS_KEY="$ZK_CONF_ADMIN_SECRET"'
        echo '    export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY'
        echo 'fi'
        echo "exec '$PY' \"\$@\""
    } >"$RUN_PY"
    chmod 700 "$RUN_PY"
fi

# --- the flows ----------------------------------------------------------------------------------------
export FLOWS="${FLOW_LIST[*]}" PYTHON="$RUN_PY"
export FLOW_TIMEOUT="${FLOW_TIMEOUT:-420}"
[ "${ZK_CONF_TRACE:-0}" = 1 ] && export TRACE_DIR="$TMP/trace"
say "run-all.sh FLOWS='$FLOWS' (CONF_STATE=$CONF_STATE, pebble :$PEBBLE_PORT, front $R53_FRONT_IP:443)"
t0=$(date +%s)
"$CONF/run-all.sh" "http://127.0.0.1:$API_PORT" "127.0.0.1:$DNS_PORT" 2>&1 | tee "$TMP/run-all.log"
rc=$?
say "run-all.sh exited $rc after $(( $(date +%s) - t0 )) s"
server_alive=1
kill -0 "$ZK_PID" 2>/dev/null || server_alive=0

want="${#FLOW_LIST[@]} passed, 0 failed"
last="$(tail -1 "$TMP/run-all.log")"
if [ "$POLICY" = no-change ]; then
    # the expected failure: every flow failed, each client's log shows the AccessDenied of its UPSERT
    # (ChangeResourceRecordSets), and dig never saw the TXT record
    want="0 passed, ${#FLOW_LIST[@]} failed"
    why=""
    [ "$last" = "$want" ] || why="run-all.sh ended '$last', expected '$want'"
    [ "$server_alive" = 1 ] || why="zonekeeper is no longer running"
    for f in "${FLOW_LIST[@]}"; do
        d="$(ls -d "$CONF_STATE/out/$f"-*/ 2>/dev/null | head -1)"
        log=""
        for c in lego.log certbot.log; do [ -n "$d" ] && [ -s "$d$c" ] && log="$d$c"; done
        if [ -z "$log" ]; then why="$f: no client log under $CONF_STATE/out"; continue; fi
        line="$(grep -m1 'AccessDenied' "$log")"
        if [ -z "$line" ] || ! grep -q 'route53:ChangeResourceRecordSets' <<<"$line"; then
            why="$f: no AccessDenied for route53:ChangeResourceRecordSets in $(basename "$log")"
            continue
        fi
        say "$f, as expected: $(sed 's/^ *//' <<<"$line" | cut -c1-400)"
        grep -q "^FAIL $f: " "$TMP/run-all.log" || why="$f: no FAIL verdict in run-all.sh's output"
        [ -s "${d}txt-watch.log" ] && why="$f: dig saw the TXT although the UPSERT was refused: $(head -1 "${d}txt-watch.log")"
    done
    if [ -z "$why" ]; then
        stop_server
        echo "PASS: expected failure ($want): AccessDenied on route53:ChangeResourceRecordSets for $CLIENT_USER, no TXT served"
        exit 0
    fi
    echo "the expected-failure check did not hold: $why" >&2
elif [ "$rc" = 0 ] && [ "$last" = "$want" ] && [ "$server_alive" = 1 ]; then
    stop_server
    echo "PASS: $want${CLIENT_USER:+ (the clients used IAM user $CLIENT_USER, policy $POLICY)}"
    exit 0
fi

# --- failure: show everything the flows left behind ---------------------------------------------------
show() {  # show FILE [LINES]
    [ -s "$1" ] || return 0
    echo "----- ${1#"$TMP"/} (last ${2:-60} lines)"
    tail -n "${2:-60}" "$1"
}
{
    echo "===== logs of the failed run ($TMP)"
    [ "$server_alive" = 1 ] || echo "zonekeeper (pid $ZK_PID) is no longer running"
    for d in "$CONF_STATE"/out/*/; do
        [ -d "$d" ] || continue
        echo "===== flow output $(basename "$d")"
        for f in setup.err lego.log certbot.log certbot/logs/letsencrypt.log pebble.log aws-front.log txt-watch.log; do
            show "$d$f" 80
        done
        if [ -s "${d}aws-front.jsonl" ]; then
            "$PY" "$CONF/lib/trace2md.py" "${d}aws-front.jsonl" >"${d}aws-front.md" 2>/dev/null &&
                show "${d}aws-front.md" 400
        fi
    done
    for t in "$TMP"/trace/*.md; do show "$t" 400; done
    show "$SERVER_LOG" 100
} >&2
stop_server
die "expected '$want' from run-all.sh, got '$last' (exit $rc)"
