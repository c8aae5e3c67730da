// LookupName: a lowercased wire-form name with the hash of every suffix, built once per query on the stack.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "dns/name.h"

namespace zk::zone {

// The hash of a name is computed label by label from the root towards the leftmost label, so one
// pass yields the hash of every suffix: "www.example.com." hashes to
// mix(mix(mix(seed, "com"), "example"), "www"). The zone's node table, the zone set's apex table
// and the closest-encloser search (RFC 4592 §3.3.1) all probe with these suffix hashes, without
// re-hashing. Bytes are lowercased (ASCII, RFC 4343) before hashing.
inline constexpr uint64_t kRootHash = 0x6a09e667f3bcc908ull;

// Hash of one label (`label` points at its length byte; bytes already lowercased) below a suffix
// whose hash is `parent`. Reads up to 7 bytes past the label: callers keep 8 bytes of slack.
uint64_t hashLabel(uint64_t parent, const uint8_t* label);

// Hash of "<label>.<suffix>" where `label` is given as text without length byte (e.g. "*").
uint64_t hashLabelText(uint64_t parent, std::string_view label);

// Value type (about 1.4 KB; meant for the stack). Not thread-safe to mutate; safe to share const.
class LookupName {
 public:
  static constexpr size_t kMaxLabels = 128;

  LookupName() { clear(); }

  // Copies `wire` (uncompressed, may be mixed case) and lowercases it. False when the bytes are not
  // one well-formed uncompressed name (label > 63, total > 255, missing root label).
  bool assign(const uint8_t* wire, size_t len);
  bool assign(const dns::Name& name) { return assign(name.wire().data(), name.wireLength()); }

  // Reads an uncompressed name from a message at `pos` (the question of a query, RFC 1035 §4.1.2);
  // advances `pos` past it. Compression pointers and extended label types are rejected (false).
  bool parse(const uint8_t* msg, size_t msg_len, size_t& pos);

  // Makes this name "<labels [0, label_count) of `prefix`>" + `suffix` (DNAME substitution,
  // RFC 6672 §2.2). False when the result would exceed 255 octets.
  bool assignSubstituted(const LookupName& prefix, size_t label_count, const uint8_t* suffix,
                         size_t suffix_len);

  const uint8_t* wire() const { return wire_; }
  size_t length() const { return len_; }
  size_t labelCount() const { return labels_; }
  // Start of label i (0 = leftmost); labelOffset(labelCount()) is the root label.
  size_t labelOffset(size_t i) const { return offsets_[i]; }
  // Hash of the suffix starting at label i; suffixHash(labelCount()) == kRootHash.
  uint64_t suffixHash(size_t i) const { return hashes_[i]; }
  uint64_t hash() const { return hashes_[0]; }
  // Length of the suffix starting at label i.
  size_t suffixLength(size_t i) const { return len_ - offsets_[i]; }
  const uint8_t* suffix(size_t i) const { return wire_ + offsets_[i]; }

  // True when the suffix at label i equals `lower_wire` (already lowercase), by hash then bytes.
  bool suffixEquals(size_t i, uint64_t hash, const uint8_t* lower_wire, size_t len) const {
    return hashes_[i] == hash && size_t(len_ - offsets_[i]) == len &&
           std::memcmp(wire_ + offsets_[i], lower_wire, len) == 0;
  }

  dns::Name toName() const;

 private:
  void clear() {
    len_ = 1;
    labels_ = 0;
    wire_[0] = 0;
    std::memset(wire_ + 1, 0, 8);
    offsets_[0] = 0;
    hashes_[0] = kRootHash;
  }
  void finish();  // computes the suffix hashes from offsets_

  uint8_t wire_[dns::kMaxNameLength + 9];  // +8 bytes of zeroed slack for word-wise hashing
  uint8_t len_ = 1;
  uint8_t labels_ = 0;
  uint8_t offsets_[kMaxLabels + 1];
  uint64_t hashes_[kMaxLabels + 1];
};

// Case-insensitive equality of `stored` (any case) with `lower` (lowercase), both wire form.
inline bool wireEqualsLower(const uint8_t* stored, const uint8_t* lower, size_t len) {
  if (std::memcmp(stored, lower, len) == 0) return true;
  for (size_t i = 0; i < len; ++i)
    if (dns::asciiLower(stored[i]) != lower[i]) return false;
  return true;
}

// Hash of a whole name of any case (allocates nothing; builds a LookupName internally).
uint64_t hashName(std::span<const uint8_t> wire);

}  // namespace zk::zone
