// Route 53 input rules: DNS names in Route 53's format, record values per type, change batches and quotas.
#pragma once

// Pure functions over the value trees the rest-xml codec produces (aws/model.h conventions); no I/O,
// no state: thread-safe. Error texts are Route 53's own where public reports show them (cited beside
// each text in validation.cc); the others follow their style.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "dns/name.h"
#include "services/route53/store.h"

namespace zk::route53 {

// Parses a domain name as Route 53 accepts it: with or without the trailing dot, any case, and
// "\ooo" three-digit OCTAL escapes (Route 53's format; RFC 1035's \DDD is decimal) or "\c" for a
// literal character. "*" is the wildcard label. "." alone is the root.
// https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DomainNameFormat.html
// kInvalidArgument with Route 53's problem text (see nameProblem()).
Result<dns::Name> parseRoute53Name(std::string_view text);

// "FATAL problem: DomainLabelEmpty (Domain label is empty) encountered with '<text>'" style text for
// a name that parseRoute53Name rejected (used inside InvalidChangeBatch messages).
std::string nameProblemMessage(std::string_view text, const Status& parse_error);

// Validates one ResourceRecord Value of `type` as Route 53 does: values are master-file presentation
// text; names inside values are absolute with or without the trailing dot; TXT and SPF character
// strings must be enclosed in quotation marks. On failure returns kInvalidArgument whose message is
// Route 53's, e.g. "Invalid Resource Record: 'FATAL problem: InvalidCharacterString (Value should be
// enclosed in quotation marks) encountered with 'unquoted''".
Status validateRecordValue(uint16_t type, std::string_view value);

// Per-request quotas (Route 53 defaults; all configurable).
// https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DNSLimitations.html#limits-api-requests-changeresourcerecordsets
struct ChangeBatchLimits {
  size_t max_resource_records = 1000;   // ResourceRecord elements; UPSERT counts each twice
  size_t max_value_characters = 32000;  // characters in all Value elements; UPSERT counts twice
};

// A change batch turned into store writes. `messages` holds every InvalidChangeBatch message found
// (Route 53 reports all of them together); when non-empty, `writes` must not be committed.
struct ParsedChangeBatch {
  std::string comment;
  std::vector<RecordSetWrite> writes;
  std::vector<std::string> messages;
};

// Parses and validates the ChangeBatch value of a ChangeResourceRecordSets input for a zone at
// `apex` (rules that need only the request: names inside the zone, value syntax, TTL/ResourceRecords/
// AliasTarget combinations, routing-policy fields, CNAME/SOA placement, quotas). Rules that need the
// stored data (exists / not found / values differ / CNAME beside other data) are checked by the store
// inside the commit (see checkNameAfterBatch).
// kInvalidArgument (InvalidInput, 400) for a malformed request, its message Route 53's; otherwise the
// writes, or the InvalidChangeBatch messages.
Result<ParsedChangeBatch> parseChangeBatch(const nlohmann::json& change_batch, const dns::Name& apex,
                                           const ChangeBatchLimits& limits);

// The rules checked once a batch is applied, over every record set at one name (Route 53 order):
// a CNAME alone at its name, simple and weighted/other-policy sets of one type not mixed, and at the
// apex exactly one SOA and an NS record set. Returns kFailedPrecondition with Route 53's message.
Status checkNameAfterBatch(const dns::Name& apex, const dns::Name& name, std::span<const RecordSet> sets,
                           std::span<const RecordSetWrite> writes);

// Record set <-> the ResourceRecordSet value tree (member names as in the model). Routing-policy
// structures (GeoLocation, GeoProximityLocation, CidrRoutingConfig) are kept as JSON text.
nlohmann::json recordSetToJson(const RecordSet& rs);

}  // namespace zk::route53
