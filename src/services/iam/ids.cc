// IAM identifiers and ARNs.
#include "services/iam/ids.h"

#include <array>

namespace zk::iam {

Result<std::string> randomString(const crypto::RandomSource& random, std::string_view alphabet, size_t n) {
  if (alphabet.empty() || alphabet.size() > 256) return invalidArgument("bad alphabet");
  // Rejection sampling keeps the choice uniform for any alphabet size.
  const size_t limit = 256 - (256 % alphabet.size());
  std::string out;
  out.reserve(n);
  std::array<uint8_t, 64> buf{};
  for (int rounds = 0; out.size() < n; ++rounds) {
    if (rounds > 1000) return internalError("random source yields no usable bytes");
    Status st = random(buf);
    if (!st.isOk()) return st;
    for (uint8_t b : buf) {
      if (b >= limit) continue;
      out.push_back(alphabet[b % alphabet.size()]);
      if (out.size() == n) break;
    }
  }
  crypto::secureWipe(buf.data(), buf.size());
  return out;
}

Result<std::string> newUniqueId(const crypto::RandomSource& random, std::string_view prefix) {
  auto tail = randomString(random, kBase32, 17);
  if (!tail.ok()) return tail.status();
  return std::string(prefix) + *tail;
}

Result<std::string> newAccountId(const crypto::RandomSource& random) {
  auto first = randomString(random, "123456789", 1);
  if (!first.ok()) return first.status();
  auto rest = randomString(random, "0123456789", 11);
  if (!rest.ok()) return rest.status();
  return *first + *rest;
}

std::string iamArn(std::string_view account_id, std::string_view type, std::string_view path,
                   std::string_view name) {
  std::string out = "arn:aws:iam::";
  out += account_id;
  out += ':';
  out += type;
  out += path.empty() ? std::string_view("/") : path;
  out += name;
  return out;
}

}  // namespace zk::iam
