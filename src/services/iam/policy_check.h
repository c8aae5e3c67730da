// The one gate every IAM policy document passes before it is stored.
#pragma once

// Parsed by src/authz (the evaluator's own parser), so what is stored is what is evaluated: the whole
// policy grammar, condition operators, ARNs and policy variables are checked when a policy is written.
// Resource policies (role trust policies) must name a Principal; identity policies must not.
// Errors are kInvalidArgument with the message for MalformedPolicyDocument.

#include <string_view>

#include "base/result.h"

namespace zk::iam {

Status validatePolicyDocument(std::string_view json, bool resource_policy);

}  // namespace zk::iam
