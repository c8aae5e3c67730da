#!/usr/bin/python3
# integration_dns_dig_kdig: the real zonekeeper queried by dig and kdig over UDP and TCP, plus AXFR.
"""Starts the server with a small zone and drives it with BIND's dig and Knot's kdig as
subprocesses, checking status, flags and sections from the tools' own output:
  - UDP and TCP (+tcp) answers: positive, NXDOMAIN/NODATA with SOA, CNAME, wildcard, referral (AA
    clear, glue), MX additional, multi-string TXT, REFUSED out of zone, BADVERS for EDNS 1, TC over
    UDP without EDNS and the full RRset over TCP, 0x20 case echo;
  - several queries on one TCP connection: kdig +tcp +keepopen through a counting TCP proxy (proves
    one connection), and 8 queries pipelined in one write (RFC 7766 §6.2.1.1);
  - AXFR from loopback with dig and kdig: SOA first and last, record count, and the record set equal
    to the zone file (parsed independently by dnspython).
Usage: dig_kdig.py --zonekeeper BIN   |   dig_kdig.py --server knot|nsd   (harness self-check)
"""
from __future__ import annotations

import argparse
import os
import re
import socket
import struct
import subprocess
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import dns.message  # noqa: E402
import dns.name  # noqa: E402
import dns.rdatatype  # noqa: E402
import dns.zone  # noqa: E402

import harness  # noqa: E402

ORIGIN = "dig.test."
ZONE = """$ORIGIN dig.test.
$TTL 300
@           3600 IN SOA ns1 hostmaster 2024010101 3600 600 86400 60
@           3600 IN NS  ns1
@           3600 IN NS  ns2.example.net.
@                IN MX  10 mail
ns1              IN A    192.0.2.1
ns1              IN AAAA 2001:db8::1
mail             IN A    192.0.2.25
mail             IN AAAA 2001:db8::25
www              IN A    192.0.2.10
www              IN AAAA 2001:db8::10
alias            IN CNAME www
txt              IN TXT "hello world" "second string"
*.wild           IN A    192.0.2.99
sub              IN NS   ns.sub
ns.sub           IN A    192.0.2.53
_sip._tcp        IN SRV  0 5 5060 www
a.b.ent          IN A    192.0.2.77
"""
BIG = "".join(f"big IN A 10.0.0.{i}\n" for i in range(1, 41))  # 40 A: > 512 bytes

failures: list[str] = []


def check(cond: bool, what: str, output: str = "") -> None:
    if cond:
        print(f"ok   {what}")
    else:
        failures.append(what)
        print(f"FAIL {what}\n" + "\n".join("     | " + ln for ln in output.splitlines()[-40:]))


# ---- dig / kdig output parsing (both print the same sections, with slightly different headers)


class ToolAnswer:
    def __init__(self, out: str):
        self.out = out
        m = re.search(r"->>HEADER<<- opcode: (\w+)[,;] status: (\w+)[,;] id: (\d+)", out)
        self.opcode, self.status = (m.group(1), m.group(2)) if m else (None, None)
        m = re.search(r";; [Ff]lags: ([a-z ]*);", out)
        self.flags = set(m.group(1).split()) if m else set()
        self.sections: dict[str, list[list[str]]] = {}
        cur = None
        for line in out.splitlines():
            h = re.match(r";; (\w+) SECTION:", line)
            if h:
                cur = h.group(1).upper()
                self.sections[cur] = []
                continue
            if not line.strip() or line.startswith(";"):
                if not line.strip():
                    cur = None
                continue
            if cur:
                self.sections[cur].append(line.split(None, 4))

    def rrs(self, section: str) -> list[list[str]]:
        return self.sections.get(section, [])

    def has(self, section: str, owner: str, rtype: str, rdata: str | None = None) -> bool:
        for f in self.rrs(section):
            if len(f) >= 4 and f[0].lower() == owner.lower() and f[3] == rtype and \
                    (rdata is None or (len(f) > 4 and f[4].strip() == rdata)):
                return True
        return False


def dig(port: int, *args: str) -> ToolAnswer:
    cmd = ["dig", "@127.0.0.1", "-p", str(port), "+norec", "+time=2", "+tries=2", *args]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    return ToolAnswer(f"$ {' '.join(cmd)}\n{p.stdout}{p.stderr}")


def kdig(port: int, *args: str) -> ToolAnswer:
    cmd = ["kdig", "@127.0.0.1", "-p", str(port), "+norec", "+time=2", "+retry=1", *args]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    return ToolAnswer(f"$ {' '.join(cmd)}\n{p.stdout}{p.stderr}")


def split_kdig_multi(out: str) -> list[ToolAnswer]:
    parts = re.split(r"(?=;; ->>HEADER<<-)", out)
    return [ToolAnswer(p) for p in parts if "->>HEADER<<-" in p]


# ---- a TCP proxy that counts client connections (proves kdig +keepopen reuses one)


class CountingProxy:
    def __init__(self, upstream_port: int):
        self.upstream = upstream_port
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.connections = 0
        self.stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _pipe(self, a: socket.socket, b: socket.socket) -> None:
        try:
            while True:
                data = a.recv(65536)
                if not data:
                    break
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def _accept(self) -> None:
        while not self.stop:
            try:
                c, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            u = socket.create_connection(("127.0.0.1", self.upstream))
            threading.Thread(target=self._pipe, args=(c, u), daemon=True).start()
            threading.Thread(target=self._pipe, args=(u, c), daemon=True).start()

    def close(self) -> None:
        self.stop = True
        self.listener.close()


def run_checks(port: int) -> None:
    o = ORIGIN
    for tool, run, tcp in (("dig", dig, "+tcp"), ("kdig", kdig, "+tcp")):
        for transport in ("udp", "tcp"):
            extra = [tcp] if transport == "tcp" else []
            tag = f"{tool} {transport}"
            a = run(port, *extra, f"www.{o}", "A")
            check(a.status == "NOERROR" and {"qr", "aa"} <= a.flags and "ra" not in a.flags
                  and a.has("ANSWER", f"www.{o}", "A", "192.0.2.10") and len(a.rrs("ANSWER")) == 1,
                  f"{tag}: www A -> NOERROR, qr aa (no ra), one A", a.out)
            if tool == "dig":  # kdig lowercases the name it sends; dig sends it as given
                a = run(port, *extra, "WwW.DiG.TeSt.", "AAAA")
                check(a.status == "NOERROR"
                      and any(f[0] == "WwW.DiG.TeSt." for f in a.rrs("ANSWER")),
                      f"{tag}: mixed-case query, answer owner keeps the query's case", a.out)
            a = run(port, *extra, f"nx.{o}", "A")
            check(a.status == "NXDOMAIN" and "aa" in a.flags and not a.rrs("ANSWER")
                  and a.has("AUTHORITY", o, "SOA"), f"{tag}: nx -> NXDOMAIN with SOA", a.out)
            soa = [f for f in a.rrs("AUTHORITY") if len(f) > 3 and f[3] == "SOA"]
            check(bool(soa) and soa[0][1] == "60",
                  f"{tag}: negative SOA TTL = min(SOA TTL, MINIMUM) = 60 (RFC 2308 §3)", a.out)
            a = run(port, *extra, f"www.{o}", "TXT")
            check(a.status == "NOERROR" and not a.rrs("ANSWER") and a.has("AUTHORITY", o, "SOA"),
                  f"{tag}: www TXT -> NODATA with SOA", a.out)
            a = run(port, *extra, f"b.ent.{o}", "A")
            check(a.status == "NOERROR" and not a.rrs("ANSWER") and a.has("AUTHORITY", o, "SOA"),
                  f"{tag}: empty non-terminal -> NODATA (not NXDOMAIN)", a.out)
            a = run(port, *extra, f"alias.{o}", "A")
            check(a.status == "NOERROR" and a.has("ANSWER", f"alias.{o}", "CNAME", f"www.{o}")
                  and a.has("ANSWER", f"www.{o}", "A", "192.0.2.10"),
                  f"{tag}: CNAME followed in zone (CNAME + A)", a.out)
            a = run(port, *extra, f"anything.wild.{o}", "A")
            check(a.status == "NOERROR" and a.has("ANSWER", f"anything.wild.{o}", "A", "192.0.2.99"),
                  f"{tag}: wildcard synthesised with the query name as owner", a.out)
            a = run(port, *extra, f"host.sub.{o}", "A")
            check(a.status == "NOERROR" and "aa" not in a.flags and not a.rrs("ANSWER")
                  and a.has("AUTHORITY", f"sub.{o}", "NS", f"ns.sub.{o}")
                  and a.has("ADDITIONAL", f"ns.sub.{o}", "A", "192.0.2.53"),
                  f"{tag}: referral: AA clear, NS in authority, glue in additional", a.out)
            a = run(port, *extra, o, "MX")
            check(a.status == "NOERROR" and a.has("ANSWER", o, "MX", f"10 mail.{o}")
                  and a.has("ADDITIONAL", f"mail.{o}", "A", "192.0.2.25")
                  and a.has("ADDITIONAL", f"mail.{o}", "AAAA", "2001:db8::25"),
                  f"{tag}: MX with target A/AAAA in additional", a.out)
            a = run(port, *extra, f"_sip._tcp.{o}", "SRV")
            check(a.status == "NOERROR" and a.has("ANSWER", f"_sip._tcp.{o}", "SRV", f"0 5 5060 www.{o}"),
                  f"{tag}: SRV", a.out)
            a = run(port, *extra, f"txt.{o}", "TXT")
            check(a.has("ANSWER", f"txt.{o}", "TXT", '"hello world" "second string"'),
                  f"{tag}: TXT with two strings", a.out)
            a = run(port, *extra, "www.example.org.", "A")
            check(a.status == "REFUSED" and "aa" not in a.flags and not a.rrs("ANSWER"),
                  f"{tag}: out of zone -> REFUSED", a.out)
            a = run(port, *extra, o, "SOA")
            check(a.status == "NOERROR" and a.has("ANSWER", o, "SOA") and len(a.rrs("ANSWER")) == 1,
                  f"{tag}: apex SOA", a.out)
            a = run(port, *extra, o, "NS")
            check(a.has("ANSWER", o, "NS", f"ns1.{o}") and a.has("ANSWER", o, "NS", "ns2.example.net.")
                  and a.has("ADDITIONAL", f"ns1.{o}", "A", "192.0.2.1"),
                  f"{tag}: apex NS with in-zone glue", a.out)
        # EDNS version 1 -> BADVERS (RFC 6891 §6.1.3); +noednsneg stops the tools retrying with 0.
        a = run(port, "+edns=1", *(["+noednsneg"] if tool == "dig" else []), o, "SOA")
        check(a.status == "BADVERS" and not a.rrs("ANSWER"), f"{tool}: EDNS version 1 -> BADVERS",
              a.out)
        # TC over UDP without EDNS; the whole RRset over TCP.
        a = run(port, "+noedns", "+ignore", f"big.{o}", "A")
        check("tc" in a.flags, f"{tool}: 40 A over UDP without EDNS -> TC", a.out)
        a = run(port, "+tcp", f"big.{o}", "A")
        check("tc" not in a.flags and len([f for f in a.rrs("ANSWER") if f[3] == "A"]) == 40,
              f"{tool}: 40 A over TCP -> all 40, no TC", a.out)
        a = run(port, "+bufsize=4096", f"big.{o}", "A")
        check("tc" not in a.flags and len(a.rrs("ANSWER")) == 40,
              f"{tool}: 40 A over UDP with EDNS 4096 -> all 40", a.out)


def run_keepopen(port: int) -> None:
    proxy = CountingProxy(port)
    try:
        names = ["www", "mail", "nx", "alias", "txt"]
        args = []
        for n in names:
            args += [f"{n}.{ORIGIN}", "A"]
        a = kdig(proxy.port, "+tcp", "+keepopen", *args)
        answers = split_kdig_multi(a.out)
        statuses = [x.status for x in answers]
        check(statuses == ["NOERROR", "NOERROR", "NXDOMAIN", "NOERROR", "NOERROR"],
              f"kdig +tcp +keepopen: 5 answers in order {statuses}", a.out)
        check(proxy.connections == 1,
              f"kdig +tcp +keepopen: 5 queries over {proxy.connections} TCP connection(s), want 1",
              a.out)
    finally:
        proxy.close()
    # Pipelining: 8 queries in one write, 8 answers matched by ID (RFC 7766 §6.2.1.1 allows any
    # order).
    c = harness.TcpClient(port, 5.0)
    try:
        wires, want = b"", {}
        for i, n in enumerate(["www", "mail", "ns1", "alias", "nx", "txt", "big", "x.wild"]):
            q = dns.message.make_query(f"{n}.{ORIGIN}", "A", use_edns=False)
            q.id = 1000 + i
            q.flags = 0
            wires += struct.pack("!H", len(q.to_wire())) + q.to_wire()
            want[q.id] = n
        c.sock.sendall(wires)
        got = {}
        for _ in want:
            h = harness.recv_exact(c.sock, 2)
            if h is None:
                break
            body = harness.recv_exact(c.sock, struct.unpack("!H", h)[0])
            if body is None:
                break
            m = dns.message.from_wire(body)
            got[m.id] = m
        ok = set(got) == set(want) and all(
            str(got[i].question[0].name).lower() == f"{n}.{ORIGIN}" for i, n in want.items())
        check(ok, f"TCP pipelining: 8 queries in one write -> {len(got)} matching answers",
              str(sorted(got)))
    finally:
        c.close()


def zone_rrset_lines(text: str) -> set[str]:
    z = dns.zone.from_text(text, origin=ORIGIN, relativize=False, check_origin=True)
    out = set()
    for name, node in z.nodes.items():
        for rds in node.rdatasets:
            for rd in rds:
                out.add(f"{name.to_text().lower()} {rds.ttl} {dns.rdatatype.to_text(rds.rdtype)} "
                        f"{rd.to_text().lower()}")
    return out


def run_axfr(port: int, zone_text: str) -> None:
    want = zone_rrset_lines(zone_text)
    for tool, run in (("dig", dig), ("kdig", kdig)):
        a = run(port, ORIGIN, "AXFR")
        lines = [ln for ln in a.out.splitlines() if ln.strip() and not ln.startswith(";")
                 and not ln.startswith("$")]
        recs = [ln.split(None, 4) for ln in lines]
        recs = [r for r in recs if len(r) == 5]
        ok_ends = len(recs) >= 2 and recs[0][3] == "SOA" and recs[-1][3] == "SOA" \
            and recs[0][4] == recs[-1][4]
        check(ok_ends, f"{tool} AXFR: SOA first and last", a.out)
        check(len(recs) == len(want) + 1,
              f"{tool} AXFR: {len(recs)} records, want {len(want) + 1} (zone + closing SOA)", a.out)
        got = {f"{r[0].lower()} {r[1]} {r[3]} {' '.join(r[4].split()).lower()}" for r in recs}
        missing, extra = want - got, got - want
        check(not missing and not extra,
              f"{tool} AXFR: record set equals the zone file (missing {sorted(missing)[:5]}, "
              f"extra {sorted(extra)[:5]})", a.out)
    a = dig(port, "other.test.", "AXFR")
    check("XFR size" not in a.out, "dig AXFR of a zone not served is refused", a.out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--zonekeeper")
    ap.add_argument("--server", default="zonekeeper", choices=["zonekeeper", "nsd-full", "knot"])
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    harness.require_tools("dig", "kdig")
    zone_text = ZONE + BIG
    srv = harness.make_server(args.server, {ORIGIN: zone_text}, args.zonekeeper, keep=args.keep)
    with srv:
        run_checks(srv.port)
        run_keepopen(srv.port)
        run_axfr(srv.port, zone_text)
        check(srv.alive(), f"{args.server} still running after the dig/kdig checks")
    print(f"\n{len(failures)} failure(s)" + ("" if not failures else ":\n  " + "\n  ".join(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
