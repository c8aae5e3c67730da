// Tests of QueryEngine::answer: RFC 1034 §4.3.2 resolution, wildcards, CNAME/DNAME, referrals, errors.
#include "authdns/query_engine.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dns/message.h"
#include "dns/rdata.h"
#include "dns/zonefile.h"
#include "test_zones.h"

namespace zk::authdns {
namespace {

using dns::Message;
using dns::Name;
using dns::Rcode;
namespace rrtype = dns::rrtype;

using namespace ::zk::authdns::testing;

class QueryEngineTest : public ::testing::Test {
 protected:
  QueryEngine engine;
  zone::ZoneSetPtr zones = zone::ZoneSet::empty();

  void Add(std::string_view text, std::string_view origin) { zones = zones->with(MakeZone(text, origin)); }

  std::vector<uint8_t> Raw(std::span<const uint8_t> query, Transport t = Transport::kUdp,
                           size_t out_size = 65535) {
    std::vector<uint8_t> out(out_size);
    size_t n = engine.answer(*zones, query, out, QueryContext{t, false});
    out.resize(n);
    return out;
  }
  Message Ask(std::span<const uint8_t> query, Transport t = Transport::kUdp, size_t out_size = 65535) {
    auto raw = Raw(query, t, out_size);
    EXPECT_GE(raw.size(), 12u);
    auto m = dns::parseMessage(raw);
    EXPECT_TRUE(m.ok()) << m.status().toString();
    return m.ok() ? *m : Message{};
  }
  Message Ask(std::string_view name, uint16_t type, const QueryOpts& o = {}, Transport t = Transport::kUdp) {
    auto q = MakeQuery(name, type, o);
    return Ask(q, t);
  }
};

constexpr std::string_view kExample = R"(
$TTL 300
@        3600 IN SOA ns1 hostmaster 2024010101 7200 3600 1209600 120
@             NS   ns1
@             NS   ns2.other.net.
@             MX   10 mail
@             MX   20 mail.other.net.
ns1           A    192.0.2.53
ns1           AAAA 2001:db8::53
mail          A    192.0.2.25
mail          AAAA 2001:db8::25
www           A    192.0.2.80
www           A    192.0.2.81
alias         CNAME www
alias2        CNAME alias
outside       CNAME www.other.net.
loop1         CNAME loop2
loop2         CNAME loop1
dangling      CNAME nothing-here
_sip._udp     SRV  0 5 5060 sip
sip           A    192.0.2.70
a.b.c         TXT  "deep"
sub           NS   ns.sub
sub           NS   ns.other.net.
ns.sub        A    192.0.2.99
ns.sub        AAAA 2001:db8::99
d             DNAME target.example.
x.target      A    192.0.2.111
far           DNAME other.net.
*.wild        A    192.0.2.200
*.wild        TXT  "wildcard"
*.cw          CNAME www
)";

TEST_F(QueryEngineTest, ExactMatchHeaderAndCase) {
  Add(kExample, "example.");
  QueryOpts o;
  o.id = 0xBEEF;
  auto q = MakeQuery("wWw.ExAmPlE.", rrtype::kA, o);
  auto raw = Raw(q);
  // The question is copied byte for byte (case preserved, RFC 1034 §4.3.2 / 0x20 clients).
  ASSERT_GE(raw.size(), q.size());
  EXPECT_TRUE(std::equal(q.begin() + 12, q.end(), raw.begin() + 12));
  auto m = *dns::parseMessage(raw);
  EXPECT_EQ(m.id, 0xBEEF);
  EXPECT_TRUE(m.qr);
  EXPECT_TRUE(m.aa);
  EXPECT_TRUE(m.rd);
  EXPECT_FALSE(m.ra);
  EXPECT_FALSE(m.tc);
  EXPECT_EQ(m.rcode, Rcode::kNoError);
  EXPECT_EQ(Txt(m.answer),
            (std::vector<std::string>{"wWw.ExAmPlE. 300 A 192.0.2.80", "wWw.ExAmPlE. 300 A 192.0.2.81"}));
  EXPECT_TRUE(m.authority.empty());
  EXPECT_TRUE(m.additional.empty());
  EXPECT_FALSE(m.edns.has_value());
  o.rd = false;
  o.cd = true;
  m = Ask("www.example.", rrtype::kA, o);
  EXPECT_FALSE(m.rd);
  EXPECT_TRUE(m.cd);
}

TEST_F(QueryEngineTest, NxdomainAndNodata) {
  Add(kExample, "example.");
  auto m = Ask("nope.example.", rrtype::kA);
  EXPECT_EQ(m.rcode, Rcode::kNXDomain);
  EXPECT_TRUE(m.aa);
  EXPECT_TRUE(m.answer.empty());
  // RFC 2308 §3: TTL = min(SOA TTL 3600, MINIMUM 120).
  EXPECT_EQ(Txt(m.authority),
            (std::vector<std::string>{
                "example. 120 SOA ns1.example. hostmaster.example. 2024010101 7200 3600 1209600 120"}));
  m = Ask("www.example.", rrtype::kTXT);  // NODATA
  EXPECT_EQ(m.rcode, Rcode::kNoError);
  EXPECT_TRUE(m.answer.empty());
  ASSERT_EQ(m.authority.size(), 1u);
  EXPECT_EQ(m.authority[0].type, rrtype::kSOA);
  EXPECT_EQ(m.authority[0].ttl, 120u);
  // Empty non-terminals: NODATA, not NXDOMAIN (RFC 8020); below them: NXDOMAIN.
  for (auto ent : {"b.c.example.", "c.example.", "_udp.example."}) {
    m = Ask(ent, rrtype::kA);
    EXPECT_EQ(m.rcode, Rcode::kNoError) << ent;
    EXPECT_EQ(m.authority.size(), 1u) << ent;
  }
  EXPECT_EQ(Ask("x.b.c.example.", rrtype::kA).rcode, Rcode::kNXDomain);
  EXPECT_EQ(Ask("a.b.c.example.", rrtype::kTXT).answer.size(), 1u);
  // The apex itself. RDATA names are compressed against the owner, i.e. the question's labels, so
  // they take its case (as with NSD; names compare case-insensitively, RFC 4343).
  m = Ask("EXAMPLE.", rrtype::kSOA);
  EXPECT_EQ(Txt(m.answer),
            (std::vector<std::string>{
                "EXAMPLE. 3600 SOA ns1.EXAMPLE. hostmaster.EXAMPLE. 2024010101 7200 3600 1209600 120"}));
}

TEST_F(QueryEngineTest, CnameChains) {
  Add(kExample, "example.");
  auto m = Ask("alias2.example.", rrtype::kA);
  EXPECT_EQ(m.rcode, Rcode::kNoError);
  EXPECT_TRUE(m.aa);
  EXPECT_EQ(Txt(m.answer),
            (std::vector<std::string>{"alias2.example. 300 CNAME alias.example.",
                                      "alias.example. 300 CNAME www.example.",
                                      "www.example. 300 A 192.0.2.80", "www.example. 300 A 192.0.2.81"}));
  // Target outside the zone: the CNAME only (the resolver continues).
  m = Ask("outside.example.", rrtype::kA);
  EXPECT_EQ(m.rcode, Rcode::kNoError);
  EXPECT_EQ(Txt(m.answer), (std::vector<std::string>{"outside.example. 300 CNAME www.other.net."}));
  // A loop ends after each link was given once.
  m = Ask("loop1.example.", rrtype::kA);
  EXPECT_EQ(m.rcode, Rcode::kNoError);
  EXPECT_EQ(Txt(m.answer), (std::vector<std::string>{"loop1.example. 300 CNAME loop2.example.",
                                                     "loop2.example. 300 CNAME loop1.example."}));
  // Chain ending in a name that does not exist: NXDOMAIN (RFC 6604) with the CNAME and the SOA.
  m = Ask("dangling.example.", rrtype::kA);
  EXPECT_EQ(m.rcode, Rcode::kNXDomain);
  EXPECT_EQ(m.answer.size(), 1u);
  EXPECT_EQ(m.authority.size(), 1u);
  // Chain ending in NODATA.
  m = Ask("alias.example.", rrtype::kMX);
  EXPECT_EQ(m.rcode, Rcode::kNoError);
  EXPECT_EQ(m.answer.size(), 1u);
  EXPECT_EQ(m.authority.size(), 1u);
  // QTYPE CNAME: not followed.
  m = Ask("alias2.example.", rrtype::kCNAME);
  EXPECT_EQ(Txt(m.answer), (std::vector<std::string>{"alias2.example. 300 CNAME alias.example."}));
  // Wildcard CNAME: synthesized with the query name as owner, then followed.
  m = Ask("anything.cw.example.", rrtype::kA);
  EXPECT_EQ(Txt(m.answer),
            (std::vector<std::string>{"anything.cw.example. 300 CNAME www.example.",
                                      "www.example. 300 A 192.0.2.80", "www.example. 300 A 192.0.2.81"}));
}

TEST_F(QueryEngineTest, CnameChainIntoReferral) {
  Add(std::string(kExample) + "tosub CNAME host.sub\n", "example.");
  auto m = Ask("tosub.example.", rrtype::kA);
  EXPECT_EQ(m.rcode, Rcode::kNoError);
  EXPECT_TRUE(m.aa);  // the CNAME is authoritative data
  EXPECT_EQ(Txt(m.answer), (std::vector<std::string>{"tosub.example. 300 CNAME host.sub.example."}));
  ASSERT_EQ(m.authority.size(), 2u);
  EXPECT_EQ(m.authority[0].type, rrtype::kNS);
  EXPECT_EQ(m.authority[0].owner.toText(), "sub.example.");
  EXPECT_EQ(m.additional.size(), 2u);  // glue for ns.sub
}

TEST_F(QueryEngineTest, Dname) {
  Add(kExample, "example.");
  auto m = Ask("x.D.example.", rrtype::kA);
  EXPECT_EQ(m.rcode, Rcode::kNoError);
  EXPECT_EQ(Txt(m.answer), (std::vector<std::string>{"D.example. 300 DNAME target.example.",
                                                     "x.D.example. 300 CNAME x.target.example.",
                                                     "x.target.example. 300 A 192.0.2.111"}));
  m = Ask("a.b.far.example.", rrtype::kA);
  EXPECT_EQ(Txt(m.answer), (std::vector<std::string>{"far.example. 300 DNAME other.net.",
                                                     "a.b.far.example. 300 CNAME a.b.other.net."}));
  // The DNAME owner itself is ordinary data.
  m = Ask("d.example.", rrtype::kA);
  EXPECT_TRUE(m.answer.empty());
  EXPECT_EQ(m.authority.size(), 1u);
  EXPECT_EQ(Ask("d.example.", rrtype::kDNAME).answer.size(), 1u);
  // Substitution longer than 255 octets: YXDOMAIN (RFC 6672 §2.2).
  auto z = MakeZone(
      "@ SOA ns hm 1 1 1 1 1\nd DNAME " + std::string(60, 'z') + "." + std::string(60, 'y') + ".example.\n",
      "example.");
  zones = zone::ZoneSet::empty()->with(z);
  m = Ask(std::string(60, 'q') + "." + std::string(60, 'r') + "." + std::string(60, 's') + ".d.example.",
          rrtype::kA);
  EXPECT_EQ(m.rcode, Rcode(6));
  EXPECT_EQ(m.answer.size(), 1u);  // the DNAME
}

TEST_F(QueryEngineTest, Referral) {
  Add(kExample, "example.");
  for (auto name : {"host.sub.example.", "sub.example.", "a.b.sub.example."}) {
    auto m = Ask(name, rrtype::kA);
    EXPECT_EQ(m.rcode, Rcode::kNoError) << name;
    EXPECT_FALSE(m.aa) << name;
    EXPECT_TRUE(m.answer.empty());
    // RRs in canonical RDATA order (RFC 4034 §6.3): 02 "ns" 03 "sub" sorts before 02 "ns" 05 "other".
    EXPECT_EQ(Txt(m.authority), (std::vector<std::string>{"sub.example. 300 NS ns.sub.example.",
                                                          "sub.example. 300 NS ns.other.net."}));
    EXPECT_EQ(Txt(m.additional), (std::vector<std::string>{"ns.sub.example. 300 A 192.0.2.99",
                                                           "ns.sub.example. 300 AAAA 2001:db8::99"}));
  }
  // NS query at the cut is a referral too; DS at the cut is answered by the parent (RFC 4035 §3.1.4.1).
  EXPECT_FALSE(Ask("sub.example.", rrtype::kNS).aa);
  auto m = Ask("sub.example.", rrtype::kDS);
  EXPECT_TRUE(m.aa);
  EXPECT_TRUE(m.answer.empty());
  EXPECT_EQ(m.authority.size(), 1u);
  EXPECT_EQ(m.authority[0].type, rrtype::kSOA);
  // Glue is not authoritative data: a query for it is a referral as well.
  EXPECT_FALSE(Ask("ns.sub.example.", rrtype::kA).aa);
}

TEST_F(QueryEngineTest, AdditionalForMxSrvNs) {
  Add(kExample, "example.");
  auto m = Ask("example.", rrtype::kMX);
  EXPECT_EQ(Txt(m.answer), (std::vector<std::string>{"example. 300 MX 10 mail.example.",
                                                     "example. 300 MX 20 mail.other.net."}));
  EXPECT_EQ(Txt(m.additional), (std::vector<std::string>{"mail.example. 300 A 192.0.2.25",
                                                         "mail.example. 300 AAAA 2001:db8::25"}));
  m = Ask("_sip._udp.example.", rrtype::kSRV);
  EXPECT_EQ(Txt(m.additional), (std::vector<std::string>{"sip.example. 300 A 192.0.2.70"}));
  m = Ask("example.", rrtype::kNS);
  EXPECT_TRUE(m.aa);
  EXPECT_EQ(m.answer.size(), 2u);
  EXPECT_EQ(Txt(m.additional), (std::vector<std::string>{"ns1.example. 300 A 192.0.2.53",
                                                         "ns1.example. 300 AAAA 2001:db8::53"}));
}

TEST_F(QueryEngineTest, Any) {
  Add(kExample, "example.");
  // RFC 8482 over UDP (as NSD): one RRset, the SOA at the apex.
  auto m = Ask("mail.example.", rrtype::kANY);
  EXPECT_EQ(Txt(m.answer), (std::vector<std::string>{"mail.example. 300 A 192.0.2.25"}));
  m = Ask("example.", rrtype::kANY);
  EXPECT_EQ(Txt(m.answer),
            (std::vector<std::string>{
                "example. 3600 SOA ns1.example. hostmaster.example. 2024010101 7200 3600 1209600 120"}));
  // TCP: every RRset.
  m = Ask(MakeQuery("mail.example.", rrtype::kANY), Transport::kTcp);
  EXPECT_EQ(Txt(m.answer), (std::vector<std::string>{"mail.example. 300 A 192.0.2.25",
                                                     "mail.example. 300 AAAA 2001:db8::25"}));
  m = Ask(MakeQuery("example.", rrtype::kANY), Transport::kTcp);
  EXPECT_EQ(m.answer.size(), 5u);  // NS x2, SOA, MX x2
  m = Ask("alias.example.", rrtype::kANY);
  EXPECT_EQ(Txt(m.answer), (std::vector<std::string>{"alias.example. 300 CNAME www.example."}));
  m = Ask("c.example.", rrtype::kANY);  // empty non-terminal
  EXPECT_TRUE(m.answer.empty());
  EXPECT_EQ(m.authority.size(), 1u);
  // minimal_any = false: every RRset over UDP as well.
  QueryEngine::Options all;
  all.minimal_any = false;
  QueryEngine full(all);
  auto q = MakeQuery("mail.example.", rrtype::kANY);
  std::vector<uint8_t> out(4096);
  out.resize(full.answer(*zones, q, out, QueryContext{Transport::kUdp, false}));
  EXPECT_EQ(dns::parseMessage(out)->answer.size(), 2u);
}

TEST_F(QueryEngineTest, MinimalResponsesOption) {
  Add(kExample, "example.");
  QueryEngine::Options o;
  o.minimal_responses = true;
  QueryEngine minimal(o);
  auto ask = [&](std::string_view name, uint16_t type) {
    auto q = MakeQuery(name, type);
    std::vector<uint8_t> out(4096);
    out.resize(minimal.answer(*zones, q, out, QueryContext{Transport::kUdp, false}));
    return *dns::parseMessage(out);
  };
  EXPECT_TRUE(ask("example.", rrtype::kMX).additional.empty());
  EXPECT_TRUE(ask("_sip._udp.example.", rrtype::kSRV).additional.empty());
  EXPECT_EQ(ask("example.", rrtype::kNS).additional.size(), 2u);          // NS answers keep glue
  EXPECT_EQ(ask("host.sub.example.", rrtype::kA).additional.size(), 2u);  // and referrals
}

// RFC 4592 §2.2.1: the example zone and the responses it lists.
TEST_F(QueryEngineTest, Rfc4592WildcardExample) {
  Add(R"(
$TTL 3600
example.                 SOA   ns.example.com. hm.example.com. 1 3600 600 86400 300
example.                 NS    ns.example.com.
example.                 NS    ns.example.net.
*.example.               TXT   "this is a wildcard"
*.example.               MX    10 host1.example.
sub.*.example.           TXT   "this is not a wildcard"
host1.example.           A     192.0.2.1
_ssh._tcp.host1.example. SRV   0 0 22 host1.example.
_ssh._tcp.host2.example. SRV   0 0 22 host2.example.
subdel.example.          NS    ns.example.com.
subdel.example.          NS    ns.example.net.
)",
      "example.");
  // Synthesized:
  auto m = Ask("host3.example.", rrtype::kMX);
  EXPECT_EQ(m.rcode, Rcode::kNoError);
  EXPECT_TRUE(m.aa);
  EXPECT_EQ(Txt(m.answer), (std::vector<std::string>{"host3.example. 3600 MX 10 host1.example."}));
  EXPECT_EQ(Txt(m.additional), (std::vector<std::string>{"host1.example. 3600 A 192.0.2.1"}));
  m = Ask("host3.example.", rrtype::kA);  // "no error, but no data"
  EXPECT_EQ(m.rcode, Rcode::kNoError);
  EXPECT_TRUE(m.answer.empty());
  EXPECT_EQ(m.authority.size(), 1u);
  m = Ask("foo.bar.example.", rrtype::kTXT);
  EXPECT_EQ(Txt(m.answer), (std::vector<std::string>{"foo.bar.example. 3600 TXT \"this is a wildcard\""}));
  // Not synthesized:
  m = Ask("host1.example.", rrtype::kMX);  // host1.example. exists
  EXPECT_EQ(m.rcode, Rcode::kNoError);
  EXPECT_TRUE(m.answer.empty());
  m = Ask("sub.*.example.", rrtype::kMX);  // sub.*.example. exists
  EXPECT_EQ(m.rcode, Rcode::kNoError);
  EXPECT_TRUE(m.answer.empty());
  m = Ask("_telnet._tcp.host1.example.", rrtype::kSRV);  // _tcp.host1.example. exists (without data)
  EXPECT_EQ(m.rcode, Rcode::kNXDomain);
  m = Ask("host.subdel.example.", rrtype::kA);  // subdel.example. exists (and is a zone cut)
  EXPECT_EQ(m.rcode, Rcode::kNoError);
  EXPECT_FALSE(m.aa);
  EXPECT_EQ(m.authority.size(), 2u);
  m = Ask("ghost.*.example.", rrtype::kMX);  // *.example. exists
  EXPECT_EQ(m.rcode, Rcode::kNXDomain);
  EXPECT_TRUE(m.answer.empty());
  // And the wildcard owner itself answers as ordinary data.
  EXPECT_EQ(Ask("*.example.", rrtype::kTXT).answer.size(), 1u);
}

TEST_F(QueryEngineTest, WildcardBelowEnt) {
  Add(kExample, "example.");
  auto m = Ask("q.wild.example.", rrtype::kTXT);
  EXPECT_EQ(Txt(m.answer), (std::vector<std::string>{"q.wild.example. 300 TXT \"wildcard\""}));
  m = Ask("a.b.wild.example.", rrtype::kA);
  EXPECT_EQ(Txt(m.answer), (std::vector<std::string>{"a.b.wild.example. 300 A 192.0.2.200"}));
  m = Ask("q.wild.example.", rrtype::kMX);
  EXPECT_EQ(m.rcode, Rcode::kNoError);
  EXPECT_TRUE(m.answer.empty());
  // "wild.example." is an empty non-terminal: NODATA, never synthesized from its own child.
  m = Ask("wild.example.", rrtype::kA);
  EXPECT_EQ(m.rcode, Rcode::kNoError);
  EXPECT_TRUE(m.answer.empty());
}

TEST_F(QueryEngineTest, RefusedAndLongestZone) {
  Add(kExample, "example.");
  Add("@ SOA ns hm 5 1 1 1 60\nwww A 198.51.100.1\n", "sub.example.");
  auto m = Ask("www.example.org.", rrtype::kA);
  EXPECT_EQ(m.rcode, Rcode::kRefused);
  EXPECT_FALSE(m.aa);
  ASSERT_EQ(m.questions.size(), 1u);
  EXPECT_EQ(m.questions[0].name.toText(), "www.example.org.");
  // The child zone is authoritative for its names (longest match), not the parent's referral.
  m = Ask("www.sub.example.", rrtype::kA);
  EXPECT_TRUE(m.aa);
  EXPECT_EQ(Txt(m.answer), (std::vector<std::string>{"www.sub.example. 3600 A 198.51.100.1"}));
  QueryOpts ch;
  ch.klass = dns::rrclass::kCH;
  EXPECT_EQ(Ask("www.example.", rrtype::kTXT, ch).rcode, Rcode::kRefused);
}

TEST_F(QueryEngineTest, OpcodesAndMalformed) {
  Add(kExample, "example.");
  QueryOpts notify;
  notify.opcode = dns::Opcode::kNotify;
  auto m = Ask("example.", rrtype::kSOA, notify);
  EXPECT_EQ(m.rcode, Rcode::kNotImp);
  EXPECT_EQ(m.opcode, dns::Opcode::kNotify);
  QueryOpts update;
  update.opcode = dns::Opcode::kUpdate;
  EXPECT_EQ(Ask("example.", rrtype::kSOA, update).rcode, Rcode::kNotImp);

  auto base = MakeQuery("www.example.", rrtype::kA);
  // QR set: no answer. Shorter than a header: no answer.
  auto qr = base;
  qr[2] |= 0x80;
  EXPECT_TRUE(Raw(qr).empty());
  EXPECT_TRUE(Raw(std::vector<uint8_t>(base.begin(), base.begin() + 11)).empty());
  auto formerr = [&](std::vector<uint8_t> q, bool question) {
    auto r = Raw(q);
    ASSERT_GE(r.size(), 12u);
    EXPECT_EQ(r[0], q[0]);
    EXPECT_EQ(r[1], q[1]);
    EXPECT_EQ(r[2] & 0x80, 0x80);
    EXPECT_EQ(r[3] & 0x0F, 1) << "FORMERR";
    EXPECT_EQ(r[5], question ? 1 : 0);
    EXPECT_EQ(r[6] | r[7] | r[8] | r[9], 0);
  };
  auto q0 = base;
  q0[5] = 0;  // QDCOUNT 0
  formerr(q0, false);
  auto q2 = base;
  q2[5] = 2;  // QDCOUNT 2 (second question missing)
  formerr(q2, false);
  formerr(std::vector<uint8_t>(base.begin(), base.end() - 2), false);     // truncated QTYPE/QCLASS
  formerr(std::vector<uint8_t>(base.begin(), base.begin() + 16), false);  // truncated name
  auto ptr = base;  // a compression pointer in the question
  ptr.resize(12);
  for (uint8_t b : {0xC0, 0x0C, 0, 1, 0, 1}) ptr.push_back(b);
  formerr(ptr, false);
  auto ar1 = base;
  ar1[11] = 1;  // ARCOUNT 1 but nothing there
  formerr(ar1, true);

  // OPT problems: two OPTs, owner not root, malformed option, OPT in the answer section.
  QueryOpts e;
  e.edns = true;
  auto eq = MakeQuery("www.example.", rrtype::kA, e);
  const std::vector<uint8_t> opt(eq.end() - 11, eq.end());
  auto two = eq;
  two.insert(two.end(), opt.begin(), opt.end());
  two[11] = 2;
  formerr(two, true);
  auto owner = std::vector<uint8_t>(eq.begin(), eq.end() - 11);
  for (int b : {1, int('a'), 0}) owner.push_back(uint8_t(b));
  owner.insert(owner.end(), opt.begin() + 1, opt.end());
  formerr(owner, true);
  auto badopt = eq;
  badopt[badopt.size() - 1] = 3;                     // RDLENGTH 3 ...
  for (uint8_t b : {0, 10, 0}) badopt.push_back(b);  // ... holding a truncated option header
  formerr(badopt, true);
  auto inanswer = eq;
  inanswer[7] = 1;  // the OPT counted in the answer section
  inanswer[11] = 0;
  formerr(inanswer, true);
}

TEST_F(QueryEngineTest, Edns) {
  Add(kExample, "example.");
  QueryOpts e;
  e.edns = true;
  e.do_bit = true;
  e.udp_size = 4096;
  auto m = Ask("www.example.", rrtype::kA, e);
  ASSERT_TRUE(m.edns.has_value());
  EXPECT_EQ(m.edns->udp_size, QueryEngine::kEdnsUdpSize);
  EXPECT_EQ(m.edns->version, 0);
  EXPECT_TRUE(m.edns->do_bit);  // RFC 3225 §3
  EXPECT_EQ(m.answer.size(), 2u);
  e.do_bit = false;
  EXPECT_FALSE(Ask("www.example.", rrtype::kA, e).edns->do_bit);
  // Version 1: BADVERS (extended RCODE 16), version 0 in our OPT.
  e.version = 1;
  m = Ask("www.example.", rrtype::kA, e);
  EXPECT_EQ(m.rcode, Rcode::kBadVers);
  ASSERT_TRUE(m.edns.has_value());
  EXPECT_EQ(m.edns->version, 0);
  EXPECT_TRUE(m.answer.empty());
  // Errors keep the OPT when the query's OPT itself was fine.
  e.version = 0;
  auto m2 = Ask("www.example.org.", rrtype::kA, e);
  EXPECT_EQ(m2.rcode, Rcode::kRefused);
  EXPECT_TRUE(m2.edns.has_value());
}

std::string BigTxtZone() {
  std::string z = "@ SOA ns hm 1 1 1 1 60\n";
  for (int i = 0; i < 24; ++i) z += "big TXT \"" + std::string(190, char('a' + i % 26)) + "\"\n";
  for (int i = 0; i < 3; ++i) z += "med TXT \"" + std::string(120, char('a' + i)) + "\"\n";
  z += "manymx MX 10 m1\nmanymx MX 20 m2\nmanymx MX 30 m3\n";
  for (int i = 1; i <= 3; ++i) {
    z += "m" + std::to_string(i) + " TXT x\n";
    for (int k = 0; k < 8; ++k)
      z += "m" + std::to_string(i) + " AAAA 2001:db8::" + std::to_string(i) + ":" + std::to_string(k) + "\n";
  }
  z += "deleg NS ns1.deleg\ndeleg NS ns2.deleg\n";
  for (int k = 0; k < 20; ++k) z += "ns1.deleg AAAA 2001:db8::" + std::to_string(100 + k) + "\n";
  for (int k = 0; k < 20; ++k) z += "ns2.deleg AAAA 2001:db8::" + std::to_string(200 + k) + "\n";
  return z;
}

TEST_F(QueryEngineTest, Truncation) {
  Add(BigTxtZone(), "example.");
  auto q = MakeQuery("big.example.", rrtype::kTXT);
  // UDP without EDNS: 512 octets; the answer does not fit: TC, question only.
  auto raw = Raw(q);
  EXPECT_LE(raw.size(), 512u);
  auto m = *dns::parseMessage(raw);
  EXPECT_TRUE(m.tc);
  EXPECT_TRUE(m.aa);
  EXPECT_EQ(m.questions.size(), 1u);
  EXPECT_TRUE(m.answer.empty());
  EXPECT_TRUE(m.authority.empty());
  EXPECT_TRUE(m.additional.empty());
  // EDNS 4096 is still too small for ~4.9 KB; the OPT is kept.
  QueryOpts e;
  e.edns = true;
  e.udp_size = 4096;
  m = Ask("big.example.", rrtype::kTXT, e);
  EXPECT_TRUE(m.tc);
  EXPECT_TRUE(m.edns.has_value());
  // The limit is also capped by the output buffer.
  auto small = MakeQuery("med.example.", rrtype::kTXT, e);
  EXPECT_FALSE(Ask(small, Transport::kUdp, 4096).tc);
  EXPECT_TRUE(Ask(small, Transport::kUdp, 400).tc);
  // TCP: everything.
  m = Ask(q, Transport::kTcp);
  EXPECT_FALSE(m.tc);
  EXPECT_EQ(m.answer.size(), 24u);
  // EDNS below 512 counts as 512.
  e.udp_size = 100;
  m = Ask("med.example.", rrtype::kTXT, e);
  EXPECT_FALSE(m.tc);
  EXPECT_EQ(m.answer.size(), 3u);
  // Additional records that do not fit are left out, without TC.
  m = Ask("manymx.example.", rrtype::kMX);
  EXPECT_FALSE(m.tc);
  EXPECT_EQ(m.answer.size(), 3u);
  EXPECT_LT(m.additional.size(), 24u);
  EXPECT_EQ(m.additional.size() % 8, 0u);  // whole RRsets only
  auto full = Ask(MakeQuery("manymx.example.", rrtype::kMX), Transport::kTcp);
  EXPECT_EQ(full.additional.size(), 24u);
  // A referral whose in-domain glue does not fit: TC (RFC 9471).
  m = Ask("x.deleg.example.", rrtype::kA);
  EXPECT_TRUE(m.tc);
  EXPECT_TRUE(m.authority.empty());
  m = Ask(MakeQuery("x.deleg.example.", rrtype::kA), Transport::kTcp);
  EXPECT_FALSE(m.tc);
  EXPECT_EQ(m.additional.size(), 40u);
}

// Responses beyond 16 KB: owners that cannot be reached by a 14-bit pointer are written in full.
TEST_F(QueryEngineTest, LargeTcpResponsesBeyondPointerRange) {
  std::string z = "@ SOA ns hm 1 1 1 1 60\n";
  for (int i = 0; i < 120; ++i) z += "x TXT \"" + std::to_string(i) + std::string(200, 'p') + "\"\n";
  z += "x MX 10 mx1.example.\nx MX 20 mx2.example.\nmx1 A 192.0.2.1\nmx2 A 192.0.2.2\n";
  z += "x CAA 0 issue \"ca.example.net\"\n";
  z += "c1 CNAME x\n";
  Add(z, "example.");
  // ~26 KB of TXT first, so the MX targets (owners of the additional A records) sit past 0x3FFF.
  auto m = Ask(MakeQuery("x.example.", rrtype::kANY), Transport::kTcp);
  EXPECT_FALSE(m.tc);  // (ANY over TCP: every RRset)
  EXPECT_EQ(m.answer.size(), 123u);
  EXPECT_EQ(Txt(m.additional),
            (std::vector<std::string>{"mx1.example. 3600 A 192.0.2.1", "mx2.example. 3600 A 192.0.2.2"}));
  ASSERT_GT(m.answer.size(), 0u);
  // A chain whose second owner is the CNAME target inside the first RR's RDATA.
  m = Ask(MakeQuery("c1.example.", rrtype::kTXT), Transport::kTcp);
  ASSERT_EQ(m.answer.size(), 121u);
  EXPECT_EQ(m.answer[0].owner.toText(), "c1.example.");
  for (size_t i = 1; i < m.answer.size(); ++i) EXPECT_EQ(m.answer[i].owner.toText(), "x.example.");
  m = Ask(MakeQuery("c1.example.", rrtype::kANY), Transport::kTcp);
  EXPECT_EQ(m.answer.size(), 1u);  // ANY at a CNAME: the CNAME only
}

// RDATA names share the owner's labels through pointers (RFC 1035 §4.1.4): 20 MX fit in 512 octets.
TEST_F(QueryEngineTest, RdataNameCompression) {
  std::string z = "@ SOA ns1 hostmaster 1 1 1 1 60\n";
  for (int i = 0; i < 20; ++i) z += "mx-many MX " + std::to_string(i) + " mx" + std::to_string(i) + "\n";
  z += "sub NS ns1.sub\nsub NS ns2.sub\nns1.sub A 192.0.2.1\nns2.sub A 192.0.2.2\n";
  z += "*.w MX 10 mail.w\nmail.w A 192.0.2.3\n";
  Add(z, "zk-diff.test.");
  auto raw = Raw(MakeQuery("mx-many.zk-diff.test.", rrtype::kMX));
  auto m = *dns::parseMessage(raw);
  EXPECT_FALSE(m.tc);
  ASSERT_EQ(m.answer.size(), 20u);
  EXPECT_EQ(Txt(m.answer[3]), "mx-many.zk-diff.test. 3600 MX 3 mx3.zk-diff.test.");
  EXPECT_LE(raw.size(), 512u);
  // Each MX RR: owner pointer (2) + 10 + preference (2) + "mxN" (4-5) + pointer (2).
  EXPECT_LT(raw.size(), 12u + 26 + 20 * 21);
  // Referral NS and the negative SOA are compressed against their own owners.
  m = Ask("a.sub.zk-diff.test.", rrtype::kA);
  EXPECT_EQ(Txt(m.authority), (std::vector<std::string>{"sub.zk-diff.test. 3600 NS ns1.sub.zk-diff.test.",
                                                        "sub.zk-diff.test. 3600 NS ns2.sub.zk-diff.test."}));
  EXPECT_EQ(m.additional.size(), 2u);
  m = Ask("nope.zk-diff.test.", rrtype::kA);
  EXPECT_EQ(Txt(m.authority),
            (std::vector<std::string>{
                "zk-diff.test. 60 SOA ns1.zk-diff.test. hostmaster.zk-diff.test. 1 1 1 1 60"}));
  // A wildcard's RDATA never points at its "*" label: the query name has another label there.
  m = Ask("X.w.zk-diff.test.", rrtype::kMX);
  EXPECT_EQ(Txt(m.answer), (std::vector<std::string>{"X.w.zk-diff.test. 3600 MX 10 mail.w.zk-diff.test."}));
  EXPECT_EQ(Txt(m.additional), (std::vector<std::string>{"mail.w.zk-diff.test. 3600 A 192.0.2.3"}));
}

// CNAME/DNAME targets in another zone served here are followed (as NSD); additional records come
// from wildcards too; a CNAME query stops at the synthesized CNAME.
TEST_F(QueryEngineTest, CrossZoneAndWildcardAdditional) {
  Add(kExample, "example.");
  Add("@ SOA ns hm 7 1 1 1 30\nhost1 A 198.51.100.1\n*.w A 198.51.100.9\n", "other.net.");
  Add(std::string("@ SOA ns hm 1 1 1 1 60\nczone CNAME host1.other.net.\nczero CNAME nope.other.net.\n") +
          "mxw MX 5 foo.w.other.net.\n",
      "zk.test.");
  auto m = Ask("czone.zk.test.", rrtype::kA);
  EXPECT_TRUE(m.aa);
  EXPECT_EQ(Txt(m.answer), (std::vector<std::string>{"czone.zk.test. 3600 CNAME host1.other.net.",
                                                     "host1.other.net. 3600 A 198.51.100.1"}));
  m = Ask("czone.zk.test.", rrtype::kTXT);  // NODATA in the other zone: its SOA
  EXPECT_EQ(Txt(m.authority),
            (std::vector<std::string>{"other.net. 30 SOA ns.other.net. hm.other.net. 7 1 1 1 30"}));
  m = Ask("czero.zk.test.", rrtype::kA);
  EXPECT_EQ(m.rcode, Rcode::kNXDomain);
  EXPECT_EQ(m.authority.size(), 1u);
  m = Ask("mxw.zk.test.", rrtype::kMX);
  EXPECT_EQ(Txt(m.additional), (std::vector<std::string>{"foo.w.other.net. 3600 A 198.51.100.9"}));
  // DNAME with QTYPE CNAME: the DNAME and the synthesized CNAME, nothing more (RFC 1034 §4.3.2 3.a).
  m = Ask("alias.d.example.", rrtype::kCNAME);
  EXPECT_EQ(Txt(m.answer), (std::vector<std::string>{"d.example. 300 DNAME target.example.",
                                                     "alias.d.example. 300 CNAME alias.target.example."}));
  EXPECT_TRUE(m.authority.empty());
}

TEST_F(QueryEngineTest, QclassAnyAndHeaderChecks) {
  Add(kExample, "example.");
  QueryOpts any;
  any.klass = dns::rrclass::kANY;
  auto m = Ask("www.example.", rrtype::kA, any);
  EXPECT_EQ(m.rcode, Rcode::kNoError);
  EXPECT_FALSE(m.aa);  // not authoritative for class * (as NSD)
  EXPECT_EQ(m.answer.size(), 2u);
  EXPECT_EQ(m.questions[0].klass, dns::rrclass::kANY);
  // RCODE bits, or records in the answer/authority section of a query: FORMERR (as NSD).
  auto q = MakeQuery("www.example.", rrtype::kA);
  auto rc = q;
  rc[3] |= 0x05;
  EXPECT_EQ(Ask(rc).rcode, Rcode::kFormErr);
  auto an = q;
  an[7] = 1;
  for (int b : {0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1}) an.push_back(uint8_t(b));
  EXPECT_EQ(Ask(an).rcode, Rcode::kFormErr);
  auto ns = an;
  ns[7] = 0;
  ns[9] = 1;
  EXPECT_EQ(Ask(ns).rcode, Rcode::kFormErr);
  // IXFR carries the client's SOA in the authority section (RFC 1995 §3): not malformed.
  auto ixfr = MakeQuery("example.", rrtype::kIXFR);
  ixfr[9] = 1;
  for (int b : {0xC0, 0x0C, 0, 6, 0, 1, 0, 0, 0, 60, 0, 22, 0, 0, 0, 0, 0,
                1,    0,    0, 0, 1, 0, 0, 0, 1, 0,  0, 0,  1, 0, 0, 0, 1})
    ixfr.push_back(uint8_t(b));
  EXPECT_EQ(Ask(ixfr, Transport::kTcp).rcode, Rcode::kRefused);
  // QDCOUNT=0 with an OPT (a cookie probe, RFC 7873 §5.4): FORMERR, OPT kept.
  QueryOpts e;
  e.edns = true;
  auto q0 = MakeQuery("www.example.", rrtype::kA, e);
  std::vector<uint8_t> probe(q0.begin(), q0.begin() + 12);
  probe[5] = 0;
  probe.insert(probe.end(), q0.end() - 11, q0.end());
  m = Ask(probe);
  EXPECT_EQ(m.rcode, Rcode::kFormErr);
  EXPECT_TRUE(m.questions.empty());
  EXPECT_TRUE(m.edns.has_value());
}

TEST_F(QueryEngineTest, ZoneTransferQueriesInAnswer) {
  Add(kExample, "example.");
  auto axfr = MakeQuery("example.", rrtype::kAXFR);
  auto ixfr = MakeQuery("example.", rrtype::kIXFR);
  EXPECT_TRUE(engine.isZoneTransfer(axfr));
  EXPECT_TRUE(engine.isZoneTransfer(ixfr));
  EXPECT_FALSE(engine.isZoneTransfer(MakeQuery("example.", rrtype::kSOA)));
  EXPECT_FALSE(engine.isZoneTransfer(std::vector<uint8_t>(axfr.begin(), axfr.begin() + 14)));
  EXPECT_EQ(Ask(axfr).rcode, Rcode::kNotImp);  // over UDP
  EXPECT_EQ(Ask(axfr, Transport::kTcp).rcode, Rcode::kRefused);
  EXPECT_EQ(Ask(ixfr).rcode, Rcode::kRefused);
}

}  // namespace
}  // namespace zk::authdns
