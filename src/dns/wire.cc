// Name decompression for WireReader.
#include "dns/wire.h"

namespace zk::dns {

size_t WireReader::nameInto(uint8_t* out) {
  if (!ok_) return 0;
  size_t len = 0;
  size_t p = pos_;
  size_t end_pos = 0;  // where reading continues after the name (after the first pointer)
  bool jumped = false;
  size_t bound = pos_;  // a pointer must point strictly before the label that holds it
  while (true) {
    if (p >= msg_.size()) {
      ok_ = false;
      return 0;
    }
    uint8_t b = msg_[p];
    if ((b & 0xC0) == 0xC0) {
      if (p + 1 >= msg_.size()) {
        ok_ = false;
        return 0;
      }
      size_t target = size_t(b & 0x3F) << 8 | msg_[p + 1];
      if (!jumped) {
        end_pos = p + 2;
        jumped = true;
      }
      if (target >= bound) {
        ok_ = false;
        return 0;
      }  // forward or self pointer: loop guard
      bound = target;
      p = target;
      continue;
    }
    if ((b & 0xC0) != 0) {
      ok_ = false;
      return 0;
    }  // 0x40/0x80: extended label types, RFC 6891 §5
    if (len + 1 + b > kMaxNameLength) {
      ok_ = false;
      return 0;
    }
    if (p + 1 + b > msg_.size()) {
      ok_ = false;
      return 0;
    }
    std::memcpy(out + len, msg_.data() + p, 1 + b);
    len += 1 + b;
    p += 1 + b;
    if (b == 0) break;
    if (!jumped) bound = p;  // labels after the current one may be pointed back to... keep it strict
  }
  pos_ = jumped ? end_pos : p;
  return len;
}

Name WireReader::name() {
  uint8_t buf[kMaxNameLength];
  size_t n = nameInto(buf);
  if (!ok_ || n == 0) {
    ok_ = false;
    return Name();
  }
  auto r = Name::fromWire(std::span<const uint8_t>(buf, n));
  if (!r.ok()) {
    ok_ = false;
    return Name();
  }
  return std::move(r).value();
}

}  // namespace zk::dns
