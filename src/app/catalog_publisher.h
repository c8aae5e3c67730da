// CatalogPublisher: the Route 53 service's DnsPublisher over the DNS catalog the workers read from.
#pragma once

#include <vector>

#include "app/dns_catalog.h"
#include "services/route53/dns_publisher.h"

namespace zk::app {

// Threading: thread-safe (DnsCatalog serializes its writers). putZone of a zone already served
// publishes only the difference (diffZones), so a reload costs a swap proportional to the change.
class CatalogPublisher final : public route53::DnsPublisher {
 public:
  explicit CatalogPublisher(DnsCatalog& catalog) : catalog_(catalog) {}

  Result<uint64_t> putZone(const dns::Name& apex, std::vector<dns::ResourceRecord> records) override;
  uint64_t removeZone(const dns::Name& apex) override { return catalog_.removeZone(apex); }
  Result<uint64_t> applyRRsets(const dns::Name& apex, const std::vector<zone::RRsetReplace>& rrsets) override;
  bool isServed(uint64_t generation) const override { return catalog_.isServed(generation); }

 private:
  DnsCatalog& catalog_;
};

}  // namespace zk::app
