// DnsCatalog: serialized zone updates published to the DNS workers.
#include "app/dns_catalog.h"

#include <algorithm>
#include <map>

namespace zk::app {

uint64_t DnsCatalog::putZone(zone::ZonePtr zone) {
  std::lock_guard lock(write_mu_);
  return publisher_.publish(publisher_.current()->with(std::move(zone)));
}

uint64_t DnsCatalog::removeZone(const dns::Name& apex) {
  std::lock_guard lock(write_mu_);
  return publisher_.publish(publisher_.current()->without(apex));
}

Result<uint64_t> DnsCatalog::applyDelta(const dns::Name& apex, const zone::ZoneDelta& delta) {
  std::lock_guard lock(write_mu_);
  auto set = publisher_.current();
  zone::ZonePtr z = set->get(apex);
  if (!z) return notFound("no zone " + apex.toText() + " is served");
  auto next = z->apply(delta);
  if (!next.ok()) return next.status();
  return publisher_.publish(set->with(std::move(next).value()));
}

zone::ZoneDelta diffZones(const zone::Zone& old_zone, const std::vector<dns::ResourceRecord>& new_records) {
  // Key: (lowercased owner wire, type) -> (ttl, sorted rdatas).
  using Key = std::pair<std::string, uint16_t>;
  struct Set {
    dns::Name owner;
    uint32_t ttl = 0;
    std::vector<std::vector<uint8_t>> rdatas;
  };
  auto group = [](const std::vector<dns::ResourceRecord>& rrs) {
    std::map<Key, Set> m;
    for (const auto& rr : rrs) {
      auto& s = m[{rr.owner.lowercased().wireString(), rr.type}];
      if (s.rdatas.empty()) {
        s.owner = rr.owner;
        s.ttl = rr.ttl;
      }
      s.rdatas.push_back(rr.rdata);
    }
    for (auto& [k, s] : m) {
      std::sort(s.rdatas.begin(), s.rdatas.end());
      s.rdatas.erase(std::unique(s.rdatas.begin(), s.rdatas.end()), s.rdatas.end());
    }
    return m;
  };
  auto before = group(old_zone.records());
  auto after = group(new_records);
  zone::ZoneDelta delta;
  for (auto& [k, s] : after) {
    auto it = before.find(k);
    if (it != before.end() && it->second.ttl == s.ttl && it->second.rdatas == s.rdatas &&
        it->second.owner.wireString() == s.owner.wireString())
      continue;
    delta.replace.push_back(zone::RRsetReplace{s.owner, k.second, s.ttl, s.rdatas});
  }
  for (auto& [k, s] : before) {
    if (!after.count(k)) delta.replace.push_back(zone::RRsetReplace{s.owner, k.second, s.ttl, {}});
  }
  return delta;
}

}  // namespace zk::app
