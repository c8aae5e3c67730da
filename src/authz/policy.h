// An IAM policy document, parsed and validated once, then evaluated many times (see evaluator.h).
//
// Grammar: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
// Elements: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"

namespace zk::authz {

namespace detail {
struct PolicyData;
}

// A parsed, validated policy document. Immutable; copies share the compiled form, so a Policy is cheap to
// copy and safe to use from any number of threads.
class Policy {
 public:
  // Resource-based policies (and role trust policies) need Principal or NotPrincipal in every statement
  // and may omit Resource; identity-based policies (also used as permissions boundaries and session
  // policies) must not name a principal and must have Resource or NotResource.
  enum class Kind { kIdentity, kResource };
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html
  // Policy variables are substituted only with k2012; with k2008 or no Version "${...}" is literal text.
  enum class Version { kNone, k2008, k2012 };

  // Parses and validates. On error returns Code::kInvalidArgument with a message phrased like IAM's
  // MalformedPolicyDocument messages ("Syntax errors in policy.", "Policy document should not specify a
  // principal.", "Invalid Condition operator: StringEqualz", ...). Never throws. Size limits are the
  // caller's.
  static Result<Policy> parse(std::string_view json, Kind kind);

  Kind kind() const;
  Version version() const;
  const std::string& id() const;  // the "Id" element, or empty
  size_t statementCount() const;
  const std::string& statementSid(size_t i) const;  // empty when the statement has no Sid
  bool statementAllows(size_t i) const;             // Effect is "Allow" (else "Deny")

  // The compiled form, for the evaluator.
  const detail::PolicyData& data() const { return *data_; }

 private:
  explicit Policy(std::shared_ptr<const detail::PolicyData> data) : data_(std::move(data)) {}
  std::shared_ptr<const detail::PolicyData> data_;
};

}  // namespace zk::authz
