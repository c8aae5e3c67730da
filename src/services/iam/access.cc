// IAM operation -> iam:Action on the entity's ARN.
#include "services/iam/access.h"

namespace zk::iam {

std::vector<api::AccessRequest> accessFor(const std::string& op, const nlohmann::json& in,
                                          const api::CallContext& ctx) {
  api::AccessRequest r;
  r.action = "iam:" + op;
  const std::string base = "arn:aws:iam::" + ctx.account_id + ":";
  auto has = [&](const char* m) { return in.contains(m) && in[m].is_string(); };
  auto str = [&](const char* m) { return in.value(m, ""); };
  if (has("InstanceProfileName")) {
    r.resource = base + "instance-profile/" + str("InstanceProfileName");
  } else if (has("GroupName") && op != "ListGroupsForUser") {
    r.resource = base + "group/" + str("GroupName");
  } else if (has("RoleName")) {
    r.resource = base + "role/" + str("RoleName");
  } else if (has("UserName")) {
    r.resource = base + "user/" + str("UserName");
  } else if (op == "GetUser" || op == "CreateAccessKey" || op == "ListAccessKeys" ||
             op == "UpdateAccessKey" || op == "DeleteAccessKey" || op == "ListUserTags" ||
             op == "ListGroupsForUser") {
    // No UserName: the caller's own user (the root's keys: the account).
    r.resource = ctx.principal_arn.find(":user/") != std::string::npos ? ctx.principal_arn : "*";
  } else if (op == "CreatePolicy") {
    r.resource = base + "policy" + in.value("Path", std::string("/")) + str("PolicyName");
  } else if (has("PolicyArn")) {
    r.resource = str("PolicyArn");
  } else if (has("OpenIDConnectProviderArn")) {
    r.resource = str("OpenIDConnectProviderArn");
  } else if (op == "CreateOpenIDConnectProvider") {
    std::string url = str("Url");
    if (url.rfind("https://", 0) == 0) url = url.substr(8);
    r.resource = base + "oidc-provider/" + url;
  } else if (op == "SimulatePrincipalPolicy" && has("PolicySourceArn")) {
    r.resource = str("PolicySourceArn");
  } else {
    r.resource = "*";
  }
  if (op.rfind("Attach", 0) == 0 || op.rfind("Detach", 0) == 0)
    r.context.push_back({"iam:PolicyARN", {str("PolicyArn")}});
  if (has("PermissionsBoundary"))
    r.context.push_back({"iam:PermissionsBoundary", {str("PermissionsBoundary")}});
  return {r};
}

}  // namespace zk::iam
