// IamSqliteStore: IAM entities over the shared database, their rules, and persistence across reopen.
#include "storage/sqlite/iam_store.h"

#include <gtest/gtest.h>

#include "storage/sqlite/migrations.h"
#include "store_test_util.h"

namespace zk::storage::testing {
namespace {

using namespace zk::iam;

const Time kT{std::chrono::seconds(1'700'000'000)};
constexpr const char* kAcct = "123456789012";

User userNamed(const std::string& name, const std::string& id) {
  User u;
  u.account_id = kAcct;
  u.name = name;
  u.id = id;
  u.arn = std::string("arn:aws:iam::") + kAcct + ":user/" + name;
  u.tags = {{"k", "v"}};
  u.created_at = kT;
  return u;
}

AccessKey keyFor(const std::string& id, const std::string& user) {
  AccessKey k;
  k.access_key_id = id;
  k.encrypted_secret = {1, 2, 3};
  k.account_id = kAcct;
  k.user_name = user;
  k.principal_arn = std::string("arn:aws:iam::") + kAcct + ":user/" + user;
  k.created_at = kT;
  return k;
}

TEST(IamStoreTest, EntitiesRulesAndReopen) {
  TempDir dir;
  {
    auto db = openStore(dir.path());
    IamSqliteStore s(*db);
    ASSERT_TRUE(s.createAccount({kAcct, "a", kT}).isOk());
    EXPECT_EQ(s.createAccount({kAcct, "a", kT}).code(), Code::kAlreadyExists);

    ASSERT_TRUE(s.createUser(userNamed("Alice", "AIDA1")).isOk());
    EXPECT_EQ(s.createUser(userNamed("alice", "AIDA2")).code(), Code::kAlreadyExists);  // case-insensitive
    auto u = s.getUser(kAcct, "ALICE");
    ASSERT_TRUE(u.ok());
    EXPECT_EQ(u->name, "Alice");  // the spelling given at creation
    EXPECT_EQ(u->tags, (Tags{{"k", "v"}}));
    EXPECT_EQ(s.getUser("999999999999", "alice").status().code(), Code::kNotFound);

    // Keys: at most max_per_user, atomically.
    ASSERT_TRUE(s.createAccessKey(keyFor("AKIA1", "Alice"), 2).isOk());
    ASSERT_TRUE(s.createAccessKey(keyFor("AKIA2", "Alice"), 2).isOk());
    EXPECT_EQ(s.createAccessKey(keyFor("AKIA3", "Alice"), 2).code(), Code::kResourceExhausted);
    ASSERT_TRUE(s.setAccessKeyStatus("AKIA2", KeyStatus::kInactive).isOk());
    EXPECT_EQ(s.setAccessKeyStatus("AKIA9", KeyStatus::kInactive).code(), Code::kNotFound);
    EXPECT_EQ(s.listAccessKeys(kAcct, "alice")->size(), 2u);

    // Groups, membership, policies, and what blocks a delete.
    Group g{kAcct, "devs", "/", "AGPA1", std::string("arn:aws:iam::") + kAcct + ":group/devs", kT};
    ASSERT_TRUE(s.createGroup(g).isOk());
    ASSERT_TRUE(s.addUserToGroup(kAcct, "DEVS", "alice").isOk());
    EXPECT_EQ(s.addUserToGroup(kAcct, "devs", "bob").code(), Code::kNotFound);
    EXPECT_EQ(s.listGroupsForUser(kAcct, "alice")->size(), 1u);
    EXPECT_EQ(s.listUsersInGroup(kAcct, "devs")->at(0).name, "Alice");
    EXPECT_EQ(s.deleteGroup(kAcct, "devs").code(), Code::kFailedPrecondition);
    ASSERT_TRUE(s.putInlinePolicy({kAcct, PrincipalKind::kUser, "Alice", "p", "{}"}).isOk());
    ASSERT_TRUE(
        s.putInlinePolicy({kAcct, PrincipalKind::kUser, "Alice", "P", "{\"x\":1}"}).isOk());  // replaces
    EXPECT_EQ(s.listInlinePolicies(kAcct, PrincipalKind::kUser, "alice")->size(), 1u);
    EXPECT_EQ(s.getInlinePolicy(kAcct, PrincipalKind::kUser, "alice", "p")->document, "{\"x\":1}");

    ManagedPolicy mp;
    mp.account_id = kAcct;
    mp.name = "mp";
    mp.id = "ANPA1";
    mp.arn = std::string("arn:aws:iam::") + kAcct + ":policy/mp";
    mp.created_at = mp.updated_at = kT;
    ASSERT_TRUE(s.createPolicy(mp, {"v1", "{}", true, kT}).isOk());
    for (int i = 2; i <= 5; ++i)
      ASSERT_TRUE(s.createPolicyVersion(mp.arn, {"v" + std::to_string(i), "{}", i == 4, kT}, 5).isOk());
    EXPECT_EQ(s.createPolicyVersion(mp.arn, {"v6", "{}", false, kT}, 5).code(), Code::kResourceExhausted);
    EXPECT_EQ(s.getPolicy(mp.arn)->default_version_id, "v4");
    EXPECT_EQ(s.getPolicy(mp.arn)->next_version, 6);
    EXPECT_EQ(s.deletePolicyVersion(mp.arn, "v4").code(), Code::kFailedPrecondition);
    ASSERT_TRUE(s.attachPolicy({kAcct, PrincipalKind::kUser, "alice", mp.arn}).isOk());
    EXPECT_EQ(s.listEntitiesForPolicy(kAcct, mp.arn)->size(), 1u);
    EXPECT_EQ(s.deletePolicy(mp.arn).code(), Code::kFailedPrecondition);
    EXPECT_EQ(s.deleteUser(kAcct, "alice").code(), Code::kFailedPrecondition);

    // Rename: keys, memberships and policies follow the user.
    User renamed = *u;
    renamed.name = "Alicia";
    renamed.arn = std::string("arn:aws:iam::") + kAcct + ":user/Alicia";
    ASSERT_TRUE(s.updateUser(renamed).isOk());
    EXPECT_EQ(s.getUser(kAcct, "alice").status().code(), Code::kNotFound);
    EXPECT_EQ(s.listAccessKeys(kAcct, "alicia")->size(), 2u);
    EXPECT_EQ(s.getAccessKey("AKIA1")->principal_arn, renamed.arn);
    EXPECT_EQ(s.listGroupsForUser(kAcct, "alicia")->size(), 1u);
    EXPECT_EQ(s.listAttachedPolicies(kAcct, PrincipalKind::kUser, "alicia")->at(0).principal_name, "Alicia");

    // Roles and instance profiles.
    Role r;
    r.account_id = kAcct;
    r.name = "web";
    r.id = "AROA1";
    r.arn = std::string("arn:aws:iam::") + kAcct + ":role/web";
    r.trust_policy = "{}";
    r.created_at = kT;
    ASSERT_TRUE(s.createRole(r).isOk());
    InstanceProfile ip;
    ip.account_id = kAcct;
    ip.name = "ip";
    ip.id = "AIPA1";
    ip.arn = std::string("arn:aws:iam::") + kAcct + ":instance-profile/ip";
    ip.created_at = kT;
    ASSERT_TRUE(s.createInstanceProfile(ip).isOk());
    ASSERT_TRUE(s.setInstanceProfileRoles(kAcct, "ip", {"WEB"}).isOk());
    EXPECT_EQ(s.getInstanceProfile(kAcct, "ip")->role_names, std::vector<std::string>{"web"});
    EXPECT_EQ(s.deleteRole(kAcct, "web").code(), Code::kFailedPrecondition);

    OidcProvider p;
    p.account_id = kAcct;
    p.url = "oidc.example.test";
    p.arn = std::string("arn:aws:iam::") + kAcct + ":oidc-provider/oidc.example.test";
    p.client_ids = {"a", "b"};
    p.created_at = kT;
    ASSERT_TRUE(s.createOidcProvider(p).isOk());
    EXPECT_EQ(s.createOidcProvider(p).code(), Code::kAlreadyExists);

    ASSERT_TRUE(s.recordAccessKeyUse("AKIA1", kT + std::chrono::seconds(5), "iam", "us-east-1").isOk());
  }
  // Everything is still there after reopening (the queued last-use write was committed on close).
  auto db = openStore(dir.path());
  IamSqliteStore s(*db);
  EXPECT_EQ(s.getUser(kAcct, "alicia")->id, "AIDA1");
  auto k = s.getAccessKey("AKIA1");
  ASSERT_TRUE(k.ok());
  ASSERT_TRUE(k->last_used.has_value());
  EXPECT_EQ(*k->last_used, kT + std::chrono::seconds(5));
  EXPECT_EQ(k->last_used_service, "iam");
  EXPECT_EQ(s.getAccessKey("AKIA2")->status, KeyStatus::kInactive);
  EXPECT_EQ(s.listPolicyVersions(std::string("arn:aws:iam::") + kAcct + ":policy/mp")->size(), 5u);
  EXPECT_EQ(s.getInstanceProfile(kAcct, "ip")->role_names.size(), 1u);
  EXPECT_EQ(s.getOidcProvider(std::string("arn:aws:iam::") + kAcct + ":oidc-provider/oidc.example.test")
                ->client_ids,
            (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(s.listAccounts()->size(), 1u);
}

// A database written before IAM: its key holders become IAM users with AdministratorAccess.
TEST(IamStoreTest, MigrationMakesExistingKeyHoldersAdmins) {
  TempDir dir;
  {
    auto w = Database::open(dir.sub("zonekeeper.db"));
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE(migrate(**w, 4).isOk());
    ASSERT_TRUE((*w)->exec("INSERT INTO accounts VALUES ('123456789012', 'a', 1);"
                           "INSERT INTO access_keys VALUES ('AKIAOLD', '123456789012', x'01', 'admin',"
                           " 'arn:aws:iam::123456789012:user/admin', 'Active', 5)")
                    .isOk());
  }
  auto db = openStore(dir.path());
  IamSqliteStore s(*db);
  auto u = s.getUser(kAcct, "admin");
  ASSERT_TRUE(u.ok()) << u.status().toString();
  EXPECT_EQ(u->id.size(), 21u);
  EXPECT_EQ(u->id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), std::string::npos);
  auto a = s.listAttachedPolicies(kAcct, PrincipalKind::kUser, "admin");
  ASSERT_TRUE(a.ok());
  ASSERT_EQ(a->size(), 1u);
  EXPECT_EQ((*a)[0].policy_arn, "arn:aws:iam::aws:policy/AdministratorAccess");
  EXPECT_FALSE(s.getAccessKey("AKIAOLD")->last_used.has_value());
}

}  // namespace
}  // namespace zk::storage::testing
