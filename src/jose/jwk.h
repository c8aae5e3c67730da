// JSON Web Key Sets (RFC 7517) of RSA and EC (P-256, P-384) public keys, held as OpenSSL EVP_PKEYs.
#pragma once

#include <openssl/types.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace zk::jose {

// Why a token is refused. The STS layer maps kMalformed/kBadSignature/kUnknownKey/kAlgorithm/
// kNotYetValid (and kIssuedInFuture) -> InvalidIdentityToken, kExpired -> ExpiredTokenException,
// kIssuerUnreachable -> IDPCommunicationError.
enum class JwtError {
  kMalformed,
  kAlgorithm,
  kUnknownKey,
  kBadSignature,
  kExpired,
  kNotYetValid,
  kIssuedInFuture,
  kIssuerUnreachable
};
struct JwtFailure {
  JwtError error;
  std::string message;  // for logs and error bodies; never contains key material or signatures
};
std::string_view jwtErrorName(JwtError e);  // "Malformed", "Algorithm", ...

enum class KeyType { kRsa, kEc };

// One usable public key of a set. `key` is never null and is only read (EVP_PKEY is reference
// counted and safe for concurrent verification).
struct Jwk {
  KeyType type = KeyType::kRsa;
  std::string kid;  // RFC 7517 §4.5; empty when absent
  std::string alg;  // RFC 7517 §4.4; empty when absent, else the only alg this key may verify
  std::string crv;  // EC only: "P-256" or "P-384" (RFC 7518 §6.2.1.1)
  size_t bits = 0;  // RSA modulus size or EC field size
  std::shared_ptr<EVP_PKEY> key;
};

// A parsed JSON Web Key Set (RFC 7517 §5). Immutable after parse(), so thread-safe; cheap to copy
// (keys are shared).
class Jwks {
 public:
  Jwks() = default;

  // Accepts {"keys":[...]} (at most kMaxKeys entries, at most kMaxJsonBytes). Skipped, not refused:
  // keys whose kty is not RSA/EC (e.g. "oct", "OKP"), "use" other than "sig" (e.g. "enc"),
  // "key_ops" without "verify", EC curves other than P-256/P-384, and RSA moduli outside
  // 2048..8192 bits (RFC 7518 §3.3 requires >= 2048). Refused (kInvalidArgument): malformed JSON,
  // no "keys" array, a non-object entry, or a supported key whose members are missing, of the wrong
  // JSON type, not base64url, or not a valid public key (EC point off the curve, wrong coordinate
  // length, even modulus, ...).
  static Result<Jwks> parse(std::string_view json);

  static constexpr size_t kMaxKeys = 100;
  static constexpr size_t kMaxJsonBytes = 1 << 20;

  size_t size() const { return keys_.size(); }
  bool empty() const { return keys_.empty(); }
  const std::vector<Jwk>& keys() const { return keys_; }
  size_t skipped() const { return skipped_; }  // entries ignored as unsupported
  // True if some key has exactly this kid.
  bool hasKid(std::string_view kid) const;

 private:
  std::vector<Jwk> keys_;
  size_t skipped_ = 0;
};

}  // namespace zk::jose
