// Domain name parsing, printing and comparison.
#include "dns/name.h"

#include <algorithm>
#include <vector>

namespace zk::dns {

Result<Name> Name::fromText(std::string_view text, const Name* origin) {
  if (text.empty()) return invalidArgument("empty domain name");
  if (text == ".") return Name();
  std::string wire;
  wire.reserve(text.size() + 2);
  std::string label;
  bool absolute = false;
  auto flush = [&]() -> Status {
    if (label.empty()) return invalidArgument("empty label in domain name '" + std::string(text) + "'");
    if (label.size() > kMaxLabelLength)
      return invalidArgument("label longer than 63 octets in domain name '" + std::string(text) + "'");
    wire.push_back(char(label.size()));
    wire += label;
    label.clear();
    return Status();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\\') {
      if (i + 1 >= text.size()) return invalidArgument("dangling escape in domain name");
      char d = text[i + 1];
      if (d >= '0' && d <= '9') {  // \DDD, RFC 1035 §5.1
        if (i + 3 >= text.size()) return invalidArgument("short \\DDD escape in domain name");
        int v = 0;
        for (int k = 1; k <= 3; ++k) {
          char e = text[i + k];
          if (e < '0' || e > '9') return invalidArgument("bad \\DDD escape in domain name");
          v = v * 10 + (e - '0');
        }
        if (v > 255) return invalidArgument("\\DDD escape above 255 in domain name");
        label.push_back(char(v));
        i += 3;
      } else {
        label.push_back(d);
        i += 1;
      }
    } else if (c == '.') {
      ZK_RETURN_IF_ERROR(flush());
      if (i + 1 == text.size()) absolute = true;
    } else {
      label.push_back(c);
    }
  }
  if (!label.empty()) ZK_RETURN_IF_ERROR(flush());
  if (!absolute && origin != nullptr) {
    wire += origin->wire_;
  } else {
    wire.push_back('\0');
  }
  if (wire.size() > kMaxNameLength) return invalidArgument("domain name longer than 255 octets");
  return Name(std::move(wire));
}

Result<Name> Name::fromWire(std::span<const uint8_t> w) {
  size_t pos = 0;
  while (true) {
    if (pos >= w.size()) return invalidArgument("truncated domain name");
    uint8_t len = w[pos];
    if (len == 0) break;
    if (len > kMaxLabelLength) return invalidArgument("label longer than 63 octets");
    pos += 1 + len;
  }
  if (pos + 1 > kMaxNameLength) return invalidArgument("domain name longer than 255 octets");
  return Name(std::string(reinterpret_cast<const char*>(w.data()), pos + 1));
}

std::string Name::toText() const {
  if (isRoot()) return ".";
  std::string out;
  out.reserve(wire_.size() + 4);
  size_t pos = 0;
  while (uint8_t len = uint8_t(wire_[pos])) {
    for (size_t i = 1; i <= len; ++i) {
      uint8_t c = uint8_t(wire_[pos + i]);
      if (c == '.' || c == '\\' || c == '"' || c == '(' || c == ')' || c == ';' || c == '@' || c == '$') {
        out.push_back('\\');
        out.push_back(char(c));
      } else if (c <= 0x20 || c >= 0x7f) {
        char buf[5];
        buf[0] = '\\';
        buf[1] = char('0' + c / 100);
        buf[2] = char('0' + (c / 10) % 10);
        buf[3] = char('0' + c % 10);
        buf[4] = 0;
        out += buf;
      } else {
        out.push_back(char(c));
      }
    }
    out.push_back('.');
    pos += 1 + len;
  }
  return out;
}

size_t Name::labelCount() const {
  size_t n = 0, pos = 0;
  while (uint8_t len = uint8_t(wire_[pos])) {
    ++n;
    pos += 1 + len;
  }
  return n;
}

Name Name::lowercased() const {
  std::string w = wire_;
  size_t pos = 0;
  while (uint8_t len = uint8_t(w[pos])) {
    for (size_t i = 1; i <= len; ++i) w[pos + i] = char(asciiLower(uint8_t(w[pos + i])));
    pos += 1 + len;
  }
  return Name(std::move(w));
}

Name Name::parent() const {
  if (isRoot()) return *this;
  return Name(wire_.substr(1 + uint8_t(wire_[0])));
}

Name Name::suffix(size_t n) const {
  size_t total = labelCount();
  size_t skip = total > n ? total - n : 0;
  size_t pos = 0;
  while (skip-- > 0) pos += 1 + uint8_t(wire_[pos]);
  return Name(wire_.substr(pos));
}

Result<Name> Name::prepend(std::string_view label) const {
  if (label.empty() || label.size() > kMaxLabelLength) return invalidArgument("bad label length");
  if (wire_.size() + 1 + label.size() > kMaxNameLength)
    return invalidArgument("domain name longer than 255 octets");
  std::string w;
  w.reserve(wire_.size() + 1 + label.size());
  w.push_back(char(label.size()));
  w += label;
  w += wire_;
  return Name(std::move(w));
}

bool Name::isSubdomainOf(const Name& ancestor) const {
  if (ancestor.wire_.size() > wire_.size()) return false;
  // Walk labels until the remaining length matches the ancestor's; the suffix must then be equal.
  size_t pos = 0;
  while (wire_.size() - pos > ancestor.wire_.size()) pos += 1 + uint8_t(wire_[pos]);
  if (wire_.size() - pos != ancestor.wire_.size()) return false;
  for (size_t i = 0; i < ancestor.wire_.size(); ++i)
    if (asciiLower(uint8_t(wire_[pos + i])) != asciiLower(uint8_t(ancestor.wire_[i]))) return false;
  return true;
}

bool Name::operator==(const Name& other) const {
  if (wire_.size() != other.wire_.size()) return false;
  for (size_t i = 0; i < wire_.size(); ++i)
    if (asciiLower(uint8_t(wire_[i])) != asciiLower(uint8_t(other.wire_[i]))) return false;
  return true;
}

std::strong_ordering Name::canonicalCompare(const Name& other) const {
  // Label start offsets, compared from the rightmost label.
  auto offsets = [](const std::string& w, size_t* out) {
    size_t n = 0, pos = 0;
    while (uint8_t len = uint8_t(w[pos])) {
      out[n++] = pos;
      pos += 1 + len;
    }
    return n;
  };
  size_t a[128], b[128];
  size_t na = offsets(wire_, a), nb = offsets(other.wire_, b);
  while (na > 0 && nb > 0) {
    --na;
    --nb;
    const uint8_t* la = reinterpret_cast<const uint8_t*>(wire_.data()) + a[na];
    const uint8_t* lb = reinterpret_cast<const uint8_t*>(other.wire_.data()) + b[nb];
    size_t n = std::min(la[0], lb[0]);
    for (size_t i = 1; i <= n; ++i) {
      uint8_t x = asciiLower(la[i]), y = asciiLower(lb[i]);
      if (x != y) return x <=> y;
    }
    if (la[0] != lb[0]) return la[0] <=> lb[0];
  }
  return na <=> nb;
}

size_t Name::hash() const {
  // FNV-1a over the lowercased wire form.
  uint64_t h = 1469598103934665603ull;
  for (char c : wire_) {
    h ^= asciiLower(uint8_t(c));
    h *= 1099511628211ull;
  }
  return size_t(h);
}

}  // namespace zk::dns
