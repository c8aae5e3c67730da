// Record set <-> resource record conversion (Route 53 value strings through the dns rdata table).
#include "services/route53/records.h"

#include <map>

#include "dns/rdata.h"

namespace zk::route53 {

Result<std::vector<dns::ResourceRecord>> toResourceRecords(const RecordSet& rs) {
  std::vector<dns::ResourceRecord> out;
  if (rs.alias) return out;
  static const dns::Name kRoot;
  out.reserve(rs.values.size());
  for (const std::string& v : rs.values) {
    auto rdata = dns::rdataFromText(rs.type, v, kRoot);
    if (!rdata.ok()) {
      return invalidArgument("Invalid Resource Record: " + rdata.status().message() + " encountered with '" +
                             v + "'");
    }
    out.push_back(dns::ResourceRecord{rs.name, rs.type, dns::rrclass::kIN, rs.ttl, std::move(rdata).value()});
  }
  return out;
}

std::vector<RecordSet> toRecordSets(const std::vector<dns::ResourceRecord>& records) {
  std::vector<RecordSet> sets;
  std::map<std::pair<std::string, uint16_t>, size_t> index;
  for (const auto& rr : records) {
    auto key = std::make_pair(rr.owner.lowercased().wireString(), rr.type);
    auto [it, inserted] = index.emplace(key, sets.size());
    if (inserted) {
      RecordSet rs;
      rs.name = rr.owner;
      rs.type = rr.type;
      rs.ttl = rr.ttl;
      sets.push_back(std::move(rs));
    }
    sets[it->second].values.push_back(dns::rdataToText(rr.type, rr.rdata));
  }
  return sets;
}

Result<zone::RRsetReplace> toRRsetReplace(const RecordSet& rs, bool deleted) {
  zone::RRsetReplace r;
  r.owner = rs.name;
  r.type = rs.type;
  r.ttl = rs.ttl;
  if (deleted) return r;
  auto rrs = toResourceRecords(rs);
  if (!rrs.ok()) return rrs.status();
  for (auto& rr : *rrs) r.rdatas.push_back(std::move(rr.rdata));
  return r;
}

}  // namespace zk::route53
