// `serve` flags and the JSON config file: every registered flag is a config key, the command line wins.
#include "app/options.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "app/server.h"

namespace zk::app {
namespace {

// Every setting a serve flag can reach, field by field (written out here, not read through the flag
// table, so a flag bound to nothing observable makes the tests below fail).
nlohmann::json snapshot(const ServeOptions& so, const ApiSettings& api) {
  return {
      {"data_dir", so.data_dir},
      {"dns_listen", so.dns_listen},
      {"dns_workers", so.dns_workers},
      {"zone_files", so.zone_files},
      {"api_listen", so.api_listen},
      {"api_tls_cert", so.api_tls_cert},
      {"api_tls_key", so.api_tls_key},
      {"axfr_allow", so.axfr_allow},
      {"tcp_max_connections", so.tcp_max_connections},
      {"tcp_idle_timeout_ms", so.tcp_idle_timeout_ms},
      {"name_servers", so.name_servers},
      {"region", so.region},
      {"log_level", so.log_level},
      {"tls_trust_files", so.tls_trust_files},
      {"imds_listen", so.imds_listen},
      {"imds_role", so.imds_role},
      {"imds_v1", so.imds_v1},
      {"imds_hop_limit", so.imds_hop_limit},
      {"api.io_threads", api.io_threads},
      {"api.workers", api.workers},
      {"api.throttle.rps", api.throttle.requests_per_second},
      {"api.throttle.burst", api.throttle.burst},
      {"api.batch.records", api.batch_limits.max_resource_records},
      {"api.batch.chars", api.batch_limits.max_value_characters},
      {"api.max_rrsets", api.max_record_sets_per_zone},
      {"api.max_zones", api.max_hosted_zones_per_account},
      {"api.hostmaster", api.hostmaster},
      {"api.store_gather_us", api.store_gather_us},
      {"api.max_connections", api.max_connections},
      {"api.max_connections_per_ip", api.max_connections_per_ip},
      {"api.read_timeout_ms", api.read_timeout_ms},
      {"api.idle_timeout_ms", api.idle_timeout_ms},
  };
}

// The real `serve` subcommand, parsed once.
class ServeParse {
 public:
  ServeParse() : flags_(serveFlags(so_, api_)), serve_(addServeCommand(app_, flags_, &config_)) {}
  ServeParse(const ServeParse&) = delete;

  // Parses `zonekeeper serve args...` then applies --config; a CLI11 error becomes a Status.
  Status run(const std::vector<std::string>& args) {
    std::vector<std::string> all = {"zonekeeper", "serve"};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    try {
      app_.parse(static_cast<int>(argv.size()), argv.data());
    } catch (const CLI::ParseError& e) {
      return invalidArgument(std::string("command line: ") + e.what());
    }
    return applyConfigFile(*serve_, flags_, config_);
  }
  nlohmann::json result() const { return snapshot(so_, api_); }
  const ServeOptions& options() const { return so_; }
  const ApiSettings& api() const { return api_; }
  const CLI::App& serve() const { return *serve_; }

 private:
  ServeOptions so_;
  ApiSettings api_;
  std::string config_;
  std::vector<ServeFlag> flags_;
  CLI::App app_;
  CLI::App* serve_;
};

// One registered flag, as CLI11 describes it.
struct FlagInfo {
  std::vector<std::string> names;  // long names without dashes
  std::string type;                // CLI11 type name: INT, UINT, FLOAT, TEXT
  bool list = false;
};

// Every flag registered on `serve` but --help and --config: the list the tests iterate, taken from
// CLI11 rather than from the flag table.
std::vector<FlagInfo> registeredFlags() {
  ServeParse p;
  std::vector<FlagInfo> out;
  for (const CLI::Option* opt : p.serve().get_options()) {
    const auto& names = opt->get_lnames();
    if (names.empty() || names.front() == "help" || names.front() == "config") continue;
    const bool is_switch = opt->get_items_expected_max() == 0;
    out.push_back({names, is_switch ? "BOOL" : opt->get_type_name(), opt->get_items_expected_max() > 1});
  }
  return out;
}

// A value for `flag` that no default has: `variant` picks one of two.
nlohmann::json sampleValue(const FlagInfo& flag, int variant) {
  const std::string tag = flag.names.front() + "-" + std::to_string(variant);
  if (flag.list) return nlohmann::json::array({"a-" + tag, "b-" + tag});
  if (flag.type == "BOOL") return true;  // every switch defaults to false
  if (flag.type == "INT" || flag.type == "UINT")
    return 7001 + 3 * variant + static_cast<int>(flag.names.front().size());
  if (flag.type == "FLOAT") return 12.5 + variant;
  return "text-" + tag;
}

// The same value as command-line arguments.
std::vector<std::string> cliArgs(const std::string& name, const nlohmann::json& value) {
  std::vector<std::string> args;
  if (value.is_boolean()) {
    if (value.get<bool>()) args.push_back("--" + name);
  } else if (value.is_array()) {
    for (const auto& v : value) args.insert(args.end(), {"--" + name, v.get<std::string>()});
  } else {
    args = {"--" + name, value.is_string() ? value.get<std::string>() : value.dump()};
  }
  return args;
}

// Values of the wrong JSON type for `flag`.
std::vector<nlohmann::json> wrongValues(const FlagInfo& flag) {
  if (flag.list) return {5, nlohmann::json::array({"ok", 1}), nlohmann::json::object()};
  if (flag.type == "BOOL") return {"true", 1, nullptr, nlohmann::json::array()};
  if (flag.type == "INT" || flag.type == "UINT") return {"7", 2.5, true, nullptr, nlohmann::json::array({1})};
  if (flag.type == "FLOAT") return {"1.5", false, nlohmann::json::array()};
  return {5, true, nlohmann::json::array({"a"}), nullptr};
}

class OptionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("zk_options_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string writeText(const std::string& text) {
    std::string path = (dir_ / ("config" + std::to_string(n_++) + ".json")).string();
    std::ofstream(path) << text;
    return path;
  }
  std::string writeConfig(const nlohmann::json& j) { return writeText(j.dump()); }

  std::filesystem::path dir_;
  int n_ = 0;
};

TEST_F(OptionsTest, RegisteredFlagsIncludeTheKnownOnes) {
  std::set<std::string> names;
  for (const auto& f : registeredFlags()) names.insert(f.names.begin(), f.names.end());
  for (const char* n : {"data-dir",
                        "dns-listen",
                        "dns-workers",
                        "zone-file",
                        "api-listen",
                        "api-tls-cert",
                        "api-tls-key",
                        "axfr-allow",
                        "name-server",
                        "region",
                        "log-level",
                        "api-workers",
                        "api-io-threads",
                        "api-throttle-rate",
                        "api-throttle-burst",
                        "store-gather-us",
                        "route53-hostmaster",
                        "route53-max-rrsets-per-zone",
                        "route53-max-zones",
                        "route53-max-batch-records",
                        "route53-max-batch-chars",
                        "tcp-max-connections",
                        "tcp-idle-timeout-ms"})
    EXPECT_TRUE(names.count(n)) << n;
}

// For every registered flag and each of its long names: the config value lands exactly where the
// same value given on the command line does, and differs from the default.
TEST_F(OptionsTest, EveryFlagIsSettableFromTheConfigFile) {
  ServeParse defaults;
  ASSERT_TRUE(defaults.run({}).isOk());
  for (const FlagInfo& flag : registeredFlags()) {
    for (const std::string& key : flag.names) {
      SCOPED_TRACE(key);
      nlohmann::json value = sampleValue(flag, 0);
      ServeParse from_file;
      Status s = from_file.run({"--config", writeConfig(nlohmann::json{{key, value}})});
      ASSERT_TRUE(s.isOk()) << s.message();
      ServeParse from_cli;
      s = from_cli.run(cliArgs(key, value));
      ASSERT_TRUE(s.isOk()) << s.message();
      EXPECT_NE(from_file.result(), defaults.result()) << "config key has no effect";
      EXPECT_EQ(from_file.result(), from_cli.result());
    }
  }
}

// The command line wins over the file, flag by flag, whichever order they come in.
TEST_F(OptionsTest, CommandLineOverridesTheConfigFile) {
  for (const FlagInfo& flag : registeredFlags()) {
    SCOPED_TRACE(flag.names.front());
    const std::string& key = flag.names.front();
    std::string path = writeConfig(nlohmann::json{{key, sampleValue(flag, 0)}});
    std::vector<std::string> cli = cliArgs(key, sampleValue(flag, 1));
    ServeParse expected;
    ASSERT_TRUE(expected.run(cli).isOk());

    std::vector<std::string> after = {"--config", path};
    after.insert(after.end(), cli.begin(), cli.end());
    ServeParse config_first;
    ASSERT_TRUE(config_first.run(after).isOk());
    EXPECT_EQ(config_first.result(), expected.result());

    std::vector<std::string> before = cli;
    before.insert(before.end(), {"--config", path});
    ServeParse config_last;
    ASSERT_TRUE(config_last.run(before).isOk());
    EXPECT_EQ(config_last.result(), expected.result());
  }
}

// One file with every key, one flag on the command line: that flag from the command line, every
// other from the file.
TEST_F(OptionsTest, FullConfigWithOneOverride) {
  auto flags = registeredFlags();
  nlohmann::json all;
  std::vector<std::string> all_cli;
  for (const auto& f : flags) {
    all[f.names.front()] = sampleValue(f, 0);
    auto a = cliArgs(f.names.front(), sampleValue(f, 0));
    all_cli.insert(all_cli.end(), a.begin(), a.end());
  }
  std::string path = writeConfig(all);
  ServeParse file_only, cli_only;
  ASSERT_TRUE(file_only.run({"--config", path}).isOk());
  ASSERT_TRUE(cli_only.run(all_cli).isOk());
  EXPECT_EQ(file_only.result(), cli_only.result());

  ServeParse mixed;
  ASSERT_TRUE(mixed.run({"--config", path, "--api-workers", "3", "--zone-file", "z.zone"}).isOk());
  EXPECT_EQ(mixed.api().workers, 3);
  EXPECT_EQ(mixed.options().zone_files, std::vector<std::string>{"z.zone"});
  EXPECT_EQ(mixed.options().dns_listen, file_only.options().dns_listen);
  EXPECT_EQ(mixed.api().io_threads, file_only.api().io_threads);
}

TEST_F(OptionsTest, ConfigValuesReachTheirFields) {
  ServeParse p;
  Status s = p.run({"--config", writeText(R"({
      "dns-listen": "127.0.0.1:0", "dns-workers": 3, "zone-file": "one.zone",
      "api-workers": 4, "api-io-threads": 5, "api-throttle-rate": 2.5, "api-throttle-burst": 10,
      "store-gather-us": 250, "name-server": ["ns1.a.test.", "ns2.a.test."],
      "route53-hostmaster": "admin.a.test.", "route53-max-zones": 7, "route53-max-rrsets-per-zone": 8,
      "route53-max-batch-records": 9, "route53-max-batch-chars": 11, "axfr-allow": ["10.0.0.0/8"],
      "tcp-max-connections": 12, "tcp-idle-timeout-ms": 13, "api-tls-cert": "c.pem", "api-tls-key": "k.pem",
      "region": "eu-west-1", "log-level": "debug"})")});
  ASSERT_TRUE(s.isOk()) << s.message();
  const ServeOptions& so = p.options();
  const ApiSettings& api = p.api();
  EXPECT_EQ(so.dns_listen, "127.0.0.1:0");
  EXPECT_EQ(so.dns_workers, 3);
  EXPECT_EQ(so.zone_files, std::vector<std::string>{"one.zone"});
  EXPECT_EQ(so.data_dir, "./data");  // not in the file: the default
  EXPECT_EQ(api.workers, 4);
  EXPECT_EQ(api.io_threads, 5);
  EXPECT_DOUBLE_EQ(api.throttle.requests_per_second, 2.5);
  EXPECT_DOUBLE_EQ(api.throttle.burst, 10);
  EXPECT_EQ(api.store_gather_us, 250);
  EXPECT_EQ(so.name_servers, (std::vector<std::string>{"ns1.a.test.", "ns2.a.test."}));
  EXPECT_EQ(api.hostmaster, "admin.a.test.");
  EXPECT_EQ(api.max_hosted_zones_per_account, 7);
  EXPECT_EQ(api.max_record_sets_per_zone, 8);
  EXPECT_EQ(api.batch_limits.max_resource_records, 9u);
  EXPECT_EQ(api.batch_limits.max_value_characters, 11u);
  EXPECT_EQ(so.axfr_allow, std::vector<std::string>{"10.0.0.0/8"});
  EXPECT_EQ(so.tcp_max_connections, 12u);
  EXPECT_EQ(so.tcp_idle_timeout_ms, 13);
  EXPECT_EQ(so.api_tls_cert, "c.pem");
  EXPECT_EQ(so.api_tls_key, "k.pem");
  EXPECT_EQ(so.region, "eu-west-1");
  EXPECT_EQ(so.log_level, "debug");
}

// A wrong type fails naming the key, for every flag, and changes nothing, even when the same flag
// is also given on the command line.
TEST_F(OptionsTest, WrongTypeFailsNamingTheKey) {
  ServeParse defaults;
  ASSERT_TRUE(defaults.run({}).isOk());
  for (const FlagInfo& flag : registeredFlags()) {
    for (const nlohmann::json& bad : wrongValues(flag)) {
      const std::string& key = flag.names.front();
      SCOPED_TRACE(key + " = " + bad.dump());
      ServeParse p;
      // A good key beside the bad one: it must not be applied either.
      const std::string good = key == "region" ? "data-dir" : "region";
      Status s = p.run({"--config", writeConfig(nlohmann::json{{good, "changed"}, {key, bad}})});
      EXPECT_FALSE(s.isOk());
      EXPECT_NE(s.message().find("\"" + key + "\""), std::string::npos) << s.message();
      EXPECT_EQ(p.result(), defaults.result());

      ServeParse overridden;
      auto args = cliArgs(key, sampleValue(flag, 0));
      args.insert(args.end(), {"--config", writeConfig(nlohmann::json{{key, bad}})});
      EXPECT_FALSE(overridden.run(args).isOk());
    }
  }
}

TEST_F(OptionsTest, OutOfRangeIntegersFail) {
  for (const char* text : {R"({"tcp-max-connections": -1})", R"({"dns-workers": 4294967296})",
                           R"({"route53-max-batch-chars": -5})", R"({"api-workers": 18446744073709551615})",
                           R"({"route53-max-zones": 18446744073709551615})"}) {
    SCOPED_TRACE(text);
    ServeParse p;
    Status s = p.run({"--config", writeText(text)});
    EXPECT_FALSE(s.isOk());
    std::string key = nlohmann::json::parse(text).begin().key();
    EXPECT_NE(s.message().find("\"" + key + "\""), std::string::npos) << s.message();
  }
  ServeParse p;  // the edges that fit
  ASSERT_TRUE(p.run({"--config", writeText(R"({"dns-workers": -2147483648, "route53-max-zones": -1,
                                                  "tcp-max-connections": 18446744073709551615})")})
                  .isOk());
  EXPECT_EQ(p.options().dns_workers, INT32_MIN);
  EXPECT_EQ(p.api().max_hosted_zones_per_account, -1);
  EXPECT_EQ(p.options().tcp_max_connections, SIZE_MAX);
}

TEST_F(OptionsTest, UnknownKeyFailsNamingIt) {
  for (const char* key : {"dns-wrokers", "config", "help", "--dns-listen", "dns_listen", ""}) {
    SCOPED_TRACE(key);
    ServeParse p;
    Status s = p.run({"--config", writeConfig(nlohmann::json{{"dns-listen", "127.0.0.1:1"}, {key, 1}})});
    EXPECT_FALSE(s.isOk());
    EXPECT_NE(s.message().find(std::string("unknown key \"") + key + "\""), std::string::npos) << s.message();
    EXPECT_EQ(p.options().dns_listen, ServeOptions().dns_listen);
  }
}

TEST_F(OptionsTest, AliasAndPrimaryTogetherFail) {
  ServeParse p;
  Status s = p.run({"--config", writeText(R"({"name-server": ["a."], "name-servers": ["b."]})")});
  EXPECT_FALSE(s.isOk());
  EXPECT_NE(s.message().find("\"name-servers\""), std::string::npos) << s.message();
}

TEST_F(OptionsTest, ListFlagTakesALoneString) {
  ServeParse p;
  ASSERT_TRUE(p.run({"--config", writeText(R"({"zone-file": "a.zone", "axfr-allow": []})")}).isOk());
  EXPECT_EQ(p.options().zone_files, std::vector<std::string>{"a.zone"});
  EXPECT_TRUE(p.options().axfr_allow.empty());
}

TEST_F(OptionsTest, BadFilesFail) {
  ServeParse missing;
  Status s = missing.run({"--config", (dir_ / "absent.json").string()});
  EXPECT_FALSE(s.isOk());
  EXPECT_NE(s.message().find("absent.json"), std::string::npos);
  for (const char* text : {"", "{", "[1, 2]", "\"dns-listen\"", "{\"dns-listen\": \"a\",}"}) {
    SCOPED_TRACE(text);
    ServeParse p;
    std::string path = writeText(text);
    s = p.run({"--config", path});
    EXPECT_FALSE(s.isOk());
    EXPECT_NE(s.message().find(path), std::string::npos) << s.message();
  }
  ServeParse empty_object;
  EXPECT_TRUE(empty_object.run({"--config", writeText("{}")}).isOk());
}

// A bucket smaller than one token never lets a call through: refused at start, naming the flag.
TEST_F(OptionsTest, ThrottleBurstBelowOneIsRefused) {
  for (const char* burst : {"0.5", "0.999", "-1", "nan"}) {
    SCOPED_TRACE(burst);
    ServeParse p;
    ASSERT_TRUE(p.run({"--api-throttle-rate", "10", "--api-throttle-burst", burst}).isOk());
    Status s = validateServeOptions(p.options(), p.api());
    EXPECT_FALSE(s.isOk());
    EXPECT_EQ(s.code(), Code::kInvalidArgument);
    EXPECT_NE(s.message().find("\"api-throttle-burst\""), std::string::npos) << s.message();
  }
  ServeParse from_file;
  ASSERT_TRUE(from_file.run({"--config", writeText(R"({"api-throttle-burst": 0.25})")}).isOk());
  EXPECT_FALSE(validateServeOptions(from_file.options(), from_file.api()).isOk());
  for (const char* burst : {"0", "1", "2.5", "100"}) {
    SCOPED_TRACE(burst);
    ServeParse p;
    ASSERT_TRUE(p.run({"--api-throttle-rate", "10", "--api-throttle-burst", burst}).isOk());
    EXPECT_TRUE(validateServeOptions(p.options(), p.api()).isOk());
  }
  ServeParse defaults;
  ASSERT_TRUE(defaults.run({}).isOk());
  EXPECT_TRUE(validateServeOptions(defaults.options(), defaults.api()).isOk());
}

// The HTTP listener's limits are serve flags (and config keys); nonsense values are refused at start.
TEST_F(OptionsTest, ApiConnectionLimitsAndTimeouts) {
  ServeParse p;
  ASSERT_TRUE(
      p.run({"--api-max-connections", "100", "--api-max-connections-per-ip", "8", "--api-read-timeout-ms",
             "5000", "--config", writeText(R"({"api-idle-timeout-ms": 7000})")})
          .isOk());
  EXPECT_EQ(p.api().max_connections, 100u);
  EXPECT_EQ(p.api().max_connections_per_ip, 8u);
  EXPECT_EQ(p.api().read_timeout_ms, 5000);
  EXPECT_EQ(p.api().idle_timeout_ms, 7000);
  EXPECT_TRUE(validateServeOptions(p.options(), p.api()).isOk());
  for (const char* flag : {"api-max-connections", "api-read-timeout-ms", "api-idle-timeout-ms"}) {
    SCOPED_TRACE(flag);
    ServeParse bad;
    ASSERT_TRUE(bad.run({std::string("--") + flag, "0"}).isOk());
    Status s = validateServeOptions(bad.options(), bad.api());
    EXPECT_FALSE(s.isOk());
    EXPECT_NE(s.message().find(std::string("\"") + flag + "\""), std::string::npos) << s.message();
  }
  ServeParse unlimited;  // 0 = no per-address limit
  ASSERT_TRUE(unlimited.run({"--api-max-connections-per-ip", "0"}).isOk());
  EXPECT_TRUE(validateServeOptions(unlimited.options(), unlimited.api()).isOk());
}

}  // namespace
}  // namespace zk::app
