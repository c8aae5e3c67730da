// SqliteStore as a route53::TagStore and route53::CredentialStore, and its settings table.
#include <gtest/gtest.h>

#include "store_test_util.h"

namespace zk::storage {
namespace {

using namespace testing;  // NOLINT
using route53::AccessKey;
using route53::AccessKeyStatus;
using route53::Account;

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = openStore(dir_.path());
    ASSERT_NE(store_, nullptr);
  }
  TempDir dir_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(StoreTest, TagsAddOverwriteRemove) {
  EXPECT_TRUE(store_->listTags("hostedzone", "Z1")->empty());
  ASSERT_TRUE(store_->changeTags("hostedzone", "Z1", {{"env", "dev"}, {"team", "dns"}}, {}).isOk());
  ASSERT_TRUE(store_->changeTags("hostedzone", "Z2", {{"env", "prod"}}, {}).isOk());
  ASSERT_TRUE(store_->changeTags("healthcheck", "Z1", {{"other", "type"}}, {}).isOk());
  std::vector<std::string> remove = {"team", "absent"};
  ASSERT_TRUE(store_->changeTags("hostedzone", "Z1", {{"env", "prod"}, {"owner", "me"}}, remove).isOk());
  EXPECT_EQ(*store_->listTags("hostedzone", "Z1"), (route53::TagMap{{"env", "prod"}, {"owner", "me"}}));
  std::vector<std::string> ids = {"Z2", "Z1", "Z3"};
  auto many = store_->listTagsForResources("hostedzone", ids);
  ASSERT_TRUE(many.ok());
  ASSERT_EQ(many->size(), 3u);
  EXPECT_EQ((*many)[0].resource_id, "Z2");
  EXPECT_EQ((*many)[0].tags, (route53::TagMap{{"env", "prod"}}));
  EXPECT_EQ((*many)[1].tags.size(), 2u);
  EXPECT_TRUE((*many)[2].tags.empty());
  EXPECT_EQ(store_->listTags("healthcheck", "Z1")->size(), 1u);
}

TEST_F(StoreTest, TagLimitIsAtomic) {
  ASSERT_TRUE(store_->changeTags("hostedzone", "Z1", {{"a", "1"}, {"b", "2"}}, {}, 3).isOk());
  Status st = store_->changeTags("hostedzone", "Z1", {{"c", "3"}, {"d", "4"}}, {}, 3);
  EXPECT_EQ(st.code(), Code::kResourceExhausted);
  EXPECT_EQ(store_->listTags("hostedzone", "Z1")->size(), 2u);  // nothing of the failed change
  std::vector<std::string> remove = {"a"};
  EXPECT_TRUE(store_->changeTags("hostedzone", "Z1", {{"c", "3"}, {"d", "4"}}, remove, 3).isOk());
  EXPECT_EQ(*store_->listTags("hostedzone", "Z1"), (route53::TagMap{{"b", "2"}, {"c", "3"}, {"d", "4"}}));
}

TEST_F(StoreTest, AccountsAndAccessKeys) {
  auto t0 = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));
  ASSERT_TRUE(store_->createAccount({"123456789012", "main", t0}).isOk());
  ASSERT_TRUE(store_->createAccount({"000000000001", "second", t0}).isOk());
  EXPECT_EQ(store_->createAccount({"123456789012", "dup", t0}).code(), Code::kAlreadyExists);
  Result<Account> a = store_->getAccount("123456789012");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->name, "main");
  EXPECT_EQ(a->created_at, t0);
  EXPECT_EQ(store_->getAccount("999").status().code(), Code::kNotFound);
  auto accounts = store_->listAccounts();
  ASSERT_EQ(accounts->size(), 2u);
  EXPECT_EQ((*accounts)[0].id, "000000000001");

  AccessKey k;
  k.access_key_id = "AKIAZONEKEEPER000001";
  k.encrypted_secret = {0x00, 0x01, 0xfe, 0xff, 0x00};
  k.account_id = "123456789012";
  k.user_name = "admin";
  k.principal_arn = "arn:aws:iam::123456789012:user/admin";
  k.created_at = t0;
  ASSERT_TRUE(store_->createAccessKey(k).isOk());
  AccessKey k2 = k;
  k2.access_key_id = "AKIAZONEKEEPER000002";
  k2.created_at = t0 + std::chrono::seconds(1);
  ASSERT_TRUE(store_->createAccessKey(k2).isOk());
  EXPECT_EQ(store_->createAccessKey(k).code(), Code::kAlreadyExists);
  AccessKey orphan = k;
  orphan.access_key_id = "AKIAZONEKEEPER000003";
  orphan.account_id = "555555555555";
  EXPECT_EQ(store_->createAccessKey(orphan).code(), Code::kFailedPrecondition);

  Result<AccessKey> got = store_->getAccessKey(k.access_key_id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->encrypted_secret, k.encrypted_secret);
  EXPECT_EQ(got->account_id, k.account_id);
  EXPECT_EQ(got->user_name, "admin");
  EXPECT_EQ(got->principal_arn, k.principal_arn);
  EXPECT_EQ(got->status, AccessKeyStatus::kActive);
  EXPECT_EQ(got->created_at, t0);

  ASSERT_TRUE(store_->setAccessKeyStatus(k.access_key_id, AccessKeyStatus::kInactive).isOk());
  EXPECT_EQ(store_->getAccessKey(k.access_key_id)->status, AccessKeyStatus::kInactive);
  EXPECT_EQ(store_->setAccessKeyStatus("AKIANOPE", AccessKeyStatus::kActive).code(), Code::kNotFound);
  auto keys = store_->listAccessKeys("123456789012");
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].access_key_id, k.access_key_id);
  EXPECT_EQ((*keys)[1].access_key_id, k2.access_key_id);
  ASSERT_TRUE(store_->deleteAccessKey(k.access_key_id).isOk());
  EXPECT_EQ(store_->getAccessKey(k.access_key_id).status().code(), Code::kNotFound);
  EXPECT_EQ(store_->deleteAccessKey(k.access_key_id).code(), Code::kNotFound);
  EXPECT_TRUE(store_->listAccessKeys("000000000001")->empty());
}

TEST_F(StoreTest, MetaSettings) {
  EXPECT_EQ(*store_->getMeta("server.id"), std::nullopt);
  ASSERT_TRUE(store_->setMeta("server.id", "abc").isOk());
  ASSERT_TRUE(store_->setMeta("server.id", "def").isOk());
  EXPECT_EQ(*store_->getMeta("server.id"), "def");
  store_.reset();
  store_ = openStore(dir_.path());
  EXPECT_EQ(*store_->getMeta("server.id"), "def");
  ASSERT_TRUE(store_->deleteMeta("server.id").isOk());
  EXPECT_EQ(*store_->getMeta("server.id"), std::nullopt);
}

}  // namespace
}  // namespace zk::storage
