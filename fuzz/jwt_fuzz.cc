// Fuzzes compact JWT decoding, JWKS parsing, and verification against a fixed and a fuzzed JWKS.
// zk-fuzz-libs: zk_jose
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "jose/jwk.h"
#include "jose/jwt.h"

namespace {

// Public keys only (kid r1: RSA-2048, e1: EC P-256, h1: an oct key that must be skipped). The seed
// tokens in fuzz/corpus/jwt/ were signed by the matching private keys, which were then discarded.
constexpr std::string_view kJwks =
    R"json({"keys":[{"kty":"RSA","kid":"r1","use":"sig","n":"wZEW91H9qk7cbHsSqGiJ80RN2M1bJXKQqxXQhTbuTR86dM2cc3PfBbkhDDKAv6jEzR0j6JkwAkKhtCFSZBBzEKuCXJP0tDvNIc9v-7dPr5G8pY2cNu8BDmFiu8U14IpE2ucKPROEUUROOo9Ldwx9TaAzBZ12xDDh6xeRU_qFesP4KLL4SlemtV6BKVKtJbGu0v1QQ1UdGScoCP--yUxNdGZifnLvVIYX25nF5EhyMZbpqvkFwWPImf_dGbHEHjnWlLvX4JYfvGPoSCaQtc4ZoC7dJY0k2OzVgZjTiUHXavOJrJRDH4KSE90QAsL_IFcB0ynw4Zhov9gn-wX30uQNUw","e":"AQAB"},{"kty":"EC","kid":"e1","crv":"P-256","x":"47Ybv2pXa2KaXTZ0Nf3eEErCvU_rLFkmyPp5hAhJ6e0","y":"tfMC7YkN2iSVIp4DSK_ESvoqHlETFzQT2eDE7Gpidic"},{"kty":"oct","kid":"h1","k":"c2VjcmV0"}]})json";

const zk::jose::Jwks& fixedKeys() {
  static const zk::jose::Jwks keys = [] {
    auto r = zk::jose::Jwks::parse(kJwks);
    if (!r.ok() || r->size() != 2) __builtin_trap();
    return *r;
  }();
  return keys;
}

void check(const std::variant<zk::jose::VerifiedJwt, zk::jose::JwtFailure>& r) {
  if (const auto* v = std::get_if<zk::jose::VerifiedJwt>(&r)) {
    // Only the asymmetric algorithms ever verify, and require_exp held.
    if (v->alg != "RS256" && v->alg != "RS384" && v->alg != "RS512" && v->alg != "PS256" &&
        v->alg != "ES256" && v->alg != "ES384") {
      __builtin_trap();
    }
    if (!v->exp) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));

  // 1. Decode alone.
  auto decoded = zk::jose::decode(input);
  if (const auto* u = std::get_if<zk::jose::UnverifiedJwt>(&decoded)) {
    if (u->alg.empty() || !u->header.is_object() || !u->claims.is_object()) __builtin_trap();
  }
  // 2. The bytes as a JWKS.
  auto parsed = zk::jose::Jwks::parse(input);
  if (parsed.ok()) {
    for (const auto& k : parsed->keys()) {
      if (!k.key) __builtin_trap();
    }
  }
  // 3. Verify against the fixed set.
  check(zk::jose::verify(input, fixedKeys(), now));
  // 4. "TOKEN\nJWKS": verify the first line against the rest parsed as a set.
  if (size_t nl = input.find('\n'); nl != std::string_view::npos) {
    auto keys = zk::jose::Jwks::parse(input.substr(nl + 1));
    if (keys.ok()) check(zk::jose::verify(input.substr(0, nl), *keys, now));
  }
  return 0;
}
