// IamSqliteStore: the IAM store (services/iam/store.h) over the shared zonekeeper database.
#pragma once

// A view over a SqliteStore: it shares its writer connection and group committer (so an IAM write
// and a zone write landing together share one fsync) and its pool of read connections. Cheap to
// construct; the SqliteStore must outlive it. Tables: migration 5 (iam_* and the access_keys table
// SigV4 already used). Thread-safe; writes are durable when they return, except
// recordAccessKeyUse, which is queued to the committer and not waited for (last-use times are a
// hint: one lost on a crash is harmless, and the request path must not wait for a disk).

#include <string>
#include <string_view>
#include <vector>

#include "services/iam/store.h"
#include "storage/sqlite/sqlite_store.h"

namespace zk::storage {

class IamSqliteStore final : public iam::IamStore {
 public:
  explicit IamSqliteStore(SqliteStore& db) : db_(db) {}

  // ---- accounts
  Status createAccount(const iam::Account& a) override;
  Result<iam::Account> getAccount(std::string_view account_id) override;
  Result<std::vector<iam::Account>> listAccounts() override;

  // ---- users
  Status createUser(const iam::User& u) override;
  Result<iam::User> getUser(std::string_view account_id, std::string_view name) override;
  Result<std::vector<iam::User>> listUsers(std::string_view account_id) override;
  Status updateUser(const iam::User& u) override;
  Status deleteUser(std::string_view account_id, std::string_view name) override;

  // ---- access keys
  Status createAccessKey(const iam::AccessKey& k, int max_per_user) override;
  Result<iam::AccessKey> getAccessKey(std::string_view access_key_id) override;
  Result<std::vector<iam::AccessKey>> listAccessKeys(std::string_view account_id,
                                                     std::string_view user_name) override;
  Status setAccessKeyStatus(std::string_view access_key_id, iam::KeyStatus status) override;
  Status recordAccessKeyUse(std::string_view access_key_id, iam::Time when, std::string_view service,
                            std::string_view region) override;
  Status deleteAccessKey(std::string_view access_key_id) override;

  // ---- groups
  Status createGroup(const iam::Group& g) override;
  Result<iam::Group> getGroup(std::string_view account_id, std::string_view name) override;
  Result<std::vector<iam::Group>> listGroups(std::string_view account_id) override;
  Status deleteGroup(std::string_view account_id, std::string_view name) override;
  Status addUserToGroup(std::string_view account_id, std::string_view group, std::string_view user) override;
  Status removeUserFromGroup(std::string_view account_id, std::string_view group,
                             std::string_view user) override;
  Result<std::vector<iam::Group>> listGroupsForUser(std::string_view account_id,
                                                    std::string_view user) override;
  Result<std::vector<iam::User>> listUsersInGroup(std::string_view account_id,
                                                  std::string_view group) override;

  // ---- roles
  Status createRole(const iam::Role& r) override;
  Result<iam::Role> getRole(std::string_view account_id, std::string_view name) override;
  Result<std::vector<iam::Role>> listRoles(std::string_view account_id) override;
  Status updateRole(const iam::Role& r) override;
  Status deleteRole(std::string_view account_id, std::string_view name) override;

  // ---- inline policies
  Status putInlinePolicy(const iam::InlinePolicy& p) override;
  Result<iam::InlinePolicy> getInlinePolicy(std::string_view account_id, iam::PrincipalKind kind,
                                            std::string_view principal,
                                            std::string_view policy_name) override;
  Result<std::vector<iam::InlinePolicy>> listInlinePolicies(std::string_view account_id,
                                                            iam::PrincipalKind kind,
                                                            std::string_view principal) override;
  Status deleteInlinePolicy(std::string_view account_id, iam::PrincipalKind kind, std::string_view principal,
                            std::string_view policy_name) override;

  // ---- managed policies
  Status createPolicy(const iam::ManagedPolicy& p, const iam::PolicyVersion& v1) override;
  Result<iam::ManagedPolicy> getPolicy(std::string_view policy_arn) override;
  Result<std::vector<iam::ManagedPolicy>> listPolicies(std::string_view account_id) override;
  Status deletePolicy(std::string_view policy_arn) override;
  Status createPolicyVersion(std::string_view policy_arn, const iam::PolicyVersion& v,
                             int max_versions) override;
  Result<iam::PolicyVersion> getPolicyVersion(std::string_view policy_arn,
                                              std::string_view version_id) override;
  Result<std::vector<iam::PolicyVersion>> listPolicyVersions(std::string_view policy_arn) override;
  Status setDefaultPolicyVersion(std::string_view policy_arn, std::string_view version_id) override;
  Status deletePolicyVersion(std::string_view policy_arn, std::string_view version_id) override;

  // ---- attachments
  Status attachPolicy(const iam::Attachment& a) override;
  Status detachPolicy(const iam::Attachment& a) override;
  Result<std::vector<iam::Attachment>> listAttachedPolicies(std::string_view account_id,
                                                            iam::PrincipalKind kind,
                                                            std::string_view principal) override;
  Result<std::vector<iam::Attachment>> listEntitiesForPolicy(std::string_view account_id,
                                                             std::string_view policy_arn) override;

  // ---- instance profiles
  Status createInstanceProfile(const iam::InstanceProfile& p) override;
  Result<iam::InstanceProfile> getInstanceProfile(std::string_view account_id,
                                                  std::string_view name) override;
  Result<std::vector<iam::InstanceProfile>> listInstanceProfiles(std::string_view account_id) override;
  Status setInstanceProfileRoles(std::string_view account_id, std::string_view name,
                                 std::vector<std::string> role_names) override;
  Status deleteInstanceProfile(std::string_view account_id, std::string_view name) override;

  // ---- OIDC providers
  Status createOidcProvider(const iam::OidcProvider& p) override;
  Result<iam::OidcProvider> getOidcProvider(std::string_view arn) override;
  Result<std::vector<iam::OidcProvider>> listOidcProviders(std::string_view account_id) override;
  Status updateOidcProvider(const iam::OidcProvider& p) override;
  Status deleteOidcProvider(std::string_view arn) override;

 private:
  SqliteStore& db_;
};

}  // namespace zk::storage
