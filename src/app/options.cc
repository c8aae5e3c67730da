// JSON config file for `zonekeeper serve`.
#include "app/options.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace zk::app {

Status loadConfigFile(const std::string& path, ServeOptions& opts) {
  std::ifstream in(path);
  if (!in) return notFound("cannot open config file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  nlohmann::json j = nlohmann::json::parse(ss.str(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return invalidArgument(path + ": not a JSON object");
  try {
    for (auto& [key, v] : j.items()) {
      if (key == "data-dir") opts.data_dir = v.get<std::string>();
      else if (key == "dns-listen") opts.dns_listen = v.get<std::string>();
      else if (key == "dns-workers") opts.dns_workers = v.get<int>();
      else if (key == "zone-file") opts.zone_files = v.is_array() ? v.get<std::vector<std::string>>()
                                                                 : std::vector<std::string>{v.get<std::string>()};
      else if (key == "api-listen") opts.api_listen = v.get<std::string>();
      else if (key == "api-tls-cert") opts.api_tls_cert = v.get<std::string>();
      else if (key == "api-tls-key") opts.api_tls_key = v.get<std::string>();
      else if (key == "axfr-allow") opts.axfr_allow = v.get<std::vector<std::string>>();
      else if (key == "tcp-max-connections") opts.tcp_max_connections = v.get<size_t>();
      else if (key == "tcp-idle-timeout-ms") opts.tcp_idle_timeout_ms = v.get<int>();
      else if (key == "name-servers") opts.name_servers = v.get<std::vector<std::string>>();
      else if (key == "region") opts.region = v.get<std::string>();
      else if (key == "log-level") opts.log_level = v.get<std::string>();
      else return invalidArgument(path + ": unknown option '" + key + "'");
    }
  } catch (const nlohmann::json::exception& e) {
    return invalidArgument(path + ": " + e.what());
  }
  return Status();
}

}  // namespace zk::app
