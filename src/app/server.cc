// Composition of the running server: store -> zone snapshots -> publisher -> DNS workers.
#include "app/server.h"

#include <fstream>
#include <map>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include "dns/zonefile.h"
#include "services/route53/records.h"

namespace zk::app {

std::string pidFilePath(const std::string& data_dir) { return data_dir + "/zonekeeper.pid"; }

Result<std::pair<dns::Name, std::vector<dns::ResourceRecord>>> readZoneFile(const std::string& path,
                                                                            const std::string& origin) {
  dns::ZoneParseOptions popts;
  popts.file_name = path;
  if (!origin.empty()) {
    auto o = dns::Name::fromText(origin.back() == '.' ? origin : origin + ".");
    if (!o.ok()) return invalidArgument("bad origin '" + origin + "': " + o.status().message());
    popts.origin = *o;
  }
  auto records = dns::parseZoneFile(path, popts);
  if (!records.ok()) return records.status();
  dns::Name apex;
  if (popts.origin) {
    apex = *popts.origin;
  } else {
    auto o = dns::zoneOrigin(*records);
    if (!o.ok()) return invalidArgument(path + ": " + o.status().message());
    apex = *o;
  }
  return std::make_pair(apex, std::move(records).value());
}

Server::Server(ServeOptions options) : options_(std::move(options)) {}
Server::~Server() { stop(); }

Status Server::start() {
  storage::SqliteOptions sopts;
  sopts.data_dir = options_.data_dir;
  auto store = storage::SqliteStore::open(sopts);
  if (!store.ok()) return store.status();
  store_ = std::move(store).value();

  ZK_RETURN_IF_ERROR(loadStoredZones());
  for (const auto& f : options_.zone_files) ZK_RETURN_IF_ERROR(loadZoneFile(f, true));

  authdns::ServerConfig dcfg;
  dcfg.listen = options_.dns_listen;
  dcfg.workers = options_.dns_workers;
  dcfg.tcp_max_connections = options_.tcp_max_connections;
  dcfg.tcp_idle_timeout = std::chrono::milliseconds(options_.tcp_idle_timeout_ms);
  dcfg.axfr_allow = options_.axfr_allow;
  dns_ = std::make_unique<authdns::DnsServer>(dcfg, catalog_.publisher(), engine_);
  ZK_RETURN_IF_ERROR(dns_->start());
  (void)store_->markAllChangesInSync();

  std::ofstream(pidFilePath(options_.data_dir)) << getpid() << "\n";
  spdlog::info("serving DNS on {} (udp port {}, tcp port {}), {} zone(s)", options_.dns_listen,
               dns_->udpPort(), dns_->tcpPort(), catalog_.current()->size());
  return Status();
}

Status Server::loadStoredZones() {
  auto zones = store_->allHostedZones();
  if (!zones.ok()) return zones.status();
  std::map<std::string, int64_t> seen;
  for (const auto& hz : *zones) {
    seen[hz.id] = hz.version;
    auto it = stored_versions_.find(hz.id);
    if (it != stored_versions_.end() && it->second == hz.version) continue;
    auto data = store_->loadZone(hz.id);
    if (!data.ok()) return data.status();
    std::vector<dns::ResourceRecord> records;
    for (const auto& rs : data->record_sets) {
      auto rrs = route53::toResourceRecords(rs);
      if (!rrs.ok()) return Status(rrs.status().code(), "zone " + hz.name.toText() + ": " + rrs.status().message());
      for (auto& rr : *rrs) records.push_back(std::move(rr));
    }
    zone::ZonePtr current = catalog_.current()->get(hz.name);
    if (current && it != stored_versions_.end()) {
      auto gen = catalog_.applyDelta(hz.name, diffZones(*current, records));
      if (!gen.ok()) return gen.status();
    } else {
      auto z = zone::Zone::build(hz.name, std::move(records));
      if (!z.ok()) return Status(z.status().code(), "zone " + hz.name.toText() + ": " + z.status().message());
      catalog_.putZone(std::move(z).value());
    }
    stored_versions_[hz.id] = hz.version;
    stored_apexes_[hz.id] = hz.name;
  }
  for (auto it = stored_versions_.begin(); it != stored_versions_.end();) {
    if (!seen.count(it->first)) {
      catalog_.removeZone(stored_apexes_[it->first]);
      stored_apexes_.erase(it->first);
      it = stored_versions_.erase(it);
    } else {
      ++it;
    }
  }
  return Status();
}

Status Server::loadZoneFile(const std::string& path, bool initial) {
  auto parsed = readZoneFile(path, "");
  if (!parsed.ok()) return parsed.status();
  auto& [apex, records] = *parsed;
  zone::ZonePtr current = catalog_.current()->get(apex);
  if (initial) {
    if (current) return alreadyExists("zone " + apex.toText() + " from " + path + " is already served");
    auto z = zone::Zone::build(apex, std::move(records));
    if (!z.ok()) return Status(z.status().code(), path + ": " + z.status().message());
    catalog_.putZone(std::move(z).value());
    file_zones_.emplace_back(path, apex);
    return Status();
  }
  if (!current) return notFound("zone " + apex.toText() + " is no longer served");
  auto gen = catalog_.applyDelta(apex, diffZones(*current, records));
  return gen.ok() ? Status() : gen.status();
}

Status Server::reload() {
  Status first;
  for (const auto& [path, apex] : file_zones_) {
    Status s = loadZoneFile(path, false);
    if (!s.isOk()) {
      spdlog::error("reload of {} failed, still serving the previous version: {}", path, s.toString());
      if (first.isOk()) first = s;
    }
  }
  Status s = loadStoredZones();
  if (!s.isOk()) {
    spdlog::error("reload of stored zones failed: {}", s.toString());
    if (first.isOk()) first = s;
  }
  return first;
}

void Server::stop() {
  if (dns_) {
    dns_->stop();
    dns_.reset();
    ::unlink(pidFilePath(options_.data_dir).c_str());
  }
  store_.reset();
}

}  // namespace zk::app
