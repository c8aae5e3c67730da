// `zonekeeper account create`: the built binary, its one JSON object, and what it leaves in the store.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "base/clock.h"
#include "crypto/secret_box.h"
#include "services/iam/key_resolver.h"
#include "storage/sqlite/iam_store.h"
#include "storage/sqlite/sqlite_store.h"

namespace zk::iam {
namespace {

std::string run(const std::string& cmd, int* status) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  *status = ::pclose(p);
  return out;
}

TEST(AccountCliTest, CreatesAccountsWithAdminAndKey) {
  const std::string bin = std::string(ZK_BINARY_DIR) + "/zonekeeper";
  ASSERT_TRUE(std::filesystem::exists(bin)) << "build the zonekeeper target first";
  std::string tmpl = (std::filesystem::temp_directory_path() / "zk-acct-XXXXXX").string();
  ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
  const std::string dir = tmpl;

  int status = -1;
  const std::string out1 = run(bin + " account create --data-dir " + dir, &status);
  ASSERT_EQ(status, 0) << out1;
  const std::string out2 = run(bin + " account create --data-dir " + dir, &status);
  ASSERT_EQ(status, 0) << out2;
  // Exactly one JSON object on stdout.
  nlohmann::json a = nlohmann::json::parse(out1);
  nlohmann::json b = nlohmann::json::parse(out2);
  for (const auto& j : {a, b}) {
    ASSERT_TRUE(j.is_object());
    EXPECT_EQ(j.size(), 4u);
    EXPECT_EQ(j["AccountId"].get<std::string>().size(), 12u);
    EXPECT_EQ(j["UserArn"], "arn:aws:iam::" + j["AccountId"].get<std::string>() + ":user/admin");
    EXPECT_EQ(j["AccessKeyId"].get<std::string>().rfind("AKIA", 0), 0u);
    EXPECT_EQ(j["SecretAccessKey"].get<std::string>().size(), 40u);
  }
  EXPECT_NE(a["AccountId"], b["AccountId"]);

  // The store has the admin user with AdministratorAccess, and the key resolves to its secret.
  storage::SqliteOptions o;
  o.data_dir = dir;
  auto db = storage::SqliteStore::open(o);
  ASSERT_TRUE(db.ok()) << db.status().toString();
  storage::IamSqliteStore store(**db);
  const std::string account = a["AccountId"];
  auto attached = store.listAttachedPolicies(account, PrincipalKind::kUser, "admin");
  ASSERT_TRUE(attached.ok());
  ASSERT_EQ(attached->size(), 1u);
  EXPECT_EQ((*attached)[0].policy_arn, "arn:aws:iam::aws:policy/AdministratorAccess");
  std::string key_bytes;
  {
    FILE* f = std::fopen((dir + "/secret.key").c_str(), "rb");
    ASSERT_NE(f, nullptr);
    char buf[64];
    size_t n = std::fread(buf, 1, sizeof buf, f);
    std::fclose(f);
    key_bytes.assign(buf, n);
  }
  auto box = crypto::SecretBox::create(key_bytes);
  ASSERT_TRUE(box.ok());
  SystemClock clock;
  KeyResolver resolver(store, *box, clock);
  auto c = resolver.lookup(a["AccessKeyId"].get<std::string>());
  ASSERT_TRUE(c.ok()) << c.status().toString();
  EXPECT_EQ(c->secret_access_key, a["SecretAccessKey"]);
  EXPECT_EQ(c->principal_arn, a["UserArn"]);
  db->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace zk::iam
