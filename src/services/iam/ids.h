// IAM identifiers and ARNs: random unique ids ("AIDA..."), access key ids and secrets, account ids.
#pragma once

// Formats: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html
//   unique ids: a 4-letter prefix (AIDA user, AGPA group, AROA role, ANPA managed policy, AIPA instance
//   profile) + 17 characters of A-Z2-7; access key ids "AKIA" + 16 of A-Z2-7; secrets 40 of A-Za-z0-9+/.
// ARNs: arn:aws:iam::ACCOUNT:user{path}{name} (also group, role, policy, instance-profile),
//   arn:aws:iam::ACCOUNT:oidc-provider/{url}; AWS managed policies arn:aws:iam::aws:policy{path}{name}.
// Everything random comes from the injected crypto::RandomSource (uniform: rejection sampling).

#include <string>
#include <string_view>

#include "base/result.h"
#include "crypto/crypto.h"

namespace zk::iam {

inline constexpr std::string_view kBase32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
inline constexpr std::string_view kSecretAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// `n` characters drawn uniformly from `alphabet` (at most 256 characters).
Result<std::string> randomString(const crypto::RandomSource& random, std::string_view alphabet, size_t n);
// prefix + 17 of A-Z2-7.
Result<std::string> newUniqueId(const crypto::RandomSource& random, std::string_view prefix);
// 12 digits, not starting with 0.
Result<std::string> newAccountId(const crypto::RandomSource& random);

// arn:aws:iam::ACCOUNT:{type}{path}{name}; path "/" or "/a/b/".
std::string iamArn(std::string_view account_id, std::string_view type, std::string_view path,
                   std::string_view name);
inline std::string rootArn(std::string_view account_id) {
  return "arn:aws:iam::" + std::string(account_id) + ":root";
}
inline constexpr std::string_view kAwsPolicyArnPrefix = "arn:aws:iam::aws:policy/";

}  // namespace zk::iam
