// Options of `zonekeeper serve`: one flag table that both the command line and the JSON config file use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "base/result.h"

namespace CLI {
class App;
}

namespace zk::app {

struct ApiSettings;  // app/server.h (it includes this header)

struct ServeOptions {
  std::string data_dir = "./data";
  std::string dns_listen = "127.0.0.1:5353";
  int dns_workers = 0;  // 0 = number of cores
  std::vector<std::string> zone_files;
  std::string api_listen = "127.0.0.1:9353";
  std::string api_tls_cert, api_tls_key;
  std::vector<std::string> axfr_allow = {"127.0.0.0/8", "::1/128"};
  size_t tcp_max_connections = 512;
  int tcp_idle_timeout_ms = 10000;
  std::vector<std::string> name_servers = {"ns1.zonekeeper.test.", "ns2.zonekeeper.test."};
  std::string region = "us-east-1";
  std::string log_level = "info";
  // Outbound HTTPS (OIDC discovery for AssumeRoleWithWebIdentity): extra trusted CA certificates.
  std::vector<std::string> tls_trust_files;
  // The instance metadata service (IMDSv2): off unless both are set.
  std::string imds_listen;
  std::string imds_role;  // the role whose credentials it serves; it must trust ec2.amazonaws.com
  bool imds_v1 = false;   // also answer GETs without a session token (IMDSv1)
  int imds_hop_limit = 1;
};

// The field a flag sets. The JSON type a config file must give follows from it: an integer for
// the integer kinds (range-checked), true/false for a bool (a switch on the command line), a number for
// double, a string, or an array of strings (a lone string is taken as a one-element list).
using FlagTarget =
    std::variant<bool*, int*, int64_t*, size_t*, double*, std::string*, std::vector<std::string>*>;

// One `serve` flag. Its long names are the command-line flags and the config-file keys.
struct ServeFlag {
  std::vector<std::string> names;  // long names without dashes, primary first: {"name-server", ...}
  std::string help;
  FlagTarget target;
  bool show_default = true;  // print the default value in --help
};

// Every `serve` flag but --config, bound to fields of `opts` and `api` (which must outlive the
// result). This table is the only place a serve flag is declared.
std::vector<ServeFlag> serveFlags(ServeOptions& opts, ApiSettings& api);

// Adds the `serve` subcommand to `app`: every flag of `flags` plus --config FILE (into
// *config_file). Returns the subcommand, owned by `app`.
CLI::App* addServeCommand(CLI::App& app, const std::vector<ServeFlag>& flags, std::string* config_file);

// After `serve` has been parsed: reads the JSON object in `config_file` (no-op when empty) and
// sets every flag it names that was not given on the command line, so the precedence is command
// line, then file, then default. Fails, naming the key, on an unknown key or a value of the wrong
// type or range; then nothing is changed.
Status applyConfigFile(const CLI::App& serve, const std::vector<ServeFlag>& flags,
                       const std::string& config_file);

// After the command line and the config file: refuses settings that parse but cannot work (e.g. an
// --api-throttle-burst below 1, which would throttle every call forever), naming the flag.
Status validateServeOptions(const ServeOptions& opts, const ApiSettings& api);

}  // namespace zk::app
