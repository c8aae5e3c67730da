// Helpers for the SQLite store tests: temporary data directories and record-set builders.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "dns/name.h"
#include "dns/types.h"
#include "services/route53/store.h"
#include "storage/sqlite/sqlite_store.h"

namespace zk::storage::testing {

// A fresh directory under the system temp dir, removed with its contents on destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "zk-storage-XXXXXX").string();
    char* p = ::mkdtemp(tmpl.data());
    EXPECT_NE(p, nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline dns::Name N(std::string_view text) {
  Result<dns::Name> n = dns::Name::fromText(text);
  EXPECT_TRUE(n.ok()) << text;
  return n.ok() ? *n : dns::Name();
}

inline route53::RecordSet RS(std::string_view name, uint16_t type, std::vector<std::string> values,
                             uint32_t ttl = 300, std::string set_identifier = "") {
  route53::RecordSet r;
  r.name = N(name);
  r.type = type;
  r.ttl = ttl;
  r.values = std::move(values);
  r.set_identifier = std::move(set_identifier);
  return r;
}

// Unique ids in Route 53's shapes (not random: tests must be reproducible).
inline std::string nextZoneId() {
  static std::atomic<uint64_t> n{1};
  char buf[32];
  std::snprintf(buf, sizeof buf, "Z%013llu", static_cast<unsigned long long>(n++));
  return buf;
}
inline std::string nextChangeId() {
  static std::atomic<uint64_t> n{1};
  char buf[32];
  std::snprintf(buf, sizeof buf, "C%013llu", static_cast<unsigned long long>(n++));
  return buf;
}

inline route53::ChangeRequest changeRequest(std::string comment = "") {
  return route53::ChangeRequest{nextChangeId(), std::move(comment),
                                std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000))};
}

inline route53::HostedZone zoneNamed(std::string_view name, std::string account = "123456789012") {
  route53::HostedZone z;
  z.id = nextZoneId();
  z.account_id = std::move(account);
  z.name = N(name);
  z.caller_reference = "ref-" + z.id;
  z.name_servers = {"ns-1.zonekeeper.test.", "ns-2.zonekeeper.test."};
  z.created_at = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));
  return z;
}

// The SOA and NS record sets Route 53 creates with a zone.
inline std::vector<route53::RecordSet> apexRecords(const route53::HostedZone& z) {
  std::string apex = z.name.toText();
  return {RS(apex, dns::rrtype::kSOA,
             {"ns-1.zonekeeper.test. hostmaster.zonekeeper.test. 1 7200 900 1209600 86400"}, 900),
          RS(apex, dns::rrtype::kNS, {"ns-1.zonekeeper.test.", "ns-2.zonekeeper.test."}, 172800)};
}

inline std::unique_ptr<SqliteStore> openStore(const std::string& dir, size_t max_group = 1024) {
  SqliteOptions o;
  o.data_dir = dir;
  o.max_group = max_group;
  Result<std::unique_ptr<SqliteStore>> s = SqliteStore::open(o);
  EXPECT_TRUE(s.ok()) << s.status().toString();
  return s.ok() ? std::move(*s) : nullptr;
}

inline route53::ChangeBatchWrite batchOf(std::vector<route53::RecordSetWrite> writes) {
  route53::ChangeBatchWrite b;
  b.change = changeRequest();
  b.writes = std::move(writes);
  return b;
}

inline route53::RecordSetWrite upsert(route53::RecordSet r) {
  return {route53::WriteAction::kUpsert, std::move(r)};
}
inline route53::RecordSetWrite create(route53::RecordSet r) {
  return {route53::WriteAction::kCreate, std::move(r)};
}
inline route53::RecordSetWrite del(route53::RecordSet r) {
  return {route53::WriteAction::kDelete, std::move(r)};
}

}  // namespace zk::storage::testing
