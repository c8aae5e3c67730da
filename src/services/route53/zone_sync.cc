// ZoneSync: in-order publishing of zone versions to the DNS, gap repair by reload, INSYNC tracking.
#include "services/route53/zone_sync.h"

#include <spdlog/spdlog.h>

#include <set>

#include "services/route53/records.h"

namespace zk::route53 {

ZoneSync::ZoneSync(ZoneStore& store, DnsPublisher& publisher) : store_(store), publisher_(publisher) {}

std::shared_ptr<ZoneSync::ZoneState> ZoneSync::state(std::string_view zone_id, const dns::Name* apex) {
  std::lock_guard lock(map_mu_);
  auto it = zones_.find(std::string(zone_id));
  if (it != zones_.end()) return it->second;
  if (apex == nullptr) return nullptr;
  auto st = std::make_shared<ZoneState>();
  st->apex = *apex;
  zones_.emplace(std::string(zone_id), st);
  return st;
}

void ZoneSync::pruneServed(ZoneState& st) {
  while (!st.unconfirmed.empty() && publisher_.isServed(st.unconfirmed.front().second)) {
    st.served_version = std::max(st.served_version, st.unconfirmed.front().first);
    st.unconfirmed.pop_front();
  }
}

void ZoneSync::recordPublish(ZoneState& st, int64_t version, uint64_t generation) {
  st.unconfirmed.emplace_back(version, generation);
  pruneServed(st);
}

Status ZoneSync::reload(const std::string& zone_id, ZoneState& st) {
  // Stream the record sets (store order groups each name and type) straight into served records:
  // a 1M-record zone never exists as a vector of RecordSet, which took seconds and ~1 GB.
  ServedRecordsBuilder builder;
  auto scanned = store_.scanZone(zone_id, [&](RecordSet&& rs) { return builder.add(std::move(rs)); });
  if (!scanned.ok()) {
    if (scanned.status().code() == Code::kNotFound) {
      // Deleted outside this process (or before its delete was noted): stop serving it.
      if (st.known && !st.deleted)
        recordPublish(st, st.published_version + 1, publisher_.removeZone(st.apex));
      st.deleted = true;
      st.known = true;
      st.pending.clear();
      return Status();
    }
    return scanned.status();
  }
  const HostedZone& zone = *scanned;
  auto records = builder.finish();
  if (!records.ok())
    return Status(records.status().code(), "zone " + zone.name.toText() + ": " + records.status().message());
  auto gen = publisher_.putZone(zone.name, std::move(records).value());
  if (!gen.ok())
    return Status(gen.status().code(), "zone " + zone.name.toText() + ": " + gen.status().message());
  st.apex = zone.name;
  st.known = true;
  st.deleted = false;
  st.published_version = zone.version;
  recordPublish(st, st.published_version, *gen);
  st.pending.erase(st.pending.begin(), st.pending.upper_bound(st.published_version));
  return Status();
}

void ZoneSync::drain(const std::string& zone_id, ZoneState& st) {
  if (st.deleted) {
    st.pending.clear();
    return;
  }
  if (!st.known) {
    Status s = reload(zone_id, st);
    if (!s.isOk()) spdlog::error("DNS sync of hosted zone {}: {}", zone_id, s.toString());
    return;
  }
  st.pending.erase(st.pending.begin(), st.pending.upper_bound(st.published_version));
  int64_t last = st.published_version;
  std::vector<zone::RRsetReplace> merged;
  while (!st.pending.empty() && st.pending.begin()->first == last + 1) {
    auto node = st.pending.extract(st.pending.begin());
    for (auto& r : node.mapped()) merged.push_back(std::move(r));
    ++last;
  }
  if (last > st.published_version) {
    auto gen = publisher_.applyRRsets(st.apex, merged);
    if (gen.ok()) {
      st.published_version = last;
      recordPublish(st, last, *gen);
    } else {
      spdlog::error("DNS update of zone {} ({}) failed, reloading it: {}", st.apex.toText(), zone_id,
                    gen.status().toString());
      Status s = reload(zone_id, st);
      if (!s.isOk()) spdlog::error("DNS reload of hosted zone {}: {}", zone_id, s.toString());
      return;
    }
  }
  if (!st.pending.empty() && st.in_flight == 0) {
    // A version nobody in this process will hand in (written by another process): reload.
    Status s = reload(zone_id, st);
    if (!s.isOk()) spdlog::error("DNS reload of hosted zone {}: {}", zone_id, s.toString());
  }
}

ZoneSync::Commit::Commit(ZoneSync& sync, std::string zone_id, const dns::Name& apex)
    : sync_(sync), zone_id_(std::move(zone_id)), apex_(apex) {
  auto st = sync_.state(zone_id_, &apex_);
  std::lock_guard lock(st->mu);
  ++st->in_flight;
}

ZoneSync::Commit::~Commit() {
  if (done_) return;
  auto st = sync_.state(zone_id_, &apex_);
  std::lock_guard lock(st->mu);
  --st->in_flight;
  if (!st->pending.empty()) sync_.drain(zone_id_, *st);
}

void ZoneSync::Commit::committed(int64_t version, std::vector<zone::RRsetReplace> rrsets) {
  auto st = sync_.state(zone_id_, &apex_);
  std::lock_guard lock(st->mu);
  --st->in_flight;
  done_ = true;
  if (st->deleted || (st->known && version <= st->published_version)) return;
  st->pending[version] = std::move(rrsets);
  sync_.drain(zone_id_, *st);
}

void ZoneSync::zoneCreated(const std::string& zone_id, const dns::Name& apex, int64_t version,
                           std::vector<dns::ResourceRecord> records) {
  auto st = state(zone_id, &apex);
  std::lock_guard lock(st->mu);
  if (st->known && st->published_version >= version) return;
  auto gen = publisher_.putZone(apex, std::move(records));
  if (!gen.ok()) {
    spdlog::error("DNS: cannot serve new zone {} ({}): {}", apex.toText(), zone_id, gen.status().toString());
    return;
  }
  st->apex = apex;
  st->known = true;
  st->deleted = false;
  st->published_version = version;
  recordPublish(*st, version, *gen);
  drain(zone_id, *st);
}

void ZoneSync::zoneDeleted(const std::string& zone_id, const dns::Name& apex, int64_t version) {
  auto st = state(zone_id, &apex);
  std::lock_guard lock(st->mu);
  uint64_t gen = publisher_.removeZone(st->apex);
  st->deleted = true;
  st->known = true;
  st->pending.clear();
  st->published_version = std::max(st->published_version, version);
  recordPublish(*st, st->published_version, gen);
}

bool ZoneSync::isServed(std::string_view zone_id, int64_t version) {
  auto st = state(zone_id, nullptr);
  if (!st) return false;
  std::lock_guard lock(st->mu);
  pruneServed(*st);
  return st->served_version >= version;
}

std::optional<int64_t> ZoneSync::publishedVersion(std::string_view zone_id) {
  auto st = state(zone_id, nullptr);
  if (!st) return std::nullopt;
  std::lock_guard lock(st->mu);
  if (!st->known) return std::nullopt;
  return st->published_version;
}

Status ZoneSync::syncAll() {
  std::lock_guard all(sync_all_mu_);
  auto zones = store_.allHostedZones();
  if (!zones.ok()) return zones.status();
  Status first;
  std::set<std::string> stored;
  for (const HostedZone& hz : *zones) {
    stored.insert(hz.id);
    auto st = state(hz.id, &hz.name);
    std::lock_guard lock(st->mu);
    if (st->known && !st->deleted && st->published_version >= hz.version) continue;
    Status s = reload(hz.id, *st);
    if (!s.isOk() && first.isOk()) first = s;
  }
  std::vector<std::pair<std::string, std::shared_ptr<ZoneState>>> others;
  {
    std::lock_guard lock(map_mu_);
    for (auto& [id, st] : zones_)
      if (!stored.count(id)) others.emplace_back(id, st);
  }
  for (auto& [id, st] : others) {
    std::lock_guard lock(st->mu);
    if (!st->known || st->deleted) continue;
    // Created after the listing above, or deleted by another process? Ask the store.
    auto hz = store_.getHostedZone(id);
    if (hz.ok() || hz.status().code() != Code::kNotFound) continue;
    Status s = reload(id, *st);  // finds it gone and stops serving it
    if (!s.isOk() && first.isOk()) first = s;
  }
  return first;
}

}  // namespace zk::route53
