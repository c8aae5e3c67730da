// CatalogPublisher: zone builds, deltas and removals published through the DnsCatalog.
#include "app/catalog_publisher.h"

namespace zk::app {

Result<uint64_t> CatalogPublisher::putZone(const dns::Name& apex, std::vector<dns::ResourceRecord> records) {
  if (zone::ZonePtr current = catalog_.current()->get(apex)) {
    auto gen = catalog_.applyDelta(apex, diffZones(*current, records));
    if (gen.ok() || gen.status().code() != Code::kNotFound) return gen;
    // Removed meanwhile: build it afresh below.
  }
  auto z = zone::Zone::build(apex, std::move(records));
  if (!z.ok()) return z.status();
  return catalog_.putZone(std::move(z).value());
}

Result<uint64_t> CatalogPublisher::applyRRsets(const dns::Name& apex, const std::vector<zone::RRsetReplace>& rrsets) {
  zone::ZoneDelta delta;
  delta.replace = rrsets;
  return catalog_.applyDelta(apex, delta);
}

}  // namespace zk::app
