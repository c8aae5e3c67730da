// IAM policy evaluation: one request against the policies that apply to it, giving Allow or a deny and why.
//
// Follows https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
// (see README.md for the exact order and the choices made where the documentation leaves room).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "authz/context.h"
#include "authz/policy.h"

namespace zk::authz {

enum class Decision { kAllow, kExplicitDeny, kImplicitDeny };

// Which policy type decided a denial, to word AWS's message ("because no identity-based policy allows
// the X action", "with an explicit deny in a resource-based policy", ...). kNone when allowed.
enum class DenyReason {
  kNone,
  kExplicitDenyIdentity,
  kExplicitDenyResource,
  kExplicitDenyBoundary,
  kExplicitDenySession,
  kNoIdentityAllow,
  kNoResourceAllow,  // cross-account, or a role trust policy that does not let the caller assume the role
  kNoBoundaryAllow,
  kNoSessionAllow,
};

// "identity-based policy", "resource-based policy", "permissions boundary", "session policy"; "" for kNone.
const char* policyTypeName(DenyReason reason);
// AWS's wording of the denial after "... is not authorized to perform: ACTION on resource: RESOURCE ",
// e.g. "because no identity-based policy allows the route53:GetChange action" or
// "with an explicit deny in a resource-based policy". "" for kNone.
std::string denyReasonPhrase(DenyReason reason, std::string_view action);

struct MatchedStatement {
  std::string source_id;  // the PolicyRef's id, e.g. a policy ARN or "user/alice/inline/p1"
  size_t statement_index = 0;
  std::string sid;
  Decision effect = Decision::kAllow;  // kAllow or kExplicitDeny
};

struct PolicyRef {
  std::string id;
  std::shared_ptr<const Policy> policy;  // a null policy contributes nothing
};

struct PolicySet {
  std::vector<PolicyRef> identity;  // the principal's identity-based policies (inline + managed + groups)
  std::vector<PolicyRef>
      resource;  // resource-based policies of the target (a role's trust policy for sts:AssumeRole*)
  std::optional<std::vector<PolicyRef>> boundary;  // permissions boundary: set = applies
  std::optional<std::vector<PolicyRef>>
      session;                   // session policies of an assumed-role session: set = applies
  std::string resource_account;  // the account owning the resource; empty = the principal's
  // A resource-based policy must allow even within the account (as a role trust policy must). Implied for
  // actions starting with "sts:AssumeRole".
  bool require_resource_allow = false;
};

struct Evaluation {
  Decision decision = Decision::kImplicitDeny;
  DenyReason reason = DenyReason::kNoIdentityAllow;
  std::vector<MatchedStatement> matched;  // statements whose Action/Resource/Principal/Condition all matched
};

// Pure and thread-safe (reads only its arguments). "sts:GetCallerIdentity" is always allowed.
// Anything the evaluator does not understand denies.
Evaluation evaluate(const RequestContext& request, const PolicySet& policies);

}  // namespace zk::authz
