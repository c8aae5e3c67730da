// Server start-up against a real data folder: --zone-file zones beside stored zones of the same names.
#include "app/server.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "dns/rdata.h"
#include "dns/types.h"
#include "route53_test_util.h"
#include "services/route53/ids.h"

namespace zk::app {
namespace {

namespace t = dns::rrtype;

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::makeTempDir(); }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string data() const { return dir_ + "/data"; }
  // Stores a hosted zone (as the API or `zone import` would have) with one A record at `host`.
  void storeZone(const std::string& apex, const std::string& host, const std::string& address) {
    storage::SqliteOptions o;
    o.data_dir = data();
    auto store = storage::SqliteStore::open(o);
    ASSERT_TRUE(store.ok()) << store.status().toString();
    route53::HostedZone hz;
    hz.id = route53::newHostedZoneId();
    hz.account_id = testing::kAccount;
    hz.name = *dns::Name::fromText(apex);
    hz.caller_reference = "ref-" + apex;
    hz.name_servers = {"ns1.zk.test."};
    hz.created_at = std::chrono::system_clock::now();
    route53::RecordSet soa, ns, a;
    soa.name = ns.name = hz.name;
    soa.type = t::kSOA;
    soa.ttl = 900;
    soa.values = {"ns1.zk.test. hostmaster.zk.test. 1 7200 900 1209600 86400"};
    ns.type = t::kNS;
    ns.ttl = 900;
    ns.values = {"ns1.zk.test."};
    a.name = *dns::Name::fromText(host);
    a.type = t::kA;
    a.ttl = 60;
    a.values = {address};
    std::vector<route53::RecordSet> sets = {soa, ns, a};
    auto r = (*store)->createHostedZone(hz, sets, {route53::newChangeId(), "", hz.created_at});
    ASSERT_TRUE(r.ok()) << r.status().toString();
  }
  std::string writeZoneFile(const std::string& apex, const std::string& body) {
    std::string path = dir_ + "/" + apex + "zone";
    std::ofstream(path) << "$ORIGIN " << apex << "\n$TTL 300\n"
                        << "@ IN SOA ns1.zk.test. host.zk.test. 1 3600 600 86400 60\n@ IN NS ns1.zk.test.\n"
                        << body;
    return path;
  }
  ServeOptions options(std::vector<std::string> zone_files) {
    ServeOptions so;
    so.data_dir = data();
    so.dns_listen = "127.0.0.1:0";
    so.dns_workers = 1;
    so.api_listen = "";  // no API: the service is reached through route53()
    so.zone_files = std::move(zone_files);
    return so;
  }
  // The A records the server's DNS snapshot answers for `name` (from the closest enclosing zone).
  std::vector<std::string> answer(Server& s, const std::string& name) {
    std::vector<std::string> out;
    const std::string wire = dns::Name::fromText(name)->wireString();
    auto set = s.catalog().current();
    const zone::Zone* z =
        set->findZone(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(wire.data()), wire.size()));
    if (!z) return out;
    const zone::Node* n = z->find(*dns::Name::fromText(name));
    const zone::RRset* rr = n ? n->find(t::kA) : nullptr;
    if (rr)
      for (const auto& rd : rr->rdatas()) out.push_back(dns::rdataToText(t::kA, rd));
    return out;
  }
  std::string dir_;
};

// A stored zone named like (or inside) a --zone-file zone used to take over its answers, and the next
// start failed ("is already served"). Now the start succeeds, the file's zone answers, and the stored
// zones stay in the store unserved.
TEST_F(ServerTest, StoredZoneCollidingWithAZoneFileDoesNotFailTheStart) {
  storeZone("file.test.", "www.file.test.", "192.0.2.99");
  storeZone("in.file.test.", "www.in.file.test.", "192.0.2.98");
  const std::string file = writeZoneFile("file.test.", "www IN A 192.0.2.1\nwww.in IN A 192.0.2.2\n");
  Server server(options({file}));
  Status st = server.start();
  ASSERT_TRUE(st.isOk()) << st.toString();
  EXPECT_EQ(answer(server, "www.file.test."), std::vector<std::string>{"192.0.2.1"});
  EXPECT_EQ(answer(server, "www.in.file.test."), std::vector<std::string>{"192.0.2.2"});
  EXPECT_EQ(server.catalog().current()->size(), 1u);
  // A reload (SIGHUP) re-reads the stored zones too: still the file's answers.
  EXPECT_TRUE(server.reload().isOk());
  EXPECT_EQ(answer(server, "www.file.test."), std::vector<std::string>{"192.0.2.1"});
  EXPECT_EQ(answer(server, "www.in.file.test."), std::vector<std::string>{"192.0.2.2"});
  server.stop();
}

// CreateHostedZone refuses the name of a --zone-file zone and every name inside it; names beside it
// and above it are fine.
TEST_F(ServerTest, CreateHostedZoneRefusesNamesOfZoneFiles) {
  const std::string file = writeZoneFile("file.test.", "www IN A 192.0.2.1\n");
  Server server(options({file}));
  ASSERT_TRUE(server.start().isOk());
  ASSERT_NE(server.route53(), nullptr);
  auto create = [&](const std::string& name) {
    route53::CallContext ctx;
    ctx.account_id = testing::kAccount;
    ctx.principal_arn = "arn";
    ctx.request_id = "rid";
    return server.route53()->invoke("CreateHostedZone", {{"Name", name}, {"CallerReference", "r-" + name}},
                                    ctx);
  };
  for (const char* name : {"file.test", "FILE.test.", "www.file.test", "a.b.file.test"}) {
    SCOPED_TRACE(name);
    auto r = create(name);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "ConflictingDomainExists");
    EXPECT_EQ(r.error().http_status, 400);
  }
  EXPECT_EQ(answer(server, "www.file.test."), std::vector<std::string>{"192.0.2.1"});
  EXPECT_TRUE(create("other.test").ok());
  EXPECT_TRUE(create("xfile.test").ok());
  server.stop();
}

}  // namespace
}  // namespace zk::app
