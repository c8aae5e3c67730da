#include "base/encoding.h"

#include <gtest/gtest.h>

#include <string>

namespace zk {
namespace {

// RFC 4648 §10 test vectors.
TEST(EncodingTest, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, enc] : vectors) {
    EXPECT_EQ(base64Encode(plain), enc);
    auto d = base64Decode(enc);
    ASSERT_TRUE(d.ok()) << enc;
    EXPECT_EQ(*d, plain);
    std::string url = enc;
    while (!url.empty() && url.back() == '=') url.pop_back();
    EXPECT_EQ(base64UrlEncode(std::string_view(plain)), url);
    auto u = base64UrlDecode(url);
    ASSERT_TRUE(u.ok()) << url;
    EXPECT_EQ(*u, plain);
  }
}

TEST(EncodingTest, UrlAlphabetAndBinary) {
  std::string bytes = {char(0xfb), char(0xff), char(0xbf), char(0x00)};
  EXPECT_EQ(base64Encode(bytes), "+/+/AA==");
  EXPECT_EQ(base64UrlEncode(std::string_view(bytes)), "-_-_AA");
  auto d = base64UrlDecode("-_-_AA");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, bytes);
  EXPECT_FALSE(base64UrlDecode("+/+/AA").ok());
  EXPECT_FALSE(base64Decode("-_-_AA==").ok());
}

TEST(EncodingTest, RejectsMalformed) {
  EXPECT_FALSE(base64UrlDecode("Zg=").ok());    // no padding in base64url
  EXPECT_FALSE(base64UrlDecode("Zm9vY").ok());  // length 1 mod 4
  EXPECT_FALSE(base64UrlDecode("Zh").ok());     // non-zero trailing bits
  EXPECT_FALSE(base64UrlDecode("Zm 9v").ok());  // whitespace
  EXPECT_FALSE(base64Decode("Zg").ok());        // missing padding
  EXPECT_FALSE(base64Decode("Zg=a").ok());      // padding inside
  EXPECT_FALSE(base64Decode("Z===").ok());
  EXPECT_FALSE(base64Decode("Zh==").ok());  // non-canonical
  EXPECT_FALSE(base64Decode(std::string("Zm9\0", 4)).ok());
}

}  // namespace
}  // namespace zk
