// What each IAM operation asks of IAM itself: iam:<Operation> on the entity's ARN.
#pragma once

// From the Service Authorization Reference for IAM:
//   https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html
// user/NAME, group/NAME, role/NAME, instance-profile/NAME, policy/NAME (or the PolicyArn),
// oidc-provider/URL; list and account-wide operations on "*". Attach/Detach*Policy and
// Put*PermissionsBoundary carry iam:PolicyARN / iam:PermissionsBoundary. Paths are not part of the
// ARNs built here (the entity's name is what the request carries). Pure; thread-safe.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/service.h"

namespace zk::iam {

std::vector<api::AccessRequest> accessFor(const std::string& operation, const nlohmann::json& input,
                                          const api::CallContext& ctx);

}  // namespace zk::iam
