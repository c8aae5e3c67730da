// AES-256-GCM secret box: NIST known answers, round trips, and every way an open must fail.
#include "crypto/secret_box.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace zk::crypto {
namespace {

std::vector<uint8_t> keyOf(uint8_t fill) { return std::vector<uint8_t>(SecretBox::kKeySize, fill); }

RandomSource zeroNonce() {
  return [](std::span<uint8_t> out) {
    std::memset(out.data(), 0, out.size());
    return Status::ok();
  };
}

TEST(SecretBoxTest, NistGcmKnownAnswers) {
  // GCM spec (McGrew & Viega) test cases 13 and 14: AES-256, zero key, zero 96-bit IV.
  auto box = SecretBox::create(keyOf(0), zeroNonce());
  ASSERT_TRUE(box.ok());
  auto empty = box->seal("");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(hexEncode(*empty),
            "000000000000000000000000"
            "530f8afbc74536b9a963b4f1c4cb738b");
  auto block = box->seal(std::string(16, '\0'));
  ASSERT_TRUE(block.ok());
  EXPECT_EQ(hexEncode(*block),
            "000000000000000000000000"
            "cea7403d4d606b6e074ec5d3baf39d18"
            "d0d1c8a799996bf0265b98b5d48ab919");
  auto opened = box->open(*block);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, std::string(16, '\0'));
}

TEST(SecretBoxTest, RoundTripWithAad) {
  auto box = SecretBox::create(keyOf(7));
  ASSERT_TRUE(box.ok());
  const std::string secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  auto sealed = box->seal(secret, "access-key:AKIDEXAMPLE");
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(sealed->size(), secret.size() + SecretBox::kOverhead);
  EXPECT_EQ(sealed->find(secret), std::string::npos);
  auto opened = box->open(*sealed, "access-key:AKIDEXAMPLE");
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, secret);
}

TEST(SecretBoxTest, FreshNonceEachSeal) {
  auto box = SecretBox::create(keyOf(1));
  ASSERT_TRUE(box.ok());
  auto a = box->seal("same plaintext");
  auto b = box->seal("same plaintext");
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_NE(a->substr(0, SecretBox::kNonceSize), b->substr(0, SecretBox::kNonceSize));
  EXPECT_NE(*a, *b);
}

TEST(SecretBoxTest, BinaryPlaintext) {
  std::string bin;
  for (int i = 0; i < 256; ++i) bin += static_cast<char>(i);
  auto sealed = sealSecret(keyOf(3), bin);
  ASSERT_TRUE(sealed.ok());
  auto opened = openSecret(keyOf(3), *sealed);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, bin);
}

TEST(SecretBoxTest, WrongKeyFails) {
  auto sealed = sealSecret(keyOf(1), "secret");
  ASSERT_TRUE(sealed.ok());
  auto opened = openSecret(keyOf(2), *sealed);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), Code::kPermissionDenied);
}

TEST(SecretBoxTest, WrongAadFails) {
  auto box = SecretBox::create(keyOf(1));
  ASSERT_TRUE(box.ok());
  auto sealed = box->seal("secret", "row-1");
  ASSERT_TRUE(sealed.ok());
  EXPECT_FALSE(box->open(*sealed, "row-2").ok());
  EXPECT_FALSE(box->open(*sealed).ok());
  EXPECT_TRUE(box->open(*sealed, "row-1").ok());
}

TEST(SecretBoxTest, AnyModifiedByteFails) {
  auto box = SecretBox::create(keyOf(9));
  ASSERT_TRUE(box.ok());
  auto sealed = box->seal("a secret that matters");
  ASSERT_TRUE(sealed.ok());
  for (size_t i = 0; i < sealed->size(); ++i) {
    std::string bad = *sealed;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    auto r = box->open(bad);
    EXPECT_FALSE(r.ok()) << "byte " << i;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), Code::kPermissionDenied);
    }
  }
  // Truncated and extended inputs fail too.
  EXPECT_FALSE(box->open(sealed->substr(0, sealed->size() - 1)).ok());
  EXPECT_FALSE(box->open(*sealed + "x").ok());
}

TEST(SecretBoxTest, ShortInputAndBadKey) {
  auto box = SecretBox::create(keyOf(1));
  ASSERT_TRUE(box.ok());
  auto r = box->open(std::string(SecretBox::kOverhead - 1, 'x'));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(SecretBox::create(std::vector<uint8_t>(31, 0)).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(SecretBox::create(std::vector<uint8_t>(33, 0)).status().code(), Code::kInvalidArgument);
  EXPECT_FALSE(SecretBox::create(std::string_view("short")).ok());
}

TEST(SecretBoxTest, RandomFailureIsReported) {
  auto box = SecretBox::create(keyOf(1), [](std::span<uint8_t>) { return internalError("no entropy"); });
  ASSERT_TRUE(box.ok());
  auto r = box->seal("x");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInternal);
}

TEST(SecretBoxTest, CopiesAndMovesKeepWorking) {
  auto box = SecretBox::create(keyOf(5));
  ASSERT_TRUE(box.ok());
  SecretBox copy = *box;
  auto sealed = box->seal("value");
  ASSERT_TRUE(sealed.ok());
  SecretBox moved = std::move(copy);
  auto opened = moved.open(*sealed);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, "value");
}

}  // namespace
}  // namespace zk::crypto
