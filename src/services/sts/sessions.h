// Temporary credentials: ASIA... key ids whose session token is the session itself, sealed.
#pragma once

// Stateless by design: the session token is AES-256-GCM (crypto/secret_box.h) over the session's
// claims and its secret key, under the server's secret key and with the access key id as associated
// data, so nothing is stored per session, a restart keeps every session valid until it expires, and
// no token can be forged, altered or moved to another key id. The key id itself names the account
// (GetAccessKeyInfo): "ASIA" + base32 of 5 bytes of account id and 5 random bytes.
//
// Threading: thread-safe (immutable after construction; the random source must be thread-safe).

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "api/front.h"
#include "api/service.h"
#include "base/clock.h"
#include "base/result.h"
#include "crypto/crypto.h"
#include "crypto/secret_box.h"

namespace zk::sts {

struct IssuedCredentials {
  std::string access_key_id;      // ASIA...
  std::string secret_access_key;  // 40 characters
  std::string session_token;
  std::chrono::system_clock::time_point expiration;
};

class SessionSealer {
 public:
  SessionSealer(crypto::SecretBox box, crypto::RandomSource random);

  // Seals `claims` (expires_at must be set) for a principal. `principal_arn`/`user_id` are what
  // GetCallerIdentity answers with those credentials.
  Result<IssuedCredentials> issue(const api::SessionClaims& claims, const std::string& principal_arn,
                                  const std::string& user_id) const;
  // The credential and claims of a token: kNotFound when it is not one of ours or does not belong to
  // the key id; kOutOfRange when it has expired at `now`.
  Result<api::TemporaryCredential> open(std::string_view access_key_id, std::string_view session_token,
                                        std::chrono::system_clock::time_point now) const;
  // The session lookup for api::ApiFront.
  api::SessionLookup asLookup(const Clock& clock) const;

 private:
  crypto::SecretBox box_;
  crypto::RandomSource random_;
};

// The account a temporary key id (ASIA...) names, or kInvalidArgument.
Result<std::string> accountOfTemporaryKey(std::string_view access_key_id);

}  // namespace zk::sts
