#!/usr/bin/env bash
# Installs the Debian packages zonekeeper needs to build, test and benchmark; idempotent: only what
# is missing is installed. Usage: scripts/install-deps.sh [build|test|all]   (default: test)
set -euo pipefail
what=${1:-test}
build_pkgs=(g++ cmake ninja-build pkg-config libssl-dev libsqlite3-dev libboost-dev
  nlohmann-json3-dev libpugixml-dev libcli11-dev libspdlog-dev libfmt-dev libgtest-dev libgmock-dev
  libbenchmark-dev python3 python3-botocore ccache)
test_pkgs=(clang-14 libclang-rt-14-dev bind9-dnsutils knot-dnsutils nsd python3-dnspython lego pebble certbot python3-certbot-dns-route53 openssl curl util-linux
  awscli python3-boto3)
all_pkgs=(knot pdns-server pdns-backend-bind bind9 dnsperf wrk)
pkgs=("${build_pkgs[@]}")
case "$what" in
  build) ;;
  test) pkgs+=("${test_pkgs[@]}") ;;
  all) pkgs+=("${test_pkgs[@]}" "${all_pkgs[@]}") ;;
  *) echo "usage: $0 [build|test|all]" >&2; exit 2 ;;
esac
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js and npm (the AWS SDK for JavaScript v3 in the IMDS flow): any install will do, so only when
# neither is on PATH are Debian's taken (a machine-provided Node conflicts with Debian's npm package).
if [ "$what" != build ] && ! command -v npm >/dev/null 2>&1; then missing+=(nodejs npm); fi
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
# nsd and knot start system services on install; the tests run their own instances on high ports.
for svc in nsd knot; do
  if command -v systemctl >/dev/null 2>&1; then $SUDO systemctl disable --now "$svc" >/dev/null 2>&1 || true; fi
done
exit 0
