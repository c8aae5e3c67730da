// Domain names in uncompressed wire form (RFC 1035 §3.1), with text conversion and canonical order.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "base/result.h"

namespace zk::dns {

inline constexpr size_t kMaxNameLength = 255;  // RFC 1035 §2.3.4, wire octets incl. root label
inline constexpr size_t kMaxLabelLength = 63;

// An absolute domain name. Stored as wire bytes: length-prefixed labels ending with the root label.
// Case is preserved; comparison and hashing are case-insensitive (ASCII, RFC 4343).
// A value type; thread-compatible.
class Name {
 public:
  Name() : wire_(1, '\0') {}  // the root name "."

  // Parses presentation form ("www.example.com.", escapes \. and \DDD, RFC 1035 §5.1).
  // A name without a trailing dot is relative to `origin` when given, else taken as absolute.
  // "@" is not handled here (the master-file parser replaces it with the origin).
  static Result<Name> fromText(std::string_view text, const Name* origin = nullptr);
  // Takes uncompressed wire bytes; validates label lengths and total length.
  static Result<Name> fromWire(std::span<const uint8_t> wire);

  // Presentation form with a trailing dot; the root is ".". Non-printable bytes as \DDD.
  std::string toText() const;

  std::span<const uint8_t> wire() const {
    return {reinterpret_cast<const uint8_t*>(wire_.data()), wire_.size()};
  }
  const std::string& wireString() const { return wire_; }
  size_t wireLength() const { return wire_.size(); }
  size_t labelCount() const;  // not counting the root label
  bool isRoot() const { return wire_.size() == 1; }
  bool isWildcard() const { return wire_.size() >= 2 && wire_[0] == 1 && wire_[1] == '*'; }
  // The first (leftmost) label, without its length byte.
  std::string_view firstLabel() const { return std::string_view(wire_).substr(1, uint8_t(wire_[0])); }

  Name lowercased() const;
  // The name with the first label removed; the root's parent is the root.
  Name parent() const;
  // The name keeping only the last n labels (n <= labelCount()).
  Name suffix(size_t n) const;
  // label + "." + this; fails when the result is too long or the label is empty or too long.
  Result<Name> prepend(std::string_view label) const;
  // "*." + this (RFC 4592).
  Result<Name> wildcard() const { return prepend("*"); }

  // True when this name equals `ancestor` or lies below it (case-insensitive).
  bool isSubdomainOf(const Name& ancestor) const;

  bool operator==(const Name& other) const;
  // DNSSEC canonical order (RFC 4034 §6.1): compare labels right to left, case-insensitive.
  // This is also the order Route 53 lists records in.
  std::strong_ordering canonicalCompare(const Name& other) const;
  size_t hash() const;  // case-insensitive

 private:
  explicit Name(std::string wire) : wire_(std::move(wire)) {}
  std::string wire_;
};

inline uint8_t asciiLower(uint8_t c) { return (c >= 'A' && c <= 'Z') ? uint8_t(c + 32) : c; }

struct NameHash {
  size_t operator()(const Name& n) const { return n.hash(); }
};

struct CanonicalLess {
  bool operator()(const Name& a, const Name& b) const { return a.canonicalCompare(b) < 0; }
};

}  // namespace zk::dns
