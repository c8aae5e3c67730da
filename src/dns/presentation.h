// Presentation-format helpers (RFC 1035 §5.1) shared by RDATA text conversion and the zone-file
// parser: a tokenizer over string_views, fast name/number/address parsing into caller buffers,
// character-string escapes, TTL units, hex and base64. Internal to the dns module.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "dns/name.h"

namespace zk::dns {

// One whitespace-separated token. `raw` excludes surrounding quotes and still holds its escapes.
struct Token {
  std::string_view raw;
  size_t offset = 0;  // of the token's first character (the quote for quoted tokens)
  bool quoted = false;
  bool adjacent = false;  // no whitespace between the previous token and this one
};

// Splits RDATA text into tokens: runs of non-blank characters (a backslash escapes the next
// character) or "quoted strings" (\" and \\ inside). A quote also ends an unquoted run, so
// `key="a b"` gives `key=` then an adjacent quoted `a b`.
class Tokenizer {
 public:
  explicit Tokenizer(std::string_view text) : text_(text) {}
  // False at the end of the text or on an unterminated quote (then error() is true).
  bool next(Token& t);
  // True when only blanks remain.
  bool atEnd();
  bool error() const { return error_; }
  size_t pos() const { return pos_; }
  std::string_view rest() const { return text_.substr(pos_); }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  bool error_ = false;
};

inline bool isBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Parses a presentation-form name into uncompressed wire form at `out` (>= 255 bytes); returns
// the length, or 0 with `error` set. "@" is the origin; names without a trailing dot are made
// absolute with `origin`. When `origin` is null, "@" and relative names are errors.
size_t parseNameInto(std::string_view text, const Name* origin, uint8_t* out, std::string* error);

// Decodes the escapes of a <character-string> (\X and \DDD, RFC 1035 §5.1), appending the bytes.
bool decodeEscapes(std::string_view raw, std::vector<uint8_t>& out);

// Appends `bytes` as a quoted character-string: `"` and `\` escaped, non-printables as \DDD.
void appendQuoted(std::string& out, std::span<const uint8_t> bytes);

// Unsigned decimal in [0, max]; no sign, no blanks.
std::optional<uint64_t> parseDecimal(std::string_view text, uint64_t max);
// A TTL / time period: "3600", or units "1w2d3h4m5s" (case-insensitive), up to 2^32-1.
std::optional<uint32_t> parseTtl(std::string_view text);

bool parseIPv4(std::string_view text, uint8_t out[4]);
bool parseIPv6(std::string_view text, uint8_t out[16]);
void appendIPv4(std::string& out, const uint8_t* a);
void appendIPv6(std::string& out, const uint8_t* a);

// Hex digits (even count) appended as bytes; false on a bad digit or odd count.
bool decodeHex(std::string_view text, std::vector<uint8_t>& out);
void appendHex(std::string& out, std::span<const uint8_t> bytes);  // uppercase
// Standard base64 (RFC 4648 §4) with padding; false on bad input.
bool decodeBase64(std::string_view text, std::vector<uint8_t>& out);
void appendBase64(std::string& out, std::span<const uint8_t> bytes);

// Converts presentation RDATA for `type` to wire form, appending to `out`. On error, `error_offset`
// (when given) receives the offset in `text` of the offending token. See rdataFromText; a null
// `origin` makes relative names in the RDATA an error.
Status appendRdataFromText(uint16_t type, std::string_view text, const Name* origin,
                           std::vector<uint8_t>& out, size_t* error_offset);

}  // namespace zk::dns
