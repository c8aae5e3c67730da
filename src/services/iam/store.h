// IamStore: the IAM entities of every account (users, keys, groups, roles, policies, OIDC providers).
#pragma once

// Owned by the IAM service (services/iam); implemented by storage/sqlite (IamSqliteStore) over the
// shared database. Header-only; depends on base only. Implementations are thread-safe; a write returns
// once it is durable. Names are unique per account and kind, compared case-insensitively as IAM does
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-names);
// the stored spelling is the one given at creation.
//
// The store never sees a plaintext secret: access key secrets arrive sealed (crypto/secret_box.h).
// Policy documents are stored as the JSON text given (validated by the service before).
//
// Errors: kNotFound (NoSuchEntity), kAlreadyExists (EntityAlreadyExists), kFailedPrecondition
// (DeleteConflict: e.g. a user that still has keys, policies or group memberships), kResourceExhausted
// (LimitExceeded, where the store enforces a count atomically: the 2 keys per user, 5 policy versions).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace zk::iam {

using Time = std::chrono::system_clock::time_point;
using Tags = std::vector<std::pair<std::string, std::string>>;

struct Account {
  std::string id;  // 12 digits
  std::string name;
  Time created_at{};
};

struct User {
  std::string account_id;
  std::string name;
  std::string path = "/";
  std::string id;                    // "AIDA" + 17 of A-Z2-7
  std::string arn;                   // arn:aws:iam::ACCOUNT:user{path}{name}
  std::string permissions_boundary;  // policy ARN; empty = none
  Tags tags;
  Time created_at{};
};

enum class KeyStatus { kActive, kInactive };

struct AccessKey {
  std::string access_key_id;              // "AKIA" + 16 of A-Z2-7
  std::vector<uint8_t> encrypted_secret;  // sealed; opaque to the store; never logged
  std::string account_id;
  std::string user_name;      // the owning user ("" for none)
  std::string principal_arn;  // the user's ARN (the account root: arn:aws:iam::ACCOUNT:root)
  KeyStatus status = KeyStatus::kActive;
  Time created_at{};
  std::optional<Time> last_used;  // GetAccessKeyLastUsed
  std::string last_used_service, last_used_region;
};

struct Group {
  std::string account_id, name, path = "/", id /* "AGPA..." */, arn;
  Time created_at{};
};

struct Role {
  std::string account_id, name, path = "/", id /* "AROA..." */, arn;
  std::string trust_policy;  // AssumeRolePolicyDocument (JSON text)
  std::string description;
  int64_t max_session_duration = 3600;  // seconds, 3600..43200
  std::string permissions_boundary;     // policy ARN; empty = none
  Tags tags;
  Time created_at{};
};

enum class PrincipalKind { kUser, kGroup, kRole };

struct InlinePolicy {
  std::string account_id;
  PrincipalKind kind = PrincipalKind::kUser;
  std::string principal_name;  // user, group or role name
  std::string policy_name;
  std::string document;
};

struct PolicyVersion {
  std::string version_id;  // "v1", "v2", ...
  std::string document;
  bool is_default = false;
  Time created_at{};
};

// A customer managed policy (AWS managed ones are built into the service, not stored).
struct ManagedPolicy {
  std::string account_id, name, path = "/", id /* "ANPA..." */, arn, description;
  std::string default_version_id = "v1";
  int64_t next_version = 2;  // the number of the next version id
  Tags tags;
  Time created_at{}, updated_at{};
};

struct Attachment {  // a managed policy (customer or AWS) attached to a user, group or role
  std::string account_id;
  PrincipalKind kind = PrincipalKind::kUser;
  std::string principal_name;
  std::string policy_arn;
};

struct InstanceProfile {
  std::string account_id, name, path = "/", id /* "AIPA..." */, arn;
  std::vector<std::string> role_names;  // at most one
  Time created_at{};
};

struct OidcProvider {
  std::string account_id;
  std::string url;  // as registered, without "https://" (e.g. "oidc.example.test:8443/cluster")
  std::string arn;  // arn:aws:iam::ACCOUNT:oidc-provider/{url}
  std::vector<std::string> client_ids, thumbprints;
  Tags tags;
  Time created_at{};
};

class IamStore {
 public:
  virtual ~IamStore() = default;

  // ---- accounts
  virtual Status createAccount(const Account& a) = 0;
  virtual Result<Account> getAccount(std::string_view account_id) = 0;
  virtual Result<std::vector<Account>> listAccounts() = 0;

  // ---- users
  virtual Status createUser(const User& u) = 0;
  virtual Result<User> getUser(std::string_view account_id, std::string_view name) = 0;
  virtual Result<std::vector<User>> listUsers(std::string_view account_id) = 0;
  virtual Status updateUser(const User& u) = 0;  // by (account, id): name, path, boundary, tags
  // kFailedPrecondition while the user has keys, inline or attached policies or group memberships.
  virtual Status deleteUser(std::string_view account_id, std::string_view name) = 0;

  // ---- access keys
  // kResourceExhausted when the user already has `max_per_user` keys.
  virtual Status createAccessKey(const AccessKey& k, int max_per_user) = 0;
  virtual Result<AccessKey> getAccessKey(std::string_view access_key_id) = 0;
  virtual Result<std::vector<AccessKey>> listAccessKeys(std::string_view account_id,
                                                        std::string_view user_name) = 0;
  virtual Status setAccessKeyStatus(std::string_view access_key_id, KeyStatus status) = 0;
  virtual Status recordAccessKeyUse(std::string_view access_key_id, Time when, std::string_view service,
                                    std::string_view region) = 0;
  virtual Status deleteAccessKey(std::string_view access_key_id) = 0;

  // ---- groups and membership
  virtual Status createGroup(const Group& g) = 0;
  virtual Result<Group> getGroup(std::string_view account_id, std::string_view name) = 0;
  virtual Result<std::vector<Group>> listGroups(std::string_view account_id) = 0;
  virtual Status deleteGroup(std::string_view account_id, std::string_view name) = 0;
  virtual Status addUserToGroup(std::string_view account_id, std::string_view group,
                                std::string_view user) = 0;
  virtual Status removeUserFromGroup(std::string_view account_id, std::string_view group,
                                     std::string_view user) = 0;
  virtual Result<std::vector<Group>> listGroupsForUser(std::string_view account_id,
                                                       std::string_view user) = 0;
  virtual Result<std::vector<User>> listUsersInGroup(std::string_view account_id, std::string_view group) = 0;

  // ---- roles
  virtual Status createRole(const Role& r) = 0;
  virtual Result<Role> getRole(std::string_view account_id, std::string_view name) = 0;
  virtual Result<std::vector<Role>> listRoles(std::string_view account_id) = 0;
  virtual Status updateRole(
      const Role& r) = 0;  // by (account, name): trust, description, duration, boundary, tags
  virtual Status deleteRole(std::string_view account_id, std::string_view name) = 0;

  // ---- inline policies (Put replaces)
  virtual Status putInlinePolicy(const InlinePolicy& p) = 0;
  virtual Result<InlinePolicy> getInlinePolicy(std::string_view account_id, PrincipalKind kind,
                                               std::string_view principal, std::string_view policy_name) = 0;
  virtual Result<std::vector<InlinePolicy>> listInlinePolicies(std::string_view account_id,
                                                               PrincipalKind kind,
                                                               std::string_view principal) = 0;
  virtual Status deleteInlinePolicy(std::string_view account_id, PrincipalKind kind,
                                    std::string_view principal, std::string_view policy_name) = 0;

  // ---- customer managed policies and versions
  virtual Status createPolicy(const ManagedPolicy& p, const PolicyVersion& v1) = 0;
  virtual Result<ManagedPolicy> getPolicy(std::string_view policy_arn) = 0;
  virtual Result<std::vector<ManagedPolicy>> listPolicies(std::string_view account_id) = 0;
  virtual Status deletePolicy(std::string_view policy_arn) = 0;  // kFailedPrecondition while attached
  // kResourceExhausted at `max_versions`. Sets the default when v.is_default.
  virtual Status createPolicyVersion(std::string_view policy_arn, const PolicyVersion& v,
                                     int max_versions) = 0;
  virtual Result<PolicyVersion> getPolicyVersion(std::string_view policy_arn,
                                                 std::string_view version_id) = 0;
  virtual Result<std::vector<PolicyVersion>> listPolicyVersions(std::string_view policy_arn) = 0;
  virtual Status setDefaultPolicyVersion(std::string_view policy_arn, std::string_view version_id) = 0;
  virtual Status deletePolicyVersion(std::string_view policy_arn, std::string_view version_id) = 0;

  // ---- attachments (customer or AWS managed policy ARNs)
  virtual Status attachPolicy(const Attachment& a) = 0;
  virtual Status detachPolicy(const Attachment& a) = 0;
  virtual Result<std::vector<Attachment>> listAttachedPolicies(std::string_view account_id,
                                                               PrincipalKind kind,
                                                               std::string_view principal) = 0;
  virtual Result<std::vector<Attachment>> listEntitiesForPolicy(std::string_view account_id,
                                                                std::string_view policy_arn) = 0;

  // ---- instance profiles
  virtual Status createInstanceProfile(const InstanceProfile& p) = 0;
  virtual Result<InstanceProfile> getInstanceProfile(std::string_view account_id, std::string_view name) = 0;
  virtual Result<std::vector<InstanceProfile>> listInstanceProfiles(std::string_view account_id) = 0;
  virtual Status setInstanceProfileRoles(std::string_view account_id, std::string_view name,
                                         std::vector<std::string> role_names) = 0;
  virtual Status deleteInstanceProfile(std::string_view account_id, std::string_view name) = 0;

  // ---- OIDC providers (by ARN)
  virtual Status createOidcProvider(const OidcProvider& p) = 0;
  virtual Result<OidcProvider> getOidcProvider(std::string_view arn) = 0;
  virtual Result<std::vector<OidcProvider>> listOidcProviders(std::string_view account_id) = 0;
  virtual Status updateOidcProvider(const OidcProvider& p) = 0;  // client ids, thumbprints, tags
  virtual Status deleteOidcProvider(std::string_view arn) = 0;
};

}  // namespace zk::iam
