// Socket plumbing for the DNS server: listen-address parsing, CIDR allow lists, fd ownership.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace zk::authdns {

// Owns a file descriptor; closes it on destruction. Move-only.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

// An IPv4 or IPv6 socket address.
struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;

  int family() const { return storage.ss_family; }
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
  uint16_t port() const;
  void setPort(uint16_t port);
  bool isWildcard() const;       // 0.0.0.0 or ::
  std::string toString() const;  // "1.2.3.4:53", "[::1]:53"
};

// "127.0.0.1:5353", "[::1]:5353", "0.0.0.0:53", "[::]:53"; a bare address means port 53.
// Literal addresses only (no name resolution).
Result<SocketAddress> parseListenAddress(std::string_view text);

// An allow list of CIDR prefixes ("10.0.0.0/8", "::1/128", a bare address = host route).
// IPv4-mapped IPv6 peers (::ffff:a.b.c.d on dual-stack sockets) match the IPv4 entries.
// Immutable after parse(); thread-safe to query.
class AddressAcl {
 public:
  static Result<AddressAcl> parse(const std::vector<std::string>& entries);
  bool allows(const sockaddr* peer) const;
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    int family;        // AF_INET or AF_INET6
    uint8_t addr[16];  // masked to the prefix
    int prefix;        // bits
  };
  static bool matches(const Entry& e, int family, const uint8_t* addr);
  std::vector<Entry> entries_;
};

}  // namespace zk::authdns
