// UDP worker: one SO_REUSEPORT socket per thread, recvmmsg/sendmmsg batches, no per-query allocation.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "authdns/server_workers.h"

namespace zk::authdns {

// Per-worker arrays, set up once; the loop only rewrites lengths and the reply address pointer.
struct UdpWorker::Buffers {
  static constexpr size_t kControl = 128;  // in6_pktinfo and in_pktinfo cmsgs (dual-stack gets both)

  mmsghdr rmsg[kBatch];
  iovec riov[kBatch];
  sockaddr_storage peer[kBatch];
  alignas(cmsghdr) uint8_t rctl[kBatch][kControl];
  mmsghdr smsg[kBatch];
  iovec siov[kBatch];
  alignas(cmsghdr) uint8_t sctl[kBatch][kControl];
  uint8_t rbuf[kBatch][kMaxQuery];
  uint8_t sbuf[kBatch][kMaxResponse];
};

UdpWorker::UdpWorker(UniqueFd fd, bool wildcard, ServerShared& shared)
    : fd_(std::move(fd)), wildcard_(wildcard), shared_(shared) {}

UdpWorker::~UdpWorker() { join(); }

void UdpWorker::start() {
  worker_ = shared_.handler.newWorker();  // registered before start() returns
  thread_ = std::thread([this] { run(); });
}

void UdpWorker::wake() {
  // On an unconnected UDP socket this returns ENOTCONN but still marks it shut for reading and
  // wakes every blocked receiver (Linux inet_shutdown), which is what we want.
  ::shutdown(fd_.get(), SHUT_RD);
}

void UdpWorker::join() {
  if (thread_.joinable()) thread_.join();
}

namespace {

// Copies the destination address of a received datagram (IP_PKTINFO / IPV6_PKTINFO) into a
// control message that makes the reply leave from that address. Returns the control length.
size_t replyControl(const msghdr& received, uint8_t* out, size_t out_size) {
  for (cmsghdr* cm = CMSG_FIRSTHDR(&received); cm != nullptr;
       cm = CMSG_NXTHDR(const_cast<msghdr*>(&received), cm)) {
    if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
      in_pktinfo in;
      std::memcpy(&in, CMSG_DATA(cm), sizeof in);
      in_pktinfo reply{};
      reply.ipi_spec_dst = in.ipi_addr;  // source address of the reply
      if (CMSG_SPACE(sizeof reply) > out_size) return 0;
      auto* c = reinterpret_cast<cmsghdr*>(out);
      c->cmsg_level = IPPROTO_IP;
      c->cmsg_type = IP_PKTINFO;
      c->cmsg_len = CMSG_LEN(sizeof reply);
      std::memcpy(CMSG_DATA(c), &reply, sizeof reply);
      return CMSG_SPACE(sizeof reply);
    }
    if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO) {
      in6_pktinfo reply;
      std::memcpy(&reply, CMSG_DATA(cm), sizeof reply);
      // Pin the interface only where the address needs it; otherwise let routing choose.
      if (!IN6_IS_ADDR_LINKLOCAL(&reply.ipi6_addr)) reply.ipi6_ifindex = 0;
      if (CMSG_SPACE(sizeof reply) > out_size) return 0;
      auto* c = reinterpret_cast<cmsghdr*>(out);
      c->cmsg_level = IPPROTO_IPV6;
      c->cmsg_type = IPV6_PKTINFO;
      c->cmsg_len = CMSG_LEN(sizeof reply);
      std::memcpy(CMSG_DATA(c), &reply, sizeof reply);
      return CMSG_SPACE(sizeof reply);
    }
  }
  return 0;
}

}  // namespace

void UdpWorker::run() {
  QueryHandler::Worker* const worker = worker_.get();
  auto b = std::make_unique<Buffers>();
  for (int i = 0; i < kBatch; ++i) {
    b->riov[i] = {b->rbuf[i], kMaxQuery};
    msghdr& r = b->rmsg[i].msg_hdr;
    r.msg_name = &b->peer[i];
    r.msg_namelen = sizeof(sockaddr_storage);
    r.msg_iov = &b->riov[i];
    r.msg_iovlen = 1;
    r.msg_control = wildcard_ ? b->rctl[i] : nullptr;
    r.msg_controllen = wildcard_ ? Buffers::kControl : 0;
    b->siov[i] = {b->sbuf[i], 0};
    msghdr& s = b->smsg[i].msg_hdr;
    s.msg_iov = &b->siov[i];
    s.msg_iovlen = 1;
  }
  const QueryContext ctx{Transport::kUdp, false};
  const int fd = fd_.get();

  for (;;) {
    worker->idle();
    // Block for the first datagram, then take whatever else is queued (up to kBatch).
    const int n = ::recvmmsg(fd, b->rmsg, kBatch, MSG_WAITFORONE, nullptr);
    if (shared_.stopping.load(std::memory_order_relaxed)) break;
    if (n <= 0) {
      // Timeout (SO_RCVTIMEO), EINTR or a transient error: refresh the snapshot so an idle worker
      // releases old zone sets, then block again. Persistent errors must not spin.
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      worker->beginBatch();
      continue;
    }
    worker->beginBatch();
    int k = 0;
    for (int i = 0; i < n; ++i) {
      msghdr& r = b->rmsg[i].msg_hdr;
      if ((r.msg_flags & MSG_TRUNC) == 0) {  // larger than kMaxQuery: drop
        const size_t len = worker->answer({b->rbuf[i], b->rmsg[i].msg_len}, {b->sbuf[k], kMaxResponse}, ctx);
        if (len != 0 && len <= kMaxResponse) {
          b->siov[k].iov_len = len;
          msghdr& s = b->smsg[k].msg_hdr;
          s.msg_name = &b->peer[i];
          s.msg_namelen = r.msg_namelen;
          if (wildcard_) {
            s.msg_controllen = replyControl(r, b->sctl[k], Buffers::kControl);
            s.msg_control = s.msg_controllen != 0 ? b->sctl[k] : nullptr;
          }
          ++k;
        }
      }
      r.msg_namelen = sizeof(sockaddr_storage);
      if (wildcard_) r.msg_controllen = Buffers::kControl;
    }
    for (int sent = 0; sent < k;) {
      const int m = ::sendmmsg(fd, b->smsg + sent, static_cast<unsigned>(k - sent), 0);
      if (m > 0) {
        sent += m;
      } else if (m < 0 && errno == EINTR) {
        continue;
      } else {
        ++sent;  // this datagram cannot be sent (e.g. unreachable peer): drop it, go on
      }
    }
  }
  worker_.reset();  // deregisters this thread's snapshot reader
}

}  // namespace zk::authdns
