// Route53Service against a real SqliteStore and a real DnsCatalog: every operation, errors, DNS effects.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "route53_test_util.h"
#include "services/route53/records.h"

namespace zk::app::testing {
namespace {

using nlohmann::json;
namespace t = dns::rrtype;

class Route53ServiceTest : public Route53Fixture {};

TEST_F(Route53ServiceTest, CreateHostedZoneAsRoute53Does) {
  auto out =
      ok("CreateHostedZone",
         {{"Name", "Example.com"}, {"CallerReference", "r1"}, {"HostedZoneConfig", {{"Comment", "hello"}}}});
  const json& hz = out["HostedZone"];
  std::string id = hz["Id"];
  EXPECT_EQ(id.rfind("/hostedzone/Z", 0), 0u);
  EXPECT_EQ(hz["Name"], "example.com.");
  EXPECT_EQ(hz["CallerReference"], "r1");
  EXPECT_EQ(hz["Config"]["PrivateZone"], false);  // lego reads it; a missing <Config> crashes it
  EXPECT_EQ(hz["Config"]["Comment"], "hello");
  EXPECT_EQ(hz["ResourceRecordSetCount"], 2);
  EXPECT_EQ(out["DelegationSet"]["NameServers"], json({"ns1.zk.test", "ns2.zk.test"}));
  EXPECT_EQ(out["Location"], "https://route53.amazonaws.com/2013-04-01/hostedzone/" + id.substr(12));
  EXPECT_EQ(std::string(out["ChangeInfo"]["Id"]).rfind("/change/C", 0), 0u);
  EXPECT_EQ(out["ChangeInfo"]["Status"], "INSYNC");  // no DNS worker lags behind

  // Served at once: SOA and NS as Route 53 creates them, with our name servers.
  EXPECT_EQ(served("example.com.", "example.com.", t::kSOA),
            std::vector<std::string>{"ns1.zk.test. hostmaster.zk.test. 1 7200 900 1209600 86400"});
  EXPECT_EQ(servedTtl("example.com.", "example.com.", t::kSOA), 900u);
  EXPECT_EQ(served("example.com.", "example.com.", t::kNS),
            (std::vector<std::string>{"ns1.zk.test.", "ns2.zk.test."}));
  EXPECT_EQ(servedTtl("example.com.", "example.com.", t::kNS), 172800u);

  auto list = ok("ListResourceRecordSets", {{"HostedZoneId", id}});
  ASSERT_EQ(list["ResourceRecordSets"].size(), 2u);
  EXPECT_EQ(list["ResourceRecordSets"][0]["Type"], "NS");  // Route 53 order: NS < SOA
  EXPECT_EQ(list["ResourceRecordSets"][1]["Type"], "SOA");
  EXPECT_EQ(list["ResourceRecordSets"][1]["TTL"], 900);
}

TEST_F(Route53ServiceTest, CallerReferenceAndNameAreUnique) {
  ok("CreateHostedZone", {{"Name", "a.test"}, {"CallerReference", "same"}});
  auto r = call("CreateHostedZone", {{"Name", "b.test"}, {"CallerReference", "same"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "HostedZoneAlreadyExists");
  EXPECT_EQ(r.error().http_status, 409);
  EXPECT_EQ(r.error().message, "A hosted zone has already been created with the specified caller reference.");
  // The same caller reference in another account is fine; the same name is not (one DNS server).
  r = call("CreateHostedZone", {{"Name", "c.test"}, {"CallerReference", "same"}}, kOtherAccount);
  EXPECT_TRUE(r.ok());
  r = call("CreateHostedZone", {{"Name", "A.test."}, {"CallerReference", "other"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "HostedZoneAlreadyExists");
  r = call("CreateHostedZone", {{"Name", "bad..name"}, {"CallerReference", "x"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "InvalidDomainName");
}

TEST_F(Route53ServiceTest, DeferredChangeAnswersOnceAfterTheCommitAndOtherCallsComeBack) {
  const std::string id = createZone("defer.test");
  std::promise<route53::ServiceResult> answer;
  std::atomic<int> calls{0};
  std::thread::id answered_on;
  route53::CallContext ctx{kAccount, "arn:aws:iam::" + std::string(kAccount) + ":user/admin", "rid"};
  ctx.may_block = false;
  ctx.deliver = [&](route53::ServiceResult r) {
    answered_on = std::this_thread::get_id();
    ++calls;
    answer.set_value(std::move(r));
  };
  route53::ServiceResult now =
      service_->invoke("ChangeResourceRecordSets", upsert(id, "www.defer.test", "A", {"192.0.2.7"}), ctx);
  EXPECT_TRUE(now.isDeferred());
  route53::ServiceResult later = answer.get_future().get();
  ASSERT_TRUE(later.ok()) << later.error().code << ": " << later.error().message;
  EXPECT_EQ(calls.load(), 1);
  EXPECT_NE(answered_on, std::this_thread::get_id());  // the store's writer thread
  EXPECT_EQ(later.output()["ChangeInfo"]["Status"], "INSYNC");
  // Durable and served by the time the answer came.
  EXPECT_EQ(served("defer.test.", "www.defer.test.", t::kA), std::vector<std::string>{"192.0.2.7"});
  auto listed = ok("ListResourceRecordSets", {{"HostedZoneId", id}});
  EXPECT_EQ(listed["ResourceRecordSets"].size(), 3u);

  // An invalid batch is answered through deliver too, with its error.
  std::promise<route53::ServiceResult> bad;
  ctx.deliver = [&](route53::ServiceResult r) { bad.set_value(std::move(r)); };
  now = service_->invoke("ChangeResourceRecordSets",
                         upsert(id, "gone.defer.test", "A", {"192.0.2.8"}, 300, "DELETE"), ctx);
  if (now.isDeferred()) now = bad.get_future().get();
  ASSERT_TRUE(now.isError());
  EXPECT_EQ(now.error().code, "InvalidChangeBatch");

  // Anything else that may wait is handed back untouched when the caller must not block.
  ctx.deliver = [](route53::ServiceResult) { ADD_FAILURE() << "deliver called for a blocking operation"; };
  EXPECT_TRUE(service_->invoke("GetHostedZone", {{"Id", id}}, ctx).needsBlockingThread());
  EXPECT_TRUE(service_->invoke("CreateHostedZone", {{"Name", "x.test"}, {"CallerReference", "x"}}, ctx)
                  .needsBlockingThread());
  route53::CallContext plain;
  plain.account_id = kAccount;
  plain.request_id = "r";
  EXPECT_EQ(service_->invoke("GetHostedZoneCount", json::object(), plain).output()["HostedZoneCount"],
            1);  // x.test was not created
}

// Every zone is served by the same name servers, so another account's zone may not sit above or
// below one's own (it would answer for its names); within one account nesting is allowed, and the
// DNS answers from the closest enclosing zone.
TEST_F(Route53ServiceTest, ZonesOfAnotherAccountCannotNestWithOnesOwn) {
  std::string a = createZone("a.test");
  for (const char* name : {"sub.a.test", "deep.sub.a.test.", "test", "a.test"}) {
    SCOPED_TRACE(name);
    auto r = call("CreateHostedZone", {{"Name", name}, {"CallerReference", std::string("b-") + name}},
                  kOtherAccount);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "ConflictingDomainExists");
    EXPECT_EQ(r.error().http_status, 400);
    std::string text = name;
    if (text.back() != '.') text += ".";
    EXPECT_EQ(r.error().message, "The hosted zone " + text + " conflicts with an existing hosted zone.");
  }
  EXPECT_EQ(ok("GetHostedZoneCount", json::object(), kOtherAccount)["HostedZoneCount"], 0);
  EXPECT_EQ(catalog_.current()->size(), 1u);
  // The same account may delegate to a child zone: the DNS answers its names from the child.
  ok("ChangeResourceRecordSets", upsert(a, "www.sub.a.test", "A", {"192.0.2.1"}));
  std::string sub = createZone("sub.a.test");
  ok("ChangeResourceRecordSets", upsert(sub, "www.sub.a.test", "A", {"192.0.2.2"}));
  const std::string qname = dns::Name::fromText("www.sub.a.test.")->wireString();
  const zone::Zone* z = catalog_.current()->findZone(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(qname.data()), qname.size()));
  ASSERT_NE(z, nullptr);
  EXPECT_EQ(z->apex().toText(), "sub.a.test.");
  EXPECT_EQ(served("sub.a.test.", "www.sub.a.test.", t::kA), std::vector<std::string>{"192.0.2.2"});
  // Unrelated names in the other account are fine.
  createZone("b.test", kOtherAccount);
}

TEST_F(Route53ServiceTest, CallerReferenceIsNeverReusedAfterDelete) {
  // Route 53 never accepts a CallerReference twice, even once its zone is deleted (API_CreateHostedZone).
  auto created = ok("CreateHostedZone", {{"Name", "gone.test"}, {"CallerReference", "once"}});
  const std::string id = created["HostedZone"]["Id"];
  ok("DeleteHostedZone", {{"Id", id}});
  auto r = call("CreateHostedZone", {{"Name", "gone.test"}, {"CallerReference", "once"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "HostedZoneAlreadyExists");
  EXPECT_EQ(r.error().http_status, 409);
  // The name itself is free again, with a new reference; the other account's namespace is its own.
  EXPECT_TRUE(call("CreateHostedZone", {{"Name", "gone.test"}, {"CallerReference", "twice"}}).ok());
  EXPECT_TRUE(
      call("CreateHostedZone", {{"Name", "other.test"}, {"CallerReference", "once"}}, kOtherAccount).ok());
}

TEST_F(Route53ServiceTest, AccountsSeeOnlyTheirZones) {
  std::string id = createZone("mine.test");
  for (const char* op : {"GetHostedZone", "DeleteHostedZone"}) {
    auto r = call(op, {{"Id", id}}, kOtherAccount);
    ASSERT_FALSE(r.ok()) << op;
    EXPECT_EQ(r.error().code, "NoSuchHostedZone");
    EXPECT_EQ(r.error().http_status, 404);
    EXPECT_EQ(r.error().message, "No hosted zone found with ID: " + id);
  }
  auto r = call("ChangeResourceRecordSets", upsert(id, "x.mine.test", "A", {"192.0.2.1"}), kOtherAccount);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "NoSuchHostedZone");
  r = call("ListResourceRecordSets", {{"HostedZoneId", id}}, kOtherAccount);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(ok("ListHostedZones", json::object(), kOtherAccount)["HostedZones"].size(), 0u);
  EXPECT_EQ(ok("GetHostedZoneCount", json::object(), kOtherAccount)["HostedZoneCount"], 0);
  EXPECT_EQ(ok("GetHostedZoneCount", json::object())["HostedZoneCount"], 1);
  // "/hostedzone/" prefixes are accepted.
  EXPECT_EQ(ok("GetHostedZone", {{"Id", "/hostedzone/" + id}})["HostedZone"]["Name"], "mine.test.");
}

TEST_F(Route53ServiceTest, UpsertCreateDeleteAreServedByDns) {
  std::string id = createZone("example.com");
  auto out =
      ok("ChangeResourceRecordSets", upsert(id, "www.example.com", "A", {"192.0.2.1", "192.0.2.2"}, 60));
  EXPECT_EQ(out["ChangeInfo"]["Status"], "INSYNC");
  EXPECT_EQ(served("example.com.", "www.example.com.", t::kA),
            (std::vector<std::string>{"192.0.2.1", "192.0.2.2"}));
  EXPECT_EQ(servedTtl("example.com.", "www.example.com.", t::kA), 60u);

  ok("ChangeResourceRecordSets", upsert(id, "www.example.com.", "A", {"192.0.2.3"}, 120));
  EXPECT_EQ(served("example.com.", "www.example.com.", t::kA), std::vector<std::string>{"192.0.2.3"});

  // lego's TXT with &#34; quotes (already decoded by the codec).
  ok("ChangeResourceRecordSets",
     upsert(id, "_acme-challenge.example.com", "TXT", {"\"token-1\""}, 10, "CREATE"));
  EXPECT_EQ(served("example.com.", "_acme-challenge.example.com.", t::kTXT),
            std::vector<std::string>{"\"token-1\""});
  ok("ChangeResourceRecordSets",
     upsert(id, "_acme-challenge.example.com", "TXT", {"\"token-1\""}, 10, "DELETE"));
  EXPECT_TRUE(served("example.com.", "_acme-challenge.example.com.", t::kTXT).empty());
  EXPECT_EQ(ok("GetHostedZone", {{"Id", id}})["HostedZone"]["ResourceRecordSetCount"], 3);
}

TEST_F(Route53ServiceTest, InvalidChangeBatchMessagesAndNothingApplied) {
  std::string id = createZone("example.com");
  ok("ChangeResourceRecordSets", upsert(id, "x.example.com", "A", {"192.0.2.1"}));

  auto r = call("ChangeResourceRecordSets", upsert(id, "x.example.com", "A", {"192.0.2.9"}, 300, "CREATE"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "InvalidChangeBatch");
  EXPECT_EQ(r.error().http_status, 400);
  ASSERT_EQ(r.error().messages.size(), 1u);
  EXPECT_EQ(r.error().messages[0],
            "Tried to create resource record set [name='x.example.com.', type='A'] but it already exists");

  r = call("ChangeResourceRecordSets", upsert(id, "nope.example.com", "TXT", {"\"v\""}, 300, "DELETE"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(
      r.error().messages.at(0),
      "Tried to delete resource record set [name='nope.example.com.', type='TXT'] but it was not found");

  r = call("ChangeResourceRecordSets", upsert(id, "x.example.com", "A", {"192.0.2.2"}, 300, "DELETE"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().messages.at(0),
            "Tried to delete resource record set [name='x.example.com.', type='A'] but the "
            "values provided do not match the current values");

  r = call("ChangeResourceRecordSets", upsert(id, "x.example.com", "CNAME", {"y.example.com"}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().messages.at(0),
            "RRSet of type CNAME with DNS name x.example.com. is not permitted as it "
            "conflicts with other records with the same DNS name in zone example.com.");

  r = call("ChangeResourceRecordSets", upsert(id, "foo.other.com", "A", {"192.0.2.1"}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().messages.at(0),
            "RRSet with DNS name foo.other.com. is not permitted in zone example.com.");

  r = call("ChangeResourceRecordSets", upsert(id, "t.example.com", "TXT", {"unquoted"}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().messages.at(0),
            "Invalid Resource Record: 'FATAL problem: InvalidCharacterString (Value should "
            "be enclosed in quotation marks) encountered with 'unquoted''");

  // All or nothing: the first change is valid, the second fails in the store.
  json batch = upsert(id, "new.example.com", "A", {"192.0.2.5"});
  batch["ChangeBatch"]["Changes"].push_back(
      upsert(id, "x.example.com", "A", {"192.0.2.1"}, 300, "CREATE")["ChangeBatch"]["Changes"][0]);
  r = call("ChangeResourceRecordSets", batch);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(served("example.com.", "new.example.com.", t::kA).empty());
  EXPECT_TRUE(ok("ListResourceRecordSets", {{"HostedZoneId", id},
                                            {"StartRecordName", "new.example.com"},
                                            {"StartRecordType", "A"},
                                            {"MaxItems", "1"}})["ResourceRecordSets"][0]["Name"] !=
              "new.example.com.");
  EXPECT_EQ(served("example.com.", "x.example.com.", t::kA), std::vector<std::string>{"192.0.2.1"});

  // Deleting the apex SOA is refused.
  auto soa = ok("ListResourceRecordSets", {{"HostedZoneId", id},
                                           {"StartRecordName", "example.com"},
                                           {"StartRecordType", "SOA"},
                                           {"MaxItems", "1"}});
  json del_soa = {
      {"HostedZoneId", id},
      {"ChangeBatch",
       {{"Changes", {{{"Action", "DELETE"}, {"ResourceRecordSet", soa["ResourceRecordSets"][0]}}}}}}};
  r = call("ChangeResourceRecordSets", del_soa);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().messages.at(0), "A HostedZone must contain exactly one SOA record.");
}

TEST_F(Route53ServiceTest, DeleteThenCreateInOneBatchReplaces) {
  std::string id = createZone("example.com");
  ok("ChangeResourceRecordSets", upsert(id, "r.example.com", "A", {"192.0.2.1"}));
  json batch = upsert(id, "r.example.com", "A", {"192.0.2.1"}, 300, "DELETE");
  batch["ChangeBatch"]["Changes"].push_back(upsert(id, "r.example.com", "CNAME", {"target.example.net"}, 300,
                                                   "CREATE")["ChangeBatch"]["Changes"][0]);
  ok("ChangeResourceRecordSets", batch);
  EXPECT_TRUE(served("example.com.", "r.example.com.", t::kA).empty());
  EXPECT_EQ(served("example.com.", "r.example.com.", t::kCNAME),
            std::vector<std::string>{"target.example.net."});
}

TEST_F(Route53ServiceTest, ListResourceRecordSetsOrderAndPaging) {
  std::string id = createZone("example.com");
  for (const char* n :
       {"b.example.com", "a.example.com", "a-b.example.com", "c.a.example.com", "*.example.com"})
    ok("ChangeResourceRecordSets", upsert(id, n, "A", {"192.0.2.1"}));
  ok("ChangeResourceRecordSets", upsert(id, "a.example.com", "TXT", {"\"t\""}));
  // Route 53 order: labels reversed, compared as bytes ('*' is \052, '-' < '.').
  std::vector<std::string> names;
  json page = ok("ListResourceRecordSets", {{"HostedZoneId", id}, {"MaxItems", "3"}});
  while (true) {
    for (const auto& rs : page["ResourceRecordSets"])
      names.push_back(std::string(rs["Name"]) + "/" + std::string(rs["Type"]));
    if (!page["IsTruncated"].get<bool>()) break;
    EXPECT_EQ(page["MaxItems"], "3");
    json next = {{"HostedZoneId", id},
                 {"MaxItems", "3"},
                 {"StartRecordName", page["NextRecordName"]},
                 {"StartRecordType", page["NextRecordType"]}};
    page = ok("ListResourceRecordSets", next);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"example.com./NS", "example.com./SOA", "\\052.example.com./A",
                                             "a-b.example.com./A", "a.example.com./A", "a.example.com./TXT",
                                             "c.a.example.com./A", "b.example.com./A"}));
  // lego: ?name=<fqdn>&type=TXT, keeps what matches.
  auto lego = ok("ListResourceRecordSets",
                 {{"HostedZoneId", id}, {"StartRecordName", "a.example.com."}, {"StartRecordType", "TXT"}});
  EXPECT_EQ(lego["ResourceRecordSets"][0]["Name"], "a.example.com.");
  EXPECT_EQ(lego["ResourceRecordSets"][0]["Type"], "TXT");
  EXPECT_EQ(lego["ResourceRecordSets"][0]["ResourceRecords"][0]["Value"], "\"t\"");
  EXPECT_EQ(lego["MaxItems"], "300");
  auto bad = call("ListResourceRecordSets", {{"HostedZoneId", id}, {"StartRecordType", "A"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "InvalidInput");
}

TEST_F(Route53ServiceTest, ListHostedZonesPagingAndByName) {
  std::vector<std::string> ids;
  for (const char* n : {"c.test", "a.test", "b.test", "x.a.test"}) ids.push_back(createZone(n));
  std::vector<std::string> seen;
  json in = {{"MaxItems", "2"}};
  while (true) {
    json page = ok("ListHostedZones", in);
    for (const auto& z : page["HostedZones"]) seen.push_back(std::string(z["Id"]).substr(12));
    if (!page["IsTruncated"].get<bool>()) break;
    in = {{"MaxItems", "2"}, {"Marker", page["NextMarker"]}};
  }
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(seen, ids);  // ordered by id, each once

  // By name: a start point, not a filter; NextDNSName/NextHostedZoneId continue.
  json byname = ok("ListHostedZonesByName", {{"DNSName", "a.test"}, {"MaxItems", "2"}});
  ASSERT_EQ(byname["HostedZones"].size(), 2u);
  EXPECT_EQ(byname["DNSName"], "a.test.");
  EXPECT_EQ(byname["HostedZones"][0]["Name"], "a.test.");
  EXPECT_EQ(byname["HostedZones"][1]["Name"], "x.a.test.");
  EXPECT_TRUE(byname["IsTruncated"].get<bool>());
  EXPECT_EQ(byname["NextDNSName"], "b.test.");
  json rest = ok(
      "ListHostedZonesByName",
      {{"DNSName", byname["NextDNSName"]}, {"HostedZoneId", byname["NextHostedZoneId"]}, {"MaxItems", "2"}});
  ASSERT_EQ(rest["HostedZones"].size(), 2u);
  EXPECT_EQ(rest["HostedZones"][0]["Name"], "b.test.");
  EXPECT_EQ(rest["HostedZones"][1]["Name"], "c.test.");
  EXPECT_FALSE(rest["IsTruncated"].get<bool>());
  // lego's lookup by the zone's own name.
  json lego = ok("ListHostedZonesByName", {{"DNSName", "c.test"}});
  EXPECT_EQ(lego["HostedZones"][0]["Name"], "c.test.");
}

TEST_F(Route53ServiceTest, DeleteHostedZoneNeedsOnlySoaAndNs) {
  std::string id = createZone("gone.test");
  ok("ChangeResourceRecordSets", upsert(id, "x.gone.test", "A", {"192.0.2.1"}));
  auto r = call("DeleteHostedZone", {{"Id", id}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "HostedZoneNotEmpty");
  EXPECT_EQ(r.error().http_status, 400);
  ok("ChangeResourceRecordSets", upsert(id, "x.gone.test", "A", {"192.0.2.1"}, 300, "DELETE"));
  auto out = ok("DeleteHostedZone", {{"Id", id}});
  std::string change = out["ChangeInfo"]["Id"];
  EXPECT_EQ(catalog_.current()->get(*dns::Name::fromText("gone.test.")), nullptr);
  EXPECT_EQ(ok("GetChange", {{"Id", change}})["ChangeInfo"]["Status"], "INSYNC");
  EXPECT_FALSE(call("GetChange", {{"Id", change}}, kOtherAccount).ok());
  EXPECT_EQ(call("GetHostedZone", {{"Id", id}}).error().code, "NoSuchHostedZone");
  // The name is free again, but not the caller reference: Route 53 never accepts one twice.
  auto reused = call("CreateHostedZone",
                     {{"Name", "gone.test"}, {"CallerReference", std::string("ref-gone.test-") + kAccount}});
  ASSERT_FALSE(reused.ok());
  EXPECT_EQ(reused.error().code, "HostedZoneAlreadyExists");
  EXPECT_EQ(reused.error().http_status, 409);
  ok("CreateHostedZone", {{"Name", "gone.test"}, {"CallerReference", "gone-again"}});
}

TEST_F(Route53ServiceTest, GetChangeIsPendingUntilEveryDnsWorkerServes) {
  std::string id = createZone("example.com");
  // A DNS worker in the middle of answering from the current snapshot (acquired, not idle).
  auto reader = catalog_.publisher().addReader();
  reader->acquire();
  auto out = ok("ChangeResourceRecordSets", upsert(id, "p.example.com", "A", {"192.0.2.7"}));
  EXPECT_EQ(out["ChangeInfo"]["Status"], "PENDING");
  std::string change = out["ChangeInfo"]["Id"];
  EXPECT_EQ(ok("GetChange", {{"Id", change}})["ChangeInfo"]["Status"], "PENDING");
  reader->acquire();                                          // the worker moves on to the newest snapshot
  json insync = ok("GetChange", {{"Id", change.substr(8)}});  // bare id works too
  EXPECT_EQ(insync["ChangeInfo"]["Status"], "INSYNC");
  EXPECT_EQ(insync["ChangeInfo"]["Id"], change);
  reader->idle();
  reader.reset();
  auto r = call("GetChange", {{"Id", "CNOSUCHCHANGE"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "NoSuchChange");
  EXPECT_EQ(r.error().http_status, 404);
}

TEST_F(Route53ServiceTest, TagsAndLimits) {
  std::string id = createZone("tags.test");
  ok("ChangeTagsForResource",
     {{"ResourceType", "hostedzone"},
      {"ResourceId", id},
      {"AddTags", {{{"Key", "env"}, {"Value", "prod"}}, {{"Key", "team"}, {"Value", "dns"}}}}});
  ok("ChangeTagsForResource",
     {{"ResourceType", "hostedzone"}, {"ResourceId", id}, {"RemoveTagKeys", {"team"}}});
  json tags = ok("ListTagsForResource", {{"ResourceType", "hostedzone"}, {"ResourceId", id}});
  EXPECT_EQ(tags["ResourceTagSet"]["Tags"], json({{{"Key", "env"}, {"Value", "prod"}}}));
  json many = ok("ListTagsForResources", {{"ResourceType", "hostedzone"}, {"ResourceIds", {id}}});
  EXPECT_EQ(many["ResourceTagSets"][0]["ResourceId"], id);
  EXPECT_EQ(call("ListTagsForResource", {{"ResourceType", "hostedzone"}, {"ResourceId", id}}, kOtherAccount)
                .error()
                .code,
            "NoSuchHostedZone");
  EXPECT_EQ(call("ListTagsForResource", {{"ResourceType", "healthcheck"}, {"ResourceId", "h"}}).error().code,
            "NoSuchHealthCheck");

  json acct = ok("GetAccountLimit", {{"Type", "MAX_HOSTED_ZONES_BY_OWNER"}});
  EXPECT_EQ(acct["Limit"]["Value"], 500);
  EXPECT_EQ(acct["Count"], 1);
  json zl = ok("GetHostedZoneLimit", {{"HostedZoneId", id}, {"Type", "MAX_RRSETS_BY_ZONE"}});
  EXPECT_EQ(zl["Limit"]["Value"], 10000);
  EXPECT_EQ(zl["Count"], 2);
  EXPECT_EQ(call("GetHostedZoneLimit", {{"HostedZoneId", id}, {"Type", "MAX_VPCS_ASSOCIATED_BY_ZONE"}})
                .error()
                .code,
            "HostedZoneNotPrivate");
  ok("UpdateHostedZoneComment", {{"Id", id}, {"Comment", "new comment"}});
  EXPECT_EQ(ok("GetHostedZone", {{"Id", id}})["HostedZone"]["Config"]["Comment"], "new comment");
}

class SmallLimitsTest : public Route53Fixture {
  route53::Route53Config config() override {
    auto c = Route53Fixture::config();
    c.max_record_sets_per_zone = 4;
    c.max_hosted_zones_per_account = 2;
    return c;
  }
};

TEST_F(SmallLimitsTest, ZoneAndAccountLimits) {
  std::string id = createZone("l.test");
  ok("ChangeResourceRecordSets", upsert(id, "a.l.test", "A", {"192.0.2.1"}));
  ok("ChangeResourceRecordSets", upsert(id, "b.l.test", "A", {"192.0.2.1"}));
  auto r = call("ChangeResourceRecordSets", upsert(id, "c.l.test", "A", {"192.0.2.1"}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "InvalidChangeBatch");
  EXPECT_EQ(r.error().messages.at(0), "Exceeded limit MAX_RRSETS_BY_ZONE for zone: " + id);
  ok("ChangeResourceRecordSets", upsert(id, "b.l.test", "A", {"192.0.2.2"}));  // replacing is fine
  createZone("m.test");
  r = call("CreateHostedZone", {{"Name", "n.test"}, {"CallerReference", "n"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "TooManyHostedZones");
}

TEST_F(Route53ServiceTest, ConcurrentBatchesArePublishedInOrderAndMatchTheStore) {
  std::string id = createZone("busy.test");
  constexpr int kThreads = 8, kPerThread = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        // Everyone also rewrites one shared name, so versions interleave on the same RRset.
        auto r1 = call(
            "ChangeResourceRecordSets",
            upsert(id, "h" + std::to_string(t) + "-" + std::to_string(i) + ".busy.test", "A", {"192.0.2.1"}));
        auto r2 = call("ChangeResourceRecordSets",
                       upsert(id, "shared.busy.test", "TXT", {"\"" + std::to_string(t * 1000 + i) + "\""}));
        EXPECT_TRUE(r1.ok() && r2.ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  // The DNS snapshot equals what the store holds.
  auto data = store_->loadZone(id);
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(data->record_sets.size(), size_t(2 + 1 + kThreads * kPerThread));
  auto expected = route53::servedRecords(data->record_sets);
  ASSERT_TRUE(expected.ok());
  auto z = catalog_.current()->get(*dns::Name::fromText("busy.test."));
  ASSERT_NE(z, nullptr);
  auto rebuilt = zone::Zone::build(z->apex(), *expected);
  ASSERT_TRUE(rebuilt.ok());
  EXPECT_EQ(z->records(), (*rebuilt)->records());
  EXPECT_EQ(service_->sync().publishedVersion(id), data->zone.version);
}

TEST_F(Route53ServiceTest, WritesFromAnotherProcessAreReloaded) {
  std::string id = createZone("ext.test");
  // A batch committed behind the service's back (as `zonekeeper zone import` does from the CLI).
  route53::RecordSet rs;
  rs.name = *dns::Name::fromText("outside.ext.test.");
  rs.type = t::kA;
  rs.ttl = 60;
  rs.values = {"192.0.2.44"};
  route53::ChangeBatchWrite batch;
  batch.change = route53::ChangeRequest{"CEXTERNAL", "", clock_.now()};
  batch.writes.push_back({route53::WriteAction::kUpsert, rs});
  ASSERT_TRUE(store_->commitChangeBatch(id, batch).ok());
  EXPECT_TRUE(served("ext.test.", "outside.ext.test.", t::kA).empty());
  // The next API write finds the version gap and reloads the zone: both are served.
  ok("ChangeResourceRecordSets", upsert(id, "inside.ext.test", "A", {"192.0.2.45"}));
  EXPECT_EQ(served("ext.test.", "outside.ext.test.", t::kA), std::vector<std::string>{"192.0.2.44"});
  EXPECT_EQ(served("ext.test.", "inside.ext.test.", t::kA), std::vector<std::string>{"192.0.2.45"});
  // And SIGHUP's syncAll() picks up external writes too.
  batch.change.id = "CEXTERNAL2";
  batch.writes[0].record_set.values = {"192.0.2.46"};
  ASSERT_TRUE(store_->commitChangeBatch(id, batch).ok());
  ASSERT_TRUE(service_->syncAll().isOk());
  EXPECT_EQ(served("ext.test.", "outside.ext.test.", t::kA), std::vector<std::string>{"192.0.2.46"});
}

// GetChange answers for every change id ever returned (CreateHostedZone, ChangeResourceRecordSets,
// DeleteHostedZone), after a restart too, and only in the zone's account. A DeleteHostedZone change
// used to answer NoSuchChange after one (its account was remembered in memory only).
TEST_F(Route53ServiceTest, GetChangeKnowsEveryChangeAfterARestart) {
  std::vector<std::string> changes;
  auto created = ok("CreateHostedZone", {{"Name", "kept.test"}, {"CallerReference", "kept"}});
  changes.push_back(created["ChangeInfo"]["Id"]);
  const std::string kept = created["HostedZone"]["Id"].get<std::string>().substr(12);
  changes.push_back(
      ok("ChangeResourceRecordSets", upsert(kept, "a.kept.test", "A", {"192.0.2.1"}))["ChangeInfo"]["Id"]);
  auto gone = ok("CreateHostedZone", {{"Name", "gone.test"}, {"CallerReference", "gone"}});
  changes.push_back(gone["ChangeInfo"]["Id"]);
  auto deleted = ok("DeleteHostedZone", {{"Id", gone["HostedZone"]["Id"]}});
  changes.push_back(deleted["ChangeInfo"]["Id"]);
  EXPECT_EQ(ok("GetChange", {{"Id", changes.back()}})["ChangeInfo"]["Status"], "INSYNC");  // removed

  closeAll();
  catalog_.removeZone(*dns::Name::fromText("kept.test."));
  openAll();
  ASSERT_TRUE(store_->markAllChangesInSync().isOk());  // as Server::start does once the zones are served
  for (const std::string& id : changes) {
    SCOPED_TRACE(id);
    json out = ok("GetChange", {{"Id", id}});
    EXPECT_EQ(out["ChangeInfo"]["Id"], id);
    EXPECT_EQ(out["ChangeInfo"]["Status"], "INSYNC");
    auto r = call("GetChange", {{"Id", id}}, kOtherAccount);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "NoSuchChange");
  }
}

TEST_F(Route53ServiceTest, RestartServesWhatWasStored) {
  std::string id = createZone("persist.test");
  ok("ChangeResourceRecordSets", upsert(id, "p.persist.test", "AAAA", {"2001:db8::1"}));
  closeAll();
  catalog_.removeZone(*dns::Name::fromText("persist.test."));
  openAll();
  EXPECT_EQ(served("persist.test.", "p.persist.test.", t::kAAAA), std::vector<std::string>{"2001:db8::1"});
  ok("ChangeResourceRecordSets", upsert(id, "q.persist.test", "A", {"192.0.2.1"}));
  EXPECT_EQ(served("persist.test.", "q.persist.test.", t::kA), std::vector<std::string>{"192.0.2.1"});
}

}  // namespace
}  // namespace zk::app::testing
