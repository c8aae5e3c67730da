// Socket plumbing for the DNS server: listen-address parsing, CIDR allow lists, fd ownership.
#include "authdns/server_net.h"

#include <arpa/inet.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace zk::authdns {

void UniqueFd::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

uint16_t SocketAddress::port() const {
  if (family() == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&storage)->sin_port);
  if (family() == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_port);
  return 0;
}

void SocketAddress::setPort(uint16_t port) {
  if (family() == AF_INET) reinterpret_cast<sockaddr_in*>(&storage)->sin_port = htons(port);
  if (family() == AF_INET6) reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port = htons(port);
}

bool SocketAddress::isWildcard() const {
  if (family() == AF_INET) {
    return reinterpret_cast<const sockaddr_in*>(&storage)->sin_addr.s_addr == htonl(INADDR_ANY);
  }
  if (family() == AF_INET6) {
    return IN6_IS_ADDR_UNSPECIFIED(&reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_addr);
  }
  return false;
}

std::string SocketAddress::toString() const {
  char buf[INET6_ADDRSTRLEN] = {0};
  if (family() == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&storage)->sin_addr, buf, sizeof buf);
    return std::string(buf) + ":" + std::to_string(port());
  }
  if (family() == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_addr, buf, sizeof buf);
    return "[" + std::string(buf) + "]:" + std::to_string(port());
  }
  return "?";
}

namespace {

// Parses a decimal number in [0, max]; rejects signs, spaces and trailing bytes.
bool parseNumber(std::string_view s, unsigned max, unsigned* out) {
  if (s.empty() || s.size() > 5) return false;
  unsigned v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v > max) return false;
  *out = v;
  return true;
}

// Fills `addr` (16 bytes) and returns the family, or 0 when `text` is no literal address.
int parseAddress(std::string_view text, uint8_t* addr) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return 0;
  char buf[INET6_ADDRSTRLEN];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  if (text.find(':') == std::string_view::npos) {
    return inet_pton(AF_INET, buf, addr) == 1 ? AF_INET : 0;
  }
  return inet_pton(AF_INET6, buf, addr) == 1 ? AF_INET6 : 0;
}

}  // namespace

Result<SocketAddress> parseListenAddress(std::string_view text) {
  std::string_view host = text;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) return invalidArgument("listen address: missing ']'");
    host = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return invalidArgument("listen address: expected ':' after ']'");
      port_text = rest.substr(1);
      if (port_text.empty()) return invalidArgument("listen address: empty port");
    }
  } else {
    size_t colon = text.rfind(':');
    if (colon != std::string_view::npos) {
      if (text.find(':') != colon) {
        return invalidArgument("listen address: write IPv6 as [addr]:port");
      }
      host = text.substr(0, colon);
      port_text = text.substr(colon + 1);
      if (port_text.empty()) return invalidArgument("listen address: empty port");
    }
  }
  unsigned port = 53;
  if (!port_text.empty() && !parseNumber(port_text, 65535, &port)) {
    return invalidArgument("listen address: bad port '" + std::string(port_text) + "'");
  }
  uint8_t addr[16];
  int family = parseAddress(host, addr);
  if (family == 0) {
    return invalidArgument("listen address: '" + std::string(host) + "' is not an IP address");
  }
  if (text.front() == '[' && family != AF_INET6) {
    return invalidArgument("listen address: only IPv6 goes in brackets");
  }
  SocketAddress out;
  if (family == AF_INET) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&out.storage);
    sin->sin_family = AF_INET;
    std::memcpy(&sin->sin_addr, addr, 4);
    out.length = sizeof(sockaddr_in);
  } else {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&out.storage);
    sin6->sin6_family = AF_INET6;
    std::memcpy(&sin6->sin6_addr, addr, 16);
    out.length = sizeof(sockaddr_in6);
  }
  out.setPort(static_cast<uint16_t>(port));
  return out;
}

Result<AddressAcl> AddressAcl::parse(const std::vector<std::string>& entries) {
  AddressAcl acl;
  for (const std::string& text : entries) {
    std::string_view s = text;
    std::string_view host = s;
    std::string_view prefix_text;
    size_t slash = s.find('/');
    if (slash != std::string_view::npos) {
      host = s.substr(0, slash);
      prefix_text = s.substr(slash + 1);
    }
    Entry e{};
    e.family = parseAddress(host, e.addr);
    if (e.family == 0) return invalidArgument("axfr_allow: '" + text + "' is not an address or CIDR");
    const unsigned max_bits = e.family == AF_INET ? 32 : 128;
    unsigned bits = max_bits;
    if (slash != std::string_view::npos && !parseNumber(prefix_text, max_bits, &bits)) {
      return invalidArgument("axfr_allow: bad prefix length in '" + text + "'");
    }
    e.prefix = static_cast<int>(bits);
    // Clear host bits so matching is a plain prefix compare ("127.0.0.1/8" means 127/8).
    const size_t len = e.family == AF_INET ? 4 : 16;
    for (size_t i = 0; i < len; ++i) {
      const int keep = std::max(0, std::min(8, e.prefix - static_cast<int>(i) * 8));
      e.addr[i] &= static_cast<uint8_t>(0xff00u >> keep);
    }
    acl.entries_.push_back(e);
  }
  return acl;
}

bool AddressAcl::matches(const Entry& e, int family, const uint8_t* addr) {
  if (e.family != family) return false;
  const int full = e.prefix / 8;
  if (std::memcmp(e.addr, addr, full) != 0) return false;
  const int rest = e.prefix % 8;
  if (rest == 0) return true;
  const uint8_t mask = static_cast<uint8_t>(0xff00u >> rest);
  return (addr[full] & mask) == e.addr[full];
}

bool AddressAcl::allows(const sockaddr* peer) const {
  if (peer == nullptr) return false;
  int family = peer->sa_family;
  const uint8_t* addr = nullptr;
  if (family == AF_INET) {
    addr = reinterpret_cast<const uint8_t*>(&reinterpret_cast<const sockaddr_in*>(peer)->sin_addr);
  } else if (family == AF_INET6) {
    const auto* a6 = &reinterpret_cast<const sockaddr_in6*>(peer)->sin6_addr;
    addr = reinterpret_cast<const uint8_t*>(a6);
    if (IN6_IS_ADDR_V4MAPPED(a6)) {
      family = AF_INET;
      addr += 12;
    }
  } else {
    return false;
  }
  for (const Entry& e : entries_) {
    if (matches(e, family, addr)) return true;
  }
  return false;
}

}  // namespace zk::authdns
