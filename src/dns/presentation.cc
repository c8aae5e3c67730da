// Presentation-format primitives: tokens, names, escapes, numbers, TTLs, addresses, hex, base64.
#include "dns/presentation.h"

#include <arpa/inet.h>

#include <cstring>

namespace zk::dns {

bool Tokenizer::atEnd() {
  while (pos_ < text_.size() && isBlank(text_[pos_])) ++pos_;
  return pos_ >= text_.size();
}

bool Tokenizer::next(Token& t) {
  size_t start = pos_;
  while (pos_ < text_.size() && isBlank(text_[pos_])) ++pos_;
  if (pos_ >= text_.size()) return false;
  t.adjacent = pos_ == start && pos_ > 0;
  t.offset = pos_;
  if (text_[pos_] == '"') {
    size_t begin = ++pos_;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      if (text_[pos_] == '\\') ++pos_;
      ++pos_;
    }
    if (pos_ >= text_.size()) {
      error_ = true;
      pos_ = text_.size();
      return false;
    }
    t.raw = text_.substr(begin, pos_ - begin);
    t.quoted = true;
    ++pos_;
    return true;
  }
  size_t begin = pos_;
  while (pos_ < text_.size() && !isBlank(text_[pos_]) && text_[pos_] != '"') {
    if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) ++pos_;
    ++pos_;
  }
  t.raw = text_.substr(begin, pos_ - begin);
  t.quoted = false;
  return true;
}

// RFC 1035 §5.1: labels separated by dots; \X escapes X, \DDD is a decimal octet.
size_t parseNameInto(std::string_view text, const Name* origin, uint8_t* out, std::string* error) {
  auto fail = [&](const char* why) -> size_t {
    if (error) *error = std::string(why) + " in domain name '" + std::string(text) + "'";
    return 0;
  };
  if (text.empty()) return fail("empty name");
  if (text.size() == 1) {
    if (text[0] == '@') {
      if (origin == nullptr) return fail("'@' without an origin");
      std::memcpy(out, origin->wire().data(), origin->wireLength());
      return origin->wireLength();
    }
    if (text[0] == '.') {
      out[0] = 0;
      return 1;
    }
  }
  size_t len = 0;       // bytes written
  size_t label_at = 0;  // position of the current label's length byte
  out[0] = 0;
  len = 1;
  const size_t n = text.size();
  bool absolute = false;
  for (size_t i = 0; i < n; ++i) {
    uint8_t c = uint8_t(text[i]);
    if (c == '.') {
      size_t label_len = len - label_at - 1;
      if (label_len == 0) return fail("empty label");
      if (label_len > kMaxLabelLength) return fail("label longer than 63 octets");
      out[label_at] = uint8_t(label_len);
      if (i + 1 == n) {
        absolute = true;
        break;
      }
      label_at = len;
      if (len >= kMaxNameLength) return fail("name longer than 255 octets");
      out[len++] = 0;
      continue;
    }
    if (c == '\\') {
      if (i + 1 >= n) return fail("dangling escape");
      uint8_t d = uint8_t(text[i + 1]);
      if (d >= '0' && d <= '9') {
        if (i + 3 >= n) return fail("short \\DDD escape");
        unsigned v = 0;
        for (size_t k = 1; k <= 3; ++k) {
          uint8_t e = uint8_t(text[i + k]);
          if (e < '0' || e > '9') return fail("bad \\DDD escape");
          v = v * 10 + (e - '0');
        }
        if (v > 255) return fail("\\DDD escape above 255");
        c = uint8_t(v);
        i += 3;
      } else {
        c = d;
        i += 1;
      }
    }
    if (len >= kMaxNameLength) return fail("name longer than 255 octets");
    out[len++] = c;
  }
  if (!absolute) {
    size_t label_len = len - label_at - 1;
    if (label_len == 0) return fail("empty label");
    if (label_len > kMaxLabelLength) return fail("label longer than 63 octets");
    out[label_at] = uint8_t(label_len);
    if (origin == nullptr) return fail("relative name without an origin");
    if (len + origin->wireLength() > kMaxNameLength) return fail("name longer than 255 octets");
    std::memcpy(out + len, origin->wire().data(), origin->wireLength());
    return len + origin->wireLength();
  }
  if (len + 1 > kMaxNameLength) return fail("name longer than 255 octets");
  out[len++] = 0;
  return len;
}

bool decodeEscapes(std::string_view raw, std::vector<uint8_t>& out) {
  const size_t n = raw.size();
  for (size_t i = 0; i < n; ++i) {
    uint8_t c = uint8_t(raw[i]);
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (i + 1 >= n) return false;
    uint8_t d = uint8_t(raw[i + 1]);
    if (d >= '0' && d <= '9') {
      if (i + 3 >= n) return false;
      unsigned v = 0;
      for (size_t k = 1; k <= 3; ++k) {
        uint8_t e = uint8_t(raw[i + k]);
        if (e < '0' || e > '9') return false;
        v = v * 10 + (e - '0');
      }
      if (v > 255) return false;
      out.push_back(uint8_t(v));
      i += 3;
    } else {
      out.push_back(d);
      i += 1;
    }
  }
  return true;
}

void appendQuoted(std::string& out, std::span<const uint8_t> bytes) {
  out.push_back('"');
  for (uint8_t c : bytes) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(char(c));
    } else if (c < 0x20 || c >= 0x7f) {
      out.push_back('\\');
      out.push_back(char('0' + c / 100));
      out.push_back(char('0' + (c / 10) % 10));
      out.push_back(char('0' + c % 10));
    } else {
      out.push_back(char(c));
    }
  }
  out.push_back('"');
}

std::optional<uint64_t> parseDecimal(std::string_view text, uint64_t max) {
  if (text.empty() || text.size() > 20) return std::nullopt;
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    uint64_t d = uint64_t(c - '0');
    if (v > (max - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

// RFC 1035 §5.1 TTLs are decimal; the unit suffixes are the BIND extension every server accepts.
std::optional<uint32_t> parseTtl(std::string_view text) {
  if (text.empty()) return std::nullopt;
  uint64_t total = 0;
  uint64_t cur = 0;
  bool have_digits = false;
  bool any_unit = false;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      cur = cur * 10 + uint64_t(c - '0');
      if (cur > 0xFFFFFFFFull) return std::nullopt;
      have_digits = true;
      continue;
    }
    uint64_t mult;
    switch (c | 0x20) {
      case 's':
        mult = 1;
        break;
      case 'm':
        mult = 60;
        break;
      case 'h':
        mult = 3600;
        break;
      case 'd':
        mult = 86400;
        break;
      case 'w':
        mult = 604800;
        break;
      default:
        return std::nullopt;
    }
    if (!have_digits) return std::nullopt;
    total += cur * mult;
    if (total > 0xFFFFFFFFull) return std::nullopt;
    cur = 0;
    have_digits = false;
    any_unit = true;
  }
  if (have_digits) {
    total += cur;
  } else if (!any_unit) {
    return std::nullopt;
  }
  if (total > 0xFFFFFFFFull) return std::nullopt;
  return uint32_t(total);
}

bool parseIPv4(std::string_view text, uint8_t out[4]) {
  size_t i = 0;
  const size_t n = text.size();
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (i >= n || text[i] != '.') return false;
      ++i;
    }
    size_t start = i;
    unsigned v = 0;
    while (i < n && text[i] >= '0' && text[i] <= '9' && i - start < 3) v = v * 10 + unsigned(text[i++] - '0');
    size_t digits = i - start;
    if (digits == 0 || v > 255 || (digits > 1 && text[start] == '0')) return false;
    out[part] = uint8_t(v);
  }
  return i == n;
}

bool parseIPv6(std::string_view text, uint8_t out[16]) {
  char buf[64];
  if (text.empty() || text.size() >= sizeof(buf)) return false;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = 0;
  return inet_pton(AF_INET6, buf, out) == 1;
}

void appendIPv4(std::string& out, const uint8_t* a) {
  for (int i = 0; i < 4; ++i) {
    if (i) out.push_back('.');
    out += std::to_string(a[i]);
  }
}

void appendIPv6(std::string& out, const uint8_t* a) {
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(AF_INET6, a, buf, sizeof(buf));
  out += buf;
}

namespace {
int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
int base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}
constexpr char kBase64Chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
}  // namespace

bool decodeHex(std::string_view text, std::vector<uint8_t>& out) {
  if (text.size() % 2 != 0) return false;
  for (size_t i = 0; i < text.size(); i += 2) {
    int h = hexValue(text[i]), l = hexValue(text[i + 1]);
    if (h < 0 || l < 0) return false;
    out.push_back(uint8_t(h << 4 | l));
  }
  return true;
}

void appendHex(std::string& out, std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  for (uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
}

// RFC 4648 §4: groups of four characters, '=' padding only at the end.
bool decodeBase64(std::string_view text, std::vector<uint8_t>& out) {
  if (text.size() % 4 != 0) return false;
  for (size_t i = 0; i < text.size(); i += 4) {
    bool last = i + 4 == text.size();
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      char c = text[i + k];
      if (c == '=' && last && k >= 2) {
        v[k] = 0;
        ++pad;
        continue;
      }
      if (pad > 0) return false;  // data after padding
      v[k] = base64Value(c);
      if (v[k] < 0) return false;
    }
    uint32_t w = uint32_t(v[0]) << 18 | uint32_t(v[1]) << 12 | uint32_t(v[2]) << 6 | uint32_t(v[3]);
    out.push_back(uint8_t(w >> 16));
    if (pad < 2) out.push_back(uint8_t(w >> 8));
    if (pad < 1) out.push_back(uint8_t(w));
    // Non-canonical encodings (bits set in the padding) are rejected so that text round-trips.
    if ((pad == 1 && (w & 0xFF)) || (pad == 2 && (w & 0xFFFF))) return false;
  }
  return true;
}

void appendBase64(std::string& out, std::span<const uint8_t> b) {
  size_t i = 0;
  for (; i + 3 <= b.size(); i += 3) {
    uint32_t w = uint32_t(b[i]) << 16 | uint32_t(b[i + 1]) << 8 | b[i + 2];
    out.push_back(kBase64Chars[w >> 18]);
    out.push_back(kBase64Chars[(w >> 12) & 63]);
    out.push_back(kBase64Chars[(w >> 6) & 63]);
    out.push_back(kBase64Chars[w & 63]);
  }
  size_t rest = b.size() - i;
  if (rest == 1) {
    uint32_t w = uint32_t(b[i]) << 16;
    out.push_back(kBase64Chars[w >> 18]);
    out.push_back(kBase64Chars[(w >> 12) & 63]);
    out += "==";
  } else if (rest == 2) {
    uint32_t w = uint32_t(b[i]) << 16 | uint32_t(b[i + 1]) << 8;
    out.push_back(kBase64Chars[w >> 18]);
    out.push_back(kBase64Chars[(w >> 12) & 63]);
    out.push_back(kBase64Chars[(w >> 6) & 63]);
    out.push_back('=');
  }
}

}  // namespace zk::dns
