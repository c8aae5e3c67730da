// Token buckets per account, refilled continuously at the configured rate.
#include "api/throttle.h"

#include <algorithm>

namespace zk::api {

Throttle::Throttle(ThrottleConfig config, const Clock& clock)
    : config_(config),
      capacity_(config.burst > 0 ? config.burst : std::max(1.0, config.requests_per_second)),
      clock_(clock) {}

bool Throttle::tryAcquire(std::string_view account_id) {
  if (!enabled()) return true;
  const auto now = clock_.monotonic();
  std::lock_guard lock(mu_);
  auto [it, inserted] = buckets_.try_emplace(std::string(account_id));
  Bucket& b = it->second;
  if (inserted) {
    b.tokens = capacity_;
  } else {
    const double elapsed = std::chrono::duration<double>(now - b.last).count();
    if (elapsed > 0) b.tokens = std::min(capacity_, b.tokens + elapsed * config_.requests_per_second);
  }
  b.last = now;
  if (b.tokens < 1.0) return false;
  b.tokens -= 1.0;
  return true;
}

}  // namespace zk::api
