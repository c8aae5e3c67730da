// ZoneSync: keeps what the DNS workers serve equal to the stored zones, version by version.
#pragma once

// Every committed write to a hosted zone increments its version (HostedZone::version,
// ChangeInfo::zone_version). ZoneSync publishes each zone's versions to the DnsPublisher strictly in
// order, whatever order concurrent requests finish in: a committed batch hands in its version with the
// RRsets it changed; versions that arrive early wait for the missing ones. A gap that no request in
// flight will fill (a write made outside this process, e.g. `zonekeeper zone import`, or a failed
// publish) is closed by reloading the whole zone from the store. Consecutive waiting versions are
// published together as one snapshot.
//
// GetChange asks isServed(zone, version): true once a published snapshot holding that version (or a
// later one) is served by every DNS worker -- so INSYNC means dig already answers the change.
//
// Threading: thread-safe. One mutex per zone serializes publishing for that zone; the store is called
// without holding any lock except that zone's (for loadZone during a reload).

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/result.h"
#include "dns/name.h"
#include "services/route53/dns_publisher.h"
#include "services/route53/store.h"
#include "zone/zone.h"

namespace zk::route53 {

class ZoneSync {
 public:
  ZoneSync(ZoneStore& store, DnsPublisher& publisher);
  ZoneSync(const ZoneSync&) = delete;
  ZoneSync& operator=(const ZoneSync&) = delete;

  // Publishes every stored zone whose stored version differs from the one served, and stops serving
  // stored zones that were deleted. Called at start and on SIGHUP. Returns the first error (other zones
  // are still synced); a zone that fails keeps its previous snapshot.
  Status syncAll();

  // A commit to a zone in progress: construct before calling the store, then call committed() with
  // the result, or let it go out of scope on failure. While any is alive for a zone, a version gap is
  // known to be filled soon and is waited for.
  class Commit {
   public:
    Commit(ZoneSync& sync, std::string zone_id, const dns::Name& apex);
    ~Commit();
    Commit(const Commit&) = delete;
    Commit& operator=(const Commit&) = delete;
    // The batch committed as `version`, changing these RRsets. Publishes what is now in order.
    void committed(int64_t version, std::vector<zone::RRsetReplace> rrsets);

   private:
    ZoneSync& sync_;
    std::string zone_id_;
    dns::Name apex_;
    bool done_ = false;
  };

  // A zone created at `version` (1) with these records: serves it.
  void zoneCreated(const std::string& zone_id, const dns::Name& apex, int64_t version,
                   std::vector<dns::ResourceRecord> records);
  // A zone deleted by the change of `version`: stops serving it.
  void zoneDeleted(const std::string& zone_id, const dns::Name& apex, int64_t version);

  // True once every DNS worker serves the zone at `version` or later. False for zones not seen.
  bool isServed(std::string_view zone_id, int64_t version);
  // The version of the zone currently published (not necessarily served yet), or nullopt.
  std::optional<int64_t> publishedVersion(std::string_view zone_id);

 private:
  struct ZoneState {
    std::mutex mu;
    dns::Name apex;
    bool known = false;  // published_version is meaningful
    bool deleted = false;
    int64_t published_version = 0;
    int in_flight = 0;
    std::map<int64_t, std::vector<zone::RRsetReplace>> pending;  // committed, waiting for a gap
    std::deque<std::pair<int64_t, uint64_t>> unconfirmed;        // (version, generation) published
    int64_t served_version = 0;                                  // confirmed served by every worker
  };

  std::shared_ptr<ZoneState> state(std::string_view zone_id, const dns::Name* apex);
  // With st.mu held: publishes consecutive pending versions; reloads the zone when a gap cannot fill.
  void drain(const std::string& zone_id, ZoneState& st);
  // With st.mu held: serves the zone exactly as stored now.
  Status reload(const std::string& zone_id, ZoneState& st);
  void recordPublish(ZoneState& st, int64_t version, uint64_t generation);
  void pruneServed(ZoneState& st);

  ZoneStore& store_;
  DnsPublisher& publisher_;
  std::mutex map_mu_;
  std::unordered_map<std::string, std::shared_ptr<ZoneState>> zones_;  // guarded by map_mu_
  std::mutex sync_all_mu_;                                             // one syncAll() at a time
};

}  // namespace zk::route53
