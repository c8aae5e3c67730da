// SHA-256, HMAC-SHA256, hex, constant-time compare and random bytes, all through OpenSSL.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace zk::crypto {

// Thread-safety: every function here is stateless and safe to call concurrently.
// Nothing here logs; callers must not log keys, derived keys or MACs either.

inline constexpr size_t kSha256Size = 32;
using Sha256Digest = std::array<uint8_t, kSha256Size>;

// Lowercase hex of SHA-256("") — the payload hash of an empty body (SigV4 step 1).
inline constexpr std::string_view kEmptySha256Hex =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

Sha256Digest sha256(std::string_view data);
std::string sha256Hex(std::string_view data);

Sha256Digest hmacSha256(std::span<const uint8_t> key, std::string_view data);
Sha256Digest hmacSha256(std::string_view key, std::string_view data);

// Lowercase hex encoding.
std::string hexEncode(std::span<const uint8_t> bytes);
inline std::string hexEncode(std::string_view bytes) {
  return hexEncode(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}
// Accepts upper- and lowercase digits; fails on odd length or a non-hex character.
Result<std::vector<uint8_t>> hexDecode(std::string_view hex);

// Compares without an early exit on the first differing byte (CRYPTO_memcmp). Only the lengths leak.
bool constantTimeEquals(std::string_view a, std::string_view b);

// Overwrites memory in a way the compiler cannot elide (OPENSSL_cleanse).
void secureWipe(void* data, size_t size);

// Fills `out` with cryptographically secure random bytes. Injected where randomness is used, so tests
// can substitute a deterministic source.
using RandomSource = std::function<Status(std::span<uint8_t> out)>;
RandomSource systemRandomSource();  // RAND_bytes

Result<std::vector<uint8_t>> randomBytes(size_t n);

// `n` characters drawn uniformly from `alphabet` (rejection sampling), from `random`.
Result<std::string> randomString(const RandomSource& random, std::string_view alphabet, size_t n);

}  // namespace zk::crypto
