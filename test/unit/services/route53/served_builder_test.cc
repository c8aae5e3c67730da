// ServedRecordsBuilder (streamed in store order) agrees with servedRecords on the same record sets.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "dns/rdata.h"
#include "dns/types.h"
#include "services/route53/records.h"

namespace zk::route53 {
namespace {

namespace t = dns::rrtype;

RecordSet make(const std::string& name, uint16_t type, uint32_t ttl, std::vector<std::string> values,
               std::string set_id = "", std::optional<int64_t> weight = std::nullopt) {
  RecordSet rs;
  rs.name = *dns::Name::fromText(name);
  rs.type = type;
  rs.ttl = ttl;
  rs.values = std::move(values);
  rs.set_identifier = std::move(set_id);
  rs.weight = weight;
  return rs;
}

std::vector<std::string> texts(const std::vector<dns::ResourceRecord>& rrs) {
  std::vector<std::string> out;
  for (const auto& rr : rrs)
    out.push_back(rr.owner.lowercased().toText() + " " + std::to_string(rr.ttl) + " " + dns::typeToText(rr.type) +
                  " " + dns::rdataToText(rr.type, rr.rdata));
  std::sort(out.begin(), out.end());
  return out;
}

TEST(ServedRecordsBuilderTest, StreamedGroupsMatchServedRecords) {
  // Store order: by name, then type, then set identifier; weighted sets of one name arrive together.
  std::vector<RecordSet> sets = {
      make("a.example.com.", t::kA, 60, {"192.0.2.1", "192.0.2.2"}),
      make("a.example.com.", t::kTXT, 60, {"\"hello\""}),
      make("c.example.com.", t::kCNAME, 60, {"light.example.net."}, "l", 1),
      make("c.example.com.", t::kCNAME, 60, {"heavy.example.net."}, "h", 9),
      make("W.example.com.", t::kA, 30, {"192.0.2.7"}, "x", 1),
      make("w.example.com.", t::kA, 90, {"192.0.2.8"}, "y", 1),
  };
  ServedRecordsBuilder b;
  for (RecordSet rs : sets) ASSERT_TRUE(b.add(std::move(rs)).isOk());
  auto streamed = b.finish();
  ASSERT_TRUE(streamed.ok()) << streamed.status().toString();

  std::vector<RecordSet> shuffled = sets;
  std::mt19937 rng(7);
  std::shuffle(shuffled.begin(), shuffled.end(), rng);
  auto whole = servedRecords(shuffled);
  ASSERT_TRUE(whole.ok()) << whole.status().toString();

  EXPECT_EQ(texts(*streamed), texts(*whole));
  // The weighted A sets are one RRset at the lowest TTL; the CNAME is the heaviest only.
  EXPECT_EQ(texts(*streamed), (std::vector<std::string>{
                                  "a.example.com. 60 A 192.0.2.1", "a.example.com. 60 A 192.0.2.2",
                                  "a.example.com. 60 TXT \"hello\"", "c.example.com. 60 CNAME heavy.example.net.",
                                  "w.example.com. 30 A 192.0.2.7", "w.example.com. 30 A 192.0.2.8"}));
}

TEST(ServedRecordsBuilderTest, BadValueFailsWithTheValue) {
  ServedRecordsBuilder b;
  ASSERT_TRUE(b.add(make("a.example.com.", t::kA, 60, {"192.0.2.1"})).isOk());
  // The bad set is detected when its group closes (at the next group or at finish).
  ASSERT_TRUE(b.add(make("b.example.com.", t::kA, 60, {"not-an-address"})).isOk());
  auto r = b.finish();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("not-an-address"), std::string::npos) << r.status().toString();
}

}  // namespace
}  // namespace zk::route53
