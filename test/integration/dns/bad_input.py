#!/usr/bin/python3
# integration_dns_bad_input: hostile bytes over UDP and TCP; the server must stay up and correct.
"""Sends the running server, in order:
  UDP: 10,000 random datagrams (pure random, random bodies behind a plausible header, and bit-flipped
       valid queries); every prefix of valid queries (truncation); pointer loops and bad pointers in
       the question; oversized labels and names; reserved label types; QDCOUNT 0/2/65535; header-only
       messages; bad OPT records.
  TCP: a client that sends half a length prefix and stalls; one that sends a length then closes;
       one that sends a length and part of a message then stalls; a zero length; a length of 65535
       with a few bytes; a query dribbled one byte at a time; a flood of connections beyond any
       sensible limit (held open while UDP must still answer, then released).
Replies are checked as they come: a reply must carry QR=1 and the query's ID, and for the
malformed cases the RCODE must be FORMERR (silence is also accepted). Between phases and at the
end it proves the process is alive (pid) and answers correctly over UDP from many source ports
(so every SO_REUSEPORT worker is exercised) and over TCP.
Usage: bad_input.py --zonekeeper BIN   |   bad_input.py --server nsd|knot   (harness self-check)
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import select
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import dns.message  # noqa: E402
import dns.name  # noqa: E402
import dns.rcode  # noqa: E402
import dns.rdatatype  # noqa: E402

import harness  # noqa: E402

ORIGIN = "bad.test."
ZONE = """$ORIGIN bad.test.
$TTL 300
@     IN SOA ns1 hostmaster 1 3600 600 86400 60
@     IN NS  ns1
ns1   IN A   192.0.2.1
www   IN A   192.0.2.80
www   IN TXT "still here"
"""

failures: list[str] = []


def check(cond: bool, what: str, detail: str = "") -> None:
    print(("ok   " if cond else "FAIL ") + what + ("" if cond or not detail else f"\n     {detail}"),
          flush=True)
    if not cond:
        failures.append(what)


def hdr(qid: int, flags: int, qd: int, an: int = 0, ns: int = 0, ar: int = 0) -> bytes:
    return struct.pack("!HHHHHH", qid, flags, qd, an, ns, ar)


def qsec(name: str, qtype: int = 1) -> bytes:
    return dns.name.from_text(name).to_wire() + struct.pack("!HH", qtype, 1)


def valid_query(rng: random.Random, edns: bool) -> bytes:
    q = dns.message.make_query(f"www.{ORIGIN}", rng.choice(["A", "TXT", "SOA", "AAAA"]),
                               use_edns=0 if edns else False)
    q.id = rng.randint(0, 0xFFFF)
    return q.to_wire()


class Health:
    """Correctness probes: www A over UDP from many source ports, and over TCP."""

    def __init__(self, srv):
        self.srv = srv

    def udp_ok(self, n: int = 64) -> tuple[bool, str]:
        bad = 0
        for i in range(n):
            q = dns.message.make_query(f"www.{ORIGIN}", "A", use_edns=bool(i % 2))
            r = harness.udp_exchange(q.to_wire(), self.srv.port, 1.0)
            if r is None:
                r = harness.udp_exchange(q.to_wire(), self.srv.port, 1.0)
            if not _is_www_answer(r, q.id):
                bad += 1
        return bad == 0, f"{bad}/{n} UDP probes unanswered or wrong"

    def tcp_ok(self) -> tuple[bool, str]:
        try:
            c = harness.TcpClient(self.srv.port, 3.0)
        except OSError as e:
            return False, f"connect: {e}"
        try:
            for _ in range(3):
                q = dns.message.make_query(f"www.{ORIGIN}", "A", use_edns=False)
                if not _is_www_answer(c.exchange(q.to_wire()), q.id):
                    return False, "wrong or missing TCP answer"
        finally:
            c.close()
        return True, ""

    def assert_all(self, phase: str) -> None:
        check(self.srv.alive(), f"[{phase}] process {self.srv.proc.pid} alive",
              self.srv.log_tail())
        if not self.srv.alive():
            raise SystemExit(_finish())
        ok, why = self.udp_ok()
        check(ok, f"[{phase}] answers www A correctly over UDP from 64 source ports", why)
        ok, why = self.tcp_ok()
        check(ok, f"[{phase}] answers www A correctly over TCP (3 queries, one connection)", why)


def _is_www_answer(wire: bytes | None, qid: int) -> bool:
    if wire is None:
        return False
    try:
        m = dns.message.from_wire(wire)
    except Exception:  # noqa: BLE001
        return False
    return (m.id == qid and m.rcode() == 0 and len(m.answer) == 1
            and m.answer[0].rdtype == dns.rdatatype.A and m.answer[0][0].address == "192.0.2.80")


class ReplyChecker:
    """Sends datagrams from one socket and validates every reply that comes back."""

    def __init__(self, port: int):
        self.port = port
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 21)
        self.sock.setblocking(False)
        self.sent_ids: dict[bytes, str] = {}
        self.replies = 0
        self.bad: list[str] = []

    def send(self, wire: bytes, label: str, must_formerr: bool = False) -> None:
        if len(wire) >= 3 and wire[2] & 0x80:
            label = "QR=1 datagram " + label  # a response: must never be answered
        if len(wire) >= 2:
            self.sent_ids[wire[:2]] = label + ("!" if must_formerr else "")
        try:
            self.sock.sendto(wire, ("127.0.0.1", self.port))
        except BlockingIOError:
            self.drain(0.05)
            self.sock.sendto(wire, ("127.0.0.1", self.port))
        self.drain(0)

    def drain(self, wait: float) -> None:
        end = time.monotonic() + wait
        while True:
            left = max(0.0, end - time.monotonic())
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                return
            try:
                data = self.sock.recv(65535)
            except BlockingIOError:
                continue
            self.replies += 1
            self._validate(data)

    def _validate(self, data: bytes) -> None:
        if len(data) < 12:
            self.bad.append(f"{len(data)}-byte reply {data.hex()}")
            return
        label = self.sent_ids.get(data[:2])
        flags = struct.unpack("!H", data[2:4])[0]
        if label is None:
            self.bad.append(f"reply with an ID never sent: {data[:32].hex()}")
        elif label.startswith("QR=1 datagram"):
            # Answering responses lets two servers bounce packets forever (reflection loop).
            self.bad.append(f"answered a {label}: {data[:32].hex()}")
        elif not flags & 0x8000:
            self.bad.append(f"reply without QR to {label}: {data[:32].hex()}")
        elif label.endswith("!") and (flags & 0xF) != 1:
            self.bad.append(f"{label[:-1]}: rcode {dns.rcode.to_text(flags & 0xF)}, want FORMERR "
                            f"or silence: {data[:48].hex()}")

    def close(self) -> None:
        self.drain(0.5)
        self.sock.close()


def phase_random(srv, rng: random.Random, n: int) -> None:
    rc = ReplyChecker(srv.port)
    valid = [valid_query(rng, e) for e in (False, True) for _ in range(8)]
    for i in range(n):
        kind = i % 3
        if kind == 0:  # pure random bytes, any length
            w = rng.randbytes(rng.choice([0, 1, 2, 11, 12, 13, rng.randint(0, 600)]))
        elif kind == 1:  # a plausible header (QR=0, QDCOUNT=1) followed by random bytes
            w = hdr(rng.randint(0, 0xFFFF), rng.choice([0, 0x0100, 0x0010]), 1, 0, 0,
                    rng.choice([0, 1])) + rng.randbytes(rng.randint(0, 300))
        else:  # a valid query with 1-8 random bit flips
            b = bytearray(rng.choice(valid))
            b[0:2] = struct.pack("!H", rng.randint(0, 0xFFFF))
            for _ in range(rng.randint(1, 8)):
                pos = rng.randrange(2, len(b))
                b[pos] ^= 1 << rng.randrange(8)
            w = bytes(b)
        # Don't let random IDs collide with earlier sends (reply matching is by ID).
        if len(w) >= 2:
            w = struct.pack("!H", i & 0xFFFF) + w[2:]
        rc.send(w, f"random#{i}")
        if i % 500 == 499:
            rc.drain(0.01)
    rc.close()
    check(not rc.bad, f"random datagrams: {n} sent, {rc.replies} replies, all well-formed "
                      f"(QR=1, matching ID)", "; ".join(rc.bad[:5]))


def phase_malformed(srv, rng: random.Random) -> None:
    rc = ReplyChecker(srv.port)
    qid = iter(range(0x4000, 0x8000))
    # Every proper prefix of valid queries (with and without OPT).
    for edns in (False, True):
        full = bytearray(valid_query(rng, edns))
        for cut in range(12, len(full)):
            full[0:2] = struct.pack("!H", next(qid))
            rc.send(bytes(full[:cut]), f"truncated to {cut} of {len(full)} (edns={edns})", True)
        for cut in range(0, 12):
            rc.send(bytes(full[:cut]), f"header fragment {cut}")
    cases: list[tuple[str, bytes, bool]] = []
    # Pointer loops and bad pointers in the question (RFC 1035 §4.1.4: pointers point backwards).
    cases += [
        ("self-pointer", hdr(next(qid), 0, 1) + b"\xc0\x0c" + b"\x00\x01\x00\x01", True),
        ("label then pointer to itself", hdr(next(qid), 0, 1) + b"\x01a\xc0\x0c\x00\x01\x00\x01",
         True),
        ("two pointers to each other", hdr(next(qid), 0, 1) + b"\xc0\x0e\xc0\x0c\x00\x01\x00\x01",
         True),
        ("forward pointer past the end", hdr(next(qid), 0, 1) + b"\xc0\x40\x00\x01\x00\x01", True),
        ("pointer to offset 16383", hdr(next(qid), 0, 1) + b"\xff\xff\x00\x01\x00\x01", True),
        ("pointer cut after its first byte", hdr(next(qid), 0, 1) + b"\x03www\xc0", True),
        ("long label chain with loop", hdr(next(qid), 0, 1) + b"\x01a" * 20 + b"\xc0\x0e" +
         b"\x00\x01\x00\x01", True),
        ("reserved label type 0x40", hdr(next(qid), 0, 1) + b"\x41" + b"x" * 10 + b"\x00" +
         b"\x00\x01\x00\x01", True),
        ("reserved label type 0x80", hdr(next(qid), 0, 1) + b"\x81" + b"x" * 10 + b"\x00" +
         b"\x00\x01\x00\x01", True),
        ("label length past the end", hdr(next(qid), 0, 1) + b"\x3fabc", True),
        ("name of 256 octets (too long)", hdr(next(qid), 0, 1) + (b"\x3f" + b"a" * 63) * 4 +
         b"\x00\x00\x01\x00\x01", True),
        ("name of 128 one-octet labels", hdr(next(qid), 0, 1) + b"\x01a" * 128 + b"\x00" +
         b"\x00\x01\x00\x01", True),
        ("no terminating root label", hdr(next(qid), 0, 1) + b"\x03www\x03bad\x04test", True),
    ]
    # Header oddities.
    cases += [
        ("QDCOUNT=0", hdr(next(qid), 0, 0), True),
        ("QDCOUNT=0 with a question present", hdr(next(qid), 0, 0) + qsec(f"www.{ORIGIN}"), True),
        ("QDCOUNT=2", hdr(next(qid), 0, 2) + qsec(f"www.{ORIGIN}") + qsec(f"ns1.{ORIGIN}"), True),
        ("QDCOUNT=2, one question", hdr(next(qid), 0, 2) + qsec(f"www.{ORIGIN}"), True),
        ("QDCOUNT=65535", hdr(next(qid), 0, 65535) + qsec(f"www.{ORIGIN}"), True),
        ("header only, QDCOUNT=1", hdr(next(qid), 0, 1), True),
        ("ARCOUNT=65535, one OPT", hdr(next(qid), 0, 1, 0, 0, 65535) + qsec(f"www.{ORIGIN}") +
         b"\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x00", True),
        ("OPT RDLEN past the end", hdr(next(qid), 0, 1, 0, 0, 1) + qsec(f"www.{ORIGIN}") +
         b"\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x40" + b"\x00" * 8, True),
        ("option length past the OPT RDATA", hdr(next(qid), 0, 1, 0, 0, 1) + qsec(f"www.{ORIGIN}")
         + b"\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x06\x00\x0a\x00\x40ab", True),
        ("two OPT records", hdr(next(qid), 0, 1, 0, 0, 2) + qsec(f"www.{ORIGIN}") +
         b"\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x00" * 2, True),
        ("ANCOUNT=1 with a garbage RR", hdr(next(qid), 0, 1, 1) + qsec(f"www.{ORIGIN}") +
         b"\xc0\x0c\x00\x01", True),
    ]
    # QR=1: must never be answered (no reflection loops between servers).
    cases.append(("(a response)", hdr(next(qid), 0x8000, 1) + qsec(f"www.{ORIGIN}"), False))
    for label, wire, formerr in cases:
        rc.send(wire, label, formerr)
    # Pointer into the header that happens to spell a valid name: any well-formed reply is fine.
    rc.send(struct.pack("!HH", 0x0161, 0x0000) + b"\x00\x01\x00\x00\x00\x00" + b"\xc0\x00" +
            b"\x00\x01\x00\x01", "pointer into the header")
    rc.drain(1.0)
    rc.close()
    check(not rc.bad, f"malformed datagrams: {len(cases)} crafted + prefixes, every reply "
                      f"FORMERR or absent", "; ".join(rc.bad[:8]))


def phase_tcp(srv, rng: random.Random, health: Health) -> None:
    port = srv.port
    stalled: list[socket.socket] = []

    def conn() -> socket.socket:
        s = socket.create_connection(("127.0.0.1", port), timeout=3)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return s

    q = valid_query(rng, False)
    s = conn()
    s.sendall(b"\x00")  # half a length prefix, then stall
    stalled.append(s)
    s = conn()
    s.sendall(struct.pack("!H", len(q)) + q[:5])  # length + part of the message, then stall
    stalled.append(s)
    s = conn()
    s.sendall(struct.pack("!H", 65535) + b"abcdef")  # huge length, few bytes, stall
    stalled.append(s)
    for _ in range(3):  # a length, then close at once
        s = conn()
        s.sendall(struct.pack("!H", 40))
        s.close()
    s = conn()
    s.sendall(b"\x00\x00")  # zero-length message
    stalled.append(s)
    s = conn()  # connect and close without a byte
    s.close()
    s = conn()  # a garbage message with a correct length: FORMERR or close, never a crash
    s.sendall(struct.pack("!H", 30) + rng.randbytes(30))
    stalled.append(s)
    # While all of those are open, other clients must be served on UDP and TCP.
    health.assert_all("stalled TCP clients open")
    # A valid query dribbled one byte at a time (RFC 7766 §8: servers must reassemble).
    s = conn()
    msg = struct.pack("!H", len(q)) + q
    try:
        for b in msg:
            s.send(bytes([b]))
            time.sleep(0.005)
        s.settimeout(3)
        h = harness.recv_exact(s, 2)
        body = harness.recv_exact(s, struct.unpack("!H", h)[0]) if h else None
        check(body is not None and body[:2] == q[:2], "query dribbled byte by byte over TCP "
              "is answered", "no answer" if body is None else body[:16].hex())
    except OSError as e:
        check(False, "query dribbled byte by byte over TCP is answered", str(e))
    finally:
        s.close()
    # Connection flood beyond any sensible limit.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 1500
    if soft < want + 100:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, want + 200), hard))
        soft = min(hard, want + 200)
    flood: list[socket.socket] = []
    refused = 0
    flood_deadline = time.monotonic() + 8
    for _ in range(min(want, soft - 100)):
        if refused >= 20 or time.monotonic() > flood_deadline:
            break  # the backlog is full: the server is at its limit, which is what we wanted
        try:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.settimeout(0.2)
            s.connect(("127.0.0.1", port))
            flood.append(s)
        except OSError:
            refused += 1
            s.close()
    print(f"     flood: {len(flood)} connections open, {refused} refused/timed out", flush=True)
    check(srv.alive(), f"[flood] process alive with {len(flood)} idle TCP connections open")
    ok, why = health.udp_ok(32)
    check(ok, "[flood] UDP still answered while the TCP connection table is full", why)
    for s in flood:
        s.close()
    for s in stalled:
        s.close()
    # After the flood, TCP must recover (allow a few seconds for the server to notice closes).
    deadline = time.monotonic() + 10
    ok, why = False, ""
    while time.monotonic() < deadline and not ok:
        ok, why = health.tcp_ok()
        if not ok:
            time.sleep(0.3)
    check(ok, "[after flood] TCP service recovers once the flood is closed", why)


def _finish() -> int:
    print(f"\n{len(failures)} failure(s)" + ("" if not failures else ":\n  " + "\n  ".join(failures)))
    return 1 if failures else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--zonekeeper")
    ap.add_argument("--server", default="zonekeeper", choices=["zonekeeper", "nsd", "knot"])
    ap.add_argument("--random", type=int, default=10000, help="number of random datagrams")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--idle-max", type=float, default=30.0,
                    help="seconds within which zonekeeper must close a stalled TCP client")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    srv = harness.make_server(args.server, {ORIGIN: ZONE}, args.zonekeeper, keep=args.keep)
    with srv:
        health = Health(srv)
        health.assert_all("start")
        # A client that sends one byte of a length prefix and goes silent: the issue asks for a TCP
        # idle timeout (RFC 7766 §6.2.3), so zonekeeper must drop it; checked at the end.
        sentinel = socket.create_connection(("127.0.0.1", srv.port), timeout=3)
        sentinel.sendall(b"\x00")
        sentinel_opened = time.monotonic()
        t = time.monotonic()
        phase_random(srv, rng, args.random)
        print(f"     ({time.monotonic() - t:.1f} s)")
        health.assert_all("after random datagrams")
        phase_malformed(srv, rng)
        health.assert_all("after malformed datagrams")
        phase_tcp(srv, rng, health)
        health.assert_all("end")
        if args.server == "zonekeeper":  # peers' idle timeouts differ (NSD: 120 s)
            left = max(0.1, args.idle_max - (time.monotonic() - sentinel_opened))
            sentinel.settimeout(left)
            try:
                closed = sentinel.recv(1) == b""
            except socket.timeout:
                closed = False
            except ConnectionResetError:
                closed = True
            check(closed, f"a TCP client stalled after half a length prefix is disconnected "
                          f"within {args.idle_max:.0f} s (took "
                          f"{time.monotonic() - sentinel_opened:.1f} s)")
        sentinel.close()
        if failures:
            print("server log tail:\n" + srv.log_tail())
    return _finish()


if __name__ == "__main__":
    sys.exit(main())
