// Policy::parse: malformed documents refused with IAM's MalformedPolicyDocument wording, valid ones kept.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_policy-validator.html
#include <gtest/gtest.h>

#include "authz/match.h"
#include "test_util.h"

namespace zk::authz::testing {
namespace {

struct BadCase {
  const char* name;
  const char* json;
  Policy::Kind kind;
  const char* message;  // a substring of the refusal
};

constexpr Policy::Kind kId = Policy::Kind::kIdentity;
constexpr Policy::Kind kRes = Policy::Kind::kResource;

#define STMT(body) "{\"Version\":\"2012-10-17\",\"Statement\":[" body "]}"

const std::vector<BadCase>& badCases() {
  static const std::vector<BadCase> kCases = {
      {"empty input", "", kId, "Syntax errors in policy."},
      {"not json", "not json", kId, "Syntax errors in policy."},
      {"truncated", R"({"Version":"2012-10-17","Statement":[)", kId, "Syntax errors in policy."},
      {"array document", "[]", kId, "Syntax errors in policy."},
      {"no Statement", R"({"Version":"2012-10-17"})", kId, "Syntax errors in policy."},
      {"empty Statement", R"({"Version":"2012-10-17","Statement":[]})", kId, "Syntax errors in policy."},
      {"Statement string", R"({"Version":"2012-10-17","Statement":"x"})", kId, "Syntax errors in policy."},
      {"Statement element not object", STMT("1"), kId, "Syntax errors in policy."},
      {"unknown top-level",
       R"({"Version":"2012-10-17","Foo":1,"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})",
       kId, "Syntax errors in policy."},
      {"unknown statement element", STMT(R"({"Effect":"Allow","Actions":"*","Resource":"*"})"), kId,
       "Syntax errors in policy."},
      {"Effect Permit", STMT(R"({"Effect":"Permit","Action":"*","Resource":"*"})"), kId,
       "Invalid effect: Permit"},
      {"Effect lower-case", STMT(R"({"Effect":"allow","Action":"*","Resource":"*"})"), kId,
       "Invalid effect: allow"},
      {"Effect missing", STMT(R"({"Action":"*","Resource":"*"})"), kId, "Missing required field Effect."},
      {"Effect not string", STMT(R"({"Effect":true,"Action":"*","Resource":"*"})"), kId,
       "Syntax errors in policy."},
      {"Action and NotAction", STMT(R"({"Effect":"Allow","Action":"*","NotAction":"s3:*","Resource":"*"})"),
       kId, "Syntax errors in policy."},
      {"Resource and NotResource",
       STMT(R"({"Effect":"Allow","Action":"*","Resource":"*","NotResource":"*"})"), kId,
       "Syntax errors in policy."},
      {"no Action", STMT(R"({"Effect":"Allow","Resource":"*"})"), kId,
       "Policy statement must contain actions."},
      {"Action without vendor", STMT(R"({"Effect":"Allow","Action":"GetChange","Resource":"*"})"), kId,
       "must be prefaced by a vendor"},
      {"Action empty vendor", STMT(R"({"Effect":"Allow","Action":":GetChange","Resource":"*"})"), kId,
       "must be prefaced by a vendor"},
      {"Action empty name", STMT(R"({"Effect":"Allow","Action":"route53:","Resource":"*"})"), kId,
       "must be prefaced by a vendor"},
      {"Action two colons", STMT(R"({"Effect":"Allow","Action":"route53:a:b","Resource":"*"})"), kId,
       "must be prefaced by a vendor"},
      {"Action bad vendor", STMT(R"({"Effect":"Allow","Action":"route 53:GetChange","Resource":"*"})"), kId,
       "Vendor route 53 is not valid"},
      {"Action number", STMT(R"({"Effect":"Allow","Action":5,"Resource":"*"})"), kId,
       "Syntax errors in policy."},
      {"Action empty array", STMT(R"({"Effect":"Allow","Action":[],"Resource":"*"})"), kId,
       "Syntax errors in policy."},
      {"Action null", STMT(R"({"Effect":"Allow","Action":null,"Resource":"*"})"), kId,
       "Syntax errors in policy."},
      {"Resource not ARN", STMT(R"({"Effect":"Allow","Action":"*","Resource":"hostedzone/Z1"})"), kId,
       "Resource hostedzone/Z1 must be in ARN format or \"*\"."},
      {"Resource too few segments", STMT(R"({"Effect":"Allow","Action":"*","Resource":"arn:aws:route53"})"),
       kId, "must be in ARN format"},
      {"Resource empty service", STMT(R"({"Effect":"Allow","Action":"*","Resource":"arn:aws::::x"})"), kId,
       "must be in ARN format"},
      {"Resource number", STMT(R"({"Effect":"Allow","Action":"*","Resource":[1]})"), kId,
       "Syntax errors in policy."},
      {"identity without Resource", STMT(R"({"Effect":"Allow","Action":"*"})"), kId,
       "Policy statement must contain resources."},
      {"identity with Principal", STMT(R"({"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"})"),
       kId, "Policy document should not specify a principal."},
      {"identity with NotPrincipal",
       STMT(R"({"Effect":"Deny","NotPrincipal":{"AWS":"111122223333"},"Action":"*","Resource":"*"})"), kId,
       "Policy document should not specify a principal."},
      {"resource without Principal", STMT(R"({"Effect":"Allow","Action":"sts:AssumeRole"})"), kRes,
       "Missing required field Principal."},
      {"Principal and NotPrincipal",
       STMT(R"({"Effect":"Allow","Principal":"*","NotPrincipal":"*","Action":"*"})"), kRes,
       "Syntax errors in policy."},
      {"Principal bare name", STMT(R"({"Effect":"Allow","Principal":"bob","Action":"*"})"), kRes,
       "Invalid principal in policy"},
      {"Principal AWS bare name", STMT(R"({"Effect":"Allow","Principal":{"AWS":"bob"},"Action":"*"})"), kRes,
       "Invalid principal in policy: \"AWS\":\"bob\""},
      {"Principal wildcard in ARN",
       STMT(R"({"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::*:root"},"Action":"*"})"), kRes,
       "Invalid principal in policy"},
      {"Principal unknown type", STMT(R"({"Effect":"Allow","Principal":{"Foo":"x"},"Action":"*"})"), kRes,
       "Invalid principal in policy: \"Foo\""},
      {"Principal empty object", STMT(R"({"Effect":"Allow","Principal":{},"Action":"*"})"), kRes,
       "Syntax errors in policy."},
      {"Principal service wildcard",
       STMT(R"({"Effect":"Allow","Principal":{"Service":"*.amazonaws.com"},"Action":"*"})"), kRes,
       "Invalid principal in policy"},
      {"Principal S3 ARN",
       STMT(R"({"Effect":"Allow","Principal":{"AWS":"arn:aws:s3:::bucket"},"Action":"*"})"), kRes,
       "Invalid principal in policy"},
      {"Version bad",
       R"({"Version":"2012-10-18","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})", kId,
       "The policy failed legacy parsing"},
      {"Version number", R"({"Version":2012,"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})",
       kId, "The policy failed legacy parsing"},
      {"Id not string", R"({"Id":5,"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})", kId,
       "Syntax errors in policy."},
      {"duplicate Sid",
       STMT(
           R"({"Sid":"A","Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"A","Effect":"Deny","Action":"*","Resource":"*"})"),
       kId, "Statement IDs (SID) in a single policy must be unique."},
      {"Sid with space", STMT(R"({"Sid":"my sid","Effect":"Allow","Action":"*","Resource":"*"})"), kId,
       "Statement IDs (SID) must be alpha-numeric"},
      {"Sid number", STMT(R"({"Sid":1,"Effect":"Allow","Action":"*","Resource":"*"})"), kId,
       "Syntax errors in policy."},
      {"operator typo",
       STMT(
           R"({"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEqualz":{"aws:username":"a"}}})"),
       kId, "Invalid Condition operator: StringEqualz"},
      {"NullIfExists",
       STMT(
           R"({"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NullIfExists":{"aws:username":"true"}}})"),
       kId, "Invalid Condition operator: NullIfExists"},
      {"bad set operator",
       STMT(
           R"({"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ForSomeValues:StringEquals":{"aws:TagKeys":"a"}}})"),
       kId, "Invalid Condition operator: ForSomeValues:StringEquals"},
      {"IfExists twice",
       STMT(
           R"({"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEqualsIfExistsIfExists":{"k:x":"a"}}})"),
       kId, "Invalid Condition operator"},
      {"NumericEquals abc",
       STMT(
           R"({"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NumericEquals":{"s3:max-keys":"abc"}}})"),
       kId, "Invalid Condition value for NumericEquals: abc"},
      {"Numeric inf",
       STMT(
           R"({"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NumericLessThan":{"k:n":"inf"}}})"),
       kId, "Invalid Condition value"},
      {"Date yesterday",
       STMT(
           R"({"Effect":"Allow","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"yesterday"}}})"),
       kId, "Invalid Condition value for DateLessThan"},
      {"Date bad month",
       STMT(
           R"({"Effect":"Allow","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"2024-13-01T00:00:00Z"}}})"),
       kId, "Invalid Condition value"},
      {"Date Feb 30",
       STMT(
           R"({"Effect":"Allow","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"2023-02-29"}}})"),
       kId, "Invalid Condition value"},
      {"IpAddress bad octet",
       STMT(
           R"({"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"300.1.1.1/8"}}})"),
       kId, "Invalid Condition value for IpAddress"},
      {"IpAddress bad prefix",
       STMT(
           R"({"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/33"}}})"),
       kId, "Invalid Condition value"},
      {"IPv6 bad prefix",
       STMT(
           R"({"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"2001:db8::/129"}}})"),
       kId, "Invalid Condition value"},
      {"BinaryEquals not base64",
       STMT(
           R"({"Effect":"Allow","Action":"*","Resource":"*","Condition":{"BinaryEquals":{"k:b":"not base64!"}}})"),
       kId, "Invalid Condition value for BinaryEquals"},
      {"Null maybe",
       STMT(R"({"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Null":{"k:x":"maybe"}}})"), kId,
       "Invalid Condition value for Null: maybe"},
      {"Bool yes",
       STMT(
           R"({"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"yes"}}})"),
       kId, "Invalid Condition value for Bool: yes"},
      {"ArnLike not ARN",
       STMT(
           R"({"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ArnLike":{"aws:SourceArn":"not-an-arn"}}})"),
       kId, "Invalid Condition value for ArnLike"},
      {"condition key without vendor",
       STMT(
           R"({"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"username":"a"}}})"),
       kId, "must be prefaced by a vendor"},
      {"condition values empty",
       STMT(R"({"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"k:x":[]}}})"), kId,
       "Syntax errors in policy."},
      {"condition value object",
       STMT(R"({"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"k:x":{"a":1}}}})"),
       kId, "Syntax errors in policy."},
      {"condition value null",
       STMT(R"({"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"k:x":null}}})"),
       kId, "Syntax errors in policy."},
      {"condition not object", STMT(R"({"Effect":"Allow","Action":"*","Resource":"*","Condition":"x"})"), kId,
       "Syntax errors in policy."},
      {"condition operator block empty",
       STMT(R"({"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{}}})"), kId,
       "Syntax errors in policy."},
      {"condition operator block array",
       STMT(R"({"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":["k:x"]}})"), kId,
       "Syntax errors in policy."},
  };
  return kCases;
}

class ParseRefused : public ::testing::TestWithParam<size_t> {};

TEST_P(ParseRefused, Case) {
  const BadCase& c = badCases()[GetParam()];
  auto p = Policy::parse(c.json, c.kind);
  ASSERT_FALSE(p.ok()) << c.name;
  EXPECT_EQ(p.status().code(), Code::kInvalidArgument);
  EXPECT_NE(p.status().message().find(c.message), std::string::npos)
      << c.name << ": \"" << p.status().message() << "\" lacks \"" << c.message << "\"";
}

INSTANTIATE_TEST_SUITE_P(Authz, ParseRefused, ::testing::Range<size_t>(0, badCases().size()),
                         [](const ::testing::TestParamInfo<size_t>& info) {
                           return caseName(badCases()[info.param].name, info.param);
                         });

TEST(PolicyParse, AcceptsSingleStatementObjectAndStrings) {
  auto p = Policy::parse(
      R"({"Version":"2012-10-17","Id":"x","Statement":{"Sid":"One","Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::b/*"}})",
      kId);
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->version(), Policy::Version::k2012);
  EXPECT_EQ(p->kind(), kId);
  EXPECT_EQ(p->id(), "x");
  ASSERT_EQ(p->statementCount(), 1u);
  EXPECT_EQ(p->statementSid(0), "One");
  EXPECT_FALSE(p->statementAllows(0));
}

TEST(PolicyParse, VersionsAndNoVersion) {
  auto a = Policy::parse(
      R"({"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})", kId);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->version(), Policy::Version::k2008);
  auto b = Policy::parse(R"({"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})", kId);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->version(), Policy::Version::kNone);
}

TEST(PolicyParse, AcceptsResourcePolicyForms) {
  for (
      const char* doc : {
          R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]})",
          R"({"Version":"2012-10-17","Statement":[{"Sid":"Trust for EC2","Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]})",
          R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["111122223333","arn:aws:iam::444455556666:root","arn:aws:iam::444455556666:role/path/R","arn:aws:sts::444455556666:assumed-role/R/s"]},"Action":"*"}]})",
          R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},"Action":"s3:*","Resource":"*"}]})",
          R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"NotAction":"s3:Get*","NotResource":"arn:aws:s3:::b"}]})",
          R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/oidc.example"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"oidc.example:sub":"x","oidc.example:aud":["a",1,true]}}}]})",
      }) {
    auto p = Policy::parse(doc, kRes);
    EXPECT_TRUE(p.ok()) << p.status().message() << "\n" << doc;
  }
}

TEST(PolicyParse, AcceptsEveryOperator) {
  const char* ops[][2] = {
      {"StringEquals", "a"},
      {"StringNotEquals", "a"},
      {"StringEqualsIgnoreCase", "a"},
      {"StringNotEqualsIgnoreCase", "a"},
      {"StringLike", "a*"},
      {"StringNotLike", "a?"},
      {"NumericEquals", "1"},
      {"NumericNotEquals", "-1.5"},
      {"NumericLessThan", "1e3"},
      {"NumericLessThanEquals", "0"},
      {"NumericGreaterThan", "2"},
      {"NumericGreaterThanEquals", "2"},
      {"DateEquals", "2024-01-01T00:00:00Z"},
      {"DateNotEquals", "1700000000"},
      {"DateLessThan", "2024-01-01T00:00:00.123+02:00"},
      {"DateLessThanEquals", "2024-01-01"},
      {"DateGreaterThan", "2024-02-29T23:59:59Z"},
      {"DateGreaterThanEquals", "2024-01-01T00:00Z"},
      {"Bool", "true"},
      {"BinaryEquals", "YWJj"},
      {"IpAddress", "10.0.0.0/8"},
      {"NotIpAddress", "::1"},
      {"ArnEquals", "arn:aws:s3:::b"},
      {"ArnLike", "arn:aws:s3:::b*"},
      {"ArnNotEquals", "*"},
      {"ArnNotLike", "arn:*:*:*:*:*"},
      {"Null", "false"},
  };
  for (const auto& op : ops) {
    for (const char* prefix : {"", "ForAnyValue:", "ForAllValues:"}) {
      for (const char* suffix : {"", "IfExists"}) {
        if (std::string(op[0]) == "Null" && *suffix) continue;
        const std::string doc =
            std::string(
                R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{")") +
            prefix + op[0] + suffix + R"(":{"k:x":")" + op[1] + R"("}}}]})";
        auto p = Policy::parse(doc, kId);
        EXPECT_TRUE(p.ok()) << p.status().message() << "\n" << doc;
      }
    }
  }
}

TEST(PolicyParse, CopiesShareAndSurviveTheOriginal) {
  std::shared_ptr<const Policy> copy;
  {
    auto p = Policy::parse(
        R"({"Version":"2012-10-17","Statement":[{"Sid":"S","Effect":"Allow","Action":"*","Resource":"*"}]})",
        kId);
    ASSERT_TRUE(p.ok());
    copy = std::make_shared<const Policy>(*p);
  }
  EXPECT_EQ(copy->statementSid(0), "S");
}

// ---- primitives

TEST(AuthzMatch, Glob) {
  auto g = [](const char* pattern) { return detail::Pattern::compile(pattern, false, true).glob(); };
  EXPECT_TRUE(g("*").matches(""));
  EXPECT_TRUE(g("").matches(""));
  EXPECT_FALSE(g("").matches("a"));
  EXPECT_TRUE(g("a*").matches("a"));
  EXPECT_TRUE(g("*a").matches("ba"));
  EXPECT_FALSE(g("*a").matches("ab"));
  EXPECT_TRUE(g("a*b*c").matches("abc"));
  EXPECT_TRUE(g("a*b*c").matches("aXbYbZc"));
  EXPECT_FALSE(g("a*b*c").matches("aXbYbZ"));
  EXPECT_TRUE(g("?").matches("x"));
  EXPECT_FALSE(g("?").matches(""));
  EXPECT_TRUE(g("*?*").matches("x"));
  EXPECT_TRUE(g("a**b").matches("ab"));
  EXPECT_TRUE(g("*ab?d*").matches("xxabcdyy"));
  EXPECT_FALSE(g("*ab?d*").matches("xxabdyy"));
  EXPECT_TRUE(g("ab*ab").matches("abab"));
  EXPECT_FALSE(g("ab*ab").matches("aba"));
}

TEST(AuthzMatch, Dates) {
  int64_t t = 0;
  ASSERT_TRUE(detail::parseDate("1970-01-01T00:00:00Z", &t));
  EXPECT_EQ(t, 0);
  ASSERT_TRUE(detail::parseDate("2023-11-14T22:13:20Z", &t));
  EXPECT_EQ(t, 1700000000LL * 1000000);
  ASSERT_TRUE(detail::parseDate("2023-11-15T00:13:20+02:00", &t));
  EXPECT_EQ(t, 1700000000LL * 1000000);
  ASSERT_TRUE(detail::parseDate("1700000000", &t));
  EXPECT_EQ(t, 1700000000LL * 1000000);
  ASSERT_TRUE(detail::parseDate("2024-02-29", &t));
  EXPECT_FALSE(detail::parseDate("2024-02-30", &t));
  EXPECT_FALSE(detail::parseDate("2024-01-01T25:00:00Z", &t));
  EXPECT_FALSE(detail::parseDate("2024-01-01T00:00:00Q", &t));
  EXPECT_FALSE(detail::parseDate("", &t));
}

TEST(AuthzMatch, IpAndBase64) {
  detail::IpNet net, ip;
  ASSERT_TRUE(detail::parseIpNet("10.1.0.0/16", &net));
  ASSERT_TRUE(detail::parseIpNet("10.1.255.1", &ip));
  EXPECT_TRUE(detail::ipInNet(ip, net));
  ASSERT_TRUE(detail::parseIpNet("10.2.0.1", &ip));
  EXPECT_FALSE(detail::ipInNet(ip, net));
  ASSERT_TRUE(detail::parseIpNet("::/0", &net));
  ASSERT_TRUE(detail::parseIpNet("fe80::1", &ip));
  EXPECT_TRUE(detail::ipInNet(ip, net));
  EXPECT_FALSE(detail::parseIpNet("10.0.0.1/", &net));
  EXPECT_FALSE(detail::parseIpNet("/8", &net));
  std::string out;
  ASSERT_TRUE(detail::base64Decode("YWJjZA==", &out));
  EXPECT_EQ(out, "abcd");
  ASSERT_TRUE(detail::base64Decode("", &out));
  EXPECT_EQ(out, "");
  EXPECT_FALSE(detail::base64Decode("YW=j", &out));
  EXPECT_FALSE(detail::base64Decode("YWJ", &out));
}

TEST(AuthzEvaluate, MatchedStatementsAndPhrases) {
  auto p = mustParse(R"({"Version":"2012-10-17","Statement":[
      {"Sid":"A","Effect":"Allow","Action":"route53:*","Resource":"*"},
      {"Sid":"B","Effect":"Allow","Action":"s3:*","Resource":"*"},
      {"Sid":"C","Effect":"Deny","Action":"route53:Delete*","Resource":"*"}]})",
                     kId);
  PolicySet ps;
  ps.identity.push_back({"user/alice/inline/p1", p});
  ps.identity.push_back({"null", nullptr});
  RequestContext req;
  req.principal = principalOf(Who::kAlice);
  req.resource = "arn:aws:route53:::hostedzone/Z1";
  req.action = "route53:DeleteHostedZone";
  Evaluation ev = evaluate(req, ps);
  EXPECT_EQ(ev.decision, Decision::kExplicitDeny);
  ASSERT_EQ(ev.matched.size(), 2u);
  EXPECT_EQ(ev.matched[0].source_id, "user/alice/inline/p1");
  EXPECT_EQ(ev.matched[0].statement_index, 0u);
  EXPECT_EQ(ev.matched[0].sid, "A");
  EXPECT_EQ(ev.matched[0].effect, Decision::kAllow);
  EXPECT_EQ(ev.matched[1].sid, "C");
  EXPECT_EQ(ev.matched[1].effect, Decision::kExplicitDeny);
  EXPECT_EQ(denyReasonPhrase(ev.reason, req.action), "with an explicit deny in an identity-based policy");
  EXPECT_EQ(denyReasonPhrase(DenyReason::kNoIdentityAllow, "route53:GetChange"),
            "because no identity-based policy allows the route53:GetChange action");
  EXPECT_EQ(denyReasonPhrase(DenyReason::kNoBoundaryAllow, "x:y"),
            "because no permissions boundary allows the x:y action");
  EXPECT_EQ(denyReasonPhrase(DenyReason::kNoSessionAllow, "x:y"),
            "because no session policy allows the x:y action");
  EXPECT_EQ(denyReasonPhrase(DenyReason::kExplicitDenyResource, "x:y"),
            "with an explicit deny in a resource-based policy");
  EXPECT_EQ(denyReasonPhrase(DenyReason::kNone, "x:y"), "");
}

TEST(AuthzEvaluate, RequireResourceAllowFlag) {
  PolicySet ps;
  ps.identity.push_back(
      {"p",
       mustParse(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})",
                 kId)});
  ps.require_resource_allow = true;
  RequestContext req;
  req.principal = principalOf(Who::kAlice);
  req.action = "iam:PassRole";
  req.resource = "arn:aws:iam::111122223333:role/R";
  EXPECT_EQ(evaluate(req, ps).reason, DenyReason::kNoResourceAllow);
  ps.require_resource_allow = false;
  EXPECT_EQ(evaluate(req, ps).decision, Decision::kAllow);
}

TEST(AuthzContext, KeysAreCaseInsensitive) {
  RequestContext c;
  c.set("AWS:UserName", "alice");
  c.set("aws:TagKeys", {"a", "b"});
  ASSERT_NE(c.get("aws:username"), nullptr);
  EXPECT_EQ(c.get("AWS:USERNAME")->front(), "alice");
  c.set("aws:username", "bob");
  EXPECT_EQ(c.get("aws:UserName")->front(), "bob");
  EXPECT_EQ(c.entries().size(), 2u);
  EXPECT_EQ(c.get("aws:tagkeys")->size(), 2u);
  c.erase("AWS:TAGKEYS");
  EXPECT_EQ(c.get("aws:tagkeys"), nullptr);
  EXPECT_EQ(c.get("nope"), nullptr);
}

}  // namespace
}  // namespace zk::authz::testing
