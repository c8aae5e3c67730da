// Store interface for accounts and access keys (SigV4 credentials); secrets are opaque, encrypted blobs.
#pragma once

// Owned by the Route 53 service for now (a later IAM issue may move it). Header-only; depends on
// base only. Implementations are thread-safe, and write methods return once the write is durable.
// The store never sees a plaintext secret: the caller encrypts it (with the key kept outside the
// database) before createAccessKey and decrypts what getAccessKey returns.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace zk::route53 {

struct Account {
  std::string id;  // 12 digits
  std::string name;
  std::chrono::system_clock::time_point created_at{};
};

enum class AccessKeyStatus { kActive, kInactive };

inline std::string_view accessKeyStatusText(AccessKeyStatus s) {
  return s == AccessKeyStatus::kActive ? "Active" : "Inactive";
}

struct AccessKey {
  std::string access_key_id;              // "AKIA" + 16 upper-case alphanumerics
  std::vector<uint8_t> encrypted_secret;  // opaque to the store; never logged
  std::string account_id;
  std::string user_name;      // e.g. "admin"
  std::string principal_arn;  // e.g. "arn:aws:iam::123456789012:user/admin"
  AccessKeyStatus status = AccessKeyStatus::kActive;
  std::chrono::system_clock::time_point created_at{};
};

class CredentialStore {
 public:
  virtual ~CredentialStore() = default;

  // kAlreadyExists.
  virtual Status createAccount(const Account& account) = 0;
  // kNotFound.
  virtual Result<Account> getAccount(std::string_view account_id) = 0;
  // Ordered by id.
  virtual Result<std::vector<Account>> listAccounts() = 0;

  // kAlreadyExists (key id); kFailedPrecondition when the account does not exist.
  virtual Status createAccessKey(const AccessKey& key) = 0;
  // kNotFound. Called on every signed request; served from a pool of read connections.
  virtual Result<AccessKey> getAccessKey(std::string_view access_key_id) = 0;
  // The account's keys ordered by creation time, then id.
  virtual Result<std::vector<AccessKey>> listAccessKeys(std::string_view account_id) = 0;
  // Activates or deactivates a key. kNotFound.
  virtual Status setAccessKeyStatus(std::string_view access_key_id, AccessKeyStatus status) = 0;
  // kNotFound.
  virtual Status deleteAccessKey(std::string_view access_key_id) = 0;
};

}  // namespace zk::route53
