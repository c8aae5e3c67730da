// Policy document validation: the authz parser, the same one that evaluates requests.
#include "services/iam/policy_check.h"

#include "authz/policy.h"

namespace zk::iam {

Status validatePolicyDocument(std::string_view text, bool resource_policy) {
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
  auto parsed = authz::Policy::parse(
      text, resource_policy ? authz::Policy::Kind::kResource : authz::Policy::Kind::kIdentity);
  return parsed.ok() ? Status() : parsed.status();
}

}  // namespace zk::iam
