// Throttle: per-account token buckets on the injected clock.
#include "api/throttle.h"

#include <gtest/gtest.h>

#include "base/clock.h"

namespace zk::api {
namespace {

TEST(ThrottleTest, OffByDefault) {
  FakeClock clock;
  Throttle th({}, clock);
  EXPECT_FALSE(th.enabled());
  for (int i = 0; i < 10000; ++i) ASSERT_TRUE(th.tryAcquire("111111111111"));
}

TEST(ThrottleTest, BurstThenRatePerAccount) {
  FakeClock clock;
  Throttle th({/*requests_per_second=*/5, /*burst=*/3}, clock);
  EXPECT_TRUE(th.tryAcquire("a"));
  EXPECT_TRUE(th.tryAcquire("a"));
  EXPECT_TRUE(th.tryAcquire("a"));
  EXPECT_FALSE(th.tryAcquire("a"));
  EXPECT_TRUE(th.tryAcquire("b"));                // its own bucket
  clock.advance(std::chrono::milliseconds(200));  // one token at 5/s
  EXPECT_TRUE(th.tryAcquire("a"));
  EXPECT_FALSE(th.tryAcquire("a"));
  clock.advance(std::chrono::seconds(10));  // refills to the burst, not beyond
  int granted = 0;
  for (int i = 0; i < 10; ++i) granted += th.tryAcquire("a") ? 1 : 0;
  EXPECT_EQ(granted, 3);
}

}  // namespace
}  // namespace zk::api
