// Composition of the running server: store -> zone snapshots -> publisher -> DNS workers; the API front.
#include "app/server.h"

#include <fcntl.h>
#include <malloc.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>

#include "dns/zonefile.h"
#include "jose/https_fetcher.h"
#include "services/iam/access.h"
#include "services/route53/access.h"
#include "services/route53/records.h"

namespace zk::app {

std::string pidFilePath(const std::string& data_dir) { return data_dir + "/zonekeeper.pid"; }

namespace {
// The whole pid file, as a POSIX record lock (fcntl, not flock: F_GETLK tells others the holder's pid).
struct flock wholeFile(short type) {
  struct flock fl {};
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  fl.l_start = 0;
  fl.l_len = 0;
  return fl;
}
}  // namespace

Result<pid_t> dataDirLockHolder(const std::string& data_dir) {
  int fd = ::open(pidFilePath(data_dir).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return pid_t{0};
  struct flock fl = wholeFile(F_WRLCK);
  const int rc = ::fcntl(fd, F_GETLK, &fl);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return internalError("lock probe of " + pidFilePath(data_dir) + ": " + std::strerror(err));
  return fl.l_type == F_UNLCK ? pid_t{0} : fl.l_pid;
}

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

Server::Server(ServeOptions options, ApiSettings api)
    : options_(std::move(options)), api_settings_(std::move(api)) {}
Server::~Server() { stop(); }

Status Server::start() {
  storage::SqliteOptions sopts;
  sopts.data_dir = options_.data_dir;
  if (api_settings_.store_gather_us >= 0)
    sopts.gather_wait = std::chrono::microseconds(api_settings_.store_gather_us);
  auto store = storage::SqliteStore::open(sopts);
  if (!store.ok()) return store.status();
  store_ = std::move(store).value();
  ZK_RETURN_IF_ERROR(lockDataDir());

  // Stored zones are served through the Route 53 service's ZoneSync, which also publishes every later
  // API change in version order (services/route53/zone_sync.h).
  route53::Route53Config rc;
  rc.name_servers = options_.name_servers;
  rc.hostmaster = api_settings_.hostmaster;
  rc.batch_limits = api_settings_.batch_limits;
  rc.max_record_sets_per_zone = api_settings_.max_record_sets_per_zone;
  rc.max_hosted_zones_per_account = api_settings_.max_hosted_zones_per_account;
  publisher_ = std::make_unique<CatalogPublisher>(catalog_);
  // The --zone-file zones first: they keep their names. A stored zone at or inside one of them (made
  // before this server had the file, or by `zone import`) is not served, only logged, so a start
  // never fails over a collision already stored; CreateHostedZone refuses new ones.
  for (const auto& f : options_.zone_files) ZK_RETURN_IF_ERROR(loadZoneFile(f, true));
  route53_ = std::make_unique<route53::Route53Service>(*store_, *store_, *publisher_, clock_, rc);
  std::vector<dns::Name> file_apexes;
  for (const auto& [path, apex] : file_zones_) file_apexes.push_back(apex);
  route53_->setExternalZones(std::move(file_apexes));
  ZK_RETURN_IF_ERROR(route53_->syncAll());

  // The parsed records are freed now; hand their pages back so only the snapshots stay resident.
  ::malloc_trim(0);

  authdns::ServerConfig dcfg;
  dcfg.listen = options_.dns_listen;
  dcfg.workers = options_.dns_workers;
  dcfg.tcp_max_connections = options_.tcp_max_connections;
  dcfg.tcp_idle_timeout = std::chrono::milliseconds(options_.tcp_idle_timeout_ms);
  dcfg.axfr_allow = options_.axfr_allow;
  dns_ = std::make_unique<authdns::DnsServer>(dcfg, catalog_.publisher(), engine_);
  ZK_RETURN_IF_ERROR(dns_->start());
  (void)store_->markAllChangesInSync();

  const std::string pid_text = std::to_string(getpid()) + "\n";
  if (::ftruncate(pid_fd_, 0) != 0 ||
      ::pwrite(pid_fd_, pid_text.data(), pid_text.size(), 0) != ssize_t(pid_text.size()))
    spdlog::warn("cannot write {}: {}", pidFilePath(options_.data_dir), std::strerror(errno));
  spdlog::info("serving DNS on {} (udp port {}, tcp port {}), {} zone(s)", options_.dns_listen,
               dns_->udpPort(), dns_->tcpPort(), catalog_.current()->size());
  if (!options_.api_listen.empty()) ZK_RETURN_IF_ERROR(startApi());
  return Status();
}

// One server per data folder: a write lock on the pid file, held until stop() (the kernel drops it
// if the process dies, so a stale pid file after a crash holds no lock). `zone import` signals the
// pid only if that pid holds this lock (dataDirLockHolder).
Status Server::lockDataDir() {
  const std::string path = pidFilePath(options_.data_dir);
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return internalError("cannot open " + path + ": " + std::strerror(errno));
  struct flock fl = wholeFile(F_WRLCK);
  if (::fcntl(fd, F_SETLK, &fl) != 0) {
    const int err = errno;
    ::close(fd);
    if (err != EACCES && err != EAGAIN)
      return internalError("cannot lock " + path + ": " + std::strerror(err));
    auto holder = dataDirLockHolder(options_.data_dir);
    return failedPrecondition("data folder " + options_.data_dir + " is in use by another zonekeeper" +
                              (holder.ok() && *holder > 0 ? " (pid " + std::to_string(*holder) + ")" : ""));
  }
  pid_fd_ = fd;
  return Status();
}

Status Server::startApi() {
  auto box = loadOrCreateSecretBox(options_.data_dir);
  if (!box.ok()) return box.status();
  auto created = bootstrapAdminKey(*store_, *box, options_.data_dir);
  if (!created.ok()) return created.status();
  keys_ = std::make_unique<KeyResolver>(*store_, *box, clock_);

  api::ApiOptions ao;
  ao.listen = options_.api_listen;
  ao.tls_cert = options_.api_tls_cert;
  ao.tls_key = options_.api_tls_key;
  ao.workers = api_settings_.workers;
  ao.io_threads = api_settings_.io_threads;
  ao.throttle = api_settings_.throttle;
  ao.max_connections = api_settings_.max_connections;
  ao.max_connections_per_address = api_settings_.max_connections_per_ip;
  ao.read_timeout = std::chrono::milliseconds(api_settings_.read_timeout_ms);
  ao.idle_timeout = std::chrono::milliseconds(api_settings_.idle_timeout_ms);
  api_ = std::make_unique<api::ApiFront>(ao, keys_->asLookup(), clock_);
  iam_store_ = std::make_unique<storage::IamSqliteStore>(*store_);
  directory_ = std::make_unique<iam::Directory>(*iam_store_, clock_);
  authorizer_ = std::make_unique<iam::PolicyAuthorizer>(*directory_, clock_);
  api_->setAuthorizer(authorizer_.get());
  KeyResolver* keys = keys_.get();
  api_->setKeyUseRecorder([keys](std::string_view id, std::string_view service, std::string_view region) {
    keys->recordUse(id, service, region);
  });

  route53::Route53Service* svc = route53_.get();
  api::ApiService r53{"route53", route53::Route53Service::model(), "/2013-04-01/",
                      [svc](const std::string& op, const nlohmann::json& in, const api::CallContext& ctx) {
                        return svc->invoke(op, in, ctx);
                      }};
  r53.access = route53::accessFor;
  api_->addService(std::move(r53));

  iam_ = std::make_unique<iam::IamService>(*iam_store_, clock_, *box, crypto::systemRandomSource());
  iam_->setPolicySimulator(authorizer_.get(), directory_.get());
  iam::IamService* iam_svc = iam_.get();
  api::ApiService iam{"iam", iam::IamService::model(), "",
                      [iam_svc](const std::string& op, const nlohmann::json& in,
                                const api::CallContext& ctx) { return iam_svc->invoke(op, in, ctx); }};
  iam.access = iam::accessFor;
  api_->addService(std::move(iam));

  // STS: temporary credentials sealed under the server's secret key; web identities verified against
  // the JWKS their issuer publishes (fetched over HTTPS, trusting --tls-trust-file besides the system).
  sealer_ = std::make_unique<sts::SessionSealer>(*box, crypto::systemRandomSource());
  api_->setSessionLookup(sealer_->asLookup(clock_));
  http::ClientOptions co;
  co.trust_files = options_.tls_trust_files;
  auto https = std::make_shared<const http::HttpsClient>(co);
  if (!https->status().isOk()) return https->status();
  jwks_ = std::make_unique<jose::JwksCache>(jose::httpsFetcher(https), clock_);
  web_identity_ = std::make_unique<sts::WebIdentityVerifier>(*jwks_, clock_);
  sts_ = std::make_unique<sts::StsService>(*directory_, *authorizer_, *sealer_, *web_identity_, clock_);
  sts::StsService* sts_svc = sts_.get();
  api::ApiService sts{"sts", sts::StsService::model(), "",
                      [sts_svc](const std::string& op, const nlohmann::json& in,
                                const api::CallContext& ctx) { return sts_svc->invoke(op, in, ctx); }};
  sts.access = sts::accessFor;
  sts.anonymous_operations = {"AssumeRoleWithWebIdentity"};
  api_->addService(std::move(sts));
  ZK_RETURN_IF_ERROR(api_->start());
  if (!options_.imds_listen.empty()) ZK_RETURN_IF_ERROR(startImds());

  std::string host = options_.api_listen.substr(0, options_.api_listen.rfind(':'));
  if (host.empty() || host == "0.0.0.0" || host == "[::]") host = "127.0.0.1";
  const std::string endpoint = std::string(options_.api_tls_cert.empty() ? "http" : "https") + "://" + host +
                               ":" + std::to_string(api_->port());
  spdlog::info("serving the AWS API (Route 53) on {}", endpoint);
  if (created->has_value()) {
    std::printf(
        "zonekeeper: created access key %s for account %s (%s)\n"
        "  and wrote it to %s/%s (profile \"default\"). Use it with:\n%s",
        (*created)->access_key_id.c_str(), (*created)->account_id.c_str(), (*created)->principal_arn.c_str(),
        options_.data_dir.c_str(), kCredentialsFile,
        credentialsUsage(options_.data_dir, endpoint, options_.region).c_str());
    std::fflush(stdout);
  }
  return Status();
}

Status Server::startImds() {
  if (options_.imds_role.empty()) return invalidArgument("--imds-listen needs --imds-role ROLE_ARN");
  if (options_.imds_hop_limit < 1 || options_.imds_hop_limit > 64)
    return invalidArgument("--imds-hop-limit must be 1-64");
  auto role = sts::parseRoleArn(options_.imds_role);
  if (!role.ok()) return invalidArgument("--imds-role: not a role ARN: " + options_.imds_role);
  imds::ImdsConfig ic;
  ic.role_arn = options_.imds_role;
  ic.region = options_.region;
  ic.allow_v1 = options_.imds_v1;
  sts::StsService* sts_svc = sts_.get();
  const std::string role_arn = options_.imds_role;
  const std::string instance_id = ic.instance_id;
  imds_ = std::make_unique<imds::ImdsService>(
      ic,
      [sts_svc, role_arn, instance_id]() -> Result<imds::RoleCredentials> {
        // Six-hour credentials (capped by the role's MaxSessionDuration), renewed well before expiry.
        auto c =
            sts_svc->credentialsForService(role_arn, "ec2.amazonaws.com", std::chrono::hours(6), instance_id);
        if (!c.ok()) {
          spdlog::warn("IMDS: no credentials for {}: {}", role_arn, c.status().toString());
          return c.status();
        }
        return imds::RoleCredentials{c->access_key_id, c->secret_access_key, c->session_token, c->expiration};
      },
      clock_, crypto::systemRandomSource());
  http::ServerConfig hc;
  hc.listen = options_.imds_listen;
  hc.threads = 1;
  hc.max_body_bytes = 4096;
  hc.ip_ttl = options_.imds_hop_limit;
  imds::ImdsService* svc = imds_.get();
  imds_http_ = std::make_unique<http::Server>(
      hc, [svc](http::Request&& r, http::Responder respond) { respond(svc->handle(r)); });
  ZK_RETURN_IF_ERROR(imds_http_->start());
  spdlog::info("serving instance metadata (IMDSv2{}) on {} port {} for {}", options_.imds_v1 ? " and v1" : "",
               options_.imds_listen, imds_http_->port(), options_.imds_role);
  return Status();
}

Status Server::loadZoneFile(const std::string& path, bool initial) {
  using Clock = std::chrono::steady_clock;
  auto ms = [](Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(b - a).count();
  };
  const auto t0 = Clock::now();
  auto parsed = readZoneFile(path, "");
  if (!parsed.ok()) return parsed.status();
  auto& [apex, records] = *parsed;
  zone::ZonePtr current = catalog_.current()->get(apex);
  if (initial) {
    if (current) return alreadyExists("zone " + apex.toText() + " from " + path + " is already served");
    auto z = zone::Zone::build(apex, std::move(records));
    if (!z.ok()) return Status(z.status().code(), path + ": " + z.status().message());
    publisher_->reserve(apex);
    catalog_.putZone(std::move(z).value());
    file_zones_.emplace_back(path, apex);
    return Status();
  }
  if (!current) return notFound("zone " + apex.toText() + " is no longer served");
  // Reload: compare the parse with the served snapshot and publish only the difference, so the
  // workers keep answering from the shared nodes and memory stays at snapshot + parse.
  const auto t1 = Clock::now();
  zone::ZoneDelta delta = diffZones(*current, records);
  const auto t2 = Clock::now();
  const size_t parsed_records = records.size();
  std::vector<dns::ResourceRecord>().swap(records);  // the delta holds what it needs
  current.reset();
  const auto t3 = Clock::now();
  auto gen = catalog_.applyDelta(apex, delta);
  const auto t4 = Clock::now();
  spdlog::info(
      "reload of {}: {} records, {} RRset(s) changed; parse {} ms, diff {} ms, free {} ms, apply {} ms", path,
      parsed_records, delta.replace.size() + delta.add.size(), ms(t0, t1), ms(t1, t2), ms(t2, t3),
      ms(t3, t4));
  if (!gen.ok()) return Status(gen.status().code(), path + ": " + gen.status().message());
  return Status();
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
  Status s = route53_ ? route53_->syncAll() : Status();
  if (!s.isOk()) {
    spdlog::error("reload of stored zones failed: {}", s.toString());
    if (first.isOk()) first = s;
  }
  // As after the initial load: the parsed records are freed, hand their pages back.
  ::malloc_trim(0);
  return first;
}

void Server::stop() {
  if (imds_http_) {
    imds_http_->stop();
    imds_http_.reset();
  }
  imds_.reset();
  if (api_) {
    api_->stop();  // finishes the requests in progress (their commits are durable either way)
    api_.reset();
  }
  if (dns_) {
    dns_->stop();
    dns_.reset();
  }
  if (pid_fd_ >= 0) {
    ::unlink(pidFilePath(options_.data_dir).c_str());
    ::close(pid_fd_);  // releases the lock
    pid_fd_ = -1;
  }
  keys_.reset();
  sts_.reset();
  web_identity_.reset();
  jwks_.reset();
  sealer_.reset();
  iam_.reset();
  authorizer_.reset();
  directory_.reset();
  iam_store_.reset();
  route53_.reset();
  publisher_.reset();
  store_.reset();
}

}  // namespace zk::app
