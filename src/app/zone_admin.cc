// zone import/export/list against the SQLite store.
#include "app/zone_admin.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>
#include <unordered_map>
#include <unordered_set>

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

// Tells the server running on `data_dir` to reload. Only a pid that holds the data folder's lock is
// signalled: a stale pid file (the server crashed) may name an unrelated process by now. Returns what
// to tell the user when nothing was signalled although a pid file exists ("" otherwise).
std::string signalRunningServer(const std::string& data_dir) {
  const std::string path = pidFilePath(data_dir);
  std::ifstream in(path);
  pid_t pid = 0;
  if (!in) return "";
  if (!(in >> pid) || pid <= 0) pid = 0;
  auto holder = dataDirLockHolder(data_dir);
  if (!holder.ok()) return "not signalling a server: " + holder.status().message();
  if (*holder == 0)
    return "not signalling pid " + std::to_string(pid) + ": no zonekeeper holds the lock on " + path +
           " (stale pid file?); a server started later serves the zone";
  if (*holder != pid)
    return "not signalling pid " + std::to_string(pid) + ": the lock on " + path + " is held by pid " +
           std::to_string(*holder);
  if (::kill(pid, SIGHUP) != 0)
    return "cannot signal pid " + std::to_string(pid) + ": " + std::strerror(errno);
  return "";
}

// The writes that turn the stored zone `zone_id` into `sets` (which have no set identifiers):
// DELETE what the file no longer has (and every record set with a set identifier, which a master
// file cannot express), UPSERT what is new or different, nothing for what is unchanged.
Result<route53::ChangeBatchWrite> importDelta(storage::SqliteStore& store, const std::string& zone_id,
                                              const std::vector<route53::RecordSet>& sets,
                                              const route53::ChangeRequest& change) {
  std::unordered_map<route53::RRsetKey, const route53::RecordSet*, route53::RRsetKeyHash> wanted;
  wanted.reserve(sets.size());
  for (const auto& rs : sets) wanted.emplace(route53::RRsetKey{&rs.name, rs.type}, &rs);
  route53::ChangeBatchWrite batch;
  batch.change = change;
  std::unordered_set<const route53::RecordSet*> unchanged;
  auto scanned = store.scanZone(zone_id, [&](route53::RecordSet&& rs) {
    auto it = rs.set_identifier.empty() ? wanted.find(route53::RRsetKey{&rs.name, rs.type}) : wanted.end();
    if (it == wanted.end()) {
      batch.writes.push_back({route53::WriteAction::kDelete, std::move(rs)});
    } else if (rs == *it->second) {
      unchanged.insert(it->second);
    }
    return Status();
  });
  if (!scanned.ok()) return scanned.status();
  for (const auto& rs : sets)
    if (!unchanged.count(&rs)) batch.writes.push_back({route53::WriteAction::kUpsert, rs});
  return batch;
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

Result<std::string> importZone(const std::string& data_dir, const std::string& file,
                               const std::string& origin) {
  return importZone(data_dir, file, origin, ImportOptions{});
}

Result<std::string> importZone(const std::string& data_dir, const std::string& file,
                               const std::string& origin, const ImportOptions& options) {
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
  std::string summary;
  // Replacing a stored zone writes only the difference, so re-importing a 1M-record zone with one
  // changed record commits one change (and holds the write lock for milliseconds, not a minute).
  // The zone is read outside the write transaction, so an API change landing in between makes a
  // DELETE miss (kFailedPrecondition): read again and retry, with a growing, jittered pause so a
  // steady stream of API writes cannot keep every attempt's window busy. Bounded: a zone rewritten
  // without pause for seconds still fails, naming the attempts.
  std::minstd_rand jitter(std::random_device{}());
  for (int attempt = 0;; ++attempt) {
    route53::ChangeRequest change{route53::newChangeId(), "zonekeeper zone import " + file, now};
    auto existing = findZone(store, apex);
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
      break;
    }
    auto batch = importDelta(store, existing->id, sets, change);
    if (!batch.ok()) return batch.status();
    const size_t writes = batch->writes.size();
    if (writes > 0) {
      if (options.before_commit) options.before_commit(attempt);
      auto r = store.commitChangeBatch(existing->id, *batch);
      if (!r.ok()) {
        if (r.status().code() != Code::kFailedPrecondition) return r.status();
        if (attempt + 1 >= options.max_attempts)
          return Status(r.status().code(), "zone " + apex.toText() + " kept changing during the import (" +
                                               std::to_string(attempt + 1) +
                                               " attempts): " + r.status().message());
        const auto cap = std::min<std::chrono::milliseconds::rep>(options.max_backoff.count(),
                                                                  1LL << std::min(attempt, 20));
        std::this_thread::sleep_for(std::chrono::microseconds(500 * cap + jitter() % (500 * cap + 1)));
        continue;
      }
    }
    summary = "replaced zone " + apex.toText() + " (" + existing->id + ") with " +
              std::to_string(sets.size()) + " record sets (" + std::to_string(writes) + " record set writes)";
    break;
  }
  store_r->reset();
  const std::string note = signalRunningServer(data_dir);
  if (!note.empty()) summary += "\nzonekeeper: " + note;
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
