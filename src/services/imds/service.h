// ImdsService: an EC2 instance metadata service (IMDSv2) that hands out a role's temporary credentials.
#pragma once

// What the SDKs' default credential chains read (boto3, the aws CLI, the AWS SDK for JavaScript v3):
//   PUT /latest/api/token              X-aws-ec2-metadata-token-ttl-seconds: 1..21600 -> a token
//   GET /latest/meta-data/iam/security-credentials/        -> the role name
//   GET /latest/meta-data/iam/security-credentials/<role>  -> {Code, LastUpdated, Type "AWS-HMAC",
//                                                              AccessKeyId, SecretAccessKey, Token,
//                                                              Expiration}
//   GET /latest/meta-data/iam/info, /latest/meta-data/placement/region,
//       /latest/dynamic/instance-identity/document
// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html
// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-metadata-security-credentials.html
// Rules: a GET needs a valid unexpired token in X-aws-ec2-metadata-token (401 otherwise) unless IMDSv1
// is allowed; a token PUT carrying X-Forwarded-For is refused (403), as is a TTL outside 1..21600 (400).
// Tokens are 32 random bytes (hex), kept in a bounded table (expired ones dropped first). Credentials
// come from a CredentialSource and are renewed once less than `refresh_before` of their life is left.
// The hop limit (IP TTL of the responses) is the listener's business (http::ServerConfig::ip_ttl).
//
// Threading: handle() is thread-safe.

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "base/clock.h"
#include "base/result.h"
#include "crypto/crypto.h"
#include "http/message.h"

namespace zk::imds {

struct RoleCredentials {
  std::string access_key_id, secret_access_key, session_token;
  std::chrono::system_clock::time_point expiration;
};
using CredentialSource = std::function<Result<RoleCredentials>()>;

struct ImdsConfig {
  std::string role_arn;  // arn:aws:iam::ACCT:role/NAME
  std::string region = "us-east-1";
  // The instance id of meta-data/instance-id and the identity document; also the credentials' session
  // name (EC2 names an instance role's session after the instance).
  std::string instance_id = "i-0c0ffee00000000a1";
  bool allow_v1 = false;  // --imds-v1: GETs without a token
  size_t max_tokens = 10000;
  std::chrono::minutes refresh_before{15};  // renew credentials this long before they expire (>= 5 min)
};

class ImdsService {
 public:
  ImdsService(ImdsConfig config, CredentialSource source, const Clock& clock, crypto::RandomSource random);
  http::Response handle(const http::Request& request);

 private:
  http::Response putToken(const http::Request& request);
  bool tokenValid(std::string_view token);
  Result<RoleCredentials> credentials();

  ImdsConfig config_;
  CredentialSource source_;
  const Clock& clock_;
  crypto::RandomSource random_;
  std::string role_name_, account_id_;
  std::mutex mu_;
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> tokens_;  // guarded by mu_
  std::optional<RoleCredentials> current_;                                         // guarded by mu_
  std::chrono::system_clock::time_point last_updated_{};                           // guarded by mu_
};

}  // namespace zk::imds
