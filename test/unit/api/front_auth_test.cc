// ApiFront's identity path: temporary keys resolved with their token (ExpiredToken after expiry),
// unsigned anonymous operations routed by Action, and the Authorizer consulted before the service.
#include <gtest/gtest.h>

#include "api/front.h"
#include "aws/sigv4.h"

namespace zk::api {
namespace {

using nlohmann::json;

class Recorder final : public Authorizer {
 public:
  std::optional<aws::AwsError> authorize(const CallContext& ctx, const AccessRequest& r,
                                         std::string_view) override {
    seen.push_back(r.action + " " + r.resource + " by " + ctx.principal_arn);
    if (r.action == deny) return aws::makeAwsError(403, "AccessDenied", "User: x is not authorized");
    return std::nullopt;
  }
  std::vector<std::string> seen;
  std::string deny;
};

class FrontAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto model = aws::ServiceModel::loadEmbedded("sts");
    ASSERT_TRUE(model.ok());
    long_term_.access_key_id = "AKIAEXAMPLEEXAMPLE00";
    long_term_.secret_access_key = "long-term-secret";
    long_term_.account_id = "111122223333";
    long_term_.principal_arn = "arn:aws:iam::111122223333:user/alice";
    front_ = std::make_unique<ApiFront>(
        ApiOptions{},
        [this](std::string_view id) -> Result<aws::Credential> {
          if (id == long_term_.access_key_id) return long_term_;
          return notFound("no such key");
        },
        clock_);
    front_->setSessionLookup(
        [this](std::string_view id, std::string_view token) -> Result<TemporaryCredential> {
          if (id != "ASIAEXAMPLEEXAMPLE00" || token != "the-token") return notFound("bad token");
          if (clock_.now() >= expiry_) return outOfRange("expired");
          TemporaryCredential t;
          t.credential.access_key_id = std::string(id);
          t.credential.secret_access_key = "temp-secret";
          t.credential.session_token = "the-token";
          t.credential.account_id = "111122223333";
          t.credential.principal_arn = "arn:aws:sts::111122223333:assumed-role/r/s";
          t.session = std::make_shared<SessionClaims>();
          return t;
        });
    front_->setAuthorizer(&authz_);
    front_->setKeyUseRecorder([this](std::string_view id, std::string_view service, std::string_view region) {
      uses.push_back(std::string(id) + " " + std::string(service) + " " + std::string(region));
    });
    ApiService s{"sts", *model, "",
                 [this](const std::string& op, const json&, const CallContext& ctx) -> ServiceResult {
                   calls.push_back(op + (ctx.anonymous ? " anonymous" : " by " + ctx.principal_arn) +
                                   (ctx.session ? " (session)" : ""));
                   if (op != "GetCallerIdentity") return json::object();
                   return json{{"UserId", "u"}, {"Account", ctx.account_id}, {"Arn", ctx.principal_arn}};
                 }};
    s.access = [](const std::string& op, const json&, const CallContext&) {
      return std::vector<AccessRequest>{{"sts:" + op, "*", {}, "", "", ""}};
    };
    s.anonymous_operations = {"AssumeRoleWithWebIdentity"};
    front_->addService(std::move(s));
    expiry_ = clock_.now() + std::chrono::seconds(900);
  }

  http::Request call(const std::string& action, const aws::Credential* cred, const std::string& params = "") {
    http::Request r;
    r.method = "POST";
    r.target = "/";
    r.body = "Action=" + action + "&Version=2011-06-15" + params;
    r.headers = {{"Host", "sts.amazonaws.com"},
                 {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
    r.remote_address = "127.0.0.1";
    if (cred != nullptr) {
      aws::SignOptions so;
      so.region = "us-east-1";
      so.service = "sts";
      so.time = clock_.now();
      std::string path = r.path(), query = r.query();
      aws::SignedRequest sr{r.method, path, query, r.headers, r.body};
      auto h = aws::sign(sr, *cred, so);
      EXPECT_TRUE(h.ok());
      for (auto& kv : h->headers) r.headers.push_back(kv);
    }
    return r;
  }
  static bool has(const http::Response& r, const std::string& text) {
    return r.body.find(text) != std::string::npos;
  }

  FakeClock clock_;
  aws::Credential long_term_;
  std::chrono::system_clock::time_point expiry_;
  Recorder authz_;
  std::vector<std::string> calls;
  std::vector<std::string> uses;  // what the key-use recorder was told
  std::unique_ptr<ApiFront> front_;
};

TEST_F(FrontAuthTest, LongTermKeyIsAuthorisedBeforeTheService) {
  auto r = front_->process(call("GetCallerIdentity", &long_term_));
  EXPECT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(authz_.seen.size(), 1u);
  EXPECT_EQ(authz_.seen[0], "sts:GetCallerIdentity * by arn:aws:iam::111122223333:user/alice");
  ASSERT_EQ(calls.size(), 1u);
  // GetAccessKeyLastUsed learns the service and region of the key's use.
  EXPECT_EQ(uses, std::vector<std::string>{"AKIAEXAMPLEEXAMPLE00 sts us-east-1"});

  authz_.deny = "sts:GetSessionToken";
  auto denied = front_->process(call("GetSessionToken", &long_term_));
  EXPECT_EQ(denied.status, 403);
  EXPECT_TRUE(has(denied, "<Code>AccessDenied</Code>")) << denied.body;
  EXPECT_EQ(calls.size(), 1u);  // a denied request never reaches the service
}

TEST_F(FrontAuthTest, TemporaryKeysNeedTheirTokenAndExpire) {
  aws::Credential temp;
  temp.access_key_id = "ASIAEXAMPLEEXAMPLE00";
  temp.secret_access_key = "temp-secret";
  temp.session_token = "the-token";
  auto ok = front_->process(call("GetCallerIdentity", &temp));
  EXPECT_EQ(ok.status, 200) << ok.body;
  ASSERT_FALSE(calls.empty());
  EXPECT_EQ(calls.back(), "GetCallerIdentity by arn:aws:sts::111122223333:assumed-role/r/s (session)");
  EXPECT_TRUE(uses.empty());  // temporary keys have no last-used record

  aws::Credential wrong = temp;
  wrong.session_token = "another-token";
  auto bad = front_->process(call("GetCallerIdentity", &wrong));
  EXPECT_EQ(bad.status, 403);
  EXPECT_TRUE(has(bad, "InvalidClientTokenId")) << bad.body;

  clock_.advance(std::chrono::seconds(900));
  auto expired = front_->process(call("GetCallerIdentity", &temp));
  EXPECT_EQ(expired.status, 403);
  EXPECT_TRUE(has(expired, "<Code>ExpiredToken</Code>")) << expired.body;
  EXPECT_TRUE(has(expired, "The security token included in the request is expired")) << expired.body;
}

TEST_F(FrontAuthTest, OnlyDeclaredOperationsMayArriveUnsigned) {
  auto anon = front_->process(call("AssumeRoleWithWebIdentity", nullptr,
                                   "&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fr"
                                   "&RoleSessionName=s1&WebIdentityToken=eyJ.eyJ.sig"));
  EXPECT_EQ(anon.status, 200) << anon.body;
  ASSERT_FALSE(calls.empty());
  EXPECT_EQ(calls.back(), "AssumeRoleWithWebIdentity anonymous");
  EXPECT_TRUE(authz_.seen.empty());  // the service authorises anonymous calls itself (trust policy)

  const size_t before = calls.size();
  auto unsigned_call = front_->process(call("GetCallerIdentity", nullptr));
  EXPECT_GE(unsigned_call.status, 400);
  EXPECT_EQ(calls.size(), before);
}

}  // namespace
}  // namespace zk::api
