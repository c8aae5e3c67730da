// Per-account request throttling: one token bucket per account, as Route 53 rate-limits API calls.
#pragma once

// Route 53 answers over-limit calls with HTTP 400 and code "Throttling", message "Rate exceeded", which
// every SDK treats as retryable (botocore's retry handler lists "Throttling" among its throttling
// codes). https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DNSLimitations.html#limits-api-requests
//
// Threading: thread-safe (one mutex around a small map; a call is a few arithmetic operations).
// Time comes from the injected Clock's monotonic source, so tests advance it by hand.

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/clock.h"

namespace zk::api {

struct ThrottleConfig {
  double requests_per_second = 0;  // sustained rate per account; <= 0 turns throttling off
  double burst = 0;                // bucket size; <= 0 means max(1, requests_per_second)
};

class Throttle {
 public:
  Throttle(ThrottleConfig config, const Clock& clock);

  bool enabled() const { return config_.requests_per_second > 0; }
  // Takes one token from the account's bucket; false when it is empty (answer Throttling).
  // Always true when throttling is off.
  bool tryAcquire(std::string_view account_id);

 private:
  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point last{};
  };
  ThrottleConfig config_;
  double capacity_;
  const Clock& clock_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;  // guarded by mu_
};

}  // namespace zk::api
