// Authoritative DNS network server: UDP workers (recvmmsg/sendmmsg) and TCP (epoll, RFC 7766, AXFR).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "authdns/publisher.h"
#include "authdns/query_context.h"
#include "base/result.h"

namespace zk::authdns {

class QueryEngine;  // authdns/query_engine.h

struct ServerConfig {
  // "127.0.0.1:5353", "[::1]:5353", "0.0.0.0:53", "[::]:53". Port 0 picks a free port (the same
  // for UDP and TCP). A wildcard address replies from the address each query was sent to.
  std::string listen = "127.0.0.1:5353";
  int workers = 0;                   // UDP worker threads, one SO_REUSEPORT socket each; 0 = number of cores
  int tcp_workers = 0;               // TCP epoll threads, one SO_REUSEPORT listener each; 0 = same as workers
  size_t tcp_max_connections = 512;  // over all TCP threads; beyond it new connections are closed
  std::chrono::milliseconds tcp_idle_timeout{10000};                 // RFC 7766 §6.2.3
  std::vector<std::string> axfr_allow = {"127.0.0.1/8", "::1/128"};  // CIDR, or a bare address
};

// Called by every sink of a zone transfer with one complete DNS message (no length prefix).
// Returns false when the transfer must stop (peer gone, timeout, server stopping).
using MessageSink = std::function<bool(std::span<const uint8_t>)>;

// What the server needs from the DNS layer. The server itself never parses DNS.
class QueryHandler {
 public:
  // Per-thread state (e.g. a publisher Reader). Used by exactly one server thread.
  class Worker {
   public:
    virtual ~Worker() = default;
    // Before each batch of queries (after every wake-up): pick the snapshot to answer from.
    virtual void beginBatch() = 0;
    // Right before the thread blocks waiting for packets.
    virtual void idle() = 0;
    // Writes the response to `query` into `out` (its size is the limit: 4096 for UDP, 65535 for
    // TCP); returns its length, 0 = no response. Only called between beginBatch() and idle().
    virtual size_t answer(std::span<const uint8_t> query, std::span<uint8_t> out,
                          const QueryContext& ctx) = 0;
  };

  virtual ~QueryHandler() = default;
  // Thread-safe. Called once on each server thread as it starts.
  virtual std::unique_ptr<Worker> newWorker() = 0;
  // Thread-safe. True for AXFR queries (which the server streams through answerAxfr when the
  // peer is allowed).
  virtual bool isZoneTransfer(std::span<const uint8_t> query) const = 0;
  // Thread-safe; runs on a zone-transfer thread, may take long. Emits each message via `sink`.
  virtual Status answerAxfr(std::span<const uint8_t> query, const MessageSink& sink) = 0;
};

// The production handler: an engine (answer/isZoneTransfer/answerAxfr, see query_engine.h) over
// snapshots from a BasicPublisher<T>. Each worker owns a publisher Reader and acquires once per
// batch; zone transfers take publisher.current() (and so do not hold back isServed()).
template <typename Engine, typename T>
class EngineQueryHandler final : public QueryHandler {
 public:
  EngineQueryHandler(BasicPublisher<T>& publisher, const Engine& engine)
      : publisher_(publisher), engine_(engine) {}

  std::unique_ptr<Worker> newWorker() override {
    return std::make_unique<EngineWorker>(publisher_.addReader(), engine_);
  }
  bool isZoneTransfer(std::span<const uint8_t> query) const override { return engine_.isZoneTransfer(query); }
  Status answerAxfr(std::span<const uint8_t> query, const MessageSink& sink) override {
    auto snapshot = publisher_.current();
    return engine_.answerAxfr(*snapshot, query, sink);
  }

 private:
  class EngineWorker final : public Worker {
   public:
    EngineWorker(std::unique_ptr<typename BasicPublisher<T>::Reader> reader, const Engine& engine)
        : reader_(std::move(reader)), engine_(engine) {}
    void beginBatch() override { snapshot_ = &reader_->acquire(); }
    void idle() override { reader_->idle(); }
    size_t answer(std::span<const uint8_t> query, std::span<uint8_t> out, const QueryContext& ctx) override {
      return engine_.answer(*snapshot_, query, out, ctx);
    }

   private:
    std::unique_ptr<typename BasicPublisher<T>::Reader> reader_;
    const Engine& engine_;
    const T* snapshot_ = nullptr;
  };

  BasicPublisher<T>& publisher_;
  const Engine& engine_;
};

class UdpWorker;
class TcpWorker;
class AxfrPool;
struct ServerShared;

// Owns the sockets and threads. start() once, stop() once (the destructor stops too).
// Threading: start()/stop()/udpPort()/tcpPort() from one controlling thread.
class DnsServer {
 public:
  // Production: answers with `engine` from the snapshots `publisher` publishes, e.g.
  // DnsServer(config, publisher /*Publisher&*/, engine /*const QueryEngine&*/). Both must outlive
  // the server.
  template <typename Engine, typename T>
  DnsServer(ServerConfig config, BasicPublisher<T>& publisher, const Engine& engine)
      : DnsServer(std::move(config), std::make_unique<EngineQueryHandler<Engine, T>>(publisher, engine)) {}
  // Any handler (tests use a trivial echo handler). `handler` must outlive the server.
  DnsServer(ServerConfig config, QueryHandler& handler);
  ~DnsServer();
  DnsServer(const DnsServer&) = delete;
  DnsServer& operator=(const DnsServer&) = delete;

  // Parses the config, binds UDP and TCP on the same port and starts the threads.
  // Errors: kInvalidArgument (bad listen address / ACL / counts), kUnavailable (bind failed).
  Status start();
  // Stops accepting, wakes and joins every thread, closes every socket. Returns within ~100 ms.
  void stop();

  uint16_t udpPort() const { return udp_port_; }
  uint16_t tcpPort() const { return tcp_port_; }

 private:
  DnsServer(ServerConfig config, std::unique_ptr<QueryHandler> owned);

  ServerConfig config_;
  std::unique_ptr<QueryHandler> owned_handler_;
  QueryHandler& handler_;
  std::unique_ptr<ServerShared> shared_;
  std::vector<std::unique_ptr<UdpWorker>> udp_;
  std::vector<std::unique_ptr<TcpWorker>> tcp_;
  std::unique_ptr<AxfrPool> axfr_;
  uint16_t udp_port_ = 0;
  uint16_t tcp_port_ = 0;
  bool started_ = false;
};

}  // namespace zk::authdns
