// Access keys, the app-specific part: the secret-box key file, the credentials file and the first-start
// bootstrap. Key creation and the SigV4 lookup live in services/iam (key_resolver.h).
#pragma once

// Secrets at rest: a secret access key is stored only sealed with AES-256-GCM (crypto/secret_box.h)
// under a 32-byte key kept OUTSIDE the database, in DATA_DIR/secret.key (mode 0600, created at first
// start). The associated data is the access key id, so a sealed secret cannot be moved to another key.
//
// First start: the default account (zone_admin.h ensureDefaultAccount) gets its IAM user "admin" with
// AdministratorAccess attached and an access key, written to DATA_DIR/credentials in the AWS
// shared-credentials format (profile "default", mode 0600), so
// `AWS_SHARED_CREDENTIALS_FILE=DATA_DIR/credentials` works for the aws CLI and every SDK.
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

#include "aws/sigv4.h"
#include "base/clock.h"
#include "base/result.h"
#include "crypto/secret_box.h"
#include "services/iam/key_resolver.h"
#include "storage/sqlite/iam_store.h"
#include "storage/sqlite/sqlite_store.h"

namespace zk::app {

inline constexpr const char* kSecretKeyFile = "secret.key";
inline constexpr const char* kCredentialsFile = "credentials";

// Reads DATA_DIR/secret.key, or creates it (32 random bytes, mode 0600, fsync'd) when absent.
// kFailedPrecondition when the file exists with another size or is readable by others.
Result<crypto::SecretBox> loadOrCreateSecretBox(const std::string& data_dir);

using NewAccessKey = iam::NewAccessKey;

// An active access key for the IAM user `user_name` of the account, stored sealed (iam::createAccessKey);
// the user is created when missing ("admin" with AdministratorAccess attached). At most 2 keys per user
// (LimitExceeded: kResourceExhausted).
Result<NewAccessKey> createAccessKey(storage::SqliteStore& store, const crypto::SecretBox& box,
                                     const std::string& account_id, const std::string& user_name,
                                     std::chrono::system_clock::time_point now);

// The shared-credentials-file text for a key ("[profile]\naws_access_key_id = ...\n...").
std::string credentialsFileText(const NewAccessKey& key, const std::string& profile = "default");
// Writes `text` to `path` with mode 0600 (replacing the file atomically).
Status writePrivateFile(const std::string& path, const std::string& text);

// At every start: on the first one (no admin key recorded in the store's settings), creates the default
// account's admin key and writes DATA_DIR/credentials. Returns the key when it was created now.
Result<std::optional<NewAccessKey>> bootstrapAdminKey(storage::SqliteStore& store,
                                                      const crypto::SecretBox& box,
                                                      const std::string& data_dir);

// What to tell the user after bootstrap (how to point the aws CLI at the API).
std::string credentialsUsage(const std::string& data_dir, const std::string& api_endpoint,
                             const std::string& region);

// The SigV4 credential lookup (iam::KeyResolver) over the IAM view of the app's store.
namespace detail {
struct IamView {
  explicit IamView(storage::SqliteStore& store) : iam_store(store) {}
  storage::IamSqliteStore iam_store;
};
}  // namespace detail
class KeyResolver : private detail::IamView, public iam::KeyResolver {
 public:
  KeyResolver(storage::SqliteStore& store, crypto::SecretBox box, const Clock& clock,
              std::chrono::milliseconds ttl = std::chrono::seconds(2))
      : detail::IamView(store), iam::KeyResolver(iam_store, std::move(box), clock, ttl) {}
};

}  // namespace zk::app
