// CatalogPublisher: zone builds, deltas and removals published through the DnsCatalog.
#include "app/catalog_publisher.h"

#include <spdlog/spdlog.h>

namespace zk::app {

void CatalogPublisher::reserve(const dns::Name& apex) {
  std::lock_guard lock(mu_);
  reserved_.push_back(apex);
}

bool CatalogPublisher::shadowed(const dns::Name& apex) const {
  std::lock_guard lock(mu_);
  for (const dns::Name& r : reserved_)
    if (apex.isSubdomainOf(r)) return true;
  return false;
}

// A dropped publish returns generation 0, which every worker serves already (so GetChange is not
// left PENDING for a zone that will never be published).
Result<uint64_t> CatalogPublisher::putZone(const dns::Name& apex, std::vector<dns::ResourceRecord> records) {
  if (shadowed(apex)) {
    spdlog::warn("stored zone {} is not served: a --zone-file zone serves its names", apex.toText());
    return uint64_t{0};
  }
  if (zone::ZonePtr current = catalog_.current()->get(apex)) {
    auto gen = catalog_.applyDelta(apex, diffZones(*current, records));
    if (gen.ok() || gen.status().code() != Code::kNotFound) return gen;
    // Removed meanwhile: build it afresh below.
  }
  auto z = zone::Zone::build(apex, std::move(records));
  if (!z.ok()) return z.status();
  return catalog_.putZone(std::move(z).value());
}

uint64_t CatalogPublisher::removeZone(const dns::Name& apex) {
  if (shadowed(apex)) return 0;  // never published, and the file's zone stays
  return catalog_.removeZone(apex);
}

Result<uint64_t> CatalogPublisher::applyRRsets(const dns::Name& apex,
                                               const std::vector<zone::RRsetReplace>& rrsets) {
  if (shadowed(apex)) return uint64_t{0};
  zone::ZoneDelta delta;
  delta.replace = rrsets;
  return catalog_.applyDelta(apex, delta);
}

}  // namespace zk::app
