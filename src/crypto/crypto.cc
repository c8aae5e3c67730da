// OpenSSL-backed hashing, MAC, hex and randomness helpers (no hand-written crypto).
#include "crypto/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <climits>

namespace zk::crypto {

Sha256Digest sha256(std::string_view data) {
  Sha256Digest out{};
  unsigned int len = 0;
  // EVP_Digest cannot fail for SHA-256 with valid buffers; a failure would leave zeros, which never
  // matches a real digest, so verification fails closed.
  EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr);
  return out;
}

std::string sha256Hex(std::string_view data) {
  Sha256Digest d = sha256(data);
  return hexEncode(d);
}

Sha256Digest hmacSha256(std::span<const uint8_t> key, std::string_view data) {
  Sha256Digest out{};
  unsigned int len = 0;
  if (key.size() > static_cast<size_t>(INT_MAX)) return out;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &len);
  return out;
}

Sha256Digest hmacSha256(std::string_view key, std::string_view data) {
  return hmacSha256(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(key.data()), key.size()), data);
}

std::string hexEncode(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.resize(bytes.size() * 2);
  for (size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 0x0f];
  }
  return out;
}

namespace {
int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

Result<std::vector<uint8_t>> hexDecode(std::string_view hex) {
  if (hex.size() % 2 != 0) return invalidArgument("hex string has odd length");
  std::vector<uint8_t> out(hex.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = hexValue(hex[2 * i]);
    int lo = hexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return invalidArgument("hex string has a non-hex character");
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return out;
}

bool constantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

void secureWipe(void* data, size_t size) {
  if (data != nullptr && size > 0) OPENSSL_cleanse(data, size);
}

RandomSource systemRandomSource() {
  return [](std::span<uint8_t> out) -> Status {
    size_t done = 0;
    while (done < out.size()) {
      size_t chunk = std::min<size_t>(out.size() - done, static_cast<size_t>(INT_MAX));
      if (RAND_bytes(out.data() + done, static_cast<int>(chunk)) != 1) {
        return internalError("RAND_bytes failed");
      }
      done += chunk;
    }
    return Status::ok();
  };
}

Result<std::vector<uint8_t>> randomBytes(size_t n) {
  std::vector<uint8_t> out(n);
  Status s = systemRandomSource()(out);
  if (!s.isOk()) return s;
  return out;
}

Result<std::string> randomString(const RandomSource& random, std::string_view alphabet, size_t n) {
  if (alphabet.empty() || alphabet.size() > 256) return invalidArgument("randomString: bad alphabet");
  std::string out;
  const size_t limit = 256 - (256 % alphabet.size());
  std::vector<uint8_t> bytes(2 * n + 8);
  while (out.size() < n) {
    ZK_RETURN_IF_ERROR(random(bytes));
    for (uint8_t b : bytes) {
      if (b >= limit) continue;
      out.push_back(alphabet[b % alphabet.size()]);
      if (out.size() == n) break;
    }
  }
  return out;
}

}  // namespace zk::crypto
