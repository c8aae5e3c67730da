// Internal to DnsServer: the UDP worker, the TCP epoll worker and the zone-transfer pool.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "authdns/server.h"
#include "authdns/server_net.h"

namespace zk::authdns {

// State every server thread reads; lives as long as the DnsServer.
struct ServerShared {
  ServerShared(QueryHandler& h, AddressAcl acl, size_t max_conns, std::chrono::milliseconds idle)
      : handler(h), axfr_acl(std::move(acl)), tcp_max_connections(max_conns), tcp_idle_timeout(idle) {}

  QueryHandler& handler;
  const AddressAcl axfr_acl;
  const size_t tcp_max_connections;
  const std::chrono::milliseconds tcp_idle_timeout;
  std::atomic<bool> stopping{false};
  UniqueFd stop_fd;  // eventfd; becomes readable (and stays so) when stop() begins
  std::atomic<size_t> tcp_connections{0};
};

// Longest a worker blocks before it re-acquires the snapshot anyway (so an idle worker lets go
// of an old zone set) and re-checks the stop flag.
inline constexpr int kIdleWakeupMs = 1000;

// One UDP socket (SO_REUSEPORT group member) served by one thread with recvmmsg/sendmmsg.
class UdpWorker {
 public:
  static constexpr int kBatch = 64;
  static constexpr size_t kMaxQuery = 4096;     // larger datagrams are dropped
  static constexpr size_t kMaxResponse = 4096;  // out.size() given to the handler

  UdpWorker(UniqueFd fd, bool wildcard, ServerShared& shared);
  ~UdpWorker();
  void start();
  void wake();  // shutdown(SHUT_RD): a blocked recvmmsg returns at once
  void join();

 private:
  struct Buffers;
  void run();

  UniqueFd fd_;
  const bool wildcard_;  // bound to 0.0.0.0/::, so replies carry the query's destination (PKTINFO)
  ServerShared& shared_;
  std::unique_ptr<QueryHandler::Worker> worker_;  // created in start(), used by the thread
  std::thread thread_;
};

class TcpWorker;

// One TCP connection. Owned by a TcpWorker, or by the AxfrPool while a transfer runs.
struct TcpConn {
  TcpConn(int fd, bool allowed, ServerShared& s) : fd(fd), axfr_allowed(allowed), shared(s) {}
  ~TcpConn();  // closes the socket, releases the connection slot

  UniqueFd fd;
  const bool axfr_allowed;
  ServerShared& shared;
  bool peer_eof = false;     // peer half-closed: answer what is buffered, then close
  uint32_t interest = 0;     // current epoll events
  std::vector<uint8_t> in;   // received bytes not yet answered (partial or backlogged frames)
  std::vector<uint8_t> out;  // response bytes not yet sent (from out_off)
  size_t out_off = 0;
  std::vector<uint8_t> axfr_query;  // the AXFR query handed to the pool
  std::chrono::steady_clock::time_point last_active;
  TcpConn* prev = nullptr;  // idle-timeout list, least recently active first
  TcpConn* next = nullptr;
};

// Runs zone transfers off the epoll threads: they may be long (a large zone to a slow peer).
// Each job streams the transfer with blocking-style writes (poll with the idle timeout) and then
// hands the connection back to its TcpWorker.
class AxfrPool {
 public:
  AxfrPool(ServerShared& shared, int threads);
  ~AxfrPool();
  void start();
  void stop();  // joins; queued connections are closed
  void submit(std::unique_ptr<TcpConn> conn, TcpWorker* owner);

 private:
  struct Job {
    std::unique_ptr<TcpConn> conn;
    TcpWorker* owner;
  };
  void run();
  bool transfer(TcpConn& c);

  ServerShared& shared_;
  const int thread_count_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;  // guarded by mu_
  bool stop_ = false;      // guarded by mu_
  std::vector<std::thread> threads_;
};

// One listening socket (SO_REUSEPORT group member) and its connections, served by one epoll thread.
class TcpWorker {
 public:
  static constexpr size_t kMaxMessage = 65535;  // RFC 7766 §8: 2-byte length prefix
  static constexpr size_t kReadChunk = 64 * 1024;
  static constexpr size_t kReadBuf = 2 + kMaxMessage + kReadChunk;  // leftover + one recv
  static constexpr size_t kWriteBuf = 4 * (2 + kMaxMessage);

  TcpWorker(UniqueFd listener, ServerShared& shared, AxfrPool& axfr);
  ~TcpWorker();
  Status init();  // epoll set, buffers
  void start();
  void join();
  // From an AxfrPool thread: the transfer is done, serve the connection again.
  void giveBack(std::unique_ptr<TcpConn> conn);

 private:
  void run();
  void acceptAll(std::chrono::steady_clock::time_point now);
  void serve(TcpConn* c, uint32_t events, std::chrono::steady_clock::time_point now);
  void process(TcpConn* c, bool readable, std::chrono::steady_clock::time_point now);
  bool flushScratch(TcpConn* c, size_t* sent_total);
  bool flushPending(TcpConn* c, size_t* sent_total);
  void setInterest(TcpConn* c, uint32_t events);
  bool adopt(TcpConn* c, std::chrono::steady_clock::time_point now);  // epoll + idle list
  void detach(TcpConn* c);                                            // the reverse
  void close(TcpConn* c);
  void touch(TcpConn* c, std::chrono::steady_clock::time_point now);
  void expire(std::chrono::steady_clock::time_point now);
  int waitTimeoutMs(std::chrono::steady_clock::time_point now) const;
  void takeInbox(std::chrono::steady_clock::time_point now);

  UniqueFd listener_;
  ServerShared& shared_;
  AxfrPool& axfr_;
  UniqueFd epoll_;
  UniqueFd inbox_fd_;  // eventfd: giveBack() happened
  UniqueFd spare_fd_;  // released to accept-and-close when out of descriptors
  std::unique_ptr<QueryHandler::Worker> worker_;
  std::unique_ptr<uint8_t[]> rbuf_;
  std::unique_ptr<uint8_t[]> wbuf_;
  size_t wlen_ = 0;
  TcpConn* head_ = nullptr;  // idle list
  TcpConn* tail_ = nullptr;
  std::mutex inbox_mu_;
  std::vector<std::unique_ptr<TcpConn>> inbox_;  // guarded by inbox_mu_
  std::thread thread_;
};

}  // namespace zk::authdns
