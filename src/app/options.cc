// The `serve` flag table, its CLI11 registration, and the JSON config file read through the same table.
#include "app/options.h"

#include <CLI/CLI.hpp>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <type_traits>
#include <utility>

#include "app/server.h"

namespace zk::app {

std::vector<ServeFlag> serveFlags(ServeOptions& so, ApiSettings& api) {
  return {
      {{"data-dir"}, "Data folder (SQLite store, credentials)", &so.data_dir},
      {{"dns-listen"}, "DNS address:port, UDP and TCP", &so.dns_listen},
      {{"dns-workers"}, "DNS worker threads (0 = one per core)", &so.dns_workers},
      {{"zone-file"},
       "Serve this master file as a zone (repeatable); SIGHUP re-reads it",
       &so.zone_files,
       false},
      {{"tcp-max-connections"}, "Open DNS TCP connections at most", &so.tcp_max_connections},
      {{"tcp-idle-timeout-ms"},
       "Close a DNS TCP connection idle this long (milliseconds)",
       &so.tcp_idle_timeout_ms},
      {{"axfr-allow"}, "Addresses/CIDRs allowed to AXFR", &so.axfr_allow},
      {{"api-listen"}, "AWS API address:port (HTTP)", &so.api_listen},
      {{"api-tls-cert"}, "PEM certificate: serve the API over HTTPS", &so.api_tls_cert, false},
      {{"api-tls-key"}, "PEM private key for --api-tls-cert", &so.api_tls_key, false},
      {{"api-workers"}, "Threads running API calls (0 = on the I/O threads)", &api.workers},
      {{"api-io-threads"}, "HTTP I/O threads", &api.io_threads},
      {{"api-max-connections"}, "Open API connections at most", &api.max_connections},
      {{"api-max-connections-per-ip"},
       "Open API connections from one address at most (0 = no limit)",
       &api.max_connections_per_ip},
      {{"api-read-timeout-ms"},
       "Close an API connection that takes longer to send a request (from its first byte; from accept "
       "for the first request) (milliseconds)",
       &api.read_timeout_ms},
      {{"api-idle-timeout-ms"},
       "Close a keep-alive API connection idle this long (milliseconds)",
       &api.idle_timeout_ms},
      {{"api-throttle-rate"},
       "API calls per second per account (token bucket; 0 = unlimited)",
       &api.throttle.requests_per_second},
      {{"api-throttle-burst"}, "Token bucket size (0 = the rate)", &api.throttle.burst},
      {{"store-gather-us"},
       "Group commit: microseconds the writer waits for more concurrent writes (-1 = default)",
       &api.store_gather_us},
      // "name-servers" is the key older config files used.
      {{"name-server", "name-servers"},
       "Name server of new hosted zones (repeatable; the first is the SOA MNAME)",
       &so.name_servers},
      {{"route53-hostmaster"},
       "SOA RNAME of new zones (default hostmaster.<ns domain>)",
       &api.hostmaster,
       false},
      {{"route53-max-rrsets-per-zone"}, "MAX_RRSETS_BY_ZONE", &api.max_record_sets_per_zone},
      {{"route53-max-zones"}, "MAX_HOSTED_ZONES_BY_OWNER", &api.max_hosted_zones_per_account},
      {{"route53-max-batch-records"},
       "ResourceRecord elements per ChangeResourceRecordSets (UPSERT counts twice)",
       &api.batch_limits.max_resource_records},
      {{"route53-max-batch-chars"},
       "Value characters per ChangeResourceRecordSets (UPSERT counts twice)",
       &api.batch_limits.max_value_characters},
      {{"region"}, "Region shown in the usage hint", &so.region},
      {{"log-level"}, "trace, debug, info, warn, error", &so.log_level},
      {{"tls-trust-file"},
       "PEM CA certificates trusted for outbound HTTPS (OIDC issuers), besides the system's (repeatable)",
       &so.tls_trust_files,
       false},
      {{"imds-listen"},
       "Instance metadata service (IMDSv2) address:port; needs --imds-role",
       &so.imds_listen,
       false},
      {{"imds-role"},
       "Role ARN whose credentials IMDS serves (must trust ec2.amazonaws.com)",
       &so.imds_role,
       false},
      {{"imds-v1"}, "IMDS: also answer GETs without a token (IMDSv1)", &so.imds_v1, false},
      {{"imds-hop-limit"}, "IMDS: IP TTL of the responses (1-64)", &so.imds_hop_limit},
  };
}

CLI::App* addServeCommand(CLI::App& app, const std::vector<ServeFlag>& flags, std::string* config_file) {
  auto* serve = app.add_subcommand("serve", "Run the server (DNS, and the AWS API)");
  serve->add_option("--config", *config_file,
                    "JSON config file; its keys are the long names of these flags (command-line flags win)");
  for (const ServeFlag& f : flags) {
    std::string names;
    for (const std::string& n : f.names) names += (names.empty() ? "--" : ",--") + n;
    CLI::Option* opt = std::visit(
        [&](auto* field) -> CLI::Option* {
          if constexpr (std::is_same_v<decltype(field), bool*>)
            return serve->add_flag(names, *field, f.help);
          else
            return serve->add_option(names, *field, f.help);
        },
        f.target);
    if (f.show_default) opt->capture_default_str();
  }
  return serve;
}

namespace {

// A config value checked against its flag's type, waiting to be stored.
using FlagValue = std::variant<bool, int64_t, uint64_t, double, std::string, std::vector<std::string>>;

template <typename Int>
Result<FlagValue> integerValue(const nlohmann::json& v) {
  if (!v.is_number_integer())
    return invalidArgument(std::string("expected an integer, got ") + v.type_name());
  const bool fits =
      v.is_number_unsigned() ? std::in_range<Int>(v.get<uint64_t>()) : std::in_range<Int>(v.get<int64_t>());
  if (!fits) return invalidArgument("integer " + v.dump() + " is out of range");
  if (v.is_number_unsigned()) return FlagValue(v.get<uint64_t>());
  return FlagValue(v.get<int64_t>());
}

// Checks `v` against the type of `target`.
Result<FlagValue> checkValue(const FlagTarget& target, const nlohmann::json& v) {
  return std::visit(
      [&](auto* field) -> Result<FlagValue> {
        using T = std::remove_pointer_t<decltype(field)>;
        if constexpr (std::is_same_v<T, bool>) {
          if (!v.is_boolean())
            return invalidArgument(std::string("expected true or false, got ") + v.type_name());
          return FlagValue(v.get<bool>());
        } else if constexpr (std::is_integral_v<T>) {
          return integerValue<T>(v);
        } else if constexpr (std::is_same_v<T, double>) {
          if (!v.is_number()) return invalidArgument(std::string("expected a number, got ") + v.type_name());
          return FlagValue(v.get<double>());
        } else if constexpr (std::is_same_v<T, std::string>) {
          if (!v.is_string()) return invalidArgument(std::string("expected a string, got ") + v.type_name());
          return FlagValue(v.get<std::string>());
        } else {
          if (v.is_string()) return FlagValue(std::vector<std::string>{v.get<std::string>()});
          bool ok = v.is_array();
          for (size_t i = 0; ok && i < v.size(); ++i) ok = v[i].is_string();
          if (!ok) return invalidArgument(std::string("expected an array of strings, got ") + v.dump());
          return FlagValue(v.get<std::vector<std::string>>());
        }
      },
      target);
}

// A function template rather than nested generic lambdas: clang 14 loses the outer lambda's type
// inside the inner one's `if constexpr` (the ASan preset builds with clang).
template <typename T, typename V>
void assignFlag(T* field, const V& val) {
  if constexpr (std::is_same_v<T, bool> || std::is_same_v<V, bool>) {
    if constexpr (std::is_same_v<T, V>) *field = val;
  } else if constexpr (std::is_integral_v<T> && std::is_integral_v<V>)
    *field = static_cast<T>(val);
  else if constexpr (std::is_same_v<T, double> && std::is_arithmetic_v<V>)
    *field = static_cast<double>(val);
  else if constexpr (std::is_same_v<T, V>)
    *field = val;
}

void storeValue(const FlagTarget& target, const FlagValue& value) {
  std::visit([&](auto* field) { std::visit([&](const auto& val) { assignFlag(field, val); }, value); },
             target);
}

}  // namespace

Status applyConfigFile(const CLI::App& serve, const std::vector<ServeFlag>& flags,
                       const std::string& config_file) {
  if (config_file.empty()) return Status();
  const std::string& path = config_file;
  std::ifstream in(path);
  if (!in) return notFound("cannot open config file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  nlohmann::json j = nlohmann::json::parse(ss.str(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return invalidArgument(path + ": not valid JSON");
  if (!j.is_object()) return invalidArgument(path + ": expected a JSON object of flag names and values");

  std::map<std::string, const ServeFlag*, std::less<>> by_name;
  for (const ServeFlag& f : flags)
    for (const std::string& n : f.names) by_name[n] = &f;

  // Check every key first, so a bad file changes nothing.
  std::map<const ServeFlag*, std::pair<std::string, FlagValue>> values;
  for (const auto& [key, v] : j.items()) {
    auto it = by_name.find(key);
    if (it == by_name.end())
      return invalidArgument(path + ": unknown key \"" + key +
                             "\" (keys are the long flag names of `serve`)");
    auto value = checkValue(it->second->target, v);
    if (!value.ok()) return invalidArgument(path + ": key \"" + key + "\": " + value.status().message());
    auto [prev, fresh] = values.try_emplace(it->second, key, std::move(*value));
    if (!fresh)
      return invalidArgument(path + ": keys \"" + prev->second.first + "\" and \"" + key +
                             "\" set the same flag");
  }
  for (const auto& [flag, kv] : values) {
    if (serve.count("--" + flag->names.front()) > 0) continue;  // the command line wins
    storeValue(flag->target, kv.second);
  }
  return Status();
}

Status validateServeOptions(const ServeOptions& opts, const ApiSettings& api) {
  // A call takes one whole token, so a bucket that holds less than one never lets a call through.
  // 0 keeps its meaning (a bucket the size of the rate, at least 1).
  const double burst = api.throttle.burst;
  if (burst != 0 && !(burst >= 1))
    return invalidArgument("\"api-throttle-burst\": " + std::to_string(burst) +
                           " is below 1: a call takes one whole token, so no call would ever pass (use 0 for "
                           "a bucket the size of the rate, or a value of at least 1)");
  if (api.throttle.requests_per_second != api.throttle.requests_per_second)  // NaN
    return invalidArgument("\"api-throttle-rate\": not a number");
  if (api.max_connections < 1) return invalidArgument("\"api-max-connections\": must be at least 1");
  if (api.read_timeout_ms < 1) return invalidArgument("\"api-read-timeout-ms\": must be at least 1");
  if (api.idle_timeout_ms < 1) return invalidArgument("\"api-idle-timeout-ms\": must be at least 1");
  (void)opts;
  return Status();
}

}  // namespace zk::app
