// Publishes immutable snapshots (the zone set) to DNS worker threads; no lock on the query path.
#pragma once

#include <algorithm>
#include <atomic>
#include <cassert>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace zk::zone {
class ZoneSet;  // zone/zone_set.h
}  // namespace zk::zone

namespace zk::authdns {

// BasicPublisher<T> holds the current snapshot (a std::shared_ptr<const T>) and a generation
// number (1 for the initial snapshot, +1 per publish()). Worker threads each own a Reader and call
// reader.acquire() before each batch of queries and reader.idle() right before they block waiting
// for packets.
//
// Threading: publish(), current(), generation(), isServed(), waitServed(), addReader() and
// collect() are thread-safe. A Reader is used by one thread only. Readers must be destroyed
// before their publisher.
//
// "Served" (what Route 53 GetChange INSYNC relies on): isServed(g) is true when every registered
// reader will answer its next query from generation >= g, i.e. each reader either
//   (a) has acquired generation >= g (seen >= g), or
//   (b) is idle: it called idle() and has not called acquire() since, so it acquires the newest
//       generation before it answers anything.
//
// Memory ordering (all accesses to gen_, Slot::idle and Slot::seen are seq_cst, so they fall in
// one total order S consistent with program order):
//   Publisher P: W1  gen_ = g                     (in publish())
//                R0  load gen_ (>= g)             (first step of isServed)
//                R1  load slot.idle -> true
//   Reader    Q: W2  slot.idle = false            (first step of acquire())
//                R2  load gen_                    (second step of acquire())
//   R1 read `true`, written by Q's last idle() store W3. Q's next acquire() stores false (W2)
//   after W3 in modification order, so W2 cannot precede R1 in S (R1 would then read W2 or a
//   later store). Hence W1 <S R0 <S R1 <S W2 <S R2, and R2 reads gen_ >= g: Q refreshes to >= g
//   before its next answer. Case (a) needs no ordering argument: seen only grows (gen_ is
//   monotonic and refresh() copies current_ and gen_ together under mu_), and a reader answers
//   from the snapshot of the generation it last stored in seen.
//   current_ itself is only touched under mu_; the atomic gen_ is just the cheap change detector.
//
// Reclamation: a reader that moves to a new generation does not drop its old snapshot on the
// worker thread (freeing a large zone would stall queries); it hands it to retired_, which is
// freed by the next publish(), a successful waitServed() or collect(), on the caller's thread.
template <typename T>
class BasicPublisher {
  // One per reader, on its own cache line so readers never share a line with each other.
  struct alignas(64) Slot {
    std::atomic<uint64_t> seen{0};  // generation the reader answers from (0: none yet)
    std::atomic<bool> idle{true};   // true from idle() until the next acquire()
  };

 public:
  using Ptr = std::shared_ptr<const T>;

  class Reader {
   public:
    ~Reader() {
      Ptr old;
      {
        std::lock_guard lock(pub_.mu_);
        auto& s = pub_.slots_;
        s.erase(std::remove(s.begin(), s.end(), &slot_), s.end());
        old = std::move(cached_);
      }
      pub_.cv_.notify_all();
    }
    Reader(const Reader&) = delete;
    Reader& operator=(const Reader&) = delete;

    // Returns the snapshot to answer the next batch from; valid until the next acquire() or the
    // Reader's destruction. Fast path: one seq_cst store and one seq_cst load, no lock.
    const T& acquire() {
      slot_.idle.store(false, std::memory_order_seq_cst);
      if (pub_.gen_.load(std::memory_order_seq_cst) != cached_gen_) [[unlikely]]
        refresh();
      return *cached_;
    }

    // Call right before blocking for packets: from now until the next acquire() this reader
    // counts as serving the newest generation. No lock, one store.
    void idle() { slot_.idle.store(true, std::memory_order_seq_cst); }

    // Generation of the snapshot acquire() last returned (0 before the first acquire()).
    uint64_t generation() const { return cached_gen_; }

   private:
    friend class BasicPublisher;
    explicit Reader(BasicPublisher& pub) : pub_(pub) {}

    void refresh() {
      {
        std::lock_guard lock(pub_.mu_);
        if (cached_) pub_.retired_.push_back(std::move(cached_));
        cached_ = pub_.current_;
        cached_gen_ = pub_.gen_.load(std::memory_order_relaxed);  // consistent with current_ under mu_
        slot_.seen.store(cached_gen_, std::memory_order_seq_cst);
      }
      pub_.cv_.notify_all();
    }

    BasicPublisher& pub_;
    Slot slot_;
    uint64_t cached_gen_ = 0;
    Ptr cached_;
  };

  explicit BasicPublisher(Ptr initial) : current_(std::move(initial)), gen_(1) { assert(current_); }
  ~BasicPublisher() { assert(slots_.empty() && "destroy every Reader before its publisher"); }
  BasicPublisher(const BasicPublisher&) = delete;
  BasicPublisher& operator=(const BasicPublisher&) = delete;

  // Makes `next` (non-null) the current snapshot; returns its generation. Publishers are
  // serialized by the mutex. Frees the previous snapshot and retired ones on this thread once no
  // reader holds them.
  uint64_t publish(Ptr next) {
    assert(next);
    Ptr old;
    std::vector<Ptr> retired;
    uint64_t g;
    {
      std::lock_guard lock(mu_);
      old = std::exchange(current_, std::move(next));
      g = gen_.load(std::memory_order_relaxed) + 1;
      gen_.store(g, std::memory_order_seq_cst);
      retired.swap(retired_);
    }
    return g;  // `old` and `retired` are released here, outside the lock
  }

  Ptr current() const {
    std::lock_guard lock(mu_);
    return current_;
  }

  uint64_t generation() const { return gen_.load(std::memory_order_seq_cst); }

  // True when every registered reader answers from generation >= gen (see the class comment).
  // False for a generation not published yet. True when there are no readers.
  bool isServed(uint64_t gen) const {
    if (gen > gen_.load(std::memory_order_seq_cst)) return false;
    std::lock_guard lock(mu_);
    return servedLocked(gen);
  }

  // Blocks until isServed(gen) or the timeout passes; returns the final isServed(gen). Readers
  // that switch generation wake it; idle transitions are polled every millisecond.
  bool waitServed(uint64_t gen, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    if (gen > gen_.load(std::memory_order_seq_cst)) return false;
    {
      std::unique_lock lock(mu_);
      while (!servedLocked(gen)) {
        auto now = std::chrono::steady_clock::now();
        if (now >= deadline) return false;
        cv_.wait_for(lock, std::min<std::chrono::steady_clock::duration>(deadline - now,
                                                                         std::chrono::milliseconds(1)));
      }
    }
    collect();
    return true;
  }

  // Registers a reader (one per worker thread). It starts idle, so it never delays isServed()
  // before its first acquire().
  std::unique_ptr<Reader> addReader() {
    std::unique_ptr<Reader> r(new Reader(*this));
    std::lock_guard lock(mu_);
    slots_.push_back(&r->slot_);
    return r;
  }

  size_t readerCount() const {
    std::lock_guard lock(mu_);
    return slots_.size();
  }

  // Releases snapshots that readers moved away from (freed here if no one else holds them).
  void collect() {
    std::vector<Ptr> retired;
    {
      std::lock_guard lock(mu_);
      retired.swap(retired_);
    }
  }

 private:
  bool servedLocked(uint64_t gen) const {
    for (const Slot* s : slots_) {
      if (s->seen.load(std::memory_order_seq_cst) >= gen) continue;
      if (s->idle.load(std::memory_order_seq_cst)) continue;
      return false;
    }
    return true;
  }

  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  Ptr current_;                // guarded by mu_
  std::atomic<uint64_t> gen_;  // written under mu_, read anywhere
  std::vector<Slot*> slots_;   // guarded by mu_
  std::vector<Ptr> retired_;   // guarded by mu_
};

// The production publisher: DNS workers answer from immutable zone sets (zone/zone_set.h).
using Publisher = BasicPublisher<zone::ZoneSet>;

}  // namespace zk::authdns
