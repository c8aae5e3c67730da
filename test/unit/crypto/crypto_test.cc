// Known-answer tests for the OpenSSL-backed hash/MAC/hex/compare/random helpers.
#include "crypto/crypto.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace zk::crypto {
namespace {

TEST(CryptoUtilTest, Sha256KnownAnswers) {
  // FIPS 180-2 appendix B.1 and the empty string.
  EXPECT_EQ(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256Hex(""), kEmptySha256Hex);
  // The body of the SigV4 suite's post-x-www-form-urlencoded vector.
  EXPECT_EQ(sha256Hex("Param1=value1"), "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e");
  // Binary input with NUL bytes is hashed whole.
  std::string with_nul("a\0b", 3);
  EXPECT_NE(sha256Hex(with_nul), sha256Hex("a"));
}

TEST(CryptoUtilTest, HmacSha256Rfc4231) {
  // RFC 4231 §4.2 test case 1.
  std::vector<uint8_t> key1(20, 0x0b);
  EXPECT_EQ(hexEncode(hmacSha256(key1, "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  // RFC 4231 §4.3 test case 2.
  EXPECT_EQ(hexEncode(hmacSha256(std::string_view("Jefe"), "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // RFC 4231 §4.7 test case 6: key longer than the block size.
  std::vector<uint8_t> key6(131, 0xaa);
  EXPECT_EQ(hexEncode(hmacSha256(key6, "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(CryptoUtilTest, HexRoundTrip) {
  std::vector<uint8_t> bytes = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xff};
  std::string hex = hexEncode(bytes);
  EXPECT_EQ(hex, "00017f80abff");
  auto back = hexDecode(hex);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, bytes);
  auto upper = hexDecode("00017F80ABFF");
  ASSERT_TRUE(upper.ok());
  EXPECT_EQ(*upper, bytes);
  EXPECT_EQ(hexEncode(std::string_view("")), "");
}

TEST(CryptoUtilTest, HexDecodeRejectsBadInput) {
  EXPECT_FALSE(hexDecode("abc").ok());
  EXPECT_FALSE(hexDecode("zz").ok());
  EXPECT_FALSE(hexDecode("0g").ok());
  EXPECT_EQ(hexDecode("0 ").status().code(), Code::kInvalidArgument);
}

TEST(CryptoUtilTest, ConstantTimeEquals) {
  EXPECT_TRUE(constantTimeEquals("", ""));
  EXPECT_TRUE(constantTimeEquals("abcdef", "abcdef"));
  EXPECT_FALSE(constantTimeEquals("abcdef", "abcdeg"));
  EXPECT_FALSE(constantTimeEquals("abcdef", "Abcdef"));
  EXPECT_FALSE(constantTimeEquals("abc", "abcd"));
  EXPECT_FALSE(constantTimeEquals("", "a"));
  std::string a("x\0y", 3), b("x\0z", 3);
  EXPECT_FALSE(constantTimeEquals(a, b));
}

TEST(CryptoUtilTest, RandomBytes) {
  auto a = randomBytes(32);
  auto b = randomBytes(32);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a->size(), 32u);
  EXPECT_NE(*a, *b);  // 2^-256 chance of a false failure
  std::set<uint8_t> distinct(a->begin(), a->end());
  EXPECT_GT(distinct.size(), 8u);
  auto none = randomBytes(0);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(CryptoUtilTest, SecureWipeZeroes) {
  std::string secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  secureWipe(secret.data(), secret.size());
  EXPECT_EQ(secret, std::string(secret.size(), '\0'));
  secureWipe(nullptr, 0);  // no-op
}

}  // namespace
}  // namespace zk::crypto
