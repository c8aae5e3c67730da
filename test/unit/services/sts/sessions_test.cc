// SessionSealer: sealed, stateless session tokens; expiry; tampering; the account in the key id.
#include "services/sts/sessions.h"

#include <gtest/gtest.h>

#include "services/sts/service.h"

namespace zk::sts {
namespace {

using std::chrono::seconds;

crypto::SecretBox box(char fill) {
  std::string key(32, fill);
  return *crypto::SecretBox::create(key);
}

api::SessionClaims claims(const FakeClock& clock) {
  api::SessionClaims c;
  c.account_id = "111122223333";
  c.source_arn = "arn:aws:iam::111122223333:role/deployer";
  c.source_name = "deployer";
  c.source_id = "AROAEXAMPLEEXAMPLE1";
  c.session_name = "ci-run";
  c.session_policies = {R"({"Version":"2012-10-17","Statement":[]})"};
  c.tags = {{"team", "dns"}};
  c.source_identity = "alice";
  c.issued_at = clock.now();
  c.expires_at = clock.now() + seconds(900);
  return c;
}

TEST(SessionSealerTest, IssueThenOpenGivesTheCredentialAndClaims) {
  FakeClock clock;
  SessionSealer sealer(box('k'), crypto::systemRandomSource());
  auto issued = sealer.issue(claims(clock), "arn:aws:sts::111122223333:assumed-role/deployer/ci-run",
                             "AROAEXAMPLEEXAMPLE1:ci-run");
  ASSERT_TRUE(issued.ok()) << issued.status().toString();
  EXPECT_EQ(issued->access_key_id.size(), 20u);
  EXPECT_EQ(issued->access_key_id.substr(0, 4), "ASIA");
  EXPECT_EQ(issued->secret_access_key.size(), 40u);
  // The secret is inside the token only sealed.
  EXPECT_EQ(issued->session_token.find(issued->secret_access_key), std::string::npos);

  auto opened = sealer.open(issued->access_key_id, issued->session_token, clock.now());
  ASSERT_TRUE(opened.ok()) << opened.status().toString();
  EXPECT_EQ(opened->credential.secret_access_key, issued->secret_access_key);
  EXPECT_EQ(opened->credential.session_token, issued->session_token);
  EXPECT_EQ(opened->credential.account_id, "111122223333");
  EXPECT_EQ(opened->credential.principal_arn, "arn:aws:sts::111122223333:assumed-role/deployer/ci-run");
  EXPECT_EQ(opened->credential.user_id, "AROAEXAMPLEEXAMPLE1:ci-run");
  ASSERT_TRUE(opened->session);
  EXPECT_EQ(opened->session->source_arn, "arn:aws:iam::111122223333:role/deployer");
  EXPECT_EQ(opened->session->session_policies.size(), 1u);
  ASSERT_EQ(opened->session->tags.size(), 1u);
  EXPECT_EQ(opened->session->tags[0].second, "dns");
  EXPECT_EQ(opened->session->source_identity, "alice");
}

TEST(SessionSealerTest, ExpiredIsOutOfRangeAtTheSecond) {
  FakeClock clock;
  SessionSealer sealer(box('k'), crypto::systemRandomSource());
  auto issued = sealer.issue(claims(clock), "arn", "uid");
  ASSERT_TRUE(issued.ok());
  clock.advance(seconds(899));
  EXPECT_TRUE(sealer.open(issued->access_key_id, issued->session_token, clock.now()).ok());
  clock.advance(seconds(1));
  auto late = sealer.open(issued->access_key_id, issued->session_token, clock.now());
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.status().code(), Code::kOutOfRange);
}

TEST(SessionSealerTest, ForgedMovedOrForeignTokensAreNotFound) {
  FakeClock clock;
  SessionSealer sealer(box('k'), crypto::systemRandomSource());
  SessionSealer other(box('x'), crypto::systemRandomSource());
  auto a = sealer.issue(claims(clock), "arn", "uid");
  auto b = sealer.issue(claims(clock), "arn", "uid");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->access_key_id, b->access_key_id);
  // Another key id: the associated data differs.
  EXPECT_EQ(sealer.open(b->access_key_id, a->session_token, clock.now()).status().code(), Code::kNotFound);
  // Another server's key.
  EXPECT_EQ(other.open(a->access_key_id, a->session_token, clock.now()).status().code(), Code::kNotFound);
  // One flipped hex digit.
  std::string t = a->session_token;
  t[t.size() / 2] = t[t.size() / 2] == '0' ? '1' : '0';
  EXPECT_EQ(sealer.open(a->access_key_id, t, clock.now()).status().code(), Code::kNotFound);
  for (std::string_view junk : {"", "ZKS1", "ZKS1zz", "FQoGZXIvYXdzEXAMPLE", "ZKS1000000"})
    EXPECT_EQ(sealer.open(a->access_key_id, junk, clock.now()).status().code(), Code::kNotFound) << junk;
}

TEST(SessionSealerTest, TheKeyIdNamesTheAccount) {
  FakeClock clock;
  SessionSealer sealer(box('k'), crypto::systemRandomSource());
  for (std::string account : {"000000000001", "111122223333", "999999999999"}) {
    auto c = claims(clock);
    c.account_id = account;
    auto issued = sealer.issue(c, "arn", "uid");
    ASSERT_TRUE(issued.ok());
    auto got = accountOfTemporaryKey(issued->access_key_id);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(*got, account);
  }
  EXPECT_FALSE(accountOfTemporaryKey("AKIAIOSFODNN7EXAMPLE").ok());
  EXPECT_FALSE(accountOfTemporaryKey("ASIA0000").ok());
  EXPECT_FALSE(accountOfTemporaryKey("ASIA7777777777777777").ok());  // more than 12 digits
}

TEST(SessionSealerTest, ParseRoleArn) {
  auto r = parseRoleArn("arn:aws:iam::111122223333:role/path/to/deployer");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->account_id, "111122223333");
  EXPECT_EQ(r->name, "deployer");
  EXPECT_TRUE(parseRoleArn("arn:aws:iam::111122223333:role/x").ok());
  for (const char* bad : {"", "arn:aws:iam::1111:role/x", "arn:aws:iam::111122223333:user/x",
                          "arn:aws:sts::111122223333:role/x", "arn:aws:iam::111122223333:role/"})
    EXPECT_FALSE(parseRoleArn(bad).ok()) << bad;
}

}  // namespace
}  // namespace zk::sts
