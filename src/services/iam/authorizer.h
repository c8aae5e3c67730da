// PolicyAuthorizer: the decision point behind every call -- principal -> policies -> authz::evaluate.
#pragma once

// For a signed caller it gathers the identity-based policies (a user's inline, attached and groups'
// policies; a role session's role policies), the permissions boundary, the session policies of a
// temporary session, and the target's resource-based policy (a role's trust policy), fills the global
// condition keys from the request, and asks authz::evaluate. Rules:
//   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
//   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html (global keys)
// The account root may do anything in its own account (only a resource policy can refuse it).
// A denial is 403 AccessDenied with AWS's wording:
//   "User: ARN is not authorized to perform: ACTION on resource: RES because no identity-based policy
//    allows the ACTION action"
// Parsed policies are cached by document text (bounded), so a request costs an evaluation, not a parse.
// Thread-safe.

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "api/service.h"
#include "authz/context.h"
#include "authz/evaluator.h"
#include "authz/policy.h"
#include "base/clock.h"
#include "services/iam/directory.h"

namespace zk::iam {

class PolicyAuthorizer final : public api::Authorizer {
 public:
  // aws:CurrentTime/EpochTime come from the call's CallContext::now, or `clock` when it is unset.
  PolicyAuthorizer(Directory& directory, const Clock& clock) : directory_(directory), clock_(clock) {}

  std::optional<aws::AwsError> authorize(const api::CallContext& ctx, const api::AccessRequest& request,
                                         std::string_view resource_policy = {}) override;

  // The evaluation itself, for SimulatePrincipalPolicy and tests: the request context and policy set
  // the authorizer would use, or the error that prevents building them.
  struct Prepared {
    authz::RequestContext request;
    authz::PolicySet policies;
    bool root = false;  // the account root acting in its own account
  };
  Result<Prepared> prepare(const api::CallContext& ctx, const api::AccessRequest& request,
                           std::string_view resource_policy);
  // A parsed policy from the cache (parsing it once).
  Result<std::shared_ptr<const authz::Policy>> parsed(const std::string& document, authz::Policy::Kind kind);

 private:
  Result<std::vector<authz::PolicyRef>> refs(const std::vector<PolicyText>& texts);

  Directory& directory_;
  const Clock& clock_;
  std::mutex mu_;
  // Parsed policies by document text, per kind; guarded by mu_.
  std::unordered_map<std::string, std::shared_ptr<const authz::Policy>> identity_cache_, resource_cache_;
};

// The authz request context of a call: principal, action, resource and the global condition keys.
// `now`: when ctx.now is unset.
authz::RequestContext requestContext(const api::CallContext& ctx, const api::AccessRequest& request,
                                     std::chrono::system_clock::time_point now);

}  // namespace zk::iam
