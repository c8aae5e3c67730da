// AES-256-GCM through OpenSSL EVP (NIST SP 800-38D): 96-bit random nonce, 128-bit tag.
#include "crypto/secret_box.h"

#include <openssl/evp.h>

#include <algorithm>
#include <climits>
#include <memory>
#include <utility>

namespace zk::crypto {

namespace {

struct CtxDeleter {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CtxDeleter>;

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

}  // namespace

SecretBox::SecretBox(std::span<const uint8_t> key, RandomSource random) : random_(std::move(random)) {
  std::copy(key.begin(), key.end(), key_.begin());
}

SecretBox::SecretBox(SecretBox&& other) noexcept : key_(other.key_), random_(std::move(other.random_)) {
  secureWipe(other.key_.data(), other.key_.size());
}

SecretBox& SecretBox::operator=(SecretBox&& other) noexcept {
  if (this != &other) {
    key_ = other.key_;
    random_ = std::move(other.random_);
    secureWipe(other.key_.data(), other.key_.size());
  }
  return *this;
}

SecretBox::~SecretBox() { secureWipe(key_.data(), key_.size()); }

Result<SecretBox> SecretBox::create(std::span<const uint8_t> key, RandomSource random) {
  if (key.size() != kKeySize) return invalidArgument("secret box key must be 32 bytes");
  if (!random) return invalidArgument("secret box needs a random source");
  return SecretBox(key, std::move(random));
}

Result<SecretBox> SecretBox::create(std::string_view key, RandomSource random) {
  return create(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(key.data()), key.size()),
                std::move(random));
}

Result<std::string> SecretBox::seal(std::string_view plaintext, std::string_view aad) const {
  if (plaintext.size() > static_cast<size_t>(INT_MAX) - kOverhead ||
      aad.size() > static_cast<size_t>(INT_MAX)) {
    return invalidArgument("secret box input too large");
  }
  std::string out(kNonceSize + plaintext.size() + kTagSize, '\0');
  auto* nonce = reinterpret_cast<uint8_t*>(out.data());
  Status rs = random_(std::span<uint8_t>(nonce, kNonceSize));
  if (!rs.isOk()) return rs;

  CtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return internalError("EVP_CIPHER_CTX_new failed");
  int len = 0;
  auto* ct = reinterpret_cast<unsigned char*>(out.data() + kNonceSize);
  // SP 800-38D: 96-bit IV is the default IV length of EVP_aes_256_gcm.
  if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), nonce) != 1 ||
      (!aad.empty() &&
       EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytes(aad), static_cast<int>(aad.size())) != 1) ||
      (!plaintext.empty() &&
       EVP_EncryptUpdate(ctx.get(), ct, &len, bytes(plaintext), static_cast<int>(plaintext.size())) != 1) ||
      EVP_EncryptFinal_ex(ctx.get(), ct + plaintext.size(), &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize, ct + plaintext.size()) != 1) {
    return internalError("AES-256-GCM seal failed");
  }
  return out;
}

Result<std::string> SecretBox::open(std::string_view sealed, std::string_view aad) const {
  if (sealed.size() < kOverhead) return invalidArgument("sealed secret is too short");
  if (sealed.size() > static_cast<size_t>(INT_MAX) || aad.size() > static_cast<size_t>(INT_MAX)) {
    return invalidArgument("secret box input too large");
  }
  const size_t ct_len = sealed.size() - kOverhead;
  const auto* nonce = bytes(sealed);
  const auto* ct = nonce + kNonceSize;
  std::string tag(sealed.substr(kNonceSize + ct_len));  // EVP_CTRL_GCM_SET_TAG takes a non-const pointer

  std::string plain(ct_len, '\0');
  CtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return internalError("EVP_CIPHER_CTX_new failed");
  int len = 0;
  auto* pt = reinterpret_cast<unsigned char*>(plain.data());
  if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), nonce) != 1 ||
      (!aad.empty() &&
       EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytes(aad), static_cast<int>(aad.size())) != 1) ||
      (ct_len > 0 && EVP_DecryptUpdate(ctx.get(), pt, &len, ct, static_cast<int>(ct_len)) != 1) ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize, tag.data()) != 1) {
    secureWipe(plain.data(), plain.size());
    return internalError("AES-256-GCM open failed");
  }
  // The tag is checked here; on failure nothing decrypted may be returned.
  if (EVP_DecryptFinal_ex(ctx.get(), pt + ct_len, &len) != 1) {
    secureWipe(plain.data(), plain.size());
    return permissionDenied("secret box authentication failed");
  }
  return plain;
}

Result<std::string> sealSecret(std::span<const uint8_t> key, std::string_view plaintext,
                               std::string_view aad) {
  auto box = SecretBox::create(key);
  if (!box.ok()) return box.status();
  return box->seal(plaintext, aad);
}

Result<std::string> openSecret(std::span<const uint8_t> key, std::string_view sealed, std::string_view aad) {
  auto box = SecretBox::create(key);
  if (!box.ok()) return box.status();
  return box->open(sealed, aad);
}

}  // namespace zk::crypto
