// Secret-box key file, sealed access keys, first-start bootstrap and the cached key resolver.
#include "app/credentials.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "route53_test_util.h"

namespace zk::app::testing {
namespace {

class CredentialsTest : public Route53Fixture {};

int fileMode(const std::string& path) {
  struct stat sb {};
  EXPECT_EQ(::stat(path.c_str(), &sb), 0) << path;
  return sb.st_mode & 0777;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST_F(CredentialsTest, KeyFileIsCreatedOnceOwnerOnly) {
  auto a = loadOrCreateSecretBox(dir_);
  ASSERT_TRUE(a.ok()) << a.status().toString();
  const std::string path = dir_ + "/secret.key";
  EXPECT_EQ(fileMode(path), 0600);
  EXPECT_EQ(readFile(path).size(), 32u);
  auto sealed = a->seal("secret", "aad");
  ASSERT_TRUE(sealed.ok());
  auto b = loadOrCreateSecretBox(dir_);  // the same key again
  ASSERT_TRUE(b.ok());
  auto opened = b->open(*sealed, "aad");
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, "secret");
  ::chmod(path.c_str(), 0644);
  EXPECT_EQ(loadOrCreateSecretBox(dir_).status().code(), Code::kFailedPrecondition);
}

TEST_F(CredentialsTest, BootstrapWritesSharedCredentialsFileOnce) {
  auto box = loadOrCreateSecretBox(dir_);
  ASSERT_TRUE(box.ok());
  auto first = bootstrapAdminKey(*store_, *box, dir_);
  ASSERT_TRUE(first.ok()) << first.status().toString();
  ASSERT_TRUE(first->has_value());
  const NewAccessKey& k = **first;
  EXPECT_EQ(k.access_key_id.size(), 20u);
  EXPECT_EQ(k.access_key_id.rfind("AKIA", 0), 0u);
  EXPECT_EQ(k.secret_access_key.size(), 40u);
  EXPECT_EQ(k.principal_arn, "arn:aws:iam::" + k.account_id + ":user/admin");
  const std::string path = dir_ + "/credentials";
  EXPECT_EQ(fileMode(path), 0600);
  EXPECT_EQ(readFile(path), "[default]\naws_access_key_id = " + k.access_key_id +
                                "\naws_secret_access_key = " + k.secret_access_key + "\n");
  auto second = bootstrapAdminKey(*store_, *box, dir_);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->has_value());

  // The secret is stored sealed, never in plain text.
  auto row = store_->getAccessKey(k.access_key_id);
  ASSERT_TRUE(row.ok());
  std::string stored(row->encrypted_secret.begin(), row->encrypted_secret.end());
  EXPECT_EQ(stored.find(k.secret_access_key), std::string::npos);

  KeyResolver resolver(*store_, *box, clock_);
  auto c = resolver.lookup(k.access_key_id);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->secret_access_key, k.secret_access_key);
  EXPECT_EQ(c->account_id, k.account_id);
  EXPECT_EQ(resolver.lookup("AKIANOSUCHKEY0000000").status().code(), Code::kNotFound);
}

TEST_F(CredentialsTest, WrongKeyFileCannotOpenSecrets) {
  auto box = loadOrCreateSecretBox(dir_);
  ASSERT_TRUE(box.ok());
  ASSERT_TRUE(store_->createAccount({kAccount, "t", clock_.now()}).isOk());
  auto k = createAccessKey(*store_, *box, kAccount, "admin", clock_.now());
  ASSERT_TRUE(k.ok());
  std::string other_dir = makeTempDir();
  auto other = loadOrCreateSecretBox(other_dir);
  ASSERT_TRUE(other.ok());
  KeyResolver resolver(*store_, *other, clock_);
  EXPECT_EQ(resolver.lookup(k->access_key_id).status().code(), Code::kInternal);
  std::filesystem::remove_all(other_dir);
}

}  // namespace
}  // namespace zk::app::testing
