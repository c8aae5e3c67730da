// Record set <-> resource record conversion (Route 53 value strings through the dns rdata table).
#include "services/route53/records.h"

#include <algorithm>
#include <unordered_map>

#include "dns/rdata.h"
#include "dns/types.h"
#include "services/route53/validation.h"

namespace zk::route53 {

Result<std::vector<dns::ResourceRecord>> toResourceRecords(const RecordSet& rs) {
  std::vector<dns::ResourceRecord> out;
  if (rs.alias) return out;
  static const dns::Name kRoot;
  out.reserve(rs.values.size());
  for (const std::string& v : rs.values) {
    if (rs.type == dns::rrtype::kCNAME || rs.type == dns::rrtype::kNS || rs.type == dns::rrtype::kPTR) {
      // The RDATA is one name, in Route 53's format (octal escapes, trailing dot optional).
      auto n = parseRoute53Name(v);
      if (!n.ok())
        return invalidArgument("Invalid Resource Record: " + n.status().message() + " encountered with '" +
                               v + "'");
      out.push_back(dns::ResourceRecord{rs.name, rs.type, dns::rrclass::kIN, rs.ttl,
                                        std::vector<uint8_t>(n->wire().begin(), n->wire().end())});
      continue;
    }
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
  // (owner, type) -> index into `sets`; the owner is borrowed from `records`, which outlives the map.
  std::vector<RecordSet> sets;
  sets.reserve(records.size());
  std::unordered_map<RRsetKey, size_t, RRsetKeyHash> index;
  index.reserve(records.size());
  for (const auto& rr : records) {
    auto [it, inserted] = index.emplace(RRsetKey{&rr.owner, rr.type}, sets.size());
    if (inserted) {
      RecordSet& rs = sets.emplace_back();
      rs.name = rr.owner;
      rs.type = rr.type;
      rs.ttl = rr.ttl;
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

namespace {

// The record sets of one (name, type) that the DNS serves (see servedRRset).
std::vector<const RecordSet*> servedSets(uint16_t type, const std::vector<const RecordSet*>& sets) {
  std::vector<const RecordSet*> out;
  for (const RecordSet* rs : sets)
    if (!rs->alias) out.push_back(rs);
  if (type == dns::rrtype::kCNAME && out.size() > 1) {
    std::stable_sort(out.begin(), out.end(), [](const RecordSet* a, const RecordSet* b) {
      if (a->set_identifier != b->set_identifier) return a->set_identifier < b->set_identifier;
      return false;
    });
    const RecordSet* best = out.front();
    for (const RecordSet* rs : out)
      if (rs->weight.value_or(0) > best->weight.value_or(0)) best = rs;
    out = {best};
  }
  return out;
}

Result<zone::RRsetReplace> rrsetOf(const dns::Name& name, uint16_t type,
                                   const std::vector<const RecordSet*>& sets) {
  zone::RRsetReplace r;
  r.owner = name;
  r.type = type;
  bool first = true;
  for (const RecordSet* rs : servedSets(type, sets)) {
    auto rrs = toResourceRecords(*rs);
    if (!rrs.ok()) return rrs.status();
    for (auto& rr : *rrs) {
      if (std::find(r.rdatas.begin(), r.rdatas.end(), rr.rdata) == r.rdatas.end())
        r.rdatas.push_back(std::move(rr.rdata));
    }
    r.ttl = first ? rs->ttl : std::min(r.ttl, rs->ttl);
    first = false;
  }
  return r;
}

}  // namespace

Result<zone::RRsetReplace> servedRRset(const dns::Name& name, uint16_t type,
                                       std::span<const RecordSet> sets_at_name) {
  std::vector<const RecordSet*> sets;
  for (const RecordSet& rs : sets_at_name)
    if (rs.type == type && rs.name == name) sets.push_back(&rs);
  return rrsetOf(name, type, sets);
}

Status ServedRecordsBuilder::add(RecordSet&& rs) {
  if (!group_.empty() && (group_.front().type != rs.type || !(group_.front().name == rs.name)))
    ZK_RETURN_IF_ERROR(flush());
  group_.push_back(std::move(rs));
  return Status();
}

Status ServedRecordsBuilder::flush() {
  if (group_.empty()) return Status();
  std::vector<const RecordSet*> sets;
  sets.reserve(group_.size());
  for (const RecordSet& rs : group_) sets.push_back(&rs);
  auto r = rrsetOf(group_.front().name, group_.front().type, sets);
  if (!r.ok()) return r.status();
  for (auto& rd : r->rdatas)
    out_.push_back(dns::ResourceRecord{r->owner, r->type, dns::rrclass::kIN, r->ttl, std::move(rd)});
  group_.clear();
  return Status();
}

Result<std::vector<dns::ResourceRecord>> ServedRecordsBuilder::finish() {
  ZK_RETURN_IF_ERROR(flush());
  return std::move(out_);
}

Result<std::vector<dns::ResourceRecord>> servedRecords(std::span<const RecordSet> record_sets) {
  // Bring the record sets of one (name, type) together (stable, so Route 53 order within a group
  // is kept), then let the builder group neighbours. No per-record allocation beyond the output.
  std::vector<const RecordSet*> order;
  order.reserve(record_sets.size());
  for (const RecordSet& rs : record_sets) order.push_back(&rs);
  std::stable_sort(order.begin(), order.end(), [](const RecordSet* a, const RecordSet* b) {
    auto c = a->name.canonicalCompare(b->name);
    return c != 0 ? c < 0 : a->type < b->type;
  });
  ServedRecordsBuilder builder;
  builder.reserve(record_sets.size());
  for (const RecordSet* rs : order) ZK_RETURN_IF_ERROR(builder.add(RecordSet(*rs)));
  return builder.finish();
}

}  // namespace zk::route53
