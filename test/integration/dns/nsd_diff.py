#!/usr/bin/python3
# Differential test: the same few thousand queries to NSD and to zonekeeper, answers compared as sets.
"""integration_dns_nsd_diff.

Loads the zones of zonegen.py into NSD (the reference) and into a candidate server (zonekeeper by
default), sends both the same queries (UDP with and without EDNS, a share over TCP, malformed and
odd ones), and compares per query: response present, ID, opcode, rcode (extended included), each
header flag, the question, the OPT record (presence, version, DO, options) and the answer, authority
and additional sections as SETS of (owner lowercased, type, class, TTL, canonical RDATA), plus the
case of answer owners that equal the query name.

Every difference fails the test unless an entry of ALLOWLIST (below; each cites the RFC that says
NSD's answer is not the only correct one) covers it. Usage:
  nsd_diff.py --zonekeeper BUILD/zonekeeper            # the ctest
  nsd_diff.py --candidate knot                          # harness self-check: must find differences
  nsd_diff.py --candidate nsd --mutate                  # self-check: must find exactly the mutation
  --seed N, --max-report N, --report-dir DIR (writes nsd-diff.json and nsd-diff.md), --keep
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import dns.flags  # noqa: E402
import dns.message  # noqa: E402
import dns.name  # noqa: E402
import dns.rcode  # noqa: E402
import dns.rdataclass  # noqa: E402
import dns.rdatatype  # noqa: E402

import diff_report  # noqa: E402
import harness  # noqa: E402
import zonegen  # noqa: E402

T = dns.rdatatype
FLAG_BITS = {"QR": 0x8000, "AA": 0x0400, "TC": 0x0200, "RD": 0x0100, "RA": 0x0080, "Z": 0x0040,
             "AD": 0x0020, "CD": 0x0010}
BASE_TYPES = [T.A, T.AAAA, T.TXT, T.MX, T.NS, T.SOA, T.CNAME, T.SRV, T.CAA, T.ANY]
EXTRA_TYPES = [T.PTR, T.NAPTR, T.SSHFP, T.TLSA, T.HINFO, T.SPF, T.DNAME, T.DS]
EDE_CODE = 15


# --------------------------------------------------------------------------------------------
# Queries


@dataclasses.dataclass
class Query:
    idx: int
    desc: str
    wire: bytes
    transport: str = "udp"  # udp | tcp
    edns_payload: int | None = None  # None: no OPT in the query
    expect_silence: bool = False  # a reply is allowed but neither server is expected to send one
    qname: str | None = None
    qtype: int | None = None


def _case20(name: str, rng: random.Random) -> str:
    # DNS 0x20 (draft-vixie-dnsext-dns0x20): random letter case in the query name.
    return "".join(c.upper() if c.isalpha() and rng.random() < 0.5 else c.lower() if c.isalpha()
                   else c for c in name)


def _make(qname: str, qtype: int, rng: random.Random, variant: str, qclass: int = 1,
          rd: bool | None = None, cd: bool = False) -> tuple[bytes, int | None]:
    payload = {"none": None, "512": 512, "1232": 1232, "4096": 4096, "4096do": 4096}[variant]
    m = dns.message.make_query(qname, qtype, qclass, use_edns=0 if payload else False,
                               payload=payload or 1232, want_dnssec=variant.endswith("do"))
    m.id = rng.randint(0, 0xFFFF)
    rd = rng.random() < 0.5 if rd is None else rd
    m.flags = (dns.flags.RD if rd else 0) | (dns.flags.CD if cd else 0)
    return m.to_wire(), payload


def _variant(rng: random.Random) -> str:
    return rng.choices(["none", "512", "1232", "4096", "4096do"], weights=[35, 15, 15, 20, 15])[0]


def _raw_header(qid: int, flags: int, qd: int, an: int = 0, ns: int = 0, ar: int = 0) -> bytes:
    return struct.pack("!HHHHHH", qid, flags, qd, an, ns, ar)


def _qsec(name: str, qtype: int, qclass: int = 1) -> bytes:
    return dns.name.from_text(name).to_wire() + struct.pack("!HH", qtype, qclass)


def _opt(payload: int = 1232, version: int = 0, do: bool = False, options: bytes = b"",
         owner: bytes = b"\x00") -> bytes:
    ttl = (version << 16) | (0x8000 if do else 0)
    return owner + struct.pack("!HHIH", 41, payload, ttl, len(options)) + options


def special_queries(rng: random.Random) -> list[tuple[str, bytes, int | None, bool]]:
    """(description, wire, edns payload or None, expect_silence) for odd and malformed queries."""
    o = zonegen.ORIGIN
    out: list[tuple[str, bytes, int | None, bool]] = []

    def q(desc: str, name: str, qtype: int, variant: str = "1232", qclass: int = 1) -> None:
        w, p = _make(name, qtype, rng, variant, qclass=qclass, rd=False)
        out.append((desc, w, p, False))

    def raw(desc: str, wire: bytes, payload: int | None = None, silence: bool = False) -> None:
        out.append((desc, wire, payload, silence))

    # Classes other than IN.
    for v in ("none", "1232"):
        q(f"CH TXT version.bind ({v})", "version.bind.", T.TXT, v, qclass=3)
        q(f"CH TXT id.server ({v})", "id.server.", T.TXT, v, qclass=3)
        q(f"CH SOA at the zone apex ({v})", o, T.SOA, v, qclass=3)
        q(f"CH A in the zone ({v})", f"host-1.{o}", T.A, v, qclass=3)
        q(f"HS SOA at the zone apex ({v})", o, T.SOA, v, qclass=4)
        q(f"class 77 A ({v})", f"host-1.{o}", T.A, v, qclass=77)
    # Names outside every zone: REFUSED (suffix look-alikes must not match the zone).
    for n in ("example.org.", "test.", ".", "com.", f"x{o}", "diff.test.", f"{o}example.org.",
              "www.example.net.", "org."):
        for v in ("none", "1232"):
            q(f"out of zone {n} A ({v})", n, T.A, v)
    # Opcodes other than QUERY (RFC 1035 §4.1.1: NOTIMP if not supported; NOTIFY RFC 1996).
    for opcode in (1, 2, 3, 4, 5, 6, 15):
        for edns in (False, True):
            body = _qsec(o, T.SOA)
            ar = 1 if edns else 0
            w = _raw_header(rng.randint(0, 0xFFFF), opcode << 11, 1, 0, 0, ar) + body + \
                (_opt() if edns else b"")
            raw(f"opcode {opcode} ({'edns' if edns else 'no edns'})", w, 1232 if edns else None)
    # Malformed-but-parseable queries: FORMERR (RFC 1035 §4.1.1).
    qid = lambda: rng.randint(0, 0xFFFF)  # noqa: E731
    raw("QDCOUNT=2", _raw_header(qid(), 0, 2) + _qsec(o, T.SOA) + _qsec(f"host-1.{o}", T.A))
    raw("QDCOUNT=2 (edns)", _raw_header(qid(), 0, 2, 0, 0, 1) + _qsec(o, T.SOA) +
        _qsec(f"host-1.{o}", T.A) + _opt(), 1232)
    raw("QDCOUNT=0", _raw_header(qid(), 0, 0))
    raw("QDCOUNT=0 with OPT", _raw_header(qid(), 0, 0, 0, 0, 1) + _opt(), 1232)
    raw("ANCOUNT=1 in a query", _raw_header(qid(), 0, 1, 1) + _qsec(o, T.SOA) +
        b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 300, 4) + bytes([192, 0, 2, 1]))
    raw("NSCOUNT=1 in a query", _raw_header(qid(), 0, 1, 0, 1) + _qsec(o, T.SOA) +
        b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 300, 4) + bytes([192, 0, 2, 1]))
    raw("counts larger than the message", _raw_header(qid(), 0, 1, 0, 0, 3) + _qsec(o, T.SOA))
    raw("header only, QDCOUNT=1", _raw_header(qid(), 0, 1))
    raw("question truncated inside the name", _raw_header(qid(), 0, 1) + _qsec(o, T.SOA)[:5])
    raw("question missing qclass", _raw_header(qid(), 0, 1) + _qsec(o, T.SOA)[:-2])
    # EDNS (RFC 6891).
    raw("EDNS version 1: BADVERS", _raw_header(qid(), 0, 1, 0, 0, 1) + _qsec(o, T.SOA) +
        _opt(version=1), 1232)
    raw("EDNS version 1 + DO: BADVERS", _raw_header(qid(), 0, 1, 0, 0, 1) + _qsec(o, T.SOA) +
        _opt(version=1, do=True), 1232)
    raw("EDNS version 255, no-such name", _raw_header(qid(), 0, 1, 0, 0, 1) +
        _qsec(f"nx.{o}", T.A) + _opt(version=255), 1232)
    raw("two OPT records: FORMERR", _raw_header(qid(), 0, 1, 0, 0, 2) + _qsec(o, T.SOA) + _opt() +
        _opt(), 1232)
    raw("OPT with an unknown option (ignored)", _raw_header(qid(), 0, 1, 0, 0, 1) +
        _qsec(f"host-1.{o}", T.A) + _opt(options=struct.pack("!HH", 65001, 3) + b"abc"), 1232)
    raw("OPT with NSID request", _raw_header(qid(), 0, 1, 0, 0, 1) + _qsec(f"host-1.{o}", T.A) +
        _opt(options=struct.pack("!HH", 3, 0)), 1232)
    raw("OPT with a client cookie", _raw_header(qid(), 0, 1, 0, 0, 1) + _qsec(f"host-1.{o}", T.A)
        + _opt(options=struct.pack("!HH", 10, 8) + bytes(range(8))), 1232)
    raw("OPT payload 100 (treated as 512)", _raw_header(qid(), 0, 1, 0, 0, 1) +
        _qsec(f"big-a.{o}", T.A) + _opt(payload=100), 512)
    raw("OPT payload 600, big-a", _raw_header(qid(), 0, 1, 0, 0, 1) + _qsec(f"big-a.{o}", T.A) +
        _opt(payload=600), 600)
    raw("OPT truncated option", _raw_header(qid(), 0, 1, 0, 0, 1) + _qsec(o, T.SOA) +
        _opt(options=struct.pack("!HH", 65001, 10) + b"ab"), 1232)
    raw("OPT owner not root", _raw_header(qid(), 0, 1, 0, 0, 1) + _qsec(o, T.SOA) +
        _opt(owner=dns.name.from_text(o).to_wire()), 1232)
    # Header bits in the query.
    raw("QR=1 (a response): dropped", _raw_header(qid(), 0x8000, 1) + _qsec(o, T.SOA), None, True)
    raw("TC=1 in a query", _raw_header(qid(), 0x0200, 1) + _qsec(o, T.SOA))
    raw("AA=1 in a query", _raw_header(qid(), 0x0400, 1) + _qsec(f"host-1.{o}", T.A))
    raw("Z bit in a query", _raw_header(qid(), 0x0040, 1) + _qsec(f"host-1.{o}", T.A))
    raw("AD=1 in a query", _raw_header(qid(), 0x0020, 1) + _qsec(f"host-1.{o}", T.A))
    raw("CD=1 in a query", _raw_header(qid(), 0x0010, 1) + _qsec(f"host-1.{o}", T.A))
    raw("RCODE bits set in a query", _raw_header(qid(), 0x0005, 1) + _qsec(f"host-1.{o}", T.A))
    raw("trailing garbage after the question", _raw_header(qid(), 0, 1) +
        _qsec(f"host-1.{o}", T.A) + b"\x01\x02\x03")
    # Meta and unusual types over UDP.
    for t in (T.AXFR, T.IXFR, T.MAILB, T.MAILA, 0, T.OPT, T.TKEY, T.TSIG, 65280, T.RRSIG, T.NSEC,
              T.DNSKEY, T.NSEC3PARAM, T.HTTPS, T.SVCB):
        q(f"type {t} at the apex", o, t, "1232")
    q("unknown type at a host", f"host-1.{o}", 65280, "none")
    # Long names: a 63-octet label and a 255-octet name (valid but absent).
    q("63-octet label (NXDOMAIN)", ("a" * 63) + "." + o, T.A, "none")
    long = ".".join(["b" * 60] * 4)[: 255 - len(o) - 2].rstrip(".") + "." + o
    q("name of ~255 octets (NXDOMAIN)", long, T.A, "none")
    # QCLASS ANY (RFC 1035 §3.2.5: '*').
    q("QCLASS ANY SOA at the apex", o, T.SOA, "1232", qclass=255)
    q("QCLASS ANY A at a host", f"host-1.{o}", T.A, "none", qclass=255)
    # Compression pointer to the question name in a second place (QDCOUNT=1, valid).
    raw("query name given as a pointer to itself", _raw_header(qid(), 0, 1) + b"\xc0\x0c" +
        struct.pack("!HH", 1, 1))
    return out


def build_queries(corpus: zonegen.Corpus, seed: int) -> list[Query]:
    rng = random.Random(seed * 7919 + 17)
    qs: list[Query] = []

    def add(desc: str, wire: bytes, payload: int | None, transport: str = "udp",
            silence: bool = False, qname: str | None = None, qtype: int | None = None) -> None:
        qs.append(Query(len(qs), desc, wire, transport, payload, silence, qname, qtype))

    def normal(name: str, qtype: int, variant: str | None = None, transport: str = "udp",
               case20: bool | None = None) -> None:
        variant = variant or _variant(rng)
        case20 = rng.random() < 0.3 if case20 is None else case20
        n = _case20(name, rng) if case20 else name
        cd = rng.random() < 0.05
        w, p = _make(n, qtype, rng, variant, cd=cd)
        desc = f"{n} {T.to_text(qtype)} edns={variant}{' CD' if cd else ''} {transport}"
        add(desc, w, p, transport, qname=n, qtype=qtype)

    seen: set[str] = set()
    names = []
    for n, tag in corpus.names:
        if n.lower() not in seen:
            seen.add(n.lower())
            names.append((n, tag))
    for n, tag in names:
        for t in BASE_TYPES:
            normal(n, t)
        if tag in ("types", "dname", "deleg", "apex", "escaped", "mixed-case"):
            for t in EXTRA_TYPES:
                normal(n, t)
    for d in corpus.delegations:
        for t in (T.DS, T.NS, T.A, T.ANY):
            normal(d, t)
        normal("ns." + d, T.A)
    normal(zonegen.ORIGIN, T.DS)
    normal(zonegen.RFC4592_ORIGIN, T.DS)
    # Every EDNS variant and both transports for the names whose answers need truncation.
    for n in corpus.big_names:
        for t in (T.A, T.AAAA, T.TXT, T.MX, T.ANY):
            for v in ("none", "512", "1232", "4096", "4096do"):
                normal(n, t, v, "udp", case20=False)
            normal(n, t, "none", "tcp", case20=False)
            normal(n, t, "4096", "tcp", case20=False)
    # Nonexistent names at several depths, below existing names, ENTs, wildcards and cuts.
    for i, (n, _tag) in enumerate(rng.sample(names, min(80, len(names)))):
        normal(f"nx{i}.{n}", rng.choice([T.A, T.TXT, T.MX, T.AAAA]))
        normal(f"a.b.nx{i}.{n}", rng.choice([T.A, T.SOA]))
    for i in range(20):
        normal(f"nope{i}.{zonegen.ORIGIN}", rng.choice(BASE_TYPES))
        normal(f"nope{i}.{zonegen.RFC4592_ORIGIN}", rng.choice(BASE_TYPES))
    # Special and malformed queries, each over UDP; the well-formed ones also over TCP below.
    for desc, wire, payload, silence in special_queries(rng):
        add(desc + " udp", wire, payload, "udp", silence)
        if not silence and ("opcode" in desc or "QDCOUNT=2" in desc or "BADVERS" in desc
                            or "out of zone example.org." in desc or "CH" in desc):
            add(desc + " tcp", wire, payload, "tcp")
    # A share of the ordinary queries again over TCP (several per connection).
    udp_normal = [q for q in qs if q.transport == "udp" and q.qname is not None]
    for q in rng.sample(udp_normal, min(200, len(udp_normal))):
        add(q.desc.replace(" udp", " tcp"), q.wire, q.edns_payload, "tcp", qname=q.qname,
            qtype=q.qtype)
    return qs


# --------------------------------------------------------------------------------------------
# Sending


def run_queries(queries: list[Query], port: int) -> list[bytes | None]:
    out: list[bytes | None] = [None] * len(queries)
    for q in queries:
        if q.transport != "udp":
            continue
        timeout = 0.4 if q.expect_silence else 1.0
        r = harness.udp_exchange(q.wire, port, timeout)
        if r is None and not q.expect_silence:
            r = harness.udp_exchange(q.wire, port, timeout)  # one retry: UDP may drop
        out[q.idx] = r
    tcp = [q for q in queries if q.transport == "tcp"]
    for start in range(0, len(tcp), 25):  # 25 queries per connection, in sequence
        batch = tcp[start:start + 25]
        client = None
        for q in batch:
            if client is None:
                try:
                    client = harness.TcpClient(port, 3.0)
                except OSError:
                    client = None
                    continue
            r = client.exchange(q.wire)
            if r is None:  # the server may close after an error reply; retry on a new connection
                client.close()
                client = None
                try:
                    r = harness.tcp_exchange(q.wire, port, 3.0)
                except OSError:
                    r = None
            out[q.idx] = r
        if client is not None:
            client.close()
    return out


# --------------------------------------------------------------------------------------------
# Normalising a response


@dataclasses.dataclass(frozen=True)
class RR:
    owner: str  # lowercased
    rtype: int
    rclass: int
    ttl: int
    rdata: str  # hex of the canonical (RFC 4034 §6.2) RDATA


@dataclasses.dataclass
class Norm:
    none: bool = True
    size: int = 0
    id: int = -1
    opcode: int = -1
    rcode: int = -1
    flags: frozenset = frozenset()
    malformed: str = ""
    question: list = dataclasses.field(default_factory=list)
    opt: dict | None = None
    answer: set = dataclasses.field(default_factory=set)
    authority: set = dataclasses.field(default_factory=set)
    additional: set = dataclasses.field(default_factory=set)
    owner_case: set = dataclasses.field(default_factory=set)  # exact owners of answer RRs == qname
    text: dict = dataclasses.field(default_factory=dict)  # RR -> presentation text
    target: dict = dataclasses.field(default_factory=dict)  # RR -> lowercased target name or None
    stripped: list = dataclasses.field(default_factory=list)  # RRs removed by normalisation


def _target(rd) -> str | None:
    for attr in ("exchange", "target", "replacement"):
        v = getattr(rd, attr, None)
        if isinstance(v, dns.name.Name):
            return v.to_text().lower()
    return None


def normalize(wire: bytes | None, qname: str | None) -> Norm:
    n = Norm()
    if wire is None:
        return n
    n.none = False
    n.size = len(wire)
    if len(wire) < 12:
        n.malformed = f"{len(wire)}-byte message"
        return n
    n.id, flags = struct.unpack("!HH", wire[:4])
    n.opcode = (flags >> 11) & 0xF
    n.flags = frozenset(k for k, bit in FLAG_BITS.items() if flags & bit)
    n.rcode = flags & 0xF
    try:
        m = dns.message.from_wire(wire, one_rr_per_rrset=True)
    except Exception as e:  # noqa: BLE001 - report whatever dnspython rejects
        n.malformed = f"{type(e).__name__}: {e}"
        return n
    n.rcode = m.rcode()
    n.question = [(q.name.to_text(), q.rdtype, q.rdclass) for q in m.question]
    if m.edns >= 0:
        n.opt = {"version": m.edns, "do": bool(m.ednsflags & dns.flags.DO), "payload": m.payload,
                 "options": sorted((o.otype, o.to_wire().hex()) for o in m.options)}
    ql = dns.name.from_text(qname).to_text().lower() if qname else None
    for sec_name, sec in (("answer", m.answer), ("authority", m.authority),
                          ("additional", m.additional)):
        dest = getattr(n, sec_name)
        for rrset in sec:
            for rd in rrset:
                rr = RR(rrset.name.to_text().lower(), rrset.rdtype, rrset.rdclass, rrset.ttl,
                        rd.to_digestable().hex())
                dest.add(rr)
                n.text[rr] = (f"{rrset.name.to_text()} {rrset.ttl} "
                              f"{dns.rdataclass.to_text(rrset.rdclass)} "
                              f"{T.to_text(rrset.rdtype)} {rd.to_text()}")
                n.target[rr] = _target(rd)
                if sec_name == "answer" and ql and rr.owner == ql:
                    n.owner_case.add((rrset.name.to_text(), rrset.rdtype))
    return n


def strip_apex_ns(n: Norm, apexes: set[str]) -> None:
    """NSD (minimal-responses: no) adds the zone's apex NS RRset to the authority section of
    positive answers and its glue to the additional section; zonekeeper does neither (RFC 1034
    §4.3.2 step 3a makes that NS RRset optional, and NSD's own minimal-responses mode drops it).
    Remove both from NSD's normalised answer; keep addresses other records still point at."""
    apex_ns = {rr for rr in n.authority if rr.rtype == T.NS and rr.owner in apexes}
    if not apex_ns:
        return
    n.authority -= apex_ns
    n.stripped.extend(sorted(apex_ns, key=str))
    dropped_targets = {n.target[rr] for rr in apex_ns}
    needed = {n.target[rr] for rr in n.answer | n.authority
              if rr.rtype in (T.MX, T.SRV, T.NS) and n.target.get(rr)}
    glue = {rr for rr in n.additional if rr.rtype in (T.A, T.AAAA)
            and rr.owner in dropped_targets and rr.owner not in needed}
    n.additional -= glue
    n.stripped.extend(sorted(glue, key=str))


# --------------------------------------------------------------------------------------------
# Comparing


@dataclasses.dataclass
class Diff:
    category: str
    detail: str
    missing: list = dataclasses.field(default_factory=list)  # RRs the reference has, cand not
    extra: list = dataclasses.field(default_factory=list)  # RRs the candidate has, ref not
    allowed_by: str = ""


def compare(q: Query, ref: Norm, cand: Norm) -> list[Diff]:
    d: list[Diff] = []
    if ref.none or cand.none:
        if ref.none != cand.none:
            d.append(Diff("response", f"reference {'silent' if ref.none else 'answered'}, "
                                      f"candidate {'silent' if cand.none else 'answered'}"))
        return d
    qid = struct.unpack("!H", q.wire[:2])[0] if len(q.wire) >= 2 else None
    if qid is not None and cand.id != qid:
        d.append(Diff("id", f"query id {qid}, candidate replied with id {cand.id}"))
    if bool(ref.malformed) != bool(cand.malformed):
        d.append(Diff("malformed", f"reference: {ref.malformed or 'ok'}; "
                                   f"candidate: {cand.malformed or 'ok'}"))
    if ref.opcode != cand.opcode:
        d.append(Diff("opcode", f"{ref.opcode} vs {cand.opcode}"))
    if ref.rcode != cand.rcode:
        d.append(Diff("rcode", f"{dns.rcode.to_text(ref.rcode)} vs {dns.rcode.to_text(cand.rcode)}"))
    for f in sorted(ref.flags ^ cand.flags):
        d.append(Diff("flag", f"{f}: reference {'set' if f in ref.flags else 'clear'}, "
                              f"candidate {'set' if f in cand.flags else 'clear'}"))
    if ref.malformed or cand.malformed:
        return d
    if ref.question != cand.question:
        d.append(Diff("question", f"{ref.question} vs {cand.question}"))
    if (ref.opt is None) != (cand.opt is None):
        d.append(Diff("opt-presence", f"reference {'has' if ref.opt else 'has no'} OPT, "
                                      f"candidate {'has' if cand.opt else 'has no'} OPT"))
    elif ref.opt and cand.opt:
        if ref.opt["version"] != cand.opt["version"]:
            d.append(Diff("opt-version", f"{ref.opt['version']} vs {cand.opt['version']}"))
        if ref.opt["do"] != cand.opt["do"]:
            d.append(Diff("opt-do", f"DO {ref.opt['do']} vs {cand.opt['do']}"))
        ro, co = dict(ref.opt["options"]), dict(cand.opt["options"])
        for code in sorted(set(ro) | set(co)):
            if ro.get(code) != co.get(code):
                d.append(Diff("opt-option", f"option {code}: reference {ro.get(code)}, "
                                            f"candidate {co.get(code)}"))
    if "TC" in ref.flags or "TC" in cand.flags:
        # RFC 2181 §9: a client ignores a TC=1 response and retries over TCP, so what a truncated
        # response carries is not compared; a TC difference was reported above.
        return d
    for sec in ("answer", "authority", "additional"):
        r, c = getattr(ref, sec), getattr(cand, sec)
        if r != c:
            missing, extra = sorted(r - c, key=str), sorted(c - r, key=str)
            d.append(Diff(sec, f"{len(missing)} missing, {len(extra)} extra", missing, extra))
    if ref.owner_case != cand.owner_case and ref.answer == cand.answer:
        d.append(Diff("owner-case", f"{sorted(ref.owner_case)} vs {sorted(cand.owner_case)}"))
    return d


# --------------------------------------------------------------------------------------------
# ALLOWLIST: known differences where an RFC says NSD's answer is not the only correct one. Keep it
# small; every entry names the RFC. A rule gets (query, ref, cand, diff, ctx) and returns True if
# the difference is acceptable.


def _query_has_edns(q: Query) -> bool:
    return q.edns_payload is not None


def _rr_size(rr: RR) -> int:
    return 2 + 10 + len(rr.rdata) // 2  # compressed owner pointer + fixed part + RDATA (estimate)


def _limit(q: Query, n: Norm) -> int:
    """The most a response to q may hold: 512 without EDNS, else the requestor's payload size
    (RFC 6891 §6.2.5: values below 512 count as 512), 65535 over TCP."""
    if q.transport == "tcp":
        return 65535
    if q.edns_payload is None or n.opt is None:
        return 512
    return max(512, q.edns_payload)


def _allow_ede(q, ref, cand, diff, ctx) -> bool:
    return diff.category == "opt-option" and diff.detail.startswith(f"option {EDE_CODE}:")


def _allow_opt_in_error(q, ref, cand, diff, ctx) -> bool:
    return (diff.category == "opt-presence" and _query_has_edns(q) and ref.opt is None
            and cand.opt is not None and ref.rcode != 0)


def _allow_question_in_error(q, ref, cand, diff, ctx) -> bool:
    if diff.category != "question" or ref.rcode in (0, 3) or ref.rcode != cand.rcode:
        return False
    # One side omits the question; the other must echo the query's question exactly.
    try:
        asked = [(x.name.to_text(), x.rdtype, x.rdclass)
                 for x in dns.message.from_wire(q.wire, question_only=True).question]
    except Exception:  # noqa: BLE001 - unparseable query: nothing to echo
        asked = []
    sides = [ref.question, cand.question]
    return [] in sides and all(s in ([], asked) for s in sides)


def _allow_additional_room(q, ref, cand, diff, ctx) -> bool:
    if diff.category != "additional":
        return False
    # Extra additional RRs in the candidate (optional data NSD left out, e.g. because it filled the
    # space with its apex NS first): each must be an A/AAAA of an MX/SRV/NS target in the
    # candidate's answer or authority, equal to the reference's authoritative data (or glue).
    targets = {cand.target[rr] for rr in cand.answer | cand.authority
               if rr.rtype in (T.MX, T.SRV, T.NS) and cand.target.get(rr)}
    if diff.extra:
        if any(rr.rtype not in (T.A, T.AAAA) or rr.owner not in targets for rr in diff.extra):
            return False
        if any(rr not in ctx["lookup"](rr.owner, rr.rtype) for rr in diff.extra):
            return False
        if cand.size > _limit(q, cand):
            return False
    # RRs NSD has and the candidate lacks: only if no record in the candidate's answer/authority
    # points at them (e.g. an RFC 8482 ANY subset without the MX) or it had no room for them.
    needed = [rr for rr in diff.missing if rr.owner in targets]
    if needed and cand.size + sum(_rr_size(rr) for rr in needed) <= _limit(q, cand):
        return False
    return True


def _allow_any_subset(q, ref, cand, diff, ctx) -> bool:
    # RFC 8482 §4.1: an ANY query may be answered with a subset of the RRsets at the name. Every
    # RR the candidate gives that NSD did not must still be real data at the name (NSD 4.6, for
    # one, leaves a DNAME out of ANY answers).
    if q.qtype != T.ANY or diff.category != "answer" or not cand.answer or not q.qname:
        return False
    # Names the answer is about: the query name and every CNAME target in the candidate's answer.
    owners = {dns.name.from_text(q.qname).to_text().lower()}
    owners |= {cand.target[rr] for rr in cand.answer if rr.rtype == T.CNAME}
    return all(rr.owner in owners and rr in ctx["lookup"](rr.owner, rr.rtype) for rr in diff.extra)


def _query_edns(q: Query) -> tuple[bool, bool]:
    """(has OPT, DO bit) of the query as sent."""
    try:
        m = dns.message.from_wire(q.wire)
    except Exception:  # noqa: BLE001 - malformed queries: look no further
        return False, False
    return m.edns >= 0, bool(m.ednsflags & dns.flags.DO)


def _allow_cd_copied(q, ref, cand, diff, ctx) -> bool:
    # The candidate copies CD from the query; NSD clears it.
    return (diff.category == "flag" and diff.detail.startswith("CD:") and "CD" in cand.flags
            and len(q.wire) > 3 and bool(q.wire[3] & 0x10))


def _allow_do_copied(q, ref, cand, diff, ctx) -> bool:
    has_opt, do = _query_edns(q)
    return diff.category == "opt-do" and has_opt and cand.opt is not None and cand.opt["do"] == do


def _allow_notify_notimp(q, ref, cand, diff, ctx) -> bool:
    if len(q.wire) < 3 or (q.wire[2] >> 3) & 0xF != 4 or cand.rcode != 4:  # opcode NOTIFY, NOTIMP
        return False
    return diff.category in ("rcode", "question")


def _allow_qdcount0_formerr(q, ref, cand, diff, ctx) -> bool:
    if len(q.wire) < 12 or struct.unpack("!H", q.wire[4:6])[0] != 0 or cand.rcode != 1:
        return False
    try:
        codes = {o.otype for o in dns.message.from_wire(q.wire).options}
    except Exception:  # noqa: BLE001
        codes = set()
    return diff.category == "rcode" and 10 not in codes  # 10: COOKIE


def _allow_ref_malformed(q, ref, cand, diff, ctx) -> bool:
    # NSD 4.6 answers IXFR over UDP (without the client's SOA in the authority section, which
    # RFC 1995 §3 requires) with a 12-byte reply whose header claims a question: unparseable.
    # A well-formed error reply from the candidate is the correct behaviour.
    return bool(ref.malformed) and not cand.malformed and cand.rcode in (1, 4, 5)


ALLOWLIST = [
    {"id": "EDE_OPTIONAL", "rfc": "RFC 8914 §3",
     "why": "Extended DNS Errors are optional ('MAY'); NSD adds EDE 18/20/21 to REFUSED replies.",
     "match": _allow_ede},
    {"id": "OPT_IN_ERROR_REPLY", "rfc": "RFC 6891 §6.1.1",
     "why": "'If an OPT record is present in a received request, compliant responders MUST include "
            "an OPT record in their respective responses'; NSD's query_error() path (NOTIMP, "
            "FORMERR, NOTIFY REFUSED) omits it. The candidate is right.",
     "match": _allow_opt_in_error},
    {"id": "QUESTION_IN_ERROR_REPLY", "rfc": "RFC 1035 §4.1.1, §7.3",
     "why": "No RFC requires or forbids echoing the question in a FORMERR/NOTIMP/REFUSED reply; NSD "
            "drops it, echoing it (exactly) lets resolvers match the reply (RFC 1035 §7.3).",
     "match": _allow_question_in_error},
    {"id": "ADDITIONAL_OPTIONAL", "rfc": "RFC 1035 §3.3.9, §4.1; RFC 2181 §9",
     "why": "Additional-section A/AAAA are optional and are dropped when they do not fit (TC is not "
            "set for them, RFC 2181 §9). NSD fills space with its apex NS + glue first, so near the "
            "size limit the two carry different subsets. Extras must be correct target addresses; "
            "omissions only where no answer/authority record points there or there was no room.",
     "match": _allow_additional_room},
    {"id": "ANY_SUBSET", "rfc": "RFC 8482 §4.1",
     "why": "An ANY answer may hold a subset of the RRsets at the name (NSD 4.6 returns one "
            "RRset); RRs beyond NSD's must be real data at that name or at a CNAME target in the "
            "answer (checked against NSD per type).",
     "match": _allow_any_subset},
    {"id": "CD_COPIED", "rfc": "RFC 4035 §3.1.6",
     "why": "'A security-aware name server MUST copy the CD bit from a query into the "
            "corresponding response'; NSD 4.6 clears it (query.c: 'CD flag must be cleared').",
     "match": _allow_cd_copied},
    {"id": "DO_COPIED", "rfc": "RFC 3225 §3",
     "why": "'The DO bit of the query MUST be copied in the response'; NSD drops it from BADVERS "
            "replies.",
     "match": _allow_do_copied},
    {"id": "NOTIFY_NOTIMP", "rfc": "RFC 1035 §4.1.1; RFC 1996 §3",
     "why": "zonekeeper is primary-only and does not implement NOTIFY, so NOTIMP ('does not support "
            "the requested kind of query'); NSD answers REFUSED (no allow-notify ACL). Both fit.",
     "match": _allow_notify_notimp},
    {"id": "QDCOUNT0_FORMERR", "rfc": "RFC 1035 §4.1.1, §4.1.2; RFC 7873 §5.4",
     "why": "A query without a question is only defined with a COOKIE option (RFC 7873 §5.4); "
            "without one FORMERR is right; NSD says NOERROR when an OPT is present.",
     "match": _allow_qdcount0_formerr},
    {"id": "REF_MALFORMED", "rfc": "RFC 1035 §4.1.1; RFC 1995 §3",
     "why": "NSD's reply is itself malformed (QDCOUNT=1 with no question: IXFR over UDP); a "
            "well-formed FORMERR/NOTIMP/REFUSED from the candidate is right.",
     "match": _allow_ref_malformed},
]


# --------------------------------------------------------------------------------------------


def _msg_text(wire: bytes | None) -> str:
    if wire is None:
        return "(no response)"
    try:
        return dns.message.from_wire(wire).to_text()
    except Exception as e:  # noqa: BLE001
        return f"(unparseable: {type(e).__name__}: {e}) {wire[:64].hex()}"


def run(args) -> int:
    corpus = zonegen.generate(args.seed)
    cand_zones = dict(corpus.zones)
    if args.mutate:  # self-check: one changed record the comparison must find
        cand_zones[zonegen.ORIGIN] = cand_zones[zonegen.ORIGIN].replace(
            "mail\t300\tIN\tA\t192.0.2.25", "mail\t300\tIN\tA\t192.0.2.26")
        assert cand_zones[zonegen.ORIGIN] != corpus.zones[zonegen.ORIGIN]
    queries = build_queries(corpus, args.seed)
    apexes = {o.lower() for o in corpus.zones}
    t0 = time.monotonic()
    cand_kind = "nsd-full" if args.candidate == "nsd" else args.candidate
    cand_srv = harness.make_server(cand_kind, cand_zones, args.zonekeeper, keep=args.keep)
    ref_srv = harness.make_server("nsd-full", corpus.zones, keep=args.keep)
    with ref_srv, cand_srv:
        ref_raw = run_queries(queries, ref_srv.port)
        cand_raw = run_queries(queries, cand_srv.port)
        # A lost datagram on a loaded machine must not read as "silent": where exactly one side
        # did not answer, ask that side again, slowly.
        for q in queries:
            for raw, port in ((ref_raw, ref_srv.port), (cand_raw, cand_srv.port)):
                if raw[q.idx] is None and (ref_raw[q.idx] is not None or
                                           cand_raw[q.idx] is not None):
                    for _ in range(2):
                        raw[q.idx] = run_queries([dataclasses.replace(q, idx=0)], port)[0]
                        if raw[q.idx] is not None:
                            break
        cand_alive = cand_srv.alive()
        lookup_cache: dict = {}

        def lookup(name: str, rtype: int) -> set:
            """The reference's authoritative RRs (or glue) for name/type, over TCP."""
            key = (name, rtype)
            if key not in lookup_cache:
                w = dns.message.make_query(name, rtype, use_edns=False).to_wire()
                n = normalize(harness.tcp_exchange(w, ref_srv.port), name)
                lookup_cache[key] = {rr for rr in n.answer | n.additional
                                     if rr.owner == name and rr.rtype == rtype}
            return lookup_cache[key]

        ctx = {"lookup": lookup}
        results = []
        for q in queries:
            ref = normalize(ref_raw[q.idx], q.qname)
            strip_apex_ns(ref, apexes)
            cand = normalize(cand_raw[q.idx], q.qname)
            if args.candidate == "nsd" or args.strip_candidate:  # a peer configured like ref
                strip_apex_ns(cand, apexes)
            diffs = compare(q, ref, cand)
            for df in diffs:
                for rule in ALLOWLIST:
                    if rule["match"](q, ref, cand, df, ctx):
                        df.allowed_by = rule["id"]
                        break
            results.append((q, ref, cand, diffs))
    elapsed = time.monotonic() - t0

    failing = [(q, r, c, [d for d in ds if not d.allowed_by]) for q, r, c, ds in results]
    failing = [x for x in failing if x[3]]
    summary = diff_report.summarize(results, failing, ALLOWLIST, ref_raw, cand_raw,
                                    reference="NSD " + ("(minimal-responses: no, apex NS stripped)"),
                                    candidate=args.candidate, seed=args.seed, elapsed=elapsed,
                                    msg_text=_msg_text, max_items=args.max_report)
    if args.report_dir:
        os.makedirs(args.report_dir, exist_ok=True)
        with open(os.path.join(args.report_dir, "nsd-diff.json"), "w") as f:
            json.dump(summary, f, indent=1, default=str)
        with open(os.path.join(args.report_dir, "nsd-diff.md"), "w") as f:
            f.write(diff_report.render_markdown(summary))
    print(diff_report.render_text(summary, args.max_report))
    if not cand_alive:
        print(f"FAIL: the candidate ({args.candidate}) exited during the run", file=sys.stderr)
        return 1
    if args.expect_diffs:
        # Self-check mode: the comparison must find differences (else it cannot fail).
        ok = len(failing) >= args.expect_diffs and (not args.mutate or all(
            "mail." in "".join(str(d.missing) + str(d.extra) + d.detail for d in ds).lower()
            for _q, _r, _c, ds in failing))
        print(f"self-check: expected >= {args.expect_diffs} differing queries, found "
              f"{len(failing)}: {'OK' if ok else 'FAIL'}")
        return 0 if ok else 1
    return 1 if failing else 0


def selfcheck(args) -> int:
    """Proves the comparison can pass and can fail: NSD vs an identical NSD must show no failing
    difference; NSD vs an NSD whose zone has one changed A record must show failures, every one
    of them involving that record's name."""
    args.candidate, args.mutate, args.expect_diffs = "nsd", False, 0
    rc_same = run(args)
    print(f"self-check 1 (identical zones): {'OK' if rc_same == 0 else 'FAIL'}")
    args.mutate, args.expect_diffs = True, 5
    args.report_dir = None
    rc_mut = run(args)
    print(f"self-check 2 (one mutated record found): {'OK' if rc_mut == 0 else 'FAIL'}")
    return 0 if rc_same == 0 and rc_mut == 0 else 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--zonekeeper", help="path of the zonekeeper binary")
    ap.add_argument("--candidate", default="zonekeeper", choices=["zonekeeper", "nsd", "knot"])
    ap.add_argument("--seed", type=int, default=int(os.environ.get("ZK_DIFF_SEED", "1")))
    ap.add_argument("--max-report", type=int, default=25)
    ap.add_argument("--report-dir")
    ap.add_argument("--mutate", action="store_true", help="change one record in the candidate")
    ap.add_argument("--strip-candidate", action="store_true",
                    help="also strip apex NS from the candidate (for NSD/Knot candidates)")
    ap.add_argument("--expect-diffs", type=int, default=0,
                    help="self-check: pass only if at least this many queries differ")
    ap.add_argument("--keep", action="store_true", help="keep temp dirs (zones, configs, logs)")
    ap.add_argument("--selfcheck", action="store_true",
                    help="NSD vs NSD (must match) and NSD vs mutated NSD (must differ)")
    args = ap.parse_args()
    harness.require_tools("nsd")
    if args.selfcheck:
        return selfcheck(args)
    if args.candidate == "zonekeeper" and not args.zonekeeper:
        ap.error("--zonekeeper BIN is required for --candidate zonekeeper")
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
