// zone import/export/list against the SQLite store.
#include "app/zone_admin.h"

#include <algorithm>
#include <csignal>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "app/server.h"
#include "dns/rdata.h"
#include "services/route53/ids.h"
#include "services/route53/records.h"
#include "zone/zone.h"

namespace zk::app {
namespace {

Result<std::unique_ptr<storage::SqliteStore>> openStore(const std::string& data_dir) {
  storage::SqliteOptions o;
  o.data_dir = data_dir;
  o.reader_connections = 1;
  return storage::SqliteStore::open(o);
}

Result<route53::HostedZone> findZone(storage::SqliteStore& store, const dns::Name& name) {
  auto all = store.allHostedZones();
  if (!all.ok()) return all.status();
  for (auto& z : *all)
    if (z.name == name) return z;
  return notFound("no stored zone " + name.toText());
}

void signalRunningServer(const std::string& data_dir) {
  std::ifstream in(pidFilePath(data_dir));
  pid_t pid = 0;
  if (in >> pid && pid > 0) ::kill(pid, SIGHUP);
}

}  // namespace

Result<std::string> ensureDefaultAccount(storage::SqliteStore& store) {
  auto existing = store.getMeta("default_account_id");
  if (!existing.ok()) return existing.status();
  if (existing->has_value()) return **existing;
  std::random_device rd;
  std::string id;
  for (int i = 0; i < 12; ++i) id.push_back(char('0' + rd() % 10));
  if (id[0] == '0') id[0] = '1';
  route53::Account acct{id, "zonekeeper", std::chrono::system_clock::now()};
  ZK_RETURN_IF_ERROR(store.createAccount(acct));
  ZK_RETURN_IF_ERROR(store.setMeta("default_account_id", id));
  return id;
}

Result<std::string> importZone(const std::string& data_dir, const std::string& file, const std::string& origin) {
  auto parsed = readZoneFile(file, origin);
  if (!parsed.ok()) return parsed.status();
  const dns::Name apex = parsed->first;
  // Validate as the DNS engine will serve it before touching the store.
  auto check = zone::Zone::build(apex, parsed->second);
  if (!check.ok()) return Status(check.status().code(), file + ": " + check.status().message());
  std::vector<route53::RecordSet> sets = route53::toRecordSets(parsed->second);

  auto store_r = openStore(data_dir);
  if (!store_r.ok()) return store_r.status();
  auto& store = **store_r;
  auto account = ensureDefaultAccount(store);
  if (!account.ok()) return account.status();

  auto now = std::chrono::system_clock::now();
  route53::ChangeRequest change{route53::newChangeId(), "zonekeeper zone import " + file, now};
  auto existing = findZone(store, apex);
  std::string summary;
  if (!existing.ok()) {
    if (existing.status().code() != Code::kNotFound) return existing.status();
    route53::HostedZone hz;
    hz.id = route53::newHostedZoneId();
    hz.account_id = *account;
    hz.name = apex;
    hz.caller_reference = "zonekeeper-import-" + change.id;
    hz.comment = "imported from " + file;
    hz.created_at = now;
    auto r = store.createHostedZone(hz, sets, change);
    if (!r.ok()) return r.status();
    summary = "created zone " + apex.toText() + " (" + hz.id + ") with " + std::to_string(sets.size()) +
              " record sets";
  } else {
    auto current = store.loadZone(existing->id);
    if (!current.ok()) return current.status();
    route53::ChangeBatchWrite batch;
    batch.change = change;
    std::set<std::pair<std::string, uint16_t>> keep;
    for (const auto& rs : sets) keep.emplace(rs.name.lowercased().wireString(), rs.type);
    for (const auto& rs : current->record_sets) {
      if (!keep.count({rs.name.lowercased().wireString(), rs.type}) || !rs.set_identifier.empty())
        batch.writes.push_back({route53::WriteAction::kDelete, rs});
    }
    for (const auto& rs : sets) batch.writes.push_back({route53::WriteAction::kUpsert, rs});
    auto r = store.commitChangeBatch(existing->id, batch);
    if (!r.ok()) return r.status();
    summary = "replaced zone " + apex.toText() + " (" + existing->id + ") with " + std::to_string(sets.size()) +
              " record sets";
  }
  store_r->reset();
  signalRunningServer(data_dir);
  return summary;
}

Result<std::string> exportZone(const std::string& data_dir, const std::string& name) {
  auto n = dns::Name::fromText(!name.empty() && name.back() == '.' ? name : name + ".");
  if (!n.ok()) return n.status();
  auto store_r = openStore(data_dir);
  if (!store_r.ok()) return store_r.status();
  auto hz = findZone(**store_r, *n);
  if (!hz.ok()) return hz.status();
  auto data = (*store_r)->loadZone(hz->id);
  if (!data.ok()) return data.status();
  std::ostringstream out;
  out << "; zone " << n->toText() << " (" << hz->id << ") exported by zonekeeper\n";
  out << "$ORIGIN " << n->toText() << "\n";
  // SOA first, as a master file is expected to start (RFC 1035 §5.2), then Route 53 order.
  std::stable_partition(data->record_sets.begin(), data->record_sets.end(),
                        [](const route53::RecordSet& rs) { return rs.type == dns::rrtype::kSOA; });
  for (const auto& rs : data->record_sets) {
    auto rrs = route53::toResourceRecords(rs);
    if (!rrs.ok()) return rrs.status();
    for (const auto& rr : *rrs)
      out << rr.owner.toText() << "\t" << rr.ttl << "\tIN\t" << dns::typeToText(rr.type) << "\t"
          << dns::rdataToText(rr.type, rr.rdata) << "\n";
  }
  return out.str();
}

Result<std::string> listZones(const std::string& data_dir) {
  auto store_r = openStore(data_dir);
  if (!store_r.ok()) return store_r.status();
  auto all = (*store_r)->allHostedZones();
  if (!all.ok()) return all.status();
  std::ostringstream out;
  for (const auto& z : *all)
    out << z.id << "\t" << z.name.toText() << "\t" << z.record_count << " record sets\n";
  return out.str();
}

}  // namespace zk::app
