// Test fixture: a real SqliteStore in a temp dir, a real DnsCatalog, and the Route 53 service over them.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "app/catalog_publisher.h"
#include "app/dns_catalog.h"
#include "base/clock.h"
#include "dns/rdata.h"
#include "dns/types.h"
#include "services/route53/service.h"
#include "storage/sqlite/sqlite_store.h"

namespace zk::app::testing {

inline constexpr const char* kAccount = "123456789012";
inline constexpr const char* kOtherAccount = "210987654321";

inline std::string makeTempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "zk-r53-XXXXXX").string();
  char* p = ::mkdtemp(tmpl.data());
  EXPECT_NE(p, nullptr);
  return tmpl;
}

class Route53Fixture : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = makeTempDir();
    openAll();
  }
  void TearDown() override {
    closeAll();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  virtual route53::Route53Config config() {
    route53::Route53Config c;
    c.name_servers = {"ns1.zk.test", "ns2.zk.test."};
    return c;
  }
  void openAll() {
    storage::SqliteOptions o;
    o.data_dir = dir_;
    auto s = storage::SqliteStore::open(o);
    ASSERT_TRUE(s.ok()) << s.status().toString();
    store_ = std::move(s).value();
    publisher_ = std::make_unique<CatalogPublisher>(catalog_);
    service_ = std::make_unique<route53::Route53Service>(*store_, *store_, *publisher_, clock_, config());
    ASSERT_TRUE(service_->syncAll().isOk());
  }
  void closeAll() {
    service_.reset();
    publisher_.reset();
    store_.reset();
  }

  route53::ServiceResult call(const std::string& op, const nlohmann::json& in,
                              const std::string& account = kAccount) {
    route53::CallContext ctx;
    ctx.account_id = account;
    ctx.principal_arn = "arn:aws:iam::" + account + ":user/admin";
    ctx.request_id = "rid";
    return service_->invoke(op, in, ctx);
  }
  // Calls and expects success; returns the output.
  nlohmann::json ok(const std::string& op, const nlohmann::json& in, const std::string& account = kAccount) {
    auto r = call(op, in, account);
    EXPECT_TRUE(r.ok()) << op << ": " << (r.ok() ? "" : r.error().code + ": " + r.error().message);
    return r.ok() ? r.output() : nlohmann::json();
  }
  // Creates a zone; returns its bare id.
  std::string createZone(const std::string& name, const std::string& account = kAccount) {
    auto out =
        ok("CreateHostedZone", {{"Name", name}, {"CallerReference", "ref-" + name + "-" + account}}, account);
    std::string id = out["HostedZone"]["Id"];
    return id.substr(std::string("/hostedzone/").size());
  }
  nlohmann::json upsert(const std::string& zone, const std::string& name, const std::string& type,
                        std::vector<std::string> values, int ttl = 300,
                        const std::string& action = "UPSERT") {
    nlohmann::json records = nlohmann::json::array();
    for (auto& v : values) records.push_back({{"Value", v}});
    return {{"HostedZoneId", zone},
            {"ChangeBatch",
             {{"Changes",
               {{{"Action", action},
                 {"ResourceRecordSet",
                  {{"Name", name}, {"Type", type}, {"TTL", ttl}, {"ResourceRecords", records}}}}}}}}};
  }
  // What the DNS snapshot serves at (name, type), as presentation texts (sorted).
  std::vector<std::string> served(const std::string& apex, const std::string& name, uint16_t type) {
    std::vector<std::string> out;
    auto z = catalog_.current()->get(*dns::Name::fromText(apex));
    if (!z) return out;
    const zone::Node* n = z->find(*dns::Name::fromText(name));
    if (!n) return out;
    const zone::RRset* rr = n->find(type);
    if (!rr) return out;
    for (const auto& rd : rr->rdatas()) out.push_back(dns::rdataToText(type, rd));
    std::sort(out.begin(), out.end());
    return out;
  }
  uint32_t servedTtl(const std::string& apex, const std::string& name, uint16_t type) {
    auto z = catalog_.current()->get(*dns::Name::fromText(apex));
    if (!z) return 0;
    const zone::Node* n = z->find(*dns::Name::fromText(name));
    const zone::RRset* rr = n ? n->find(type) : nullptr;
    return rr ? rr->ttl() : 0;
  }

  std::string dir_;
  FakeClock clock_;
  std::unique_ptr<storage::SqliteStore> store_;
  DnsCatalog catalog_;
  std::unique_ptr<CatalogPublisher> publisher_;
  std::unique_ptr<route53::Route53Service> service_;
};

}  // namespace zk::app::testing
