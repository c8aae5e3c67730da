// ZoneSet copy-on-write updates and its apex hash index.
#include "zone/zone_set.h"

#include <algorithm>

namespace zk::zone {

void ZoneSet::index() {
  size_t cap = 8;
  while (cap < zones_.size() * 2 + 2) cap <<= 1;
  table_.assign(cap, nullptr);
  mask_ = cap - 1;
  count_ = zones_.size();
  max_labels_ = 0;
  for (const ZonePtr& z : zones_) {
    max_labels_ = std::max(max_labels_, z->apexLabelCount());
    for (size_t s = z->apexHash() & mask_;; s = (s + 1) & mask_) {
      if (table_[s] == nullptr) {
        table_[s] = z.get();
        break;
      }
    }
  }
}

ZoneSetPtr ZoneSet::with(ZonePtr zone) const {
  auto next = std::make_shared<ZoneSet>();
  next->zones_.reserve(zones_.size() + 1);
  bool placed = false;
  for (const ZonePtr& z : zones_) {
    int c = canonicalNameCompare(z->apex().wire(), zone->apex().wire());
    if (!placed && c >= 0) {
      next->zones_.push_back(zone);
      placed = true;
      if (c == 0) continue;  // replaced
    }
    next->zones_.push_back(z);
  }
  if (!placed) next->zones_.push_back(std::move(zone));
  next->index();
  return next;
}

ZoneSetPtr ZoneSet::without(const dns::Name& apex) const {
  auto next = std::make_shared<ZoneSet>();
  for (const ZonePtr& z : zones_)
    if (!(z->apex() == apex)) next->zones_.push_back(z);
  next->index();
  return next;
}

const Zone* ZoneSet::findZone(std::span<const uint8_t> qname_wire) const {
  LookupName ln;
  if (!ln.assign(qname_wire.data(), qname_wire.size())) return nullptr;
  return findZone(ln);
}

ZonePtr ZoneSet::get(const dns::Name& apex) const {
  for (const ZonePtr& z : zones_)
    if (z->apex() == apex) return z;
  return nullptr;
}

}  // namespace zk::zone
