// Conversion between Route 53 record sets (values in presentation form) and DNS wire records.
#pragma once

#include <span>
#include <vector>

#include "base/result.h"
#include "dns/rr.h"
#include "services/route53/store.h"
#include "zone/zone.h"

namespace zk::route53 {

// The DNS records a record set serves. Values are parsed as Route 53 does: names inside values
// are absolute with or without the trailing dot. Alias record sets (no values) yield no records.
// kInvalidArgument names the offending value.
Result<std::vector<dns::ResourceRecord>> toResourceRecords(const RecordSet& rs);

// (name, type) of an RRset, borrowing the name: a hash-map key (case-insensitive, as Name compares).
struct RRsetKey {
  const dns::Name* name;
  uint16_t type;
  bool operator==(const RRsetKey& o) const { return type == o.type && *name == *o.name; }
};
struct RRsetKeyHash {
  size_t operator()(const RRsetKey& k) const { return k.name->hash() * 31 + k.type; }
};

// Groups records into record sets by (owner, type), keeping the first-seen order of sets and of
// values; the set's TTL is its first record's.
std::vector<RecordSet> toRecordSets(const std::vector<dns::ResourceRecord>& records);

// The whole-RRset replacement that makes the DNS zone serve `rs` (an empty `rdatas` when `deleted`).
Result<zone::RRsetReplace> toRRsetReplace(const RecordSet& rs, bool deleted);

// The RRset the DNS serves for (`name`, `type`), given every record set at that name (any order).
// Record sets with set identifiers (weighted, latency, failover, ...) are served together -- the union
// of their values at the lowest TTL -- until routing policies are served; for CNAME, which allows one
// record per name (RFC 2181 §10.1), only the set with the highest weight (then the first in Route 53
// order) is served. Alias record sets serve nothing yet. No set of that type: an empty (delete) RRset.
Result<zone::RRsetReplace> servedRRset(const dns::Name& name, uint16_t type,
                                       std::span<const RecordSet> sets_at_name);

// Every DNS record a zone with these record sets serves, by the rules of servedRRset.
Result<std::vector<dns::ResourceRecord>> servedRecords(std::span<const RecordSet> record_sets);

// servedRecords for record sets streamed in the store's order (name, type, set identifier), as
// Store::scanZone hands them out: the record sets of one (name, type) must arrive together. Holds
// only one (name, type) group at a time, so loading a 1M-record zone never materialises its
// record sets. Not thread-safe.
class ServedRecordsBuilder {
 public:
  void reserve(size_t records) { out_.reserve(records); }
  Status add(RecordSet&& rs);
  Result<std::vector<dns::ResourceRecord>> finish();  // call once

 private:
  Status flush();
  std::vector<RecordSet> group_;
  std::vector<dns::ResourceRecord> out_;
};

}  // namespace zk::route53
