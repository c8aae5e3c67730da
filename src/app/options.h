// Options of `zonekeeper serve`, filled from flags and an optional JSON config file.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"

namespace zk::app {

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
};

// Reads a JSON object whose keys are long option names ("dns-listen", "dns-workers", ...) into
// `opts`. Unknown keys are an error, so typos do not pass silently.
Status loadConfigFile(const std::string& path, ServeOptions& opts);

}  // namespace zk::app
