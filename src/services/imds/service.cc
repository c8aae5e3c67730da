// ImdsService: IMDSv2 tokens, the role's credentials, and the few documents the SDKs read.
#include "services/imds/service.h"

#include <nlohmann/json.hpp>

#include "aws/timestamp.h"

namespace zk::imds {
namespace {

using std::chrono::system_clock;

int64_t epochMs(system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
std::string iso(system_clock::time_point t) { return aws::formatIso8601(epochMs(t), false); }

http::Response text(int status, std::string body, std::string type = "text/plain") {
  return http::Response{status, {{"Content-Type", std::move(type)}}, std::move(body)};
}

http::Response failure(int status) {
  static const char* kNames[] = {"Bad Request", "Unauthorized", "Forbidden", "Not Found",
                                 "Method Not Allowed"};
  const char* what = status == 400   ? kNames[0]
                     : status == 401 ? kNames[1]
                     : status == 403 ? kNames[2]
                     : status == 404 ? kNames[3]
                                     : kNames[4];
  return text(status,
              std::string("<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>\n<html><head><title>") +
                  std::to_string(status) + " - " + what + "</title></head><body><h1>" +
                  std::to_string(status) + " - " + what + "</h1></body></html>\n",
              "text/html");
}

}  // namespace

ImdsService::ImdsService(ImdsConfig config, CredentialSource source, const Clock& clock,
                         crypto::RandomSource random)
    : config_(std::move(config)), source_(std::move(source)), clock_(clock), random_(std::move(random)) {
  // arn:aws:iam::ACCT:role/path/NAME
  const std::string& arn = config_.role_arn;
  size_t slash = arn.rfind('/');
  role_name_ = slash == std::string::npos ? arn : arn.substr(slash + 1);
  if (arn.rfind("arn:aws:iam::", 0) == 0) account_id_ = arn.substr(13, 12);
  if (config_.refresh_before < std::chrono::minutes(5)) config_.refresh_before = std::chrono::minutes(5);
}

http::Response ImdsService::putToken(const http::Request& r) {
  // A PUT through a proxy (X-Forwarded-For) is refused: the token must not leave the instance.
  if (r.header("X-Forwarded-For")) return failure(403);
  auto ttl_text = r.header("X-aws-ec2-metadata-token-ttl-seconds");
  if (!ttl_text) return failure(400);
  int64_t ttl = 0;
  for (char c : *ttl_text) {
    if (c < '0' || c > '9' || ttl > 100000) return failure(400);
    ttl = ttl * 10 + (c - '0');
  }
  if (ttl_text->empty() || ttl < 1 || ttl > 21600) return failure(400);
  uint8_t raw[32];
  if (!random_(raw).isOk()) return failure(400);
  std::string token = crypto::hexEncode(std::span<const uint8_t>(raw, sizeof(raw)));
  const auto now = clock_.monotonic();
  {
    std::lock_guard lock(mu_);
    if (tokens_.size() >= config_.max_tokens) {
      for (auto it = tokens_.begin(); it != tokens_.end();)
        it = it->second <= now ? tokens_.erase(it) : std::next(it);
      // Still full: drop the token closest to expiry.
      while (tokens_.size() >= config_.max_tokens) {
        auto oldest = tokens_.begin();
        for (auto it = tokens_.begin(); it != tokens_.end(); ++it)
          if (it->second < oldest->second) oldest = it;
        tokens_.erase(oldest);
      }
    }
    tokens_[token] = now + std::chrono::seconds(ttl);
  }
  http::Response resp = text(200, token);
  resp.headers.emplace_back("X-aws-ec2-metadata-token-ttl-seconds", std::to_string(ttl));
  return resp;
}

bool ImdsService::tokenValid(std::string_view token) {
  std::lock_guard lock(mu_);
  auto it = tokens_.find(std::string(token));
  if (it == tokens_.end()) return false;
  if (it->second <= clock_.monotonic()) {
    tokens_.erase(it);
    return false;
  }
  return true;
}

Result<RoleCredentials> ImdsService::credentials() {
  std::lock_guard lock(mu_);
  const auto now = clock_.now();
  if (!current_ || current_->expiration - config_.refresh_before <= now) {
    auto fresh = source_();
    if (!fresh.ok()) return fresh.status();
    current_ = std::move(fresh).value();
    last_updated_ = now;
  }
  return *current_;
}

http::Response ImdsService::handle(const http::Request& r) {
  const std::string path = r.path();
  if (path == "/latest/api/token") {
    if (r.method != "PUT") return failure(405);
    return putToken(r);
  }
  if (r.method != "GET" && r.method != "HEAD") return failure(405);
  auto token = r.header("X-aws-ec2-metadata-token");
  if (token ? !tokenValid(*token) : !config_.allow_v1) return failure(401);

  const std::string creds_prefix = "/latest/meta-data/iam/security-credentials/";
  if (path == creds_prefix || path == "/latest/meta-data/iam/security-credentials")
    return text(200, role_name_);
  if (path == creds_prefix + role_name_) {
    auto c = credentials();
    if (!c.ok()) return failure(404);
    nlohmann::json j = {{"Code", "Success"},
                        {"LastUpdated", iso(last_updated_)},
                        {"Type", "AWS-HMAC"},
                        {"AccessKeyId", c->access_key_id},
                        {"SecretAccessKey", c->secret_access_key},
                        {"Token", c->session_token},
                        {"Expiration", iso(c->expiration)}};
    return text(200, j.dump(2));
  }
  if (path == "/latest/meta-data/iam/info") {
    nlohmann::json j = {
        {"Code", "Success"},
        {"LastUpdated", iso(clock_.now())},
        {"InstanceProfileArn", "arn:aws:iam::" + account_id_ + ":instance-profile/" + role_name_},
        {"InstanceProfileId", "AIPA" + std::string(17, 'Z')}};
    return text(200, j.dump(2));
  }
  if (path == "/latest/meta-data/placement/region") return text(200, config_.region);
  if (path == "/latest/meta-data/instance-id") return text(200, config_.instance_id);
  if (path == "/latest/dynamic/instance-identity/document") {
    nlohmann::json j = {{"accountId", account_id_},
                        {"architecture", "x86_64"},
                        {"availabilityZone", config_.region + "a"},
                        {"imageId", "ami-00000000000000000"},
                        {"instanceId", config_.instance_id},
                        {"instanceType", "t3.micro"},
                        {"privateIp", r.remote_address},
                        {"region", config_.region},
                        {"version", "2017-09-30"},
                        {"pendingTime", iso(clock_.now())}};
    return text(200, j.dump(2), "application/json");
  }
  return failure(404);
}

}  // namespace zk::imds
