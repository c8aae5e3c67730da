// zone import/export against a real store in a temp data folder: create, delta re-import, export.
#include "app/zone_admin.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "route53_test_util.h"
#include "dns/types.h"
#include "services/route53/ids.h"

namespace zk::app {
namespace {

namespace t = dns::rrtype;

class ZoneAdminTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::makeTempDir(); }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string writeZone(const std::string& body) {
    std::string path = dir_ + "/zone.txt";
    std::ofstream(path) << "$ORIGIN imp.test.\n$TTL 300\n"
                           "@ IN SOA ns1.imp.test. host.imp.test. 1 3600 600 86400 60\n"
                           "@ IN NS ns1.imp.test.\n"
                        << body;
    return path;
  }
  std::unique_ptr<storage::SqliteStore> store() {
    storage::SqliteOptions o;
    o.data_dir = dir_;
    auto s = storage::SqliteStore::open(o);
    EXPECT_TRUE(s.ok()) << s.status().toString();
    return std::move(s).value();
  }
  std::string zoneId() {
    auto all = store()->allHostedZones();
    EXPECT_TRUE(all.ok() && all->size() == 1u);
    return all->front().id;
  }
  std::string dir_;
};

TEST_F(ZoneAdminTest, ReimportWritesOnlyTheDifference) {
  std::string base = "www 60 IN A 192.0.2.1\nwww 60 IN A 192.0.2.2\nmail IN MX 10 mx.imp.test.\nold IN TXT \"x\"\n";
  auto first = importZone(dir_, writeZone(base), "");
  ASSERT_TRUE(first.ok()) << first.status().toString();
  EXPECT_NE(first->find("created zone imp.test."), std::string::npos) << *first;
  const std::string id = zoneId();
  int64_t v1 = 0;
  {
    auto data = store()->loadZone(id);
    ASSERT_TRUE(data.ok());
    EXPECT_EQ(data->record_sets.size(), 5u);  // SOA, NS, www A (two values), MX, TXT
    v1 = data->zone.version;
  }

  // The same file again: nothing to write, the zone version stays.
  auto same = importZone(dir_, writeZone(base), "");
  ASSERT_TRUE(same.ok()) << same.status().toString();
  EXPECT_NE(same->find("(0 record set writes)"), std::string::npos) << *same;
  EXPECT_EQ(store()->loadZone(id)->zone.version, v1);

  // A record set with a set identifier (only the API makes these) is removed by an import.
  {
    route53::RecordSet w;
    w.name = *dns::Name::fromText("w.imp.test.");
    w.type = t::kA;
    w.ttl = 60;
    w.values = {"192.0.2.50"};
    w.set_identifier = "blue";
    w.weight = 1;
    route53::ChangeBatchWrite batch;
    batch.change = route53::ChangeRequest{route53::newChangeId(), "", std::chrono::system_clock::now()};
    batch.writes.push_back({route53::WriteAction::kUpsert, w});
    ASSERT_TRUE(store()->commitChangeBatch(id, batch).ok());
  }

  // One value changed, one set removed, one added: four writes (UPSERT www, DELETE old, UPSERT new,
  // DELETE the weighted set), and the stored zone is exactly the file.
  std::string changed = "www 60 IN A 192.0.2.1\nwww 60 IN A 192.0.2.3\nmail IN MX 10 mx.imp.test.\nnew IN AAAA 2001:db8::1\n";
  auto second = importZone(dir_, writeZone(changed), "");
  ASSERT_TRUE(second.ok()) << second.status().toString();
  EXPECT_NE(second->find("(4 record set writes)"), std::string::npos) << *second;
  auto out = exportZone(dir_, "imp.test");
  ASSERT_TRUE(out.ok()) << out.status().toString();
  EXPECT_NE(out->find("192.0.2.3"), std::string::npos) << *out;
  EXPECT_NE(out->find("2001:db8::1"), std::string::npos) << *out;
  EXPECT_EQ(out->find("192.0.2.2"), std::string::npos) << *out;
  EXPECT_EQ(out->find("old.imp.test."), std::string::npos) << *out;
  EXPECT_EQ(out->find("192.0.2.50"), std::string::npos) << *out;
  auto data = store()->loadZone(id);
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(data->record_sets.size(), 5u);
  EXPECT_GT(data->zone.version, v1);
}

TEST_F(ZoneAdminTest, BadFileChangesNothing) {
  ASSERT_TRUE(importZone(dir_, writeZone("www IN A 192.0.2.1\n"), "").ok());
  auto bad = importZone(dir_, writeZone("www IN A 192.0.2.999\n"), "");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("zone.txt"), std::string::npos) << bad.status().toString();
  auto out = exportZone(dir_, "imp.test.");
  ASSERT_TRUE(out.ok());
  EXPECT_NE(out->find("192.0.2.1"), std::string::npos);
}

}  // namespace
}  // namespace zk::app
