// Zone::findMany (batched, prefetching trie probes) agrees with find() name by name.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dns/types.h"
#include "zone/zone.h"

namespace zk::zone {
namespace {

dns::Name N(const std::string& text) { return *dns::Name::fromText(text); }

dns::ResourceRecord A(const std::string& owner, uint8_t last) {
  return dns::ResourceRecord{N(owner), dns::rrtype::kA, dns::rrclass::kIN, 300, {192, 0, 2, last}};
}

TEST(FindMany, AgreesWithFindOnALargeZone) {
  const dns::Name apex = N("big.test.");
  std::vector<dns::ResourceRecord> rrs;
  rrs.push_back(dns::ResourceRecord{
      apex, dns::rrtype::kSOA, dns::rrclass::kIN, 300, {2, 'n', 's', 0, 1, 'h', 0, 0, 0, 0, 1, 0, 0, 0,
                                                        1, 0,   0,   0, 1, 0,   0, 0, 1, 0, 0, 0, 1}});
  for (int i = 0; i < 20000; ++i)
    rrs.push_back(A("h" + std::to_string(i) + (i % 7 == 0 ? ".sub" : "") + ".big.test.", uint8_t(i)));
  auto z = Zone::build(apex, rrs);
  ASSERT_TRUE(z.ok()) << z.status().toString();

  // Present names (mixed case), empty non-terminals, absent names and a name outside the zone,
  // in a count that is not a multiple of the internal chunk.
  std::vector<LookupName> names;
  auto add = [&](const std::string& text) {
    names.emplace_back();
    ASSERT_TRUE(names.back().assign(N(text)));
  };
  for (int i = 0; i < 20000; i += 3) add("H" + std::to_string(i) + (i % 7 == 0 ? ".sub" : "") + ".big.test.");
  for (int i = 0; i < 3000; ++i) add("absent" + std::to_string(i) + ".big.test.");
  add("sub.big.test.");
  add("big.test.");
  add("h1.other.test.");
  std::vector<const Node*> got(names.size(), reinterpret_cast<const Node*>(1));
  (*z)->findMany(names.data(), names.size(), got.data());
  size_t found = 0;
  for (size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(got[i], (*z)->find(names[i])) << i;
    found += got[i] != nullptr;
  }
  EXPECT_EQ(found, size_t((20000 + 2) / 3 + 2));  // the H names, the sub ENT, the apex

  (*z)->findMany(names.data(), 0, got.data());  // no names: nothing written, no crash
}

}  // namespace
}  // namespace zk::zone
