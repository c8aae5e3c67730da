// DNS over TCP (RFC 7766): epoll worker with pipelining, idle timeout, connection limit; AXFR pool.
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "authdns/server_workers.h"

namespace zk::authdns {

namespace {

// epoll_event.data.u64 values that are not connections (a TcpConn* is never this small).
constexpr uint64_t kListenerTag = 1;
constexpr uint64_t kStopTag = 2;
constexpr uint64_t kInboxTag = 3;

constexpr size_t kShrinkAbove = 256 * 1024;  // give big buffers back once they are drained

void trim(std::vector<uint8_t>& v) {
  if (v.capacity() > kShrinkAbove && v.size() < kShrinkAbove / 4) std::vector<uint8_t>(v).swap(v);
}

bool wouldBlock(int err) { return err == EAGAIN || err == EWOULDBLOCK; }

// Writes all of [p, p+n) to a non-blocking socket; waits (poll) at most `timeout` for each bit of
// progress. False on error, timeout, or when the server stops (stop_fd readable).
bool writeAll(int fd, int stop_fd, const uint8_t* p, size_t n, std::chrono::milliseconds timeout) {
  while (n > 0) {
    const ssize_t r = ::send(fd, p, n, MSG_NOSIGNAL);
    if (r > 0) {
      p += r;
      n -= static_cast<size_t>(r);
      continue;
    }
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && wouldBlock(errno)) {
      pollfd pf[2] = {{fd, POLLOUT, 0}, {stop_fd, POLLIN, 0}};
      const int pr = ::poll(pf, 2, static_cast<int>(timeout.count()));
      if (pr < 0 && errno == EINTR) continue;
      if (pr <= 0 || pf[1].revents != 0) return false;
      if (pf[0].revents & (POLLERR | POLLNVAL)) return false;
      continue;
    }
    return false;
  }
  return true;
}

}  // namespace

TcpConn::~TcpConn() { shared.tcp_connections.fetch_sub(1, std::memory_order_relaxed); }

// ---------------------------------------------------------------------------------------------
// AxfrPool

AxfrPool::AxfrPool(ServerShared& shared, int threads) : shared_(shared), thread_count_(threads) {}

AxfrPool::~AxfrPool() { stop(); }

void AxfrPool::start() {
  for (int i = 0; i < thread_count_; ++i) threads_.emplace_back([this] { run(); });
}

void AxfrPool::stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
  std::deque<Job> left;
  {
    std::lock_guard lock(mu_);
    left.swap(queue_);
  }
}

void AxfrPool::submit(std::unique_ptr<TcpConn> conn, TcpWorker* owner) {
  {
    std::lock_guard lock(mu_);
    if (stop_) return;  // the connection is closed
    queue_.push_back(Job{std::move(conn), owner});
  }
  cv_.notify_one();
}

void AxfrPool::run() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (stop_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    if (transfer(*job.conn) && !shared_.stopping.load()) job.owner->giveBack(std::move(job.conn));
    // otherwise job.conn is destroyed here: the connection is closed
  }
}

// RFC 5936 §2.2: the response is a sequence of messages, each with the RFC 1035 §4.2.2 prefix.
bool AxfrPool::transfer(TcpConn& c) {
  const int fd = c.fd.get();
  const int stop_fd = shared_.stop_fd.get();
  const auto timeout = shared_.tcp_idle_timeout;
  // Responses to the queries before the AXFR go first.
  if (!writeAll(fd, stop_fd, c.out.data() + c.out_off, c.out.size() - c.out_off, timeout)) return false;
  c.out.clear();
  c.out_off = 0;
  trim(c.out);

  constexpr size_t kFlushAt = 64 * 1024;
  std::vector<uint8_t> buf;
  buf.reserve(kFlushAt + 2 + TcpWorker::kMaxMessage);
  bool failed = false;
  const MessageSink sink = [&](std::span<const uint8_t> msg) -> bool {
    if (failed || msg.size() > TcpWorker::kMaxMessage || shared_.stopping.load(std::memory_order_relaxed)) {
      failed = true;
      return false;
    }
    buf.push_back(static_cast<uint8_t>(msg.size() >> 8));
    buf.push_back(static_cast<uint8_t>(msg.size()));
    buf.insert(buf.end(), msg.begin(), msg.end());
    if (buf.size() >= kFlushAt) {
      if (!writeAll(fd, stop_fd, buf.data(), buf.size(), timeout)) {
        failed = true;
        return false;
      }
      buf.clear();
    }
    return true;
  };
  const Status status = shared_.handler.answerAxfr(c.axfr_query, sink);
  if (failed || !writeAll(fd, stop_fd, buf.data(), buf.size(), timeout)) return false;
  c.axfr_query.clear();
  // A failed transfer has sent what it could (e.g. an error response): close the connection.
  return status.isOk();
}

// ---------------------------------------------------------------------------------------------
// TcpWorker

TcpWorker::TcpWorker(UniqueFd listener, ServerShared& shared, AxfrPool& axfr)
    : listener_(std::move(listener)), shared_(shared), axfr_(axfr) {}

TcpWorker::~TcpWorker() {
  join();
  while (head_ != nullptr) {
    TcpConn* c = head_;
    detach(c);
    delete c;
  }
}

Status TcpWorker::init() {
  epoll_.reset(::epoll_create1(EPOLL_CLOEXEC));
  inbox_fd_.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  spare_fd_.reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (!epoll_.valid() || !inbox_fd_.valid()) {
    return unavailable(std::string("tcp worker: ") + std::strerror(errno));
  }
  rbuf_ = std::make_unique_for_overwrite<uint8_t[]>(kReadBuf);
  wbuf_ = std::make_unique_for_overwrite<uint8_t[]>(kWriteBuf);
  const std::pair<int, uint64_t> fds[] = {
      {listener_.get(), kListenerTag}, {shared_.stop_fd.get(), kStopTag}, {inbox_fd_.get(), kInboxTag}};
  for (auto [fd, tag] : fds) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = tag;
    if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev) != 0) {
      return unavailable(std::string("tcp worker: epoll_ctl: ") + std::strerror(errno));
    }
  }
  return Status::ok();
}

void TcpWorker::start() {
  worker_ = shared_.handler.newWorker();  // registered before start() returns
  thread_ = std::thread([this] { run(); });
}

void TcpWorker::join() {
  if (thread_.joinable()) thread_.join();
}

void TcpWorker::giveBack(std::unique_ptr<TcpConn> conn) {
  {
    std::lock_guard lock(inbox_mu_);
    inbox_.push_back(std::move(conn));
  }
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t r = ::write(inbox_fd_.get(), &one, sizeof one);
}

void TcpWorker::run() {
  constexpr int kEvents = 64;
  epoll_event events[kEvents];
  for (;;) {
    const int timeout = waitTimeoutMs(std::chrono::steady_clock::now());
    worker_->idle();
    const int n = ::epoll_wait(epoll_.get(), events, kEvents, timeout);
    if (shared_.stopping.load(std::memory_order_relaxed)) break;
    worker_->beginBatch();
    const auto now = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) {
      const uint64_t tag = events[i].data.u64;
      if (tag == kListenerTag) {
        acceptAll(now);
      } else if (tag == kInboxTag) {
        takeInbox(now);
      } else if (tag != kStopTag) {
        serve(reinterpret_cast<TcpConn*>(static_cast<uintptr_t>(tag)), events[i].events, now);
      }
    }
    expire(now);
  }
  worker_.reset();  // deregisters this thread's snapshot reader
}

void TcpWorker::acceptAll(std::chrono::steady_clock::time_point now) {
  for (int i = 0; i < 64; ++i) {
    sockaddr_storage peer{};
    socklen_t peer_len = sizeof peer;
    const int fd = ::accept4(listener_.get(), reinterpret_cast<sockaddr*>(&peer), &peer_len,
                             SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if ((errno == EMFILE || errno == ENFILE) && spare_fd_.valid()) {
        // Out of descriptors: accept-and-close with the spare one, or the level-triggered
        // listener would wake us forever.
        spare_fd_.reset();
        const int victim = ::accept(listener_.get(), nullptr, nullptr);
        if (victim >= 0) ::close(victim);
        spare_fd_.reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
        continue;
      }
      return;  // EAGAIN: accepted everything pending
    }
    if (shared_.tcp_connections.fetch_add(1, std::memory_order_relaxed) >= shared_.tcp_max_connections) {
      shared_.tcp_connections.fetch_sub(1, std::memory_order_relaxed);
      ::close(fd);  // over the limit (RFC 7766 §6.2.2 lets servers close to manage resources)
      continue;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto* c = new TcpConn(fd, shared_.axfr_acl.allows(reinterpret_cast<sockaddr*>(&peer)), shared_);
    if (!adopt(c, now)) delete c;
  }
}

bool TcpWorker::adopt(TcpConn* c, std::chrono::steady_clock::time_point now) {
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = reinterpret_cast<uintptr_t>(c);
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, c->fd.get(), &ev) != 0) return false;
  c->interest = EPOLLIN;
  c->last_active = now;
  c->prev = tail_;
  c->next = nullptr;
  (tail_ != nullptr ? tail_->next : head_) = c;
  tail_ = c;
  return true;
}

void TcpWorker::detach(TcpConn* c) {
  ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, c->fd.get(), nullptr);
  (c->prev != nullptr ? c->prev->next : head_) = c->next;
  (c->next != nullptr ? c->next->prev : tail_) = c->prev;
  c->prev = c->next = nullptr;
  c->interest = 0;
}

void TcpWorker::close(TcpConn* c) {
  detach(c);
  delete c;
}

void TcpWorker::touch(TcpConn* c, std::chrono::steady_clock::time_point now) {
  c->last_active = now;
  if (c == tail_) return;
  (c->prev != nullptr ? c->prev->next : head_) = c->next;
  c->next->prev = c->prev;  // c != tail_, so c->next exists
  c->prev = tail_;
  c->next = nullptr;
  tail_->next = c;
  tail_ = c;
}

void TcpWorker::expire(std::chrono::steady_clock::time_point now) {
  // RFC 7766 §6.2.3: close connections idle (no complete query, no output progress) too long.
  while (head_ != nullptr && now - head_->last_active >= shared_.tcp_idle_timeout) close(head_);
}

int TcpWorker::waitTimeoutMs(std::chrono::steady_clock::time_point now) const {
  if (head_ == nullptr) return kIdleWakeupMs;
  const auto due = head_->last_active + shared_.tcp_idle_timeout;
  if (due <= now) return 0;
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(due - now).count();
  return static_cast<int>(std::min<int64_t>(ms, kIdleWakeupMs));
}

void TcpWorker::takeInbox(std::chrono::steady_clock::time_point now) {
  uint64_t count;
  [[maybe_unused]] ssize_t r = ::read(inbox_fd_.get(), &count, sizeof count);
  std::vector<std::unique_ptr<TcpConn>> back;
  {
    std::lock_guard lock(inbox_mu_);
    back.swap(inbox_);
  }
  for (auto& owned : back) {
    TcpConn* c = owned.release();
    if (!adopt(c, now)) {
      delete c;
      continue;
    }
    process(c, false, now);  // queries that arrived behind the AXFR
  }
}

void TcpWorker::setInterest(TcpConn* c, uint32_t events) {
  if (c->interest == events) return;
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = reinterpret_cast<uintptr_t>(c);
  ::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, c->fd.get(), &ev);
  c->interest = events;
}

void TcpWorker::serve(TcpConn* c, uint32_t events, std::chrono::steady_clock::time_point now) {
  if (events & EPOLLERR) {
    close(c);
    return;
  }
  if (c->out_off < c->out.size()) {
    // Blocked on output: no new queries are read until the peer takes our responses.
    if ((events & (EPOLLOUT | EPOLLHUP)) == 0) return;
    size_t sent = 0;
    if (!flushPending(c, &sent)) {
      close(c);
      return;
    }
    if (sent != 0) touch(c, now);
    if (c->out_off < c->out.size()) {
      if (events & EPOLLHUP) close(c);
      return;
    }
    setInterest(c, EPOLLIN);
    process(c, false, now);  // frames already buffered; new bytes come with the next EPOLLIN
    return;
  }
  process(c, (events & (EPOLLIN | EPOLLHUP | EPOLLRDHUP)) != 0, now);
}

// RFC 1035 §4.2.2 / RFC 7766 §8: every message has a two-octet length prefix. Answers every
// complete frame (in order; pipelining per RFC 7766 §6.2.1.1), keeps a partial one for later.
void TcpWorker::process(TcpConn* c, bool readable, std::chrono::steady_clock::time_point now) {
  uint8_t* rb = rbuf_.get();
  size_t len = c->in.size();
  if (len != 0) {
    std::memcpy(rb, c->in.data(), len);
    c->in.clear();
  }
  if (readable && !c->peer_eof && len < kReadBuf) {
    ssize_t r;
    do {
      r = ::recv(c->fd.get(), rb + len, kReadBuf - len, 0);
    } while (r < 0 && errno == EINTR);
    if (r > 0) {
      len += static_cast<size_t>(r);
    } else if (r == 0) {
      c->peer_eof = true;
    } else if (!wouldBlock(errno)) {
      close(c);
      return;
    }
  }

  const QueryContext ctx{Transport::kTcp, c->axfr_allowed};
  size_t pos = 0;
  size_t sent = 0;
  bool answered = false;
  while (len - pos >= 2) {
    const size_t frame = size_t{rb[pos]} << 8 | rb[pos + 1];
    if (len - pos - 2 < frame) break;
    const std::span<const uint8_t> query(rb + pos + 2, frame);
    if (c->axfr_allowed && shared_.handler.isZoneTransfer(query)) {
      // RFC 5936: stream the transfer on the pool; the rest of the input waits in c->in.
      if (!flushScratch(c, &sent)) {
        close(c);
        return;
      }
      c->axfr_query.assign(query.begin(), query.end());
      pos += 2 + frame;
      c->in.assign(rb + pos, rb + len);
      detach(c);
      axfr_.submit(std::unique_ptr<TcpConn>(c), this);
      return;
    }
    if (kWriteBuf - wlen_ < 2 + kMaxMessage) {
      if (!flushScratch(c, &sent)) {
        close(c);
        return;
      }
      if (c->out_off < c->out.size()) break;  // peer is not reading: stop answering for now
    }
    uint8_t* w = wbuf_.get() + wlen_;
    const size_t n = worker_->answer(query, {w + 2, kMaxMessage}, ctx);
    if (n != 0 && n <= kMaxMessage) {
      w[0] = static_cast<uint8_t>(n >> 8);
      w[1] = static_cast<uint8_t>(n);
      wlen_ += 2 + n;
    }
    pos += 2 + frame;
    answered = true;
  }
  if (pos < len) c->in.assign(rb + pos, rb + len);
  trim(c->in);
  if (!flushScratch(c, &sent)) {
    close(c);
    return;
  }
  if (answered || sent != 0) touch(c, now);
  if (c->out_off < c->out.size()) {
    setInterest(c, EPOLLOUT);
    return;
  }
  if (c->peer_eof) close(c);  // everything complete is answered; a partial frame is dropped
}

bool TcpWorker::flushScratch(TcpConn* c, size_t* sent_total) {
  if (wlen_ == 0) return true;
  const uint8_t* p = wbuf_.get();
  const size_t n = wlen_;
  wlen_ = 0;
  if (c->out_off < c->out.size()) {  // keep order behind what is already queued
    c->out.insert(c->out.end(), p, p + n);
    return true;
  }
  ssize_t r;
  do {
    r = ::send(c->fd.get(), p, n, MSG_NOSIGNAL);
  } while (r < 0 && errno == EINTR);
  if (r < 0) {
    if (!wouldBlock(errno)) return false;
    r = 0;
  }
  *sent_total += static_cast<size_t>(r);
  if (static_cast<size_t>(r) < n) {
    c->out.assign(p + r, p + n);
    c->out_off = 0;
  }
  return true;
}

bool TcpWorker::flushPending(TcpConn* c, size_t* sent_total) {
  while (c->out_off < c->out.size()) {
    const ssize_t r =
        ::send(c->fd.get(), c->out.data() + c->out_off, c->out.size() - c->out_off, MSG_NOSIGNAL);
    if (r > 0) {
      c->out_off += static_cast<size_t>(r);
      *sent_total += static_cast<size_t>(r);
      continue;
    }
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && wouldBlock(errno)) return true;
    return false;
  }
  c->out.clear();
  c->out_off = 0;
  trim(c->out);
  return true;
}

}  // namespace zk::authdns
