// JwksCache: OIDC discovery (OpenID Connect Discovery 1.0 §4) + JWKS fetch, cached per issuer.
#include "jose/jwks_cache.h"

#include <nlohmann/json.hpp>

namespace zk::jose {
namespace {

bool isHttpsUrl(std::string_view url) {
  // OIDC Core 1.0 §2 ("iss": a case-sensitive URL using the https scheme); Discovery §3 jwks_uri.
  return url.size() > 8 && url.substr(0, 8) == "https://" &&
         url.find_first_of(" \t\r\n") == std::string_view::npos;
}

JwtFailure unreachable(std::string m) { return JwtFailure{JwtError::kIssuerUnreachable, std::move(m)}; }

}  // namespace

JwksCache::JwksCache(Fetcher fetcher, const Clock& clock, Options options)
    : fetcher_(std::move(fetcher)), clock_(clock), options_(std::move(options)) {
  if (options_.max_issuers == 0) options_.max_issuers = 1;
}

JwksCache::JwksCache(Fetcher fetcher, const Clock& clock) : JwksCache(std::move(fetcher), clock, Options{}) {}

size_t JwksCache::issuerCount() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

std::optional<JwtFailure> JwksCache::refresh(const std::string& issuer, Entry& e,
                                             std::chrono::steady_clock::time_point now) {
  e.attempted = true;
  e.last_attempt = now;
  auto failed = [&](std::string m) {
    e.last_error = m;
    return unreachable(std::move(m));
  };
  // Discovery §4.1: remove a terminating '/' from the issuer, then append the well-known path.
  std::string base = issuer;
  if (!base.empty() && base.back() == '/') base.pop_back();
  auto config_body = fetcher_(base + "/.well-known/openid-configuration");
  if (!config_body.ok()) return failed("OIDC discovery failed: " + config_body.status().message());
  auto config = nlohmann::json::parse(config_body->begin(), config_body->end(), nullptr, false);
  if (config.is_discarded() || !config.is_object())
    return failed("OIDC discovery document is not a JSON object");
  // Discovery §4.3: "The issuer value returned MUST be identical to the Issuer URL that was used as
  // the prefix to /.well-known/openid-configuration"; and it must match iss of tokens (§3).
  auto iss = config.find("issuer");
  if (iss == config.end() || !iss->is_string() || iss->get_ref<const std::string&>() != issuer) {
    return failed("OIDC discovery document names another issuer");
  }
  auto uri = config.find("jwks_uri");
  if (uri == config.end() || !uri->is_string() || !isHttpsUrl(uri->get_ref<const std::string&>())) {
    return failed("OIDC discovery document has no https jwks_uri");
  }
  auto jwks_body = fetcher_(uri->get<std::string>());
  if (!jwks_body.ok()) return failed("JWKS fetch failed: " + jwks_body.status().message());
  auto jwks = Jwks::parse(*jwks_body);
  if (!jwks.ok()) return failed("JWKS unusable: " + jwks.status().message());
  e.keys = std::make_shared<const Jwks>(std::move(*jwks));
  e.fetched_at = now;
  e.last_error.clear();
  return std::nullopt;
}

std::variant<std::shared_ptr<const Jwks>, JwtFailure> JwksCache::keysFor(const std::string& issuer,
                                                                         const std::string& kid) {
  if (!isHttpsUrl(issuer)) return JwtFailure{JwtError::kMalformed, "issuer is not an https URL"};
  if (options_.allow_issuer && !options_.allow_issuer(issuer)) {
    return JwtFailure{JwtError::kUnknownKey, "issuer is not trusted"};
  }
  std::shared_ptr<Entry> entry;
  {
    std::lock_guard lock(mu_);
    auto now = clock_.monotonic();
    auto it = entries_.find(issuer);
    if (it == entries_.end()) {
      if (entries_.size() >= options_.max_issuers) {
        auto oldest = entries_.begin();
        for (auto i = entries_.begin(); i != entries_.end(); ++i) {
          if (i->second.last_used < oldest->second.last_used) oldest = i;
        }
        entries_.erase(oldest);
      }
      it = entries_.emplace(issuer, Slot{std::make_shared<Entry>(), now}).first;
    }
    it->second.last_used = now;
    entry = it->second.entry;
  }

  std::lock_guard lock(entry->mu);
  const auto now = clock_.monotonic();
  const bool fresh = entry->keys && now - entry->fetched_at < options_.ttl;
  const bool may_fetch = !entry->attempted || now - entry->last_attempt >= options_.min_refetch_interval;
  if (fresh) {
    if (kid.empty() || entry->keys->hasKid(kid)) return entry->keys;
    if (!may_fetch) return JwtFailure{JwtError::kUnknownKey, "no key with the token's kid"};
  } else if (!may_fetch && !entry->last_error.empty()) {
    return unreachable(entry->last_error + " (not retried yet)");
  }
  // Stale, missing, or an unknown kid with a refetch allowed. A set fetched within the interval
  // but now past ttl (ttl < interval) is refetched too: ttl bounds how long keys are trusted.
  if (auto f = refresh(issuer, *entry, now)) return std::move(*f);
  if (kid.empty() || entry->keys->hasKid(kid)) return entry->keys;
  return JwtFailure{JwtError::kUnknownKey, "no key with the token's kid"};
}

std::variant<VerifiedJwt, JwtFailure> verifyWithIssuer(std::string_view compact, JwksCache& cache,
                                                       std::chrono::system_clock::time_point now,
                                                       const VerifyOptions& options) {
  auto decoded = decode(compact);
  if (auto* f = std::get_if<JwtFailure>(&decoded)) return std::move(*f);
  const auto& u = std::get<UnverifiedJwt>(decoded);
  if (u.iss.empty()) return JwtFailure{JwtError::kMalformed, "token has no \"iss\" claim"};
  auto keys = cache.keysFor(u.iss, u.kid);
  if (auto* f = std::get_if<JwtFailure>(&keys)) return std::move(*f);
  return verify(compact, *std::get<std::shared_ptr<const Jwks>>(keys), now, options);
}

}  // namespace zk::jose
