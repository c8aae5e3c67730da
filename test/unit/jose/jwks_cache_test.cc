// JwksCache with a fake fetcher and FakeClock: discovery, caching, TTL, rate-limited refetch, errors.
#include "jose/jwks_cache.h"

#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "jose_test_util.h"

namespace zk::jose {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::jwksJson;
using testing::TestKey;

constexpr const char* kIss = "https://idp.example/tenant";
constexpr const char* kConfigUrl = "https://idp.example/tenant/.well-known/openid-configuration";
constexpr const char* kJwksUrl = "https://keys.idp.example/jwks.json";

// Serves canned bodies by URL and counts requests.
class FakeFetcher {
 public:
  JwksCache::Fetcher fetcher() {
    return [this](const std::string& url) -> Result<std::string> {
      std::lock_guard lock(mu_);
      ++calls_[url];
      auto it = bodies_.find(url);
      if (it == bodies_.end()) return unavailable("HTTP 404 for " + url);
      return it->second;
    };
  }
  void set(const std::string& url, std::string body) {
    std::lock_guard lock(mu_);
    bodies_[url] = std::move(body);
  }
  void remove(const std::string& url) {
    std::lock_guard lock(mu_);
    bodies_.erase(url);
  }
  int calls(const std::string& url) {
    std::lock_guard lock(mu_);
    return calls_[url];
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::string> bodies_;
  std::map<std::string, int> calls_;
};

std::string discovery(const std::string& issuer, const std::string& jwks_uri) {
  return json({{"issuer", issuer}, {"jwks_uri", jwks_uri}, {"response_types_supported", {"id_token"}}})
      .dump();
}

class JwksCacheTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    k1_ = new TestKey(TestKey::ec256());
    k2_ = new TestKey(TestKey::ec256());
  }
  static void TearDownTestSuite() {
    delete k1_;
    delete k2_;
  }
  void SetUp() override {
    fake_.set(kConfigUrl, discovery(kIss, kJwksUrl));
    fake_.set(kJwksUrl, jwksJson({k1_->jwk("k1")}));
  }
  static std::shared_ptr<const Jwks> keysOf(const std::variant<std::shared_ptr<const Jwks>, JwtFailure>& r) {
    if (auto* f = std::get_if<JwtFailure>(&r)) {
      ADD_FAILURE() << f->message;
      return nullptr;
    }
    return std::get<0>(r);
  }
  static JwtError errorOf(const std::variant<std::shared_ptr<const Jwks>, JwtFailure>& r) {
    if (auto* f = std::get_if<JwtFailure>(&r)) return f->error;
    ADD_FAILURE() << "got keys";
    return JwtError::kMalformed;
  }

  FakeFetcher fake_;
  FakeClock clock_;
  static inline TestKey* k1_;
  static inline TestKey* k2_;
};

TEST_F(JwksCacheTest, DiscoveryThenCacheHit) {
  JwksCache cache(fake_.fetcher(), clock_);
  auto keys = keysOf(cache.keysFor(kIss, "k1"));
  ASSERT_TRUE(keys);
  EXPECT_EQ(keys->size(), 1u);
  EXPECT_EQ(fake_.calls(kConfigUrl), 1);
  EXPECT_EQ(fake_.calls(kJwksUrl), 1);
  clock_.advance(3599s);
  EXPECT_EQ(keysOf(cache.keysFor(kIss, "k1")), keys);  // same snapshot
  EXPECT_TRUE(keysOf(cache.keysFor(kIss, "")));        // no kid: any set
  EXPECT_EQ(fake_.calls(kJwksUrl), 1);
  EXPECT_EQ(cache.issuerCount(), 1u);
}

TEST_F(JwksCacheTest, TrailingSlashIssuer) {
  const std::string iss = "https://idp.example/tenant/";
  fake_.set(kConfigUrl, discovery(iss, kJwksUrl));  // Discovery §4.1: the '/' is dropped for the URL
  JwksCache cache(fake_.fetcher(), clock_);
  EXPECT_TRUE(keysOf(cache.keysFor(iss, "k1")));
  EXPECT_EQ(fake_.calls(kConfigUrl), 1);
}

TEST_F(JwksCacheTest, TtlExpiryRefetches) {
  JwksCache::Options o;
  o.ttl = 600s;
  JwksCache cache(fake_.fetcher(), clock_, o);
  ASSERT_TRUE(keysOf(cache.keysFor(kIss, "k1")));
  clock_.advance(599s);
  ASSERT_TRUE(keysOf(cache.keysFor(kIss, "k1")));
  EXPECT_EQ(fake_.calls(kJwksUrl), 1);
  clock_.advance(1s);
  fake_.set(kJwksUrl, jwksJson({k2_->jwk("k2")}));
  EXPECT_EQ(errorOf(cache.keysFor(kIss, "k1")), JwtError::kUnknownKey);  // rotated away
  EXPECT_EQ(fake_.calls(kConfigUrl), 2);
  EXPECT_EQ(fake_.calls(kJwksUrl), 2);
  EXPECT_TRUE(keysOf(cache.keysFor(kIss, "k2")));
  EXPECT_EQ(fake_.calls(kJwksUrl), 2);
  // Past ttl with the issuer down: no stale keys.
  clock_.advance(600s);
  fake_.remove(kJwksUrl);
  EXPECT_EQ(errorOf(cache.keysFor(kIss, "k2")), JwtError::kIssuerUnreachable);
}

TEST_F(JwksCacheTest, UnknownKidRefetchLimitedPerInterval) {
  JwksCache cache(fake_.fetcher(), clock_);  // min_refetch_interval 60 s
  ASSERT_TRUE(keysOf(cache.keysFor(kIss, "k1")));
  EXPECT_EQ(fake_.calls(kJwksUrl), 1);
  clock_.advance(10s);
  EXPECT_EQ(errorOf(cache.keysFor(kIss, "new")), JwtError::kUnknownKey);  // first fetch was 10 s ago
  EXPECT_EQ(fake_.calls(kJwksUrl), 1);
  clock_.advance(50s);
  EXPECT_EQ(errorOf(cache.keysFor(kIss, "new")), JwtError::kUnknownKey);  // refetched, still unknown
  EXPECT_EQ(fake_.calls(kJwksUrl), 2);
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(errorOf(cache.keysFor(kIss, "new" + std::to_string(i))), JwtError::kUnknownKey);
  EXPECT_EQ(fake_.calls(kJwksUrl), 2);
  // The issuer rotates in k2: found on the next allowed refetch, and k1 still served meanwhile.
  fake_.set(kJwksUrl, jwksJson({k1_->jwk("k1"), k2_->jwk("k2")}));
  EXPECT_EQ(errorOf(cache.keysFor(kIss, "k2")), JwtError::kUnknownKey);
  EXPECT_TRUE(keysOf(cache.keysFor(kIss, "k1")));
  clock_.advance(60s);
  auto keys = keysOf(cache.keysFor(kIss, "k2"));
  ASSERT_TRUE(keys);
  EXPECT_EQ(keys->size(), 2u);
  EXPECT_EQ(fake_.calls(kJwksUrl), 3);
}

TEST_F(JwksCacheTest, FetchErrorsAreIssuerUnreachable) {
  JwksCache cache(fake_.fetcher(), clock_);
  fake_.remove(kJwksUrl);
  EXPECT_EQ(errorOf(cache.keysFor(kIss, "k1")), JwtError::kIssuerUnreachable);
  EXPECT_EQ(fake_.calls(kJwksUrl), 1);
  // Remembered for min_refetch_interval: no fetch per token while the issuer is down.
  clock_.advance(30s);
  EXPECT_EQ(errorOf(cache.keysFor(kIss, "k1")), JwtError::kIssuerUnreachable);
  EXPECT_EQ(fake_.calls(kJwksUrl), 1);
  fake_.set(kJwksUrl, jwksJson({k1_->jwk("k1")}));
  clock_.advance(30s);
  EXPECT_TRUE(keysOf(cache.keysFor(kIss, "k1")));
  EXPECT_EQ(fake_.calls(kJwksUrl), 2);

  struct Case {
    const char* what;
    std::string config;
    std::string jwks;
  } cases[] = {
      {"config not JSON", "<html>", jwksJson({k1_->jwk("k1")})},
      {"config an array", "[]", jwksJson({k1_->jwk("k1")})},
      {"issuer mismatch", discovery("https://evil.example", kJwksUrl), jwksJson({k1_->jwk("k1")})},
      {"no jwks_uri", json({{"issuer", kIss}}).dump(), ""},
      {"http jwks_uri", discovery(kIss, "http://keys.idp.example/jwks.json"), jwksJson({k1_->jwk("k1")})},
      {"jwks malformed", discovery(kIss, kJwksUrl), R"({"keys":[{"kty":"EC","crv":"P-256"}]})"},
  };
  for (const auto& c : cases) {
    FakeFetcher f;
    f.set(kConfigUrl, c.config);
    f.set(kJwksUrl, c.jwks);
    JwksCache fresh(f.fetcher(), clock_);
    auto r = fresh.keysFor(kIss, "k1");
    ASSERT_TRUE(std::holds_alternative<JwtFailure>(r)) << c.what;
    EXPECT_EQ(std::get<JwtFailure>(r).error, JwtError::kIssuerUnreachable) << c.what;
  }
  FakeFetcher none;
  JwksCache down(none.fetcher(), clock_);
  EXPECT_EQ(errorOf(down.keysFor(kIss, "k1")), JwtError::kIssuerUnreachable);
  EXPECT_EQ(none.calls(kJwksUrl), 0);
}

TEST_F(JwksCacheTest, IssuerChecks) {
  JwksCache::Options o;
  o.allow_issuer = [](const std::string& iss) { return iss == kIss; };
  JwksCache cache(fake_.fetcher(), clock_, o);
  EXPECT_EQ(errorOf(cache.keysFor("http://idp.example/tenant", "k1")), JwtError::kMalformed);
  EXPECT_EQ(errorOf(cache.keysFor("idp.example", "k1")), JwtError::kMalformed);
  EXPECT_EQ(errorOf(cache.keysFor("https://other.example", "k1")), JwtError::kUnknownKey);
  EXPECT_EQ(fake_.calls("https://other.example/.well-known/openid-configuration"), 0);
  EXPECT_TRUE(keysOf(cache.keysFor(kIss, "k1")));
}

TEST_F(JwksCacheTest, MaxIssuersEvictsLeastRecentlyUsed) {
  JwksCache::Options o;
  o.max_issuers = 2;
  JwksCache cache(fake_.fetcher(), clock_, o);
  for (const char* iss : {"https://a.example", "https://b.example", "https://c.example"}) {
    fake_.set(std::string(iss) + "/.well-known/openid-configuration", discovery(iss, kJwksUrl));
  }
  ASSERT_TRUE(keysOf(cache.keysFor("https://a.example", "k1")));
  clock_.advance(1s);
  ASSERT_TRUE(keysOf(cache.keysFor("https://b.example", "k1")));
  clock_.advance(1s);
  ASSERT_TRUE(keysOf(cache.keysFor("https://a.example", "k1")));  // a is now newer than b
  clock_.advance(1s);
  ASSERT_TRUE(keysOf(cache.keysFor("https://c.example", "k1")));  // evicts b
  EXPECT_EQ(cache.issuerCount(), 2u);
  EXPECT_EQ(fake_.calls(kJwksUrl), 3);
  ASSERT_TRUE(keysOf(cache.keysFor("https://a.example", "k1")));
  EXPECT_EQ(fake_.calls(kJwksUrl), 3);
  ASSERT_TRUE(keysOf(cache.keysFor("https://b.example", "k1")));  // fetched again
  EXPECT_EQ(fake_.calls(kJwksUrl), 4);
}

TEST_F(JwksCacheTest, ConcurrentCallersShareOneFetch) {
  JwksCache cache(fake_.fetcher(), clock_);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      auto r = cache.keysFor(kIss, "k1");
      if (std::holds_alternative<std::shared_ptr<const Jwks>>(r)) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 8);
  EXPECT_EQ(fake_.calls(kJwksUrl), 1);
}

TEST_F(JwksCacheTest, VerifyWithIssuer) {
  JwksCache cache(fake_.fetcher(), clock_);
  const auto now = clock_.now();
  const int64_t t = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  json claims = {{"iss", kIss}, {"sub", "s"}, {"aud", "c"}, {"exp", t + 300}};
  auto r = verifyWithIssuer(k1_->sign({{"alg", "ES256"}, {"kid", "k1"}}, claims), cache, now);
  ASSERT_TRUE(std::holds_alternative<VerifiedJwt>(r)) << std::get<JwtFailure>(r).message;
  EXPECT_EQ(std::get<VerifiedJwt>(r).iss, kIss);
  // Signed by a key the issuer does not publish.
  r = verifyWithIssuer(k2_->sign({{"alg", "ES256"}, {"kid", "k1"}}, claims), cache, now);
  ASSERT_TRUE(std::holds_alternative<JwtFailure>(r));
  EXPECT_EQ(std::get<JwtFailure>(r).error, JwtError::kBadSignature);
  // No iss.
  claims.erase("iss");
  r = verifyWithIssuer(k1_->sign({{"alg", "ES256"}, {"kid", "k1"}}, claims), cache, now);
  ASSERT_TRUE(std::holds_alternative<JwtFailure>(r));
  EXPECT_EQ(std::get<JwtFailure>(r).error, JwtError::kMalformed);
  // Expired.
  claims["iss"] = kIss;
  claims["exp"] = t - 3600;
  r = verifyWithIssuer(k1_->sign({{"alg", "ES256"}, {"kid", "k1"}}, claims), cache, now);
  ASSERT_TRUE(std::holds_alternative<JwtFailure>(r));
  EXPECT_EQ(std::get<JwtFailure>(r).error, JwtError::kExpired);
  EXPECT_EQ(fake_.calls(kJwksUrl), 1);
}

}  // namespace
}  // namespace zk::jose
