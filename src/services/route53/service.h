// Route53Service: the Route 53 API operations (2013-04-01) over the zone/tag stores and the DNS publisher.
#pragma once

// Input and output are the value trees of the botocore model (aws/model.h: structure members by
// member name), so the protocol layer (rest-xml) stays outside: the API front parses the HTTP
// request into (operation, input) and serializes what invoke() returns.
//
// Writes are validated, committed to the store (durable before invoke() returns), then handed to
// ZoneSync, which publishes the new zone snapshot to the DNS workers in version order before the
// response is sent. GetChange reports INSYNC once every DNS worker serves that version.
//
// Accounts: every operation acts within CallContext::account_id; another account's zone or change
// looks exactly like one that does not exist (NoSuchHostedZone / NoSuchChange).
//
// Threading: thread-safe; invoke() may run on many threads at once and blocks while the store commits
// (group commit: concurrent calls share one fsync) -- unless the caller sets CallContext::deliver, in
// which case ChangeResourceRecordSets returns at once and answers from the store's writer thread.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "api/service.h"
#include "aws/aws_error.h"
#include "aws/model.h"
#include "base/clock.h"
#include "base/result.h"
#include "services/route53/dns_publisher.h"
#include "services/route53/store.h"
#include "services/route53/validation.h"
#include "services/route53/zone_sync.h"

namespace zk::route53 {

struct Route53Config {
  // The delegation set of every zone (fully qualified; the trailing dot is optional). The first one is
  // the SOA MNAME.
  std::vector<std::string> name_servers = {"ns1.zonekeeper.test.", "ns2.zonekeeper.test."};
  // SOA RNAME; empty = "hostmaster." + the parent domain of the first name server.
  std::string hostmaster;
  // What Route 53 creates with a zone: SOA "<ns> awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400"
  // at TTL 900 and the NS record set at TTL 172800.
  // https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/SOA-NSrecords.html
  uint32_t soa_ttl = 900;
  uint32_t ns_ttl = 172800;
  uint32_t soa_refresh = 7200, soa_retry = 900, soa_expire = 1209600, soa_minimum = 86400;
  // Quotas: https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DNSLimitations.html
  ChangeBatchLimits batch_limits;
  int64_t max_record_sets_per_zone = 10000;    // MAX_RRSETS_BY_ZONE
  int64_t max_hosted_zones_per_account = 500;  // MAX_HOSTED_ZONES_BY_OWNER
  size_t max_tags_per_resource = 50;
};

using api::CallContext;
using api::ServiceResult;

class Route53Service {
 public:
  // The stores and the publisher must outlive the service.
  Route53Service(ZoneStore& zones, TagStore& tags, DnsPublisher& publisher, const Clock& clock,
                 Route53Config config);
  Route53Service(const Route53Service&) = delete;
  Route53Service& operator=(const Route53Service&) = delete;

  // The Route 53 model (parsed once per process, shared).
  static std::shared_ptr<const aws::ServiceModel> model();

  // Serves every stored zone over DNS (start) / publishes what changed in the store (SIGHUP).
  Status syncAll() { return sync_.syncAll(); }
  ZoneSync& sync() { return sync_; }
  const Route53Config& config() const { return config_; }

  // Zones the DNS serves from outside the store (--zone-file): CreateHostedZone refuses their names
  // and every name inside them (ConflictingDomainExists), since such a zone would take over answers.
  void setExternalZones(std::vector<dns::Name> apexes);

  // Runs one operation ("ChangeResourceRecordSets", ...) with its input value tree.
  // Unknown operation: 404 UnknownOperationException-style error from the table in aws_error.h.
  ServiceResult invoke(std::string_view operation, const nlohmann::json& input, const CallContext& ctx);

 private:
  struct ZoneRef {
    std::string account_id;
    dns::Name apex;
  };

  ServiceResult createHostedZone(const nlohmann::json& in, const CallContext& ctx);
  ServiceResult getHostedZone(const nlohmann::json& in, const CallContext& ctx);
  ServiceResult listHostedZones(const nlohmann::json& in, const CallContext& ctx);
  ServiceResult listHostedZonesByName(const nlohmann::json& in, const CallContext& ctx);
  ServiceResult getHostedZoneCount(const nlohmann::json& in, const CallContext& ctx);
  ServiceResult updateHostedZoneComment(const nlohmann::json& in, const CallContext& ctx);
  ServiceResult deleteHostedZone(const nlohmann::json& in, const CallContext& ctx);
  ServiceResult changeTagsForResource(const nlohmann::json& in, const CallContext& ctx);
  ServiceResult listTagsForResource(const nlohmann::json& in, const CallContext& ctx);
  ServiceResult listTagsForResources(const nlohmann::json& in, const CallContext& ctx);
  ServiceResult getAccountLimit(const nlohmann::json& in, const CallContext& ctx);
  ServiceResult getHostedZoneLimit(const nlohmann::json& in, const CallContext& ctx);
  ServiceResult changeResourceRecordSets(const nlohmann::json& in, const CallContext& ctx);
  struct PendingChange;
  // The validated batch, ready for the store, or the error to answer with.
  std::variant<std::shared_ptr<PendingChange>, aws::AwsError> prepareChange(const nlohmann::json& in,
                                                                            const CallContext& ctx);
  // After the store's answer: publishes to the DNS (in version order) and builds the output.
  ServiceResult finishChange(PendingChange& change, Result<ChangeInfo> info);
  ServiceResult listResourceRecordSets(const nlohmann::json& in, const CallContext& ctx);
  ServiceResult getChange(const nlohmann::json& in, const CallContext& ctx);

  aws::AwsError error(std::string_view shape, std::string message) const;
  aws::AwsError noSuchHostedZone(std::string_view id) const;
  aws::AwsError internal(const Status& s, const CallContext& ctx) const;
  // The account's zone by id (cached: id -> account, apex), or NoSuchHostedZone.
  Result<ZoneRef> zoneRef(const std::string& id, const CallContext& ctx, aws::AwsError* err);
  Result<HostedZone> loadZone(const std::string& id, const CallContext& ctx, aws::AwsError* err);
  nlohmann::json hostedZoneJson(const HostedZone& hz) const;
  nlohmann::json delegationSetJson(const HostedZone& hz) const;
  nlohmann::json changeInfoJson(const ChangeInfo& info, bool insync) const;
  std::vector<RecordSet> initialRecordSets(const dns::Name& apex) const;

  ZoneStore& zones_;
  TagStore& tags_;
  const Clock& clock_;
  Route53Config config_;
  std::shared_ptr<const aws::ServiceModel> model_;
  ZoneSync sync_;
  std::vector<std::string> name_servers_;  // normalized, with trailing dot
  std::string hostmaster_;

  std::mutex lifecycle_mu_;  // serializes CreateHostedZone / DeleteHostedZone (name uniqueness)
  std::mutex cache_mu_;
  std::unordered_map<std::string, ZoneRef> zone_cache_;         // guarded by cache_mu_
  std::unordered_map<std::string, std::string> deleted_zones_;  // zone id -> account; guarded by cache_mu_
  std::vector<dns::Name> external_zones_;                       // guarded by cache_mu_
};

// "/hostedzone/Z123" or "hostedzone/Z123" -> "Z123" (SDKs strip the prefix; some clients do not).
std::string stripResourcePrefix(std::string_view id, std::string_view prefix);

}  // namespace zk::route53
