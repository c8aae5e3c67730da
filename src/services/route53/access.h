// What each Route 53 operation asks of IAM: AWS's action name, resource ARN and Route 53's condition keys.
#pragma once

// From the Service Authorization Reference for Route 53:
//   https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonroute53.html
// hosted zones are arn:aws:route53:::hostedzone/ID, changes arn:aws:route53:::change/ID, health checks
// arn:aws:route53:::healthcheck/ID; account-wide operations (CreateHostedZone, ListHostedZones*,
// GetHostedZoneCount, GetAccountLimit) are on "*". ChangeResourceRecordSets carries
// route53:ChangeResourceRecordSetsNormalizedRecordNames / ...RecordTypes / ...Actions, normalised as
//   https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/specifying-rrset-conditions.html
// says: names lower-case without the trailing dot, every byte but a-z 0-9 - _ . as \ooo octal; types
// and actions upper-case. Pure; thread-safe.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "api/service.h"

namespace zk::route53 {

std::vector<api::AccessRequest> accessFor(const std::string& operation, const nlohmann::json& input,
                                          const api::CallContext& ctx);

// "Www.Example.COM." -> "www.example.com"; "*.a.test" -> "\052.a.test"; Route 53's own \ooo escapes in
// the input are kept as given (already octal).
std::string normalizedRecordName(std::string_view name);

}  // namespace zk::route53
