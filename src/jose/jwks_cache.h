// JWKS per OIDC issuer, found through OpenID Connect Discovery 1.0 and cached with rate-limited refetch.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>

#include "base/clock.h"
#include "base/result.h"
#include "jose/jwk.h"
#include "jose/jwt.h"

namespace zk::jose {

// Keys per issuer: GET <issuer>/.well-known/openid-configuration (OIDC Discovery 1.0 §4; a
// trailing '/' of the issuer is dropped first, §4.1), check its "issuer" equals the token's iss
// exactly (§4.3), read "jwks_uri" (§3, REQUIRED; must be https), GET it, Jwks::parse.
//
// Caching (all times on the clock's monotonic time):
// - a fetched set is used for `ttl`; after that the next keysFor refetches, and if that fails the
//   answer is kIssuerUnreachable (stale keys are not served past ttl);
// - a kid not in a fresh cached set triggers a refetch (key rotation) at most once per
//   `min_refetch_interval` per issuer; otherwise kUnknownKey at once;
// - a failed fetch is remembered for `min_refetch_interval` too (kIssuerUnreachable without
//   another fetch), so a dead issuer is not hammered with one fetch per token;
// - at most `max_issuers` issuers are kept; the least recently used one is dropped for a new one.
// Fetches for one issuer are serialised (concurrent callers wait for the one fetch); different
// issuers fetch in parallel. Thread-safe. The fetcher is called without any cache-wide lock held.
//
// The issuer string comes from an unverified token: the caller must only pass issuers it trusts
// (STS: a registered OIDC provider), or set `allow_issuer`, otherwise any token makes this fetch
// any https URL.
class JwksCache {
 public:
  // The body of a 200 response for `url`, or an error (any non-200 status is an error).
  using Fetcher = std::function<Result<std::string>(const std::string& url)>;
  struct Options {
    std::chrono::seconds ttl{3600};
    std::chrono::seconds min_refetch_interval{60};
    size_t max_issuers = 256;
    // When set, issuers it refuses get kUnknownKey without any fetch.
    std::function<bool(const std::string& issuer)> allow_issuer;
  };

  // `clock` must outlive the cache.
  JwksCache(Fetcher fetcher, const Clock& clock, Options options);
  JwksCache(Fetcher fetcher, const Clock& clock);
  JwksCache(const JwksCache&) = delete;
  JwksCache& operator=(const JwksCache&) = delete;

  // The keys for `issuer` able to verify `kid` (refetching as allowed above). An empty kid only
  // needs some set. Errors: kMalformed (issuer not an https URL), kIssuerUnreachable (discovery or
  // JWKS fetch/parse failed, now or within min_refetch_interval), kUnknownKey (kid not in the set
  // after any allowed refetch; issuer refused by allow_issuer).
  std::variant<std::shared_ptr<const Jwks>, JwtFailure> keysFor(const std::string& issuer,
                                                                const std::string& kid);

  // Number of issuers cached (for tests and metrics).
  size_t issuerCount() const;

 private:
  struct Entry {
    std::mutex mu;  // held while fetching for this issuer
    std::shared_ptr<const Jwks> keys;
    std::chrono::steady_clock::time_point fetched_at{};
    std::chrono::steady_clock::time_point last_attempt{};
    bool attempted = false;
    std::string last_error;  // of the last attempt, empty if it succeeded
  };
  // Fetches discovery + JWKS; on success stores into `e`. Called with e.mu held.
  std::optional<JwtFailure> refresh(const std::string& issuer, Entry& e,
                                    std::chrono::steady_clock::time_point now);

  Fetcher fetcher_;
  const Clock& clock_;
  Options options_;
  mutable std::mutex mu_;  // guards entries_ and last_used_ (not the entries' contents)
  struct Slot {
    std::shared_ptr<Entry> entry;
    std::chrono::steady_clock::time_point last_used;
  };
  std::unordered_map<std::string, Slot> entries_;
};

// Convenience: decode, keysFor(iss, kid), verify. A token without iss is kMalformed.
std::variant<VerifiedJwt, JwtFailure> verifyWithIssuer(std::string_view compact, JwksCache& cache,
                                                       std::chrono::system_clock::time_point now,
                                                       const VerifyOptions& options = {});

}  // namespace zk::jose
