# Deterministic (seeded) generator of the zones and query list used by the NSD differential test.
"""Zone generator for integration_dns_nsd_diff.

`generate(seed)` returns a `Corpus`: two master files (the main test zone `zk-diff.test.` and the
RFC 4592 §2.2.1 example zone `example.` verbatim) plus the list of names worth querying, each tagged
with what it exercises. The same seed always yields byte-identical zones, so a difference found
once can be reproduced with `nsd_diff.py --seed N`.

What the main zone contains (each item is a place where authoritative servers go wrong):
  apex SOA/NS with in-zone glue and one out-of-zone NS; delegations (in-zone glue A/AAAA, out-of-zone
  NS only, NS target in the parent's authoritative data, sibling glue, a DS at the cut); wildcards
  (*.wild with A/TXT/MX, an explicit name below the wildcard, a CNAME wildcard); the RFC 4592 §2.2.1
  structure replicated under rfc4592.<zone> (ENT _tcp.host1, sub.*, subdel); CNAME chains (3 in-zone
  hops, to out-of-zone, to a wildcard, to a nonexistent name, a loop, into a delegation, into the
  other loaded zone); DNAME (in-zone and out-of-zone targets); empty non-terminals; long TXT (255-byte
  strings, multi-string, many records, escapes); RRsets that need TC at 512/1232/4096; MX/SRV with
  in-zone and out-of-zone targets; AAAA, CAA, PTR, NAPTR, SSHFP, TLSA, HINFO, SPF, DS; mixed-case
  owner names; and a seeded population of ordinary hosts with random record mixes.
"""
from __future__ import annotations

import dataclasses
import random

ORIGIN = "zk-diff.test."
RFC4592_ORIGIN = "example."


@dataclasses.dataclass
class Corpus:
    zones: dict[str, str]  # origin -> master file text
    names: list[tuple[str, str]]  # (absolute name, tag) to query
    delegations: list[str]  # absolute names of zone cuts (DS queried there)
    big_names: list[str]  # names whose answers need TC somewhere


def _ttl(rng: random.Random) -> int:
    return rng.choice([60, 300, 3600, 86400])


def _v4(rng: random.Random) -> str:
    return f"192.0.2.{rng.randint(1, 254)}" if rng.random() < 0.5 else \
        f"198.51.100.{rng.randint(1, 254)}"


def _v6(rng: random.Random) -> str:
    return "2001:db8:%x:%x::%x" % (rng.randint(0, 0xffff), rng.randint(0, 0xffff),
                                   rng.randint(1, 0xffff))


def _hexstr(rng: random.Random, nbytes: int) -> str:
    return "".join("%02x" % rng.randint(0, 255) for _ in range(nbytes))


def _txt_chunk(rng: random.Random, n: int) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=+/:. "
    return "".join(rng.choice(alphabet) for _ in range(n))


def _rfc4592_zone() -> str:
    # RFC 4592 §2.2.1, verbatim structure; the SOA/SRV RDATA the RFC elides are filled in.
    # SOA TTL 3600 < MINIMUM 7200, so negative answers must carry TTL 3600 (RFC 2308 §3).
    return """$ORIGIN example.
$TTL 3600
example.                 3600 IN  SOA   ns.example.com. hostmaster.example.com. 2024010101 7200 3600 1209600 7200
example.                 3600     NS    ns.example.com.
example.                 3600     NS    ns.example.net.
*.example.               3600     TXT   "this is a wildcard"
*.example.               3600     MX    10 host1.example.
sub.*.example.           3600     TXT   "this is not a wildcard"
host1.example.           3600     A     192.0.2.1
_ssh._tcp.host1.example. 3600     SRV   0 0 22 host1.example.
_ssh._tcp.host2.example. 3600     SRV   0 0 22 host2.example.
subdel.example.          3600     NS    ns.example.com.
subdel.example.          3600     NS    ns.example.net.
"""


def generate(seed: int = 1, hosts: int = 120) -> Corpus:
    rng = random.Random(seed)
    o = ORIGIN
    lines: list[str] = []
    names: list[tuple[str, str]] = []
    delegations: list[str] = []
    big: list[str] = []

    def add(owner: str, rtype: str, rdata: str, ttl: int | None = None, tag: str = "data") -> None:
        ttl = _ttl(rng) if ttl is None else ttl
        lines.append(f"{owner}\t{ttl}\tIN\t{rtype}\t{rdata}")
        absname = o if owner == "@" else (owner if owner.endswith(".") else f"{owner}.{o}")
        if (absname, tag) not in names:
            names.append((absname, tag))

    def name(rel: str, tag: str) -> None:
        names.append((f"{rel}.{o}" if rel else o, tag))

    # Apex. SOA TTL 3600 > MINIMUM 300: negative answers carry TTL 300 (RFC 2308 §3).
    lines.append(f"$ORIGIN {o}")
    lines.append("$TTL 3600")
    add("@", "SOA", f"ns1.{o} hostmaster.{o} {2024000000 + seed} 7200 3600 1209600 300", 3600, "apex")
    add("@", "NS", f"ns1.{o}", 3600, "apex")
    add("@", "NS", f"ns2.{o}", 3600, "apex")
    add("@", "NS", "ns.outside.example.net.", 3600, "apex")
    add("@", "MX", f"10 mail.{o}", 3600, "apex")
    add("@", "TXT", '"v=spf1 -all"', 3600, "apex")
    add("@", "CAA", '0 issue "letsencrypt.org"', 3600, "apex")
    add("@", "CAA", '128 tbs "Unknown"', 3600, "apex")
    add("@", "CAA", '0 iodef "mailto:security@zk-diff.test"', 3600, "apex")
    add("ns1", "A", "192.0.2.53", 3600, "glue")
    add("ns1", "AAAA", "2001:db8::53", 3600, "glue")
    add("ns2", "A", "198.51.100.53", 3600, "glue")
    add("mail", "A", "192.0.2.25", 300, "host")
    add("mail", "AAAA", "2001:db8::25", 300, "host")

    # Delegations. child1: in-zone NS with glue below the cut; child2: out-of-zone NS only;
    # child3: NS target is authoritative data of the parent; child4: sibling glue (NS under child1);
    # child5: DS at the cut (RFC 4035 §3.1.4.1: the parent answers DS authoritatively).
    add("child1", "NS", f"ns1.child1.{o}", 86400, "deleg")
    add("child1", "NS", f"ns2.child1.{o}", 86400, "deleg")
    add("ns1.child1", "A", "192.0.2.101", 86400, "glue-below-cut")
    add("ns1.child1", "AAAA", "2001:db8:1::101", 86400, "glue-below-cut")
    add("ns2.child1", "A", "192.0.2.102", 86400, "glue-below-cut")
    add("child2", "NS", "ns.elsewhere.example.org.", 86400, "deleg")
    add("child2", "NS", "ns2.elsewhere.example.org.", 86400, "deleg")
    add("child3", "NS", f"ns1.{o}", 86400, "deleg")
    add("child4", "NS", f"ns1.child1.{o}", 86400, "deleg")
    add("child5", "NS", f"ns.child5.{o}", 3600, "deleg")
    add("ns.child5", "A", "192.0.2.105", 3600, "glue-below-cut")
    add("child5", "DS", "12345 13 2 " + _hexstr(rng, 32).upper(), 3600, "deleg")
    add("Deleg-Mixed", "NS", "ns.elsewhere.example.org.", 3600, "deleg")
    for d in ("child1", "child2", "child3", "child4", "child5", "deleg-mixed"):
        delegations.append(f"{d}.{o}")
        name(f"www.{d}", "below-cut")
        name(f"a.b.c.{d}", "below-cut")
    name("deeper.ns1.child1", "below-cut")

    # Wildcards.
    add("*.wild", "A", "192.0.2.200", 300, "wildcard")
    add("*.wild", "TXT", '"wildcard text"', 300, "wildcard")
    add("*.wild", "MX", f"10 mail.{o}", 300, "wildcard")
    add("*.wild", "AAAA", "2001:db8::200", 300, "wildcard")
    add("exists.wild", "A", "192.0.2.201", 300, "wildcard-sibling")
    add("deep.ent.wild", "TXT", '"ent below a wildcard"', 300, "wildcard-sibling")
    add("*.cwild", "CNAME", f"host-1.{o}", 300, "wildcard")
    add("*.wild-mx", "MX", f"5 foo.wild.{o}", 300, "wildcard")  # MX target matched by a wildcard
    for q in ("foo.wild", "FoO.WiLd", "a.b.c.wild", "x.exists.wild", "ent.wild", "x.ent.wild",
              "any.cwild", "x.y.cwild", "host.wild-mx", "*.wild.x", "\\*.wild"):
        name(q, "wildcard-query")

    # RFC 4592 §2.2.1 structure below rfc4592.<zone> (apex wildcard case is the `example.` zone).
    r = "rfc4592"
    add(f"*.{r}", "TXT", '"this is a wildcard"', 3600, "rfc4592")
    add(f"*.{r}", "MX", f"10 host1.{r}.{o}", 3600, "rfc4592")
    add(f"sub.*.{r}", "TXT", '"this is not a wildcard"', 3600, "rfc4592")
    add(f"host1.{r}", "A", "192.0.2.1", 3600, "rfc4592")
    add(f"_ssh._tcp.host1.{r}", "SRV", f"0 0 22 host1.{r}.{o}", 3600, "rfc4592")
    add(f"_ssh._tcp.host2.{r}", "SRV", f"0 0 22 host2.{r}.{o}", 3600, "rfc4592")
    add(f"subdel.{r}", "NS", "ns.example.com.", 3600, "rfc4592")
    add(f"subdel.{r}", "NS", "ns.example.net.", 3600, "rfc4592")
    delegations.append(f"subdel.{r}.{o}")
    for q in ("host3", "foo.bar", "host1", "sub.*", "_telnet._tcp.host1", "host.subdel", "ghost.*",
              "_tcp.host1", "_tcp.host2", "host2", r):
        name(f"{q}.{r}" if q != r else r, "rfc4592-query")

    # CNAME chains.
    add("c1", "CNAME", f"c2.{o}", 300, "cname")
    add("c2", "CNAME", f"c3.{o}", 600, "cname")
    add("c3", "CNAME", f"host-1.{o}", 900, "cname")
    add("cext", "CNAME", "www.example.org.", 300, "cname")
    add("cwild", "CNAME", f"target.wild.{o}", 300, "cname")
    add("cnx", "CNAME", f"missing.{o}", 300, "cname")
    add("cnx2", "CNAME", f"c-to-nx.{o}", 300, "cname")
    add("c-to-nx", "CNAME", f"deeper.missing.{o}", 300, "cname")
    add("cloop1", "CNAME", f"cloop2.{o}", 300, "cname")
    add("cloop2", "CNAME", f"cloop1.{o}", 300, "cname")
    add("cdeleg", "CNAME", f"www.child1.{o}", 300, "cname")
    add("capex", "CNAME", o, 300, "cname")
    add("cent", "CNAME", f"b.c.ent.{o}", 300, "cname")  # CNAME to an empty non-terminal
    add("cdname", "CNAME", f"x.dn.{o}", 300, "cname")  # CNAME into a DNAME
    add("Mixed-CNAME", "CNAME", f"MiXeD.Host.{o}", 300, "cname")
    add("czone", "CNAME", f"host1.{RFC4592_ORIGIN}", 300, "cname")  # into the other loaded zone

    # DNAME (RFC 6672).
    add("dn", "DNAME", f"target.{o}", 300, "dname")
    add("dn", "A", "192.0.2.77", 300, "dname")
    add("a.target", "A", "192.0.2.78", 300, "dname-target")
    add("a.target", "TXT", '"via dname"', 300, "dname-target")
    add("c.target", "CNAME", f"host-2.{o}", 300, "dname-target")
    add("dnext", "DNAME", "example.org.", 300, "dname")
    for q in ("a.dn", "A.DN", "nx.dn", "c.dn", "x.y.a.dn", "www.dnext"):
        name(q, "dname-query")

    # Empty non-terminals.
    add("a.b.c.ent", "A", "192.0.2.90", 300, "ent-leaf")
    add("x.b.c.ent", "TXT", '"sibling below ent"', 300, "ent-leaf")
    for q in ("b.c.ent", "c.ent", "ent", "nx.c.ent", "nx.b.c.ent"):
        name(q, "ent")

    # TXT corner cases.
    add("txt-long", "TXT", '"' + _txt_chunk(rng, 255) + '"', 300, "txt")
    add("txt-multi", "TXT", " ".join('"' + _txt_chunk(rng, rng.randint(1, 255)) + '"'
                                      for _ in range(4)), 300, "txt")
    add("txt-esc", "TXT", r'"quote\" backslash\\ semi; tab\009 high\255 empty" ""', 300, "txt")
    add("txt-paren", "TXT", '( "first part"\n\t\t"second part" )', 300, "txt")
    for i in range(30):
        add("txt-many", "TXT", f'"record {i:02d} ' + _txt_chunk(rng, 20) + '"', 300, "txt")
    add("spf", "SPF", '"v=spf1 ip4:192.0.2.0/24 -all"', 300, "types")
    add("spf", "TXT", '"v=spf1 ip4:192.0.2.0/24 -all"', 300, "types")

    # Large RRsets: TC without EDNS (512), with EDNS 1232, and even with 4096.
    for i in range(40):
        add("big-a", "A", f"10.1.{i // 250}.{i % 250 + 1}", 300, "big")
    for i in range(60):
        add("big-aaaa", "AAAA", f"2001:db8:b16::{i + 1:x}", 300, "big")
    for i in range(20):
        add("big-txt", "TXT", '"' + _txt_chunk(rng, 250) + '"', 300, "big")
    for i in range(20):
        add("mx-many", "MX", f"{i} mx{i}.{o}", 300, "big")
        add(f"mx{i}", "A", f"192.0.2.{i + 10}", 300, "host")
        add(f"mx{i}", "AAAA", f"2001:db8:ee::{i + 10:x}", 300, "host")
    big.extend(f"{n}.{o}" for n in ("big-a", "big-aaaa", "big-txt", "mx-many", "txt-many"))

    # MX/SRV targets in and out of zone; other types.
    add("mx-in", "MX", f"10 mail.{o}", 300, "types")
    add("mx-in", "MX", f"20 ns1.{o}", 300, "types")
    add("mx-out", "MX", "10 mx.example.org.", 300, "types")
    add("mx-mixed", "MX", f"10 mail.{o}", 300, "types")
    add("mx-mixed", "MX", "20 mx.example.org.", 300, "types")
    add("mx-null", "MX", "0 .", 300, "types")  # RFC 7505 null MX
    add("_sip._udp", "SRV", f"10 60 5060 mail.{o}", 300, "types")
    add("_sip._udp", "SRV", "20 40 5060 sip.example.org.", 300, "types")
    add("_xmpp._tcp", "SRV", f"5 0 5222 ns2.{o}", 300, "types")
    add("_none._tcp", "SRV", "0 0 0 .", 300, "types")
    add("ptr", "PTR", f"host-1.{o}", 300, "types")
    add("4.2.0.192.in-addr", "PTR", f"mail.{o}", 300, "types")
    add("naptr", "NAPTR", '100 10 "S" "SIP+D2U" "" _sip._udp.zk-diff.test.', 300, "types")
    add("naptr", "NAPTR", '102 10 "U" "E2U+sip" "!^.*$!sip:info@example.org!" .', 300, "types")
    add("sshfp", "SSHFP", "1 1 " + _hexstr(rng, 20), 300, "types")
    add("sshfp", "SSHFP", "4 2 " + _hexstr(rng, 32), 300, "types")
    add("_443._tcp.www", "TLSA", "3 1 1 " + _hexstr(rng, 32), 300, "types")
    add("hinfo", "HINFO", '"PC-Intel-700mhz" "Debian GNU/Linux"', 300, "types")
    add("caa-only", "CAA", '0 issuewild ";"', 300, "types")
    add("MiXeD.Host", "A", "192.0.2.150", 300, "mixed-case")
    add("MiXeD.Host", "TXT", '"Mixed Case Text"', 300, "mixed-case")
    add("UPPER", "AAAA", "2001:db8::f00", 300, "mixed-case")
    add("odd\\.label", "A", "192.0.2.151", 300, "escaped")
    add("under_score", "TXT", '"underscore label"', 300, "escaped")
    name("mixed.host", "mixed-case")
    name("upper", "mixed-case")

    # A seeded population of ordinary hosts.
    for i in range(1, hosts + 1):
        h = f"host-{i}"
        add(h, "A", _v4(rng), None, "host")
        if rng.random() < 0.5:
            add(h, "AAAA", _v6(rng), None, "host")
        if rng.random() < 0.3:
            add(h, "TXT", '"' + _txt_chunk(rng, rng.randint(1, 60)) + '"', None, "host")
        if rng.random() < 0.15:
            add(h, "MX", f"{rng.randint(0, 50)} host-{rng.randint(1, hosts)}.{o}", None, "host")
        if rng.random() < 0.1:
            add(h, "CAA", '0 issue "ca.example.net"', None, "host")
        if rng.random() < 0.1:
            depth = rng.randint(1, 3)
            sub = ".".join(f"l{rng.randint(0, 9)}" for _ in range(depth))
            add(f"{sub}.{h}", "A", _v4(rng), None, "host-deep")  # makes ENTs when depth > 1
    # host-1/host-2 must exist with an A for the CNAME targets above; they do (i starts at 1).

    main = "\n".join(lines) + "\n"
    return Corpus(zones={ORIGIN: main, RFC4592_ORIGIN: _rfc4592_zone()}, names=names,
                  delegations=delegations, big_names=big)


if __name__ == "__main__":
    import sys
    c = generate(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
    for origin, text in c.zones.items():
        print(f"; ---- {origin}")
        print(text)
