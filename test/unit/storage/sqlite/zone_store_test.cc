// SqliteStore as a route53::ZoneStore: zones, record sets, change batches, listings and paging.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <thread>

#include "store_test_util.h"

namespace zk::storage {
namespace {

using namespace testing;  // NOLINT
using route53::ChangeStatus;
using route53::HostedZone;
using route53::RecordSet;
namespace rrtype = dns::rrtype;

class ZoneStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = openStore(dir_.path());
    ASSERT_NE(store_, nullptr);
  }
  // Creates a zone with its apex SOA/NS.
  HostedZone makeZone(std::string_view name, std::string account = "123456789012") {
    HostedZone z = zoneNamed(name, std::move(account));
    auto recs = apexRecords(z);
    Result<route53::ChangeInfo> c = store_->createHostedZone(z, recs, changeRequest());
    EXPECT_TRUE(c.ok()) << c.status().toString();
    return z;
  }
  std::vector<std::string> listedNames(const std::string& zone_id) {
    std::vector<std::string> out;
    Result<route53::RecordSetPage> p = store_->listRecordSets(zone_id, std::nullopt, 1000);
    EXPECT_TRUE(p.ok());
    for (auto& r : p->record_sets)
      out.push_back(route53::route53NameText(r.name) + " " + dns::typeToText(r.type) +
                    (r.set_identifier.empty() ? "" : " " + r.set_identifier));
    return out;
  }

  TempDir dir_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(ZoneStoreTest, CreateGetAndFindByCallerReference) {
  HostedZone z = zoneNamed("Example.COM.");
  z.comment = "hello";
  z.private_zone = true;
  z.delegation_set_id = "N123";
  auto recs = apexRecords(z);
  route53::ChangeRequest req = changeRequest("create");
  Result<route53::ChangeInfo> c = store_->createHostedZone(z, recs, req);
  ASSERT_TRUE(c.ok()) << c.status().toString();
  EXPECT_EQ(c->id, req.id);
  EXPECT_EQ(c->zone_id, z.id);
  EXPECT_EQ(c->status, ChangeStatus::kPending);
  EXPECT_EQ(c->submitted_at, req.submitted_at);
  EXPECT_EQ(c->zone_version, 1);

  Result<HostedZone> got = store_->getHostedZone(z.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->id, z.id);
  EXPECT_EQ(got->account_id, z.account_id);
  EXPECT_EQ(got->name.toText(), "Example.COM.");  // case preserved
  EXPECT_EQ(got->caller_reference, z.caller_reference);
  EXPECT_EQ(got->comment, "hello");
  EXPECT_TRUE(got->private_zone);
  EXPECT_EQ(got->name_servers, z.name_servers);
  EXPECT_EQ(got->delegation_set_id, "N123");
  EXPECT_EQ(got->created_at, z.created_at);
  EXPECT_EQ(got->record_count, 2);
  EXPECT_EQ(got->version, 1);

  Result<HostedZone> by_ref = store_->findHostedZoneByCallerReference(z.account_id, z.caller_reference);
  ASSERT_TRUE(by_ref.ok());
  EXPECT_EQ(by_ref->id, z.id);
  EXPECT_EQ(store_->findHostedZoneByCallerReference("999999999999", z.caller_reference).status().code(),
            Code::kNotFound);
  EXPECT_EQ(store_->getHostedZone("ZNOPE").status().code(), Code::kNotFound);

  Result<route53::ChangeInfo> ch = store_->getChange(req.id);
  ASSERT_TRUE(ch.ok());
  EXPECT_EQ(ch->comment, "create");
  EXPECT_EQ(ch->status, ChangeStatus::kPending);
}

TEST_F(ZoneStoreTest, CallerReferenceStaysUsedAfterTheZoneIsDeleted) {
  HostedZone z = makeZone("example.com.");
  ASSERT_TRUE(*store_->callerReferenceUsed(z.account_id, z.caller_reference));
  EXPECT_FALSE(*store_->callerReferenceUsed(z.account_id, "never-used"));
  EXPECT_FALSE(*store_->callerReferenceUsed("210987654321", z.caller_reference));
  ASSERT_TRUE(store_->deleteHostedZone(z.id, changeRequest()).ok());
  EXPECT_EQ(store_->findHostedZoneByCallerReference(z.account_id, z.caller_reference).status().code(),
            Code::kNotFound);
  EXPECT_TRUE(*store_->callerReferenceUsed(z.account_id, z.caller_reference));
  // The store itself refuses the reference (inside the transaction), and leaves nothing behind.
  HostedZone again = zoneNamed("example.com.");
  again.caller_reference = z.caller_reference;
  EXPECT_EQ(store_->createHostedZone(again, apexRecords(again), changeRequest()).status().code(),
            Code::kAlreadyExists);
  EXPECT_EQ(store_->getHostedZone(again.id).status().code(), Code::kNotFound);
  // A create that fails after the reference was recorded (a record outside the zone) does not use
  // it up: the whole create rolls back.
  HostedZone bad = zoneNamed("bad.com.");
  bad.caller_reference = "fresh-ref";
  EXPECT_EQ(store_->createHostedZone(bad, apexRecords(zoneNamed("elsewhere.com.")), changeRequest())
                .status()
                .code(),
            Code::kInvalidArgument);
  EXPECT_FALSE(*store_->callerReferenceUsed(bad.account_id, "fresh-ref"));
  EXPECT_TRUE(store_->createHostedZone(bad, apexRecords(bad), changeRequest()).ok());
  EXPECT_TRUE(*store_->callerReferenceUsed(bad.account_id, "fresh-ref"));
}

// One DNS server answers for every zone: a name belongs to one zone, and a zone may not be a parent
// or a child of another account's zone (its names would be answered from the wrong account's zone).
TEST_F(ZoneStoreTest, CreateRefusesNamesOfAnotherAccountsZones) {
  const std::string a = "111111111111", b = "222222222222";
  makeZone("a.test.", a);
  auto create = [&](std::string_view name, const std::string& account) {
    HostedZone z = zoneNamed(name, account);
    Status st = store_->createHostedZone(z, apexRecords(z), changeRequest()).status();
    if (!st.isOk()) {
      EXPECT_EQ(store_->getHostedZone(z.id).status().code(), Code::kNotFound) << name;
    }
    return st;
  };
  // Child, grandchild, parent of another account's zone: refused, nothing stored.
  for (const char* name : {"sub.a.test.", "x.Sub.A.test.", "test.", "a.test."}) {
    SCOPED_TRACE(name);
    Status st = create(name, b);
    EXPECT_EQ(st.code(), Code::kFailedPrecondition) << st.toString();
    EXPECT_EQ(st.message(), "The hosted zone " + route53::route53NameText(N(name)) +
                                " conflicts with an existing hosted zone.");
  }
  // The same name in another account too.
  EXPECT_EQ(create("A.TEST.", b).code(), Code::kFailedPrecondition);
  // Same-account nesting stays allowed; names that only share a suffix string are not related.
  EXPECT_TRUE(create("sub.a.test.", a).isOk());
  EXPECT_TRUE(create("test.", a).isOk());
  EXPECT_TRUE(create("aa.test2.", b).isOk());
  EXPECT_EQ(create("ba.test.", b).code(), Code::kFailedPrecondition);  // a child of a's "test."
  EXPECT_TRUE(create("b-a.other.", b).isOk());
  EXPECT_TRUE(create("x.b-a.other.", b).isOk());
  EXPECT_TRUE(create("a.other.", a).isOk());  // "a.other." is no parent of "b-a.other."
}

// The checks run in the create's transaction: two writers (two stores on one file, as the CLI beside
// the server) creating a parent and a child for different accounts at once never both succeed.
TEST_F(ZoneStoreTest, ConcurrentParentAndChildOfTwoAccountsNeverBothSucceed) {
  std::unique_ptr<SqliteStore> second = openStore(dir_.path());
  ASSERT_NE(second, nullptr);
  for (int round = 0; round < 20; ++round) {
    const std::string parent = "r" + std::to_string(round) + ".test.";
    HostedZone pz = zoneNamed(parent, "111111111111");
    HostedZone cz = zoneNamed("sub." + parent, "222222222222");
    Status ps, cs;
    std::thread t1([&] { ps = store_->createHostedZone(pz, apexRecords(pz), changeRequest()).status(); });
    std::thread t2([&] { cs = second->createHostedZone(cz, apexRecords(cz), changeRequest()).status(); });
    t1.join();
    t2.join();
    EXPECT_NE(ps.isOk(), cs.isOk()) << parent << ": " << ps.toString() << " / " << cs.toString();
    EXPECT_EQ((ps.isOk() ? cs : ps).code(), Code::kFailedPrecondition);
  }
}

// Every change keeps the account of its zone, also once the zone is deleted and the store reopened.
TEST_F(ZoneStoreTest, ChangesKeepTheirAccountAfterTheZoneIsDeleted) {
  HostedZone z = zoneNamed("acct.example.", "333333333333");
  route53::ChangeRequest create = changeRequest("create");
  ASSERT_TRUE(store_->createHostedZone(z, apexRecords(z), create).ok());
  route53::ChangeBatchWrite batch = batchOf({upsert(RS("www.acct.example.", rrtype::kA, {"192.0.2.1"}))});
  Result<route53::ChangeInfo> changed = store_->commitChangeBatch(z.id, batch);
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(changed->account_id, "333333333333");
  route53::ChangeRequest del = changeRequest("delete");
  Result<route53::ChangeInfo> deleted = store_->deleteHostedZone(z.id, del, /*force=*/true);
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(deleted->account_id, "333333333333");
  store_.reset();
  store_ = openStore(dir_.path());
  for (const std::string& id : {create.id, batch.change.id, del.id}) {
    Result<route53::ChangeInfo> c = store_->getChange(id);
    ASSERT_TRUE(c.ok()) << id;
    EXPECT_EQ(c->zone_id, z.id);
    EXPECT_EQ(c->account_id, "333333333333") << id;
  }
}

TEST_F(ZoneStoreTest, CreateRejectsDuplicatesAndLeavesNoTrace) {
  HostedZone z = makeZone("example.com.");
  // Same caller reference in the same account.
  HostedZone again = zoneNamed("other.com.");
  again.caller_reference = z.caller_reference;
  auto st = store_->createHostedZone(again, apexRecords(again), changeRequest()).status();
  EXPECT_EQ(st.code(), Code::kAlreadyExists);
  EXPECT_EQ(store_->getHostedZone(again.id).status().code(), Code::kNotFound);
  // Same caller reference in another account is fine.
  again.account_id = "210987654321";
  EXPECT_TRUE(store_->createHostedZone(again, apexRecords(again), changeRequest()).ok());
  // Same id.
  HostedZone same_id = zoneNamed("third.com.");
  same_id.id = z.id;
  EXPECT_EQ(store_->createHostedZone(same_id, {}, changeRequest()).status().code(), Code::kAlreadyExists);
  // Duplicate change id: the zone must not be created.
  HostedZone fresh = zoneNamed("fresh.com.");
  route53::ChangeRequest req = changeRequest();
  ASSERT_TRUE(store_->createHostedZone(fresh, {}, req).ok());
  HostedZone fresh2 = zoneNamed("fresh2.com.");
  EXPECT_EQ(store_->createHostedZone(fresh2, {}, req).status().code(), Code::kAlreadyExists);
  EXPECT_EQ(store_->getHostedZone(fresh2.id).status().code(), Code::kNotFound);
  // A record outside the zone.
  HostedZone bad = zoneNamed("bad.com.");
  std::vector<RecordSet> recs = {RS("www.elsewhere.com.", rrtype::kA, {"192.0.2.1"})};
  EXPECT_EQ(store_->createHostedZone(bad, recs, changeRequest()).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(store_->getHostedZone(bad.id).status().code(), Code::kNotFound);
  // Two record sets with one identity (case-insensitive names).
  recs = {RS("www.bad.com.", rrtype::kA, {"192.0.2.1"}), RS("WWW.bad.com.", rrtype::kA, {"192.0.2.2"})};
  EXPECT_EQ(store_->createHostedZone(bad, recs, changeRequest()).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(store_->getHostedZone(bad.id).status().code(), Code::kNotFound);
}

TEST_F(ZoneStoreTest, RecordSetsRoundTripEveryField) {
  HostedZone z = makeZone("example.com.");
  RecordSet full =
      RS("Weighted.Example.com.", rrtype::kTXT, {"\"v=spf1 -all\"", std::string("\"a\\000b\"")}, 60, "eu-1");
  full.values.push_back(std::string("raw\0bytes\xff", 10));
  full.weight = 70;
  full.region = "eu-west-1";
  full.failover = "PRIMARY";
  full.multivalue_answer = false;
  full.health_check_id = "abcdef01-2345-6789-abcd-ef0123456789";
  full.traffic_policy_instance_id = "tp-1";
  full.geo_location = R"({"ContinentCode":"EU"})";
  full.geoproximity_location = R"({"AWSRegion":"eu-west-1","Bias":10})";
  full.cidr_routing_config = R"({"CollectionId":"c","LocationName":"l"})";
  RecordSet alias = RS("alias.example.com.", rrtype::kA, {}, 0);
  alias.alias = route53::AliasTarget{"Z2FDTNDATAQYW2", "d111111abcdef8.cloudfront.net.", true};
  RecordSet wild = RS("*.example.com.", rrtype::kCNAME, {"www.example.com."});
  Result<route53::ChangeInfo> c =
      store_->commitChangeBatch(z.id, batchOf({create(full), create(alias), upsert(wild)}));
  ASSERT_TRUE(c.ok()) << c.status().toString();
  EXPECT_EQ(c->zone_version, 2);

  Result<std::vector<RecordSet>> got = store_->getRecordSets(z.id, N("weighted.example.com."), rrtype::kTXT);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0], full);
  EXPECT_EQ((*got)[0].name.toText(), "Weighted.Example.com.");
  got = store_->getRecordSets(z.id, N("alias.example.com."), std::nullopt);
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0], alias);
  EXPECT_FALSE((*got)[0].weight.has_value());
  EXPECT_FALSE((*got)[0].multivalue_answer.has_value());
  got = store_->getRecordSets(z.id, N("*.example.com."), rrtype::kCNAME);
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0], wild);
  EXPECT_TRUE(store_->getRecordSets(z.id, N("nothing.example.com."), std::nullopt)->empty());
  EXPECT_EQ(store_->getHostedZone(z.id)->record_count, 5);
}

TEST_F(ZoneStoreTest, CreateUpsertDeleteSemantics) {
  HostedZone z = makeZone("example.com.");
  RecordSet a = RS("www.example.com.", rrtype::kA, {"192.0.2.1"});
  ASSERT_TRUE(store_->commitChangeBatch(z.id, batchOf({create(a)})).ok());

  // CREATE of an existing record set.
  RecordSet a2 = RS("WWW.example.com.", rrtype::kA, {"192.0.2.9"});
  Status st = store_->commitChangeBatch(z.id, batchOf({create(a2)})).status();
  EXPECT_EQ(st.code(), Code::kFailedPrecondition);
  EXPECT_EQ(st.message(),
            "Tried to create resource record set [name='www.example.com.', type='A'] but it already exists");

  // UPSERT replaces and keeps the count.
  ASSERT_TRUE(store_->commitChangeBatch(z.id, batchOf({upsert(a2)})).ok());
  auto got = store_->getRecordSets(z.id, a.name, rrtype::kA);
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].values, a2.values);
  EXPECT_EQ(store_->getHostedZone(z.id)->record_count, 3);

  // DELETE must match exactly.
  st = store_->commitChangeBatch(z.id, batchOf({del(a)})).status();
  EXPECT_EQ(st.code(), Code::kFailedPrecondition);
  EXPECT_EQ(st.message(),
            "Tried to delete resource record set [name='www.example.com.', type='A'] but the values "
            "provided do not match the current values");
  st = store_->commitChangeBatch(z.id, batchOf({del(RS("nope.example.com.", rrtype::kA, {"192.0.2.1"}))}))
           .status();
  EXPECT_EQ(st.code(), Code::kFailedPrecondition);
  EXPECT_EQ(st.message(),
            "Tried to delete resource record set [name='nope.example.com.', type='A'] but it was not found");
  ASSERT_TRUE(store_->commitChangeBatch(z.id, batchOf({del(a2)})).ok());
  EXPECT_TRUE(store_->getRecordSets(z.id, a.name, std::nullopt)->empty());
  EXPECT_EQ(store_->getHostedZone(z.id)->record_count, 2);

  // DELETE then CREATE in one batch replaces; writes apply in order.
  ASSERT_TRUE(store_->commitChangeBatch(z.id, batchOf({create(a)})).ok());
  ASSERT_TRUE(store_->commitChangeBatch(z.id, batchOf({del(a), create(a2)})).ok());
  EXPECT_EQ(store_->getRecordSets(z.id, a.name, rrtype::kA)->at(0).values, a2.values);

  // Set identifiers make distinct record sets.
  RecordSet w1 = RS("w.example.com.", rrtype::kA, {"192.0.2.1"}, 60, "one");
  RecordSet w2 = RS("w.example.com.", rrtype::kA, {"192.0.2.2"}, 60, "two");
  w1.weight = 1;
  w2.weight = 2;
  ASSERT_TRUE(store_->commitChangeBatch(z.id, batchOf({create(w1), create(w2)})).ok());
  EXPECT_EQ(store_->getRecordSets(z.id, w1.name, rrtype::kA)->size(), 2u);
  st = store_->commitChangeBatch(z.id, batchOf({create(w1)})).status();
  EXPECT_EQ(st.message(),
            "Tried to create resource record set [name='w.example.com.', type='A', "
            "set-identifier='one'] but it already exists");

  // Unknown zone; name outside the zone.
  EXPECT_EQ(store_->commitChangeBatch("ZNOPE", batchOf({create(a)})).status().code(), Code::kNotFound);
  st = store_->commitChangeBatch(z.id, batchOf({create(RS("www.example.org.", rrtype::kA, {"192.0.2.1"}))}))
           .status();
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_EQ(st.message(), "RRSet with DNS name www.example.org. is not permitted in zone example.com.");
}

TEST_F(ZoneStoreTest, AFailedBatchLeavesNoTrace) {
  HostedZone z = makeZone("example.com.");
  RecordSet keep = RS("keep.example.com.", rrtype::kA, {"192.0.2.1"});
  ASSERT_TRUE(store_->commitChangeBatch(z.id, batchOf({create(keep)})).ok());
  HostedZone before = *store_->getHostedZone(z.id);
  auto bad =
      batchOf({create(RS("new1.example.com.", rrtype::kA, {"192.0.2.1"})),
               upsert(RS("keep.example.com.", rrtype::kA, {"192.0.2.99"})),
               del(RS("keep.example.com.", rrtype::kAAAA, {"2001:db8::1"}))});  // not found: fails last
  Result<route53::ChangeInfo> r = store_->commitChangeBatch(z.id, bad);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(store_->getChange(bad.change.id).status().code(), Code::kNotFound);
  EXPECT_TRUE(store_->getRecordSets(z.id, N("new1.example.com."), std::nullopt)->empty());
  EXPECT_EQ(store_->getRecordSets(z.id, keep.name, rrtype::kA)->at(0).values, keep.values);
  HostedZone after = *store_->getHostedZone(z.id);
  EXPECT_EQ(after.record_count, before.record_count);
  EXPECT_EQ(after.version, before.version);
  // The same change id can then be used for a good batch.
  bad.writes.pop_back();
  Result<route53::ChangeInfo> ok = store_->commitChangeBatch(z.id, bad);
  ASSERT_TRUE(ok.ok()) << ok.status().toString();
  EXPECT_EQ(ok->zone_version, before.version + 1);
  // A change id is used once.
  bad.writes = {upsert(RS("other.example.com.", rrtype::kA, {"192.0.2.1"}))};
  EXPECT_EQ(store_->commitChangeBatch(z.id, bad).status().code(), Code::kAlreadyExists);
  EXPECT_TRUE(store_->getRecordSets(z.id, N("other.example.com."), std::nullopt)->empty());
}

TEST_F(ZoneStoreTest, RecordSetLimit) {
  HostedZone z = makeZone("example.com.");  // 2 record sets
  auto b = batchOf({create(RS("a.example.com.", rrtype::kA, {"192.0.2.1"})),
                    create(RS("b.example.com.", rrtype::kA, {"192.0.2.1"}))});
  b.max_record_sets = 3;
  EXPECT_EQ(store_->commitChangeBatch(z.id, b).status().code(), Code::kResourceExhausted);
  b.max_record_sets = 4;
  ASSERT_TRUE(store_->commitChangeBatch(z.id, b).ok());
  // Upserting an existing record set does not count; shrinking is allowed above a lowered limit.
  auto u = batchOf({upsert(RS("a.example.com.", rrtype::kA, {"192.0.2.2"}))});
  u.max_record_sets = 4;
  EXPECT_TRUE(store_->commitChangeBatch(z.id, u).ok());
  auto d = batchOf({del(RS("a.example.com.", rrtype::kA, {"192.0.2.2"}))});
  d.max_record_sets = 1;
  EXPECT_TRUE(store_->commitChangeBatch(z.id, d).ok());
  EXPECT_EQ(store_->getHostedZone(z.id)->record_count, 3);
}

TEST_F(ZoneStoreTest, ListRecordSetsInRoute53Order) {
  HostedZone z = makeZone("example.com.");
  std::vector<route53::RecordSetWrite> w;
  for (const char* n : {"b.example.com.", "a.example.com.", "*.example.com.", "a-b.example.com.",
                        "a.a.example.com.", "_dmarc.example.com.", "0.example.com.", "A1.example.com."})
    w.push_back(create(RS(n, rrtype::kA, {"192.0.2.1"})));
  w.push_back(create(RS("example.com.", rrtype::kMX, {"10 mail.example.com."})));
  w.push_back(create(RS("example.com.", rrtype::kAAAA, {"2001:db8::1"})));
  w.push_back(create(RS("example.com.", rrtype::kTXT, {"\"x\""})));
  w.push_back(create(RS("example.com.", rrtype::kA, {"192.0.2.1"})));
  w.push_back(create(RS("a.example.com.", rrtype::kTXT, {"\"t\""}, 60, "z")));
  w.push_back(create(RS("a.example.com.", rrtype::kTXT, {"\"t\""}, 60, "b")));
  ASSERT_TRUE(store_->commitChangeBatch(z.id, batchOf(w)).ok());
  std::vector<std::string> want = {
      "example.com. A",        "example.com. AAAA",  "example.com. MX",   "example.com. NS",
      "example.com. SOA",      "example.com. TXT",   "0.example.com. A",  "\\052.example.com. A",
      "_dmarc.example.com. A", "a-b.example.com. A", "a.example.com. A",  "a.example.com. TXT b",
      "a.example.com. TXT z",  "a.a.example.com. A", "a1.example.com. A", "b.example.com. A"};
  EXPECT_EQ(listedNames(z.id), want);

  // loadZone returns the same order.
  Result<route53::ZoneData> data = store_->loadZone(z.id);
  ASSERT_TRUE(data.ok());
  ASSERT_EQ(data->record_sets.size(), want.size());
  EXPECT_EQ(route53::route53NameText(data->record_sets[7].name), "\\052.example.com.");
  EXPECT_EQ(data->zone.record_count, int64_t(want.size()));

  // scanZone streams the same, and stops at the callback's first error.
  std::vector<std::string> scanned;
  Result<HostedZone> zone = store_->scanZone(z.id, [&](RecordSet&& r) {
    scanned.push_back(route53::route53NameText(r.name) + " " + dns::typeToText(r.type) +
                      (r.set_identifier.empty() ? "" : " " + r.set_identifier));
    return Status();
  });
  ASSERT_TRUE(zone.ok());
  EXPECT_EQ(zone->id, z.id);
  EXPECT_EQ(scanned, want);
  int calls = 0;
  Status stop = store_
                    ->scanZone(z.id,
                               [&](RecordSet&&) {
                                 return ++calls == 3 ? Status(Code::kOutOfRange, "enough") : Status();
                               })
                    .status();
  EXPECT_EQ(stop.code(), Code::kOutOfRange);
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(store_->scanZone("ZNOPE", [](RecordSet&&) { return Status(); }).status().code(), Code::kNotFound);
}

TEST_F(ZoneStoreTest, ListRecordSetsPagesWithInclusiveStartPositions) {
  HostedZone z = makeZone("example.com.");
  std::vector<route53::RecordSetWrite> w;
  for (int i = 0; i < 25; ++i) {
    char name[64];
    std::snprintf(name, sizeof name, "h%02d.example.com.", i);
    w.push_back(create(RS(name, rrtype::kA, {"192.0.2.1"})));
    if (i % 5 == 0) {
      w.push_back(create(RS(name, rrtype::kTXT, {"\"1\""}, 60, "s1")));
      w.push_back(create(RS(name, rrtype::kTXT, {"\"2\""}, 60, "s2")));
    }
  }
  ASSERT_TRUE(store_->commitChangeBatch(z.id, batchOf(w)).ok());
  std::vector<std::string> all = listedNames(z.id);
  ASSERT_EQ(all.size(), 2u + 25 + 10);
  for (size_t page_size : {1u, 2u, 3u, 7u, 36u, 37u, 100u}) {
    std::vector<std::string> paged;
    std::optional<route53::RecordSetPosition> pos;
    int pages = 0;
    while (true) {
      Result<route53::RecordSetPage> p = store_->listRecordSets(z.id, pos, page_size);
      ASSERT_TRUE(p.ok());
      ASSERT_LE(p->record_sets.size(), page_size);
      ++pages;
      for (auto& r : p->record_sets)
        paged.push_back(route53::route53NameText(r.name) + " " + dns::typeToText(r.type) +
                        (r.set_identifier.empty() ? "" : " " + r.set_identifier));
      if (!p->next) break;
      ASSERT_EQ(p->record_sets.size(), page_size);
      pos = p->next;
    }
    EXPECT_EQ(paged, all) << "page size " << page_size;
    EXPECT_EQ(pages, int((all.size() + page_size - 1) / page_size));
  }
  // A start name that does not exist begins at the next name; a type starts within the name.
  Result<route53::RecordSetPage> p =
      store_->listRecordSets(z.id, route53::RecordSetPosition{N("h04z.example.com."), {}, {}}, 1);
  EXPECT_EQ(route53::route53NameText(p->record_sets.at(0).name), "h05.example.com.");
  p = store_->listRecordSets(z.id, route53::RecordSetPosition{N("h05.example.com."), rrtype::kCNAME, {}}, 2);
  EXPECT_EQ(p->record_sets.at(0).type, rrtype::kTXT);
  EXPECT_EQ(p->record_sets.at(0).set_identifier, "s1");
  ASSERT_TRUE(p->next.has_value());
  EXPECT_EQ(p->next->name, N("h06.example.com."));
  EXPECT_EQ(p->next->type, rrtype::kA);
  EXPECT_FALSE(p->next->set_identifier.has_value());
  p = store_->listRecordSets(z.id, route53::RecordSetPosition{N("h05.example.com."), rrtype::kTXT, "s2"}, 1);
  EXPECT_EQ(p->record_sets.at(0).set_identifier, "s2");
  p = store_->listRecordSets(z.id, route53::RecordSetPosition{N("h05.example.com."), rrtype::kTXT, {}}, 1);
  EXPECT_EQ(p->record_sets.at(0).set_identifier, "s1");
  EXPECT_EQ(p->next->set_identifier, "s2");
  p = store_->listRecordSets(z.id, route53::RecordSetPosition{N("zzz.example.com."), {}, {}}, 10);
  EXPECT_TRUE(p->record_sets.empty());
  EXPECT_FALSE(p->next.has_value());
  EXPECT_EQ(store_->listRecordSets(z.id, std::nullopt, 0).status().code(), Code::kInvalidArgument);
}

TEST_F(ZoneStoreTest, ListHostedZonesByIdAndByName) {
  std::vector<HostedZone> zones;
  for (const char* n : {"b.example.com.", "example.com.", "a.example.com.", "a-b.example.com.",
                        "example.net.", "example.com."})  // two zones may share a name
    zones.push_back(makeZone(n));
  makeZone("other-account.com.", "210987654321");
  EXPECT_EQ(*store_->countHostedZones("123456789012"), 6);
  EXPECT_EQ(*store_->countHostedZones("210987654321"), 1);
  EXPECT_EQ(*store_->countHostedZones("000000000000"), 0);

  // ListHostedZones: by id, Marker = first id of the next page.
  std::vector<std::string> ids;
  for (auto& z : zones) ids.push_back(z.id);
  std::sort(ids.begin(), ids.end());
  std::vector<std::string> paged;
  std::string marker;
  while (true) {
    Result<route53::HostedZonePage> p = store_->listHostedZones("123456789012", marker, 4);
    ASSERT_TRUE(p.ok());
    for (auto& z : p->zones) paged.push_back(z.id);
    if (!p->next_marker) break;
    marker = *p->next_marker;
  }
  EXPECT_EQ(paged, ids);

  // ListHostedZonesByName: (name in Route 53 order, id).
  std::vector<std::pair<std::string, std::string>> want;
  for (auto& z : zones) want.emplace_back(route53::route53NameKey(z.name), z.id);
  std::sort(want.begin(), want.end());
  std::vector<std::string> want_names;
  for (auto& [k, id] : want) want_names.push_back(route53::route53NameText(store_->getHostedZone(id)->name));
  EXPECT_EQ(want_names, (std::vector<std::string>{"example.com.", "example.com.", "a-b.example.com.",
                                                  "a.example.com.", "b.example.com.", "example.net."}));
  for (size_t page_size : {1u, 2u, 5u, 6u, 10u}) {
    std::vector<std::string> got;
    std::optional<dns::Name> name;
    std::string id;
    while (true) {
      auto p = store_->listHostedZonesByName("123456789012", name, id, page_size);
      ASSERT_TRUE(p.ok());
      for (auto& z : p->zones) got.push_back(z.id);
      if (!p->next_dns_name) break;
      ASSERT_TRUE(p->next_zone_id.has_value());
      name = p->next_dns_name;
      id = *p->next_zone_id;
    }
    std::vector<std::string> want_ids;
    for (auto& [k, i] : want) want_ids.push_back(i);
    EXPECT_EQ(got, want_ids) << page_size;
  }
  // DNSName alone is a start point, not a filter.
  auto p = store_->listHostedZonesByName("123456789012", N("a.example.com."), "", 100);
  ASSERT_EQ(p->zones.size(), 3u);
  EXPECT_EQ(p->zones[0].name, N("a.example.com."));
  p = store_->listHostedZonesByName("123456789012", N("c.example.com."), "", 100);
  ASSERT_EQ(p->zones.size(), 1u);
  EXPECT_EQ(p->zones[0].name, N("example.net."));

  auto all = store_->allHostedZones();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 7u);
}

TEST_F(ZoneStoreTest, UpdateCommentAndDelete) {
  HostedZone z = makeZone("example.com.");
  Result<HostedZone> u = store_->updateHostedZoneComment(z.id, "new comment");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->comment, "new comment");
  EXPECT_EQ(store_->getHostedZone(z.id)->comment, "new comment");
  EXPECT_EQ(store_->updateHostedZoneComment("ZNOPE", "x").status().code(), Code::kNotFound);

  RecordSet a = RS("www.example.com.", rrtype::kA, {"192.0.2.1"});
  ASSERT_TRUE(store_->commitChangeBatch(z.id, batchOf({create(a)})).ok());
  ASSERT_TRUE(store_->changeTags("hostedzone", z.id, {{"env", "prod"}}, {}).isOk());
  Status st = store_->deleteHostedZone(z.id, changeRequest()).status();
  EXPECT_EQ(st.code(), Code::kFailedPrecondition);
  EXPECT_TRUE(store_->getHostedZone(z.id).ok());
  ASSERT_TRUE(store_->commitChangeBatch(z.id, batchOf({del(a)})).ok());
  route53::ChangeRequest req = changeRequest("bye");
  Result<route53::ChangeInfo> d = store_->deleteHostedZone(z.id, req);
  ASSERT_TRUE(d.ok()) << d.status().toString();
  EXPECT_EQ(store_->getHostedZone(z.id).status().code(), Code::kNotFound);
  EXPECT_TRUE(store_->listRecordSets(z.id, std::nullopt, 10)->record_sets.empty());
  EXPECT_TRUE(store_->listTags("hostedzone", z.id)->empty());
  EXPECT_TRUE(store_->getChange(req.id).ok());  // GetChange outlives the zone
  EXPECT_EQ(store_->deleteHostedZone(z.id, changeRequest()).status().code(), Code::kNotFound);

  // force deletes a non-empty zone (CLI).
  HostedZone z2 = makeZone("force.example.");
  ASSERT_TRUE(
      store_->commitChangeBatch(z2.id, batchOf({create(RS("x.force.example.", rrtype::kA, {"192.0.2.1"}))}))
          .ok());
  EXPECT_TRUE(store_->deleteHostedZone(z2.id, changeRequest(), /*force=*/true).ok());
  EXPECT_EQ(store_->getHostedZone(z2.id).status().code(), Code::kNotFound);
}

TEST_F(ZoneStoreTest, ChangesGoInSync) {
  HostedZone z = makeZone("example.com.");
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    auto c =
        store_->commitChangeBatch(z.id, batchOf({upsert(RS("a.example.com.", rrtype::kA, {"192.0.2.1"}))}));
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->zone_version, 2 + i);
    ids.push_back(c->id);
  }
  ASSERT_TRUE(store_->markChangesInSync(std::span<const std::string>(ids.data(), 1)).isOk());
  EXPECT_EQ(store_->getChange(ids[0])->status, ChangeStatus::kInSync);
  EXPECT_EQ(store_->getChange(ids[1])->status, ChangeStatus::kPending);
  std::vector<std::string> unknown = {"CUNKNOWN"};
  EXPECT_TRUE(store_->markChangesInSync(unknown).isOk());
  ASSERT_TRUE(store_->markAllChangesInSync().isOk());
  EXPECT_EQ(store_->getChange(ids[2])->status, ChangeStatus::kInSync);
  EXPECT_EQ(store_->getChange("CUNKNOWN").status().code(), Code::kNotFound);
}

TEST_F(ZoneStoreTest, EverythingSurvivesReopening) {
  HostedZone z = makeZone("example.com.");
  RecordSet a = RS("www.example.com.", rrtype::kA, {"192.0.2.1", "192.0.2.2"});
  auto c = store_->commitChangeBatch(z.id, batchOf({create(a)}));
  ASSERT_TRUE(c.ok());
  store_.reset();
  store_ = openStore(dir_.path());
  ASSERT_NE(store_, nullptr);
  auto data = store_->loadZone(z.id);
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(data->zone.version, 2);
  EXPECT_EQ(data->record_sets.size(), 3u);
  EXPECT_EQ(store_->getChange(c->id)->zone_version, 2);
}

}  // namespace
}  // namespace zk::storage
