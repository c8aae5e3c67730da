// Tests for the query codec (STS, IAM) with requests recorded from the aws CLI, boto3 and aws-sdk-js.
#include "aws/query_protocol.h"

#include <gtest/gtest.h>

#include <pugixml.hpp>

#include "botocore_oracle.h"

namespace zk::aws {
namespace {

using nlohmann::json;

constexpr char kRoleArn[] = "arn:aws:iam::123456789012:role/demo";

class QueryProtocolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = ServiceModel::loadEmbedded("sts");
    ASSERT_TRUE(s.ok()) << s.status().toString();
    sts_ = *s;
    auto i = ServiceModel::loadEmbedded("iam");
    ASSERT_TRUE(i.ok()) << i.status().toString();
    iam_ = *i;
  }
  std::shared_ptr<const ServiceModel> sts_, iam_;
};

TEST_F(QueryProtocolTest, FormDecoding) {
  auto p = parseFormUrlEncoded("a=1&b=x+y%2Bz&&c&d=%E2%82%AC");
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->size(), 4u);
  EXPECT_EQ((*p)[1], (std::pair<std::string, std::string>{"b", "x y+z"}));
  EXPECT_EQ((*p)[2], (std::pair<std::string, std::string>{"c", ""}));
  EXPECT_EQ((*p)[3].second, "\xE2\x82\xAC");
  EXPECT_FALSE(parseFormUrlEncoded("a=%2").ok());
  EXPECT_FALSE(parseFormUrlEncoded("a=%G0").ok());
  EXPECT_EQ(*percentDecode("a+b", false), "a+b");
}

TEST_F(QueryProtocolTest, ParsesRecordedGetCallerIdentity) {
  // Body of awscli-v1-runbook trace #1 and imds-credentials #15 (aws-sdk-js), Content-Length 43.
  auto r = parseQueryRequest(*sts_, "", "Action=GetCallerIdentity&Version=2011-06-15");
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(r->operation, "GetCallerIdentity");
  EXPECT_EQ(r->input, json::object());
  // GET with a query string works the same.
  auto g = parseQueryRequest(*sts_, "Action=GetCallerIdentity&Version=2011-06-15", "");
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->operation, "GetCallerIdentity");
}

TEST_F(QueryProtocolTest, ParsesAssumeRoleWithListsAndStructures) {
  const std::string body =
      std::string("Action=AssumeRole&Version=2011-06-15&RoleArn=") +
      "arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdemo&RoleSessionName=s1&DurationSeconds=3600"
      "&PolicyArns.member.2.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FB"
      "&PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FA"
      "&Tags.member.1.Key=team&Tags.member.1.Value=dns+ops"
      "&TransitiveTagKeys.member.1=team&Unknown.Param=1";
  auto r = parseQueryRequest(*sts_, "RoleSessionName=overridden", body);
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(r->operation, "AssumeRole");
  EXPECT_EQ(r->input, (json{{"RoleArn", kRoleArn},
                            {"RoleSessionName", "s1"},
                            {"DurationSeconds", 3600},
                            {"PolicyArns", json::array({{{"arn", "arn:aws:iam::aws:policy/A"}},
                                                        {{"arn", "arn:aws:iam::aws:policy/B"}}})},
                            {"Tags", json::array({{{"Key", "team"}, {"Value", "dns ops"}}})},
                            {"TransitiveTagKeys", json::array({"team"})}}))
      << r->input.dump(1);
  // "L=" is an empty list.
  auto e = parseQueryRequest(
      *sts_, "",
      std::string("Action=AssumeRole&RoleArn=") + kRoleArn + "&RoleSessionName=sess&TransitiveTagKeys=");
  ASSERT_TRUE(e.ok()) << e.status().toString();
  EXPECT_EQ(e->input["TransitiveTagKeys"], json::array());
}

TEST_F(QueryProtocolTest, UnknownActionsAndBadValues) {
  for (const char* body : {"Version=2011-06-15", "Action=Nope&Version=2011-06-15",
                           "Action=GetCallerIdentity&Version=2010-05-08", "Action="}) {
    auto r = parseQueryRequest(*sts_, "", body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.status().code(), Code::kUnimplemented) << body;
    AwsError e = errorFromStatus(r.status(), Protocol::kQuery);
    EXPECT_EQ(e.code, "InvalidAction");
    EXPECT_EQ(e.http_status, 400);
  }
  struct Case {
    std::string body;
    const char* needle;
  };
  const std::string base = std::string("Action=AssumeRole&RoleArn=") + kRoleArn + "&RoleSessionName=sess";
  std::string deep_key = "Tags";
  for (int i = 0; i < 40; ++i) deep_key += ".member";
  const std::vector<Case> cases = {
      {"Action=AssumeRole&RoleSessionName=sess",
       "Value null at 'roleArn' failed to satisfy constraint: Member must not be null"},
      {base + "&DurationSeconds=abc", "Value 'abc' at 'durationSeconds' is not a valid integer"},
      {base + "&DurationSeconds=60", "Member must have value greater than or equal to 900"},
      {base + "&PolicyArns.member.x.arn=a", "invalid list index"},
      {base + "&PolicyArns.member.0.arn=a", "invalid list index"},
      {base + "&PolicyArns=x", "must be a list"},
      {base + "&Tags.member.1=flat", "Value null at 'tags.1.member.key'"},
      {base + "&DurationSeconds.x=1", "must be a single value"},
      {base + "&RoleSessionName=%FF", "not valid UTF-8"},
      {base + "&" + deep_key + "=1", "nested too deeply"},
  };
  for (const Case& c : cases) {
    auto r = parseQueryRequest(*sts_, "", c.body);
    ASSERT_FALSE(r.ok()) << c.body;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << c.body;
    EXPECT_NE(r.status().message().find(c.needle), std::string::npos)
        << c.body << " -> " << r.status().message();
    EXPECT_EQ(errorFromStatus(r.status(), Protocol::kQuery).code, "ValidationError");
  }
}

TEST_F(QueryProtocolTest, MapsAndFlattenedListsFollowBotocoreNaming) {
  // A small query model exercising the serialization traits STS/IAM inputs do not use.
  auto m = ServiceModel::parse(R"({
    "metadata": {"protocol": "query", "apiVersion": "2020-01-01", "endpointPrefix": "demo",
                 "xmlNamespace": "https://demo.amazonaws.com/doc/2020-01-01/"},
    "operations": {"Put": {"name": "Put", "http": {"method": "POST", "requestUri": "/"},
                           "input": {"shape": "PutRequest"},
                           "output": {"shape": "PutResponse", "resultWrapper": "PutResult"}}},
    "shapes": {
      "PutRequest": {"type": "structure", "members": {
         "Attrs": {"shape": "AttrMap"},
         "Flat": {"shape": "FlatList"},
         "Named": {"shape": "FlatNamed", "locationName": "Original"},
         "Renamed": {"shape": "Str", "locationName": "Other"},
         "When": {"shape": "Time"},
         "On": {"shape": "Bool"},
         "Data": {"shape": "Bytes"}}},
      "PutResponse": {"type": "structure", "members": {
         "Attrs": {"shape": "AttrMap"}, "Flat": {"shape": "FlatList"}, "When": {"shape": "Time"}}},
      "AttrMap": {"type": "map", "key": {"shape": "Str", "locationName": "Name"},
                  "value": {"shape": "Str", "locationName": "Val"}},
      "FlatList": {"type": "list", "member": {"shape": "Str"}, "flattened": true},
      "FlatNamed": {"type": "list", "member": {"shape": "Str", "locationName": "Item"}, "flattened": true},
      "Str": {"type": "string"}, "Time": {"type": "timestamp"}, "Bool": {"type": "boolean"},
      "Bytes": {"type": "blob"}}})");
  ASSERT_TRUE(m.ok()) << m.status().toString();
  auto r = parseQueryRequest(
      **m, "",
      "Action=Put&Attrs.entry.2.Name=b&Attrs.entry.2.Val=2&Attrs.entry.1.Name=a"
      "&Attrs.entry.1.Val=1&Flat.1=x&Flat.2=y&Item.1=i&Other=o&When=2024-01-02T03%3A04%3A05Z"
      "&On=true&Data=aGk%3D");
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(r->input, (json{{"Attrs", {{"a", "1"}, {"b", "2"}}},
                            {"Flat", json::array({"x", "y"})},
                            {"Named", json::array({"i"})},
                            {"Renamed", "o"},
                            {"When", 1704164645},
                            {"On", true},
                            {"Data", "aGk="}}))
      << r->input.dump();
  EXPECT_FALSE(parseQueryRequest(**m, "", "Action=Put&On=yes").ok());
  EXPECT_FALSE(parseQueryRequest(**m, "", "Action=Put&Data=%21%21").ok());
  EXPECT_FALSE(parseQueryRequest(**m, "", "Action=Put&Attrs.entry.1.Val=1").ok());

  ResponseHeaders h;
  auto body = serializeQueryResponse(
      **m, "Put", json{{"Attrs", {{"k", "v"}}}, {"Flat", json::array({"p", "q"})}, {"When", 1704164645}},
      "rid", h);
  ASSERT_TRUE(body.ok()) << body.status().toString();
  EXPECT_NE(body->find("<PutResult><Attrs><entry><Name>k</Name><Val>v</Val></entry></Attrs><Flat>p</Flat>"
                       "<Flat>q</Flat><When>2024-01-02T03:04:05.000Z</When></PutResult>"),
            std::string::npos)
      << *body;
}

TEST_F(QueryProtocolTest, SerializesGetCallerIdentityAndAssumeRole) {
  ResponseHeaders h;
  auto body = serializeQueryResponse(*sts_, "GetCallerIdentity",
                                     json{{"UserId", "AKIAIOSFODNN7EXAMPLE"},
                                          {"Account", "123456789012"},
                                          {"Arn", "arn:aws:sts::123456789012:user/moto"}},
                                     "req-1", h);
  ASSERT_TRUE(body.ok()) << body.status().toString();
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(*h.find("Content-Type"), "text/xml");
  EXPECT_EQ(*h.find("x-amzn-requestid"), "req-1");
  EXPECT_EQ(*body,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
            "<GetCallerIdentityResult><UserId>AKIAIOSFODNN7EXAMPLE</UserId><Account>123456789012</Account>"
            "<Arn>arn:aws:sts::123456789012:user/moto</Arn></GetCallerIdentityResult>"
            "<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>");

  auto none = serializeQueryResponse(*iam_, "DeleteRole", json::object(), "req-2", h);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<DeleteRoleResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><ResponseMetadata>"
            "<RequestId>req-2</RequestId></ResponseMetadata></DeleteRoleResponse>");
  EXPECT_FALSE(serializeQueryResponse(*sts_, "GetCallerIdentity", json{{"Bogus", "x"}}, "r", h).ok());

  std::string err = serializeQueryError(
      *iam_, modeledError(*iam_, "NoSuchEntityException", "Role x not found"), "req-3", h);
  EXPECT_EQ(h.status, 404);
  EXPECT_EQ(err,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type>"
            "<Code>NoSuchEntity</Code><Message>Role x not found</Message></Error><RequestId>req-3</RequestId>"
            "</ErrorResponse>");
}

TEST_F(QueryProtocolTest, BotocoreParsesOurResponsesAndErrors) {
  ResponseHeaders h;
  auto body = serializeQueryResponse(
      *sts_, "GetCallerIdentity",
      json{{"UserId", "AIDA1"}, {"Account", "123456789012"}, {"Arn", "arn:aws:iam::123456789012:user/u"}},
      "req-5", h);
  ASSERT_TRUE(body.ok());
  auto parsed = testing::botocoreParse("sts", "GetCallerIdentity", h, *body);
  if (!parsed) GTEST_SKIP() << "python3 with botocore not available";
  ASSERT_FALSE(parsed->contains("__error__")) << (*parsed)["__error__"];
  EXPECT_EQ((*parsed)["Account"], "123456789012");
  EXPECT_EQ((*parsed)["Arn"], "arn:aws:iam::123456789012:user/u");
  EXPECT_EQ((*parsed)["ResponseMetadata"]["RequestId"], "req-5");

  body = serializeQueryResponse(
      *sts_, "AssumeRole",
      json{{"Credentials",
            {{"AccessKeyId", "ASIA1"},
             {"SecretAccessKey", "s"},
             {"SessionToken", "t"},
             {"Expiration", 1704164645}}},
           {"AssumedRoleUser",
            {{"AssumedRoleId", "AROA1:s1"}, {"Arn", "arn:aws:sts::123456789012:assumed-role/demo/s1"}}},
           {"PackedPolicySize", 6}},
      "req-6", h);
  ASSERT_TRUE(body.ok()) << body.status().toString();
  parsed = testing::botocoreParse("sts", "AssumeRole", h, *body);
  ASSERT_TRUE(parsed && !parsed->contains("__error__")) << parsed->dump();
  EXPECT_EQ((*parsed)["Credentials"]["Expiration"], "2024-01-02T03:04:05.000Z");
  EXPECT_EQ((*parsed)["AssumedRoleUser"]["AssumedRoleId"], "AROA1:s1");
  EXPECT_EQ((*parsed)["PackedPolicySize"], 6);

  std::string err = serializeQueryError(*sts_, makeAwsError(403, "AccessDenied", "not allowed"), "req-7", h);
  parsed = testing::botocoreParse("sts", "AssumeRole", h, err);
  ASSERT_TRUE(parsed && !parsed->contains("__error__")) << parsed->dump();
  EXPECT_EQ((*parsed)["Error"]["Code"], "AccessDenied");
  EXPECT_EQ((*parsed)["Error"]["Message"], "not allowed");
  EXPECT_EQ((*parsed)["Error"]["Type"], "Sender");
  EXPECT_EQ((*parsed)["ResponseMetadata"]["RequestId"], "req-7");
}

}  // namespace
}  // namespace zk::aws
