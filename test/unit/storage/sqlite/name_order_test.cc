// Route 53 name text and ordering keys (store.h helpers the SQLite store indexes by).
#include <gtest/gtest.h>

#include <algorithm>

#include "services/route53/store.h"
#include "store_test_util.h"

namespace zk::route53 {
namespace {

using storage::testing::N;

TEST(Route53NameTest, TextIsLowercaseWithOctalEscapes) {
  EXPECT_EQ(route53NameText(N("WWW.Example.COM")), "www.example.com.");
  EXPECT_EQ(route53NameText(N("*.example.com.")), "\\052.example.com.");
  EXPECT_EQ(route53NameText(N("_acme-challenge.example.com.")), "_acme-challenge.example.com.");
  EXPECT_EQ(route53NameText(N("a\\.b.example.com.")), "a\\056b.example.com.");
  EXPECT_EQ(route53NameText(N("ex\\228mple.com.")), "ex\\344mple.com.");  // the AWS docs' example
  EXPECT_EQ(route53NameText(N("a@b.example.")), "a\\100b.example.");
  EXPECT_EQ(route53NameText(dns::Name()), ".");
}

TEST(Route53NameTest, KeyReversesLabels) {
  EXPECT_EQ(route53NameKey(N("www.example.com.")), "com.example.www.");
  EXPECT_EQ(route53NameKey(N("ex\\228mple.com.")), "com.ex\\344mple.");
  EXPECT_EQ(route53NameKey(N("Example.COM.")), route53NameKey(N("example.com.")));
  EXPECT_EQ(route53NameKey(dns::Name()), "");
}

// https://docs.aws.amazon.com/Route53/latest/APIReference/API_ListResourceRecordSets.html:
// the trailing dot changes the order for characters below '.', such as '-'.
TEST(Route53NameTest, OrderFollowsTheReversedDottedString) {
  std::vector<std::string> texts = {"b.example.com.",      "a.example.com.",   "example.com.",
                                    "*.example.com.",      "a-b.example.com.", "a.a.example.com.",
                                    "_dmarc.example.com.", "0.example.com.",   "a1.example.com.",
                                    "z.example.net.",      "example.org."};
  std::vector<dns::Name> names;
  for (auto& t : texts) names.push_back(N(t));
  std::sort(names.begin(), names.end(),
            [](const dns::Name& a, const dns::Name& b) { return route53NameKey(a) < route53NameKey(b); });
  std::vector<std::string> got;
  for (auto& n : names) got.push_back(route53NameText(n));
  std::vector<std::string> want = {"example.com.",        "0.example.com.",   "\\052.example.com.",
                                   "_dmarc.example.com.", "a-b.example.com.", "a.example.com.",
                                   "a.a.example.com.",    "a1.example.com.",  "b.example.com.",
                                   "z.example.net.",      "example.org."};
  EXPECT_EQ(got, want);
}

TEST(Route53NameTest, DiffersFromCanonicalOrderWhereTheDocsSaySo) {
  // Canonical (RFC 4034 §6.1) puts "a" before "a-b" (shorter label first); Route 53 compares
  // "com.example.a." with "com.example.a-b." and '-' < '.'.
  dns::Name a = N("a.example.com."), ab = N("a-b.example.com.");
  EXPECT_TRUE(a.canonicalCompare(ab) < 0);
  EXPECT_LT(route53NameKey(ab), route53NameKey(a));
}

TEST(Route53NameTest, TypesSortByMnemonic) {
  std::vector<uint16_t> types = {dns::rrtype::kTXT,   dns::rrtype::kSOA, dns::rrtype::kMX,
                                 dns::rrtype::kAAAA,  dns::rrtype::kNS,  dns::rrtype::kA,
                                 dns::rrtype::kCNAME, dns::rrtype::kCAA};
  std::sort(types.begin(), types.end(),
            [](uint16_t x, uint16_t y) { return route53TypeKey(x) < route53TypeKey(y); });
  std::vector<uint16_t> want = {dns::rrtype::kA,  dns::rrtype::kAAAA, dns::rrtype::kCAA, dns::rrtype::kCNAME,
                                dns::rrtype::kMX, dns::rrtype::kNS,   dns::rrtype::kSOA, dns::rrtype::kTXT};
  EXPECT_EQ(types, want);
}

TEST(Route53NameTest, DeleteMatchIgnoresValueOrderButNothingElse) {
  RecordSet cur = storage::testing::RS("a.example.com.", dns::rrtype::kA, {"192.0.2.1", "192.0.2.2"});
  RecordSet req = storage::testing::RS("A.example.com.", dns::rrtype::kA, {"192.0.2.2", "192.0.2.1"});
  EXPECT_TRUE(recordSetMatches(cur, req));
  req.ttl = 60;
  EXPECT_FALSE(recordSetMatches(cur, req));
  req.ttl = cur.ttl;
  req.values.pop_back();
  EXPECT_FALSE(recordSetMatches(cur, req));
  req.values = cur.values;
  req.weight = 10;
  EXPECT_FALSE(recordSetMatches(cur, req));
  EXPECT_EQ(describeRecordSet(cur), "[name='a.example.com.', type='A']");
  cur.set_identifier = "x";
  EXPECT_EQ(describeRecordSet(cur), "[name='a.example.com.', type='A', set-identifier='x']");
}

}  // namespace
}  // namespace zk::route53
