// Tests for Request target splitting and header lookup.
#include "http/message.h"

#include <gtest/gtest.h>

namespace zk::http {
namespace {

Request withTarget(std::string target) {
  Request r;
  r.target = std::move(target);
  return r;
}

TEST(RequestTest, PathAndQueryStayEncoded) {
  Request r = withTarget("/2013-04-01/hostedzone/Z1%2FX?maxitems=1&name=a%20b.");
  EXPECT_EQ(r.path(), "/2013-04-01/hostedzone/Z1%2FX");
  EXPECT_EQ(r.query(), "maxitems=1&name=a%20b.");
}

TEST(RequestTest, QuerySplitsAtFirstQuestionMark) {
  Request r = withTarget("/a?b=?c");
  EXPECT_EQ(r.path(), "/a");
  EXPECT_EQ(r.query(), "b=?c");
  EXPECT_EQ(withTarget("/a?").query(), "");
  EXPECT_EQ(withTarget("/a").query(), "");
  EXPECT_EQ(withTarget("/a").path(), "/a");
}

TEST(RequestTest, AbsoluteFormDropsSchemeAndAuthority) {
  EXPECT_EQ(withTarget("http://example.com:8080/x/y?z=1").path(), "/x/y");
  EXPECT_EQ(withTarget("http://example.com:8080/x/y?z=1").query(), "z=1");
  EXPECT_EQ(withTarget("https://example.com").path(), "/");
  EXPECT_EQ(withTarget("http://example.com?q").path(), "/");
  EXPECT_EQ(withTarget("*").path(), "*");
}

TEST(RequestTest, HeaderIsCaseInsensitiveAndFirstWins) {
  Request r;
  r.headers = {{"X-Amz-Date", "20240101T000000Z"}, {"x-repeat", "1"}, {"X-Repeat", "2"}, {"Empty", ""}};
  EXPECT_EQ(r.header("x-amz-date"), "20240101T000000Z");
  EXPECT_EQ(r.header("X-REPEAT"), "1");
  ASSERT_TRUE(r.header("empty").has_value());
  EXPECT_EQ(*r.header("empty"), "");
  EXPECT_FALSE(r.header("X-Amz-Dat").has_value());
  EXPECT_FALSE(r.header("Missing").has_value());
}

TEST(MessageTest, EqualsIgnoreCase) {
  EXPECT_TRUE(equalsIgnoreCase("Content-Length", "content-LENGTH"));
  EXPECT_FALSE(equalsIgnoreCase("Content-Length", "Content-Lengt"));
  EXPECT_FALSE(equalsIgnoreCase("a", "b"));
  EXPECT_TRUE(equalsIgnoreCase("", ""));
}

TEST(MessageTest, ReasonPhrase) {
  EXPECT_EQ(reasonPhrase(200), "OK");
  EXPECT_EQ(reasonPhrase(413), "Payload Too Large");
  EXPECT_EQ(reasonPhrase(431), "Request Header Fields Too Large");
  EXPECT_EQ(reasonPhrase(299), "Unknown");
}

}  // namespace
}  // namespace zk::http
