#!/usr/bin/env python3
"""change-latency.py - time from a ChangeResourceRecordSets response to the record answered over DNS.

For each of N changes: one UPSERT of one A record with a new, unique address (even changes create a
new name, odd changes give an existing name a new address), then
  api_ms     how long the signed ChangeResourceRecordSets call took (boto3 included, ~2-3 ms of it)
  answer_ms  t0 = the moment the API response returned; a UDP DNS query (no recursion) for the name is
             sent, and sent again every --poll-us after each answer that is not the new address, until
             the answer holds it: answer_ms = time that answer arrived - t0. A change already served
             when the response returns costs one query round trip (~0.1-0.2 ms from Python).
  insync_ms  0 when the response's ChangeInfo.Status is already INSYNC (GetChange is then still called
             once to confirm it; a PENDING there counts as "contradicted", a bug); otherwise time from t0
             until a GetChange returns INSYNC, polled every --getchange-poll-ms. GetChange polling starts
             once the DNS answer has been seen (DNS is polled first so its timing is not blurred by
             ~2 ms boto3 calls): for a PENDING change, insync_ms >= answer_ms by construction.
  server CPU (--server-pid) utime+stime the server spent during the measured changes / changes
             (API, commit, publish, the DNS polls and GetChange calls all included)
  dns_rtt    200 SOA queries before the changes: one query round trip, the floor of answer_ms.
DNS queries are built and parsed here on a raw UDP socket (no dnspython, no dig: a dig process per
poll costs ~10 ms), so any python3 with boto3 runs it.

usage:
  change-latency.py --endpoint URL --dns HOST:PORT (--create-zone NAME | --zone-name NAME) [options]
Credentials come from the usual boto3 places (AWS_SHARED_CREDENTIALS_FILE for zonekeeper).
Prints progress to stderr and, last on stdout, one JSON line with the percentiles.
"""
import argparse
import json
import os
import random
import socket
import struct
import sys
import time
import uuid

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

QTYPE_A = 1
QTYPE_SOA = 6


# ---------------------------------------------------------------- minimal DNS over UDP (RFC 1035 §4.1)
def encode_name(name):
    out = bytearray()
    for label in name.rstrip(".").split("."):
        if label:
            b = label.encode("ascii")
            out.append(len(b))
            out += b
    out.append(0)
    return bytes(out)


def skip_name(msg, off):
    # RFC 1035 §4.1.4: a name ends at a zero label or at a 2-byte pointer.
    while True:
        n = msg[off]
        if n == 0:
            return off + 1
        if n & 0xC0 == 0xC0:
            return off + 2
        off += 1 + n


class DnsPoller:
    """One connected UDP socket; query(name, qtype) -> (rcode, [A addresses in the answer section])."""

    def __init__(self, host, port, timeout=0.5):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.connect((host, port))
        self.sock.settimeout(timeout)
        self.qid = random.randrange(0x10000)
        self.queries = 0
        self.timeouts = 0

    def query(self, name, qtype):
        self.qid = (self.qid + 1) & 0xFFFF
        # header: ID, flags 0 (QUERY, RD=0), QDCOUNT 1; question: QNAME QTYPE QCLASS=IN
        pkt = struct.pack(">HHHHHH", self.qid, 0, 1, 0, 0, 0) + encode_name(name) + struct.pack(">HH", qtype, 1)
        while True:
            self.sock.send(pkt)
            self.queries += 1
            try:
                while True:
                    msg = self.sock.recv(4096)
                    if len(msg) >= 12 and struct.unpack_from(">H", msg)[0] == self.qid:
                        return self._parse(msg)
                    # a late answer to an earlier (timed-out) query: skip it
            except socket.timeout:
                self.timeouts += 1  # lost or unanswered: ask again

    @staticmethod
    def _parse(msg):
        _, flags, qd, an, _, _ = struct.unpack_from(">HHHHHH", msg)
        rcode = flags & 0xF
        off = 12
        for _ in range(qd):
            off = skip_name(msg, off) + 4
        addrs = []
        for _ in range(an):
            off = skip_name(msg, off)
            rtype, _, _, rdlen = struct.unpack_from(">HHIH", msg, off)
            off += 10
            if rtype == QTYPE_A and rdlen == 4:
                addrs.append(socket.inet_ntoa(msg[off:off + 4]))
            off += rdlen
        return rcode, addrs


# ---------------------------------------------------------------- helpers
def pct(values, p):
    """Nearest-rank percentile (p in 0..100) of a list; None when empty."""
    if not values:
        return None
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(-(-p * len(s) // 100)) - 1))
    return s[k]


def proc_cpu_s(pid):
    """utime + stime of a process (all threads), seconds; None without a pid (proc(5))."""
    if not pid:
        return None
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def addr_of(k):
    # 10.0.0.0/8 is not used by gen-big-zone.py, so a new value never equals an imported one.
    k %= 1 << 24
    return "10.%d.%d.%d" % (k >> 16, (k >> 8) & 0xFF, k & 0xFF)


def find_zone_id(r53, name):
    want = name if name.endswith(".") else name + "."
    res = r53.list_hosted_zones_by_name(DNSName=want, MaxItems="1")
    for z in res["HostedZones"]:
        if z["Name"] == want:
            return z["Id"].split("/")[-1], z.get("ResourceRecordSetCount")
    sys.exit("no hosted zone named %s (ListHostedZonesByName)" % want)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--dns", required=True, help="HOST:PORT of the DNS server")
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--create-zone", metavar="NAME", help="create this hosted zone first (small zone)")
    g.add_argument("--zone-name", metavar="NAME", help="use this existing hosted zone")
    ap.add_argument("-n", "--changes", type=int, default=1000)
    ap.add_argument("--warmup", type=int, default=20, help="changes made first and not counted")
    ap.add_argument("--poll-us", type=float, default=200, help="pause between DNS polls")
    ap.add_argument("--getchange-poll-ms", type=float, default=1.0)
    ap.add_argument("--give-up-s", type=float, default=30.0, help="per change, for DNS and for INSYNC")
    ap.add_argument("--existing-fmt", help="odd changes modify pre-existing names FMT %% i (e.g. h-%%07d)")
    ap.add_argument("--existing-count", type=int, default=0, help="i ranges over 0..COUNT-1")
    ap.add_argument("--label", default="")
    ap.add_argument("--csv", help="write one row per change here")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--server-pid", type=int, help="report the server's CPU time per measured change")
    a = ap.parse_args()
    rnd = random.Random(a.seed)

    r53 = boto3.client("route53", endpoint_url=a.endpoint, region_name="us-east-1",
                       config=Config(retries={"total_max_attempts": 1}))
    host, port = a.dns.rsplit(":", 1)
    dns = DnsPoller(host, int(port))

    if a.create_zone:
        zone = a.create_zone if a.create_zone.endswith(".") else a.create_zone + "."
        zid = r53.create_hosted_zone(Name=zone, CallerReference=uuid.uuid4().hex)["HostedZone"]["Id"].split("/")[-1]
        zone_sets = None
    else:
        zone = a.zone_name if a.zone_name.endswith(".") else a.zone_name + "."
        zid, zone_sets = find_zone_id(r53, zone)
    zone_sets = r53.get_hosted_zone(Id=zid)["HostedZone"].get("ResourceRecordSetCount", zone_sets)
    rcode, _ = dns.query(zone, QTYPE_SOA)
    if rcode != 0:
        sys.exit("DNS at %s does not serve %s (SOA query rcode %d)" % (a.dns, zone, rcode))
    print("zone %s id %s, %s record sets; %d warm-up + %d measured changes" %
          (zone, zid, zone_sets, a.warmup, a.changes), file=sys.stderr)

    run = uuid.uuid4().hex[:6]
    counter = rnd.randrange(1 << 24)
    existing = rnd.sample(range(a.existing_count), min(a.existing_count, a.changes + a.warmup)) \
        if a.existing_fmt and a.existing_count else []
    # the floor of answer_ms: one query round trip from here
    rtt = []
    for _ in range(200):
        t = time.perf_counter()
        dns.query(zone, QTYPE_SOA)
        rtt.append((time.perf_counter() - t) * 1e3)
    last_new = None
    contradicted = 0
    api_errors = []
    rows = []
    poll_s = a.poll_us / 1e6
    gc_poll_s = a.getchange_poll_ms / 1e3
    total = a.warmup + a.changes
    t_start = time.perf_counter()
    cpu_start = None
    for i in range(total):
        if i == a.warmup:
            cpu_start = proc_cpu_s(a.server_pid)
        if i % 2 == 0 or last_new is None:
            kind, name = "new", "cl-%s-%d.%s" % (run, i, zone)
            last_new = name
        else:
            kind = "existing"
            if existing:
                name = (a.existing_fmt % existing.pop()) + "." + zone
            else:
                name = last_new
        counter += 1
        value = addr_of(counter)
        ts = time.perf_counter()
        try:
            resp = r53.change_resource_record_sets(HostedZoneId=zid, ChangeBatch={"Changes": [{
                "Action": "UPSERT", "ResourceRecordSet": {"Name": name, "Type": "A", "TTL": 60,
                                                          "ResourceRecords": [{"Value": value}]}}]})
        except ClientError as e:
            # counted and skipped (not retried: the next change is a new one)
            api_errors.append("%.3f %s" % (time.perf_counter() - t_start, e.response["Error"].get("Code")))
            print("  change %d failed after %.0f ms: %s" % (i, (time.perf_counter() - ts) * 1e3, e), file=sys.stderr)
            if len(api_errors) > max(10, total // 10):
                sys.exit("too many failed changes")
            time.sleep(0.01)
            continue
        t0 = time.perf_counter()
        info = resp["ChangeInfo"]
        status0 = info["Status"]
        cid = info["Id"]

        # DNS: poll until the new address is answered
        polls = 0
        t_ans = None
        while True:
            _, addrs = dns.query(name, QTYPE_A)
            t = time.perf_counter()
            polls += 1
            if value in addrs:
                t_ans = t
                break
            if t - t0 > a.give_up_s:
                break
            time.sleep(poll_s)

        # GetChange: until INSYNC (called at least once, to confirm a response that said INSYNC)
        gets = 0
        t_sync = t0 if status0 == "INSYNC" else None
        while True:
            st = r53.get_change(Id=cid)["ChangeInfo"]["Status"]
            t = time.perf_counter()
            gets += 1
            if st == "INSYNC":
                if t_sync is None:
                    t_sync = t
                break
            if status0 == "INSYNC":
                contradicted += 1  # the response said INSYNC, GetChange says otherwise: a bug
                break
            if t - t0 > a.give_up_s:
                break
            time.sleep(gc_poll_s)

        if i >= a.warmup:
            rows.append({
                "i": i - a.warmup, "t_s": ts - t_start, "kind": kind, "name": name, "value": value,
                "api_ms": (t0 - ts) * 1e3, "status_in_response": status0,
                "answer_ms": None if t_ans is None else (t_ans - t0) * 1e3, "dns_polls": polls,
                "insync_ms": None if t_sync is None else (t_sync - t0) * 1e3, "getchange_calls": gets,
            })
        if (i + 1) % 200 == 0:
            print("  %d/%d changes" % (i + 1, total), file=sys.stderr)
    wall = time.perf_counter() - t_start
    cpu_end = proc_cpu_s(a.server_pid)
    server_cpu_ms = None
    if cpu_start is not None and cpu_end is not None and rows:
        server_cpu_ms = (cpu_end - cpu_start) * 1e3 / len(rows)

    if a.csv:
        with open(a.csv, "w") as f:
            cols = list(rows[0].keys()) if rows else []
            f.write(",".join(cols) + "\n")
            for r in rows:
                f.write(",".join("" if r[c] is None else (("%.3f" % r[c]) if isinstance(r[c], float) else str(r[c]))
                                 for c in cols) + "\n")

    ans = [r["answer_ms"] for r in rows if r["answer_ms"] is not None]
    syn = [r["insync_ms"] for r in rows if r["insync_ms"] is not None]
    api = [r["api_ms"] for r in rows]
    summary = {
        "label": a.label, "zone": zone, "zone_id": zid, "record_sets": zone_sets, "changes": len(rows),
        "answer_missing": len(rows) - len(ans), "insync_missing": len(rows) - len(syn),
        "answer_p50": pct(ans, 50), "answer_p90": pct(ans, 90), "answer_p99": pct(ans, 99),
        "answer_max": max(ans) if ans else None,
        "first_poll_hit": sum(1 for r in rows if r["dns_polls"] == 1),
        "insync_p50": pct(syn, 50), "insync_p90": pct(syn, 90), "insync_p99": pct(syn, 99),
        "insync_max": max(syn) if syn else None,
        "insync_in_response": sum(1 for r in rows if r["status_in_response"] == "INSYNC"),
        "api_p50": pct(api, 50), "api_p99": pct(api, 99), "api_max": max(api) if api else None,
        "dns_timeouts": dns.timeouts, "dns_rtt_p50": pct(rtt, 50), "dns_rtt_p99": pct(rtt, 99),
        "insync_contradicted": contradicted, "api_errors": len(api_errors), "server_cpu_ms_per_change": server_cpu_ms, "wall_s": wall,
    }
    f2 = lambda v: "NA" if v is None else "%.2f" % v
    print("%s: %d changes; answer p50 %s p90 %s p99 %s max %s ms (%d answered on the first poll); "
          "INSYNC p50 %s p99 %s ms (%d INSYNC in the response, %d contradicted by GetChange); %d failed calls; "
          "API call p50 %s p99 %s ms; one DNS round trip p50 %s ms; server CPU %s ms/change" % (
              a.label or zone, len(rows), f2(summary["answer_p50"]), f2(summary["answer_p90"]),
              f2(summary["answer_p99"]), f2(summary["answer_max"]), summary["first_poll_hit"],
              f2(summary["insync_p50"]), f2(summary["insync_p99"]), summary["insync_in_response"], contradicted, len(api_errors),
              f2(summary["api_p50"]), f2(summary["api_p99"]), f2(summary["dns_rtt_p50"]),
              f2(server_cpu_ms)), file=sys.stderr)
    print(json.dumps(summary))
    ok = not summary["answer_missing"] and not summary["insync_missing"] and not contradicted and not api_errors
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
