// DnsServer: binds the UDP and TCP sockets on one port, runs and stops the worker threads.
#include "authdns/server.h"

#include <netinet/in.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

#include "authdns/server_workers.h"

namespace zk::authdns {

namespace {

constexpr int kSocketBuffer = 4 * 1024 * 1024;  // UDP SO_RCVBUF/SO_SNDBUF: absorb bursts
constexpr int kListenBacklog = 1024;
constexpr int kAxfrThreads = 2;

// Result of opening one socket: the fd, or the errno of the failing step.
struct Opened {
  UniqueFd fd;
  int err = 0;
  const char* step = "";
};

void setInt(int fd, int level, int name, int value) { ::setsockopt(fd, level, name, &value, sizeof value); }

Opened openSocket(const SocketAddress& addr, bool tcp) {
  Opened o;
  const int type = tcp ? SOCK_STREAM | SOCK_NONBLOCK : SOCK_DGRAM;
  o.fd.reset(::socket(addr.family(), type | SOCK_CLOEXEC, 0));
  const int fd = o.fd.get();
  if (fd < 0) {
    o.err = errno;
    o.step = "socket";
    return o;
  }
  // One socket per thread in a SO_REUSEPORT group: the kernel spreads flows over them.
  setInt(fd, SOL_SOCKET, SO_REUSEPORT, 1);
  if (tcp) setInt(fd, SOL_SOCKET, SO_REUSEADDR, 1);
  if (addr.family() == AF_INET6 && addr.isWildcard()) setInt(fd, IPPROTO_IPV6, IPV6_V6ONLY, 0);
  if (!tcp) {
    // Larger buffers than the default when allowed (FORCE needs CAP_NET_ADMIN; fall back).
    if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &kSocketBuffer, sizeof kSocketBuffer) != 0) {
      setInt(fd, SOL_SOCKET, SO_RCVBUF, kSocketBuffer);
    }
    if (::setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &kSocketBuffer, sizeof kSocketBuffer) != 0) {
      setInt(fd, SOL_SOCKET, SO_SNDBUF, kSocketBuffer);
    }
    // An idle worker wakes up now and then to drop old snapshots; stop() does not rely on it.
    timeval tv{kIdleWakeupMs / 1000, (kIdleWakeupMs % 1000) * 1000};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (addr.isWildcard()) {
      // Learn each query's destination address so the reply leaves from it.
      setInt(fd, IPPROTO_IP, IP_PKTINFO, 1);
      if (addr.family() == AF_INET6) setInt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1);
    }
  }
  if (::bind(fd, addr.get(), addr.length) != 0) {
    o.err = errno;
    o.step = "bind";
    o.fd.reset();
    return o;
  }
  if (tcp && ::listen(fd, kListenBacklog) != 0) {
    o.err = errno;
    o.step = "listen";
    o.fd.reset();
  }
  return o;
}

// Binds a throwaway socket WITHOUT SO_REUSEPORT: fails with EADDRINUSE when anyone (another
// server of the same user included, which SO_REUSEPORT would silently share the port with)
// holds the port. Returns 0 or the errno.
int probeFree(const SocketAddress& addr, bool tcp) {
  UniqueFd fd(::socket(addr.family(), (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return errno;
  if (tcp) setInt(fd.get(), SOL_SOCKET, SO_REUSEADDR, 1);  // TIME_WAIT leftovers are no clash
  if (addr.family() == AF_INET6 && addr.isWildcard()) setInt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, 0);
  return ::bind(fd.get(), addr.get(), addr.length) == 0 ? 0 : errno;
}

uint16_t boundPort(int fd) {
  SocketAddress a;
  a.length = sizeof a.storage;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&a.storage), &a.length) != 0) return 0;
  return a.port();
}

}  // namespace

DnsServer::DnsServer(ServerConfig config, QueryHandler& handler)
    : config_(std::move(config)), handler_(handler) {}

DnsServer::DnsServer(ServerConfig config, std::unique_ptr<QueryHandler> owned)
    : config_(std::move(config)), owned_handler_(std::move(owned)), handler_(*owned_handler_) {}

DnsServer::~DnsServer() { stop(); }

Status DnsServer::start() {
  if (started_) return failedPrecondition("dns server already started");
  Result<SocketAddress> listen = parseListenAddress(config_.listen);
  if (!listen.ok()) return listen.status();
  Result<AddressAcl> acl = AddressAcl::parse(config_.axfr_allow);
  if (!acl.ok()) return acl.status();
  if (config_.workers < 0 || config_.tcp_workers < 0) return invalidArgument("negative worker count");
  if (config_.tcp_idle_timeout.count() <= 0) return invalidArgument("tcp_idle_timeout must be > 0");
  const int udp_count = config_.workers > 0
                            ? config_.workers
                            : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  const int tcp_count = config_.tcp_workers > 0 ? config_.tcp_workers : udp_count;

  auto shared = std::make_unique<ServerShared>(handler_, std::move(*acl), config_.tcp_max_connections,
                                               config_.tcp_idle_timeout);
  shared->stop_fd.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!shared->stop_fd.valid()) return unavailable(std::string("eventfd: ") + std::strerror(errno));

  // TCP first: the kernel's choice for port 0 avoids ports any TCP socket holds, even in
  // SO_REUSEPORT groups of the same user (UDP's does not), then UDP joins the same port. With
  // port 0 a clash is retried on a fresh port.
  const bool any_port = listen->port() == 0;
  std::vector<UniqueFd> tcp_fds;
  std::vector<UniqueFd> udp_fds;
  Status bind_error;
  for (int attempt = 0; attempt < (any_port ? 16 : 1); ++attempt) {
    tcp_fds.clear();
    udp_fds.clear();
    bind_error = Status::ok();
    SocketAddress addr = *listen;
    bool clash = false;
    for (int i = 0; i < tcp_count + udp_count && bind_error.isOk(); ++i) {
      const bool tcp = i < tcp_count;
      if ((i == 0 || i == tcp_count) && addr.port() != 0) {
        if (int err = probeFree(addr, tcp); err != 0) {
          clash = err == EADDRINUSE;
          bind_error = unavailable(std::string(tcp ? "tcp" : "udp") + " bind " + addr.toString() + ": " +
                                   std::strerror(err));
          break;
        }
      }
      Opened o = openSocket(addr, tcp);
      if (!o.fd.valid()) {
        clash = o.err == EADDRINUSE;
        bind_error = unavailable(std::string(tcp ? "tcp " : "udp ") + o.step + " " + addr.toString() + ": " +
                                 std::strerror(o.err));
        break;
      }
      if (i == 0) addr.setPort(boundPort(o.fd.get()));
      (tcp ? tcp_fds : udp_fds).push_back(std::move(o.fd));
    }
    if (bind_error.isOk()) {
      udp_port_ = tcp_port_ = addr.port();
      break;
    }
    if (!(any_port && clash)) break;
  }
  if (!bind_error.isOk()) return bind_error;

  const bool wildcard = listen->isWildcard();
  auto axfr = std::make_unique<AxfrPool>(*shared, kAxfrThreads);
  std::vector<std::unique_ptr<TcpWorker>> tcp;
  for (auto& fd : tcp_fds) {
    tcp.push_back(std::make_unique<TcpWorker>(std::move(fd), *shared, *axfr));
    ZK_RETURN_IF_ERROR(tcp.back()->init());
  }
  std::vector<std::unique_ptr<UdpWorker>> udp;
  for (auto& fd : udp_fds) udp.push_back(std::make_unique<UdpWorker>(std::move(fd), wildcard, *shared));

  shared_ = std::move(shared);
  axfr_ = std::move(axfr);
  tcp_ = std::move(tcp);
  udp_ = std::move(udp);
  axfr_->start();
  for (auto& w : tcp_) w->start();
  for (auto& w : udp_) w->start();
  started_ = true;
  return Status::ok();
}

void DnsServer::stop() {
  if (!started_) return;
  started_ = false;
  shared_->stopping.store(true);
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t r = ::write(shared_->stop_fd.get(), &one, sizeof one);  // TCP + AXFR
  for (auto& w : udp_) w->wake();
  for (auto& w : udp_) w->join();
  axfr_->stop();  // before the TCP workers go: transfers hand connections back to them
  for (auto& w : tcp_) w->join();
  axfr_.reset();
  tcp_.clear();
  udp_.clear();
  shared_.reset();
}

}  // namespace zk::authdns
