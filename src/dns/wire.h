// Bounds-checked reading and writing of DNS wire data. Reads never go past the buffer: the first
// failure is sticky (every later read returns zeros) and is checked once at the end, as in Knot.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

#include "dns/name.h"

namespace zk::dns {

class WireReader {
 public:
  // `message` is the whole DNS message (compression pointers are offsets into it).
  explicit WireReader(std::span<const uint8_t> message, size_t pos = 0) : msg_(message), pos_(pos) {}

  bool ok() const { return ok_; }
  size_t pos() const { return pos_; }
  size_t remaining() const { return ok_ ? msg_.size() - pos_ : 0; }
  std::span<const uint8_t> message() const { return msg_; }
  void fail() { ok_ = false; }

  uint8_t u8() {
    if (!need(1)) return 0;
    return msg_[pos_++];
  }
  uint16_t u16() {
    if (!need(2)) return 0;
    uint16_t v = uint16_t(msg_[pos_] << 8 | msg_[pos_ + 1]);
    pos_ += 2;
    return v;
  }
  uint32_t u32() {
    if (!need(4)) return 0;
    uint32_t v = uint32_t(msg_[pos_]) << 24 | uint32_t(msg_[pos_ + 1]) << 16 | uint32_t(msg_[pos_ + 2]) << 8 |
                 uint32_t(msg_[pos_ + 3]);
    pos_ += 4;
    return v;
  }
  std::span<const uint8_t> bytes(size_t n) {
    if (!need(n)) return {};
    auto s = msg_.subspan(pos_, n);
    pos_ += n;
    return s;
  }
  void skip(size_t n) { (void)bytes(n); }

  // Reads a possibly compressed name (RFC 1035 §4.1.4) into uncompressed wire form.
  // Pointers must point backwards (strictly before the start of the pointing label), which bounds
  // the chain and rules out loops; the expanded name must fit in 255 octets.
  Name name();
  // Same, but appends the expanded wire bytes to `out` (no allocation of a Name); returns length.
  size_t nameInto(uint8_t* out /* >= 255 bytes */);

 private:
  bool need(size_t n) {
    if (!ok_ || msg_.size() - pos_ < n) {
      ok_ = false;
      return false;
    }
    return true;
  }
  std::span<const uint8_t> msg_;
  size_t pos_;
  bool ok_ = true;
};

// Appends to a growable buffer, optionally capped at `limit` bytes (then overflowed() is set and
// nothing more is written: callers use it to detect truncation).
class WireWriter {
 public:
  explicit WireWriter(std::vector<uint8_t>& out, size_t limit = 65535) : out_(out), limit_(limit) {}

  bool overflowed() const { return overflow_; }
  size_t size() const { return out_.size(); }
  std::vector<uint8_t>& buffer() { return out_; }

  void u8(uint8_t v) {
    if (room(1)) out_.push_back(v);
  }
  void u16(uint16_t v) {
    if (!room(2)) return;
    out_.push_back(uint8_t(v >> 8));
    out_.push_back(uint8_t(v));
  }
  void u32(uint32_t v) {
    if (!room(4)) return;
    for (int s = 24; s >= 0; s -= 8) out_.push_back(uint8_t(v >> s));
  }
  void bytes(std::span<const uint8_t> b) {
    if (!room(b.size())) return;
    out_.insert(out_.end(), b.begin(), b.end());
  }
  void bytes(std::string_view s) {
    bytes(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
  }
  void patchU16(size_t at, uint16_t v) {
    if (at + 2 > out_.size()) return;
    out_[at] = uint8_t(v >> 8);
    out_[at + 1] = uint8_t(v);
  }
  // Writes a name uncompressed.
  void name(const Name& n) { bytes(n.wire()); }

 private:
  bool room(size_t n) {
    if (overflow_ || out_.size() + n > limit_) {
      overflow_ = true;
      return false;
    }
    return true;
  }
  std::vector<uint8_t>& out_;
  size_t limit_;
  bool overflow_ = false;
};

}  // namespace zk::dns
