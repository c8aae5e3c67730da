// Jwks::parse: supported keys, skipped keys, and refused sets.
#include "jose/jwk.h"

#include <gtest/gtest.h>

#include "jose_test_util.h"

namespace zk::jose {
namespace {

using nlohmann::json;
using testing::jwksJson;
using testing::TestKey;

class JwkTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rsa_ = new TestKey(TestKey::rsa());
    ec_ = new TestKey(TestKey::ec256());
  }
  static void TearDownTestSuite() {
    delete rsa_;
    delete ec_;
  }
  static inline TestKey* rsa_;
  static inline TestKey* ec_;
};

TEST_F(JwkTest, ParsesRsaAndEc) {
  json ec = ec_->jwk("e1", "ES256");
  ec["use"] = "sig";
  ec["key_ops"] = {"verify"};
  auto set = Jwks::parse(jwksJson({rsa_->jwk("r1"), ec, TestKey::ec384().jwk("e2")}));
  ASSERT_TRUE(set.ok()) << set.status().toString();
  ASSERT_EQ(set->size(), 3u);
  EXPECT_EQ(set->skipped(), 0u);
  const auto& k = set->keys();
  EXPECT_EQ(k[0].type, KeyType::kRsa);
  EXPECT_EQ(k[0].kid, "r1");
  EXPECT_EQ(k[0].bits, 2048u);
  EXPECT_TRUE(k[0].alg.empty());
  EXPECT_EQ(k[1].type, KeyType::kEc);
  EXPECT_EQ(k[1].crv, "P-256");
  EXPECT_EQ(k[1].alg, "ES256");
  EXPECT_EQ(k[2].crv, "P-384");
  EXPECT_TRUE(set->hasKid("e2"));
  EXPECT_FALSE(set->hasKid("e3"));
  // Unknown members (x5c, x5t, ...) are ignored.
  json extra = rsa_->jwk("r");
  extra["x5t"] = "abc";
  extra["x5c"] = {"MIIB"};
  EXPECT_TRUE(Jwks::parse(jwksJson({extra})).ok());
  // An RSA modulus with a leading zero octet is tolerated.
  json padded = rsa_->jwk("p");
  padded["n"] = base64UrlEncode(std::string(1, '\0') + *base64UrlDecode(padded["n"].get<std::string>()));
  auto p = Jwks::parse(jwksJson({padded}));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->size(), 1u);
}

TEST_F(JwkTest, SkipsUnsupportedKeys) {
  json enc = rsa_->jwk("enc");
  enc["use"] = "enc";
  json ops = ec_->jwk("ops");
  ops["key_ops"] = {"encrypt"};
  json oct = {{"kty", "oct"}, {"k", "c2VjcmV0"}, {"kid", "hmac"}};
  json okp = {{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}};
  json p521 = {{"kty", "EC"}, {"crv", "P-521"}, {"x", "AA"}, {"y", "AA"}};
  auto set =
      Jwks::parse(jwksJson({enc, ops, oct, okp, p521, rsa_->jwk("ok"), TestKey::rsa(1024).jwk("weak")}));
  ASSERT_TRUE(set.ok()) << set.status().toString();
  EXPECT_EQ(set->size(), 1u);
  EXPECT_EQ(set->skipped(), 6u);
  EXPECT_EQ(set->keys()[0].kid, "ok");
  auto empty = Jwks::parse(R"({"keys":[]})");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST_F(JwkTest, RefusesMalformedSets) {
  for (const char* text : {"", "{", "[]", "null", R"({"keys":{}})", R"({"key":[]})", R"({"keys":[1]})",
                           R"({"keys":[{}]})", R"({"keys":[{"kty":1}]})"}) {
    EXPECT_FALSE(Jwks::parse(text).ok()) << text;
  }
  json many = json::array();
  for (int i = 0; i < 101; ++i) many.push_back({{"kty", "oct"}});
  EXPECT_FALSE(Jwks::parse(json({{"keys", many}}).dump()).ok());
}

TEST_F(JwkTest, RefusesBadRsaMembers) {
  auto refused = [](json k) { return !Jwks::parse(jwksJson({k})).ok(); };
  json k = rsa_->jwk("r");
  json c = k;
  c.erase("n");
  EXPECT_TRUE(refused(c));
  c = k;
  c["n"] = 5;
  EXPECT_TRUE(refused(c));
  c = k;
  c["n"] = "not base64url!";
  EXPECT_TRUE(refused(c));
  c = k;
  c["e"] = "";
  EXPECT_TRUE(refused(c));
  c = k;
  c["e"] = "AA";  // e = 0
  EXPECT_TRUE(refused(c));
  c = k;
  c["e"] = "Ag";  // e = 2 (even)
  EXPECT_TRUE(refused(c));
  c = k;
  c["e"] = base64UrlEncode(std::string(40, '\x01'));
  EXPECT_TRUE(refused(c));
  c = k;  // even modulus
  std::string n = *base64UrlDecode(k["n"].get<std::string>());
  n.back() = char(n.back() & 0xfe);
  c["n"] = base64UrlEncode(n);
  EXPECT_TRUE(refused(c));
  c = k;
  c["kid"] = 3;
  EXPECT_TRUE(refused(c));
  c = k;
  c["use"] = json::array();
  EXPECT_TRUE(refused(c));
  c = k;
  c["key_ops"] = "verify";
  EXPECT_TRUE(refused(c));
}

TEST_F(JwkTest, RefusesBadEcMembers) {
  auto refused = [](json k) { return !Jwks::parse(jwksJson({k})).ok(); };
  json k = ec_->jwk("e");
  json c = k;
  c.erase("crv");
  EXPECT_TRUE(refused(c));
  c = k;
  c["crv"] = 256;
  EXPECT_TRUE(refused(c));
  c = k;
  c["crv"] = "P-384";  // 32-octet coordinates for a 48-octet curve
  EXPECT_TRUE(refused(c));
  c = k;
  c.erase("y");
  EXPECT_TRUE(refused(c));
  c = k;
  c["x"] = base64UrlEncode(std::string(31, '\x01'));
  EXPECT_TRUE(refused(c));
  c = k;  // a point off the curve
  std::string y = *base64UrlDecode(k["y"].get<std::string>());
  y.back() = char(y.back() ^ 1);
  c["y"] = base64UrlEncode(y);
  EXPECT_TRUE(refused(c));
}

}  // namespace
}  // namespace zk::jose
