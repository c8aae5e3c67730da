// Route 53 input rules: name format, value checks with Route 53's texts, change batches and quotas.
#include "services/route53/validation.h"

#include <gtest/gtest.h>

#include "dns/types.h"

namespace zk::route53 {
namespace {

using nlohmann::json;
namespace t = dns::rrtype;

dns::Name name(const char* text) {
  auto n = dns::Name::fromText(text);
  EXPECT_TRUE(n.ok()) << text;
  return *n;
}

json change(const std::string& action, const std::string& n, const std::string& type, json values,
            int64_t ttl = 300) {
  json records = json::array();
  for (const auto& v : values) records.push_back({{"Value", v}});
  return {{"Action", action},
          {"ResourceRecordSet", {{"Name", n}, {"Type", type}, {"TTL", ttl}, {"ResourceRecords", records}}}};
}

TEST(Route53NameTest, AcceptsWithAndWithoutTrailingDotAnyCase) {
  auto a = parseRoute53Name("WWW.Example.COM");
  auto b = parseRoute53Name("www.example.com.");
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(route53NameText(*a), "www.example.com.");
}

TEST(Route53NameTest, OctalEscapesAreOctalNotDecimal) {
  // DomainNameFormat.html: "\052" is '*' (octal 52 = 42), not '4' as RFC 1035's decimal \052 would be.
  auto n = parseRoute53Name("\\052.example.com");
  ASSERT_TRUE(n.ok());
  EXPECT_TRUE(n->isWildcard());
  EXPECT_EQ(route53NameText(*n), "\\052.example.com.");
  auto star = parseRoute53Name("*.example.com");
  ASSERT_TRUE(star.ok());
  EXPECT_EQ(*star, *n);
  auto dot_in_label = parseRoute53Name("a\\.b.example.com");
  ASSERT_TRUE(dot_in_label.ok());
  EXPECT_EQ(dot_in_label->labelCount(), 3u);
}

TEST(Route53NameTest, RejectsEmptyLabelsAndBadEscapes) {
  for (const char* bad : {"", "a..example.com", ".example.com", "a\\05.com", "a\\", "sp ace.com"}) {
    EXPECT_FALSE(parseRoute53Name(bad).ok()) << bad;
  }
  auto e = parseRoute53Name("a..b");
  EXPECT_EQ(nameProblemMessage("a..b", e.status()),
            "FATAL problem: DomainLabelEmpty (Domain label is empty) encountered with 'a..b'");
  EXPECT_TRUE(parseRoute53Name(".").ok());
  std::string long_label(64, 'a');
  EXPECT_FALSE(parseRoute53Name(long_label + ".com").ok());
}

TEST(RecordValueTest, UnquotedTxtGetsRoute53Message) {
  Status s = validateRecordValue(t::kTXT, "unquoted");
  ASSERT_FALSE(s.isOk());
  EXPECT_EQ(s.message(),
            "Invalid Resource Record: 'FATAL problem: InvalidCharacterString (Value should be enclosed in "
            "quotation marks) encountered with 'unquoted''");
  EXPECT_TRUE(validateRecordValue(t::kTXT, "\"hello world\"").isOk());
  EXPECT_TRUE(validateRecordValue(t::kTXT, "\"part one\" \"part two\"").isOk());
  EXPECT_TRUE(validateRecordValue(t::kTXT, "\"with \\\"escaped\\\" quotes\"").isOk());
  EXPECT_FALSE(validateRecordValue(t::kTXT, "\"unterminated").isOk());
  EXPECT_FALSE(validateRecordValue(t::kTXT, "\"a\"b").isOk());
  EXPECT_FALSE(validateRecordValue(t::kSPF, "v=spf1 -all").isOk());
  EXPECT_FALSE(validateRecordValue(t::kTXT, "\"" + std::string(256, 'x') + "\"").isOk());
  EXPECT_TRUE(validateRecordValue(t::kTXT, "\"" + std::string(255, 'x') + "\"").isOk());
}

TEST(RecordValueTest, AddressesAndNames) {
  EXPECT_TRUE(validateRecordValue(t::kA, "192.0.2.1").isOk());
  Status s = validateRecordValue(t::kA, "192.0.2");
  ASSERT_FALSE(s.isOk());
  EXPECT_EQ(s.message(),
            "Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address (Value is not a valid IPv4 "
            "address) encountered with '192.0.2''");
  EXPECT_TRUE(validateRecordValue(t::kAAAA, "2001:db8::1").isOk());
  EXPECT_FALSE(validateRecordValue(t::kAAAA, "192.0.2.1").isOk());
  EXPECT_TRUE(validateRecordValue(t::kCNAME, "target.example.net").isOk());
  EXPECT_TRUE(validateRecordValue(t::kCNAME, "target.example.net.").isOk());
  EXPECT_FALSE(validateRecordValue(t::kCNAME, "bad..name").isOk());
  EXPECT_TRUE(validateRecordValue(t::kMX, "10 mail.example.com").isOk());
  EXPECT_FALSE(validateRecordValue(t::kMX, "mail.example.com").isOk());
  EXPECT_TRUE(validateRecordValue(t::kCAA, "0 issue \"letsencrypt.org\"").isOk());
  EXPECT_TRUE(validateRecordValue(t::kSRV, "1 10 5269 xmpp.example.com").isOk());
}

TEST(ChangeBatchTest, ParsesWritesInOrder) {
  json cb = {{"Comment", "c"},
             {"Changes",
              {change("UPSERT", "www.example.com", "A", {"192.0.2.1", "192.0.2.2"}),
               change("DELETE", "old.example.com.", "TXT", {"\"x\""}, 60),
               change("CREATE", "new.example.com", "CNAME", {"www.example.com"})}}};
  auto r = parseChangeBatch(cb, name("example.com."), {});
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_TRUE(r->messages.empty());
  ASSERT_EQ(r->writes.size(), 3u);
  EXPECT_EQ(r->comment, "c");
  EXPECT_EQ(r->writes[0].action, WriteAction::kUpsert);
  EXPECT_EQ(r->writes[0].record_set.values.size(), 2u);
  EXPECT_EQ(r->writes[1].action, WriteAction::kDelete);
  EXPECT_EQ(r->writes[1].record_set.ttl, 60u);
  EXPECT_EQ(r->writes[2].record_set.type, t::kCNAME);
}

TEST(ChangeBatchTest, CollectsEveryInvalidChangeBatchMessage) {
  json cb = {{"Changes",
              {change("UPSERT", "foo.other.com", "A", {"192.0.2.1"}),
               change("UPSERT", "txt.example.com", "TXT", {"unquoted"}),
               change("CREATE", "example.com", "CNAME", {"x.example.net"})}}};
  auto r = parseChangeBatch(cb, name("example.com."), {});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->messages.size(), 3u);
  EXPECT_EQ(r->messages[0], "RRSet with DNS name foo.other.com. is not permitted in zone example.com.");
  EXPECT_NE(r->messages[1].find("InvalidCharacterString"), std::string::npos);
  EXPECT_EQ(r->messages[2],
            "RRSet of type CNAME with DNS name example.com. is not permitted at apex in zone example.com.");
}

TEST(ChangeBatchTest, TtlResourceRecordsAliasCombinationIsInvalidInput) {
  json no_ttl = {
      {"Changes",
       {{{"Action", "CREATE"},
         {"ResourceRecordSet",
          {{"Name", "a.example.com"}, {"Type", "A"}, {"ResourceRecords", {{{"Value", "192.0.2.1"}}}}}}}}}};
  auto r = parseChangeBatch(no_ttl, name("example.com."), {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(
      r.status().message(),
      "Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or "
      "TrafficPolicyInstanceId], but found none in Change with [Action=CREATE, Name=a.example.com, Type=A, "
      "SetIdentifier=null]");
  json both = {
      {"Changes",
       {{{"Action", "UPSERT"},
         {"ResourceRecordSet",
          {{"Name", "a.example.com."},
           {"Type", "A"},
           {"TTL", 60},
           {"AliasTarget",
            {{"HostedZoneId", "Z2"}, {"DNSName", "lb.example.net"}, {"EvaluateTargetHealth", false}}}}}}}}};
  r = parseChangeBatch(both, name("example.com."), {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("but found more than one"), std::string::npos);
}

TEST(ChangeBatchTest, RoutingPolicyFieldsNeedASetIdentifierAndAreStored) {
  json weighted = {{"Changes",
                    {{{"Action", "CREATE"},
                      {"ResourceRecordSet",
                       {{"Name", "w.example.com"},
                        {"Type", "A"},
                        {"SetIdentifier", "blue"},
                        {"Weight", 10},
                        {"TTL", 60},
                        {"ResourceRecords", {{{"Value", "192.0.2.1"}}}}}}}}}};
  auto r = parseChangeBatch(weighted, name("example.com."), {});
  ASSERT_TRUE(r.ok()) << r.status().toString();
  ASSERT_EQ(r->writes.size(), 1u);
  EXPECT_EQ(r->writes[0].record_set.set_identifier, "blue");
  EXPECT_EQ(r->writes[0].record_set.weight, 10);
  json round = recordSetToJson(r->writes[0].record_set);
  EXPECT_EQ(round["SetIdentifier"], "blue");
  EXPECT_EQ(round["Weight"], 10);

  json missing_id = weighted;
  missing_id["Changes"][0]["ResourceRecordSet"].erase("SetIdentifier");
  r = parseChangeBatch(missing_id, name("example.com."), {});
  EXPECT_FALSE(r.ok());
  json id_only = weighted;
  id_only["Changes"][0]["ResourceRecordSet"].erase("Weight");
  r = parseChangeBatch(id_only, name("example.com."), {});
  EXPECT_FALSE(r.ok());
}

TEST(ChangeBatchTest, GeoLocationRoundTripsAsJson) {
  json geo = {{"Changes",
               {{{"Action", "CREATE"},
                 {"ResourceRecordSet",
                  {{"Name", "g.example.com"},
                   {"Type", "A"},
                   {"SetIdentifier", "eu"},
                   {"GeoLocation", {{"ContinentCode", "EU"}}},
                   {"TTL", 60},
                   {"ResourceRecords", {{{"Value", "192.0.2.1"}}}}}}}}}};
  auto r = parseChangeBatch(geo, name("example.com."), {});
  ASSERT_TRUE(r.ok()) << r.status().toString();
  json out = recordSetToJson(r->writes[0].record_set);
  EXPECT_EQ(out["GeoLocation"], json({{"ContinentCode", "EU"}}));
}

TEST(ChangeBatchTest, QuotasCountUpsertTwice) {
  ChangeBatchLimits limits;
  limits.max_resource_records = 4;
  limits.max_value_characters = 1000;
  json two_upserts = {{"Changes", {change("UPSERT", "a.example.com", "A", {"192.0.2.1", "192.0.2.2"})}}};
  auto r = parseChangeBatch(two_upserts, name("example.com."), limits);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->messages.empty());  // 2 x 2 = 4: at the limit
  json over = {{"Changes",
                {change("UPSERT", "a.example.com", "A", {"192.0.2.1", "192.0.2.2"}),
                 change("CREATE", "b.example.com", "A", {"192.0.2.3"})}}};
  r = parseChangeBatch(over, name("example.com."), limits);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->messages.size(), 1u);
  EXPECT_EQ(r->messages[0], "Number of records limit of 4 exceeded.");

  limits.max_resource_records = 1000;
  limits.max_value_characters = 20;
  json chars = {{"Changes", {change("UPSERT", "a.example.com", "A", {"192.0.2.100"})}}};  // 11 x 2 = 22
  r = parseChangeBatch(chars, name("example.com."), limits);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->messages.size(), 1u);
  EXPECT_EQ(r->messages[0], "RDATA character limit of 20 exceeded.");
}

TEST(ChangeBatchTest, DuplicateValuesAreRejected) {
  json dup = {{"Changes", {change("CREATE", "a.example.com", "A", {"192.0.2.1", "192.0.2.1"})}}};
  auto r = parseChangeBatch(dup, name("example.com."), {});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->messages.size(), 1u);
  EXPECT_NE(r->messages[0].find("Duplicate Resource Record"), std::string::npos);
}

RecordSet rs(const char* n, uint16_t type, std::vector<std::string> values, std::string set_id = "") {
  RecordSet r;
  r.name = name(n);
  r.type = type;
  r.ttl = 60;
  r.values = std::move(values);
  r.set_identifier = std::move(set_id);
  if (!r.set_identifier.empty()) r.weight = 1;
  return r;
}

TEST(AfterBatchTest, CnameBesideOtherDataNamesTheCulprit) {
  const dns::Name apex = name("example.com.");
  std::vector<RecordSet> sets = {rs("x.example.com.", t::kA, {"192.0.2.1"}),
                                 rs("x.example.com.", t::kCNAME, {"y.example.com."})};
  std::vector<RecordSetWrite> wrote_cname = {{WriteAction::kCreate, sets[1]}};
  Status s = checkNameAfterBatch(apex, name("x.example.com."), sets, wrote_cname);
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_EQ(
      s.message(),
      "RRSet of type CNAME with DNS name x.example.com. is not permitted as it conflicts with other records "
      "with the same DNS name in zone example.com.");
  std::vector<RecordSetWrite> wrote_a = {{WriteAction::kUpsert, sets[0]}};
  s = checkNameAfterBatch(apex, name("x.example.com."), sets, wrote_a);
  EXPECT_EQ(
      s.message(),
      "RRSet of type A with DNS name x.example.com. is not permitted because a conflicting RRSet of type  "
      "CNAME with the same DNS name already exists in zone example.com.");
  std::vector<RecordSet> alone = {sets[1]};
  EXPECT_TRUE(checkNameAfterBatch(apex, name("x.example.com."), alone, wrote_cname).isOk());
}

TEST(AfterBatchTest, SimpleAndWeightedDoNotMix) {
  const dns::Name apex = name("example.com.");
  std::vector<RecordSet> sets = {rs("w.example.com.", t::kA, {"192.0.2.1"}),
                                 rs("w.example.com.", t::kA, {"192.0.2.2"}, "blue")};
  std::vector<RecordSetWrite> wrote = {{WriteAction::kCreate, sets[1]}};
  Status s = checkNameAfterBatch(apex, name("w.example.com."), sets, wrote);
  EXPECT_EQ(s.message(),
            "RRSet with DNS name w.example.com., type A, SetIdentifier blue cannot be created as a "
            "non-weighted set exists with the same name and type.");
}

TEST(AfterBatchTest, ApexKeepsOneSoaAndNs) {
  const dns::Name apex = name("example.com.");
  RecordSet soa = rs("example.com.", t::kSOA, {"ns1.example.com. h.example.com. 1 2 3 4 5"});
  RecordSet ns = rs("example.com.", t::kNS, {"ns1.example.com."});
  std::vector<RecordSet> without_soa = {ns};
  std::vector<RecordSetWrite> del = {{WriteAction::kDelete, soa}};
  EXPECT_EQ(checkNameAfterBatch(apex, apex, without_soa, del).message(),
            "A HostedZone must contain exactly one SOA record.");
  std::vector<RecordSet> without_ns = {soa};
  EXPECT_EQ(checkNameAfterBatch(apex, apex, without_ns, del).message(),
            "A HostedZone must contain at least one NS record for the zone itself.");
  std::vector<RecordSet> both = {ns, soa};
  EXPECT_TRUE(checkNameAfterBatch(apex, apex, both, del).isOk());
}

}  // namespace
}  // namespace zk::route53
