// Tests of Zone: build validation, lookups, empty non-terminals, apply() semantics and sharing.
#include "zone/zone.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "dns/rdata.h"
#include "dns/types.h"
#include "dns/zonefile.h"

namespace zk::zone {
namespace {

using dns::Name;
using dns::ResourceRecord;
namespace rrtype = dns::rrtype;

Name N(std::string_view s) { return *Name::fromText(s); }

std::vector<ResourceRecord> parse(std::string_view text, std::string_view origin = "example.") {
  dns::ZoneParseOptions opts;
  opts.origin = N(origin);
  auto r = dns::parseZoneText(text, opts);
  EXPECT_TRUE(r.ok()) << r.status().toString();
  return r.ok() ? *r : std::vector<ResourceRecord>{};
}

ResourceRecord RR(std::string_view owner, uint16_t type, std::string_view rdata, uint32_t ttl = 300) {
  auto rd = dns::rdataFromText(type, rdata, N("example."));
  EXPECT_TRUE(rd.ok()) << rdata << ": " << rd.status().toString();
  return ResourceRecord{N(owner), type, dns::rrclass::kIN, ttl, rd.ok() ? *rd : std::vector<uint8_t>{}};
}

constexpr std::string_view kSoa = "@ 3600 IN SOA ns1 hostmaster 42 7200 3600 1209600 300\n";

ZonePtr Build(std::string_view text, std::string_view origin = "example.") {
  auto z = Zone::build(N(origin), parse(text, origin));
  EXPECT_TRUE(z.ok()) << z.status().toString();
  return z.ok() ? *z : nullptr;
}

Status BuildStatus(std::string_view text) { return Zone::build(N("example."), parse(text)).status(); }

const Node* Find(const ZonePtr& z, std::string_view name) { return z->find(N(name)); }

TEST(ZoneBuild, BasicFacts) {
  auto z = Build(std::string(kSoa) +
                 "@ NS ns1\n@ NS ns2\nns1 A 192.0.2.1\nns2 A 192.0.2.2\nwww A 192.0.2.10\nwww A 192.0.2.11\n"
                 "www AAAA 2001:db8::1\n");
  ASSERT_TRUE(z);
  EXPECT_EQ(z->serial(), 42u);
  EXPECT_EQ(z->negativeTtl(), 300u);  // min(SOA TTL 3600, MINIMUM 300), RFC 2308 §3
  EXPECT_EQ(z->recordCount(), 8u);
  EXPECT_EQ(z->nameCount(), 4u);
  EXPECT_EQ(z->cutCount(), 0u);
  EXPECT_TRUE(z->apexNode().isApex());
  EXPECT_EQ(z->apexNode().childCount(), 3u);
  const Node* www = Find(z, "www.example.");
  ASSERT_NE(www, nullptr);
  EXPECT_EQ(www->rrsetCount(), 2u);
  ASSERT_NE(www->find(rrtype::kA), nullptr);
  EXPECT_EQ(www->find(rrtype::kA)->count(), 2u);
  EXPECT_EQ(www->find(rrtype::kMX), nullptr);
  EXPECT_EQ(Find(z, "nope.example."), nullptr);
  EXPECT_EQ(Find(z, "www.other."), nullptr);
}

TEST(ZoneBuild, PrerenderedWire) {
  auto z = Build(std::string(kSoa) + "www 600 A 192.0.2.10\nmx MX 10 Mail.Example.\n");
  const RRset* a = Find(z, "www.example.")->find(rrtype::kA);
  ASSERT_NE(a, nullptr);
  std::vector<uint8_t> expect = {0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0x02, 0x58, 0, 4, 192, 0, 2, 10};
  EXPECT_EQ(std::vector<uint8_t>(a->wire().begin(), a->wire().end()), expect);
  EXPECT_TRUE(a->targets().empty());
  const RRset* mx = Find(z, "mx.example.")->find(rrtype::kMX);
  ASSERT_EQ(mx->targets().size(), 1u);
  EXPECT_EQ(mx->targets()[0], 14u);  // 2 owner + 10 header + 2 preference
  auto w = mx->wire();
  EXPECT_EQ(w[14], 4);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(&w[15]), 4), "Mail");  // case as loaded
  // Compression metadata: "Mail.Example." shares one label ("example") with the owner mx.example.
  ASSERT_EQ(mx->relocs().size(), 1u);
  EXPECT_EQ(mx->relocs()[0].offset, 14u);
  EXPECT_EQ(mx->relocs()[0].prefix_len, 5u);
  EXPECT_EQ(mx->relocs()[0].labels, 1u);
  EXPECT_TRUE(a->relocs().empty());
}

TEST(ZoneBuild, RelocationsSkipWildcardLabelAndIncompressibleTypes) {
  auto z = Build(std::string(kSoa) + "*.w MX 10 *.w\nsrv SRV 0 0 1 x.srv\nd DNAME x.d\n");
  const RRset* mx = Find(z, "*.w.example.")->find(rrtype::kMX);
  ASSERT_EQ(mx->relocs().size(), 1u);
  EXPECT_EQ(mx->relocs()[0].labels, 2u);      // w.example., never the "*" (the query name's label)
  EXPECT_EQ(mx->relocs()[0].prefix_len, 2u);  // "\001*" stays
  EXPECT_TRUE(Find(z, "srv.example.")->find(rrtype::kSRV)->relocs().empty());  // RFC 3597 §4
  EXPECT_TRUE(Find(z, "d.example.")->find(rrtype::kDNAME)->relocs().empty());
  const RRset& soa = z->soa();  // ns1.example. and hostmaster.example.: the whole apex
  ASSERT_EQ(soa.relocs().size(), 2u);
  EXPECT_EQ(soa.relocs()[0].labels, 1u);
  EXPECT_EQ(soa.relocs()[1].labels, 1u);
}

TEST(ZoneBuild, CaseInsensitiveLookupKeepsCase) {
  auto z = Build(std::string(kSoa) + "WwW.Sub A 192.0.2.1\n");
  const Node* n = Find(z, "www.SUB.example.");
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->ownerName().toText(), "WwW.Sub.example.");
  EXPECT_NE(Find(z, "sub.example."), nullptr);
}

TEST(ZoneBuild, DuplicatesMergedAndLowestTtl) {
  auto z = Build(std::string(kSoa) +
                 "a 300 A 192.0.2.1\na 100 A 192.0.2.2\na 900 A 192.0.2.1\n"
                 "n NS ns.Other.\nn NS NS.other.\n");
  const RRset* a = Find(z, "a.example.")->find(rrtype::kA);
  EXPECT_EQ(a->count(), 2u);
  EXPECT_EQ(a->ttl(), 100u);  // RFC 2181 §5.2: lowest
  // RDATA names compare case-insensitively (RFC 4034 §6.2 canonical form): one NS record.
  EXPECT_EQ(Find(z, "n.example.")->find(rrtype::kNS)->count(), 1u);
  EXPECT_EQ(z->recordCount(), 4u);
}

// Records of one name need not be adjacent in the input.
TEST(ZoneBuild, ScatteredOwners) {
  auto z = Build("www A 192.0.2.1\n" + std::string(kSoa) +
                 "mail A 192.0.2.2\nWWW AAAA 2001:db8::1\n@ NS ns1\nwww 60 A 192.0.2.1\nmail TXT x\n"
                 "www A 192.0.2.3\nx.y A 192.0.2.4\ny TXT here\n");
  ASSERT_TRUE(z);
  const Node* www = Find(z, "www.example.");
  ASSERT_EQ(www->rrsetCount(), 2u);
  EXPECT_EQ(www->find(rrtype::kA)->count(), 2u);
  EXPECT_EQ(www->find(rrtype::kA)->ttl(), 60u);
  EXPECT_EQ(www->find(rrtype::kAAAA)->count(), 1u);
  EXPECT_EQ(Find(z, "mail.example.")->rrsetCount(), 2u);
  EXPECT_EQ(z->apexNode().rrsetCount(), 2u);  // NS + SOA from two runs
  EXPECT_EQ(Find(z, "y.example.")->childCount(), 1u);
  EXPECT_TRUE(Find(z, "y.example.")->hasData());
  EXPECT_EQ(z->recordCount(), 9u);
  EXPECT_EQ(z->nameCount(), 5u);
  // Split runs are validated together: CNAME in one run, A in another.
  EXPECT_FALSE(BuildStatus(std::string(kSoa) + "w CNAME x\nq A 192.0.2.1\nw A 192.0.2.1\n").isOk());
}

TEST(ZoneBuild, Validation) {
  EXPECT_FALSE(BuildStatus("www A 192.0.2.1\n").isOk());                                // no SOA
  EXPECT_FALSE(BuildStatus(std::string(kSoa) + "@ SOA ns1 hm 43 1 1 1 1\n").isOk());    // two SOA
  EXPECT_FALSE(BuildStatus(std::string(kSoa) + "sub SOA ns1 hm 43 1 1 1 1\n").isOk());  // SOA below apex
  EXPECT_FALSE(BuildStatus(std::string(kSoa) + "w CNAME x\nw A 192.0.2.1\n").isOk());   // RFC 1034 §3.6.2
  EXPECT_FALSE(BuildStatus(std::string(kSoa) + "w CNAME x\nw CNAME y\n").isOk());       // RFC 2181 §10.1
  EXPECT_FALSE(BuildStatus(std::string(kSoa) + "@ CNAME x\n").isOk());                  // CNAME at apex
  EXPECT_FALSE(BuildStatus(std::string(kSoa) + "d DNAME x\nd DNAME y\n").isOk());       // RFC 6672 §2.4
  EXPECT_TRUE(BuildStatus(std::string(kSoa) + "w CNAME x\nw CNAME x\n").isOk());        // duplicate: merged
  EXPECT_TRUE(BuildStatus(std::string(kSoa) +
                          "w CNAME x\nw RRSIG A 8 2 300 20300101000000 20200101000000 1 example. AAAA\n")
                  .isOk());
  // Outside the zone, other class, meta type, malformed RDATA.
  auto base = parse(kSoa);
  auto with = [&](ResourceRecord rr) {
    auto v = base;
    v.push_back(std::move(rr));
    return Zone::build(N("example."), std::move(v)).status();
  };
  EXPECT_FALSE(with(ResourceRecord{N("www.example.org."), rrtype::kA, 1, 300, {1, 2, 3, 4}}).isOk());
  EXPECT_FALSE(
      with(ResourceRecord{N("www.example."), rrtype::kA, dns::rrclass::kCH, 300, {1, 2, 3, 4}}).isOk());
  EXPECT_FALSE(with(ResourceRecord{N("www.example."), rrtype::kANY, 1, 300, {}}).isOk());
  EXPECT_FALSE(with(ResourceRecord{N("www.example."), rrtype::kOPT, 1, 300, {}}).isOk());
  EXPECT_FALSE(with(ResourceRecord{N("www.example."), rrtype::kA, 1, 300, {1, 2, 3}}).isOk());
  EXPECT_FALSE(with(ResourceRecord{N("www.example."), rrtype::kMX, 1, 300, {0, 10, 3, 'a'}}).isOk());
  EXPECT_TRUE(with(ResourceRecord{N("www.example."), rrtype::kA, 1, 300, {1, 2, 3, 4}}).isOk());
}

TEST(ZoneBuild, EmptyNonTerminals) {
  auto z = Build(std::string(kSoa) + "a.b.c A 192.0.2.1\nx.b.c A 192.0.2.2\n_ssh._tcp.h TXT x\n");
  const Node* c = Find(z, "c.example.");
  const Node* b = Find(z, "b.c.example.");
  ASSERT_NE(c, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_TRUE(c->isEmptyNonTerminal());
  EXPECT_TRUE(b->isEmptyNonTerminal());
  EXPECT_EQ(b->childCount(), 2u);
  EXPECT_EQ(c->childCount(), 1u);
  EXPECT_TRUE(Find(z, "_tcp.h.example.")->isEmptyNonTerminal());
  EXPECT_TRUE(Find(z, "h.example.")->isEmptyNonTerminal());
  EXPECT_EQ(z->apexNode().childCount(), 2u);  // c, h
  EXPECT_EQ(z->nameCount(), 8u);
  EXPECT_EQ(z->recordCount(), 4u);
}

TEST(ZoneLookup, Kinds) {
  auto z = Build(std::string(kSoa) +
                 "host A 192.0.2.1\n*.wild A 192.0.2.9\nsub.deleg NS ns.other.\ndeleg NS ns.other.\n"
                 "d DNAME target.other.\nx.y.z A 192.0.2.5\n");
  ASSERT_EQ(z->cutCount(), 3u);  // two cuts, one DNAME
  auto look = [&](std::string_view name, uint16_t qtype = rrtype::kA) {
    LookupName ln;
    EXPECT_TRUE(ln.assign(N(name)));
    return z->lookup(ln, qtype);
  };
  EXPECT_EQ(look("host.example.").kind, LookupResult::kExact);
  EXPECT_EQ(look("example.").kind, LookupResult::kExact);
  auto w = look("a.b.wild.example.");
  EXPECT_EQ(w.kind, LookupResult::kWildcard);
  EXPECT_EQ(w.label, 2);  // closest encloser wild.example.
  EXPECT_EQ(w.node->ownerName().toText(), "*.wild.example.");
  auto d = look("a.b.deleg.example.");
  EXPECT_EQ(d.kind, LookupResult::kDelegation);
  EXPECT_EQ(d.node->ownerName().toText(), "deleg.example.");
  EXPECT_EQ(look("deleg.example.").kind, LookupResult::kDelegation);
  EXPECT_EQ(look("deleg.example.", rrtype::kDS).kind, LookupResult::kExact);  // RFC 4035 §3.1.4.1
  EXPECT_EQ(look("q.d.example.").kind, LookupResult::kDname);
  EXPECT_EQ(look("d.example.").kind, LookupResult::kExact);
  auto nx = look("nope.example.");
  EXPECT_EQ(nx.kind, LookupResult::kNxdomain);
  EXPECT_TRUE(nx.node->isApex());
  auto ent = look("y.z.example.");
  EXPECT_EQ(ent.kind, LookupResult::kExact);
  EXPECT_TRUE(ent.node->isEmptyNonTerminal());
  auto nx2 = look("q.y.z.example.");
  EXPECT_EQ(nx2.kind, LookupResult::kNxdomain);
  EXPECT_EQ(nx2.label, 1);
}

TEST(ZoneLookup, NoCutsFastPath) {
  auto z = Build(std::string(kSoa) + "host A 192.0.2.1\n*.w A 192.0.2.9\nx.y.z A 192.0.2.5\n");
  ASSERT_EQ(z->cutCount(), 0u);
  LookupName ln;
  ln.assign(N("a.b.y.z.example."));
  auto r = z->lookup(ln, rrtype::kA);
  EXPECT_EQ(r.kind, LookupResult::kNxdomain);
  EXPECT_EQ(r.node->ownerName().toText(), "y.z.example.");
  ln.assign(N("Q.W.example."));
  r = z->lookup(ln, rrtype::kA);
  EXPECT_EQ(r.kind, LookupResult::kWildcard);
}

TEST(ZoneRecords, CanonicalOrder) {
  auto z = Build(std::string(kSoa) +
                 "z A 192.0.2.1\nyljkjljk.a A 192.0.2.1\n*.z A 192.0.2.1\n\\001.z A 192.0.2.1\n"
                 "zABC.a A 192.0.2.1\na TXT b\na TXT a\na A 192.0.2.3\n");
  auto recs = z->records();
  std::vector<std::string> names;
  for (const auto& r : recs) names.push_back(r.owner.toText() + "/" + dns::typeToText(r.type));
  // RFC 4034 §6.1 name order, RRsets by type number, RDATA in canonical order.
  std::vector<std::string> expect = {"example./SOA",   "a.example./A",          "a.example./TXT",
                                     "a.example./TXT", "yljkjljk.a.example./A", "zABC.a.example./A",
                                     "z.example./A",   "\\001.z.example./A",    "*.z.example./A"};
  EXPECT_EQ(names, expect);
  std::vector<std::string> txts;
  for (const auto& r : recs)
    if (r.type == rrtype::kTXT) txts.push_back(dns::rdataToText(r.type, r.rdata));
  EXPECT_EQ(txts, (std::vector<std::string>{"\"a\"", "\"b\""}));
}

TEST(ZoneRecords, CanonicalNameCompareRfc4034Example) {
  // RFC 4034 §6.1 lists these names in canonical order.
  std::vector<std::string> order = {"example.",         "a.example.",      "yljkjljk.a.example.",
                                    "Z.a.example.",     "zABC.a.EXAMPLE.", "z.example.",
                                    "\\001.z.example.", "*.z.example.",    "\\200.z.example."};
  for (size_t i = 0; i + 1 < order.size(); ++i)
    EXPECT_LT(canonicalNameCompare(N(order[i]).wire(), N(order[i + 1]).wire()), 0) << order[i];
  EXPECT_EQ(canonicalNameCompare(N("A.b.").wire(), N("a.B.").wire()), 0);
}

// ---- apply() ----

ZonePtr Apply(const ZonePtr& z, const ZoneDelta& d) {
  auto r = z->apply(d);
  EXPECT_TRUE(r.ok()) << r.status().toString();
  return r.ok() ? *r : nullptr;
}

TEST(ZoneApply, AddRemoveReplaceAndSharing) {
  auto z1 = Build(std::string(kSoa) + "a A 192.0.2.1\nb A 192.0.2.2\nc.d A 192.0.2.3\n");
  const Node* a1 = Find(z1, "a.example.");
  const Node* c1 = Find(z1, "c.d.example.");
  ZoneDelta d;
  d.add.push_back(RR("b.example.", rrtype::kA, "192.0.2.22"));
  d.add.push_back(RR("new.example.", rrtype::kTXT, "hello"));
  auto z2 = Apply(z1, d);
  ASSERT_TRUE(z2);
  // Old snapshot unchanged.
  EXPECT_EQ(Find(z1, "b.example.")->find(rrtype::kA)->count(), 1u);
  EXPECT_EQ(Find(z1, "new.example."), nullptr);
  EXPECT_EQ(z1->recordCount(), 4u);
  EXPECT_EQ(z1->apexNode().childCount(), 3u);
  // New snapshot.
  EXPECT_EQ(Find(z2, "b.example.")->find(rrtype::kA)->count(), 2u);
  EXPECT_NE(Find(z2, "new.example."), nullptr);
  EXPECT_EQ(z2->recordCount(), 6u);
  EXPECT_EQ(z2->apexNode().childCount(), 4u);
  // Untouched names are the very same nodes.
  EXPECT_EQ(Find(z2, "a.example."), a1);
  EXPECT_EQ(Find(z2, "c.d.example."), c1);
  EXPECT_NE(Find(z2, "b.example."), Find(z1, "b.example."));

  ZoneDelta r;
  r.remove.push_back(RR("b.example.", rrtype::kA, "192.0.2.2"));
  r.replace.push_back(
      RRsetReplace{N("a.example."), rrtype::kA, 60, {{10, 0, 0, 1}, {10, 0, 0, 2}, {10, 0, 0, 1}}});
  r.replace.push_back(RRsetReplace{N("new.example."), rrtype::kTXT, 0, {}});
  auto z3 = Apply(z2, r);
  ASSERT_TRUE(z3);
  auto bs = Find(z3, "b.example.")->find(rrtype::kA)->rdatas();
  EXPECT_EQ(bs, (std::vector<std::vector<uint8_t>>{{192, 0, 2, 22}}));
  const RRset* a3 = Find(z3, "a.example.")->find(rrtype::kA);
  EXPECT_EQ(a3->count(), 2u);
  EXPECT_EQ(a3->ttl(), 60u);
  EXPECT_EQ(Find(z3, "new.example."), nullptr);
  EXPECT_EQ(z3->recordCount(), 5u);
  EXPECT_EQ(z3->nameCount(), 5u);                // apex, a, b, d (ENT), c.d
  EXPECT_NE(Find(z2, "new.example."), nullptr);  // z2 unchanged
}

TEST(ZoneApply, EntBookkeeping) {
  auto z1 = Build(std::string(kSoa) + "x A 192.0.2.1\n");
  ZoneDelta d;
  d.add.push_back(RR("a.b.c.example.", rrtype::kA, "192.0.2.1"));
  d.add.push_back(RR("*.b.c.example.", rrtype::kA, "192.0.2.2"));
  auto z2 = Apply(z1, d);
  ASSERT_TRUE(z2);
  EXPECT_TRUE(Find(z2, "b.c.example.")->isEmptyNonTerminal());
  EXPECT_EQ(Find(z2, "b.c.example.")->childCount(), 2u);
  EXPECT_TRUE(Find(z2, "b.c.example.")->hasWildcardChild());
  EXPECT_EQ(Find(z2, "c.example.")->childCount(), 1u);
  EXPECT_EQ(z2->apexNode().childCount(), 2u);
  EXPECT_EQ(z2->nameCount(), 6u);

  // Data at an ENT, then removal of the leaf keeps the name (it now has data).
  ZoneDelta d2;
  d2.add.push_back(RR("c.example.", rrtype::kTXT, "now data"));
  d2.remove.push_back(RR("*.b.c.example.", rrtype::kA, "192.0.2.2"));
  auto z3 = Apply(z2, d2);
  ASSERT_TRUE(z3);
  EXPECT_FALSE(Find(z3, "b.c.example.")->hasWildcardChild());
  EXPECT_EQ(Find(z3, "b.c.example.")->childCount(), 1u);
  EXPECT_TRUE(Find(z3, "c.example.")->hasData());

  ZoneDelta d3;
  d3.remove.push_back(RR("a.b.c.example.", rrtype::kA, "192.0.2.1"));
  auto z4 = Apply(z3, d3);
  ASSERT_TRUE(z4);
  EXPECT_EQ(Find(z4, "a.b.c.example."), nullptr);
  EXPECT_EQ(Find(z4, "b.c.example."), nullptr);  // ENT vanished with its last descendant
  EXPECT_NE(Find(z4, "c.example."), nullptr);    // has data
  EXPECT_EQ(Find(z4, "c.example.")->childCount(), 0u);
  EXPECT_EQ(z4->nameCount(), 3u);

  ZoneDelta d4;
  d4.replace.push_back(RRsetReplace{N("c.example."), rrtype::kTXT, 0, {}});
  auto z5 = Apply(z4, d4);
  EXPECT_EQ(Find(z5, "c.example."), nullptr);
  EXPECT_EQ(z5->apexNode().childCount(), 1u);
  EXPECT_EQ(z5->nameCount(), 2u);
}

TEST(ZoneApply, Errors) {
  auto z = Build(std::string(kSoa) + "a A 192.0.2.1\nc CNAME a\n");
  ZoneDelta d;
  d.remove.push_back(RR("a.example.", rrtype::kA, "192.0.2.99"));
  EXPECT_EQ(z->apply(d).status().code(), Code::kNotFound);
  ZoneDelta d2;
  d2.add.push_back(RR("c.example.", rrtype::kA, "192.0.2.1"));
  EXPECT_EQ(z->apply(d2).status().code(), Code::kInvalidArgument);
  ZoneDelta d3;
  d3.replace.push_back(RRsetReplace{N("example."), rrtype::kSOA, 0, {}});
  EXPECT_FALSE(z->apply(d3).ok());
  ZoneDelta d4;
  d4.add.push_back(RR("x.example.org.", rrtype::kA, "192.0.2.1"));
  EXPECT_FALSE(z->apply(d4).ok());
  // Rules are checked on each name's final state: replacing the CNAME by an A in one delta is fine.
  ZoneDelta d5;
  d5.replace.push_back(RRsetReplace{N("c.example."), rrtype::kCNAME, 0, {}});
  d5.add.push_back(RR("c.example.", rrtype::kA, "192.0.2.7"));
  auto z5 = z->apply(d5);
  ASSERT_TRUE(z5.ok()) << z5.status().toString();
  EXPECT_NE((*z5)->find(N("c.example."))->find(rrtype::kA), nullptr);
  EXPECT_TRUE(z->find(N("c.example."))->hasCname());
  ZoneDelta d6;
  d6.remove.push_back(RR("c.example.", rrtype::kCNAME, "a"));
  d6.add.push_back(RR("c.example.", rrtype::kA, "192.0.2.7"));
  auto z6 = z->apply(d6);
  ASSERT_TRUE(z6.ok()) << z6.status().toString();
  EXPECT_FALSE((*z6)->find(N("c.example."))->hasCname());
}

TEST(ZoneApply, SerialAndCuts) {
  auto z = Build(std::string(kSoa) + "a A 192.0.2.1\n");
  ZoneDelta d;
  d.replace.push_back(RRsetReplace{N("example."),
                                   rrtype::kSOA,
                                   100,
                                   {*dns::rdataFromText(rrtype::kSOA, "ns1 hm 43 1 1 1 50", N("example."))}});
  d.add.push_back(RR("sub.example.", rrtype::kNS, "ns.other."));
  auto z2 = Apply(z, d);
  EXPECT_EQ(z2->serial(), 43u);
  EXPECT_EQ(z2->negativeTtl(), 50u);
  EXPECT_EQ(z2->cutCount(), 1u);
  EXPECT_EQ(z->serial(), 42u);
  ZoneDelta d2;
  d2.replace.push_back(RRsetReplace{N("sub.example."), rrtype::kNS, 0, {}});
  EXPECT_EQ(Apply(z2, d2)->cutCount(), 0u);
}

// apply() must give exactly what a fresh build of the resulting records gives.
TEST(ZoneApply, RandomizedMatchesRebuild) {
  std::mt19937 rng(1234);
  auto z = Build(std::string(kSoa));
  std::multiset<std::string> model;
  auto key = [](const ResourceRecord& r) {
    return r.owner.lowercased().toText() + " " + dns::rdataToText(r.type, r.rdata);
  };
  std::vector<std::string> labels = {"a", "b", "c", "*", "dd"};
  for (int round = 0; round < 200; ++round) {
    ZoneDelta d;
    int nops = 1 + int(rng() % 4);
    std::set<std::string> touched;
    for (int k = 0; k < nops; ++k) {
      std::string name;
      int depth = 1 + int(rng() % 3);
      for (int l = 0; l < depth; ++l) name += labels[rng() % labels.size()] + ".";
      name += "example.";
      ResourceRecord rr = RR(name, rrtype::kA, "10.0.0." + std::to_string(rng() % 3), 300);
      std::string k2 = key(rr);
      if (touched.count(rr.owner.lowercased().toText())) continue;
      touched.insert(rr.owner.lowercased().toText());
      if (model.count(k2) && rng() % 2) {
        d.remove.push_back(rr);
        model.erase(k2);
      } else if (!model.count(k2)) {
        d.add.push_back(rr);
        model.insert(k2);
      }
    }
    auto next = z->apply(d);
    ASSERT_TRUE(next.ok()) << next.status().toString();
    auto rebuilt = Zone::build(N("example."), (*next)->records());
    ASSERT_TRUE(rebuilt.ok());
    EXPECT_EQ((*next)->records(), (*rebuilt)->records());
    EXPECT_EQ((*next)->nameCount(), (*rebuilt)->nameCount()) << round;
    EXPECT_EQ((*next)->recordCount(), (*rebuilt)->recordCount());
    EXPECT_EQ((*next)->recordCount(), model.size() + 1);
    // Same child counts and flags at every name.
    std::map<std::string, std::pair<uint32_t, uint8_t>> a, b;
    (*next)->forEach([&](const Node& n) {
      a[n.ownerName().lowercased().toText()] = {n.childCount(), n.flags()};
    });
    (*rebuilt)->forEach([&](const Node& n) {
      b[n.ownerName().lowercased().toText()] = {n.childCount(), n.flags()};
    });
    EXPECT_EQ(a, b) << round;
    z = *next;
  }
}

// Many names through apply(): exercises trie splits and collapses.
TEST(ZoneApply, ManyNamesInsertRemove) {
  auto z = Build(std::string(kSoa));
  const int n = 5000;
  for (int batch = 0; batch < 5; ++batch) {
    ZoneDelta d;
    for (int i = batch; i < n; i += 5)
      d.add.push_back(RR("h" + std::to_string(i) + ".example.", rrtype::kA, "192.0.2.1"));
    z = Apply(z, d);
  }
  EXPECT_EQ(z->nameCount(), size_t(n) + 1);
  for (int i = 0; i < n; i += 97) EXPECT_NE(Find(z, "h" + std::to_string(i) + ".example."), nullptr);
  ZoneDelta d;
  for (int i = 0; i < n; i += 2)
    d.remove.push_back(RR("h" + std::to_string(i) + ".example.", rrtype::kA, "192.0.2.1"));
  auto z2 = Apply(z, d);
  EXPECT_EQ(z2->nameCount(), size_t(n) / 2 + 1);
  for (int i = 0; i < n; ++i)
    EXPECT_EQ(Find(z2, "h" + std::to_string(i) + ".example.") != nullptr, i % 2 == 1) << i;
  EXPECT_EQ(z->nameCount(), size_t(n) + 1);
  EXPECT_EQ(z2->apexNode().childCount(), size_t(n) / 2);
  size_t count = 0;
  z2->forEach([&](const Node&) { ++count; });
  EXPECT_EQ(count, z2->nameCount());
}

}  // namespace
}  // namespace zk::zone

namespace zk::zone {
namespace {

// Readers keep using the snapshots they hold while a writer applies changes and drops old
// versions (shared nodes are released on whichever thread lets go last). Run under TSan in CI.
TEST(ZoneConcurrency, ReadersWhileApplying) {
  std::string text(kSoa);
  for (int i = 0; i < 500; ++i)
    text += "n" + std::to_string(i) + " A 192.0.2." + std::to_string(i % 250) + "\n";
  ZonePtr base = Build(text);
  std::atomic<bool> stop{false};
  std::mutex mu;
  ZonePtr current = base;
  auto reader = [&] {
    size_t found = 0;
    do {
      ZonePtr z;
      {
        std::lock_guard lock(mu);
        z = current;
      }
      for (int i = 0; i < 500; i += 7) {
        const Node* n = z->find(N("n" + std::to_string(i) + ".example."));
        if (n != nullptr && n->find(rrtype::kA) != nullptr) ++found;
      }
    } while (!stop.load());
    EXPECT_GT(found, 0u);
  };
  std::thread r1(reader), r2(reader);
  ZonePtr z = base;
  for (int round = 0; round < 300; ++round) {
    ZoneDelta d;
    d.replace.push_back(RRsetReplace{N("n" + std::to_string(round % 500) + ".example."),
                                     rrtype::kA,
                                     60,
                                     {{10, 0, uint8_t(round >> 8), uint8_t(round)}}});
    d.add.push_back(RR("new" + std::to_string(round) + ".example.", rrtype::kA, "192.0.2.1"));
    z = *z->apply(d);
    std::lock_guard lock(mu);
    current = z;
  }
  stop = true;
  r1.join();
  r2.join();
  EXPECT_EQ(z->nameCount(), 801u);
  EXPECT_EQ(base->nameCount(), 501u);
}

}  // namespace
}  // namespace zk::zone
