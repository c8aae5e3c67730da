// Route53Service: operation handlers (API reference 2013-04-01), validation -> store -> ZoneSync.
#include "services/route53/service.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <set>

#include "aws/timestamp.h"
#include "dns/types.h"
#include "services/route53/ids.h"
#include "services/route53/records.h"

namespace zk::route53 {
namespace {

using nlohmann::json;

// https://docs.aws.amazon.com/Route53/latest/APIReference/API_ListHostedZones.html ("If you specify a
// value greater than 100, Route 53 returns only the first 100"), API_ListResourceRecordSets.html (300).
constexpr size_t kMaxZonesPerPage = 100;
constexpr size_t kMaxRecordSetsPerPage = 300;

// Route 53's default account limits (GetAccountLimit), besides the configurable hosted-zone count.
// https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DNSLimitations.html
constexpr int64_t kMaxHealthChecks = 200;
constexpr int64_t kMaxTrafficPolicies = 50;
constexpr int64_t kMaxTrafficPolicyInstances = 5;
constexpr int64_t kMaxReusableDelegationSets = 100;
constexpr int64_t kMaxVpcsPerZone = 300;

int64_t epochMs(Timestamp t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::string withDot(std::string s) {
  if (s.empty() || s.back() != '.') s.push_back('.');
  return s;
}
std::string withoutDot(std::string s) {
  if (s.size() > 1 && s.back() == '.') s.pop_back();
  return s;
}

std::string str(const json& in, const char* key) {
  auto it = in.find(key);
  return it != in.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// PageMaxItems is a string in the model. Returns nullopt when absent.
Result<std::optional<size_t>> maxItems(const json& in) {
  auto it = in.find("MaxItems");
  if (it == in.end()) return std::optional<size_t>();
  std::string s = it->is_string() ? it->get<std::string>() : it->dump();
  size_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v == 0)
    return invalidArgument("Invalid request: MaxItems must be a positive integer, not '" + s + "'");
  return std::optional<size_t>(v);
}

}  // namespace

std::string stripResourcePrefix(std::string_view id, std::string_view prefix) {
  // prefix is e.g. "hostedzone": accept "/hostedzone/X", "hostedzone/X" and "X".
  if (!id.empty() && id.front() == '/') id.remove_prefix(1);
  if (id.size() > prefix.size() && id.substr(0, prefix.size()) == prefix && id[prefix.size()] == '/')
    id.remove_prefix(prefix.size() + 1);
  return std::string(id);
}

std::shared_ptr<const aws::ServiceModel> Route53Service::model() {
  return aws::ServiceModel::embedded("route53");
}

Route53Service::Route53Service(ZoneStore& zones, TagStore& tags, DnsPublisher& publisher, const Clock& clock,
                               Route53Config config)
    : zones_(zones),
      tags_(tags),
      clock_(clock),
      config_(std::move(config)),
      model_(model()),
      sync_(zones, publisher) {
  for (const std::string& ns : config_.name_servers) name_servers_.push_back(withDot(ns));
  if (name_servers_.empty()) name_servers_.push_back("ns1.zonekeeper.test.");
  hostmaster_ = config_.hostmaster;
  if (hostmaster_.empty()) {
    // The Route 53 way (awsdns-hostmaster.amazon.com.) for our own name servers' domain.
    auto ns = parseRoute53Name(name_servers_.front());
    hostmaster_ = ns.ok() && ns->labelCount() > 1 ? "hostmaster." + route53NameText(ns->parent())
                                                  : "hostmaster." + name_servers_.front();
  }
  hostmaster_ = withDot(hostmaster_);
}

// ---- helpers ----

aws::AwsError Route53Service::error(std::string_view shape, std::string message) const {
  if (!model_) return aws::makeAwsError(500, "InternalFailure", std::move(message));
  return aws::modeledError(*model_, shape, std::move(message));
}

aws::AwsError Route53Service::noSuchHostedZone(std::string_view id) const {
  return error("NoSuchHostedZone", "No hosted zone found with ID: " + std::string(id));
}

aws::AwsError Route53Service::internal(const Status& s, const CallContext& ctx) const {
  spdlog::error("route53 request {}: {}", ctx.request_id, s.toString());
  return aws::makeAwsError(500, "InternalFailure", "We encountered an internal error. Please try again.");
}

Result<Route53Service::ZoneRef> Route53Service::zoneRef(const std::string& id, const CallContext& ctx,
                                                        aws::AwsError* err) {
  {
    std::lock_guard lock(cache_mu_);
    auto it = zone_cache_.find(id);
    if (it != zone_cache_.end()) {
      if (it->second.account_id == ctx.account_id) return it->second;
      *err = noSuchHostedZone(id);
      return notFound("zone of another account");
    }
  }
  auto hz = loadZone(id, ctx, err);
  if (!hz.ok()) return hz.status();
  return ZoneRef{hz->account_id, hz->name};
}

Result<HostedZone> Route53Service::loadZone(const std::string& id, const CallContext& ctx,
                                            aws::AwsError* err) {
  auto hz = zones_.getHostedZone(id);
  if (!hz.ok()) {
    *err = hz.status().code() == Code::kNotFound ? noSuchHostedZone(id) : internal(hz.status(), ctx);
    return hz.status();
  }
  {
    std::lock_guard lock(cache_mu_);
    zone_cache_[id] = ZoneRef{hz->account_id, hz->name};
  }
  if (hz->account_id != ctx.account_id) {
    *err = noSuchHostedZone(id);
    return notFound("zone of another account");
  }
  return hz;
}

json Route53Service::hostedZoneJson(const HostedZone& hz) const {
  json config = {{"PrivateZone", hz.private_zone}};
  if (!hz.comment.empty()) config["Comment"] = hz.comment;
  return {{"Id", "/hostedzone/" + hz.id},
          {"Name", route53NameText(hz.name)},
          {"CallerReference", hz.caller_reference},
          {"Config", std::move(config)},
          {"ResourceRecordSetCount", hz.record_count}};
}

json Route53Service::delegationSetJson(const HostedZone& hz) const {
  json ns = json::array();
  for (const std::string& n : hz.name_servers) ns.push_back(withoutDot(n));
  json out = {{"NameServers", std::move(ns)}};
  if (!hz.delegation_set_id.empty()) out["Id"] = "/delegationset/" + hz.delegation_set_id;
  return out;
}

json Route53Service::changeInfoJson(const ChangeInfo& info, bool insync) const {
  json out = {{"Id", "/change/" + info.id},
              {"Status", insync ? "INSYNC" : "PENDING"},
              {"SubmittedAt", aws::timestampToJson(epochMs(info.submitted_at))}};
  if (!info.comment.empty()) out["Comment"] = info.comment;
  return out;
}

std::vector<RecordSet> Route53Service::initialRecordSets(const dns::Name& apex) const {
  RecordSet soa;
  soa.name = apex;
  soa.type = dns::rrtype::kSOA;
  soa.ttl = config_.soa_ttl;
  soa.values = {name_servers_.front() + " " + hostmaster_ + " 1 " + std::to_string(config_.soa_refresh) +
                " " + std::to_string(config_.soa_retry) + " " + std::to_string(config_.soa_expire) + " " +
                std::to_string(config_.soa_minimum)};
  RecordSet ns;
  ns.name = apex;
  ns.type = dns::rrtype::kNS;
  ns.ttl = config_.ns_ttl;
  ns.values = name_servers_;
  return {std::move(soa), std::move(ns)};
}

// ---- dispatch ----

ServiceResult Route53Service::invoke(std::string_view op, const json& in, const CallContext& ctx) {
  using Handler = ServiceResult (Route53Service::*)(const json&, const CallContext&);
  static const std::unordered_map<std::string_view, Handler> kHandlers = {
      {"CreateHostedZone", &Route53Service::createHostedZone},
      {"GetHostedZone", &Route53Service::getHostedZone},
      {"ListHostedZones", &Route53Service::listHostedZones},
      {"ListHostedZonesByName", &Route53Service::listHostedZonesByName},
      {"GetHostedZoneCount", &Route53Service::getHostedZoneCount},
      {"UpdateHostedZoneComment", &Route53Service::updateHostedZoneComment},
      {"DeleteHostedZone", &Route53Service::deleteHostedZone},
      {"ChangeTagsForResource", &Route53Service::changeTagsForResource},
      {"ListTagsForResource", &Route53Service::listTagsForResource},
      {"ListTagsForResources", &Route53Service::listTagsForResources},
      {"GetAccountLimit", &Route53Service::getAccountLimit},
      {"GetHostedZoneLimit", &Route53Service::getHostedZoneLimit},
      {"ChangeResourceRecordSets", &Route53Service::changeResourceRecordSets},
      {"ListResourceRecordSets", &Route53Service::listResourceRecordSets},
      {"GetChange", &Route53Service::getChange},
  };
  if (!model_) return aws::makeAwsError(500, "InternalFailure", "Route 53 model unavailable");
  auto it = kHandlers.find(op);
  if (it == kHandlers.end()) {
    return aws::errorFromStatus(unimplemented("The operation " + std::string(op) + " is not supported."),
                                aws::Protocol::kRestXml);
  }
  // Only ChangeResourceRecordSets can answer without a thread waiting for the commit; a caller that
  // must not wait (ctx.may_block false) gets every other operation handed back.
  if (!ctx.may_block && !(ctx.deliver && op == "ChangeResourceRecordSets")) return ServiceResult::blocking();
  try {
    return (this->*(it->second))(in, ctx);
  } catch (const std::exception& e) {  // nlohmann::json type errors on malformed value trees
    return error("InvalidInput", std::string("Invalid request: ") + e.what());
  }
}

// ---- hosted zones ----

ServiceResult Route53Service::createHostedZone(const json& in, const CallContext& ctx) {
  const std::string name_text = str(in, "Name");
  auto name = parseRoute53Name(name_text);
  if (!name.ok() || name->isRoot() || name->labelCount() < 1)
    return error("InvalidDomainName", name_text + " is not a valid domain name.");
  if (in.contains("VPC"))
    return error("InvalidVPCId", "Private hosted zones are not supported by zonekeeper.");
  if (in.contains("DelegationSetId"))
    return error("NoSuchDelegationSet", "A reusable delegation set with the specified ID does not exist: " +
                                            str(in, "DelegationSetId"));
  const json config = in.value("HostedZoneConfig", json::object());
  if (config.value("PrivateZone", false))
    return error("InvalidInput", "Invalid request: a private hosted zone needs a VPC.");
  const std::string caller_reference = str(in, "CallerReference");

  std::lock_guard lifecycle(lifecycle_mu_);
  {
    // A caller reference is never accepted twice, even after its zone was deleted: "You must use a
    // unique CallerReference string every time you submit a CreateHostedZone request"
    // (https://docs.aws.amazon.com/Route53/latest/APIReference/API_CreateHostedZone.html); the error
    // is HostedZoneAlreadyExists, HTTP 409 ("Amazon Route 53 returns this error when a hosted zone has
    // already been created with the specified CallerReference",
    // https://docs.aws.amazon.com/botocore/latest/reference/services/route53/client/exceptions/HostedZoneAlreadyExists.html).
    // The store enforces it again inside its transaction.
    auto used = zones_.callerReferenceUsed(ctx.account_id, caller_reference);
    if (!used.ok()) return internal(used.status(), ctx);
    if (*used)
      return error("HostedZoneAlreadyExists",
                   "A hosted zone has already been created with the specified caller reference.");
  }
  auto count = zones_.countHostedZones(ctx.account_id);
  if (!count.ok()) return internal(count.status(), ctx);
  if (*count >= config_.max_hosted_zones_per_account)
    return error("TooManyHostedZones",
                 "Limits Exceeded: MAX_HOSTED_ZONES_BY_OWNER - Cannot create more than " +
                     std::to_string(config_.max_hosted_zones_per_account) + " hosted zones.");
  // One DNS server answers for every account, so a name is served by one zone only (Route 53 itself
  // allows duplicates, each on its own name servers). Another account's zone of this name, or a parent
  // or child of it, is refused by the store inside its transaction (ConflictingDomainExists below);
  // one's own zone of this name here (serialized by lifecycle_mu_).
  {
    auto mine = zones_.listHostedZonesByName(ctx.account_id, *name, "", 1);
    if (!mine.ok()) return internal(mine.status(), ctx);
    if (!mine->zones.empty() && mine->zones.front().name == *name)
      return error("HostedZoneAlreadyExists",
                   "A hosted zone for " + route53NameText(*name) + " already exists on this server.");
  }
  // A zone the DNS serves from outside the store (--zone-file) keeps its names: "You tried to create a
  // hosted zone that has the same name as an existing hosted zone or that's the parent or child of an
  // existing hosted zone, and you specified a delegation set that shares one or more name servers
  // with the existing hosted zone" (ConflictingDomainExists,
  // https://docs.aws.amazon.com/Route53/latest/APIReference/API_CreateHostedZone.html#API_CreateHostedZone_Errors).
  {
    std::lock_guard lock(cache_mu_);
    for (const dns::Name& apex : external_zones_)
      if (name->isSubdomainOf(apex))
        return error("ConflictingDomainExists", "The hosted zone " + route53NameText(*name) +
                                                    " conflicts with an existing hosted zone.");
  }

  HostedZone hz;
  hz.id = newHostedZoneId();
  hz.account_id = ctx.account_id;
  hz.name = *name;
  hz.caller_reference = caller_reference;
  hz.comment = config.value("Comment", "");
  hz.name_servers = name_servers_;
  hz.created_at = clock_.now();
  std::vector<RecordSet> initial = initialRecordSets(*name);
  ChangeRequest change{newChangeId(), "", hz.created_at};
  auto info = zones_.createHostedZone(hz, initial, change);
  if (!info.ok()) {
    if (info.status().code() == Code::kAlreadyExists)
      return error("HostedZoneAlreadyExists", info.status().message());
    if (info.status().code() == Code::kFailedPrecondition)
      return error("ConflictingDomainExists", info.status().message());
    return internal(info.status(), ctx);
  }
  hz.record_count = static_cast<int64_t>(initial.size());
  hz.version = info->zone_version;
  {
    std::lock_guard lock(cache_mu_);
    zone_cache_[hz.id] = ZoneRef{hz.account_id, hz.name};
  }
  auto records = servedRecords(initial);
  if (records.ok()) sync_.zoneCreated(hz.id, hz.name, info->zone_version, std::move(records).value());
  return json{{"HostedZone", hostedZoneJson(hz)},
              {"ChangeInfo", changeInfoJson(*info, sync_.isServed(hz.id, info->zone_version))},
              {"DelegationSet", delegationSetJson(hz)},
              {"Location", "https://route53.amazonaws.com/2013-04-01/hostedzone/" + hz.id}};
}

void Route53Service::setExternalZones(std::vector<dns::Name> apexes) {
  std::lock_guard lock(cache_mu_);
  external_zones_ = std::move(apexes);
}

ServiceResult Route53Service::getHostedZone(const json& in, const CallContext& ctx) {
  const std::string id = stripResourcePrefix(str(in, "Id"), "hostedzone");
  aws::AwsError err;
  auto hz = loadZone(id, ctx, &err);
  if (!hz.ok()) return err;
  return json{{"HostedZone", hostedZoneJson(*hz)}, {"DelegationSet", delegationSetJson(*hz)}};
}

ServiceResult Route53Service::listHostedZones(const json& in, const CallContext& ctx) {
  if (in.contains("DelegationSetId"))
    return error("NoSuchDelegationSet", "A reusable delegation set with the specified ID does not exist: " +
                                            str(in, "DelegationSetId"));
  auto max = maxItems(in);
  if (!max.ok()) return error("InvalidInput", max.status().message());
  const size_t limit = std::min(max->value_or(kMaxZonesPerPage), kMaxZonesPerPage);
  const std::string marker = str(in, "Marker");
  json zones = json::array();
  std::optional<std::string> next;
  if (str(in, "HostedZoneType") != "PrivateHostedZone") {  // there are no private zones
    auto page = zones_.listHostedZones(ctx.account_id, marker, limit);
    if (!page.ok()) return internal(page.status(), ctx);
    for (const HostedZone& hz : page->zones) zones.push_back(hostedZoneJson(hz));
    next = page->next_marker;
  }
  json out = {{"HostedZones", std::move(zones)},
              {"IsTruncated", next.has_value()},
              {"MaxItems", std::to_string(max->value_or(kMaxZonesPerPage))}};
  if (in.contains("Marker")) out["Marker"] = marker;
  if (next) out["NextMarker"] = *next;
  return out;
}

ServiceResult Route53Service::listHostedZonesByName(const json& in, const CallContext& ctx) {
  auto max = maxItems(in);
  if (!max.ok()) return error("InvalidInput", max.status().message());
  const size_t limit = std::min(max->value_or(kMaxZonesPerPage), kMaxZonesPerPage);
  std::optional<dns::Name> start;
  if (in.contains("DNSName")) {
    auto n = parseRoute53Name(str(in, "DNSName"));
    if (!n.ok()) return error("InvalidDomainName", str(in, "DNSName") + " is not a valid domain name.");
    start = *n;
  }
  const std::string zone_id = stripResourcePrefix(str(in, "HostedZoneId"), "hostedzone");
  if (!zone_id.empty() && !start)
    return error("InvalidInput", "Invalid request: HostedZoneId requires DNSName.");
  auto page = zones_.listHostedZonesByName(ctx.account_id, start, zone_id, limit);
  if (!page.ok()) return internal(page.status(), ctx);
  json zones = json::array();
  for (const HostedZone& hz : page->zones) zones.push_back(hostedZoneJson(hz));
  json out = {{"HostedZones", std::move(zones)},
              {"IsTruncated", page->next_dns_name.has_value()},
              {"MaxItems", std::to_string(max->value_or(kMaxZonesPerPage))}};
  if (start) out["DNSName"] = route53NameText(*start);
  if (!zone_id.empty()) out["HostedZoneId"] = zone_id;
  if (page->next_dns_name) out["NextDNSName"] = route53NameText(*page->next_dns_name);
  if (page->next_zone_id) out["NextHostedZoneId"] = *page->next_zone_id;
  return out;
}

ServiceResult Route53Service::getHostedZoneCount(const json&, const CallContext& ctx) {
  auto n = zones_.countHostedZones(ctx.account_id);
  if (!n.ok()) return internal(n.status(), ctx);
  return json{{"HostedZoneCount", *n}};
}

ServiceResult Route53Service::updateHostedZoneComment(const json& in, const CallContext& ctx) {
  const std::string id = stripResourcePrefix(str(in, "Id"), "hostedzone");
  aws::AwsError err;
  auto ref = zoneRef(id, ctx, &err);
  if (!ref.ok()) return err;
  auto hz = zones_.updateHostedZoneComment(id, str(in, "Comment"));
  if (!hz.ok())
    return hz.status().code() == Code::kNotFound ? noSuchHostedZone(id) : internal(hz.status(), ctx);
  return json{{"HostedZone", hostedZoneJson(*hz)}};
}

ServiceResult Route53Service::deleteHostedZone(const json& in, const CallContext& ctx) {
  const std::string id = stripResourcePrefix(str(in, "Id"), "hostedzone");
  aws::AwsError err;
  auto ref = zoneRef(id, ctx, &err);
  if (!ref.ok()) return err;
  std::lock_guard lifecycle(lifecycle_mu_);
  ChangeRequest change{newChangeId(), "", clock_.now()};
  auto info = zones_.deleteHostedZone(id, change);
  if (!info.ok()) {
    switch (info.status().code()) {
      case Code::kNotFound:
        return noSuchHostedZone(id);
      case Code::kFailedPrecondition:
        // API_DeleteHostedZone.html, HostedZoneNotEmpty.
        return error("HostedZoneNotEmpty",
                     "The specified hosted zone contains non-required resource record sets and so cannot be "
                     "deleted.");
      default:
        return internal(info.status(), ctx);
    }
  }
  {
    std::lock_guard lock(cache_mu_);
    zone_cache_.erase(id);
    deleted_zones_[id] = ctx.account_id;
  }
  sync_.zoneDeleted(id, ref->apex, info->zone_version);
  return json{{"ChangeInfo", changeInfoJson(*info, sync_.isServed(id, info->zone_version))}};
}

// ---- tags ----

namespace {

json tagsJson(const TagMap& tags) {
  json out = json::array();
  for (const auto& [k, v] : tags) out.push_back({{"Key", k}, {"Value", v}});
  return out;
}

}  // namespace

ServiceResult Route53Service::changeTagsForResource(const json& in, const CallContext& ctx) {
  const std::string type = str(in, "ResourceType");
  const std::string id = stripResourcePrefix(str(in, "ResourceId"), type);
  if (type == "healthcheck")
    return error("NoSuchHealthCheck", "A health check with id " + id + " does not exist.");
  aws::AwsError err;
  auto ref = zoneRef(id, ctx, &err);
  if (!ref.ok()) return err;
  TagMap add;
  for (const json& t : in.value("AddTags", json::array())) add[t.value("Key", "")] = t.value("Value", "");
  std::vector<std::string> remove;
  for (const json& k : in.value("RemoveTagKeys", json::array())) remove.push_back(k.get<std::string>());
  Status s = tags_.changeTags(type, id, add, remove, config_.max_tags_per_resource);
  if (s.code() == Code::kResourceExhausted)
    return error("InvalidInput", "Invalid request: a resource can have at most " +
                                     std::to_string(config_.max_tags_per_resource) + " tags.");
  if (!s.isOk()) return internal(s, ctx);
  return json::object();
}

ServiceResult Route53Service::listTagsForResource(const json& in, const CallContext& ctx) {
  const std::string type = str(in, "ResourceType");
  const std::string id = stripResourcePrefix(str(in, "ResourceId"), type);
  if (type == "healthcheck")
    return error("NoSuchHealthCheck", "A health check with id " + id + " does not exist.");
  aws::AwsError err;
  auto ref = zoneRef(id, ctx, &err);
  if (!ref.ok()) return err;
  auto tags = tags_.listTags(type, id);
  if (!tags.ok()) return internal(tags.status(), ctx);
  return json{{"ResourceTagSet", {{"ResourceType", type}, {"ResourceId", id}, {"Tags", tagsJson(*tags)}}}};
}

ServiceResult Route53Service::listTagsForResources(const json& in, const CallContext& ctx) {
  const std::string type = str(in, "ResourceType");
  std::vector<std::string> ids;
  for (const json& r : in.value("ResourceIds", json::array()))
    ids.push_back(stripResourcePrefix(r.get<std::string>(), type));
  if (type == "healthcheck" && !ids.empty())
    return error("NoSuchHealthCheck", "A health check with id " + ids.front() + " does not exist.");
  for (const std::string& id : ids) {
    aws::AwsError err;
    auto ref = zoneRef(id, ctx, &err);
    if (!ref.ok()) return err;
  }
  auto sets = tags_.listTagsForResources(type, ids);
  if (!sets.ok()) return internal(sets.status(), ctx);
  json out = json::array();
  for (const ResourceTags& rt : *sets)
    out.push_back(
        {{"ResourceType", rt.resource_type}, {"ResourceId", rt.resource_id}, {"Tags", tagsJson(rt.tags)}});
  return json{{"ResourceTagSets", std::move(out)}};
}

// ---- limits ----

ServiceResult Route53Service::getAccountLimit(const json& in, const CallContext& ctx) {
  const std::string type = str(in, "Type");
  int64_t value = 0, count = 0;
  if (type == "MAX_HOSTED_ZONES_BY_OWNER") {
    value = config_.max_hosted_zones_per_account;
    auto n = zones_.countHostedZones(ctx.account_id);
    if (!n.ok()) return internal(n.status(), ctx);
    count = *n;
  } else if (type == "MAX_HEALTH_CHECKS_BY_OWNER") {
    value = kMaxHealthChecks;
  } else if (type == "MAX_TRAFFIC_POLICY_INSTANCES_BY_OWNER") {
    value = kMaxTrafficPolicyInstances;
  } else if (type == "MAX_REUSABLE_DELEGATION_SETS_BY_OWNER") {
    value = kMaxReusableDelegationSets;
  } else if (type == "MAX_TRAFFIC_POLICIES_BY_OWNER") {
    value = kMaxTrafficPolicies;
  } else {
    return error("InvalidInput", "Invalid request: unknown limit type " + type);
  }
  return json{{"Limit", {{"Type", type}, {"Value", value}}}, {"Count", count}};
}

ServiceResult Route53Service::getHostedZoneLimit(const json& in, const CallContext& ctx) {
  const std::string id = stripResourcePrefix(str(in, "HostedZoneId"), "hostedzone");
  const std::string type = str(in, "Type");
  aws::AwsError err;
  auto hz = loadZone(id, ctx, &err);
  if (!hz.ok()) return err;
  if (type == "MAX_VPCS_ASSOCIATED_BY_ZONE") {
    if (!hz->private_zone)
      return error("HostedZoneNotPrivate",
                   "The specified hosted zone is a public hosted zone, not a private hosted zone.");
    return json{{"Limit", {{"Type", type}, {"Value", kMaxVpcsPerZone}}}, {"Count", 0}};
  }
  return json{{"Limit", {{"Type", type}, {"Value", config_.max_record_sets_per_zone}}},
              {"Count", hz->record_count}};
}

// ---- record sets ----

// One ChangeResourceRecordSets between validation and the store's answer. The batch's inspect_name
// writes `after` (it runs inside the transaction, on the writer thread, before the answer).
struct Route53Service::PendingChange {
  std::string zone_id;
  std::string request_id;
  std::shared_ptr<ChangeBatchWrite> batch;
  std::shared_ptr<std::unordered_map<std::string, std::vector<RecordSet>>> after;
  std::optional<ZoneSync::Commit> commit;  // alive from before the store call until the answer
};

std::variant<std::shared_ptr<Route53Service::PendingChange>, aws::AwsError> Route53Service::prepareChange(
    const json& in, const CallContext& ctx) {
  const std::string id = stripResourcePrefix(str(in, "HostedZoneId"), "hostedzone");
  aws::AwsError err;
  auto ref = zoneRef(id, ctx, &err);
  if (!ref.ok()) return err;
  const dns::Name& apex = ref->apex;

  auto parsed = parseChangeBatch(in.at("ChangeBatch"), apex, config_.batch_limits);
  if (!parsed.ok()) return error("InvalidInput", parsed.status().message());
  if (!parsed->messages.empty()) return aws::invalidChangeBatch(std::move(parsed->messages));

  auto p = std::make_shared<PendingChange>();
  p->zone_id = id;
  p->request_id = ctx.request_id;
  p->batch = std::make_shared<ChangeBatchWrite>();
  ChangeBatchWrite& batch = *p->batch;
  batch.change = ChangeRequest{newChangeId(), parsed->comment, clock_.now()};
  batch.writes = std::move(parsed->writes);
  batch.max_record_sets = config_.max_record_sets_per_zone;
  // The sets at every written name after the batch, from inside the transaction: both the rules that
  // span record sets and the exact RRsets to publish. The batch owns this function, so a pointer to
  // the batch stays valid whenever it runs.
  p->after = std::make_shared<std::unordered_map<std::string, std::vector<RecordSet>>>();
  batch.inspect_name = [after = p->after, self = &batch, apex = ref->apex](const dns::Name& name,
                                                                           std::span<const RecordSet> sets) {
    (*after)[name.lowercased().wireString()] = std::vector<RecordSet>(sets.begin(), sets.end());
    return checkNameAfterBatch(apex, name, sets, self->writes);
  };
  p->commit.emplace(sync_, id, ref->apex);
  return p;
}

ServiceResult Route53Service::finishChange(PendingChange& p, Result<ChangeInfo> info) {
  const std::string& id = p.zone_id;
  if (!info.ok()) {
    p.commit.reset();  // nothing to publish for this batch
    const Status& s = info.status();
    switch (s.code()) {
      case Code::kNotFound: {
        std::lock_guard lock(cache_mu_);
        zone_cache_.erase(id);
        return noSuchHostedZone(id);
      }
      case Code::kFailedPrecondition:
      case Code::kInvalidArgument:
        return aws::invalidChangeBatch({s.message()});
      case Code::kResourceExhausted:
        // dnscontrol#908: "Exceeded limit MAX_RRSETS_BY_ZONE for zone: <id>".
        return aws::invalidChangeBatch({"Exceeded limit MAX_RRSETS_BY_ZONE for zone: " + id});
      default: {
        CallContext ctx;
        ctx.request_id = p.request_id;
        return internal(s, ctx);
      }
    }
  }

  // The RRsets this batch changed, as the DNS serves them (every set identifier of a name merged).
  std::vector<zone::RRsetReplace> rrsets;
  std::set<std::pair<std::string, uint16_t>> done;
  for (const RecordSetWrite& w : p.batch->writes) {
    std::string key = w.record_set.name.lowercased().wireString();
    if (!done.emplace(key, w.record_set.type).second) continue;
    auto it = p.after->find(key);
    std::span<const RecordSet> sets;
    if (it != p.after->end()) sets = it->second;
    auto r = servedRRset(w.record_set.name, w.record_set.type, sets);
    if (!r.ok()) {
      // Validated above, so this is a bug; the zone will be reloaded from the store by ZoneSync.
      spdlog::error("route53 request {}: cannot render {}: {}", p.request_id, describeRecordSet(w.record_set),
                    r.status().toString());
      continue;
    }
    rrsets.push_back(std::move(r).value());
  }
  p.commit->committed(info->zone_version, std::move(rrsets));
  p.commit.reset();
  return json{{"ChangeInfo", changeInfoJson(*info, sync_.isServed(id, info->zone_version))}};
}

ServiceResult Route53Service::changeResourceRecordSets(const json& in, const CallContext& ctx) {
  auto prepared = prepareChange(in, ctx);
  if (auto* e = std::get_if<aws::AwsError>(&prepared)) return std::move(*e);
  std::shared_ptr<PendingChange> p = std::get<0>(std::move(prepared));
  if (!ctx.deliver) return finishChange(*p, zones_.commitChangeBatch(p->zone_id, *p->batch));
  // No thread waits for the fsync: the store answers on its writer thread, which publishes and hands
  // the result to the caller.
  zones_.commitChangeBatchAsync(
      p->zone_id, p->batch, [this, p, deliver = ctx.deliver](Result<ChangeInfo> info) {
        ServiceResult result = aws::makeAwsError(500, "InternalFailure", "We encountered an internal error.");
        try {
          result = finishChange(*p, std::move(info));
        } catch (const std::exception& e) {
          spdlog::error("route53 request {}: {}", p->request_id, e.what());
        }
        deliver(std::move(result));
      });
  return ServiceResult::deferred();
}

ServiceResult Route53Service::listResourceRecordSets(const json& in, const CallContext& ctx) {
  const std::string id = stripResourcePrefix(str(in, "HostedZoneId"), "hostedzone");
  aws::AwsError err;
  auto ref = zoneRef(id, ctx, &err);
  if (!ref.ok()) return err;
  auto max = maxItems(in);
  if (!max.ok()) return error("InvalidInput", max.status().message());
  const size_t limit = std::min(max->value_or(kMaxRecordSetsPerPage), kMaxRecordSetsPerPage);

  std::optional<RecordSetPosition> start;
  const bool has_name = in.contains("StartRecordName"), has_type = in.contains("StartRecordType"),
             has_id = in.contains("StartRecordIdentifier");
  if (has_type && !has_name)
    return error("InvalidInput", "Invalid request: StartRecordType requires StartRecordName.");
  if (has_id && !has_type)
    return error("InvalidInput", "Invalid request: StartRecordIdentifier requires StartRecordType.");
  if (has_name) {
    auto n = parseRoute53Name(str(in, "StartRecordName"));
    if (!n.ok())
      return error("InvalidInput",
                   "Invalid request: " + nameProblemMessage(str(in, "StartRecordName"), n.status()));
    start = RecordSetPosition{*n, std::nullopt, std::nullopt};
    if (has_type) {
      auto t = dns::typeFromText(str(in, "StartRecordType"));
      if (!t)
        return error("InvalidInput", "Invalid request: unknown record type " + str(in, "StartRecordType"));
      start->type = *t;
    }
    if (has_id) start->set_identifier = str(in, "StartRecordIdentifier");
  }
  auto page = zones_.listRecordSets(id, start, limit);
  if (!page.ok()) return internal(page.status(), ctx);
  json sets = json::array();
  for (const RecordSet& rs : page->record_sets) sets.push_back(recordSetToJson(rs));
  json out = {{"ResourceRecordSets", std::move(sets)},
              {"IsTruncated", page->next.has_value()},
              {"MaxItems", std::to_string(max->value_or(kMaxRecordSetsPerPage))}};
  if (page->next) {
    out["NextRecordName"] = route53NameText(page->next->name);
    if (page->next->type) out["NextRecordType"] = dns::typeToText(*page->next->type);
    if (page->next->set_identifier) out["NextRecordIdentifier"] = *page->next->set_identifier;
  }
  return out;
}

ServiceResult Route53Service::getChange(const json& in, const CallContext& ctx) {
  const std::string id = stripResourcePrefix(str(in, "Id"), "change");
  // API_GetChange.html, NoSuchChange: "A change with the specified change ID does not exist."
  auto no_such = [&] {
    return error("NoSuchChange", "A change with the specified change ID does not exist: " + id);
  };
  auto info = zones_.getChange(id);
  if (!info.ok())
    return info.status().code() == Code::kNotFound ? ServiceResult(no_such()) : internal(info.status(), ctx);
  // The change belongs to the account that owns (or owned) its zone, stored with the change so it
  // outlives the zone and a restart. A change stored before that knew no account: ask the zone.
  bool mine = !info->account_id.empty() && info->account_id == ctx.account_id;
  if (info->account_id.empty()) {
    std::lock_guard lock(cache_mu_);
    auto d = deleted_zones_.find(info->zone_id);
    if (d != deleted_zones_.end()) mine = d->second == ctx.account_id;
  }
  if (!mine) {
    aws::AwsError err;
    if (!info->account_id.empty() || !zoneRef(info->zone_id, ctx, &err).ok()) return no_such();
  }
  const bool insync =
      info->status == ChangeStatus::kInSync || sync_.isServed(info->zone_id, info->zone_version);
  return json{{"ChangeInfo", changeInfoJson(*info, insync)}};
}

}  // namespace zk::route53
