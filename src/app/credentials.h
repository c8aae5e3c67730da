// Access keys: the secret-box key file, key creation, first-start bootstrap and the SigV4 key lookup.
#pragma once

// Secrets at rest: a secret access key is stored only sealed with AES-256-GCM (crypto/secret_box.h)
// under a 32-byte key kept OUTSIDE the database, in DATA_DIR/secret.key (mode 0600, created at first
// start). The associated data is the access key id, so a sealed secret cannot be moved to another key.
//
// First start: the default account (zone_admin.h ensureDefaultAccount) gets an administrator access
// key, written to DATA_DIR/credentials in the AWS shared-credentials format (profile "default", mode
// 0600), so `AWS_SHARED_CREDENTIALS_FILE=DATA_DIR/credentials` works for the aws CLI and every SDK.
//
// Never logs a secret. Threading: KeyResolver is thread-safe; the free functions are for one thread
// at start or in the CLI.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "crypto/secret_box.h"
#include "aws/sigv4.h"
#include "base/clock.h"
#include "base/result.h"
#include "services/route53/credential_store.h"
#include "storage/sqlite/sqlite_store.h"

namespace zk::app {

inline constexpr const char* kSecretKeyFile = "secret.key";
inline constexpr const char* kCredentialsFile = "credentials";

// Reads DATA_DIR/secret.key, or creates it (32 random bytes, mode 0600, fsync'd) when absent.
// kFailedPrecondition when the file exists with another size or is readable by others.
Result<crypto::SecretBox> loadOrCreateSecretBox(const std::string& data_dir);

struct NewAccessKey {
  std::string access_key_id;      // "AKIA" + 16 of A-Z2-7
  std::string secret_access_key;  // 40 characters of A-Za-z0-9+/
  std::string account_id;
  std::string principal_arn;
};

// Creates an active access key for `user_name` in the account and stores it sealed.
Result<NewAccessKey> createAccessKey(route53::CredentialStore& store, const crypto::SecretBox& box,
                                     const std::string& account_id, const std::string& user_name,
                                     std::chrono::system_clock::time_point now);

// The shared-credentials-file text for a key ("[profile]\naws_access_key_id = ...\n...").
std::string credentialsFileText(const NewAccessKey& key, const std::string& profile = "default");
// Writes `text` to `path` with mode 0600 (replacing the file atomically).
Status writePrivateFile(const std::string& path, const std::string& text);

// At every start: on the first one (no admin key recorded in the store's settings), creates the default
// account's admin key and writes DATA_DIR/credentials. Returns the key when it was created now.
Result<std::optional<NewAccessKey>> bootstrapAdminKey(storage::SqliteStore& store, const crypto::SecretBox& box,
                                                      const std::string& data_dir);

// What to tell the user after bootstrap (how to point the aws CLI at the API).
std::string credentialsUsage(const std::string& data_dir, const std::string& api_endpoint,
                             const std::string& region);

// The SigV4 credential lookup: access key id -> decrypted Credential of an ACTIVE key (an inactive or
// unknown key is kNotFound, i.e. InvalidClientTokenId). Decrypted credentials are cached for `ttl` so
// the request path neither reads SQLite nor decrypts per request; a deactivated key stops working
// within `ttl`.
class KeyResolver {
 public:
  KeyResolver(route53::CredentialStore& store, crypto::SecretBox box, const Clock& clock,
              std::chrono::milliseconds ttl = std::chrono::seconds(2));
  Result<aws::Credential> lookup(std::string_view access_key_id);
  aws::CredentialLookup asLookup() {
    return [this](std::string_view id) { return lookup(id); };
  }

 private:
  struct Entry {
    aws::Credential credential;
    std::chrono::steady_clock::time_point expires;
  };
  route53::CredentialStore& store_;
  crypto::SecretBox box_;
  const Clock& clock_;
  std::chrono::milliseconds ttl_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> cache_;  // guarded by mu_
};

}  // namespace zk::app
