// ZoneSet: an immutable set of zone snapshots with longest-suffix lookup of the zone for a query name.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "dns/name.h"
#include "zone/lookup_name.h"
#include "zone/zone.h"

namespace zk::zone {

class ZoneSet;
using ZoneSetPtr = std::shared_ptr<const ZoneSet>;

// The zones served at one instant. Immutable: with()/without() return new sets sharing the Zone
// snapshots (O(number of zones), not O(records)). Threading: safe to read from any number of threads.
class ZoneSet {
 public:
  ZoneSet() = default;
  static ZoneSetPtr empty() { return std::make_shared<const ZoneSet>(); }

  // A copy with `zone` added, or replacing the zone with the same apex.
  ZoneSetPtr with(ZonePtr zone) const;
  // A copy without the zone at `apex` (unchanged copy if absent).
  ZoneSetPtr without(const dns::Name& apex) const;

  // The zone with the longest apex that is a suffix of `qname` (wire, any case), or null.
  const Zone* findZone(std::span<const uint8_t> qname_wire) const;
  // Hot path: probes one hash table slot per candidate suffix of an already-lowercased name,
  // longest first, starting at the longest apex served. No allocation.
  const Zone* findZone(const LookupName& qname) const {
    if (count_ == 0) return nullptr;
    size_t labels = qname.labelCount();
    size_t first = labels > max_labels_ ? labels - max_labels_ : 0;
    for (size_t i = first; i <= labels; ++i) {
      uint64_t h = qname.suffixHash(i);
      for (size_t s = h & mask_;; s = (s + 1) & mask_) {
        const Zone* z = table_[s];
        if (z == nullptr) break;
        if (z->apexHash() == h && z->apexLabelCount() == labels - i && z->contains(qname)) return z;
      }
    }
    return nullptr;
  }

  ZonePtr get(const dns::Name& apex) const;
  // In canonical order of their apexes.
  std::vector<ZonePtr> zones() const { return zones_; }
  size_t size() const { return zones_.size(); }

 private:
  void index();
  std::vector<ZonePtr> zones_;      // canonical order of apex
  std::vector<const Zone*> table_;  // open addressing by apex hash, load <= 1/2
  size_t mask_ = 0;
  size_t count_ = 0;
  size_t max_labels_ = 0;
};

}  // namespace zk::zone
