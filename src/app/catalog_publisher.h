// CatalogPublisher: the Route 53 service's DnsPublisher over the DNS catalog the workers read from.
#pragma once

#include <mutex>
#include <vector>

#include "app/dns_catalog.h"
#include "services/route53/dns_publisher.h"

namespace zk::app {

// Threading: thread-safe (DnsCatalog serializes its writers). putZone of a zone already served
// publishes only the difference (diffZones), so a reload costs a swap proportional to the change.
class CatalogPublisher final : public route53::DnsPublisher {
 public:
  explicit CatalogPublisher(DnsCatalog& catalog) : catalog_(catalog) {}

  // A zone served from a --zone-file: stored zones at `apex` or inside it are not published (their
  // publishes are dropped, logged), so they can never take over the file's answers.
  void reserve(const dns::Name& apex);

  Result<uint64_t> putZone(const dns::Name& apex, std::vector<dns::ResourceRecord> records) override;
  uint64_t removeZone(const dns::Name& apex) override;
  Result<uint64_t> applyRRsets(const dns::Name& apex, const std::vector<zone::RRsetReplace>& rrsets) override;
  bool isServed(uint64_t generation) const override { return catalog_.isServed(generation); }

 private:
  bool shadowed(const dns::Name& apex) const;

  DnsCatalog& catalog_;
  mutable std::mutex mu_;
  std::vector<dns::Name> reserved_;  // guarded by mu_
};

}  // namespace zk::app
