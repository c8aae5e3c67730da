// decode/verify against keys and tokens made here with OpenSSL (test-only signer in jose_test_util.h).
#include "jose/jwt.h"

#include <gtest/gtest.h>

#include "jose_test_util.h"

namespace zk::jose {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::jwksJson;
using testing::TestKey;
using Clock = std::chrono::system_clock;

const Clock::time_point kNow = Clock::time_point(std::chrono::seconds(1'700'000'000));
constexpr int64_t kNowSec = 1'700'000'000;

class JwtTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rsa_ = new TestKey(TestKey::rsa());
    rsa2_ = new TestKey(TestKey::rsa());
    ec256_ = new TestKey(TestKey::ec256());
    ec384_ = new TestKey(TestKey::ec384());
  }
  static void TearDownTestSuite() {
    delete rsa_;
    delete rsa2_;
    delete ec256_;
    delete ec384_;
  }

  static json claims(json extra = json::object()) {
    json c = {{"iss", "https://idp.example"},
              {"sub", "user-1"},
              {"aud", "client-a"},
              {"exp", kNowSec + 600},
              {"iat", kNowSec - 10}};
    for (auto& [k, v] : extra.items()) c[k] = v;
    return c;
  }
  static Jwks keys() {
    auto set = Jwks::parse(
        jwksJson({rsa_->jwk("rsa1"), rsa2_->jwk("rsa2"), ec256_->jwk("ec256"), ec384_->jwk("ec384")}));
    EXPECT_TRUE(set.ok()) << set.status().toString();
    return *set;
  }
  static JwtFailure failure(const std::variant<VerifiedJwt, JwtFailure>& r) {
    if (auto* f = std::get_if<JwtFailure>(&r)) return *f;
    ADD_FAILURE() << "token verified";
    return {JwtError::kMalformed, ""};
  }
  static JwtError errorOf(std::string_view token, const Jwks& set, Clock::time_point now = kNow,
                          VerifyOptions o = {}) {
    return failure(verify(token, set, now, o)).error;
  }

  static inline TestKey* rsa_;
  static inline TestKey* rsa2_;
  static inline TestKey* ec256_;
  static inline TestKey* ec384_;
};

std::string b64(const std::string& s) { return base64UrlEncode(s); }

TEST_F(JwtTest, EachAlgorithmVerifies) {
  Jwks set = keys();
  EXPECT_EQ(set.size(), 4u);
  struct Case {
    const char* alg;
    TestKey* key;
    const char* kid;
  } cases[] = {{"RS256", rsa_, "rsa1"}, {"RS384", rsa_, "rsa1"},    {"RS512", rsa2_, "rsa2"},
               {"PS256", rsa_, "rsa1"}, {"ES256", ec256_, "ec256"}, {"ES384", ec384_, "ec384"}};
  for (const auto& c : cases) {
    std::string token = c.key->sign({{"alg", c.alg}, {"kid", c.kid}, {"typ", "JWT"}}, claims());
    auto r = verify(token, set, kNow);
    ASSERT_TRUE(std::holds_alternative<VerifiedJwt>(r)) << c.alg << ": " << std::get<JwtFailure>(r).message;
    const auto& v = std::get<VerifiedJwt>(r);
    EXPECT_EQ(v.alg, c.alg);
    EXPECT_EQ(v.kid, c.kid);
    EXPECT_EQ(v.iss, "https://idp.example");
    EXPECT_EQ(v.sub, "user-1");
    EXPECT_EQ(v.aud, std::vector<std::string>{"client-a"});
    ASSERT_TRUE(v.exp && v.iat);
    EXPECT_FALSE(v.nbf);
    EXPECT_EQ(*v.exp, kNow + 600s);
    EXPECT_EQ(*v.iat, kNow - 10s);
    EXPECT_EQ(v.claims["sub"], "user-1");
    EXPECT_EQ(v.header["typ"], "JWT");
  }
}

TEST_F(JwtTest, WrongKeySignatureFails) {
  Jwks set = keys();
  // Signed by rsa2 but names rsa1.
  std::string token = rsa2_->sign({{"alg", "RS256"}, {"kid", "rsa1"}}, claims());
  EXPECT_EQ(errorOf(token, set), JwtError::kBadSignature);
  token = ec256_->sign({{"alg", "ES256"}, {"kid", "ec256"}}, claims());
  EXPECT_EQ(errorOf(testing::corruptSignature(token), set), JwtError::kBadSignature);
  // ES256 signature of the wrong length.
  std::string input = token.substr(0, token.rfind('.'));
  EXPECT_EQ(errorOf(input + "." + b64(std::string(63, 'x')), set), JwtError::kBadSignature);
  // RS256 signature truncated.
  token = rsa_->sign({{"alg", "RS256"}, {"kid", "rsa1"}}, claims());
  size_t dot = token.rfind('.');
  std::string raw = *base64UrlDecode(token.substr(dot + 1));
  EXPECT_EQ(errorOf(token.substr(0, dot + 1) + b64(raw.substr(0, raw.size() - 1)), set),
            JwtError::kBadSignature);
  // A PKCS#1 v1.5 signature presented as PS256 (and vice versa).
  std::string rs = rsa_->sign({{"alg", "RS256"}, {"kid", "rsa1"}}, claims());
  std::string sig = rs.substr(rs.rfind('.'));
  std::string ps_input = b64(json({{"alg", "PS256"}, {"kid", "rsa1"}}).dump()) + "." + b64(claims().dump());
  EXPECT_EQ(errorOf(ps_input + sig, set), JwtError::kBadSignature);
}

TEST_F(JwtTest, TamperedPayloadFails) {
  Jwks set = keys();
  std::string token = rsa_->sign({{"alg", "RS256"}, {"kid", "rsa1"}}, claims());
  size_t d1 = token.find('.'), d2 = token.rfind('.');
  std::string forged = token.substr(0, d1 + 1) + b64(claims({{"sub", "admin"}}).dump()) + token.substr(d2);
  EXPECT_EQ(errorOf(forged, set), JwtError::kBadSignature);
  // A header changed after signing (kid kept, typ added).
  std::string hdr = b64(json({{"alg", "RS256"}, {"kid", "rsa1"}, {"typ", "x"}}).dump());
  EXPECT_EQ(errorOf(hdr + token.substr(d1), set), JwtError::kBadSignature);
}

TEST_F(JwtTest, AlgNoneAndHmacRefused) {
  Jwks set = keys();
  std::string body = b64(claims().dump());
  EXPECT_EQ(errorOf(b64(R"({"alg":"none"})") + "." + body + ".", set), JwtError::kAlgorithm);
  EXPECT_EQ(errorOf(b64(R"({"alg":"none","kid":"rsa1"})") + "." + body + "." + b64("x"), set),
            JwtError::kAlgorithm);
  EXPECT_EQ(
      errorOf(b64(R"({"alg":"HS256","kid":"rsa1"})") + "." + body + "." + b64(std::string(32, 'k')), set),
      JwtError::kAlgorithm);
  EXPECT_EQ(errorOf(b64(R"({"alg":"ES512"})") + "." + body + "." + b64("x"), set), JwtError::kAlgorithm);
  EXPECT_EQ(errorOf(b64(R"({"alg":"rs256"})") + "." + body + "." + b64("x"), set), JwtError::kAlgorithm);
  // Empty or non-string alg is malformed.
  EXPECT_EQ(errorOf(b64(R"({"alg":""})") + "." + body + "." + b64("x"), set), JwtError::kMalformed);
  EXPECT_EQ(errorOf(b64(R"({"alg":5})") + "." + body + "." + b64("x"), set), JwtError::kMalformed);
  EXPECT_EQ(errorOf(b64(R"({"kid":"rsa1"})") + "." + body + "." + b64("x"), set), JwtError::kMalformed);
}

TEST_F(JwtTest, CritHeaderRefused) {
  Jwks set = keys();
  std::string token = rsa_->sign({{"alg", "RS256"}, {"kid", "rsa1"}, {"crit", {"exp"}}}, claims());
  EXPECT_EQ(errorOf(token, set), JwtError::kMalformed);
}

TEST_F(JwtTest, KeySelection) {
  Jwks set = keys();
  // Unknown kid.
  EXPECT_EQ(errorOf(rsa_->sign({{"alg", "RS256"}, {"kid", "nope"}}, claims()), set), JwtError::kUnknownKey);
  // No kid with several RSA keys: ambiguous.
  EXPECT_EQ(errorOf(rsa_->sign({{"alg", "RS256"}}, claims()), set), JwtError::kUnknownKey);
  // No kid, and the only EC P-256 key is picked even though RSA keys exist.
  EXPECT_TRUE(
      std::holds_alternative<VerifiedJwt>(verify(ec256_->sign({{"alg", "ES256"}}, claims()), set, kNow)));
  // No kid with exactly one key.
  auto one = Jwks::parse(jwksJson({rsa_->jwk()}));
  ASSERT_TRUE(one.ok());
  EXPECT_TRUE(
      std::holds_alternative<VerifiedJwt>(verify(rsa_->sign({{"alg", "PS256"}}, claims()), *one, kNow)));
  // No kid and no key of that type.
  EXPECT_EQ(errorOf(ec256_->sign({{"alg", "ES256"}}, claims()), *one), JwtError::kUnknownKey);
  // The kid names a key of another type / curve.
  EXPECT_EQ(errorOf(ec256_->sign({{"alg", "ES256"}, {"kid", "rsa1"}}, claims()), set), JwtError::kAlgorithm);
  EXPECT_EQ(errorOf(ec256_->sign({{"alg", "ES256"}, {"kid", "ec384"}}, claims()), set), JwtError::kAlgorithm);
  // A kid shared by an RSA and an EC key (RFC 7517 §4.5 allows it): the kty decides.
  auto shared = Jwks::parse(jwksJson({rsa_->jwk("same"), ec256_->jwk("same")}));
  ASSERT_TRUE(shared.ok());
  EXPECT_TRUE(std::holds_alternative<VerifiedJwt>(
      verify(ec256_->sign({{"alg", "ES256"}, {"kid", "same"}}, claims()), *shared, kNow)));
  EXPECT_TRUE(std::holds_alternative<VerifiedJwt>(
      verify(rsa_->sign({{"alg", "RS256"}, {"kid", "same"}}, claims()), *shared, kNow)));
  // Empty JWKS.
  EXPECT_EQ(errorOf(rsa_->sign({{"alg", "RS256"}, {"kid", "rsa1"}}, claims()), Jwks()),
            JwtError::kUnknownKey);
}

TEST_F(JwtTest, KeyAlgMustMatch) {
  auto set = Jwks::parse(jwksJson({rsa_->jwk("k", "RS256"), ec256_->jwk("e", "ES256")}));
  ASSERT_TRUE(set.ok());
  EXPECT_TRUE(std::holds_alternative<VerifiedJwt>(
      verify(rsa_->sign({{"alg", "RS256"}, {"kid", "k"}}, claims()), *set, kNow)));
  EXPECT_EQ(errorOf(rsa_->sign({{"alg", "PS256"}, {"kid", "k"}}, claims()), *set), JwtError::kAlgorithm);
  EXPECT_EQ(errorOf(rsa_->sign({{"alg", "RS512"}}, claims()), *set), JwtError::kAlgorithm);
}

TEST_F(JwtTest, TimeClaims) {
  Jwks set = keys();
  auto tok = [&](json extra) {
    return rsa_->sign({{"alg", "RS256"}, {"kid", "rsa1"}}, claims(std::move(extra)));
  };
  VerifyOptions o;  // skew 60 s
  // exp: valid while now < exp + skew.
  std::string t = tok({{"exp", kNowSec - 100}});
  EXPECT_EQ(errorOf(t, set), JwtError::kExpired);
  t = tok({{"exp", kNowSec - 60}});
  EXPECT_EQ(errorOf(t, set), JwtError::kExpired);  // now == exp + skew
  EXPECT_TRUE(std::holds_alternative<VerifiedJwt>(verify(t, set, kNow - 1s)));
  EXPECT_TRUE(std::holds_alternative<VerifiedJwt>(verify(tok({{"exp", kNowSec - 59}}), set, kNow)));
  VerifyOptions strict;
  strict.skew = 0s;
  EXPECT_EQ(errorOf(tok({{"exp", kNowSec}}), set, kNow, strict), JwtError::kExpired);
  EXPECT_TRUE(std::holds_alternative<VerifiedJwt>(verify(tok({{"exp", kNowSec + 1}}), set, kNow, strict)));
  // Fractional NumericDate (RFC 7519 §2).
  EXPECT_TRUE(std::holds_alternative<VerifiedJwt>(verify(tok({{"exp", kNowSec + 0.5}}), set, kNow, strict)));
  // nbf: valid from nbf - skew.
  EXPECT_EQ(errorOf(tok({{"nbf", kNowSec + 61}}), set), JwtError::kNotYetValid);
  EXPECT_TRUE(std::holds_alternative<VerifiedJwt>(verify(tok({{"nbf", kNowSec + 60}}), set, kNow)));
  // iat far in the future.
  EXPECT_EQ(errorOf(tok({{"iat", kNowSec + 3600}}), set), JwtError::kIssuedInFuture);
  EXPECT_TRUE(std::holds_alternative<VerifiedJwt>(verify(tok({{"iat", kNowSec + 60}}), set, kNow)));
  EXPECT_EQ(errorOf(tok({{"iat", kNowSec + 61}}), set), JwtError::kIssuedInFuture);
  // Missing exp.
  json c = claims();
  c.erase("exp");
  t = rsa_->sign({{"alg", "RS256"}, {"kid", "rsa1"}}, c);
  EXPECT_EQ(errorOf(t, set), JwtError::kMalformed);
  VerifyOptions lax;
  lax.require_exp = false;
  EXPECT_TRUE(std::holds_alternative<VerifiedJwt>(verify(t, set, kNow, lax)));
  // Non-numeric or out of range dates.
  EXPECT_EQ(errorOf(tok({{"exp", "1700000600"}}), set), JwtError::kMalformed);
  EXPECT_EQ(errorOf(tok({{"exp", -1}}), set), JwtError::kMalformed);
  EXPECT_EQ(errorOf(tok({{"exp", 1e300}}), set), JwtError::kMalformed);
  EXPECT_EQ(errorOf(tok({{"nbf", true}}), set), JwtError::kMalformed);
  // A bad signature is reported before an expired one.
  std::string expired = tok({{"exp", kNowSec - 1000}});
  EXPECT_EQ(errorOf(testing::corruptSignature(expired), set), JwtError::kBadSignature);
}

TEST_F(JwtTest, AudienceStringOrArray) {
  Jwks set = keys();
  auto aud = [&](json a) {
    return verify(rsa_->sign({{"alg", "RS256"}, {"kid", "rsa1"}}, claims({{"aud", std::move(a)}})), set,
                  kNow);
  };
  auto r = aud("one");
  ASSERT_TRUE(std::holds_alternative<VerifiedJwt>(r));
  EXPECT_EQ(std::get<VerifiedJwt>(r).aud, std::vector<std::string>{"one"});
  r = aud(json::array({"a", "b"}));
  ASSERT_TRUE(std::holds_alternative<VerifiedJwt>(r));
  EXPECT_EQ(std::get<VerifiedJwt>(r).aud, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(failure(aud(json::array({"a", 1}))).error, JwtError::kMalformed);
  EXPECT_EQ(failure(aud(7)).error, JwtError::kMalformed);
  EXPECT_EQ(
      failure(verify(rsa_->sign({{"alg", "RS256"}, {"kid", "rsa1"}}, claims({{"sub", 1}})), set, kNow)).error,
      JwtError::kMalformed);
}

TEST_F(JwtTest, DecodeMalformed) {
  auto err = [](std::string_view t) {
    auto r = decode(t);
    return std::holds_alternative<JwtFailure>(r) ? std::get<JwtFailure>(r).error
                                                 : JwtError::kIssuerUnreachable;
  };
  std::string h = b64(R"({"alg":"RS256","kid":"k"})"), p = b64(R"({"iss":"https://i"})");
  auto ok = decode(h + "." + p + "." + b64("sig"));
  ASSERT_TRUE(std::holds_alternative<UnverifiedJwt>(ok));
  EXPECT_EQ(std::get<UnverifiedJwt>(ok).alg, "RS256");
  EXPECT_EQ(std::get<UnverifiedJwt>(ok).kid, "k");
  EXPECT_EQ(std::get<UnverifiedJwt>(ok).iss, "https://i");
  EXPECT_TRUE(std::holds_alternative<UnverifiedJwt>(decode(h + "." + p + ".")));  // unsigned: decodes

  EXPECT_EQ(err(""), JwtError::kMalformed);
  EXPECT_EQ(err(h + "." + p), JwtError::kMalformed);                                 // two parts
  EXPECT_EQ(err(h + "." + p + ".s.x"), JwtError::kMalformed);                        // four parts
  EXPECT_EQ(err(h + ".." + b64("s")), JwtError::kMalformed);                         // empty payload
  EXPECT_EQ(err("." + p + "." + b64("s")), JwtError::kMalformed);                    // empty header
  EXPECT_EQ(err(h + "=." + p + ".s"), JwtError::kMalformed);                         // padding
  EXPECT_EQ(err(h + "." + p.substr(1) + ".s"), JwtError::kMalformed);                // bad base64url
  EXPECT_EQ(err(b64("{\"alg\":\"RS256\"") + "." + p + ".s"), JwtError::kMalformed);  // bad JSON
  EXPECT_EQ(err(b64("[\"alg\"]") + "." + p + ".s"), JwtError::kMalformed);           // not an object
  EXPECT_EQ(err(h + "." + b64("\"str\"") + ".s"), JwtError::kMalformed);             // payload not an object
  EXPECT_EQ(err(h + "." + b64(R"({"iss":1})") + ".s"), JwtError::kMalformed);
  EXPECT_EQ(err(b64(R"({"alg":"RS256","kid":1})") + "." + p + ".s"), JwtError::kMalformed);
  EXPECT_EQ(err(b64("{\"alg\":\"RS256\",\"x\":\"\xff\"}") + "." + p + ".s"),
            JwtError::kMalformed);  // bad UTF-8

  // Size cap.
  std::string big =
      h + "." + b64(json({{"iss", "https://i"}, {"pad", std::string(13000, 'a')}}).dump()) + ".s";
  ASSERT_GT(big.size(), kMaxTokenBytes);
  EXPECT_EQ(err(big), JwtError::kMalformed);
  Jwks set = keys();
  EXPECT_EQ(errorOf(big, set), JwtError::kMalformed);
  // A signature that is not base64url.
  std::string token = rsa_->sign({{"alg", "RS256"}, {"kid", "rsa1"}}, claims());
  EXPECT_EQ(errorOf(token + "*", set), JwtError::kMalformed);
  EXPECT_EQ(errorOf(token.substr(0, token.rfind('.') + 1), set), JwtError::kMalformed);  // empty signature
}

TEST_F(JwtTest, DuplicateClaimKeepsLast) {
  Jwks set = keys();
  std::string hdr = b64(R"({"alg":"RS256","kid":"rsa1"})");
  std::string body = b64(R"({"sub":"first","sub":"second","exp":4000000000})");
  std::string input = hdr + "." + body;
  std::string token = input + "." + b64(rsa_->signRaw("RS256", input));
  auto r = verify(token, set, kNow);
  ASSERT_TRUE(std::holds_alternative<VerifiedJwt>(r));
  EXPECT_EQ(std::get<VerifiedJwt>(r).sub, "second");
}

}  // namespace
}  // namespace zk::jose
