// StsService and PolicyAuthorizer together over a real IAM store: trust policies, identity policies,
// durations, chaining, session policies, expiry (FakeClock), AWS's errors.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "services/iam/authorizer.h"
#include "services/iam/directory.h"
#include "services/sts/service.h"
#include "storage/sqlite/iam_store.h"
#include "storage/sqlite/sqlite_store.h"

namespace zk::sts {
namespace {

using nlohmann::json;
constexpr const char* kAcct = "111122223333";
constexpr const char* kOther = "444455556666";

std::string arn(const std::string& acct, const std::string& rest) {
  return "arn:aws:iam::" + acct + ":" + rest;
}

class StsServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "zk-sts-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    storage::SqliteOptions o;
    o.data_dir = dir_;
    auto s = storage::SqliteStore::open(o);
    ASSERT_TRUE(s.ok()) << s.status().toString();
    db_ = std::move(*s);
    store_ = std::make_unique<storage::IamSqliteStore>(*db_);
    ASSERT_TRUE(store_->createAccount({kAcct, "a", clock_.now()}).isOk());
    ASSERT_TRUE(store_->createAccount({kOther, "b", clock_.now()}).isOk());
    directory_ = std::make_unique<iam::Directory>(*store_, clock_, std::chrono::milliseconds(0));
    authorizer_ = std::make_unique<iam::PolicyAuthorizer>(*directory_, clock_);
    sealer_ = std::make_unique<SessionSealer>(*crypto::SecretBox::create(std::string(32, 's')),
                                              crypto::systemRandomSource());
    jwks_ = std::make_unique<jose::JwksCache>(
        [](const std::string&) -> Result<std::string> { return unavailable("no network in this test"); },
        clock_);
    web_ = std::make_unique<WebIdentityVerifier>(*jwks_, clock_);
    sts_ = std::make_unique<StsService>(*directory_, *authorizer_, *sealer_, *web_, clock_);
  }
  void TearDown() override {
    sts_.reset();
    store_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  void user(const std::string& acct, const std::string& name, const std::string& policy = "") {
    iam::User u;
    u.account_id = acct;
    u.name = name;
    u.id = "AIDA" + std::string(17, 'A' + static_cast<char>(users_++));
    u.arn = arn(acct, "user/" + name);
    u.created_at = clock_.now();
    ASSERT_TRUE(store_->createUser(u).isOk());
    if (!policy.empty()) {
      ASSERT_TRUE(store_->putInlinePolicy({acct, iam::PrincipalKind::kUser, name, "p", policy}).isOk());
    }
  }
  void role(const std::string& acct, const std::string& name, const json& trust,
            const std::string& policy = "", int64_t max_duration = 3600) {
    iam::Role r;
    r.account_id = acct;
    r.name = name;
    r.id = "AROA" + std::string(17, 'A' + static_cast<char>(roles_++));
    r.arn = arn(acct, "role/" + name);
    r.trust_policy = trust.dump();
    r.max_session_duration = max_duration;
    r.created_at = clock_.now();
    ASSERT_TRUE(store_->createRole(r).isOk());
    if (!policy.empty()) {
      ASSERT_TRUE(store_->putInlinePolicy({acct, iam::PrincipalKind::kRole, name, "p", policy}).isOk());
    }
  }
  api::CallContext as(const std::string& acct, const std::string& user_name) {
    api::CallContext c;
    c.account_id = acct;
    c.principal_arn = arn(acct, "user/" + user_name);
    c.user_id = "AIDAX";
    c.request_id = "r";
    c.now = clock_.now();
    return c;
  }
  // The context of a call made with credentials AssumeRole returned.
  api::CallContext session(const json& out) {
    const json& c = out["Credentials"];
    auto t = sealer_->open(c["AccessKeyId"].get<std::string>(), c["SessionToken"].get<std::string>(),
                           clock_.now());
    EXPECT_TRUE(t.ok()) << t.status().toString();
    api::CallContext ctx;
    if (!t.ok()) return ctx;
    ctx.account_id = t->credential.account_id;
    ctx.principal_arn = t->credential.principal_arn;
    ctx.user_id = t->credential.user_id;
    ctx.session = t->session;
    ctx.now = clock_.now();
    return ctx;
  }
  api::ServiceResult assume(const api::CallContext& ctx, const std::string& role_arn,
                            json extra = json::object()) {
    json in = {{"RoleArn", role_arn}, {"RoleSessionName", "sess"}};
    in.update(extra);
    return sts_->invoke("AssumeRole", in, ctx);
  }
  static json allow(const std::string& action, const std::string& resource = "*") {
    return {{"Version", "2012-10-17"},
            {"Statement", {{{"Effect", "Allow"}, {"Action", action}, {"Resource", resource}}}}};
  }
  static json trust(const json& principal, const std::string& action = "sts:AssumeRole") {
    return {{"Version", "2012-10-17"},
            {"Statement", {{{"Effect", "Allow"}, {"Principal", principal}, {"Action", action}}}}};
  }

  FakeClock clock_;
  std::string dir_;
  int users_ = 0, roles_ = 0;
  std::unique_ptr<storage::SqliteStore> db_;
  std::unique_ptr<storage::IamSqliteStore> store_;
  std::unique_ptr<iam::Directory> directory_;
  std::unique_ptr<iam::PolicyAuthorizer> authorizer_;
  std::unique_ptr<SessionSealer> sealer_;
  std::unique_ptr<jose::JwksCache> jwks_;
  std::unique_ptr<WebIdentityVerifier> web_;
  std::unique_ptr<StsService> sts_;
};

TEST_F(StsServiceTest, CallerIdentityIsAlwaysAnswered) {
  user(kAcct, "nobody");
  auto r = sts_->invoke("GetCallerIdentity", json::object(), as(kAcct, "nobody"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.output()["Arn"], arn(kAcct, "user/nobody"));
  EXPECT_EQ(r.output()["Account"], kAcct);
}

TEST_F(StsServiceTest, TrustOfTheAccountNeedsAnIdentityPolicy) {
  role(kAcct, "r", trust({{"AWS", arn(kAcct, "root")}}));
  user(kAcct, "without");
  user(kAcct, "with", allow("sts:AssumeRole", arn(kAcct, "role/r")).dump());
  auto denied = assume(as(kAcct, "without"), arn(kAcct, "role/r"));
  ASSERT_TRUE(denied.isError());
  EXPECT_EQ(denied.error().code, "AccessDenied");
  EXPECT_EQ(denied.error().http_status, 403);
  EXPECT_NE(denied.error().message.find(
                "User: " + arn(kAcct, "user/without") +
                " is not authorized to perform: sts:AssumeRole on resource: " + arn(kAcct, "role/r")),
            std::string::npos)
      << denied.error().message;
  auto ok = assume(as(kAcct, "with"), arn(kAcct, "role/r"));
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok.output()["AssumedRoleUser"]["Arn"],
            "arn:aws:sts::" + std::string(kAcct) + ":assumed-role/r/sess");
}

TEST_F(StsServiceTest, TrustNamingTheUserIsEnoughInTheSameAccount) {
  user(kAcct, "named");
  role(kAcct, "r", trust({{"AWS", arn(kAcct, "user/named")}}));
  EXPECT_TRUE(assume(as(kAcct, "named"), arn(kAcct, "role/r")).ok());
  user(kAcct, "other", allow("sts:AssumeRole").dump());
  EXPECT_TRUE(assume(as(kAcct, "other"), arn(kAcct, "role/r")).isError());  // trust does not name it
}

TEST_F(StsServiceTest, CrossAccountNeedsBothSidesAndAMissingRoleLooksDenied) {
  role(kOther, "x", trust({{"AWS", arn(kAcct, "user/u")}}));
  user(kAcct, "u");
  EXPECT_TRUE(assume(as(kAcct, "u"), arn(kOther, "role/x")).isError());  // no identity policy
  ASSERT_TRUE(
      store_->putInlinePolicy({kAcct, iam::PrincipalKind::kUser, "u", "p", allow("sts:AssumeRole").dump()})
          .isOk());
  auto ok = assume(as(kAcct, "u"), arn(kOther, "role/x"));
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(session(ok.output()).account_id, kOther);
  auto missing = assume(as(kAcct, "u"), arn(kOther, "role/nope"));
  ASSERT_TRUE(missing.isError());
  EXPECT_EQ(missing.error().code, "AccessDenied");
}

TEST_F(StsServiceTest, DurationsAndChaining) {
  role(kAcct, "r", trust({{"AWS", arn(kAcct, "root")}}), allow("sts:AssumeRole").dump(), 7200);
  user(kAcct, "u", allow("sts:AssumeRole").dump());
  auto too_long = assume(as(kAcct, "u"), arn(kAcct, "role/r"), {{"DurationSeconds", 7201}});
  ASSERT_TRUE(too_long.isError());
  EXPECT_EQ(too_long.error().code, "ValidationError");
  auto first = assume(as(kAcct, "u"), arn(kAcct, "role/r"), {{"DurationSeconds", 7200}});
  ASSERT_TRUE(first.ok()) << first.error().message;
  api::CallContext s = session(first.output());
  auto chained_long = assume(s, arn(kAcct, "role/r"), {{"DurationSeconds", 3601}});
  ASSERT_TRUE(chained_long.isError());
  EXPECT_NE(chained_long.error().message.find("role chaining"), std::string::npos);
  auto chained = assume(s, arn(kAcct, "role/r"), {{"DurationSeconds", 3600}});
  ASSERT_TRUE(chained.ok()) << chained.error().message;
  EXPECT_TRUE(session(chained.output()).session->chained);
  auto bad_name = assume(as(kAcct, "u"), arn(kAcct, "role/r"), {{"RoleSessionName", "has space"}});
  ASSERT_TRUE(bad_name.isError());
  EXPECT_EQ(bad_name.error().code, "ValidationError");
}

TEST_F(StsServiceTest, SessionCredentialsExpire) {
  role(kAcct, "r", trust({{"AWS", arn(kAcct, "root")}}));
  user(kAcct, "u", allow("sts:AssumeRole").dump());
  auto out = assume(as(kAcct, "u"), arn(kAcct, "role/r"), {{"DurationSeconds", 900}});
  ASSERT_TRUE(out.ok());
  const json& c = out.output()["Credentials"];
  clock_.advance(std::chrono::seconds(899));
  EXPECT_TRUE(
      sealer_->open(c["AccessKeyId"].get<std::string>(), c["SessionToken"].get<std::string>(), clock_.now())
          .ok());
  clock_.advance(std::chrono::seconds(1));
  EXPECT_EQ(
      sealer_->open(c["AccessKeyId"].get<std::string>(), c["SessionToken"].get<std::string>(), clock_.now())
          .status()
          .code(),
      Code::kOutOfRange);
}

TEST_F(StsServiceTest, SessionPoliciesNarrowTheRole) {
  role(kAcct, "r", trust({{"AWS", arn(kAcct, "root")}}), allow("route53:*").dump());
  user(kAcct, "u", allow("sts:AssumeRole").dump());
  auto out =
      assume(as(kAcct, "u"), arn(kAcct, "role/r"), {{"Policy", allow("route53:ListHostedZones").dump()}});
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_TRUE(out.output().contains("PackedPolicySize"));
  api::CallContext s = session(out.output());
  api::AccessRequest list{"route53:ListHostedZones", "*", {}, "", "", ""};
  api::AccessRequest create{"route53:CreateHostedZone", "*", {}, "", "", ""};
  EXPECT_FALSE(authorizer_->authorize(s, list).has_value());
  auto denied = authorizer_->authorize(s, create);
  ASSERT_TRUE(denied.has_value());
  EXPECT_NE(denied->message.find("session policy"), std::string::npos) << denied->message;
  // Without a session policy the role's own policy decides.
  auto plain = assume(as(kAcct, "u"), arn(kAcct, "role/r"));
  EXPECT_FALSE(authorizer_->authorize(session(plain.output()), create).has_value());
  // A malformed or oversized session policy is refused.
  auto bad = assume(as(kAcct, "u"), arn(kAcct, "role/r"), {{"Policy", "{\"Version\":\"2012-10-17\"}"}});
  ASSERT_TRUE(bad.isError());
  EXPECT_EQ(bad.error().code, "MalformedPolicyDocument");
  json arns = json::array();
  for (int i = 0; i < 11; ++i)
    arns.push_back({{"arn", "arn:aws:iam::aws:policy/AmazonRoute53ReadOnlyAccess"}});
  auto big = assume(as(kAcct, "u"), arn(kAcct, "role/r"), {{"PolicyArns", arns}});
  ASSERT_TRUE(big.isError());
  EXPECT_EQ(big.error().code, "PackedPolicyTooLarge");
}

TEST_F(StsServiceTest, ExternalIdConditionAndServiceTrust) {
  json t = {{"Version", "2012-10-17"},
            {"Statement",
             {{{"Effect", "Allow"},
               {"Principal", {{"AWS", arn(kAcct, "root")}}},
               {"Action", "sts:AssumeRole"},
               {"Condition", {{"StringEquals", {{"sts:ExternalId", "s3cr3t"}}}}}}}}};
  role(kAcct, "r", t);
  user(kAcct, "u", allow("sts:AssumeRole").dump());
  EXPECT_TRUE(assume(as(kAcct, "u"), arn(kAcct, "role/r")).isError());
  EXPECT_TRUE(assume(as(kAcct, "u"), arn(kAcct, "role/r"), {{"ExternalId", "wrong!"}}).isError());
  EXPECT_TRUE(assume(as(kAcct, "u"), arn(kAcct, "role/r"), {{"ExternalId", "s3cr3t"}}).ok());

  role(kAcct, "ec2", trust({{"Service", "ec2.amazonaws.com"}}));
  auto creds = sts_->credentialsForService(arn(kAcct, "role/ec2"), "ec2.amazonaws.com", std::chrono::hours(6),
                                           "i-0c0ffee00000000a1");
  ASSERT_TRUE(creds.ok()) << creds.status().toString();
  EXPECT_EQ(creds->expiration, clock_.now() + std::chrono::hours(1));  // capped by MaxSessionDuration
  auto opened = sealer_->open(creds->access_key_id, creds->session_token, clock_.now());
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(opened->credential.principal_arn,
            "arn:aws:sts::" + std::string(kAcct) +
                ":assumed-role/ec2/i-0c0ffee00000000a1");  // named after the instance
  EXPECT_FALSE(
      sts_->credentialsForService(arn(kAcct, "role/r"), "ec2.amazonaws.com", std::chrono::hours(1), "i-1")
          .ok());
}

TEST_F(StsServiceTest, GetSessionTokenAndAccessKeyInfo) {
  user(kAcct, "u");
  auto out = sts_->invoke("GetSessionToken", {{"DurationSeconds", 900}}, as(kAcct, "u"));
  ASSERT_TRUE(out.ok());
  api::CallContext s = session(out.output());
  EXPECT_EQ(s.principal_arn, arn(kAcct, "user/u"));  // the user's own identity
  auto again = sts_->invoke("GetSessionToken", json::object(), s);
  ASSERT_TRUE(again.isError());
  EXPECT_EQ(again.error().code, "AccessDenied");
  auto info = sts_->invoke("GetAccessKeyInfo", {{"AccessKeyId", out.output()["Credentials"]["AccessKeyId"]}},
                           as(kAcct, "u"));
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info.output()["Account"], kAcct);
}

TEST_F(StsServiceTest, WebIdentityRefusesUnregisteredIssuersWithoutFetching) {
  role(kAcct, "irsa",
       trust({{"Federated", arn(kAcct, "oidc-provider/oidc.test")}}, "sts:AssumeRoleWithWebIdentity"));
  api::CallContext anon;
  anon.anonymous = true;
  // A well-formed but unsigned-by-anyone-known token: header {"alg":"RS256","kid":"k"}, iss https://evil.test
  const std::string token =
      "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsifQ."
      "eyJpc3MiOiJodHRwczovL2V2aWwudGVzdCIsInN1YiI6InMiLCJhdWQiOiJhIiwiZXhwIjo0MTAyNDQ0ODAwfQ.c2ln";
  auto r = sts_->invoke(
      "AssumeRoleWithWebIdentity",
      {{"RoleArn", arn(kAcct, "role/irsa")}, {"RoleSessionName", "s1"}, {"WebIdentityToken", token}}, anon);
  ASSERT_TRUE(r.isError());
  EXPECT_EQ(r.error().code, "InvalidIdentityToken");
  auto junk = sts_->invoke(
      "AssumeRoleWithWebIdentity",
      {{"RoleArn", arn(kAcct, "role/irsa")}, {"RoleSessionName", "s1"}, {"WebIdentityToken", "x.y"}}, anon);
  ASSERT_TRUE(junk.isError());
  EXPECT_EQ(junk.error().code, "InvalidIdentityToken");
}

}  // namespace
}  // namespace zk::sts
