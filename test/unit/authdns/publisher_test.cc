// Tests for BasicPublisher: generations, served semantics, reclamation, and a concurrent stress run.
#include "authdns/publisher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace zk::authdns {
namespace {

using namespace std::chrono_literals;

struct Snap {
  explicit Snap(uint64_t v, std::atomic<int>* live = nullptr,
                std::atomic<std::thread::id>* freed_on = nullptr)
      : version(v), live_(live), freed_on_(freed_on) {
    if (live_) ++*live_;
  }
  ~Snap() {
    if (live_) --*live_;
    if (freed_on_) freed_on_->store(std::this_thread::get_id());
  }
  uint64_t version;
  std::atomic<int>* live_;
  std::atomic<std::thread::id>* freed_on_;
};

using TestPublisher = BasicPublisher<Snap>;

TEST(PublisherTest, GenerationsAndCurrent) {
  TestPublisher pub(std::make_shared<const Snap>(100));
  EXPECT_EQ(pub.generation(), 1u);
  EXPECT_EQ(pub.current()->version, 100u);
  EXPECT_TRUE(pub.isServed(1));   // no readers
  EXPECT_FALSE(pub.isServed(2));  // not published yet
  EXPECT_EQ(pub.publish(std::make_shared<const Snap>(200)), 2u);
  EXPECT_EQ(pub.publish(std::make_shared<const Snap>(300)), 3u);
  EXPECT_EQ(pub.generation(), 3u);
  EXPECT_EQ(pub.current()->version, 300u);
  EXPECT_TRUE(pub.isServed(3));
  EXPECT_FALSE(pub.isServed(4));
  EXPECT_FALSE(pub.waitServed(4, 1ms));
}

TEST(PublisherTest, ServedWithActiveIdleAndDeregisteredReaders) {
  TestPublisher pub(std::make_shared<const Snap>(1));
  auto a = pub.addReader();
  auto b = pub.addReader();
  EXPECT_EQ(pub.readerCount(), 2u);
  EXPECT_EQ(a->generation(), 0u);
  EXPECT_TRUE(pub.isServed(1));  // new readers are idle: they acquire before answering

  EXPECT_EQ(a->acquire().version, 1u);
  EXPECT_EQ(b->acquire().version, 1u);
  EXPECT_EQ(a->generation(), 1u);
  EXPECT_TRUE(pub.isServed(1));

  const uint64_t g2 = pub.publish(std::make_shared<const Snap>(2));
  // Both readers are mid-batch on generation 1.
  EXPECT_FALSE(pub.isServed(g2));
  EXPECT_TRUE(pub.isServed(1));

  a->idle();                       // a blocks for packets: it will acquire before its next answer
  EXPECT_FALSE(pub.isServed(g2));  // b is still answering from 1
  EXPECT_EQ(b->acquire().version, 2u);
  EXPECT_TRUE(pub.isServed(g2));

  // a wakes up: it must see generation 2 at once.
  EXPECT_EQ(a->acquire().version, 2u);
  EXPECT_TRUE(pub.isServed(g2));

  const uint64_t g3 = pub.publish(std::make_shared<const Snap>(3));
  EXPECT_FALSE(pub.isServed(g3));
  b.reset();  // deregisters
  EXPECT_EQ(pub.readerCount(), 1u);
  EXPECT_FALSE(pub.isServed(g3));  // a is busy on 2
  a->idle();
  EXPECT_TRUE(pub.isServed(g3));
  a.reset();
  EXPECT_EQ(pub.readerCount(), 0u);
  EXPECT_TRUE(pub.isServed(g3));
}

TEST(PublisherTest, AcquireSkipsIntermediateGenerations) {
  TestPublisher pub(std::make_shared<const Snap>(1));
  auto r = pub.addReader();
  EXPECT_EQ(r->acquire().version, 1u);
  pub.publish(std::make_shared<const Snap>(2));
  pub.publish(std::make_shared<const Snap>(3));
  const uint64_t g = pub.publish(std::make_shared<const Snap>(4));
  EXPECT_EQ(r->acquire().version, 4u);
  EXPECT_EQ(r->generation(), g);
  EXPECT_TRUE(pub.isServed(2));
  EXPECT_TRUE(pub.isServed(g));
}

TEST(PublisherTest, WaitServedWakesWhenReaderAcquires) {
  TestPublisher pub(std::make_shared<const Snap>(1));
  auto r = pub.addReader();
  r->acquire();
  const uint64_t g = pub.publish(std::make_shared<const Snap>(2));
  EXPECT_FALSE(pub.waitServed(g, 20ms));  // reader busy on generation 1

  std::atomic<bool> go{false};
  std::thread t([&] {
    while (!go.load()) std::this_thread::yield();
    std::this_thread::sleep_for(20ms);
    EXPECT_EQ(r->acquire().version, 2u);
  });
  go = true;
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(pub.waitServed(g, 10s));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  t.join();
}

TEST(PublisherTest, WaitServedSeesIdleTransition) {
  TestPublisher pub(std::make_shared<const Snap>(1));
  auto r = pub.addReader();
  r->acquire();
  const uint64_t g = pub.publish(std::make_shared<const Snap>(2));
  std::thread t([&] {
    std::this_thread::sleep_for(20ms);
    r->idle();  // no notification: waitServed must notice by polling
  });
  EXPECT_TRUE(pub.waitServed(g, 10s));
  t.join();
}

TEST(PublisherTest, OldSnapshotsAreFreedOffTheReaderThread) {
  std::atomic<int> live{0};
  std::atomic<std::thread::id> freed_on{};
  TestPublisher pub(std::make_shared<const Snap>(1, &live, &freed_on));
  auto r = pub.addReader();
  std::thread reader([&] { r->acquire(); });
  reader.join();
  EXPECT_EQ(live.load(), 1);

  const uint64_t g = pub.publish(std::make_shared<const Snap>(2, &live, &freed_on));
  EXPECT_EQ(live.load(), 2);  // the reader still holds version 1
  std::thread::id reader_id;
  std::thread reader2([&] {
    reader_id = std::this_thread::get_id();
    EXPECT_EQ(r->acquire().version, 2u);
  });
  reader2.join();
  EXPECT_EQ(live.load(), 2);           // retired, not freed on the reader thread
  EXPECT_TRUE(pub.waitServed(g, 1s));  // collects
  EXPECT_EQ(live.load(), 1);
  EXPECT_EQ(freed_on.load(), std::this_thread::get_id());
  EXPECT_NE(freed_on.load(), reader_id);

  pub.publish(std::make_shared<const Snap>(3, &live, &freed_on));
  r->acquire();
  pub.collect();
  EXPECT_EQ(live.load(), 1);
  r.reset();
}

// Readers acquire in loops (sometimes idling) while a publisher publishes and waits for each
// tenth generation to be served. Checks: generations never go backwards for a reader, the
// snapshot matches the generation, and once waitServed(g) returned, no reader acquires anything
// older than g. Meant to run under TSan too.
TEST(PublisherTest, ConcurrentStress) {
  TestPublisher pub(std::make_shared<const Snap>(1));
  constexpr int kReaders = 4;
  constexpr uint64_t kPublishes = 3000;
  std::atomic<bool> done{false};
  std::atomic<int> started{0};
  std::atomic<uint64_t> served_floor{1};
  std::atomic<uint64_t> violations{0};
  std::atomic<uint64_t> acquires{0};
  std::atomic<uint64_t> switches{0};

  std::vector<std::unique_ptr<TestPublisher::Reader>> rs;
  for (int i = 0; i < kReaders; ++i) rs.push_back(pub.addReader());
  std::vector<std::thread> readers;
  for (int i = 0; i < kReaders; ++i) {
    readers.emplace_back([&, i] {
      TestPublisher::Reader& r = *rs[i];
      uint64_t last = 0;
      uint64_t n = 0;
      uint64_t changed = 0;
      bool announced = false;
      while (!done.load(std::memory_order_relaxed)) {
        const uint64_t floor = served_floor.load();
        const Snap& s = r.acquire();
        // Snap.version == generation for every published snapshot in this test.
        if (s.version < last || s.version < floor || s.version != r.generation()) ++violations;
        if (s.version != last) ++changed;
        last = s.version;
        ++n;
        if (!announced) {
          announced = true;
          ++started;
        }
        // Reader 0 never idles, so waitServed must wait for it to acquire.
        if (i != 0 && (n + static_cast<uint64_t>(i)) % 3 == 0) {
          r.idle();  // as if blocking for packets
          if (n % 7 == 0) std::this_thread::yield();
        }
      }
      r.idle();
      acquires += n;
      switches += changed;
    });
  }
  while (started.load() < kReaders) std::this_thread::yield();
  uint64_t waits_ok = 0;
  for (uint64_t v = 2; v <= kPublishes; ++v) {
    const uint64_t g = pub.publish(std::make_shared<const Snap>(v));
    ASSERT_EQ(g, v);
    std::this_thread::sleep_for(20us);  // let readers run between publishes
    if (v % 10 == 0) {
      if (pub.waitServed(g, 10s)) {
        served_floor.store(g);
        ++waits_ok;
      }
    }
  }
  done = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(violations.load(), 0u);
  EXPECT_EQ(waits_ok, kPublishes / 10);  // every wait succeeded (readers keep going)
  EXPECT_GT(acquires.load(), kPublishes);
  EXPECT_GT(switches.load(), static_cast<uint64_t>(kReaders) * 2);  // readers saw many generations
  rs.clear();
  EXPECT_EQ(pub.readerCount(), 0u);
}

}  // namespace
}  // namespace zk::authdns
