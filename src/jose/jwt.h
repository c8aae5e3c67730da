// Compact JWS/JWT decoding (RFC 7515 §7.1, RFC 7519) and verification against a JWK Set.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "jose/jwk.h"

namespace zk::jose {

// Largest compact token accepted, in bytes (before decoding).
inline constexpr size_t kMaxTokenBytes = 16 * 1024;

// Header and claims decoded without verifying anything (to read iss/kid before choosing keys).
struct UnverifiedJwt {
  nlohmann::json header, claims;  // both JSON objects
  std::string alg, kid, iss;      // "" when absent (iss/kid) ; alg is always a non-empty string
};

// Three base64url parts (RFC 7515 §7.1; the signature part may be empty), header and payload JSON
// objects, at most kMaxTokenBytes. Header "alg" must be a string (RFC 7515 §4.1.1), "kid" and the
// "iss" claim strings when present. A duplicate member keeps the last value (RFC 7515 §5.2 allows
// this). Any failure is kMalformed. Thread-safe (pure).
std::variant<UnverifiedJwt, JwtFailure> decode(std::string_view compact);

struct VerifiedJwt {
  nlohmann::json header, claims;
  std::string iss, sub, kid, alg;
  std::vector<std::string> aud;  // RFC 7519 §4.1.3: a string or an array of strings in the token
  std::optional<std::chrono::system_clock::time_point> exp, nbf, iat;
};

struct VerifyOptions {
  std::chrono::seconds skew{60};  // allowed clock difference for exp, nbf and iat
  bool require_exp = true;        // a token without exp is kMalformed
};

// Accepts RS256, RS384, RS512, PS256 (RFC 7518 §3.3, §3.5) and ES256, ES384 (§3.4) only; "none",
// HS*, and anything else -> kAlgorithm. A "crit" header -> kMalformed (we understand no
// extension, RFC 7515 §4.1.11).
// Key choice: the token's kid selects keys with that kid (none -> kUnknownKey); a token without kid
// works when exactly one key of the algorithm's kty (and curve, for ES*) exists, else kUnknownKey.
// A key of another kty/curve than the alg needs -> kAlgorithm; the key's "alg", if present, must
// equal the header's -> else kAlgorithm. Bad signature -> kBadSignature.
// After the signature, claims (RFC 7519 §4.1): iss/sub strings, aud string or array of strings,
// exp/nbf/iat NumericDates (JSON numbers, fractions allowed, 0..253402300799), else kMalformed.
// now >= exp + skew -> kExpired (§4.1.4); now < nbf - skew -> kNotYetValid (§4.1.5);
// iat > now + skew -> kIssuedInFuture (§4.1.6). The audience is not checked here (the caller knows
// which client ids it accepts). Thread-safe.
std::variant<VerifiedJwt, JwtFailure> verify(std::string_view compact, const Jwks& keys,
                                             std::chrono::system_clock::time_point now,
                                             const VerifyOptions& options = {});

}  // namespace zk::jose
