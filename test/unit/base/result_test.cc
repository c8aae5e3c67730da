#include "base/result.h"

#include <gtest/gtest.h>

#include "base/clock.h"

namespace zk {
namespace {

Result<int> half(int x) {
  if (x % 2) return invalidArgument("odd");
  return x / 2;
}

Status chain(int x, int* out) {
  auto r = half(x);
  if (!r.ok()) return r.status();
  *out = *r;
  return Status();
}

TEST(ResultTest, ValueAndError) {
  auto a = half(4);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, 2);
  auto b = half(3);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(b.status().toString(), "INVALID_ARGUMENT: odd");
}

TEST(ResultTest, Propagation) {
  int out = 0;
  EXPECT_TRUE(chain(8, &out).isOk());
  EXPECT_EQ(out, 4);
  EXPECT_EQ(chain(7, &out).code(), Code::kInvalidArgument);
}

TEST(ClockTest, FakeClockAdvances) {
  FakeClock c;
  auto t0 = c.now();
  auto m0 = c.monotonic();
  c.advance(std::chrono::hours(24 * 60));
  EXPECT_EQ(c.now() - t0, std::chrono::hours(24 * 60));
  EXPECT_EQ(c.monotonic() - m0, std::chrono::hours(24 * 60));
}

}  // namespace
}  // namespace zk
