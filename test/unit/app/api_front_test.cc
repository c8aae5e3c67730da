// ApiFront end to end in process: signed requests as the SDKs send them -> routing, SigV4, throttling,
// the rest-xml codec, the Route 53 service over a real store, credentials and DNS catalog.
#include <gtest/gtest.h>

#include <algorithm>
#include <future>
#include <pugixml.hpp>

#include "api/front.h"
#include "app/credentials.h"
#include "route53_test_util.h"

namespace zk::app::testing {
namespace {

using api::ApiFront;
using api::ApiOptions;
using api::ApiService;

class ApiFrontTest : public Route53Fixture {
 protected:
  void SetUp() override {
    Route53Fixture::SetUp();
    auto box = loadOrCreateSecretBox(dir_);
    ASSERT_TRUE(box.ok()) << box.status().toString();
    ASSERT_TRUE(store_->createAccount({kAccount, "test", clock_.now()}).isOk());
    ASSERT_TRUE(store_->createAccount({kOtherAccount, "other", clock_.now()}).isOk());
    auto k = createAccessKey(*store_, *box, kAccount, "admin", clock_.now());
    ASSERT_TRUE(k.ok());
    key_ = *k;
    auto k2 = createAccessKey(*store_, *box, kOtherAccount, "admin", clock_.now());
    ASSERT_TRUE(k2.ok());
    other_key_ = *k2;
    resolver_ = std::make_unique<KeyResolver>(*store_, *box, clock_);
    front_ = makeFront({});
  }
  void TearDown() override {
    front_.reset();
    resolver_.reset();
    Route53Fixture::TearDown();
  }
  std::unique_ptr<ApiFront> makeFront(api::ThrottleConfig throttle) {
    ApiOptions o;
    o.throttle = throttle;
    auto f = std::make_unique<ApiFront>(o, resolver_->asLookup(), clock_);
    route53::Route53Service* svc = service_.get();
    f->addService(ApiService{"route53", route53::Route53Service::model(), "/2013-04-01/",
                             [svc](const std::string& op, const nlohmann::json& in,
                                   const route53::CallContext& c) { return svc->invoke(op, in, c); }});
    return f;
  }

  // A request as botocore sends Route 53 calls: Host, X-Amz-Date, Authorization over host;x-amz-date,
  // no Content-Type and no x-amz-content-sha256.
  http::Request signedRequest(const std::string& method, const std::string& target,
                              const std::string& body = "", const NewAccessKey* key = nullptr,
                              const std::string& secret_override = "",
                              const std::string& host = "route53.amazonaws.com") {
    if (key == nullptr) key = &key_;
    http::Request r;
    r.method = method;
    r.target = target;
    r.body = body;
    r.headers = {{"Host", host}};
    aws::Credential c;
    c.access_key_id = key->access_key_id;
    c.secret_access_key = secret_override.empty() ? key->secret_access_key : secret_override;
    aws::SignOptions so;
    so.region = "us-east-1";
    so.service = "route53";
    so.time = clock_.now();
    so.signed_headers = {"host", "x-amz-date"};
    std::string path = r.path(), query = r.query();
    aws::SignedRequest sr{r.method, path, query, r.headers, r.body};
    auto h = aws::sign(sr, c, so);
    EXPECT_TRUE(h.ok()) << h.status().toString();
    for (auto& kv : h->headers) r.headers.push_back(kv);
    return r;
  }
  static std::string header(const http::Response& resp, std::string_view name) {
    for (const auto& [k, v] : resp.headers)
      if (http::equalsIgnoreCase(k, name)) return v;
    return "";
  }
  static std::string xmlText(const std::string& body, const char* xpath) {
    pugi::xml_document doc;
    doc.load_string(body.c_str());
    return doc.select_node(xpath).node().text().as_string();
  }

  NewAccessKey key_, other_key_;
  std::unique_ptr<KeyResolver> resolver_;
  std::unique_ptr<ApiFront> front_;
};

constexpr char kCreate[] =
    "<?xml version=\"1.0\" ?>\n<CreateHostedZoneRequest "
    "xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\">\n"
    " <Name>api.example.test</Name>\n <CallerReference>ref-1</CallerReference>\n</CreateHostedZoneRequest>\n";

std::string goUpsert(const std::string& name, const std::string& value) {
  // aws-sdk-go (lego) order and &#34; quotes.
  return "<ChangeResourceRecordSetsRequest "
         "xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><ChangeBatch>"
         "<Changes><Change><ResourceRecordSet><Name>" +
         name + "</Name><ResourceRecords><ResourceRecord><Value>&#34;" + value +
         "&#34;</Value></ResourceRecord></ResourceRecords><TTL>10</TTL><Type>TXT</Type></ResourceRecordSet>"
         "<Action>UPSERT</Action></Change></Changes><Comment>Managed by Lego</Comment></ChangeBatch>"
         "</ChangeResourceRecordSetsRequest>";
}

TEST_F(ApiFrontTest, CreateZoneUpsertListGetChangeLikeTheClients) {
  http::Response created = front_->process(signedRequest("POST", "/2013-04-01/hostedzone", kCreate));
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_FALSE(header(created, "x-amzn-RequestId").empty());
  std::string id = xmlText(created.body, "/CreateHostedZoneResponse/HostedZone/Id");
  ASSERT_EQ(id.rfind("/hostedzone/", 0), 0u);
  EXPECT_EQ(header(created, "Location"), "https://route53.amazonaws.com/2013-04-01" + id);
  EXPECT_EQ(xmlText(created.body, "/CreateHostedZoneResponse/HostedZone/Config/PrivateZone"), "false");
  const std::string bare = id.substr(12);

  // POST to .../rrset/ (botocore, Go) and .../rrset (JS); no Content-Type; body hashed by us.
  for (const char* suffix : {"/rrset/", "/rrset"}) {
    http::Response r = front_->process(signedRequest("POST", "/2013-04-01/hostedzone/" + bare + suffix,
                                                     goUpsert("_acme-challenge.api.example.test.", suffix)));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(xmlText(r.body, "/ChangeResourceRecordSetsResponse/ChangeInfo/Status"), "INSYNC");
  }
  EXPECT_EQ(served("api.example.test.", "_acme-challenge.api.example.test.", dns::rrtype::kTXT),
            std::vector<std::string>{"\"/rrset\""});

  http::Response list = front_->process(signedRequest(
      "GET", "/2013-04-01/hostedzone/" + bare + "/rrset?name=_acme-challenge.api.example.test.&type=TXT"));
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(xmlText(list.body, "/ListResourceRecordSetsResponse/ResourceRecordSets/ResourceRecordSet/Name"),
            "_acme-challenge.api.example.test.");
  EXPECT_EQ(xmlText(list.body,
                    "/ListResourceRecordSetsResponse/ResourceRecordSets/ResourceRecordSet/ResourceRecords/"
                    "ResourceRecord/Value"),
            "\"/rrset\"");
  EXPECT_EQ(xmlText(list.body, "/ListResourceRecordSetsResponse/MaxItems"), "300");

  std::string change = xmlText(created.body, "/CreateHostedZoneResponse/ChangeInfo/Id");
  http::Response gc = front_->process(signedRequest("GET", "/2013-04-01/change/" + change.substr(8)));
  ASSERT_EQ(gc.status, 200) << gc.body;
  EXPECT_EQ(xmlText(gc.body, "/GetChangeResponse/ChangeInfo/Status"), "INSYNC");
  EXPECT_EQ(xmlText(gc.body, "/GetChangeResponse/ChangeInfo/Id"), change);

  http::Response byname =
      front_->process(signedRequest("GET", "/2013-04-01/hostedzonesbyname?dnsname=api.example.test"));
  ASSERT_EQ(byname.status, 200);
  EXPECT_EQ(xmlText(byname.body, "/ListHostedZonesByNameResponse/HostedZones/HostedZone/Id"), id);

  // The other account sees nothing of it.
  http::Response foreign =
      front_->process(signedRequest("GET", "/2013-04-01/hostedzone/" + bare, "", &other_key_));
  EXPECT_EQ(foreign.status, 404);
  EXPECT_EQ(xmlText(foreign.body, "/ErrorResponse/Error/Code"), "NoSuchHostedZone");
}

TEST_F(ApiFrontTest, SigV4ErrorsAsAwsWordsThem) {
  // Unknown key id.
  NewAccessKey unknown = key_;
  unknown.access_key_id = "AKIAUNKNOWNUNKNOWN00";
  http::Response r = front_->process(signedRequest("GET", "/2013-04-01/hostedzone", "", &unknown));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(xmlText(r.body, "/ErrorResponse/Error/Code"), "InvalidClientTokenId");
  EXPECT_EQ(xmlText(r.body, "/ErrorResponse/Error/Message"),
            "The security token included in the request is invalid.");
  EXPECT_FALSE(header(r, "x-amzn-RequestId").empty());
  EXPECT_EQ(xmlText(r.body, "/ErrorResponse/RequestId"), header(r, "x-amzn-RequestId"));

  // Wrong secret.
  r = front_->process(
      signedRequest("GET", "/2013-04-01/hostedzone", "", &key_, "wrongwrongwrongwrongwrongwrongwrongwrong"));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(xmlText(r.body, "/ErrorResponse/Error/Code"), "SignatureDoesNotMatch");
  EXPECT_EQ(xmlText(r.body, "/ErrorResponse/Error/Message")
                .rfind("The request signature we calculated does not match", 0),
            0u);

  // Signed for one Host, received with another (a TLS front must keep Host).
  http::Request moved = signedRequest("GET", "/2013-04-01/hostedzone");
  moved.headers[0].second = "127.0.0.1:9353";
  r = front_->process(moved);
  EXPECT_EQ(xmlText(r.body, "/ErrorResponse/Error/Code"), "SignatureDoesNotMatch");

  // Body changed after signing.
  http::Request tampered = signedRequest("POST", "/2013-04-01/hostedzone", kCreate);
  tampered.body.replace(tampered.body.find("ref-1"), 5, "ref-2");
  r = front_->process(tampered);
  EXPECT_EQ(xmlText(r.body, "/ErrorResponse/Error/Code"), "SignatureDoesNotMatch");

  // No authentication at all.
  http::Request anon;
  anon.method = "GET";
  anon.target = "/2013-04-01/hostedzone";
  anon.headers = {{"Host", "route53.amazonaws.com"}};
  r = front_->process(anon);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(xmlText(r.body, "/ErrorResponse/Error/Code"), "MissingAuthenticationToken");

  // Too old.
  http::Request old = signedRequest("GET", "/2013-04-01/hostedzone");
  clock_.advance(std::chrono::minutes(6));
  r = front_->process(old);
  EXPECT_EQ(xmlText(r.body, "/ErrorResponse/Error/Code"), "SignatureDoesNotMatch");
  EXPECT_NE(xmlText(r.body, "/ErrorResponse/Error/Message").find("Signature expired"), std::string::npos);
}

// Only a request naming a known access key may send more than untrusted_body_bytes of body (the HTTP
// server asks before it reads the body).
TEST_F(ApiFrontTest, LargeBodiesOnlyForRequestsWithKnownCredentials) {
  EXPECT_TRUE(front_->carriesCredentials(signedRequest("POST", "/2013-04-01/hostedzone", kCreate)));
  NewAccessKey unknown = key_;
  unknown.access_key_id = "AKIANOTAKNOWNKEY0000";
  EXPECT_FALSE(
      front_->carriesCredentials(signedRequest("POST", "/2013-04-01/hostedzone", kCreate, &unknown)));
  http::Request bare = signedRequest("POST", "/2013-04-01/hostedzone", kCreate);
  bare.headers.erase(
      std::remove_if(bare.headers.begin(), bare.headers.end(),
                     [](const auto& h) { return http::equalsIgnoreCase(h.first, "Authorization"); }),
      bare.headers.end());
  EXPECT_FALSE(front_->carriesCredentials(bare));
  http::Request garbage = bare;
  garbage.headers.emplace_back("Authorization", "Basic dXNlcjpwYXNz");
  EXPECT_FALSE(front_->carriesCredentials(garbage));
  http::Request presigned = bare;
  presigned.target =
      "/2013-04-01/hostedzone?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" + key_.access_key_id +
      "%2F20240101%2Fus-east-1%2Froute53%2Faws4_request&X-Amz-Signature=00";
  EXPECT_TRUE(front_->carriesCredentials(presigned));
}

TEST_F(ApiFrontTest, InactiveKeysAreRejected) {
  ASSERT_TRUE(store_->setAccessKeyStatus(key_.access_key_id, route53::AccessKeyStatus::kInactive).isOk());
  clock_.advance(std::chrono::seconds(3));  // past the resolver's cache
  http::Response r = front_->process(signedRequest("GET", "/2013-04-01/hostedzone"));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(xmlText(r.body, "/ErrorResponse/Error/Code"), "InvalidClientTokenId");
}

TEST_F(ApiFrontTest, ThrottlingPerAccount) {
  front_ = makeFront({/*requests_per_second=*/1, /*burst=*/2});
  EXPECT_EQ(front_->process(signedRequest("GET", "/2013-04-01/hostedzonecount")).status, 200);
  EXPECT_EQ(front_->process(signedRequest("GET", "/2013-04-01/hostedzonecount")).status, 200);
  http::Response r = front_->process(signedRequest("GET", "/2013-04-01/hostedzonecount"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(xmlText(r.body, "/ErrorResponse/Error/Code"), "Throttling");
  EXPECT_EQ(xmlText(r.body, "/ErrorResponse/Error/Message"), "Rate exceeded");
  EXPECT_EQ(front_->process(signedRequest("GET", "/2013-04-01/hostedzonecount", "", &other_key_)).status,
            200);
  clock_.advance(std::chrono::seconds(1));
  EXPECT_EQ(front_->process(signedRequest("GET", "/2013-04-01/hostedzonecount")).status, 200);
}

TEST_F(ApiFrontTest, InvalidChangeBatchAndUnknownRoutes) {
  http::Response created = front_->process(signedRequest("POST", "/2013-04-01/hostedzone", kCreate));
  const std::string bare = xmlText(created.body, "/CreateHostedZoneResponse/HostedZone/Id").substr(12);
  const std::string bad =
      "<ChangeResourceRecordSetsRequest xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><ChangeBatch>"
      "<Changes><Change><Action>CREATE</Action><ResourceRecordSet><Name>t.api.example.test</Name><Type>TXT</"
      "Type>"
      "<TTL>60</TTL><ResourceRecords><ResourceRecord><Value>unquoted</Value></ResourceRecord></"
      "ResourceRecords>"
      "</ResourceRecordSet></Change></Changes></ChangeBatch></ChangeResourceRecordSetsRequest>";
  http::Response r =
      front_->process(signedRequest("POST", "/2013-04-01/hostedzone/" + bare + "/rrset/", bad));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(xmlText(r.body, "/ErrorResponse/Error/Code"), "InvalidChangeBatch");
  EXPECT_EQ(xmlText(r.body, "/ErrorResponse/Error/Message"),
            "[Invalid Resource Record: 'FATAL problem: InvalidCharacterString (Value should be enclosed in "
            "quotation "
            "marks) encountered with 'unquoted'']");

  r = front_->process(signedRequest("GET", "/2013-04-01/nosuchthing"));
  EXPECT_GE(r.status, 400);
  EXPECT_FALSE(header(r, "x-amzn-RequestId").empty());
  r = front_->process(signedRequest("GET", "/"));
  EXPECT_GE(r.status, 400);
  EXPECT_FALSE(header(r, "x-amzn-RequestId").empty());

  // Malformed XML is InvalidInput, after authentication.
  r = front_->process(signedRequest("POST", "/2013-04-01/hostedzone", "<CreateHostedZoneRequest><Name>"));
  EXPECT_EQ(r.status, 400);
}

TEST_F(ApiFrontTest, ServesOverHttpWithWorkers) {
  // The real HTTP server on an ephemeral port; requests go through the worker pool.
  ApiOptions o;
  o.listen = "127.0.0.1:0";
  o.workers = 4;
  ApiFront front(o, resolver_->asLookup(), clock_);
  route53::Route53Service* svc = service_.get();
  front.addService(ApiService{"route53", route53::Route53Service::model(), "/2013-04-01/",
                              [svc](const std::string& op, const nlohmann::json& in,
                                    const route53::CallContext& c) { return svc->invoke(op, in, c); }});
  ASSERT_TRUE(front.start().isOk());
  ASSERT_NE(front.port(), 0);
  std::promise<http::Response> got;
  http::Request req = signedRequest("GET", "/2013-04-01/hostedzonecount");
  front.handle(std::move(req), [&got](http::Response resp) { got.set_value(std::move(resp)); });
  http::Response resp = got.get_future().get();
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(xmlText(resp.body, "/GetHostedZoneCountResponse/HostedZoneCount"), "0");
  front.stop();
}

TEST_F(ApiFrontTest, ChangesAnswerFromTheCommitterAndStopWaitsForThem) {
  // handle() as the HTTP server calls it, with and without workers: record changes are answered
  // from the store's writer thread (deferred), other calls from a worker or the calling thread.
  http::Response created = front_->process(signedRequest("POST", "/2013-04-01/hostedzone", kCreate));
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string bare = xmlText(created.body, "/CreateHostedZoneResponse/HostedZone/Id").substr(12);
  for (int workers : {0, 3}) {
    ApiOptions o;
    o.listen = "127.0.0.1:0";
    o.workers = workers;
    auto front = std::make_unique<ApiFront>(o, resolver_->asLookup(), clock_);
    route53::Route53Service* svc = service_.get();
    front->addService(ApiService{"route53", route53::Route53Service::model(), "/2013-04-01/",
                                 [svc](const std::string& op, const nlohmann::json& in,
                                       const route53::CallContext& c) { return svc->invoke(op, in, c); }});
    ASSERT_TRUE(front->start().isOk());
    constexpr int kN = 16;
    std::vector<std::promise<http::Response>> got(kN + 1);
    std::vector<std::future<http::Response>> answers;
    for (auto& p : got) answers.push_back(p.get_future());
    for (int i = 0; i < kN; ++i) {
      const std::string value = "w" + std::to_string(workers) + "-" + std::to_string(i);
      front->handle(signedRequest("POST", "/2013-04-01/hostedzone/" + bare + "/rrset/",
                                  goUpsert("v" + std::to_string(i) + ".api.example.test.", value)),
                    [&got, i](http::Response r) { got[size_t(i)].set_value(std::move(r)); });
    }
    front->handle(signedRequest("GET", "/2013-04-01/hostedzone/" + bare),
                  [&got](http::Response r) { got[kN].set_value(std::move(r)); });
    // stop() returns only once every accepted request was answered.
    front->stop();
    for (auto& a : answers) ASSERT_EQ(a.wait_for(std::chrono::seconds(0)), std::future_status::ready);
    for (int i = 0; i < kN; ++i) {
      http::Response r = answers[size_t(i)].get();
      ASSERT_EQ(r.status, 200) << r.body;
      EXPECT_FALSE(header(r, "x-amzn-RequestId").empty());
      EXPECT_EQ(xmlText(r.body, "/ChangeResourceRecordSetsResponse/ChangeInfo/Status"), "INSYNC");
      const std::string name = "v" + std::to_string(i) + ".api.example.test.";
      EXPECT_EQ(served("api.example.test.", name, dns::rrtype::kTXT),
                std::vector<std::string>{"\"w" + std::to_string(workers) + "-" + std::to_string(i) + "\""});
    }
    http::Response get = answers[kN].get();  // ran beside the writes: any count is fine
    EXPECT_EQ(get.status, 200) << get.body;
    http::Response after = front_->process(signedRequest("GET", "/2013-04-01/hostedzone/" + bare));
    EXPECT_EQ(xmlText(after.body, "/GetHostedZoneResponse/HostedZone/ResourceRecordSetCount"),
              std::to_string(2 + kN));
  }
}

}  // namespace
}  // namespace zk::app::testing
