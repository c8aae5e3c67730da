// SimulateCustomPolicy and SimulatePrincipalPolicy, answered by the evaluator that authorises requests.
#pragma once

// https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulateCustomPolicy.html
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html
// Each (action, resource) pair is evaluated with authz::evaluate over: the given identity policies (for
// SimulatePrincipalPolicy also the principal's own: a user's inline, attached and groups' policies, or a
// role's), the permissions boundary inputs (or the principal's boundary), the resource policy with its
// owner, the caller ARN as principal, and the context entries. EvalDecision is "allowed",
// "explicitDeny" or "implicitDeny"; MatchedStatements name the statements that decided.

#include <nlohmann/json.hpp>
#include <string_view>

#include "api/service.h"
#include "services/iam/authorizer.h"
#include "services/iam/directory.h"

namespace zk::iam {

api::ServiceResult simulatePolicy(std::string_view operation, const nlohmann::json& input,
                                  const api::CallContext& ctx, PolicyAuthorizer& authorizer,
                                  Directory& directory, const aws::ServiceModel& model);

}  // namespace zk::iam
