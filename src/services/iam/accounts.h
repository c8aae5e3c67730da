// Accounts with their administrator: `zonekeeper account create` and the first-start bootstrap.
#pragma once

// An account's admin is the IAM user "admin" with the AWS managed policy AdministratorAccess attached
// and one access key. Thread-safe as the store is.

#include <string>

#include "base/result.h"
#include "crypto/crypto.h"
#include "crypto/secret_box.h"
#include "services/iam/key_resolver.h"
#include "services/iam/store.h"

namespace zk::iam {

inline constexpr const char* kAdminUserName = "admin";
inline constexpr const char* kAdministratorAccessArn = "arn:aws:iam::aws:policy/AdministratorAccess";

// The user `name` of the account, created (path "/") when missing; with `attach_admin`, also attaches
// AdministratorAccess (idempotent).
Result<User> ensureUser(IamStore& store, const crypto::RandomSource& random, const std::string& account_id,
                        const std::string& name, bool attach_admin, Time now);

// ensureUser(admin, attach_admin) + a new access key for it (LimitExceeded when it has 2 already).
Result<NewAccessKey> createAdminKey(IamStore& store, const crypto::SecretBox& box,
                                    const crypto::RandomSource& random, const std::string& account_id,
                                    Time now);

// A new account (a random 12-digit id that no account has yet) with its admin user and key.
Result<NewAccessKey> createAccountWithAdmin(IamStore& store, const crypto::SecretBox& box,
                                            const crypto::RandomSource& random,
                                            const std::string& account_name, Time now);

}  // namespace zk::iam
