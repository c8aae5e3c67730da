// DnsCatalog: the one place that changes what the DNS workers serve (build/apply, then publish).
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <vector>

#include "authdns/publisher.h"
#include "base/result.h"
#include "zone/zone.h"
#include "zone/zone_set.h"

namespace zk::app {

using Publisher = authdns::BasicPublisher<zone::ZoneSet>;

// Threading: every method is thread-safe; writers are serialized by one mutex, so snapshots are
// published in the order their changes were made. The DNS workers read through the Publisher,
// never through this class.
class DnsCatalog {
 public:
  DnsCatalog() : publisher_(zone::ZoneSet::empty()) {}

  Publisher& publisher() { return publisher_; }
  zone::ZoneSetPtr current() const { return publisher_.current(); }

  // Serves `zone` (adding it or replacing the zone with the same apex). Returns the generation.
  uint64_t putZone(zone::ZonePtr zone);
  // Stops serving the zone at `apex` (no-op if absent).
  uint64_t removeZone(const dns::Name& apex);
  // Applies `delta` to the served zone at `apex` and publishes the result. kNotFound if no such zone.
  Result<uint64_t> applyDelta(const dns::Name& apex, const zone::ZoneDelta& delta);

  bool isServed(uint64_t generation) const { return publisher_.isServed(generation); }
  bool waitServed(uint64_t generation, std::chrono::milliseconds timeout) {
    return publisher_.waitServed(generation, timeout);
  }

 private:
  std::mutex write_mu_;
  Publisher publisher_;
};

// The changes that turn `old_zone` into what Zone::build(new_records) would serve, as whole-RRset
// replacements (for reloads of changed files: publishing the delta keeps the cost of the swap
// proportional to the change). An RRset is unchanged when its TTL (the lowest of its RRs, RFC 2181
// §5.2) and its RDATAs (canonical order, duplicates dropped, compared byte for byte, so a change of
// case in RDATA names counts) are equal; owner names compare case-insensitively (RFC 4343). Changed
// or new RRsets come in input order, then RRsets of names no longer present. A record apply() must
// reject (class other than IN) is returned alone in `add`, so applying the delta reports it.
// Cost: one pass over `new_records` with a trie probe per owner, one sort of the owners by hash,
// plus a walk of the snapshot only when some old name is gone; ~20 bytes per owner meanwhile.
zone::ZoneDelta diffZones(const zone::Zone& old_zone, const std::vector<dns::ResourceRecord>& new_records);

}  // namespace zk::app
