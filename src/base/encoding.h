// Base64 and base64url (RFC 4648 §4, §5) encode/decode, standard library only.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/result.h"

namespace zk {

// Thread-safety: stateless functions, safe to call concurrently. Decoders return bytes in a
// std::string (binary-safe).

// RFC 4648 §4 alphabet, with '=' padding.
std::string base64Encode(std::string_view bytes);
// RFC 4648 §5 URL-safe alphabet, without padding (as JOSE uses it, RFC 7515 §2 "Base64url Encoding").
std::string base64UrlEncode(std::string_view bytes);
inline std::string base64UrlEncode(std::span<const uint8_t> bytes) {
  return base64UrlEncode(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

// Strict standard base64: length a multiple of 4, padding only at the end, no whitespace, and the
// unused bits of the last symbol zero (canonical, RFC 4648 §3.5). kInvalidArgument otherwise.
Result<std::string> base64Decode(std::string_view text);
// Strict base64url as RFC 7515 §2 defines it: URL-safe alphabet, no padding, no whitespace, no
// length ≡ 1 (mod 4), unused trailing bits zero. kInvalidArgument otherwise.
Result<std::string> base64UrlDecode(std::string_view text);

}  // namespace zk
