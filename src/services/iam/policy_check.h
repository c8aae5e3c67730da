// The one gate every IAM policy document passes before it is stored.
#pragma once

// For now: well-formed JSON, an object with "Version" (a string; "2012-10-17" or "2008-10-17") and
// "Statement" (an object or a non-empty array of objects), each statement with an "Effect" of "Allow"
// or "Deny". Resource policies (role trust policies) must name a "Principal" (or "NotPrincipal") in
// every statement; identity policies must not. The lead replaces the body with the src/authz parser.
// Errors are kInvalidArgument with the message for MalformedPolicyDocument.

#include <string_view>

#include "base/result.h"

namespace zk::iam {

Status validatePolicyDocument(std::string_view json, bool resource_policy);

}  // namespace zk::iam
