// How record sets become served RRsets (whole or streamed).
#include "services/route53/records.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "dns/rdata.h"
#include "dns/types.h"

namespace zk::route53 {
namespace {

namespace t = dns::rrtype;

RecordSet rs(const char* n, uint16_t type, uint32_t ttl, std::vector<std::string> values, std::string id = "",
             std::optional<int64_t> weight = std::nullopt) {
  RecordSet r;
  r.name = *dns::Name::fromText(n);
  r.type = type;
  r.ttl = ttl;
  r.values = std::move(values);
  r.set_identifier = std::move(id);
  r.weight = weight;
  return r;
}

TEST(ServedRRsetTest, WeightedSetsAreServedTogetherAtLowestTtl) {
  std::vector<RecordSet> sets = {rs("w.example.com.", t::kA, 300, {"192.0.2.1"}, "a", 1),
                                 rs("w.example.com.", t::kA, 60, {"192.0.2.2", "192.0.2.1"}, "b", 2),
                                 rs("w.example.com.", t::kTXT, 60, {"\"x\""})};
  auto r = servedRRset(*dns::Name::fromText("w.example.com."), t::kA, sets);
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(r->ttl, 60u);
  EXPECT_EQ(r->rdatas.size(), 2u);  // duplicates merged
  auto none = servedRRset(*dns::Name::fromText("w.example.com."), t::kAAAA, sets);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->rdatas.empty());  // deletes the RRset
}

TEST(ServedRRsetTest, OneCnameServedTheHeaviest) {
  std::vector<RecordSet> sets = {rs("c.example.com.", t::kCNAME, 60, {"light.example.net."}, "a", 1),
                                 rs("c.example.com.", t::kCNAME, 60, {"heavy.example.net."}, "b", 9)};
  auto r = servedRRset(*dns::Name::fromText("c.example.com."), t::kCNAME, sets);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->rdatas.size(), 1u);
  EXPECT_EQ(dns::rdataToText(t::kCNAME, r->rdatas[0]), "heavy.example.net.");
}

TEST(ServedRRsetTest, NameValuesUseRoute53Escapes) {
  // Found by fuzz/route53_change_batch_fuzz.cc: a CNAME/NS value is a Route 53 name ("\ooo" octal,
  // "\c" literal), which RFC 1035 text parsing would read differently or reject.
  std::vector<RecordSet> sets = {rs("c.example.com.", t::kCNAME, 60, {"\\052.example.net"}),
                                 rs("n.example.com.", t::kNS, 60, {"\\\"\""})};
  auto all = servedRecords(sets);
  ASSERT_TRUE(all.ok()) << all.status().toString();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ(dns::rdataToText(t::kCNAME, (*all)[0].rdata), "*.example.net.");
}

TEST(ServedRRsetTest, AliasServesNothingAndServedRecordsGroups) {
  RecordSet alias = rs("a.example.com.", t::kA, 0, {});
  alias.alias = AliasTarget{"Z2", "lb.example.net.", false};
  std::vector<RecordSet> sets = {alias, rs("b.example.com.", t::kA, 30, {"192.0.2.9"}),
                                 rs("w.example.com.", t::kA, 30, {"192.0.2.1"}, "x", 1),
                                 rs("w.example.com.", t::kA, 30, {"192.0.2.2"}, "y", 1)};
  auto all = servedRecords(sets);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 3u);
}

// ServedRecordsBuilder (record sets streamed in store order) agrees with servedRecords.
std::vector<std::string> texts(const std::vector<dns::ResourceRecord>& rrs) {
  std::vector<std::string> out;
  for (const auto& rr : rrs)
    out.push_back(rr.owner.lowercased().toText() + " " + std::to_string(rr.ttl) + " " +
                  dns::typeToText(rr.type) + " " + dns::rdataToText(rr.type, rr.rdata));
  std::sort(out.begin(), out.end());
  return out;
}

TEST(ServedRecordsBuilderTest, StreamedGroupsMatchServedRecords) {
  // Store order: by name, then type, then set identifier; weighted sets of one name arrive together.
  std::vector<RecordSet> sets = {
      rs("a.example.com.", t::kA, 60, {"192.0.2.1", "192.0.2.2"}),
      rs("a.example.com.", t::kTXT, 60, {"\"hello\""}),
      rs("c.example.com.", t::kCNAME, 60, {"light.example.net."}, "l", 1),
      rs("c.example.com.", t::kCNAME, 60, {"heavy.example.net."}, "h", 9),
      rs("W.example.com.", t::kA, 30, {"192.0.2.7"}, "x", 1),
      rs("w.example.com.", t::kA, 90, {"192.0.2.8"}, "y", 1),
  };
  ServedRecordsBuilder b;
  for (RecordSet set : sets) ASSERT_TRUE(b.add(std::move(set)).isOk());
  auto streamed = b.finish();
  ASSERT_TRUE(streamed.ok()) << streamed.status().toString();

  std::vector<RecordSet> shuffled = sets;
  std::mt19937 rng(7);
  std::shuffle(shuffled.begin(), shuffled.end(), rng);
  auto whole = servedRecords(shuffled);
  ASSERT_TRUE(whole.ok()) << whole.status().toString();

  EXPECT_EQ(texts(*streamed), texts(*whole));
  // The weighted A sets are one RRset at the lowest TTL; the CNAME is the heaviest only.
  EXPECT_EQ(texts(*streamed),
            (std::vector<std::string>{"a.example.com. 60 A 192.0.2.1", "a.example.com. 60 A 192.0.2.2",
                                      "a.example.com. 60 TXT \"hello\"",
                                      "c.example.com. 60 CNAME heavy.example.net.",
                                      "w.example.com. 30 A 192.0.2.7", "w.example.com. 30 A 192.0.2.8"}));
}

TEST(ServedRecordsBuilderTest, BadValueFailsWithTheValue) {
  ServedRecordsBuilder b;
  ASSERT_TRUE(b.add(rs("a.example.com.", t::kA, 60, {"192.0.2.1"})).isOk());
  // The bad set is detected when its group closes (at the next group or at finish).
  ASSERT_TRUE(b.add(rs("b.example.com.", t::kA, 60, {"not-an-address"})).isOk());
  auto r = b.finish();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("not-an-address"), std::string::npos) << r.status().toString();
}

}  // namespace
}  // namespace zk::route53
