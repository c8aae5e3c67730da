// Directory: what the authorization code reads about principals (their policies, roles, OIDC providers).
#pragma once

// Reads through the store; results of policiesFor* are cached for `ttl` on the injected clock (a change
// made through IAM is seen by authorization within `ttl`). Thread-safe.
//
// AWS managed policies are built in (not stored): awsManagedPolicies() lists them with their documents
// as AWS publishes them (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/).

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "services/iam/store.h"

namespace zk::iam {

struct PolicyText {
  std::string id;  // policy ARN, or "user/NAME/POLICY" (group/..., role/...) for inline ones
  std::string document;
};

struct PrincipalPolicies {
  // Inline + attached managed (default version); for users also each group's inline + attached.
  std::vector<PolicyText> identity;
  // The permissions boundary's default version, when one is set.
  std::optional<std::vector<PolicyText>> boundary;
};

class Directory {
 public:
  Directory(IamStore& store, const Clock& clock, std::chrono::milliseconds ttl = std::chrono::seconds(1));

  Result<PrincipalPolicies> policiesForUser(std::string_view account_id, std::string_view user_name);
  Result<PrincipalPolicies> policiesForRole(std::string_view account_id, std::string_view role_name);
  Result<Role> role(std::string_view account_id, std::string_view role_name);
  // AWS managed (built in) or customer managed (its default version). kNotFound.
  Result<std::string> managedPolicyDocument(std::string_view policy_arn);
  Result<std::vector<OidcProvider>> oidcProviders(std::string_view account_id);
  Result<User> user(std::string_view account_id, std::string_view user_name);
  // The account of a long-term access key (GetAccessKeyInfo). kNotFound.
  Result<std::string> accountOfAccessKey(std::string_view access_key_id);
  // Drops every cached result (after a write in this process, when it must be seen at once).
  void invalidate();

 private:
  Status addAttached(std::string_view account_id, PrincipalKind kind, std::string_view name,
                     std::vector<PolicyText>& out);
  Status addInline(std::string_view account_id, PrincipalKind kind, std::string_view name,
                   std::vector<PolicyText>& out);
  Result<std::optional<std::vector<PolicyText>>> boundary(const std::string& arn);
  // The cached entry for `key` while fresh, else load() (cached when it succeeds).
  Result<PrincipalPolicies> cached(const std::string& key,
                                   const std::function<Result<PrincipalPolicies>()>& load);

  struct Entry {
    PrincipalPolicies policies;
    std::chrono::steady_clock::time_point expires;
  };
  IamStore& store_;
  const Clock& clock_;
  std::chrono::milliseconds ttl_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> cache_;  // "u|acct|name" / "r|acct|name"; guarded by mu_
};

// The AWS managed policies zonekeeper knows (account_id "aws", path "/", default version "v1" here).
const std::vector<ManagedPolicy>& awsManagedPolicies();
std::optional<std::string> awsManagedPolicyDocument(std::string_view arn);

}  // namespace zk::iam
