// Tests of QueryEngine::answerAxfr: RFC 5936 message sequence, sizes, compression, errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "authdns/query_engine.h"
#include "dns/message.h"
#include "dns/rdata.h"
#include "dns/zonefile.h"
#include "test_zones.h"

namespace zk::authdns {
namespace {

using dns::Name;
namespace rrtype = dns::rrtype;

using namespace ::zk::authdns::testing;

// A record as text with its owner lowercased: names compare without case (RFC 4343).
std::string Key(const dns::ResourceRecord& r) {
  dns::ResourceRecord lower = r;
  lower.owner = r.owner.lowercased();
  return Txt(lower);
}

struct Transfer {
  Status status;
  std::vector<std::vector<uint8_t>> raw;
  std::vector<dns::Message> messages;
};

Transfer RunAxfr(const zone::ZoneSet& zones, const std::vector<uint8_t>& q, size_t stop_after = SIZE_MAX) {
  QueryEngine engine;
  Transfer t;
  t.status = engine.answerAxfr(zones, q, [&](std::span<const uint8_t> msg) {
    t.raw.emplace_back(msg.begin(), msg.end());
    auto m = dns::parseMessage(msg);
    EXPECT_TRUE(m.ok()) << m.status().toString();
    if (m.ok()) t.messages.push_back(*m);
    return t.raw.size() < stop_after;
  });
  return t;
}

std::string BigZone() {
  std::string z =
      "$TTL 600\n@ SOA ns1 hostmaster 7 3600 600 86400 60\n@ NS ns1\n@ NS ns2.other.\nns1 A 192.0.2.1\n";
  for (int i = 0; i < 3000; ++i) {
    z += "host" + std::to_string(i) + " A 10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256) +
         "\n";
    if (i % 10 == 0) z += "host" + std::to_string(i) + " MX 10 mail" + std::to_string(i) + ".example.\n";
  }
  z += "deep.ent.name TXT \"x\"\nsub NS ns.sub\nns.sub A 192.0.2.9\nbig TXT \"" + std::string(250, 'b') +
       "\"\n";
  return z;
}

TEST(QueryAxfr, MessageSequence) {
  auto zone = MakeZone(BigZone(), "example.");
  auto zones = zone::ZoneSet::empty()->with(zone);
  auto t = RunAxfr(*zones, MakeQuery("Example.", rrtype::kAXFR));
  ASSERT_TRUE(t.status.isOk()) << t.status.toString();
  ASSERT_GT(t.messages.size(), 2u);  // ~60 KB of records: several messages
  std::vector<dns::ResourceRecord> all;
  size_t bytes = 0;
  for (size_t i = 0; i < t.messages.size(); ++i) {
    const auto& m = t.messages[i];
    EXPECT_EQ(m.id, QueryOpts{}.id);
    EXPECT_TRUE(m.qr);
    EXPECT_TRUE(m.aa);
    EXPECT_EQ(m.rcode, dns::Rcode::kNoError);
    EXPECT_EQ(m.questions.size(), i == 0 ? 1u : 0u);  // RFC 5936 §2.2.1
    EXPECT_LE(t.raw[i].size(), QueryEngine::kAxfrMessageSize);
    EXPECT_FALSE(m.answer.empty());
    all.insert(all.end(), m.answer.begin(), m.answer.end());
    bytes += t.raw[i].size();
  }
  EXPECT_EQ(t.messages[0].questions[0].name.toText(), "Example.");  // question copied
  // RFC 5936 §2.2: SOA first and last, every other RR exactly once in between.
  ASSERT_GE(all.size(), 2u);
  EXPECT_EQ(all.front().type, rrtype::kSOA);
  EXPECT_EQ(all.back().type, rrtype::kSOA);
  EXPECT_EQ(all.front(), all.back());
  std::vector<std::string> got, want;
  for (size_t i = 1; i < all.size(); ++i)
    got.push_back(Key(all[i]));  // trailing SOA stands for the leading one
  for (const auto& r : zone->records()) want.push_back(Key(r));
  std::sort(got.begin(), got.end());
  std::sort(want.begin(), want.end());
  EXPECT_EQ(got, want);
  EXPECT_EQ(all.size(), zone->recordCount() + 1);
  // Canonical order between the SOAs.
  for (size_t i = 2; i + 1 < all.size(); ++i)
    EXPECT_LE(zone::canonicalNameCompare(all[i - 1].owner.wire(), all[i].owner.wire()), 0);
  // Compression: far below the uncompressed size (owners ~20 octets each).
  size_t uncompressed = 0;
  for (const auto& r : all) uncompressed += r.owner.wireLength() + 10 + r.rdata.size();
  EXPECT_LT(bytes, uncompressed * 3 / 4);
}

TEST(QueryAxfr, IxfrFallsBackToAxfrAndEdns) {
  auto zones = zone::ZoneSet::empty()->with(MakeZone("@ SOA ns hm 9 1 1 1 1\nwww A 192.0.2.1\n", "example."));
  auto t = RunAxfr(*zones, MakeQuery("example.", rrtype::kIXFR, {.edns = true}));
  ASSERT_TRUE(t.status.isOk());
  ASSERT_EQ(t.messages.size(), 1u);
  EXPECT_EQ(t.messages[0].answer.size(), 3u);  // SOA, A, SOA (RFC 1995 §4 fallback)
  EXPECT_TRUE(t.messages[0].edns.has_value());
}

TEST(QueryAxfr, Errors) {
  auto zones = zone::ZoneSet::empty()->with(MakeZone("@ SOA ns hm 9 1 1 1 1\nwww A 192.0.2.1\n", "example."));
  auto t = RunAxfr(*zones, MakeQuery("www.example.", rrtype::kAXFR));  // not an apex
  ASSERT_EQ(t.messages.size(), 1u);
  EXPECT_EQ(t.messages[0].rcode, dns::Rcode(9));  // NOTAUTH
  t = RunAxfr(*zones, MakeQuery("example.org.", rrtype::kAXFR));
  EXPECT_EQ(t.messages[0].rcode, dns::Rcode(9));
  t = RunAxfr(*zones, MakeQuery("example.", rrtype::kA));
  EXPECT_EQ(t.messages[0].rcode, dns::Rcode::kRefused);
  auto bad = MakeQuery("example.", rrtype::kAXFR);
  bad[5] = 0;  // QDCOUNT 0
  t = RunAxfr(*zones, bad);
  EXPECT_EQ(t.messages[0].rcode, dns::Rcode::kFormErr);
  auto qr = MakeQuery("example.", rrtype::kAXFR);
  qr[2] |= 0x80;
  EXPECT_FALSE(RunAxfr(*zones, qr).status.isOk());
  EXPECT_TRUE(t.status.isOk());
}

TEST(QueryAxfr, SinkAbort) {
  auto zones = zone::ZoneSet::empty()->with(MakeZone(BigZone(), "example."));
  auto t = RunAxfr(*zones, MakeQuery("example.", rrtype::kAXFR), 1);
  EXPECT_EQ(t.status.code(), Code::kUnavailable);
  EXPECT_EQ(t.raw.size(), 1u);
}

}  // namespace
}  // namespace zk::authdns
