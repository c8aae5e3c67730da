// Conversion between Route 53 record sets (values in presentation form) and DNS wire records.
#pragma once

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

// Groups records into record sets by (owner, type), keeping the first-seen order of sets and of
// values; the set's TTL is its first record's.
std::vector<RecordSet> toRecordSets(const std::vector<dns::ResourceRecord>& records);

// The whole-RRset replacement that makes the DNS zone serve `rs` (an empty `rdatas` when `deleted`).
Result<zone::RRsetReplace> toRRsetReplace(const RecordSet& rs, bool deleted);

}  // namespace zk::route53
