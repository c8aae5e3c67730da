// Test helper: lets the real botocore response parsers read what our codecs produce (skips if unavailable).
#pragma once

#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "aws/model.h"

namespace zk::aws::testing {

// Python script: parse an HTTP response with botocore's parser for the service protocol and print the
// parsed dict as JSON (datetimes as ISO strings, bytes as text).
inline constexpr const char kOracleScript[] = R"PY(
import json, sys, datetime
import botocore.session, botocore.parsers
from botocore.awsrequest import HeadersDict
service, operation, body_path, headers_json, status = sys.argv[1:6]
status = int(status)
session = botocore.session.get_session()
model = session.get_service_model(service)
op = model.operation_model(operation)
body = open(body_path, 'rb').read()
headers = HeadersDict(json.loads(headers_json))
parser = botocore.parsers.create_parser(model.metadata['protocol'])
parsed = parser.parse({'body': body, 'headers': headers, 'status_code': status},
                      op.output_shape if status < 300 else None)
def conv(o):
    if isinstance(o, datetime.datetime):
        return o.astimezone(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3] + 'Z'
    if isinstance(o, bytes):
        return o.decode('utf-8', 'replace')
    return str(o)
print(json.dumps(parsed, default=conv))
)PY";

// A python3 that can import botocore, or empty.
inline std::string findBotocorePython() {
  static const std::string found = [] {
    for (const char* py : {"/usr/bin/python3", "python3"}) {
      std::string cmd = std::string(py) + " -c 'import botocore.session, botocore.parsers' >/dev/null 2>&1";
      if (std::system(cmd.c_str()) == 0) return std::string(py);
    }
    return std::string();
  }();
  return found;
}

inline std::string shellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// Runs botocore's parser over (status, headers, body) for service/operation. nullopt if python3/botocore
// is missing (the caller GTEST_SKIPs); a JSON object otherwise ({"__error__": text} if the script failed).
inline std::optional<nlohmann::json> botocoreParse(const std::string& service, const std::string& operation,
                                                   const ResponseHeaders& headers, const std::string& body) {
  const std::string py = findBotocorePython();
  if (py.empty()) return std::nullopt;
  char body_path[] = "/tmp/zk_oracle_body_XXXXXX";
  int fd = mkstemp(body_path);
  if (fd < 0) return std::nullopt;
  ::close(fd);
  char script_path[] = "/tmp/zk_oracle_script_XXXXXX";
  fd = mkstemp(script_path);
  if (fd < 0) return std::nullopt;
  ::close(fd);
  std::ofstream(body_path, std::ios::binary) << body;
  std::ofstream(script_path) << kOracleScript;
  nlohmann::json hj = nlohmann::json::object();
  for (const auto& [k, v] : headers.fields) hj[k] = v;
  const std::string cmd = py + " " + script_path + " " + shellQuote(service) + " " + shellQuote(operation) +
                          " " + body_path + " " + shellQuote(hj.dump()) + " " +
                          std::to_string(headers.status) + " 2>&1";
  std::string out;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    std::array<char, 4096> buf;
    size_t n;
    while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
    pclose(p);
  }
  std::remove(body_path);
  std::remove(script_path);
  auto j = nlohmann::json::parse(out, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return nlohmann::json{{"__error__", out}};
  return j;
}

}  // namespace zk::aws::testing
