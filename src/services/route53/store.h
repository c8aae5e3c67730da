// Store interfaces the Route 53 service needs: hosted zones, record sets, change batches, tags.
#pragma once

// Owned by the Route 53 service, implemented by storage/* (storage/sqlite today); only app names an
// implementation. Header-only and self-contained: depends on base and dns only.
//
// Threading: every implementation is thread-safe; any method may be called from any thread.
// Durability: a write method returns only after its effect is durable (fsync'd), so an
// acknowledged write survives `kill -9` and a crash; a failed write leaves no trace.
// Errors: methods return Status/Result with canonical codes; each method's comment lists its codes.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "dns/name.h"
#include "dns/types.h"

namespace zk::route53 {

using Timestamp = std::chrono::system_clock::time_point;

// ---------------------------------------------------------------------------------------------
// Names in Route 53's stored form and order.

// A name as Route 53 stores and returns it: letters lowercased, a-z 0-9 '-' '_' as themselves,
// every other octet as a three-digit octal escape (so '*' is "\052"), labels joined by '.', with
// the trailing dot; the root is ".".
// https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DomainNameFormat.html ("If the domain
// name includes any characters other than a to z, 0 to 9, - (hyphen), or _ (underscore), Route 53
// API actions return the characters as escape codes in the format \three-digit octal code").
inline void appendRoute53Label(std::string& out, std::string_view label) {
  for (char ch : label) {
    auto c = static_cast<uint8_t>(dns::asciiLower(static_cast<uint8_t>(ch)));
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('\\');
      out.push_back(static_cast<char>('0' + ((c >> 6) & 7)));
      out.push_back(static_cast<char>('0' + ((c >> 3) & 7)));
      out.push_back(static_cast<char>('0' + (c & 7)));
    }
  }
}

inline std::vector<std::string_view> route53Labels(const dns::Name& name) {
  std::vector<std::string_view> labels;
  const std::string& w = name.wireString();
  size_t pos = 0;
  while (pos < w.size() && w[pos] != 0) {
    size_t len = static_cast<uint8_t>(w[pos]);
    labels.emplace_back(w.data() + pos + 1, len);
    pos += 1 + len;
  }
  return labels;
}

inline std::string route53NameText(const dns::Name& name) {
  if (name.isRoot()) return ".";
  std::string out;
  out.reserve(name.wireLength() + 8);
  for (std::string_view label : route53Labels(name)) {
    appendRoute53Label(out, label);
    out.push_back('.');
  }
  return out;
}

// The key Route 53 sorts names by: labels in reverse order, each in the stored (escaped,
// lowercase) form followed by '.', compared as ASCII bytes. "www.example.com" -> "com.example.www.".
// The trailing dot matters: '-' (45) sorts before '.' (46), so "a-b.example.com" precedes
// "a.example.com" -- unlike DNSSEC canonical order (dns::Name::canonicalCompare).
// https://docs.aws.amazon.com/Route53/latest/APIReference/API_ListResourceRecordSets.html (Sort order)
// https://docs.aws.amazon.com/Route53/latest/APIReference/API_ListHostedZonesByName.html ("The
// labels are reversed and alphabetized using the escaped value").
inline std::string route53NameKey(const dns::Name& name) {
  std::vector<std::string_view> labels = route53Labels(name);
  std::string out;
  out.reserve(name.wireLength() + 8);
  for (auto it = labels.rbegin(); it != labels.rend(); ++it) {
    appendRoute53Label(out, *it);
    out.push_back('.');
  }
  return out;
}

// Record sets with the same name sort by record type, lexicographically by its mnemonic ("A" <
// "AAAA" < "CNAME" < "MX" < "NS" < "SOA" < "TXT"). Route 53 API reference for ListResourceRecordSets,
// 2013-04-01 service description as shipped in SDKs until 2016: "sorted lexicographically first by
// DNS name (with the labels reversed ...), and secondarily, lexicographically by record type".
inline std::string route53TypeKey(uint16_t type) { return dns::typeToText(type); }

// ---------------------------------------------------------------------------------------------
// Entities.

// A hosted zone (Route 53 HostedZone + its DelegationSet). A value type.
struct HostedZone {
  std::string id;                // "Z" + 13..21 upper-case alphanumerics, without "/hostedzone/"
  std::string account_id;        // 12 digits; zones imported before accounts exist may use any id
  dns::Name name;                // the zone apex
  std::string caller_reference;  // unique per account, forever (never reused after a delete)
  std::string comment;
  bool private_zone = false;
  std::vector<std::string> name_servers;  // the delegation set, in order
  std::string delegation_set_id;          // empty when none
  Timestamp created_at{};
  // Computed by the store (ignored on create):
  int64_t record_count = 0;  // resource record sets in the zone (ResourceRecordSetCount)
  int64_t version = 0;       // committed writes to the zone's records; creation makes it 1
};

// Route 53 AliasTarget, stored as given.
struct AliasTarget {
  std::string hosted_zone_id;
  std::string dns_name;
  bool evaluate_target_health = false;

  bool operator==(const AliasTarget&) const = default;
};

// A resource record set as Route 53 models it. Its identity within a zone is
// (name case-insensitively, type, set_identifier). Routing-policy fields are stored and returned
// verbatim (JSON objects as opaque text) so they round-trip before any routing policy is served.
struct RecordSet {
  dns::Name name;
  uint16_t type = 0;
  std::string set_identifier;       // empty for simple routing
  uint32_t ttl = 0;                 // unused (0) for alias record sets
  std::vector<std::string> values;  // ResourceRecord/Value strings, presentation form, in order
  std::optional<int64_t> weight;
  std::optional<std::string> region;
  std::optional<std::string> failover;  // "PRIMARY" | "SECONDARY"
  std::optional<bool> multivalue_answer;
  std::optional<std::string> health_check_id;
  std::optional<std::string> traffic_policy_instance_id;
  std::optional<std::string> geo_location;           // JSON text of GeoLocation
  std::optional<std::string> geoproximity_location;  // JSON text of GeoProximityLocation
  std::optional<std::string> cidr_routing_config;    // JSON text of CidrRoutingConfig
  std::optional<AliasTarget> alias;

  // Field-by-field equality (names case-insensitive, values in order).
  bool operator==(const RecordSet&) const = default;
};

// Whether `current` is what a DELETE naming `requested` must match exactly (Route 53: "the values
// provided do not match the current values"): every field equal, values compared as multisets.
inline bool recordSetMatches(const RecordSet& current, const RecordSet& requested) {
  if (!(current.name == requested.name) || current.type != requested.type ||
      current.set_identifier != requested.set_identifier)
    return false;
  if (current.alias.has_value() != requested.alias.has_value()) return false;
  if (!current.alias && current.ttl != requested.ttl) return false;
  if (current.alias && !(*current.alias == *requested.alias)) return false;
  std::vector<std::string> a = current.values, b = requested.values;
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return a == b && current.weight == requested.weight && current.region == requested.region &&
         current.failover == requested.failover && current.multivalue_answer == requested.multivalue_answer &&
         current.health_check_id == requested.health_check_id &&
         current.traffic_policy_instance_id == requested.traffic_policy_instance_id &&
         current.geo_location == requested.geo_location &&
         current.geoproximity_location == requested.geoproximity_location &&
         current.cidr_routing_config == requested.cidr_routing_config;
}

// "[name='www.example.com.', type='A']" or "[name='...', type='A', set-identifier='x']", as in
// Route 53's InvalidChangeBatch messages.
inline std::string describeRecordSet(const RecordSet& rs) {
  std::string s = "[name='" + route53NameText(rs.name) + "', type='" + route53TypeKey(rs.type) + "'";
  if (!rs.set_identifier.empty()) s += ", set-identifier='" + rs.set_identifier + "'";
  return s + "]";
}

enum class ChangeStatus { kPending, kInSync };

inline std::string_view changeStatusText(ChangeStatus s) {
  return s == ChangeStatus::kPending ? "PENDING" : "INSYNC";
}

// Route 53 ChangeInfo: what CreateHostedZone, ChangeResourceRecordSets, DeleteHostedZone and
// GetChange return.
struct ChangeInfo {
  std::string id;  // "C" + upper-case alphanumerics, without "/change/"
  std::string zone_id;
  ChangeStatus status = ChangeStatus::kPending;
  Timestamp submitted_at{};
  std::string comment;
  // The zone's version once this change was applied (HostedZone::version). The service publishes
  // DNS snapshots in this order; the DNS publish generation itself is not stored.
  int64_t zone_version = 0;
  // The account that owned the zone when the change was made, kept after the zone is deleted: GetChange
  // answers for every change id ever returned, in that account only. Empty for a change stored
  // before schema 6 whose zone was already gone.
  std::string account_id;
};

// Identity of a change the caller is about to commit (the service generates ids and times).
struct ChangeRequest {
  std::string id;
  std::string comment;
  Timestamp submitted_at{};
};

enum class WriteAction {
  kCreate,  // fails if a record set with the same identity exists
  kUpsert,  // creates or replaces
  kDelete,  // fails unless a record set with the same identity exists and matches exactly
};

struct RecordSetWrite {
  WriteAction action = WriteAction::kUpsert;
  RecordSet record_set;
};

// One ChangeResourceRecordSets request, already validated by the service. Writes apply in order
// (so DELETE then CREATE of the same record set is a replacement), all or nothing.
struct ChangeBatchWrite {
  ChangeRequest change;
  std::vector<RecordSetWrite> writes;
  // When set, the batch fails with kResourceExhausted if it would leave the zone with more record
  // sets than this (and more than before: a zone above a lowered limit may still shrink).
  std::optional<int64_t> max_record_sets;
  // Optional check run inside the batch's transaction once every write is applied: called once per
  // distinct name the batch writes (case-insensitively; in order of first write) with every record
  // set at that name after the batch, in Route 53 order. A non-ok Status fails the whole batch with
  // that Status. Lets the service enforce rules that span record sets (CNAME beside other data,
  // simple beside weighted) without races between concurrent batches, and learn the resulting sets.
  // Runs on the store's writer thread: it must be quick, must not call into the store, and may run
  // more than once for one batch (so it must write its outputs by assignment).
  std::function<Status(const dns::Name& name, std::span<const RecordSet> sets_at_name)> inspect_name;
};

// A position in ListResourceRecordSets order (StartRecordName/Type/Identifier; also
// NextRecordName/Type/Identifier). The position is inclusive: listing starts at the first record
// set >= (name, type, set_identifier), comparing only the fields that are present.
struct RecordSetPosition {
  dns::Name name;
  std::optional<uint16_t> type;
  std::optional<std::string> set_identifier;
};

struct RecordSetPage {
  std::vector<RecordSet> record_sets;
  std::optional<RecordSetPosition> next;  // the first record set of the next page; none at the end
};

struct HostedZonePage {
  std::vector<HostedZone> zones;
  std::optional<std::string> next_marker;  // id of the first zone of the next page
};

struct HostedZonesByNamePage {
  std::vector<HostedZone> zones;
  std::optional<dns::Name> next_dns_name;  // set together with next_zone_id when truncated
  std::optional<std::string> next_zone_id;
};

// A zone with all its record sets read in one consistent snapshot (record_sets in Route 53 order).
struct ZoneData {
  HostedZone zone;
  std::vector<RecordSet> record_sets;
};

// ---------------------------------------------------------------------------------------------
// Hosted zones, record sets and changes.
class ZoneStore {
 public:
  virtual ~ZoneStore() = default;

  // Creates the zone with its initial record sets (SOA and NS, or a whole imported zone) and a
  // PENDING change, atomically. The zone's version becomes 1.
  // kAlreadyExists: the zone id or the change id exists, or the account used the caller reference
  // before (even for a zone deleted since).
  // kFailedPrecondition: a zone of ANOTHER account has this name or is a parent or a child of this
  // one (one DNS server answers for every zone, so its names would be answered from the wrong
  // account's zone). Checked inside the create's transaction, so two concurrent creates cannot race.
  // Zones of one account may nest, and may share a name (the service refuses the latter).
  // kInvalidArgument: a record set lies outside the zone, or two share an identity.
  virtual Result<ChangeInfo> createHostedZone(const HostedZone& zone,
                                              std::span<const RecordSet> initial_record_sets,
                                              const ChangeRequest& change) = 0;

  // kNotFound when no zone has this id (in any account: callers check account_id).
  virtual Result<HostedZone> getHostedZone(std::string_view zone_id) = 0;
  // kNotFound when the account has no zone with this caller reference.
  virtual Result<HostedZone> findHostedZoneByCallerReference(std::string_view account_id,
                                                             std::string_view caller_reference) = 0;
  // Whether the account ever created a zone with this caller reference, including zones deleted
  // since: Route 53 never accepts a caller reference twice. createHostedZone enforces it (in its
  // transaction); this lets the service answer early.
  virtual Result<bool> callerReferenceUsed(std::string_view account_id,
                                           std::string_view caller_reference) = 0;

  // ListHostedZones: the account's zones ordered by id (byte order; Route 53 leaves the order
  // unspecified and pages by zone id), starting at the first id >= `marker` ("" = from the start),
  // at most `max_items` (>= 1).
  virtual Result<HostedZonePage> listHostedZones(std::string_view account_id, std::string_view marker,
                                                 size_t max_items) = 0;
  // ListHostedZonesByName: ordered by (route53NameKey(name), id), starting at the first zone whose
  // name >= `dns_name` (a start point, not a filter) and, when `zone_id` is non-empty, whose
  // (name, id) >= (dns_name, zone_id).
  virtual Result<HostedZonesByNamePage> listHostedZonesByName(std::string_view account_id,
                                                              const std::optional<dns::Name>& dns_name,
                                                              std::string_view zone_id, size_t max_items) = 0;
  // Every zone of every account, ordered by (name key, id): for loading DNS snapshots at start and
  // for the CLI's `zone list`.
  virtual Result<std::vector<HostedZone>> allHostedZones() = 0;
  virtual Result<int64_t> countHostedZones(std::string_view account_id) = 0;

  // UpdateHostedZoneComment. Returns the updated zone. kNotFound.
  virtual Result<HostedZone> updateHostedZoneComment(std::string_view zone_id, std::string_view comment) = 0;

  // DeleteHostedZone: removes the zone, its record sets and its tags, and records a PENDING change.
  // Unless `force`, fails with kFailedPrecondition ("HostedZoneNotEmpty") while any record set other
  // than the apex SOA and NS (without set identifier) remains -- checked inside the transaction.
  // kNotFound; kAlreadyExists (change id).
  virtual Result<ChangeInfo> deleteHostedZone(std::string_view zone_id, const ChangeRequest& change,
                                              bool force = false) = 0;

  // ChangeResourceRecordSets: applies the batch in ONE transaction, durable before returning, and
  // records a PENDING change carrying the zone's new version. A failed batch leaves no trace.
  // kNotFound: no such zone. kFailedPrecondition: a CREATE found the record set, or a DELETE did not
  // find it or found other values (message in Route 53's InvalidChangeBatch wording).
  // kInvalidArgument: a name outside the zone. kResourceExhausted: max_record_sets exceeded.
  // kAlreadyExists: the change id exists.
  virtual Result<ChangeInfo> commitChangeBatch(std::string_view zone_id, const ChangeBatchWrite& batch) = 0;
  // The same without a thread waiting for the commit: `done` gets exactly what commitChangeBatch
  // would return, once, after the batch is durable (or failed). It may run on the calling thread
  // before this returns, or on another thread (the store's writer thread, right after the commit;
  // it must then be quick and must not call the store's write methods: hand longer work on).
  // `batch` is kept alive until `done` has run. The default calls commitChangeBatch.
  using ChangeDone = std::function<void(Result<ChangeInfo>)>;
  virtual void commitChangeBatchAsync(std::string zone_id, std::shared_ptr<const ChangeBatchWrite> batch,
                                      ChangeDone done) {
    done(commitChangeBatch(zone_id, *batch));
  }

  // ListResourceRecordSets in Route 53 order: (route53NameKey, route53TypeKey, set_identifier).
  // `start` absent = from the first record set. At most `max_items` (>= 1). Does not check that
  // the zone exists (an unknown zone lists empty).
  virtual Result<RecordSetPage> listRecordSets(std::string_view zone_id,
                                               const std::optional<RecordSetPosition>& start,
                                               size_t max_items) = 0;
  // The record sets at `name` (of `type` when given), every set identifier, in Route 53 order.
  // Empty when none.
  virtual Result<std::vector<RecordSet>> getRecordSets(std::string_view zone_id, const dns::Name& name,
                                                       std::optional<uint16_t> type) = 0;
  // The zone and all its record sets from one consistent read (for building a DNS snapshot).
  // kNotFound.
  virtual Result<ZoneData> loadZone(std::string_view zone_id) = 0;
  // The same without holding every record set in memory: calls `fn` for each record set in Route 53
  // order, from the same consistent read as the returned zone. Stops at the first non-ok Status
  // from `fn` and returns it. `fn` runs on the calling thread and must not call back into the store.
  virtual Result<HostedZone> scanZone(std::string_view zone_id,
                                      const std::function<Status(RecordSet&&)>& fn) = 0;

  // GetChange. kNotFound ("NoSuchChange").
  virtual Result<ChangeInfo> getChange(std::string_view change_id) = 0;
  // Records that every DNS worker serves these changes. Unknown ids are ignored. Not needed for
  // correctness after a restart: call markAllChangesInSync() once the zones are loaded and served.
  virtual Status markChangesInSync(std::span<const std::string> change_ids) = 0;
  virtual Status markAllChangesInSync() = 0;
};

// ---------------------------------------------------------------------------------------------
// Tags (ChangeTagsForResource, ListTagsForResource(s)).

using TagMap = std::map<std::string, std::string>;

struct ResourceTags {
  std::string resource_type;  // "hostedzone" | "healthcheck"
  std::string resource_id;
  TagMap tags;
};

class TagStore {
 public:
  virtual ~TagStore() = default;

  // The resource's tags; empty when none (the store does not check that the resource exists).
  virtual Result<TagMap> listTags(std::string_view resource_type, std::string_view resource_id) = 0;
  // One entry per id, in the order given.
  virtual Result<std::vector<ResourceTags>> listTagsForResources(
      std::string_view resource_type, std::span<const std::string> resource_ids) = 0;
  // Removes `remove_keys`, then adds/overwrites `add`, atomically and durably. With `max_tags`,
  // fails with kResourceExhausted if the resource would end with more tags than that.
  virtual Status changeTags(std::string_view resource_type, std::string_view resource_id, const TagMap& add,
                            std::span<const std::string> remove_keys,
                            std::optional<size_t> max_tags = std::nullopt) = 0;
};

}  // namespace zk::route53
