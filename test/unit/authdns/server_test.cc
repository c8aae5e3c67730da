// Tests for DnsServer over real loopback sockets: UDP, TCP (RFC 7766), AXFR, limits, garbage, stop.
#include "authdns/server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "authdns/server_net.h"

namespace zk::authdns {
namespace {

using namespace std::chrono_literals;
using Bytes = std::vector<uint8_t>;
using Clock = std::chrono::steady_clock;

// ---------------------------------------------------------------------------------------------
// A DNS-agnostic test handler. Byte 12 of a query selects the behaviour:
//   'B' + u16 size  -> a response of exactly `size` bytes (header copied, then a byte pattern)
//   'X'             -> a zone transfer (isZoneTransfer); 'X','E' fails after one message;
//                      'X','S' streams 1000 messages of 60000 bytes (slow peers, stop())
//   anything else   -> echo with QR set; byte 3 = 0x10 if TCP | 0x20 if axfr_allowed
// Queries shorter than 12 bytes get no response.
class TestHandler final : public QueryHandler {
 public:
  class W final : public Worker {
   public:
    explicit W(TestHandler& h) : h_(h) {}
    void beginBatch() override {
      in_batch_ = true;
      h_.batches.fetch_add(1, std::memory_order_relaxed);
    }
    void idle() override { in_batch_ = false; }
    size_t answer(std::span<const uint8_t> q, std::span<uint8_t> out, const QueryContext& ctx) override {
      if (!in_batch_) h_.outside_batch.fetch_add(1);
      h_.answered.fetch_add(1, std::memory_order_relaxed);
      if (q.size() < 12) return 0;
      if (q.size() >= 15 && q[12] == 'B') {
        const size_t size = size_t{q[13]} << 8 | q[14];
        if (size < 12 || size > out.size()) return 0;
        std::memcpy(out.data(), q.data(), 12);
        out[2] |= 0x80;
        for (size_t i = 12; i < size; ++i) out[i] = static_cast<uint8_t>(i * 7);
        return size;
      }
      if (q.size() > out.size()) return 0;
      std::memcpy(out.data(), q.data(), q.size());
      out[2] |= 0x80;
      out[3] =
          static_cast<uint8_t>((ctx.transport == Transport::kTcp ? 0x10 : 0) | (ctx.axfr_allowed ? 0x20 : 0));
      return q.size();
    }

   private:
    TestHandler& h_;
    bool in_batch_ = false;
  };

  std::unique_ptr<Worker> newWorker() override {
    workers.fetch_add(1);
    return std::make_unique<W>(*this);
  }
  bool isZoneTransfer(std::span<const uint8_t> q) const override { return q.size() > 12 && q[12] == 'X'; }
  Status answerAxfr(std::span<const uint8_t> q, const MessageSink& sink) override {
    axfr_calls.fetch_add(1);
    const uint8_t mode = q.size() > 13 ? q[13] : 0;
    const int count = mode == 'S' ? 1000 : 3;
    const size_t size = mode == 'S' ? 60000 : 20;
    for (int i = 0; i < count; ++i) {
      Bytes m(size, static_cast<uint8_t>(i));
      std::memcpy(m.data(), q.data(), 12);
      m[2] |= 0x80;
      m[12] = static_cast<uint8_t>(i);
      if (!sink(m)) return unavailable("peer gone");
      if (mode == 'E') return internalError("transfer failed");
    }
    return Status::ok();
  }

  std::atomic<int> workers{0};
  std::atomic<uint64_t> batches{0};
  std::atomic<uint64_t> answered{0};
  std::atomic<uint64_t> outside_batch{0};
  std::atomic<int> axfr_calls{0};
};

Bytes query(uint16_t id, std::string_view extra = "") {
  Bytes q(12 + extra.size(), 0);
  q[0] = static_cast<uint8_t>(id >> 8);
  q[1] = static_cast<uint8_t>(id);
  q[2] = 0x01;  // RD
  q[5] = 1;     // QDCOUNT (not that the test handler cares)
  for (size_t i = 0; i < extra.size(); ++i) q[12 + i] = static_cast<uint8_t>(extra[i]);
  return q;
}

Bytes bigQuery(uint16_t id, uint16_t response_size) {
  Bytes q = query(id, "B");
  q.push_back(static_cast<uint8_t>(response_size >> 8));
  q.push_back(static_cast<uint8_t>(response_size));
  return q;
}

uint16_t idOf(const Bytes& m) { return m.size() >= 2 ? uint16_t(m[0] << 8 | m[1]) : 0; }

Bytes frame(const Bytes& m) {
  Bytes f(2 + m.size());
  f[0] = static_cast<uint8_t>(m.size() >> 8);
  f[1] = static_cast<uint8_t>(m.size());
  std::copy(m.begin(), m.end(), f.begin() + 2);
  return f;
}

SocketAddress loopback(int family, uint16_t port) {
  auto a = parseListenAddress(family == AF_INET ? "127.0.0.1:0" : "[::1]:0");
  EXPECT_TRUE(a.ok());
  a->setPort(port);
  return *a;
}

bool haveIpv6Loopback() {
  int fd = ::socket(AF_INET6, SOCK_DGRAM, 0);
  if (fd < 0) return false;
  SocketAddress a = loopback(AF_INET6, 0);
  const bool ok = ::bind(fd, a.get(), a.length) == 0;
  ::close(fd);
  return ok;
}

// Waits until fd is readable; false on timeout.
bool waitReadable(int fd, std::chrono::milliseconds timeout) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, static_cast<int>(timeout.count())) == 1;
}

class UdpClient {
 public:
  explicit UdpClient(uint16_t port, int family = AF_INET) : fd_(::socket(family, SOCK_DGRAM, 0)) {
    SocketAddress a = loopback(family, port);
    EXPECT_EQ(::connect(fd_.get(), a.get(), a.length), 0);
    int big = 1 << 20;
    ::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
  }
  void send(const Bytes& m) { EXPECT_EQ(::send(fd_.get(), m.data(), m.size(), 0), ssize_t(m.size())); }
  std::optional<Bytes> recv(std::chrono::milliseconds timeout = 2000ms) {
    if (!waitReadable(fd_.get(), timeout)) return std::nullopt;
    Bytes b(65536);
    ssize_t n = ::recv(fd_.get(), b.data(), b.size(), 0);
    if (n < 0) return std::nullopt;
    b.resize(static_cast<size_t>(n));
    return b;
  }
  int fd() const { return fd_.get(); }

 private:
  UniqueFd fd_;
};

class TcpClient {
 public:
  explicit TcpClient(uint16_t port, int family = AF_INET) : fd_(::socket(family, SOCK_STREAM, 0)) {
    SocketAddress a = loopback(family, port);
    connected_ = ::connect(fd_.get(), a.get(), a.length) == 0;
  }
  bool connected() const { return connected_; }
  bool sendAll(const Bytes& b) {
    size_t off = 0;
    while (off < b.size()) {
      ssize_t n = ::send(fd_.get(), b.data() + off, b.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += static_cast<size_t>(n);
    }
    return true;
  }
  // Exactly n bytes, or nullopt on EOF/error/timeout.
  std::optional<Bytes> recvExact(size_t n, std::chrono::milliseconds timeout = 5000ms) {
    Bytes b(n);
    size_t off = 0;
    const auto deadline = Clock::now() + timeout;
    while (off < n) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left <= 0ms || !waitReadable(fd_.get(), left)) return std::nullopt;
      ssize_t r = ::recv(fd_.get(), b.data() + off, n - off, 0);
      if (r <= 0) return std::nullopt;
      off += static_cast<size_t>(r);
    }
    return b;
  }
  std::optional<Bytes> recvMessage(std::chrono::milliseconds timeout = 5000ms) {
    auto len = recvExact(2, timeout);
    if (!len) return std::nullopt;
    return recvExact(size_t{(*len)[0]} << 8 | (*len)[1], timeout);
  }
  // True when the server closed the connection (EOF or reset) within the timeout.
  bool closedWithin(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left <= 0ms || !waitReadable(fd_.get(), left)) return false;
      uint8_t b[4096];
      ssize_t r = ::recv(fd_.get(), b, sizeof b, 0);
      if (r <= 0) return true;
    }
  }
  void shutdownWrite() { ::shutdown(fd_.get(), SHUT_WR); }
  int fd() const { return fd_.get(); }

 private:
  UniqueFd fd_;
  bool connected_ = false;
};

ServerConfig testConfig() {
  ServerConfig c;
  c.listen = "127.0.0.1:0";
  c.workers = 2;
  c.tcp_workers = 1;
  return c;
}

// One UDP round trip; true when the echo came back.
bool udpWorks(uint16_t port, uint16_t id, int family = AF_INET) {
  UdpClient c(port, family);
  c.send(query(id, "ping"));
  auto r = c.recv();
  return r && idOf(*r) == id && r->size() == 16 && ((*r)[2] & 0x80);
}

// One TCP round trip of query(id, name); the reply when its ID matches.
std::optional<Bytes> tcpExchange(uint16_t port, uint16_t id, const std::string& name, int family) {
  TcpClient c(port, family);
  if (!c.connected() || !c.sendAll(frame(query(id, name)))) return std::nullopt;
  auto r = c.recvMessage();
  if (!r || idOf(*r) != id) return std::nullopt;
  return r;
}

bool tcpWorks(uint16_t port, uint16_t id, int family = AF_INET) {
  auto r = tcpExchange(port, id, "ping", family);
  return r && ((*r)[3] & 0x10);
}

// True when the handler was told AXFR is allowed for this TCP peer (byte 3 = 0x30: TCP and
// axfr_allowed, as TestHandler reports them).
bool tcpAxfrAllowed(uint16_t port, uint16_t id, int family = AF_INET) {
  auto r = tcpExchange(port, id, "q", family);
  return r && (*r)[3] == 0x30;
}

// ---------------------------------------------------------------------------------------------
// Address parsing and allow lists

TEST(ServerNetTest, ParsesListenAddresses) {
  auto a = parseListenAddress("127.0.0.1:5353");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->family(), AF_INET);
  EXPECT_EQ(a->port(), 5353);
  EXPECT_EQ(a->toString(), "127.0.0.1:5353");
  EXPECT_FALSE(a->isWildcard());

  auto b = parseListenAddress("[::1]:53");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->family(), AF_INET6);
  EXPECT_EQ(b->port(), 53);
  EXPECT_EQ(b->toString(), "[::1]:53");

  auto c = parseListenAddress("0.0.0.0:0");
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->isWildcard());
  EXPECT_EQ(c->port(), 0);
  auto d = parseListenAddress("[::]:65535");
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->isWildcard());
  EXPECT_EQ(d->port(), 65535);
  auto e = parseListenAddress("192.0.2.1");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->port(), 53);

  for (const char* bad :
       {"", ":53", "localhost:53", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:5x", "::1:53",
        "[::1", "[::1]x53", "[::1]:", "[127.0.0.1]:53", "1.2.3.4.5:53", "[::1]:+53"}) {
    auto r = parseListenAddress(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << bad;
    }
  }
}

sockaddr_storage sockaddrOf(const char* text) {
  auto a =
      parseListenAddress(std::string(text).find(':') != std::string::npos ? "[" + std::string(text) + "]:1"
                                                                          : std::string(text) + ":1");
  EXPECT_TRUE(a.ok()) << text;
  return a->storage;
}

bool allows(const AddressAcl& acl, const char* addr) {
  sockaddr_storage s = sockaddrOf(addr);
  return acl.allows(reinterpret_cast<sockaddr*>(&s));
}

TEST(ServerNetTest, AclMatchesPrefixes) {
  auto acl = AddressAcl::parse({"127.0.0.1/8", "::1/128", "10.128.0.0/9", "192.0.2.7", "2001:db8::/33"});
  ASSERT_TRUE(acl.ok());
  EXPECT_EQ(acl->size(), 5u);
  EXPECT_TRUE(allows(*acl, "127.0.0.1"));
  EXPECT_TRUE(allows(*acl, "127.255.1.2"));
  EXPECT_FALSE(allows(*acl, "128.0.0.1"));
  EXPECT_TRUE(allows(*acl, "::1"));
  EXPECT_FALSE(allows(*acl, "::2"));
  EXPECT_TRUE(allows(*acl, "10.128.0.1"));
  EXPECT_TRUE(allows(*acl, "10.255.255.255"));
  EXPECT_FALSE(allows(*acl, "10.127.255.255"));
  EXPECT_TRUE(allows(*acl, "192.0.2.7"));
  EXPECT_FALSE(allows(*acl, "192.0.2.8"));
  EXPECT_TRUE(allows(*acl, "2001:db8:7fff::1"));
  EXPECT_FALSE(allows(*acl, "2001:db8:8000::1"));
  EXPECT_TRUE(allows(*acl, "::ffff:127.0.0.1"));  // dual-stack socket view of an IPv4 peer
  EXPECT_FALSE(allows(*acl, "::ffff:128.0.0.1"));
  EXPECT_FALSE(acl->allows(nullptr));

  auto all = AddressAcl::parse({"0.0.0.0/0"});
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(allows(*all, "203.0.113.9"));
  EXPECT_FALSE(allows(*all, "::1"));
  auto none = AddressAcl::parse({});
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(allows(*none, "127.0.0.1"));

  for (const char* bad : {"", "/8", "127.0.0.1/33", "::1/129", "10.0.0.0/", "10.0.0.0/x", "host/8",
                          "10.0.0.0/-1", "10.0.0.0/8/8"}) {
    EXPECT_FALSE(AddressAcl::parse({bad}).ok()) << bad;
  }
}

// Random strings never crash the parsers (and what parses round-trips through toString).
TEST(ServerNetTest, ParsersSurviveRandomInput) {
  std::mt19937 rng(7);
  const std::string alphabet = "0123456789abcdef:.[]/ -x";
  for (int i = 0; i < 20000; ++i) {
    std::string s(rng() % 24, ' ');
    for (char& ch : s) ch = alphabet[rng() % alphabet.size()];
    auto a = parseListenAddress(s);
    if (a.ok()) {
      auto again = parseListenAddress(a->toString());
      ASSERT_TRUE(again.ok()) << s;
      EXPECT_EQ(again->toString(), a->toString());
    }
    (void)AddressAcl::parse({s});
  }
}

// ---------------------------------------------------------------------------------------------
// UDP

TEST(DnsServerTest, StartRejectsBadConfig) {
  TestHandler h;
  {
    ServerConfig c = testConfig();
    c.listen = "nonsense";
    DnsServer s(c, h);
    EXPECT_EQ(s.start().code(), Code::kInvalidArgument);
  }
  {
    ServerConfig c = testConfig();
    c.axfr_allow = {"300.0.0.0/8"};
    DnsServer s(c, h);
    EXPECT_EQ(s.start().code(), Code::kInvalidArgument);
  }
  {
    ServerConfig c = testConfig();
    c.tcp_idle_timeout = 0ms;
    DnsServer s(c, h);
    EXPECT_EQ(s.start().code(), Code::kInvalidArgument);
  }
}

TEST(DnsServerTest, PortInUseIsAnError) {
  TestHandler h;
  DnsServer a(testConfig(), h);
  ASSERT_TRUE(a.start().isOk());
  ServerConfig c = testConfig();
  c.listen = "127.0.0.1:" + std::to_string(a.udpPort());
  DnsServer b(c, h);
  Status st = b.start();
  EXPECT_EQ(st.code(), Code::kUnavailable) << st.toString();
  EXPECT_TRUE(udpWorks(a.udpPort(), 1));
}

TEST(DnsServerTest, UdpAnswersFromAllWorkers) {
  TestHandler h;
  DnsServer s(testConfig(), h);
  ASSERT_TRUE(s.start().isOk());
  ASSERT_NE(s.udpPort(), 0);
  EXPECT_EQ(s.udpPort(), s.tcpPort());
  EXPECT_EQ(h.workers.load(), 2 + 1) << "one handler worker per UDP and TCP thread";
  for (int c = 0; c < 16; ++c) {  // different source ports spread over the SO_REUSEPORT group
    UdpClient client(s.udpPort());
    for (uint16_t i = 0; i < 4; ++i) {
      const uint16_t id = static_cast<uint16_t>(c * 100 + i);
      client.send(query(id, "abc"));
      auto r = client.recv();
      ASSERT_TRUE(r) << id;
      EXPECT_EQ(idOf(*r), id);
      EXPECT_EQ(r->size(), 15u);
      EXPECT_EQ((*r)[2] & 0x80, 0x80);
      EXPECT_EQ((*r)[3], 0) << "UDP, no AXFR permission";
    }
  }
  // Too short: no answer, server still fine.
  UdpClient client(s.udpPort());
  client.send(Bytes{1, 2, 3});
  EXPECT_FALSE(client.recv(100ms));
  EXPECT_TRUE(udpWorks(s.udpPort(), 4242));
  EXPECT_EQ(h.outside_batch.load(), 0u);
}

TEST(DnsServerTest, UdpBurstIsAnsweredInBatches) {
  TestHandler h;
  DnsServer s(testConfig(), h);
  ASSERT_TRUE(s.start().isOk());
  UdpClient client(s.udpPort());
  constexpr int kCount = 2000;
  std::set<uint16_t> pending;
  for (int i = 0; i < kCount; ++i) {
    client.send(query(static_cast<uint16_t>(i), "burst"));
    pending.insert(static_cast<uint16_t>(i));
  }
  while (!pending.empty()) {
    auto r = client.recv(2000ms);
    ASSERT_TRUE(r) << pending.size() << " answers missing";
    EXPECT_EQ(pending.erase(idOf(*r)), 1u);
  }
  // Batching: fewer snapshot acquisitions than queries.
  EXPECT_LT(h.batches.load(), h.answered.load());
  EXPECT_EQ(h.outside_batch.load(), 0u);
}

TEST(DnsServerTest, UdpMaxSizeResponseAndOversizedQuery) {
  TestHandler h;
  DnsServer s(testConfig(), h);
  ASSERT_TRUE(s.start().isOk());
  UdpClient client(s.udpPort());
  client.send(bigQuery(1, 4096));
  auto r = client.recv();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->size(), 4096u);
  client.send(bigQuery(2, 4097));  // over the UDP out limit: the handler cannot write it
  EXPECT_FALSE(client.recv(100ms));
  Bytes huge = query(3, std::string(5000, 'a'));  // over the receive buffer: dropped
  client.send(huge);
  EXPECT_FALSE(client.recv(100ms));
  EXPECT_TRUE(udpWorks(s.udpPort(), 4));
}

TEST(DnsServerTest, Ipv6Listener) {
  if (!haveIpv6Loopback()) GTEST_SKIP() << "no IPv6 loopback";
  TestHandler h;
  ServerConfig c = testConfig();
  c.listen = "[::1]:0";
  DnsServer s(c, h);
  ASSERT_TRUE(s.start().isOk());
  EXPECT_TRUE(udpWorks(s.udpPort(), 7, AF_INET6));
  EXPECT_TRUE(tcpWorks(s.tcpPort(), 8, AF_INET6));
  EXPECT_TRUE(tcpAxfrAllowed(s.tcpPort(), 9, AF_INET6)) << "::1 is in the default AXFR allow list";
}

// A wildcard listener must reply from the address the query was sent to (connected UDP clients
// only accept datagrams from that exact address).
TEST(DnsServerTest, WildcardListenerRepliesFromQueriedAddress) {
  TestHandler h;
  ServerConfig c = testConfig();
  c.listen = "0.0.0.0:0";
  DnsServer s(c, h);
  ASSERT_TRUE(s.start().isOk());
  EXPECT_TRUE(udpWorks(s.udpPort(), 11));
  EXPECT_TRUE(tcpWorks(s.tcpPort(), 12));
  {
    // 127.0.0.2 is loopback too but not the primary address: the reply must come from it.
    UdpClient client(s.udpPort());
    auto a = parseListenAddress("127.0.0.2:0");
    a->setPort(s.udpPort());
    ASSERT_EQ(::connect(client.fd(), a->get(), a->length), 0);
    client.send(query(13, "x"));
    auto r = client.recv();
    ASSERT_TRUE(r);
    EXPECT_EQ(idOf(*r), 13);
  }
  if (haveIpv6Loopback()) {
    ServerConfig c6 = testConfig();
    c6.listen = "[::]:0";
    DnsServer s6(c6, h);
    ASSERT_TRUE(s6.start().isOk());
    EXPECT_TRUE(udpWorks(s6.udpPort(), 14, AF_INET6));
    EXPECT_TRUE(udpWorks(s6.udpPort(), 15, AF_INET));  // dual-stack, IPv4-mapped
    EXPECT_TRUE(tcpWorks(s6.tcpPort(), 16, AF_INET));
    // IPv4 peers on a dual-stack socket still match IPv4 allow-list entries.
    EXPECT_TRUE(tcpAxfrAllowed(s6.tcpPort(), 17, AF_INET));
  }
}

// ---------------------------------------------------------------------------------------------
// TCP

TEST(DnsServerTest, TcpPipelinedQueriesOnOneConnection) {
  TestHandler h;
  DnsServer s(testConfig(), h);
  ASSERT_TRUE(s.start().isOk());
  TcpClient c(s.tcpPort());
  ASSERT_TRUE(c.connected());
  Bytes all;
  for (uint16_t i = 0; i < 50; ++i) {
    Bytes f = frame(query(i, std::string(i, 'p')));
    all.insert(all.end(), f.begin(), f.end());
  }
  ASSERT_TRUE(c.sendAll(all));
  for (uint16_t i = 0; i < 50; ++i) {
    auto r = c.recvMessage();
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(idOf(*r), i);
    EXPECT_EQ(r->size(), 12u + i);
    EXPECT_EQ((*r)[3], 0x30) << "TCP from 127.0.0.1: AXFR allowed by default";
  }
  // Byte by byte: partial length prefixes and partial messages are reassembled.
  Bytes f = frame(query(777, "slow"));
  for (uint8_t b : f) {
    ASSERT_TRUE(c.sendAll(Bytes{b}));
    std::this_thread::sleep_for(2ms);
  }
  auto r = c.recvMessage();
  ASSERT_TRUE(r);
  EXPECT_EQ(idOf(*r), 777);
  // A zero-length or short message gets no answer; the connection stays usable.
  ASSERT_TRUE(c.sendAll(Bytes{0, 0}));
  ASSERT_TRUE(c.sendAll(frame(Bytes{1, 2, 3})));
  ASSERT_TRUE(c.sendAll(frame(query(778))));
  r = c.recvMessage();
  ASSERT_TRUE(r);
  EXPECT_EQ(idOf(*r), 778);
}

TEST(DnsServerTest, TcpLargeResponsesAndBackpressure) {
  TestHandler h;
  DnsServer s(testConfig(), h);
  ASSERT_TRUE(s.start().isOk());
  TcpClient c(s.tcpPort());
  // 300 queries for 65535-byte answers (~19 MB) before reading anything: the server must queue,
  // stop reading, and resume as we drain, keeping the order.
  constexpr int kCount = 300;
  Bytes all;
  for (int i = 0; i < kCount; ++i) {
    Bytes f = frame(bigQuery(static_cast<uint16_t>(i), 65535));
    all.insert(all.end(), f.begin(), f.end());
  }
  std::thread writer([&] { EXPECT_TRUE(c.sendAll(all)); });
  std::this_thread::sleep_for(200ms);  // let buffers fill up on both sides
  for (int i = 0; i < kCount; ++i) {
    auto r = c.recvMessage();
    ASSERT_TRUE(r) << i;
    ASSERT_EQ(r->size(), 65535u);
    EXPECT_EQ(idOf(*r), i);
    EXPECT_EQ((*r)[65534], static_cast<uint8_t>(65534 * 7));
  }
  writer.join();
}

TEST(DnsServerTest, TcpHalfCloseGetsAllAnswers) {
  TestHandler h;
  DnsServer s(testConfig(), h);
  ASSERT_TRUE(s.start().isOk());
  TcpClient c(s.tcpPort());
  Bytes all;
  for (uint16_t i = 0; i < 5; ++i) {
    Bytes f = frame(bigQuery(i, 30000));
    all.insert(all.end(), f.begin(), f.end());
  }
  all.push_back(0);  // half a length prefix, then EOF: dropped
  ASSERT_TRUE(c.sendAll(all));
  c.shutdownWrite();
  for (uint16_t i = 0; i < 5; ++i) {
    auto r = c.recvMessage();
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(idOf(*r), i);
  }
  EXPECT_TRUE(c.closedWithin(2000ms));
}

TEST(DnsServerTest, StalledClientDoesNotBlockOthersAndIsClosedAtIdleTimeout) {
  TestHandler h;
  ServerConfig cfg = testConfig();
  cfg.tcp_idle_timeout = 400ms;
  DnsServer s(cfg, h);
  ASSERT_TRUE(s.start().isOk());

  TcpClient stalled(s.tcpPort());
  const auto start = Clock::now();
  ASSERT_TRUE(stalled.sendAll(Bytes{0}));  // half a length prefix, then nothing
  TcpClient stalled2(s.tcpPort());
  ASSERT_TRUE(stalled2.sendAll(Bytes{0, 40, 1, 2, 3}));  // a partial message

  // Others are served meanwhile, on the same TCP thread.
  for (uint16_t i = 0; i < 20; ++i) EXPECT_TRUE(tcpWorks(s.tcpPort(), i));
  TcpClient active(s.tcpPort());
  for (uint16_t i = 0; i < 10; ++i) {
    ASSERT_TRUE(active.sendAll(frame(query(i))));
    ASSERT_TRUE(active.recvMessage());
    std::this_thread::sleep_for(60ms);  // stays active: 600 ms in total, longer than the timeout
  }

  EXPECT_TRUE(stalled.closedWithin(3000ms));
  EXPECT_TRUE(stalled2.closedWithin(3000ms));
  const auto elapsed = Clock::now() - start;
  EXPECT_GE(elapsed, 350ms);
  // The active connection, last used < 400 ms ago, is still open.
  ASSERT_TRUE(active.sendAll(frame(query(99))));
  auto r = active.recvMessage();
  ASSERT_TRUE(r);
  EXPECT_EQ(idOf(*r), 99);
  // Dribbling bytes of a message does not count as activity (slowloris).
  TcpClient dribble(s.tcpPort());
  const auto d0 = Clock::now();
  Bytes f = frame(query(5, std::string(200, 'd')));
  bool closed = false;
  for (uint8_t b : f) {
    if (!dribble.sendAll(Bytes{b}) || dribble.closedWithin(50ms)) {
      closed = true;
      break;
    }
  }
  EXPECT_TRUE(closed || dribble.closedWithin(2000ms));
  EXPECT_LT(Clock::now() - d0, 3000ms);
}

TEST(DnsServerTest, TcpConnectionLimit) {
  TestHandler h;
  ServerConfig cfg = testConfig();
  cfg.tcp_workers = 2;
  cfg.tcp_max_connections = 3;
  DnsServer s(cfg, h);
  ASSERT_TRUE(s.start().isOk());
  std::vector<std::unique_ptr<TcpClient>> open;
  for (uint16_t i = 0; i < 3; ++i) {
    open.push_back(std::make_unique<TcpClient>(s.tcpPort()));
    ASSERT_TRUE(open.back()->sendAll(frame(query(i))));
    ASSERT_TRUE(open.back()->recvMessage()) << i;  // accepted and served
  }
  for (int k = 0; k < 3; ++k) {
    TcpClient extra(s.tcpPort());
    (void)extra.sendAll(frame(query(50)));
    EXPECT_TRUE(extra.closedWithin(2000ms)) << "connection over the limit must be closed";
  }
  // Existing connections keep working.
  for (uint16_t i = 0; i < 3; ++i) {
    ASSERT_TRUE(open[i]->sendAll(frame(query(100 + i))));
    auto r = open[i]->recvMessage();
    ASSERT_TRUE(r);
    EXPECT_EQ(idOf(*r), 100 + i);
  }
  // Closing one frees its slot (once the server noticed the EOF).
  open.pop_back();
  bool served = false;
  for (int attempt = 0; attempt < 50 && !served; ++attempt) {
    served = tcpWorks(s.tcpPort(), 200);
    if (!served) std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(served);
}

// ---------------------------------------------------------------------------------------------
// AXFR

TEST(DnsServerTest, AxfrStreamsForAllowedPeers) {
  TestHandler h;
  DnsServer s(testConfig(), h);
  ASSERT_TRUE(s.start().isOk());
  TcpClient c(s.tcpPort());
  // A normal query, the transfer, and a query pipelined behind it: answers stay in order.
  Bytes all = frame(query(1, "a"));
  Bytes x = frame(query(2, "X"));
  Bytes after = frame(query(3, "b"));
  all.insert(all.end(), x.begin(), x.end());
  all.insert(all.end(), after.begin(), after.end());
  ASSERT_TRUE(c.sendAll(all));
  auto r = c.recvMessage();
  ASSERT_TRUE(r);
  EXPECT_EQ(idOf(*r), 1);
  for (int i = 0; i < 3; ++i) {
    r = c.recvMessage();
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(idOf(*r), 2);
    EXPECT_EQ(r->size(), 20u);
    EXPECT_EQ((*r)[12], i);
  }
  r = c.recvMessage();
  ASSERT_TRUE(r);
  EXPECT_EQ(idOf(*r), 3);
  EXPECT_EQ(h.axfr_calls.load(), 1);
  // More queries on the same connection after the transfer.
  ASSERT_TRUE(c.sendAll(frame(query(4))));
  r = c.recvMessage();
  ASSERT_TRUE(r);
  EXPECT_EQ(idOf(*r), 4);

  // A failing transfer sends what it emitted and closes the connection.
  TcpClient e(s.tcpPort());
  ASSERT_TRUE(e.sendAll(frame(query(5, "XE"))));
  r = e.recvMessage();
  ASSERT_TRUE(r);
  EXPECT_EQ(idOf(*r), 5);
  EXPECT_TRUE(e.closedWithin(2000ms));

  // Large transfer: 1000 x 60000 bytes.
  TcpClient big(s.tcpPort());
  ASSERT_TRUE(big.sendAll(frame(query(6, "XS"))));
  for (int i = 0; i < 1000; ++i) {
    r = big.recvMessage();
    ASSERT_TRUE(r) << i;
    ASSERT_EQ(r->size(), 60000u);
    EXPECT_EQ((*r)[12], static_cast<uint8_t>(i));
  }
}

TEST(DnsServerTest, AxfrRefusedPeersGoThroughAnswer) {
  TestHandler h;
  ServerConfig cfg = testConfig();
  cfg.axfr_allow = {"10.0.0.0/8"};
  DnsServer s(cfg, h);
  ASSERT_TRUE(s.start().isOk());
  TcpClient c(s.tcpPort());
  ASSERT_TRUE(c.sendAll(frame(query(1, "X"))));
  auto r = c.recvMessage();
  ASSERT_TRUE(r);
  EXPECT_EQ(idOf(*r), 1);
  EXPECT_EQ((*r)[3], 0x10) << "answered by answer() with axfr_allowed=false";
  EXPECT_EQ(h.axfr_calls.load(), 0);
  // Over UDP, never a transfer either.
  UdpClient u(s.udpPort());
  u.send(query(2, "X"));
  r = u.recv();
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)[3], 0x00);
  EXPECT_EQ(h.axfr_calls.load(), 0);
}

// ---------------------------------------------------------------------------------------------
// Robustness

TEST(DnsServerTest, GarbageDatagramsNeverWedgeTheServer) {
  TestHandler h;
  DnsServer s(testConfig(), h);
  ASSERT_TRUE(s.start().isOk());
  std::mt19937 rng(12345);
  std::vector<std::unique_ptr<UdpClient>> clients;
  for (int i = 0; i < 8; ++i) clients.push_back(std::make_unique<UdpClient>(s.udpPort()));
  Bytes buf(6000);
  for (int i = 0; i < 10000; ++i) {
    const size_t len = (i % 100 == 0) ? 4097 + rng() % 1800 : rng() % 600;
    for (size_t k = 0; k < len; ++k) buf[k] = static_cast<uint8_t>(rng());
    ::send(clients[i % clients.size()]->fd(), buf.data(), len, 0);
    if (i % 500 == 0) {  // drain echoes now and then so client buffers do not overflow
      for (auto& c : clients)
        while (c->recv(0ms)) {
        }
    }
  }
  // Truncated TCP frames, random bytes and abrupt closes on many connections.
  for (int i = 0; i < 200; ++i) {
    TcpClient t(s.tcpPort());
    Bytes junk(rng() % 300);
    for (auto& b : junk) b = static_cast<uint8_t>(rng());
    if (i % 3 == 0 && junk.size() >= 2) junk[0] = 0xff;  // announces a long frame, then stops
    (void)t.sendAll(junk);
    if (i % 2 == 0) {
      linger l{1, 0};  // RST instead of FIN
      ::setsockopt(t.fd(), SOL_SOCKET, SO_LINGER, &l, sizeof l);
    }
  }
  EXPECT_TRUE(udpWorks(s.udpPort(), 31337));
  EXPECT_TRUE(tcpWorks(s.tcpPort(), 31338));
  EXPECT_GE(h.answered.load(), 9000u);
}

TEST(DnsServerTest, StopIsPromptUnderLoadAndWithOpenConnections) {
  TestHandler h;
  ServerConfig cfg = testConfig();
  cfg.tcp_workers = 2;
  auto s = std::make_unique<DnsServer>(cfg, h);
  ASSERT_TRUE(s->start().isOk());
  const uint16_t port = s->udpPort();
  std::atomic<bool> run{true};
  std::thread blaster([&] {
    UdpClient c(port);
    uint16_t id = 0;
    while (run.load()) {
      c.send(query(id++));
      while (c.recv(0ms)) {
      }
    }
  });
  std::vector<std::unique_ptr<TcpClient>> idle_conns;
  for (int i = 0; i < 5; ++i) idle_conns.push_back(std::make_unique<TcpClient>(port));
  TcpClient stalled(port);
  ASSERT_TRUE(stalled.sendAll(Bytes{0}));
  // A transfer to a peer that never reads (blocked in the AXFR pool's write).
  TcpClient axfr(port);
  ASSERT_TRUE(axfr.sendAll(frame(query(1, "XS"))));
  std::this_thread::sleep_for(300ms);

  const auto t0 = Clock::now();
  s->stop();
  const auto took = Clock::now() - t0;
  EXPECT_LT(took, 500ms) << std::chrono::duration_cast<std::chrono::milliseconds>(took).count();
  run = false;
  blaster.join();
  EXPECT_TRUE(stalled.closedWithin(1000ms));
  s.reset();  // destructor after stop() is fine
}

TEST(DnsServerTest, StopIsPromptWhenIdleAndRestartable) {
  TestHandler h;
  DnsServer s(testConfig(), h);
  ASSERT_TRUE(s.start().isOk());
  EXPECT_EQ(s.start().code(), Code::kFailedPrecondition);
  std::this_thread::sleep_for(50ms);  // every worker blocked in recvmmsg / epoll_wait
  auto t0 = Clock::now();
  s.stop();
  EXPECT_LT(Clock::now() - t0, 300ms);
  s.stop();  // idempotent
  ASSERT_TRUE(s.start().isOk());
  EXPECT_TRUE(udpWorks(s.udpPort(), 1));
  t0 = Clock::now();
  s.stop();
  EXPECT_LT(Clock::now() - t0, 300ms);
}

// ---------------------------------------------------------------------------------------------
// Production wiring: an engine over publisher snapshots, acquired once per batch.

struct VersionedZones {
  uint32_t version;
};

struct FakeEngine {
  size_t answer(const VersionedZones& z, std::span<const uint8_t> q, std::span<uint8_t> out,
                const QueryContext& ctx) const {
    if (q.size() < 12 || q.size() + 4 > out.size()) return 0;
    std::memcpy(out.data(), q.data(), q.size());
    out[2] |= 0x80;
    for (int i = 0; i < 4; ++i) out[q.size() + i] = static_cast<uint8_t>(z.version >> (24 - 8 * i));
    return q.size() + 4;
  }
  bool isZoneTransfer(std::span<const uint8_t> q) const { return q.size() > 12 && q[12] == 'X'; }
  Status answerAxfr(const VersionedZones& z, std::span<const uint8_t> q,
                    const std::function<bool(std::span<const uint8_t>)>& sink) const {
    Bytes m(q.begin(), q.end());
    m.push_back(static_cast<uint8_t>(z.version));
    return sink(m) && sink(m) ? Status::ok() : unavailable("gone");
  }
};

uint32_t versionOf(const Bytes& r) {
  const size_t n = r.size();
  return uint32_t(r[n - 4]) << 24 | uint32_t(r[n - 3]) << 16 | uint32_t(r[n - 2]) << 8 | r[n - 1];
}

TEST(DnsServerTest, EngineWiringServesPublishedSnapshotsOnceInSync) {
  BasicPublisher<VersionedZones> publisher(std::make_shared<const VersionedZones>(VersionedZones{1}));
  FakeEngine engine;
  ServerConfig cfg = testConfig();
  cfg.tcp_workers = 2;
  {
    DnsServer s(cfg, publisher, engine);
    ASSERT_TRUE(s.start().isOk());
    EXPECT_EQ(publisher.readerCount(), 4u);  // 2 UDP + 2 TCP workers
    std::vector<std::unique_ptr<UdpClient>> clients;
    for (int i = 0; i < 16; ++i) clients.push_back(std::make_unique<UdpClient>(s.udpPort()));
    TcpClient tcp(s.tcpPort());

    uint16_t id = 0;
    auto checkAll = [&](uint32_t want) {
      for (auto& c : clients) {
        c->send(query(++id));
        auto r = c->recv();
        ASSERT_TRUE(r);
        EXPECT_EQ(idOf(*r), id);
        EXPECT_EQ(versionOf(*r), want);
      }
      ASSERT_TRUE(tcp.sendAll(frame(query(++id))));
      auto r = tcp.recvMessage();
      ASSERT_TRUE(r);
      EXPECT_EQ(versionOf(*r), want);
    };
    checkAll(1);
    for (uint32_t v = 2; v <= 20; ++v) {
      const uint64_t g = publisher.publish(std::make_shared<const VersionedZones>(VersionedZones{v}));
      // INSYNC: once served, every worker answers from the new snapshot, idle ones included.
      ASSERT_TRUE(publisher.waitServed(g, 5s));
      checkAll(v);
    }
    // Zone transfers use the current snapshot.
    TcpClient x(s.tcpPort());
    ASSERT_TRUE(x.sendAll(frame(query(1, "X"))));
    for (int i = 0; i < 2; ++i) {
      auto r = x.recvMessage();
      ASSERT_TRUE(r);
      EXPECT_EQ(r->back(), 20);
    }
  }
  EXPECT_EQ(publisher.readerCount(), 0u);  // workers deregistered on stop
}

}  // namespace
}  // namespace zk::authdns
