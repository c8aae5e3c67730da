// Access keys for SigV4: creating one (sealed secret) and resolving an access key id to its credential.
#pragma once

// Secrets at rest: a secret access key is stored only sealed with AES-256-GCM (crypto/secret_box.h)
// under a key kept outside the database (app: DATA_DIR/secret.key); the associated data is the access
// key id, so a sealed secret cannot be moved to another key. The plaintext leaves createAccessKey once
// (for the CreateAccessKey response / the CLI) and is never logged.
//
// Threading: KeyResolver is thread-safe; createAccessKey is as thread-safe as the store.

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "aws/sigv4.h"
#include "base/clock.h"
#include "base/result.h"
#include "crypto/crypto.h"
#include "crypto/secret_box.h"
#include "services/iam/store.h"

namespace zk::iam {

// AccessKeysPerUserQuota (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
inline constexpr int kMaxAccessKeysPerUser = 2;

struct NewAccessKey {
  std::string access_key_id;      // "AKIA" + 16 of A-Z2-7
  std::string secret_access_key;  // 40 characters of A-Za-z0-9+/ (plaintext: hand out once)
  std::string account_id;
  std::string user_name;
  std::string principal_arn;
  Time created_at{};
};

// Creates an active key for the user (`principal_arn` its ARN) and stores it sealed under `box`.
// kResourceExhausted when the user already has `max_per_user` keys.
Result<NewAccessKey> createAccessKey(IamStore& store, const crypto::SecretBox& box,
                                     const crypto::RandomSource& random, const std::string& account_id,
                                     const std::string& user_name, const std::string& principal_arn, Time now,
                                     int max_per_user = kMaxAccessKeysPerUser);

// The SigV4 credential lookup: access key id -> the decrypted Credential of an ACTIVE key (inactive or
// unknown: kNotFound, i.e. InvalidClientTokenId). Found credentials are cached for `ttl`, so the request
// path neither reads SQLite nor decrypts per request; a deactivated or deleted key stops working within
// `ttl`. "Not found" is never cached: a key made by `zonekeeper account create` beside a running
// server works on its first request.
//
// Key use (GetAccessKeyLastUsed) is kept in memory and written at most once per `use_flush_interval`
// per key (the store queues that write without waiting), so signing a request costs no fsync.
class KeyResolver {
 public:
  KeyResolver(IamStore& store, crypto::SecretBox box, const Clock& clock,
              std::chrono::milliseconds ttl = std::chrono::seconds(2),
              std::chrono::milliseconds use_flush_interval = std::chrono::minutes(1));
  ~KeyResolver();  // flushes recorded uses
  KeyResolver(const KeyResolver&) = delete;
  KeyResolver& operator=(const KeyResolver&) = delete;

  // The key's credential. Records no use: the API front calls recordUse() once the request verified.
  Result<aws::Credential> lookup(std::string_view access_key_id);
  aws::CredentialLookup asLookup() {
    return [this](std::string_view id) { return lookup(id); };
  }
  // After a request signed with the key was verified: its service (signing name) and region.
  void recordUse(std::string_view access_key_id, std::string_view service, std::string_view region);
  // Writes every recorded use not written yet.
  void flushUses();
  // Drops the cached credential (after UpdateAccessKey / DeleteAccessKey in this process).
  void invalidate(std::string_view access_key_id);

 private:
  struct Entry {
    aws::Credential credential;
    std::chrono::steady_clock::time_point expires;
  };
  struct Use {
    Time when{};
    std::string service, region;
    bool dirty = false;
    std::chrono::steady_clock::time_point flushed{};  // last write to the store
  };
  void noteUse(const std::string& id, std::string_view service, std::string_view region);

  IamStore& store_;
  crypto::SecretBox box_;
  const Clock& clock_;
  std::chrono::milliseconds ttl_;
  std::chrono::milliseconds flush_interval_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> cache_;  // guarded by mu_
  std::unordered_map<std::string, Use> uses_;     // guarded by mu_
};

}  // namespace zk::iam
