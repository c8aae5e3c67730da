// Route 53 operations -> IAM action, resource ARN and condition keys (Service Authorization Reference).
#include "services/route53/access.h"

#include <gtest/gtest.h>

namespace zk::route53 {
namespace {

using nlohmann::json;

api::AccessRequest one(const std::string& op, const json& in) {
  auto v = accessFor(op, in, api::CallContext{});
  EXPECT_EQ(v.size(), 1u) << op;
  return v.empty() ? api::AccessRequest{} : v[0];
}

TEST(Route53AccessTest, ActionsAndResources) {
  EXPECT_EQ(one("CreateHostedZone", json::object()).resource, "*");
  EXPECT_EQ(one("ListHostedZonesByName", json::object()).action, "route53:ListHostedZonesByName");
  EXPECT_EQ(one("GetHostedZone", {{"Id", "/hostedzone/Z1"}}).resource, "arn:aws:route53:::hostedzone/Z1");
  EXPECT_EQ(one("DeleteHostedZone", {{"Id", "Z2"}}).resource, "arn:aws:route53:::hostedzone/Z2");
  EXPECT_EQ(one("ListResourceRecordSets", {{"HostedZoneId", "Z3"}}).resource,
            "arn:aws:route53:::hostedzone/Z3");
  auto change = one("GetChange", {{"Id", "/change/C9"}});
  EXPECT_EQ(change.action, "route53:GetChange");
  EXPECT_EQ(change.resource, "arn:aws:route53:::change/C9");
  EXPECT_EQ(one("ListTagsForResource", {{"ResourceType", "hostedzone"}, {"ResourceId", "Z4"}}).resource,
            "arn:aws:route53:::hostedzone/Z4");
  auto many =
      accessFor("ListTagsForResources", {{"ResourceType", "hostedzone"}, {"ResourceIds", {"Z1", "Z2"}}}, {});
  ASSERT_EQ(many.size(), 2u);
  EXPECT_EQ(many[1].resource, "arn:aws:route53:::hostedzone/Z2");
}

TEST(Route53AccessTest, ChangeResourceRecordSetsConditionKeys) {
  json in = {{"HostedZoneId", "/hostedzone/Z1"},
             {"ChangeBatch",
              {{"Changes",
                {{{"Action", "UPSERT"},
                  {"ResourceRecordSet", {{"Name", "_ACME-challenge.Example.COM."}, {"Type", "TXT"}}}},
                 {{"Action", "DELETE"}, {"ResourceRecordSet", {{"Name", "*.example.com"}, {"Type", "a"}}}},
                 {{"Action", "UPSERT"},
                  {"ResourceRecordSet", {{"Name", "_acme-challenge.example.com"}, {"Type", "TXT"}}}}}}}}};
  auto r = one("ChangeResourceRecordSets", in);
  EXPECT_EQ(r.resource, "arn:aws:route53:::hostedzone/Z1");
  std::map<std::string, std::vector<std::string>> keys(r.context.begin(), r.context.end());
  EXPECT_EQ(keys["route53:ChangeResourceRecordSetsNormalizedRecordNames"],
            (std::vector<std::string>{"_acme-challenge.example.com", "\\052.example.com"}));
  EXPECT_EQ(keys["route53:ChangeResourceRecordSetsRecordTypes"], (std::vector<std::string>{"TXT", "A"}));
  EXPECT_EQ(keys["route53:ChangeResourceRecordSetsActions"], (std::vector<std::string>{"UPSERT", "DELETE"}));
}

TEST(Route53AccessTest, NormalizedRecordNames) {
  EXPECT_EQ(normalizedRecordName("WWW.Example.com."), "www.example.com");
  EXPECT_EQ(normalizedRecordName("a b.test"), "a\\040b.test");
  EXPECT_EQ(normalizedRecordName("\\052.test"), "\\052.test");  // an escape stays one
  EXPECT_EQ(normalizedRecordName("x_y-z.test"), "x_y-z.test");
  EXPECT_EQ(normalizedRecordName("."), "");
}

}  // namespace
}  // namespace zk::route53
