// The zonekeeper command line (CLI11): serve, zone import/export/list, check-zone, credentials, version.
#include "app/cli.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "app/credentials.h"
#include "app/options.h"
#include "app/server.h"
#include "app/zone_admin.h"
#include "dns/rdata.h"
#include "dns/zonefile.h"
#include "services/iam/accounts.h"
#include "storage/sqlite/iam_store.h"
#include "zone/zone.h"

namespace zk::app {
namespace {

constexpr const char* kVersion = "0.1.0";

int fail(const Status& s) {
  std::fprintf(stderr, "zonekeeper: %s\n", s.message().empty() ? s.toString().c_str() : s.message().c_str());
  return 1;
}

int runServe(ServeOptions opts, ApiSettings api) {
  // Block the signals we handle in every thread; the main thread takes them with sigwait.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  Server server(opts, api);
  Status s = server.start();
  if (!s.isOk()) return fail(s);
  while (true) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig == SIGHUP) {
      spdlog::info("SIGHUP: reloading zones");
      (void)server.reload();
      continue;
    }
    spdlog::info("signal {}: stopping", sig);
    break;
  }
  server.stop();
  return 0;
}

}  // namespace

int runCli(int argc, char** argv) {
  CLI::App app{
      "zonekeeper: a self-hosted, AWS-compatible DNS (Route 53) and certificate service.\n"
      "Authoritative DNS over UDP/TCP for zones kept in an embedded SQLite store."};
  app.require_subcommand(1);
  app.set_version_flag("--version", kVersion);

  // serve: every flag comes from the one table in app/options.cc (also the config-file keys).
  ServeOptions so;
  ApiSettings api;
  std::string config_file;
  const std::vector<ServeFlag> serve_flags = serveFlags(so, api);
  auto* serve = addServeCommand(app, serve_flags, &config_file);

  // zone ...
  auto* zone_cmd = app.add_subcommand("zone", "Manage zones kept in the data folder");
  zone_cmd->require_subcommand(1);
  std::string data_dir = "./data", file, origin, name;
  auto* zimport = zone_cmd->add_subcommand("import",
                                           "Store a master file as a zone (replacing a zone of the "
                                           "same name); a running server picks it up at once");
  zimport->add_option("FILE", file, "Master file (RFC 1035)")->required();
  zimport->add_option("--origin", origin, "Zone origin (default: $ORIGIN or the SOA owner)");
  zimport->add_option("--data-dir", data_dir, "Data folder")->capture_default_str();
  auto* zexport = zone_cmd->add_subcommand("export", "Print a stored zone as a master file");
  zexport->add_option("NAME", name, "Zone name, e.g. example.com")->required();
  zexport->add_option("--data-dir", data_dir, "Data folder")->capture_default_str();
  auto* zlist = zone_cmd->add_subcommand("list", "List stored zones");
  zlist->add_option("--data-dir", data_dir, "Data folder")->capture_default_str();

  // check-zone
  auto* check = app.add_subcommand("check-zone", "Parse and validate a master file without serving it");
  check->add_option("FILE", file, "Master file")->required();
  check->add_option("--origin", origin, "Zone origin (default: $ORIGIN or the SOA owner)");

  // credentials ...
  auto* cred_cmd = app.add_subcommand("credentials", "Manage API access keys");
  cred_cmd->require_subcommand(1);
  std::string cred_user = "admin", cred_account;
  auto* ccreate = cred_cmd->add_subcommand("create",
                                           "Create an access key and print it in AWS "
                                           "shared-credentials format");
  ccreate->add_option("--data-dir", data_dir, "Data folder")->capture_default_str();
  ccreate->add_option("--user", cred_user, "IAM user of the key (created with AdministratorAccess if new)")
      ->capture_default_str();
  ccreate->add_option("--account", cred_account, "Account id (default: the default account)");

  // account ...
  auto* account_cmd = app.add_subcommand("account", "Manage accounts");
  account_cmd->require_subcommand(1);
  auto* acreate = account_cmd->add_subcommand(
      "create",
      "Create an account with an IAM user \"admin\" (AdministratorAccess) and an access key; prints "
      "{\"AccountId\", \"UserArn\", \"AccessKeyId\", \"SecretAccessKey\"} as JSON");
  acreate->add_option("--data-dir", data_dir, "Data folder")->capture_default_str();

  auto* version = app.add_subcommand("version", "Print the version");

  CLI11_PARSE(app, argc, argv);

  if (*version) {
    std::printf("zonekeeper %s\n", kVersion);
    return 0;
  }
  if (*serve) {
    Status s = applyConfigFile(*serve, serve_flags, config_file);  // command-line flags win
    if (!s.isOk()) return fail(s);
    s = validateServeOptions(so, api);
    if (!s.isOk()) return fail(s);
    // spdlog reads any unknown name as "off": refuse it instead of silently logging nothing.
    const auto level = spdlog::level::from_str(so.log_level);
    if (level == spdlog::level::off && so.log_level != "off")
      return fail(invalidArgument("\"log-level\": unknown level \"" + so.log_level +
                                  "\" (trace, debug, info, warn, error, critical, off)"));
    spdlog::set_level(level);
    return runServe(so, api);
  }
  if (*check) {
    auto parsed = readZoneFile(file, origin);
    if (!parsed.ok()) return fail(parsed.status());
    size_t n = parsed->second.size();
    auto z = zone::Zone::build(parsed->first, std::move(parsed->second));
    if (!z.ok()) return fail(Status(z.status().code(), file + ": " + z.status().message()));
    std::printf("%s: OK: zone %s, %zu records, serial %u\n", file.c_str(), parsed->first.toText().c_str(), n,
                (*z)->serial());
    return 0;
  }
  if (*zimport) {
    auto r = importZone(data_dir, file, origin);
    if (!r.ok()) return fail(r.status());
    std::printf("%s\n", r->c_str());
    return 0;
  }
  if (*zexport) {
    auto r = exportZone(data_dir, name);
    if (!r.ok()) return fail(r.status());
    std::fwrite(r->data(), 1, r->size(), stdout);
    return 0;
  }
  if (*ccreate) {
    storage::SqliteOptions o;
    o.data_dir = data_dir;
    o.reader_connections = 1;
    auto store = storage::SqliteStore::open(o);
    if (!store.ok()) return fail(store.status());
    auto box = loadOrCreateSecretBox(data_dir);
    if (!box.ok()) return fail(box.status());
    std::string account = cred_account;
    if (account.empty()) {
      auto a = ensureDefaultAccount(**store);
      if (!a.ok()) return fail(a.status());
      account = *a;
    }
    auto key = createAccessKey(**store, *box, account, cred_user, std::chrono::system_clock::now());
    if (!key.ok()) return fail(key.status());
    std::printf("# %s (account %s)\n%s", key->principal_arn.c_str(), key->account_id.c_str(),
                credentialsFileText(*key).c_str());
    return 0;
  }
  if (*acreate) {
    storage::SqliteOptions o;
    o.data_dir = data_dir;
    o.reader_connections = 1;
    auto store = storage::SqliteStore::open(o);
    if (!store.ok()) return fail(store.status());
    auto box = loadOrCreateSecretBox(data_dir);
    if (!box.ok()) return fail(box.status());
    storage::IamSqliteStore iam_store(**store);
    auto key = iam::createAccountWithAdmin(iam_store, *box, crypto::systemRandomSource(), "zonekeeper",
                                           std::chrono::system_clock::now());
    if (!key.ok()) return fail(key.status());
    const nlohmann::json out = {{"AccountId", key->account_id},
                                {"UserArn", key->principal_arn},
                                {"AccessKeyId", key->access_key_id},
                                {"SecretAccessKey", key->secret_access_key}};
    std::printf("%s\n", out.dump().c_str());
    return 0;
  }
  if (*zlist) {
    auto r = listZones(data_dir);
    if (!r.ok()) return fail(r.status());
    std::fwrite(r->data(), 1, r->size(), stdout);
    return 0;
  }
  return 0;
}

}  // namespace zk::app
