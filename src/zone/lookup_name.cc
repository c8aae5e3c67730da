// Lowercasing and suffix hashing of names for zone and zone-set lookups.
#include "zone/lookup_name.h"

namespace zk::zone {

namespace {

inline uint64_t fmix64(uint64_t h) {  // MurmurHash3 finalizer
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

inline uint64_t load8(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

}  // namespace

uint64_t hashLabel(uint64_t parent, const uint8_t* label) {
  size_t n = size_t(label[0]) + 1;  // length byte included
  uint64_t h = parent ^ (uint64_t(n) * 0x9e3779b97f4a7c15ull);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    h = (h ^ load8(label + i)) * 0x87c37b91114253d5ull;
    h ^= h >> 29;
  }
  if (i < n) {
    size_t rest = n - i;  // 1..7
    uint64_t v = load8(label + i) & ((uint64_t(1) << (rest * 8)) - 1);
    h = (h ^ v) * 0x87c37b91114253d5ull;
  }
  return fmix64(h);
}

uint64_t hashLabelText(uint64_t parent, std::string_view label) {
  uint8_t buf[64 + 8] = {};
  size_t n = label.size() > 63 ? 63 : label.size();
  buf[0] = uint8_t(n);
  for (size_t i = 0; i < n; ++i) buf[1 + i] = dns::asciiLower(uint8_t(label[i]));
  return hashLabel(parent, buf);
}

void LookupName::finish() {
  offsets_[labels_] = uint8_t(len_ - 1);
  hashes_[labels_] = kRootHash;
  std::memset(wire_ + len_, 0, 8);
  for (size_t i = labels_; i-- > 0;) hashes_[i] = hashLabel(hashes_[i + 1], wire_ + offsets_[i]);
}

bool LookupName::assign(const uint8_t* wire, size_t len) {
  size_t pos = 0;
  size_t labels = 0;
  while (true) {
    if (pos >= len) return clear(), false;
    uint8_t l = wire[pos];
    if (l == 0) break;
    if (l > dns::kMaxLabelLength || pos + 1 + l >= len || pos + 1 + l + 1 > dns::kMaxNameLength ||
        labels >= kMaxLabels)
      return clear(), false;
    offsets_[labels++] = uint8_t(pos);
    wire_[pos] = l;
    for (size_t k = 1; k <= l; ++k) wire_[pos + k] = dns::asciiLower(wire[pos + k]);
    pos += 1 + l;
  }
  wire_[pos] = 0;
  len_ = uint8_t(pos + 1);
  labels_ = uint8_t(labels);
  finish();
  return true;
}

bool LookupName::parse(const uint8_t* msg, size_t msg_len, size_t& pos_io) {
  size_t pos = pos_io;
  size_t out = 0;
  size_t labels = 0;
  while (true) {
    if (pos >= msg_len) return clear(), false;
    uint8_t l = msg[pos];
    if (l == 0) break;
    if (l > dns::kMaxLabelLength) return clear(), false;  // pointer or extended label type
    if (pos + 1 + l > msg_len || out + 1 + l + 1 > dns::kMaxNameLength) return clear(), false;
    offsets_[labels++] = uint8_t(out);
    wire_[out] = l;
    const uint8_t* src = msg + pos + 1;
    uint8_t* dst = wire_ + out + 1;
    for (size_t k = 0; k < l; ++k) dst[k] = dns::asciiLower(src[k]);
    out += 1 + l;
    pos += 1 + l;
  }
  wire_[out] = 0;
  len_ = uint8_t(out + 1);
  labels_ = uint8_t(labels);
  pos_io = pos + 1;
  finish();
  return true;
}

bool LookupName::assignSubstituted(const LookupName& prefix, size_t label_count, const uint8_t* suffix,
                                   size_t suffix_len) {
  size_t plen = prefix.offsets_[label_count];
  if (plen + suffix_len > dns::kMaxNameLength) return false;
  uint8_t tmp[dns::kMaxNameLength];
  std::memcpy(tmp, prefix.wire_, plen);
  std::memcpy(tmp + plen, suffix, suffix_len);
  return assign(tmp, plen + suffix_len);
}

dns::Name LookupName::toName() const {
  auto r = dns::Name::fromWire(std::span<const uint8_t>(wire_, len_));
  return r.ok() ? std::move(r).value() : dns::Name();
}

uint64_t hashName(std::span<const uint8_t> wire) {
  LookupName n;
  if (!n.assign(wire.data(), wire.size())) return 0;
  return n.hash();
}

}  // namespace zk::zone
