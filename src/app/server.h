// The running zonekeeper process: storage, DNS catalog and workers (and the AWS API front).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "app/dns_catalog.h"
#include "app/options.h"
#include "authdns/query_engine.h"
#include "authdns/server.h"
#include "base/result.h"
#include "storage/sqlite/sqlite_store.h"

namespace zk::app {

// Threading: start(), reload() and stop() are called from the main thread only.
class Server {
 public:
  explicit Server(ServeOptions options);
  ~Server();

  // Opens the store, loads every stored zone and every --zone-file, starts the DNS workers.
  Status start();
  // SIGHUP: re-reads the --zone-file zones and the stored zones, publishing only what changed.
  Status reload();
  void stop();

  uint16_t dnsPort() const { return dns_ ? dns_->udpPort() : 0; }
  DnsCatalog& catalog() { return catalog_; }

 private:
  Status loadStoredZones();
  Status loadZoneFile(const std::string& path, bool initial);

  ServeOptions options_;
  std::unique_ptr<storage::SqliteStore> store_;
  DnsCatalog catalog_;
  authdns::QueryEngine engine_;
  std::unique_ptr<authdns::DnsServer> dns_;
  std::vector<std::pair<std::string, dns::Name>> file_zones_;  // path -> apex
  std::map<std::string, int64_t> stored_versions_;             // zone id -> version served
  std::map<std::string, dns::Name> stored_apexes_;             // zone id -> apex
};

// Loads and validates a master file: origin from `origin` (if given), else $ORIGIN or the SOA owner.
Result<std::pair<dns::Name, std::vector<dns::ResourceRecord>>> readZoneFile(const std::string& path,
                                                                            const std::string& origin);

// The server's pid file in the data folder (so `zone import` can tell a running server to reload).
std::string pidFilePath(const std::string& data_dir);

}  // namespace zk::app
