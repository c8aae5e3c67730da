#include "dns/name.h"

#include <gtest/gtest.h>

#include "dns/wire.h"

namespace zk::dns {
namespace {

Name N(std::string_view s) { return *Name::fromText(s); }

TEST(NameTest, TextRoundTrip) {
  EXPECT_EQ(N("www.Example.COM.").toText(), "www.Example.COM.");
  EXPECT_EQ(N(".").toText(), ".");
  EXPECT_EQ(N("a\\.b.c.").labelCount(), 2u);
  EXPECT_EQ(N("a\\.b.c.").toText(), "a\\.b.c.");
  EXPECT_EQ(N("\\065bc.").toText(), "Abc.");
  EXPECT_EQ(N("x\\000y.").toText(), "x\\000y.");
}

TEST(NameTest, RelativeToOrigin) {
  Name origin = N("example.com.");
  EXPECT_EQ(Name::fromText("www", &origin)->toText(), "www.example.com.");
  EXPECT_EQ(Name::fromText("www.", &origin)->toText(), "www.");
}

TEST(NameTest, Rejects) {
  EXPECT_FALSE(Name::fromText("").ok());
  EXPECT_FALSE(Name::fromText("a..b.").ok());
  EXPECT_FALSE(Name::fromText(std::string(64, 'a') + ".").ok());
  EXPECT_TRUE(Name::fromText(std::string(63, 'a') + ".").ok());
  std::string long_name;
  for (int i = 0; i < 64; ++i) long_name += "abc.";
  EXPECT_FALSE(Name::fromText(long_name).ok());  // 256 octets
  EXPECT_FALSE(Name::fromText("a\\25").ok());
  EXPECT_FALSE(Name::fromText("a\\256.").ok());
}

TEST(NameTest, CaseInsensitiveEqualityAndHash) {
  EXPECT_EQ(N("WWW.example.com."), N("www.EXAMPLE.com."));
  EXPECT_EQ(N("WWW.example.com.").hash(), N("www.EXAMPLE.com.").hash());
  EXPECT_FALSE(N("www.example.com.") == N("ww.example.com."));
}

TEST(NameTest, Hierarchy) {
  Name n = N("a.b.example.com.");
  EXPECT_TRUE(n.isSubdomainOf(N("EXAMPLE.com.")));
  EXPECT_TRUE(n.isSubdomainOf(n));
  EXPECT_TRUE(n.isSubdomainOf(Name()));
  EXPECT_FALSE(n.isSubdomainOf(N("xample.com.")));
  EXPECT_FALSE(N("example.com.").isSubdomainOf(n));
  EXPECT_EQ(n.parent().toText(), "b.example.com.");
  EXPECT_EQ(n.suffix(2).toText(), "example.com.");
  EXPECT_EQ(n.suffix(9).toText(), "a.b.example.com.");
  EXPECT_EQ(N("example.com.").wildcard()->toText(), "*.example.com.");
  EXPECT_TRUE(N("*.example.com.").isWildcard());
}

TEST(NameTest, CanonicalOrderRfc4034Example) {
  // RFC 4034 §6.1 example, in canonical order.
  const char* ordered[] = {"example.",         "a.example.",      "yljkjljk.a.example.",
                           "Z.a.example.",     "zABC.a.EXAMPLE.", "z.example.",
                           "\\001.z.example.", "*.z.example.",    "\\200.z.example."};
  for (size_t i = 0; i + 1 < std::size(ordered); ++i) {
    EXPECT_TRUE(N(ordered[i]).canonicalCompare(N(ordered[i + 1])) < 0)
        << ordered[i] << " < " << ordered[i + 1];
    EXPECT_TRUE(N(ordered[i + 1]).canonicalCompare(N(ordered[i])) > 0);
  }
}

TEST(WireReaderTest, DecompressesAndRejectsLoops) {
  // "example.com." at 0, then "www" + pointer to 0 at 13.
  std::vector<uint8_t> m = {7,   'e', 'x', 'a', 'm', 'p', 'l', 'e',  3, 'c',
                            'o', 'm', 0,   3,   'w', 'w', 'w', 0xC0, 0};
  WireReader r(m, 13);
  Name n = r.name();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(n.toText(), "www.example.com.");
  EXPECT_EQ(r.pos(), m.size());

  std::vector<uint8_t> loop = {0xC0, 0};  // points to itself
  WireReader r2(loop);
  (void)r2.name();
  EXPECT_FALSE(r2.ok());

  std::vector<uint8_t> fwd = {0xC0, 2, 1, 'a', 0};  // forward pointer
  WireReader r3(fwd);
  (void)r3.name();
  EXPECT_FALSE(r3.ok());

  std::vector<uint8_t> two = {1, 'a', 0xC0, 0};  // label then pointer back to its own start
  WireReader r4(two);
  (void)r4.name();
  EXPECT_FALSE(r4.ok());

  std::vector<uint8_t> trunc = {3, 'a', 'b'};
  WireReader r5(trunc);
  (void)r5.name();
  EXPECT_FALSE(r5.ok());
}

}  // namespace
}  // namespace zk::dns
