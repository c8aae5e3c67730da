// IamService through invoke() with model value trees, over a real IamSqliteStore in a temp directory.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>

#include "aws/sigv4.h"
#include "base/clock.h"
#include "crypto/secret_box.h"
#include "services/iam/accounts.h"
#include "services/iam/directory.h"
#include "services/iam/key_resolver.h"
#include "services/iam/policy_check.h"
#include "services/iam/service.h"
#include "storage/sqlite/iam_store.h"
#include "storage/sqlite/sqlite_store.h"

namespace zk::iam {
namespace {

using nlohmann::json;

constexpr const char* kAccount = "123456789012";
constexpr const char* kOther = "210987654321";
const char* kDoc =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"route53:*","Resource":"*"}]})";
const char* kTrust =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]})";

// Deterministic randomness: tests must be reproducible.
crypto::RandomSource seeded(uint32_t seed) {
  auto rng = std::make_shared<std::mt19937>(seed);
  return [rng](std::span<uint8_t> out) {
    for (uint8_t& b : out) b = uint8_t((*rng)());
    return Status();
  };
}

class IamServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "zk-iam-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    open();
    auto box = crypto::SecretBox::create(std::string(32, 'k'));
    ASSERT_TRUE(box.ok());
    box_.emplace(*box);
    service_ = std::make_unique<IamService>(*iam_, clock_, *box_, seeded(7));
    ASSERT_TRUE(iam_->createAccount({kAccount, "test", clock_.now()}).isOk());
    ASSERT_TRUE(iam_->createAccount({kOther, "other", clock_.now()}).isOk());
    ctx_.account_id = kAccount;
    ctx_.principal_arn = std::string("arn:aws:iam::") + kAccount + ":root";
    ctx_.request_id = "req-1";
  }
  void open() {
    storage::SqliteOptions o;
    o.data_dir = dir_;
    auto s = storage::SqliteStore::open(o);
    ASSERT_TRUE(s.ok()) << s.status().toString();
    db_ = std::move(*s);
    iam_ = std::make_unique<storage::IamSqliteStore>(*db_);
  }
  void TearDown() override {
    service_.reset();
    iam_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  ServiceResult call(const char* op, json in = json::object()) { return service_->invoke(op, in, ctx_); }
  json ok(const char* op, json in = json::object()) {
    ServiceResult r = call(op, std::move(in));
    EXPECT_TRUE(r.ok()) << op << ": " << (r.isError() ? r.error().code + " " + r.error().message : "");
    return r.ok() ? r.output() : json();
  }
  // The error code (and status) of a failing call.
  std::string err(const char* op, json in = json::object(), int* status = nullptr) {
    ServiceResult r = call(op, std::move(in));
    EXPECT_TRUE(r.isError()) << op << " succeeded: " << (r.ok() ? r.output().dump() : "");
    if (!r.isError()) return "";
    if (status) *status = r.error().http_status;
    return r.error().code;
  }

  std::string dir_;
  FakeClock clock_;
  std::unique_ptr<storage::SqliteStore> db_;
  std::unique_ptr<storage::IamSqliteStore> iam_;
  std::optional<crypto::SecretBox> box_;
  std::unique_ptr<IamService> service_;
  CallContext ctx_;
};

TEST_F(IamServiceTest, UsersLifecycle) {
  json u = ok("CreateUser",
              {{"UserName", "alice"}, {"Path", "/dev/"}, {"Tags", {{{"Key", "team"}, {"Value", "dns"}}}}});
  EXPECT_EQ(u["User"]["Arn"], std::string("arn:aws:iam::") + kAccount + ":user/dev/alice");
  EXPECT_EQ(u["User"]["UserId"].get<std::string>().rfind("AIDA", 0), 0u);
  EXPECT_EQ(u["User"]["UserId"].get<std::string>().size(), 21u);
  int status = 0;
  EXPECT_EQ(err("CreateUser", {{"UserName", "ALICE"}}, &status), "EntityAlreadyExists");  // case-insensitive
  EXPECT_EQ(status, 409);
  EXPECT_EQ(err("CreateUser", {{"UserName", "bad name"}}, &status), "ValidationError");
  EXPECT_EQ(status, 400);
  EXPECT_EQ(err("CreateUser", {{"UserName", std::string(65, 'a')}}), "ValidationError");
  EXPECT_EQ(err("CreateUser", {{"UserName", "x"}, {"Path", "nope"}}), "ValidationError");

  EXPECT_EQ(ok("GetUser", {{"UserName", "Alice"}})["User"]["UserName"], "alice");
  EXPECT_EQ(err("GetUser", {{"UserName", "bob"}}, &status), "NoSuchEntity");
  EXPECT_EQ(status, 404);
  // Another account's user does not exist for this one.
  ctx_.account_id = kOther;
  EXPECT_EQ(err("GetUser", {{"UserName", "alice"}}), "NoSuchEntity");
  ctx_.account_id = kAccount;

  // GetUser without a name: the caller (a user) or the account root.
  ctx_.principal_arn = std::string("arn:aws:iam::") + kAccount + ":user/dev/alice";
  EXPECT_EQ(ok("GetUser")["User"]["UserName"], "alice");
  ctx_.principal_arn = std::string("arn:aws:iam::") + kAccount + ":root";
  EXPECT_EQ(ok("GetUser")["User"]["Arn"], ctx_.principal_arn);

  ok("CreateUser", {{"UserName", "bob"}});
  EXPECT_EQ(ok("ListUsers")["Users"].size(), 2u);
  EXPECT_EQ(ok("ListUsers", {{"PathPrefix", "/dev/"}})["Users"].size(), 1u);

  ok("UpdateUser", {{"UserName", "bob"}, {"NewUserName", "robert"}, {"NewPath", "/ops/"}});
  EXPECT_EQ(ok("GetUser", {{"UserName", "robert"}})["User"]["Arn"],
            std::string("arn:aws:iam::") + kAccount + ":user/ops/robert");
  EXPECT_EQ(err("UpdateUser", {{"UserName", "robert"}, {"NewUserName", "alice"}}), "EntityAlreadyExists");
  EXPECT_EQ(err("UpdateUser", {{"UserName", "nobody"}, {"NewUserName", "x"}}), "NoSuchEntity");

  ok("TagUser", {{"UserName", "alice"},
                 {"Tags", {{{"Key", "env"}, {"Value", "prod"}}, {{"Key", "team"}, {"Value", "ops"}}}}});
  json tags = ok("ListUserTags", {{"UserName", "alice"}})["Tags"];
  ASSERT_EQ(tags.size(), 2u);
  EXPECT_EQ(tags[0], (json{{"Key", "team"}, {"Value", "ops"}}));
  ok("UntagUser", {{"UserName", "alice"}, {"TagKeys", {"team"}}});
  EXPECT_EQ(ok("ListUserTags", {{"UserName", "alice"}})["Tags"].size(), 1u);

  ok("PutUserPermissionsBoundary",
     {{"UserName", "alice"}, {"PermissionsBoundary", "arn:aws:iam::aws:policy/IAMReadOnlyAccess"}});
  EXPECT_EQ(ok("GetUser", {{"UserName", "alice"}})["User"]["PermissionsBoundary"]["PermissionsBoundaryArn"],
            "arn:aws:iam::aws:policy/IAMReadOnlyAccess");
  EXPECT_EQ(err("PutUserPermissionsBoundary",
                {{"UserName", "alice"},
                 {"PermissionsBoundary", std::string("arn:aws:iam::") + kAccount + ":policy/none"}}),
            "NoSuchEntity");
  ok("DeleteUserPermissionsBoundary", {{"UserName", "alice"}});
  EXPECT_FALSE(ok("GetUser", {{"UserName", "alice"}})["User"].contains("PermissionsBoundary"));

  ok("DeleteUser", {{"UserName", "robert"}});
  EXPECT_EQ(err("DeleteUser", {{"UserName", "robert"}}), "NoSuchEntity");
}

TEST_F(IamServiceTest, ListPagination) {
  for (int i = 0; i < 5; ++i) ok("CreateUser", {{"UserName", "u" + std::to_string(i)}});
  json p1 = ok("ListUsers", {{"MaxItems", 2}});
  ASSERT_EQ(p1["Users"].size(), 2u);
  EXPECT_TRUE(p1["IsTruncated"].get<bool>());
  json p2 = ok("ListUsers", {{"MaxItems", 2}, {"Marker", p1["Marker"]}});
  EXPECT_EQ(p2["Users"][0]["UserName"], "u2");
  json p3 = ok("ListUsers", {{"MaxItems", 2}, {"Marker", p2["Marker"]}});
  EXPECT_EQ(p3["Users"].size(), 1u);
  EXPECT_FALSE(p3["IsTruncated"].get<bool>());
  EXPECT_FALSE(p3.contains("Marker"));
  EXPECT_EQ(err("ListUsers", {{"MaxItems", 0}}), "ValidationError");
  EXPECT_EQ(err("ListUsers", {{"Marker", "zz"}}), "InvalidInput");
}

TEST_F(IamServiceTest, AccessKeys) {
  ok("CreateUser", {{"UserName", "alice"}});
  json k1 = ok("CreateAccessKey", {{"UserName", "alice"}})["AccessKey"];
  EXPECT_EQ(k1["AccessKeyId"].get<std::string>().rfind("AKIA", 0), 0u);
  EXPECT_EQ(k1["SecretAccessKey"].get<std::string>().size(), 40u);
  EXPECT_EQ(k1["Status"], "Active");
  ok("CreateAccessKey", {{"UserName", "alice"}});
  int status = 0;
  EXPECT_EQ(err("CreateAccessKey", {{"UserName", "alice"}}, &status), "LimitExceeded");
  EXPECT_EQ(status, 409);
  EXPECT_EQ(err("CreateAccessKey", {{"UserName", "nobody"}}), "NoSuchEntity");

  json list = ok("ListAccessKeys", {{"UserName", "alice"}})["AccessKeyMetadata"];
  ASSERT_EQ(list.size(), 2u);
  EXPECT_FALSE(list[0].contains("SecretAccessKey"));

  // The key works for SigV4 until it is deactivated (the resolver never caches "not found").
  KeyResolver resolver(*iam_, *box_, clock_, std::chrono::seconds(2));
  const std::string id = k1["AccessKeyId"];
  auto c = resolver.lookup(id);
  ASSERT_TRUE(c.ok()) << c.status().toString();
  EXPECT_EQ(c->secret_access_key, k1["SecretAccessKey"]);
  EXPECT_EQ(c->principal_arn, std::string("arn:aws:iam::") + kAccount + ":user/alice");

  ok("UpdateAccessKey", {{"UserName", "alice"}, {"AccessKeyId", id}, {"Status", "Inactive"}});
  EXPECT_TRUE(resolver.lookup(id).ok());  // cached for the TTL
  clock_.advance(std::chrono::seconds(3));
  EXPECT_EQ(resolver.lookup(id).status().code(), Code::kNotFound);
  EXPECT_EQ(ok("ListAccessKeys", {{"UserName", "alice"}})["AccessKeyMetadata"][0]["Status"], "Inactive");

  // Last use: recorded by the resolver, written without waiting (the committer queues it).
  json never = ok("GetAccessKeyLastUsed", {{"AccessKeyId", list[1]["AccessKeyId"]}});
  EXPECT_EQ(never["AccessKeyLastUsed"]["ServiceName"], "N/A");
  EXPECT_FALSE(never["AccessKeyLastUsed"].contains("LastUsedDate"));
  const std::string id2 = list[1]["AccessKeyId"];
  ASSERT_TRUE(resolver.lookup(id2).ok());
  resolver.recordUse(id2, "route53", "us-east-1");
  resolver.flushUses();
  // A write submitted after the queued one returns only once both are committed.
  ASSERT_TRUE(iam_->createAccount({"999999999999", "sync", clock_.now()}).isOk());
  json used = ok("GetAccessKeyLastUsed", {{"AccessKeyId", id2}});
  EXPECT_EQ(used["UserName"], "alice");
  EXPECT_EQ(used["AccessKeyLastUsed"]["ServiceName"], "route53");
  EXPECT_EQ(used["AccessKeyLastUsed"]["Region"], "us-east-1");
  EXPECT_TRUE(used["AccessKeyLastUsed"].contains("LastUsedDate"));

  // Another user's key or account's key is not found.
  ok("CreateUser", {{"UserName", "bob"}});
  EXPECT_EQ(err("DeleteAccessKey", {{"UserName", "bob"}, {"AccessKeyId", id}}), "NoSuchEntity");
  ctx_.account_id = kOther;
  EXPECT_EQ(err("GetAccessKeyLastUsed", {{"AccessKeyId", id}}), "NoSuchEntity");
  ctx_.account_id = kAccount;

  EXPECT_EQ(err("DeleteUser", {{"UserName", "alice"}}), "DeleteConflict");
  ok("DeleteAccessKey", {{"UserName", "alice"}, {"AccessKeyId", id}});
  ok("DeleteAccessKey", {{"UserName", "alice"}, {"AccessKeyId", id2}});
  EXPECT_EQ(err("DeleteAccessKey", {{"UserName", "alice"}, {"AccessKeyId", id}}), "NoSuchEntity");
  ok("DeleteUser", {{"UserName", "alice"}});
}

TEST_F(IamServiceTest, GroupsAndMembership) {
  json g = ok("CreateGroup", {{"GroupName", "admins"}})["Group"];
  EXPECT_EQ(g["GroupId"].get<std::string>().rfind("AGPA", 0), 0u);
  EXPECT_EQ(err("CreateGroup", {{"GroupName", "Admins"}}), "EntityAlreadyExists");
  ok("CreateUser", {{"UserName", "alice"}});
  ok("AddUserToGroup", {{"GroupName", "admins"}, {"UserName", "alice"}});
  EXPECT_EQ(err("AddUserToGroup", {{"GroupName", "admins"}, {"UserName", "nobody"}}), "NoSuchEntity");
  EXPECT_EQ(err("AddUserToGroup", {{"GroupName", "nogroup"}, {"UserName", "alice"}}), "NoSuchEntity");
  json got = ok("GetGroup", {{"GroupName", "admins"}});
  ASSERT_EQ(got["Users"].size(), 1u);
  EXPECT_EQ(got["Users"][0]["UserName"], "alice");
  EXPECT_EQ(ok("ListGroupsForUser", {{"UserName", "alice"}})["Groups"][0]["GroupName"], "admins");
  EXPECT_EQ(ok("ListGroups")["Groups"].size(), 1u);
  EXPECT_EQ(err("DeleteGroup", {{"GroupName", "admins"}}), "DeleteConflict");
  EXPECT_EQ(err("DeleteUser", {{"UserName", "alice"}}), "DeleteConflict");
  ok("RemoveUserFromGroup", {{"GroupName", "admins"}, {"UserName", "alice"}});
  EXPECT_EQ(err("RemoveUserFromGroup", {{"GroupName", "admins"}, {"UserName", "alice"}}), "NoSuchEntity");
  ok("DeleteGroup", {{"GroupName", "admins"}});
  EXPECT_EQ(err("GetGroup", {{"GroupName", "admins"}}), "NoSuchEntity");
}

TEST_F(IamServiceTest, RolesAndInstanceProfiles) {
  json r = ok("CreateRole", {{"RoleName", "web"},
                             {"AssumeRolePolicyDocument", kTrust},
                             {"Description", "web servers"},
                             {"MaxSessionDuration", 7200},
                             {"Tags", {{{"Key", "k"}, {"Value", "v"}}}}})["Role"];
  EXPECT_EQ(r["RoleId"].get<std::string>().rfind("AROA", 0), 0u);
  EXPECT_EQ(r["MaxSessionDuration"], 7200);
  EXPECT_EQ(r["AssumeRolePolicyDocument"], aws::uriEncode(kTrust));  // URL-encoded as IAM sends it
  EXPECT_EQ(err("CreateRole", {{"RoleName", "web"}, {"AssumeRolePolicyDocument", kTrust}}),
            "EntityAlreadyExists");
  int status = 0;
  EXPECT_EQ(
      err("CreateRole",
          {{"RoleName", "r2"}, {"AssumeRolePolicyDocument", kTrust}, {"MaxSessionDuration", 3599}}, &status),
      "ValidationError");
  EXPECT_EQ(status, 400);
  EXPECT_EQ(err("CreateRole",
                {{"RoleName", "r2"}, {"AssumeRolePolicyDocument", kTrust}, {"MaxSessionDuration", 43201}}),
            "ValidationError");
  EXPECT_EQ(err("CreateRole", {{"RoleName", "r2"}, {"AssumeRolePolicyDocument", "{not json"}}, &status),
            "MalformedPolicyDocument");
  EXPECT_EQ(status, 400);
  // A trust policy is a resource policy: it needs a Principal.
  EXPECT_EQ(err("CreateRole", {{"RoleName", "r2"}, {"AssumeRolePolicyDocument", kDoc}}),
            "MalformedPolicyDocument");

  EXPECT_EQ(ok("GetRole", {{"RoleName", "WEB"}})["Role"]["Description"], "web servers");
  EXPECT_EQ(ok("ListRoles")["Roles"].size(), 1u);
  ok("UpdateRole", {{"RoleName", "web"}, {"Description", "new"}, {"MaxSessionDuration", 43200}});
  EXPECT_EQ(ok("GetRole", {{"RoleName", "web"}})["Role"]["MaxSessionDuration"], 43200);
  EXPECT_EQ(err("UpdateRole", {{"RoleName", "web"}, {"MaxSessionDuration", 100}}), "ValidationError");
  const std::string trust2 =
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]})";
  ok("UpdateAssumeRolePolicy", {{"RoleName", "web"}, {"PolicyDocument", trust2}});
  EXPECT_EQ(ok("GetRole", {{"RoleName", "web"}})["Role"]["AssumeRolePolicyDocument"], aws::uriEncode(trust2));
  EXPECT_EQ(err("UpdateAssumeRolePolicy", {{"RoleName", "web"}, {"PolicyDocument", "[]"}}),
            "MalformedPolicyDocument");
  ok("TagRole", {{"RoleName", "web"}, {"Tags", {{{"Key", "a"}, {"Value", "b"}}}}});
  EXPECT_EQ(ok("ListRoleTags", {{"RoleName", "web"}})["Tags"].size(), 2u);
  ok("UntagRole", {{"RoleName", "web"}, {"TagKeys", {"a", "k"}}});
  EXPECT_EQ(ok("ListRoleTags", {{"RoleName", "web"}})["Tags"].size(), 0u);
  ok("PutRolePermissionsBoundary",
     {{"RoleName", "web"}, {"PermissionsBoundary", "arn:aws:iam::aws:policy/AdministratorAccess"}});
  EXPECT_TRUE(ok("GetRole", {{"RoleName", "web"}})["Role"].contains("PermissionsBoundary"));
  ok("DeleteRolePermissionsBoundary", {{"RoleName", "web"}});

  json ip = ok("CreateInstanceProfile", {{"InstanceProfileName", "web-ip"}})["InstanceProfile"];
  EXPECT_EQ(ip["InstanceProfileId"].get<std::string>().rfind("AIPA", 0), 0u);
  EXPECT_EQ(err("CreateInstanceProfile", {{"InstanceProfileName", "web-ip"}}), "EntityAlreadyExists");
  ok("AddRoleToInstanceProfile", {{"InstanceProfileName", "web-ip"}, {"RoleName", "web"}});
  ok("CreateRole", {{"RoleName", "other"}, {"AssumeRolePolicyDocument", kTrust}});
  EXPECT_EQ(
      err("AddRoleToInstanceProfile", {{"InstanceProfileName", "web-ip"}, {"RoleName", "other"}}, &status),
      "LimitExceeded");
  EXPECT_EQ(status, 409);
  EXPECT_EQ(err("AddRoleToInstanceProfile", {{"InstanceProfileName", "web-ip"}, {"RoleName", "nope"}}),
            "NoSuchEntity");
  json got = ok("GetInstanceProfile", {{"InstanceProfileName", "web-ip"}})["InstanceProfile"];
  ASSERT_EQ(got["Roles"].size(), 1u);
  EXPECT_EQ(got["Roles"][0]["RoleName"], "web");
  EXPECT_EQ(ok("ListInstanceProfiles")["InstanceProfiles"].size(), 1u);
  EXPECT_EQ(err("DeleteRole", {{"RoleName", "web"}}), "DeleteConflict");  // in an instance profile
  EXPECT_EQ(err("DeleteInstanceProfile", {{"InstanceProfileName", "web-ip"}}), "DeleteConflict");
  ok("RemoveRoleFromInstanceProfile", {{"InstanceProfileName", "web-ip"}, {"RoleName", "web"}});
  EXPECT_EQ(err("RemoveRoleFromInstanceProfile", {{"InstanceProfileName", "web-ip"}, {"RoleName", "web"}}),
            "NoSuchEntity");
  ok("DeleteInstanceProfile", {{"InstanceProfileName", "web-ip"}});
  EXPECT_EQ(err("GetInstanceProfile", {{"InstanceProfileName", "web-ip"}}), "NoSuchEntity");

  ok("AttachRolePolicy",
     {{"RoleName", "web"}, {"PolicyArn", "arn:aws:iam::aws:policy/AmazonRoute53FullAccess"}});
  EXPECT_EQ(err("DeleteRole", {{"RoleName", "web"}}), "DeleteConflict");  // policies attached
  ok("DetachRolePolicy",
     {{"RoleName", "web"}, {"PolicyArn", "arn:aws:iam::aws:policy/AmazonRoute53FullAccess"}});
  ok("PutRolePolicy", {{"RoleName", "web"}, {"PolicyName", "p"}, {"PolicyDocument", kDoc}});
  EXPECT_EQ(err("DeleteRole", {{"RoleName", "web"}}), "DeleteConflict");
  ok("DeleteRolePolicy", {{"RoleName", "web"}, {"PolicyName", "p"}});
  ok("DeleteRole", {{"RoleName", "web"}});
  EXPECT_EQ(err("GetRole", {{"RoleName", "web"}}), "NoSuchEntity");
}

TEST_F(IamServiceTest, InlinePolicies) {
  ok("CreateUser", {{"UserName", "alice"}});
  ok("CreateGroup", {{"GroupName", "g"}});
  ok("CreateRole", {{"RoleName", "r"}, {"AssumeRolePolicyDocument", kTrust}});
  struct Kind {
    const char* put;
    const char* get;
    const char* list;
    const char* del;
    const char* member;
    const char* name;
  };
  const Kind kinds[] = {
      {"PutUserPolicy", "GetUserPolicy", "ListUserPolicies", "DeleteUserPolicy", "UserName", "alice"},
      {"PutGroupPolicy", "GetGroupPolicy", "ListGroupPolicies", "DeleteGroupPolicy", "GroupName", "g"},
      {"PutRolePolicy", "GetRolePolicy", "ListRolePolicies", "DeleteRolePolicy", "RoleName", "r"}};
  for (const Kind& k : kinds) {
    SCOPED_TRACE(k.put);
    ok(k.put, {{k.member, k.name}, {"PolicyName", "dns"}, {"PolicyDocument", kDoc}});
    ok(k.put, {{k.member, k.name}, {"PolicyName", "DNS"}, {"PolicyDocument", kDoc}});  // replaces
    EXPECT_EQ(err(k.put, {{k.member, k.name}, {"PolicyName", "x"}, {"PolicyDocument", "{}"}}),
              "MalformedPolicyDocument");
    EXPECT_EQ(err(k.put, {{k.member, "nobody"}, {"PolicyName", "x"}, {"PolicyDocument", kDoc}}),
              "NoSuchEntity");
    json got = ok(k.get, {{k.member, k.name}, {"PolicyName", "dns"}});
    EXPECT_EQ(got["PolicyDocument"], aws::uriEncode(kDoc));
    EXPECT_EQ(got[k.member], k.name);
    EXPECT_EQ(ok(k.list, {{k.member, k.name}})["PolicyNames"], json::array({"dns"}));
    EXPECT_EQ(err(k.get, {{k.member, k.name}, {"PolicyName", "other"}}), "NoSuchEntity");
    ok(k.del, {{k.member, k.name}, {"PolicyName", "dns"}});
    EXPECT_EQ(err(k.del, {{k.member, k.name}, {"PolicyName", "dns"}}), "NoSuchEntity");
  }
  // An identity policy must not name a principal.
  EXPECT_EQ(err("PutUserPolicy", {{"UserName", "alice"}, {"PolicyName", "x"}, {"PolicyDocument", kTrust}}),
            "MalformedPolicyDocument");
}

TEST_F(IamServiceTest, ManagedPoliciesVersionsAndAttachments) {
  json p =
      ok("CreatePolicy", {{"PolicyName", "dns"}, {"PolicyDocument", kDoc}, {"Description", "d"}})["Policy"];
  const std::string arn = p["Arn"];
  EXPECT_EQ(arn, std::string("arn:aws:iam::") + kAccount + ":policy/dns");
  EXPECT_EQ(p["DefaultVersionId"], "v1");
  EXPECT_EQ(p["AttachmentCount"], 0);
  EXPECT_EQ(p["PolicyId"].get<std::string>().rfind("ANPA", 0), 0u);
  EXPECT_EQ(err("CreatePolicy", {{"PolicyName", "DNS"}, {"PolicyDocument", kDoc}}), "EntityAlreadyExists");
  EXPECT_EQ(err("CreatePolicy", {{"PolicyName", "bad"}, {"PolicyDocument", R"({"Statement":[]})"}}),
            "MalformedPolicyDocument");
  EXPECT_EQ(ok("GetPolicy", {{"PolicyArn", arn}})["Policy"]["Description"], "d");
  EXPECT_EQ(err("GetPolicy", {{"PolicyArn", std::string("arn:aws:iam::") + kAccount + ":policy/none"}}),
            "NoSuchEntity");
  // Another account's policy does not exist for this one.
  ctx_.account_id = kOther;
  EXPECT_EQ(err("GetPolicy", {{"PolicyArn", arn}}), "NoSuchEntity");
  ctx_.account_id = kAccount;

  // ListPolicies: AWS managed ones and the account's.
  const size_t aws_count = awsManagedPolicies().size();
  EXPECT_EQ(ok("ListPolicies")["Policies"].size(), aws_count + 1);
  EXPECT_EQ(ok("ListPolicies", {{"Scope", "Local"}})["Policies"].size(), 1u);
  EXPECT_EQ(ok("ListPolicies", {{"Scope", "AWS"}})["Policies"].size(), aws_count);
  EXPECT_EQ(ok("ListPolicies", {{"OnlyAttached", true}})["Policies"].size(), 0u);

  // Versions: at most 5.
  for (int i = 2; i <= 5; ++i) {
    json v = ok("CreatePolicyVersion",
                {{"PolicyArn", arn}, {"PolicyDocument", kDoc}, {"SetAsDefault", i == 3}})["PolicyVersion"];
    EXPECT_EQ(v["VersionId"], "v" + std::to_string(i));
  }
  int status = 0;
  EXPECT_EQ(err("CreatePolicyVersion", {{"PolicyArn", arn}, {"PolicyDocument", kDoc}}, &status),
            "LimitExceeded");
  EXPECT_EQ(status, 409);
  EXPECT_EQ(ok("GetPolicy", {{"PolicyArn", arn}})["Policy"]["DefaultVersionId"], "v3");
  json versions = ok("ListPolicyVersions", {{"PolicyArn", arn}})["Versions"];
  EXPECT_EQ(versions.size(), 5u);
  json v3 = ok("GetPolicyVersion", {{"PolicyArn", arn}, {"VersionId", "v3"}})["PolicyVersion"];
  EXPECT_TRUE(v3["IsDefaultVersion"].get<bool>());
  EXPECT_EQ(v3["Document"], aws::uriEncode(kDoc));
  EXPECT_EQ(err("GetPolicyVersion", {{"PolicyArn", arn}, {"VersionId", "v9"}}), "NoSuchEntity");
  EXPECT_EQ(err("DeletePolicyVersion", {{"PolicyArn", arn}, {"VersionId", "v3"}}, &status), "DeleteConflict");
  EXPECT_EQ(status, 409);
  ok("SetDefaultPolicyVersion", {{"PolicyArn", arn}, {"VersionId", "v5"}});
  EXPECT_EQ(err("SetDefaultPolicyVersion", {{"PolicyArn", arn}, {"VersionId", "v7"}}), "NoSuchEntity");
  ok("DeletePolicyVersion", {{"PolicyArn", arn}, {"VersionId", "v3"}});
  EXPECT_EQ(
      ok("CreatePolicyVersion", {{"PolicyArn", arn}, {"PolicyDocument", kDoc}})["PolicyVersion"]["VersionId"],
      "v6");

  // Attachments to users, groups and roles; AWS managed policies too.
  ok("CreateUser", {{"UserName", "alice"}});
  ok("CreateGroup", {{"GroupName", "g"}});
  ok("CreateRole", {{"RoleName", "r"}, {"AssumeRolePolicyDocument", kTrust}});
  ok("AttachUserPolicy", {{"UserName", "alice"}, {"PolicyArn", arn}});
  ok("AttachUserPolicy", {{"UserName", "alice"}, {"PolicyArn", arn}});  // twice is fine
  ok("AttachGroupPolicy", {{"GroupName", "g"}, {"PolicyArn", arn}});
  ok("AttachRolePolicy", {{"RoleName", "r"}, {"PolicyArn", arn}});
  ok("AttachUserPolicy",
     {{"UserName", "alice"}, {"PolicyArn", "arn:aws:iam::aws:policy/AdministratorAccess"}});
  EXPECT_EQ(
      err("AttachUserPolicy", {{"UserName", "alice"}, {"PolicyArn", "arn:aws:iam::aws:policy/NoSuchPolicy"}}),
      "NoSuchEntity");
  EXPECT_EQ(err("AttachUserPolicy", {{"UserName", "nobody"}, {"PolicyArn", arn}}), "NoSuchEntity");
  json attached = ok("ListAttachedUserPolicies", {{"UserName", "alice"}})["AttachedPolicies"];
  ASSERT_EQ(attached.size(), 2u);
  EXPECT_EQ(ok("ListAttachedGroupPolicies", {{"GroupName", "g"}})["AttachedPolicies"][0]["PolicyName"],
            "dns");
  EXPECT_EQ(ok("ListAttachedRolePolicies", {{"RoleName", "r"}})["AttachedPolicies"][0]["PolicyArn"], arn);
  EXPECT_EQ(ok("GetPolicy", {{"PolicyArn", arn}})["Policy"]["AttachmentCount"], 3);
  json entities = ok("ListEntitiesForPolicy", {{"PolicyArn", arn}});
  EXPECT_EQ(entities["PolicyUsers"][0]["UserName"], "alice");
  EXPECT_EQ(entities["PolicyGroups"][0]["GroupName"], "g");
  EXPECT_EQ(entities["PolicyRoles"][0]["RoleName"], "r");
  EXPECT_EQ(ok("ListEntitiesForPolicy", {{"PolicyArn", arn}, {"EntityFilter", "Role"}})["PolicyUsers"].size(),
            0u);
  EXPECT_EQ(ok("ListPolicies", {{"OnlyAttached", true}})["Policies"].size(), 2u);
  EXPECT_EQ(err("DeletePolicy", {{"PolicyArn", arn}}), "DeleteConflict");  // attached

  // Limit of managed policies per entity.
  for (int i = 0; i < 8; ++i) {
    json q =
        ok("CreatePolicy", {{"PolicyName", "p" + std::to_string(i)}, {"PolicyDocument", kDoc}})["Policy"];
    ok("AttachUserPolicy", {{"UserName", "alice"}, {"PolicyArn", q["Arn"]}});
  }
  EXPECT_EQ(err("AttachUserPolicy",
                {{"UserName", "alice"}, {"PolicyArn", "arn:aws:iam::aws:policy/IAMFullAccess"}}),
            "LimitExceeded");

  ok("DetachUserPolicy", {{"UserName", "alice"}, {"PolicyArn", arn}});
  EXPECT_EQ(err("DetachUserPolicy", {{"UserName", "alice"}, {"PolicyArn", arn}}), "NoSuchEntity");
  ok("DetachGroupPolicy", {{"GroupName", "g"}, {"PolicyArn", arn}});
  ok("DetachRolePolicy", {{"RoleName", "r"}, {"PolicyArn", arn}});
  EXPECT_EQ(err("DeletePolicy", {{"PolicyArn", arn}}), "DeleteConflict");  // versions besides the default
  for (const char* v : {"v1", "v2", "v4", "v6"})
    ok("DeletePolicyVersion", {{"PolicyArn", arn}, {"VersionId", v}});
  ok("DeletePolicy", {{"PolicyArn", arn}});
  EXPECT_EQ(err("GetPolicy", {{"PolicyArn", arn}}), "NoSuchEntity");

  // AWS managed policies are read-only and have their real documents.
  json admin = ok("GetPolicyVersion",
                  {{"PolicyArn", "arn:aws:iam::aws:policy/AdministratorAccess"}, {"VersionId", "v1"}});
  EXPECT_NE(admin["PolicyVersion"]["Document"].get<std::string>().find("%22Action%22%3A%22%2A%22"),
            std::string::npos);
  EXPECT_EQ(err("DeletePolicy", {{"PolicyArn", "arn:aws:iam::aws:policy/AdministratorAccess"}}),
            "InvalidInput");
}

TEST_F(IamServiceTest, OpenIdConnectProviders) {
  const std::string thumb(40, 'a');
  json c = ok("CreateOpenIDConnectProvider", {{"Url", "https://oidc.example.test:8443/cluster"},
                                              {"ClientIDList", {"sts.amazonaws.com"}},
                                              {"ThumbprintList", {thumb}}});
  const std::string arn = c["OpenIDConnectProviderArn"];
  EXPECT_EQ(arn, std::string("arn:aws:iam::") + kAccount + ":oidc-provider/oidc.example.test:8443/cluster");
  EXPECT_EQ(err("CreateOpenIDConnectProvider", {{"Url", "https://oidc.example.test:8443/cluster"}}),
            "EntityAlreadyExists");
  EXPECT_EQ(err("CreateOpenIDConnectProvider", {{"Url", "http://plain.example.test"}}), "InvalidInput");
  ok("CreateOpenIDConnectProvider", {{"Url", "https://second.example.test"}});  // no thumbprints: optional
  json got = ok("GetOpenIDConnectProvider", {{"OpenIDConnectProviderArn", arn}});
  EXPECT_EQ(got["Url"], "oidc.example.test:8443/cluster");
  EXPECT_EQ(got["ClientIDList"], json::array({"sts.amazonaws.com"}));
  EXPECT_EQ(got["ThumbprintList"], json::array({thumb}));
  EXPECT_EQ(ok("ListOpenIDConnectProviders")["OpenIDConnectProviderList"].size(), 2u);
  ok("AddClientIDToOpenIDConnectProvider", {{"OpenIDConnectProviderArn", arn}, {"ClientID", "kube"}});
  EXPECT_EQ(ok("GetOpenIDConnectProvider", {{"OpenIDConnectProviderArn", arn}})["ClientIDList"].size(), 2u);
  ok("RemoveClientIDFromOpenIDConnectProvider",
     {{"OpenIDConnectProviderArn", arn}, {"ClientID", "sts.amazonaws.com"}});
  EXPECT_EQ(ok("GetOpenIDConnectProvider", {{"OpenIDConnectProviderArn", arn}})["ClientIDList"],
            json::array({"kube"}));
  const std::string thumb2(40, 'b');
  ok("UpdateOpenIDConnectProviderThumbprint",
     {{"OpenIDConnectProviderArn", arn}, {"ThumbprintList", {thumb2}}});
  EXPECT_EQ(ok("GetOpenIDConnectProvider", {{"OpenIDConnectProviderArn", arn}})["ThumbprintList"],
            json::array({thumb2}));
  ctx_.account_id = kOther;
  EXPECT_EQ(err("GetOpenIDConnectProvider", {{"OpenIDConnectProviderArn", arn}}), "NoSuchEntity");
  ctx_.account_id = kAccount;
  ok("DeleteOpenIDConnectProvider", {{"OpenIDConnectProviderArn", arn}});
  EXPECT_EQ(err("GetOpenIDConnectProvider", {{"OpenIDConnectProviderArn", arn}}), "NoSuchEntity");
  EXPECT_EQ(err("DeleteOpenIDConnectProvider", {{"OpenIDConnectProviderArn", arn}}), "NoSuchEntity");
}

TEST_F(IamServiceTest, AccountSummaryAliasesAndUnsupported) {
  ok("CreateUser", {{"UserName", "a"}});
  ok("CreateGroup", {{"GroupName", "g"}});
  ok("CreateRole", {{"RoleName", "r"}, {"AssumeRolePolicyDocument", kTrust}});
  ok("CreatePolicy", {{"PolicyName", "p"}, {"PolicyDocument", kDoc}});
  json m = ok("GetAccountSummary")["SummaryMap"];
  EXPECT_EQ(m["Users"], 1);
  EXPECT_EQ(m["Groups"], 1);
  EXPECT_EQ(m["Roles"], 1);
  EXPECT_EQ(m["Policies"], 1);
  EXPECT_EQ(m["AccessKeysPerUserQuota"], 2);
  EXPECT_EQ(m["VersionsPerPolicyQuota"], 5);
  EXPECT_EQ(ok("ListAccountAliases")["AccountAliases"].size(), 0u);
  // The simulator comes with the policy engine.
  EXPECT_EQ(err("SimulatePrincipalPolicy", {{"PolicySourceArn", "x"}, {"ActionNames", {"s3:GetObject"}}}),
            "InvalidAction");
  // A caller that must not wait gets the call handed back.
  ctx_.may_block = false;
  EXPECT_TRUE(call("ListUsers").needsBlockingThread());
}

TEST_F(IamServiceTest, DirectoryCollectsPolicies) {
  ok("CreateUser", {{"UserName", "alice"}});
  ok("CreateGroup", {{"GroupName", "g"}});
  ok("AddUserToGroup", {{"GroupName", "g"}, {"UserName", "alice"}});
  ok("PutUserPolicy", {{"UserName", "alice"}, {"PolicyName", "mine"}, {"PolicyDocument", kDoc}});
  ok("PutGroupPolicy", {{"GroupName", "g"}, {"PolicyName", "grp"}, {"PolicyDocument", kDoc}});
  ok("AttachGroupPolicy",
     {{"GroupName", "g"}, {"PolicyArn", "arn:aws:iam::aws:policy/AmazonRoute53ReadOnlyAccess"}});
  json p = ok("CreatePolicy", {{"PolicyName", "cust"}, {"PolicyDocument", kDoc}})["Policy"];
  ok("AttachUserPolicy", {{"UserName", "alice"}, {"PolicyArn", p["Arn"]}});
  ok("PutUserPermissionsBoundary",
     {{"UserName", "alice"}, {"PermissionsBoundary", "arn:aws:iam::aws:policy/AmazonRoute53FullAccess"}});

  Directory dir(*iam_, clock_, std::chrono::seconds(1));
  auto pol = dir.policiesForUser(kAccount, "alice");
  ASSERT_TRUE(pol.ok()) << pol.status().toString();
  std::vector<std::string> ids;
  for (const PolicyText& t : pol->identity) ids.push_back(t.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"user/alice/mine", p["Arn"].get<std::string>(), "group/g/grp",
                                           "arn:aws:iam::aws:policy/AmazonRoute53ReadOnlyAccess"}));
  ASSERT_TRUE(pol->boundary.has_value());
  ASSERT_EQ(pol->boundary->size(), 1u);
  EXPECT_NE((*pol->boundary)[0].document.find("route53:*"), std::string::npos);

  // Cached for the TTL, then read again.
  ok("DeleteUserPolicy", {{"UserName", "alice"}, {"PolicyName", "mine"}});
  EXPECT_EQ(dir.policiesForUser(kAccount, "alice")->identity.size(), 4u);
  clock_.advance(std::chrono::seconds(2));
  EXPECT_EQ(dir.policiesForUser(kAccount, "alice")->identity.size(), 3u);

  ok("CreateRole", {{"RoleName", "r"}, {"AssumeRolePolicyDocument", kTrust}});
  auto rp = dir.policiesForRole(kAccount, "r");
  ASSERT_TRUE(rp.ok());
  EXPECT_TRUE(rp->identity.empty());
  EXPECT_FALSE(rp->boundary.has_value());
  EXPECT_EQ(dir.role(kAccount, "R")->name, "r");
  EXPECT_EQ(dir.user(kAccount, "nobody").status().code(), Code::kNotFound);
  EXPECT_EQ(*dir.managedPolicyDocument("arn:aws:iam::aws:policy/AdministratorAccess"),
            *awsManagedPolicyDocument("arn:aws:iam::aws:policy/AdministratorAccess"));
  EXPECT_EQ(dir.managedPolicyDocument("arn:aws:iam::aws:policy/Nope").status().code(), Code::kNotFound);
  for (const ManagedPolicy& m : awsManagedPolicies())
    EXPECT_TRUE(validatePolicyDocument(*awsManagedPolicyDocument(m.arn), false).isOk()) << m.name;
}

TEST_F(IamServiceTest, AccountWithAdmin) {
  auto k = createAccountWithAdmin(*iam_, *box_, seeded(3), "new", clock_.now());
  ASSERT_TRUE(k.ok()) << k.status().toString();
  EXPECT_EQ(k->account_id.size(), 12u);
  EXPECT_NE(k->account_id[0], '0');
  EXPECT_EQ(k->principal_arn, "arn:aws:iam::" + k->account_id + ":user/admin");
  auto attached = iam_->listAttachedPolicies(k->account_id, PrincipalKind::kUser, "admin");
  ASSERT_TRUE(attached.ok());
  ASSERT_EQ(attached->size(), 1u);
  EXPECT_EQ((*attached)[0].policy_arn, kAdministratorAccessArn);
  KeyResolver resolver(*iam_, *box_, clock_);
  auto c = resolver.lookup(k->access_key_id);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->account_id, k->account_id);
  // The same seed again: the id is taken, a new one is drawn.
  auto k2 = createAccountWithAdmin(*iam_, *box_, seeded(3), "again", clock_.now());
  ASSERT_TRUE(k2.ok()) << k2.status().toString();
  EXPECT_NE(k2->account_id, k->account_id);
}

}  // namespace
}  // namespace zk::iam
