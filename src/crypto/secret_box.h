// AES-256-GCM seal/open for secrets at rest (secret access keys, private keys): nonce||ciphertext||tag.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/result.h"
#include "crypto/crypto.h"

namespace zk::crypto {

// Seals with AES-256-GCM (NIST SP 800-38D) under a 32-byte key and a fresh random 96-bit nonce.
// Wire format of a sealed box: nonce (12 bytes) || ciphertext (same length as the plaintext) || tag (16).
// `aad` (associated data, e.g. the row id the secret belongs to) is authenticated but not stored: the
// same aad must be given to open(), so a sealed value cannot be moved to another row unnoticed.
//
// Thread-safety: a SecretBox is immutable after create(); seal()/open() may run concurrently if the
// RandomSource is thread-safe (the default, RAND_bytes, is).
// The key copy is wiped on destruction. Errors never include key or plaintext bytes.
// With random nonces, stay well below 2^32 seals per key (SP 800-38D §8.3).
class SecretBox {
 public:
  static constexpr size_t kKeySize = 32;
  static constexpr size_t kNonceSize = 12;
  static constexpr size_t kTagSize = 16;
  static constexpr size_t kOverhead = kNonceSize + kTagSize;

  // Fails (kInvalidArgument) unless key.size() == 32.
  static Result<SecretBox> create(std::span<const uint8_t> key, RandomSource random = systemRandomSource());
  static Result<SecretBox> create(std::string_view key, RandomSource random = systemRandomSource());

  SecretBox(const SecretBox& other) = default;
  SecretBox& operator=(const SecretBox& other) = default;
  SecretBox(SecretBox&& other) noexcept;
  SecretBox& operator=(SecretBox&& other) noexcept;
  ~SecretBox();

  // Returns nonce||ciphertext||tag as binary bytes in a std::string.
  Result<std::string> seal(std::string_view plaintext, std::string_view aad = {}) const;
  // Fails with kPermissionDenied ("secret box authentication failed") on a wrong key, wrong aad or any
  // modified byte, and kInvalidArgument when the input is shorter than the overhead.
  Result<std::string> open(std::string_view sealed, std::string_view aad = {}) const;

 private:
  SecretBox(std::span<const uint8_t> key, RandomSource random);
  std::array<uint8_t, kKeySize> key_{};
  RandomSource random_;
};

// One-shot helpers with the system random source.
Result<std::string> sealSecret(std::span<const uint8_t> key, std::string_view plaintext,
                               std::string_view aad = {});
Result<std::string> openSecret(std::span<const uint8_t> key, std::string_view sealed,
                               std::string_view aad = {});

}  // namespace zk::crypto
