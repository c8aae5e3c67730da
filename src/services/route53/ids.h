// Route 53 style identifiers: hosted zone ids ("Z..."), change ids ("C...").
#pragma once

#include <random>
#include <string>

namespace zk::route53 {

// Random upper-case alphanumerics after `prefix` (Route 53 ids look like Z0123456789ABCDEFGHIJK).
// Thread-safe (one engine per thread, seeded from std::random_device).
inline std::string randomId(char prefix, size_t length = 21) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  thread_local std::mt19937_64 engine{std::random_device{}()};
  std::uniform_int_distribution<size_t> pick(0, sizeof(kAlphabet) - 2);
  std::string id(1, prefix);
  for (size_t i = 0; i < length; ++i) id.push_back(kAlphabet[pick(engine)]);
  return id;
}

inline std::string newHostedZoneId() { return randomId('Z'); }
inline std::string newChangeId() { return randomId('C'); }

}  // namespace zk::route53
