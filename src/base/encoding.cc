// Base64 / base64url codecs (RFC 4648).
#include "base/encoding.h"

#include <array>

namespace zk {
namespace {

constexpr std::string_view kStd = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrl = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string encode(std::string_view in, std::string_view alphabet, bool pad) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    uint32_t v = (uint32_t(uint8_t(in[i])) << 16) | (uint32_t(uint8_t(in[i + 1])) << 8) | uint8_t(in[i + 2]);
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    out.push_back(alphabet[(v >> 6) & 63]);
    out.push_back(alphabet[v & 63]);
  }
  size_t rest = in.size() - i;
  if (rest == 1) {
    uint32_t v = uint32_t(uint8_t(in[i])) << 16;
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    if (pad) out.append("==");
  } else if (rest == 2) {
    uint32_t v = (uint32_t(uint8_t(in[i])) << 16) | (uint32_t(uint8_t(in[i + 1])) << 8);
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    out.push_back(alphabet[(v >> 6) & 63]);
    if (pad) out.push_back('=');
  }
  return out;
}

using Table = std::array<int8_t, 256>;

constexpr Table makeTable(std::string_view alphabet) {
  Table t{};
  for (auto& x : t) x = -1;
  for (size_t i = 0; i < alphabet.size(); ++i) t[uint8_t(alphabet[i])] = int8_t(i);
  return t;
}

constexpr Table kStdTable = makeTable(kStd);
constexpr Table kUrlTable = makeTable(kUrl);

// Decodes unpadded symbols (`text` holds no '=').
Result<std::string> decodeSymbols(std::string_view text, const Table& table) {
  if (text.size() % 4 == 1) return invalidArgument("base64: truncated input");
  std::string out;
  out.reserve(text.size() / 4 * 3 + 2);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int8_t v = table[uint8_t(c)];
    if (v < 0) return invalidArgument("base64: invalid character");
    acc = (acc << 6) | uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(char((acc >> bits) & 0xff));
    }
  }
  // RFC 4648 §3.5: the pad bits must be zero, so each byte string has one encoding.
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) return invalidArgument("base64: non-zero trailing bits");
  return out;
}

}  // namespace

std::string base64Encode(std::string_view bytes) { return encode(bytes, kStd, true); }
std::string base64UrlEncode(std::string_view bytes) { return encode(bytes, kUrl, false); }

Result<std::string> base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return invalidArgument("base64: length not a multiple of 4");
  size_t pad = 0;
  while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
  return decodeSymbols(text.substr(0, text.size() - pad), kStdTable);
}

Result<std::string> base64UrlDecode(std::string_view text) { return decodeSymbols(text, kUrlTable); }

}  // namespace zk
