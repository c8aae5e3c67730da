// Policy document validation (structure only; the authz parser replaces it).
#include "services/iam/policy_check.h"

#include <nlohmann/json.hpp>
#include <string>

namespace zk::iam {

Status validatePolicyDocument(std::string_view text, bool resource_policy) {
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return invalidArgument("Syntax errors in policy.");
  if (!doc.is_object()) return invalidArgument("Syntax errors in policy.");
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html
  auto version = doc.find("Version");
  if (version != doc.end()) {
    if (!version->is_string() || (*version != "2012-10-17" && *version != "2008-10-17"))
      return invalidArgument("The policy must contain a valid version string");
  }
  auto statements = doc.find("Statement");
  if (statements == doc.end()) return invalidArgument("Policy document must contain a Statement element.");
  std::vector<const nlohmann::json*> list;
  if (statements->is_object()) {
    list.push_back(&*statements);
  } else if (statements->is_array() && !statements->empty()) {
    for (const auto& s : *statements) list.push_back(&s);
  } else {
    return invalidArgument("Syntax errors in policy.");
  }
  for (const nlohmann::json* s : list) {
    if (!s->is_object()) return invalidArgument("Syntax errors in policy.");
    auto effect = s->find("Effect");
    if (effect == s->end() || !effect->is_string() || (*effect != "Allow" && *effect != "Deny"))
      return invalidArgument("Invalid effect: the Effect element must be Allow or Deny.");
    if (!s->contains("Action") && !s->contains("NotAction"))
      return invalidArgument("Policy statement must contain actions.");
    const bool has_principal = s->contains("Principal") || s->contains("NotPrincipal");
    if (resource_policy && !has_principal) return invalidArgument("Missing required field Principal.");
    if (!resource_policy && has_principal)
      return invalidArgument("Policy document should not specify a principal.");
    if (!resource_policy && !s->contains("Resource") && !s->contains("NotResource"))
      return invalidArgument("Policy statement must contain resources.");
  }
  return Status();
}

}  // namespace zk::iam
