// ImdsService: IMDSv2 token rules, credential document, rotation before expiry, IMDSv1 switch.
#include "services/imds/service.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace zk::imds {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

class ImdsTest : public ::testing::Test {
 protected:
  ImdsService make(bool v1 = false, size_t max_tokens = 10000) {
    ImdsConfig c;
    c.role_arn = "arn:aws:iam::111122223333:role/web";
    c.allow_v1 = v1;
    c.max_tokens = max_tokens;
    return ImdsService(
        c,
        [this]() -> Result<RoleCredentials> {
          ++issued_;
          return RoleCredentials{"ASIA" + std::to_string(issued_), "secret", "token",
                                 clock_.now() + std::chrono::hours(1)};
        },
        clock_, crypto::systemRandomSource());
  }
  static http::Request req(std::string method, std::string target, http::HeaderList headers = {}) {
    http::Request r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.headers = std::move(headers);
    r.remote_address = "127.0.0.1";
    return r;
  }
  std::string token(ImdsService& s, const std::string& ttl = "60") {
    auto r = s.handle(req("PUT", "/latest/api/token", {{"X-aws-ec2-metadata-token-ttl-seconds", ttl}}));
    EXPECT_EQ(r.status, 200);
    return r.body;
  }
  FakeClock clock_;
  int issued_ = 0;
};

TEST_F(ImdsTest, TokenTtlMustBeOneTo21600) {
  auto s = make();
  for (const char* bad : {"0", "21601", "-1", "abc", "", "99999999999999"}) {
    auto r = s.handle(req("PUT", "/latest/api/token", {{"X-aws-ec2-metadata-token-ttl-seconds", bad}}));
    EXPECT_EQ(r.status, 400) << bad;
  }
  EXPECT_EQ(s.handle(req("PUT", "/latest/api/token")).status, 400);
  for (const char* good : {"1", "21600"}) {
    auto r = s.handle(req("PUT", "/latest/api/token", {{"X-aws-ec2-metadata-token-ttl-seconds", good}}));
    EXPECT_EQ(r.status, 200) << good;
    EXPECT_EQ(r.body.size(), 64u);
  }
}

TEST_F(ImdsTest, ForwardedPutIsRefused) {
  auto s = make();
  auto r = s.handle(req("PUT", "/latest/api/token",
                        {{"X-aws-ec2-metadata-token-ttl-seconds", "60"}, {"X-Forwarded-For", "10.0.0.1"}}));
  EXPECT_EQ(r.status, 403);
}

TEST_F(ImdsTest, GetsNeedAValidUnexpiredToken) {
  auto s = make();
  const std::string path = "/latest/meta-data/iam/security-credentials/";
  EXPECT_EQ(s.handle(req("GET", path)).status, 401);
  EXPECT_EQ(s.handle(req("GET", path, {{"X-aws-ec2-metadata-token", "bogus"}})).status, 401);
  std::string t = token(s, "10");
  auto r = s.handle(req("GET", path, {{"X-aws-ec2-metadata-token", t}}));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "web");
  clock_.advance(seconds(10));
  EXPECT_EQ(s.handle(req("GET", path, {{"X-aws-ec2-metadata-token", t}})).status, 401);
}

TEST_F(ImdsTest, V1OnlyWhenAllowed) {
  auto s = make(/*v1=*/true);
  EXPECT_EQ(s.handle(req("GET", "/latest/meta-data/placement/region")).status, 200);
  // A wrong token is still refused.
  EXPECT_EQ(
      s.handle(req("GET", "/latest/meta-data/placement/region", {{"X-aws-ec2-metadata-token", "x"}})).status,
      401);
}

TEST_F(ImdsTest, CredentialDocumentAndRotation) {
  auto s = make();
  std::string t = token(s, "21600");
  auto get = [&] {
    auto r = s.handle(
        req("GET", "/latest/meta-data/iam/security-credentials/web", {{"X-aws-ec2-metadata-token", t}}));
    EXPECT_EQ(r.status, 200);
    return nlohmann::json::parse(r.body);
  };
  auto j = get();
  EXPECT_EQ(j["Code"], "Success");
  EXPECT_EQ(j["Type"], "AWS-HMAC");
  EXPECT_EQ(j["AccessKeyId"], "ASIA1");
  EXPECT_EQ(j["SecretAccessKey"], "secret");
  EXPECT_EQ(j["Token"], "token");
  EXPECT_TRUE(j.contains("Expiration") && j.contains("LastUpdated"));
  clock_.advance(minutes(44));
  EXPECT_EQ(get()["AccessKeyId"], "ASIA1");  // 16 minutes left: kept
  clock_.advance(minutes(1));
  EXPECT_EQ(get()["AccessKeyId"], "ASIA2");  // 15 minutes left: renewed, well before expiry
  EXPECT_EQ(s.handle(req("GET", "/latest/meta-data/iam/security-credentials/other",
                         {{"X-aws-ec2-metadata-token", t}}))
                .status,
            404);
}

TEST_F(ImdsTest, DocumentsTheSdksRead) {
  auto s = make();
  std::string t = token(s);
  http::HeaderList h = {{"X-aws-ec2-metadata-token", t}};
  EXPECT_EQ(s.handle(req("GET", "/latest/meta-data/placement/region", h)).body, "us-east-1");
  EXPECT_EQ(s.handle(req("GET", "/latest/meta-data/instance-id", h)).body, ImdsConfig{}.instance_id);
  auto info = nlohmann::json::parse(s.handle(req("GET", "/latest/meta-data/iam/info", h)).body);
  EXPECT_EQ(info["InstanceProfileArn"], "arn:aws:iam::111122223333:instance-profile/web");
  auto doc =
      nlohmann::json::parse(s.handle(req("GET", "/latest/dynamic/instance-identity/document", h)).body);
  EXPECT_EQ(doc["accountId"], "111122223333");
  EXPECT_EQ(doc["region"], "us-east-1");
  EXPECT_EQ(doc["instanceId"], ImdsConfig{}.instance_id);
  EXPECT_EQ(s.handle(req("GET", "/latest/meta-data/nothing", h)).status, 404);
  EXPECT_EQ(s.handle(req("POST", "/latest/api/token", h)).status, 405);
}

TEST_F(ImdsTest, TokenTableIsBounded) {
  auto s = make(false, /*max_tokens=*/4);
  std::vector<std::string> tokens;
  for (int i = 0; i < 10; ++i) {
    tokens.push_back(token(s, std::to_string(100 + i)));
  }
  int valid = 0;
  for (const auto& t : tokens)
    if (s.handle(req("GET", "/latest/meta-data/placement/region", {{"X-aws-ec2-metadata-token", t}}))
            .status == 200)
      ++valid;
  EXPECT_EQ(valid, 4);
  // The newest (longest-lived) ones survive.
  EXPECT_EQ(s.handle(req("GET", "/latest/meta-data/placement/region",
                         {{"X-aws-ec2-metadata-token", tokens.back()}}))
                .status,
            200);
}

}  // namespace
}  // namespace zk::imds
