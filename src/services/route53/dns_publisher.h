// DnsPublisher: how the Route 53 service makes the DNS workers serve a zone change (app implements it).
#pragma once

// The service never names the DNS server: app implements this over its DnsCatalog (build or patch an
// immutable zone snapshot, publish it to the workers). Every method returns the publish generation;
// isServed(g) is true once every DNS worker answers from generation >= g, which is what GetChange's
// INSYNC means.
//
// Threading: implementations are thread-safe; publishes are applied in call order.

#include <cstdint>
#include <vector>

#include "base/result.h"
#include "dns/name.h"
#include "dns/rr.h"
#include "zone/zone.h"

namespace zk::route53 {

class DnsPublisher {
 public:
  virtual ~DnsPublisher() = default;

  // Serves the zone at `apex` with exactly `records`, adding it or replacing the zone of that apex.
  // kInvalidArgument when the records do not form a valid zone (nothing changes then).
  virtual Result<uint64_t> putZone(const dns::Name& apex, std::vector<dns::ResourceRecord> records) = 0;
  // Stops serving the zone at `apex` (no-op if absent).
  virtual uint64_t removeZone(const dns::Name& apex) = 0;
  // Replaces whole RRsets (empty rdatas = delete) in the served zone at `apex`, in order.
  // kNotFound when no zone is served there; kInvalidArgument when the result would be invalid.
  virtual Result<uint64_t> applyRRsets(const dns::Name& apex,
                                       const std::vector<zone::RRsetReplace>& rrsets) = 0;
  // True once every DNS worker answers from generation >= `generation`.
  virtual bool isServed(uint64_t generation) const = 0;
};

}  // namespace zk::route53
