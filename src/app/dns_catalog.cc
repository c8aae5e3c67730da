// DnsCatalog: serialized zone updates published to the DNS workers.
#include "app/dns_catalog.h"

#include <algorithm>
#include <span>
#include <unordered_map>
#include <utility>

#include "dns/types.h"
#include "zone/lookup_name.h"
#include "zone/node.h"

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

namespace {

// Case-insensitive equality of two wire names of the same length (RFC 4343).
bool ciEqual(const uint8_t* a, const uint8_t* b, size_t len) {
  for (size_t i = 0; i < len; ++i)
    if (dns::asciiLower(a[i]) != dns::asciiLower(b[i])) return false;
  return true;
}

}  // namespace

zone::ZoneDelta diffZones(const zone::Zone& old_zone, const std::vector<dns::ResourceRecord>& new_records) {
  // One pass over the new records in input order against the live snapshot, in the manner of
  // Zone::build: no map over the whole zone and no export of the old one (which is what made a
  // reload of a 1M-record zone take 25 s and 800 MiB). Cost O(n) hashing and trie probes plus one
  // sort of the owner runs by hash; extra memory ~20 bytes per owner name, freed on return.
  zone::ZoneDelta delta;
  const size_t n = new_records.size();
  if (n >= 0xFFFFFFFFu) {
    // Beyond the uint32 indexes below and beyond what Zone::build accepts (unreachable in practice:
    // hundreds of GB of records). Return a delta that apply() rejects, so the reload fails safely.
    dns::ResourceRecord too_many = new_records.front();
    too_many.klass = dns::rrclass::kNONE;
    delta.add.push_back(std::move(too_many));
    return delta;
  }

  // Pass 1, input order: hash each owner; cut the input into runs of records with the same owner.
  std::vector<uint32_t> runs;                        // start of each run
  std::vector<std::pair<uint64_t, uint32_t>> heads;  // (owner hash, run), sorted in pass 2
  runs.reserve(n / 2 + 1);
  heads.reserve(n / 2 + 1);
  {
    zone::LookupName ln;
    uint64_t prev_hash = 0;
    for (size_t i = 0; i < n; ++i) {
      const dns::ResourceRecord& r = new_records[i];
      if (r.klass != dns::rrclass::kIN || !ln.assign(r.owner)) {
        // Not storable in the zone: hand it to apply(), which rejects it with the precise reason
        // (the reload then fails and the previous version stays served).
        return zone::ZoneDelta{{}, {r}, {}};
      }
      if (i == 0 || ln.hash() != prev_hash || !(r.owner == new_records[i - 1].owner)) {
        heads.emplace_back(ln.hash(), uint32_t(runs.size()));
        runs.push_back(uint32_t(i));
      }
      prev_hash = ln.hash();
    }
  }
  const size_t nruns = runs.size();
  runs.push_back(uint32_t(n));
  auto run_owner = [&](uint32_t run) -> const dns::Name& { return new_records[runs[run]].owner; };

  // Pass 2: run heads by hash; an owner whose records are not adjacent in the input has several
  // runs, which end up as neighbours here: the later ones are attached to its first run.
  std::sort(heads.begin(), heads.end());
  std::vector<bool> secondary;
  std::unordered_map<uint32_t, std::vector<uint32_t>> extra_runs;  // first run -> later runs
  for (size_t i = 0; i + 1 < heads.size();) {
    size_t j = i + 1;
    while (j < heads.size() && heads[j].first == heads[i].first) ++j;
    for (size_t x = i; x + 1 < j; ++x) {
      uint32_t rx = heads[x].second;
      if (!secondary.empty() && secondary[rx]) continue;
      for (size_t y = x + 1; y < j; ++y) {
        uint32_t ry = heads[y].second;
        if ((!secondary.empty() && secondary[ry]) || !(run_owner(rx) == run_owner(ry))) continue;
        if (secondary.empty()) secondary.assign(nruns, false);
        secondary[ry] = true;  // sorted by (hash, run): rx is the owner's first run
        extra_runs[rx].push_back(ry);
      }
    }
    i = j;
  }

  // Pass 3, input order: per owner, its new RRsets (sorted by type, RDATA in canonical order,
  // duplicates dropped keeping the first, lowest TTL: exactly what Zone::build renders) against
  // the node of the same name in the snapshot. The old nodes are looked up kBatch owners at a time
  // (Zone::findMany overlaps their cache misses: the probes are most of the cost of this pass).
  constexpr size_t kBatch = 64;
  std::vector<zone::LookupName> batch_names(kBatch);
  std::vector<const zone::Node*> batch_nodes(kBatch);
  std::vector<uint32_t> batch;
  std::vector<uint32_t> idx;
  size_t matched_records = 0;  // RRs of the snapshot at owners that the new records also have
  for (uint32_t next = 0; next < nruns;) {
    batch.clear();
    for (; next < nruns && batch.size() < kBatch; ++next) {
      if (!secondary.empty() && secondary[next]) continue;
      batch_names[batch.size()].assign(run_owner(next));
      batch.push_back(next);
    }
    old_zone.findMany(batch_names.data(), batch.size(), batch_nodes.data());
    for (size_t bi = 0; bi < batch.size(); ++bi) {
      const uint32_t r = batch[bi];
      const zone::Node* old = batch_nodes[bi];
      idx.clear();
      for (uint32_t i = runs[r]; i < runs[r + 1]; ++i) idx.push_back(i);
      if (!extra_runs.empty()) {
        if (auto it = extra_runs.find(r); it != extra_runs.end())
          for (uint32_t x : it->second)
            for (uint32_t i = runs[x]; i < runs[x + 1]; ++i) idx.push_back(i);
      }
      if (idx.size() > 1) {
        std::sort(idx.begin(), idx.end(), [&](uint32_t a, uint32_t b) {
          const auto& ra = new_records[a];
          const auto& rb = new_records[b];
          if (ra.type != rb.type) return ra.type < rb.type;
          if (int c = zone::rdata_layout::canonicalCompare(ra.type, ra.rdata, rb.rdata)) return c < 0;
          return a < b;
        });
      }
      const dns::Name& owner = run_owner(r);
      std::span<const zone::RRset> old_sets;
      if (old != nullptr) {
        old_sets = old->rrsetSpan();
        matched_records += old->recordCount();
      }
      size_t o = 0;  // next old RRset (sorted by type)
      for (size_t k = 0; k < idx.size();) {
        const uint16_t type = new_records[idx[k]].type;
        size_t end = k + 1;
        uint32_t ttl = new_records[idx[k]].ttl;
        size_t count = 1;  // distinct RDATAs in [k, end)
        for (; end < idx.size() && new_records[idx[end]].type == type; ++end) {
          ttl = std::min(ttl, new_records[idx[end]].ttl);  // RFC 2181 §5.2: the lowest TTL
          if (zone::rdata_layout::canonicalCompare(type, new_records[idx[end - 1]].rdata,
                                                   new_records[idx[end]].rdata))
            ++count;
        }
        for (; o < old_sets.size() && old_sets[o].type() < type; ++o)
          delta.replace.push_back(zone::RRsetReplace{owner, old_sets[o].type(), old_sets[o].ttl(), {}});
        bool same = false;
        if (o < old_sets.size() && old_sets[o].type() == type) {
          const zone::RRset& os = old_sets[o++];
          if (os.ttl() == ttl && os.count() == count) {
            // Byte-wise, so a change of case inside RDATA names is published too.
            same = true;
            size_t at = k;
            os.forEachRdata([&](std::span<const uint8_t> old_rd) {
              if (!same) return;
              const auto& rd = new_records[idx[at]].rdata;
              same = rd.size() == old_rd.size() && std::equal(rd.begin(), rd.end(), old_rd.begin());
              // Skip the duplicates of this RDATA (the first one is the one rendered).
              for (++at; at < end &&
                         zone::rdata_layout::canonicalCompare(type, rd, new_records[idx[at]].rdata) == 0;)
                ++at;
            });
          }
        }
        if (!same) {
          zone::RRsetReplace rep{owner, type, ttl, {}};
          rep.rdatas.reserve(count);
          for (size_t i = k; i < end; ++i) {
            const auto& rd = new_records[idx[i]].rdata;
            if (i == k || zone::rdata_layout::canonicalCompare(type, rep.rdatas.back(), rd) != 0)
              rep.rdatas.push_back(rd);
          }
          delta.replace.push_back(std::move(rep));
        }
        k = end;
      }
      for (; o < old_sets.size(); ++o)
        delta.replace.push_back(zone::RRsetReplace{owner, old_sets[o].type(), old_sets[o].ttl(), {}});
    }
  }

  // Owners of the snapshot that the new records lack: only looked for when some old RRs were not
  // matched above (a reload that deletes no name skips this walk).
  if (matched_records != old_zone.recordCount()) {
    old_zone.forEach([&](const zone::Node& node) {
      if (!node.hasData()) return;
      const uint64_t h = node.hash();
      auto name = node.name();
      for (auto it = std::lower_bound(heads.begin(), heads.end(), std::pair<uint64_t, uint32_t>{h, 0});
           it != heads.end() && it->first == h; ++it) {
        const std::string& w = run_owner(it->second).wireString();
        if (w.size() == name.size() &&
            ciEqual(name.data(), reinterpret_cast<const uint8_t*>(w.data()), w.size()))
          return;
      }
      dns::Name owner = node.ownerName();
      for (const zone::RRset& s : node.rrsetSpan())
        delta.replace.push_back(zone::RRsetReplace{owner, s.type(), s.ttl(), {}});
    });
  }
  return delta;
}

}  // namespace zk::app
