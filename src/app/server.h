// The running zonekeeper process: storage, DNS catalog and workers, and the AWS API front.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "api/front.h"
#include "api/throttle.h"
#include "app/catalog_publisher.h"
#include "app/credentials.h"
#include "app/dns_catalog.h"
#include "app/options.h"
#include "authdns/query_engine.h"
#include "authdns/server.h"
#include "base/clock.h"
#include "base/result.h"
#include "http/server.h"
#include "jose/jwks_cache.h"
#include "services/iam/authorizer.h"
#include "services/iam/directory.h"
#include "services/iam/service.h"
#include "services/imds/service.h"
#include "services/route53/service.h"
#include "services/route53/validation.h"
#include "services/sts/service.h"
#include "storage/sqlite/iam_store.h"
#include "storage/sqlite/sqlite_store.h"

namespace zk::app {

// Settings of the AWS API beyond ServeOptions (filled from `serve` flags).
struct ApiSettings {
  int io_threads = 2;            // HTTP I/O threads
  int workers = 8;               // threads running API calls that wait (reads, zone writes;
                                 // record changes answer from the committer); 0 = I/O threads
  api::ThrottleConfig throttle;  // per account; off by default
  route53::ChangeBatchLimits batch_limits;
  int64_t max_record_sets_per_zone = 10000;
  int64_t max_hosted_zones_per_account = 500;
  std::string hostmaster;  // SOA RNAME of new zones; empty = hostmaster.<ns domain>
  // Group commit: how long the store's writer waits for more concurrent writes before one fsync
  // (SqliteOptions::gather_wait); < 0 = the store's default.
  int store_gather_us = -1;
  // The HTTP listener's limits (http::ServerConfig): open connections in all and per peer address
  // (0 = no per-address limit), read timeout (from a request's first byte, for the first one from
  // accept, to its last) and keep-alive idle timeout, in milliseconds.
  size_t max_connections = 1024;
  size_t max_connections_per_ip = 64;
  int read_timeout_ms = 30000;
  int idle_timeout_ms = 60000;
};

// Threading: start(), reload() and stop() are called from the main thread only.
class Server {
 public:
  explicit Server(ServeOptions options, ApiSettings api = {});
  ~Server();

  // Opens the store, serves every stored zone and every --zone-file, starts the DNS workers, then
  // (unless --api-listen is empty) bootstraps credentials and starts the AWS API.
  Status start();
  // SIGHUP: re-reads the --zone-file zones and the stored zones, publishing only what changed.
  Status reload();
  void stop();

  uint16_t dnsPort() const { return dns_ ? dns_->udpPort() : 0; }
  uint16_t apiPort() const { return api_ ? api_->port() : 0; }
  uint16_t imdsPort() const { return imds_http_ ? imds_http_->port() : 0; }
  DnsCatalog& catalog() { return catalog_; }
  route53::Route53Service* route53() { return route53_.get(); }

 private:
  Status loadZoneFile(const std::string& path, bool initial);
  Status lockDataDir();
  Status startApi();
  Status startImds();

  ServeOptions options_;
  ApiSettings api_settings_;
  SystemClock clock_;
  std::unique_ptr<storage::SqliteStore> store_;
  DnsCatalog catalog_;
  authdns::QueryEngine engine_;
  std::unique_ptr<CatalogPublisher> publisher_;
  std::unique_ptr<route53::Route53Service> route53_;
  std::unique_ptr<authdns::DnsServer> dns_;
  std::unique_ptr<KeyResolver> keys_;
  std::unique_ptr<storage::IamSqliteStore> iam_store_;
  std::unique_ptr<iam::Directory> directory_;
  std::unique_ptr<iam::PolicyAuthorizer> authorizer_;
  std::unique_ptr<iam::IamService> iam_;
  std::unique_ptr<sts::SessionSealer> sealer_;
  std::unique_ptr<jose::JwksCache> jwks_;
  std::unique_ptr<sts::WebIdentityVerifier> web_identity_;
  std::unique_ptr<sts::StsService> sts_;
  std::unique_ptr<imds::ImdsService> imds_;
  std::unique_ptr<http::Server> imds_http_;
  std::unique_ptr<api::ApiFront> api_;
  std::vector<std::pair<std::string, dns::Name>> file_zones_;  // path -> apex
  int pid_fd_ = -1;  // the pid file, write-locked while this server runs (lockDataDir)
};

// Loads and validates a master file: origin from `origin` (if given), else $ORIGIN or the SOA owner.
Result<std::pair<dns::Name, std::vector<dns::ResourceRecord>>> readZoneFile(const std::string& path,
                                                                            const std::string& origin);

// The server's pid file in the data folder (so `zone import` can tell a running server to reload).
// A running server holds a POSIX write lock on it (fcntl F_SETLK on the whole file).
std::string pidFilePath(const std::string& data_dir);
// The pid of the process holding that lock, or 0 when none does (no pid file, or a stale one left by
// a crash). Seen from another process only: POSIX locks never conflict within the holder itself.
Result<pid_t> dataDirLockHolder(const std::string& data_dir);

}  // namespace zk::app
