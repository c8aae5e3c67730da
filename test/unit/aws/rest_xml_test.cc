// Tests for the rest-xml codec with requests recorded from the aws CLI, boto3 (certbot) and Go (lego).
#include "aws/rest_xml.h"

#include <gtest/gtest.h>

#include <cctype>
#include <map>
#include <pugixml.hpp>

#include "aws/timestamp.h"
#include "botocore_oracle.h"

namespace zk::aws {
namespace {

using nlohmann::json;

constexpr char kNs[] = "https://route53.amazonaws.com/doc/2013-04-01/";

class RestXmlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto m = ServiceModel::loadEmbedded("route53");
    ASSERT_TRUE(m.ok()) << m.status().toString();
    model_ = *m;
  }

  Result<OperationRequest> parse(std::string_view method, std::string_view path, std::string_view query,
                                 std::string_view body, std::map<std::string, std::string> hdrs = {}) {
    HeaderLookup lookup = [hdrs](std::string_view name) -> std::optional<std::string_view> {
      for (const auto& [k, v] : hdrs) {
        if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
              return std::tolower(static_cast<unsigned char>(a)) ==
                     std::tolower(static_cast<unsigned char>(b));
            })) {
          return std::string_view(v);
        }
      }
      return std::nullopt;
    };
    return parseRestXmlRequest(*model_, method, path, query, lookup, body);
  }

  std::shared_ptr<const ServiceModel> model_;
};

// awscli-v1-runbook trace #7 (botocore 1.43), as recorded.
constexpr char kBotocoreChange[] = R"(<?xml version="1.0" ?>
<ChangeResourceRecordSetsRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/">
 <ChangeBatch>
  <Comment>ACM DNS validation for r17955947892146.example.test</Comment>
  <Changes>
   <Change>
    <Action>UPSERT</Action>
    <ResourceRecordSet>
     <Name>_d930b28be6c5927595552b219965053e.r17955947892146.example.test.</Name>
     <Type>CNAME</Type>
     <TTL>300</TTL>
     <ResourceRecords>
      <ResourceRecord>
       <Value>_c9edd76ee4a0e2a74388032f3861cc50.ykybfrwcxw.acm-validations.aws.</Value>
      </ResourceRecord>
     </ResourceRecords>
    </ResourceRecordSet>
   </Change>
  </Changes>
 </ChangeBatch>
</ChangeResourceRecordSetsRequest>
)";

// lego-route53 trace #4 (aws-sdk-go 1.44): ResourceRecordSet before Action, TTL and Type after Name's
// records, quotes as Go's encoding/xml writes them (&#34;), all on one line.
constexpr char kGoChange[] =
    "<ChangeResourceRecordSetsRequest xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><ChangeBatch>"
    "<Changes><Change><ResourceRecordSet><Name>_acme-challenge.www.r17955948544378.example.test.</Name>"
    "<ResourceRecords><ResourceRecord><Value>&#34;4e1_h-FaEsytrbQieu6z8Opcunyk419Kp5s9_EK6KQI&#34;</Value>"
    "</ResourceRecord></ResourceRecords><TTL>10</TTL><Type>TXT</Type></ResourceRecordSet><Action>UPSERT</"
    "Action>"
    "</Change></Changes><Comment>Managed by Lego</Comment></ChangeBatch></ChangeResourceRecordSetsRequest>";

TEST_F(RestXmlTest, ParsesBotocoreChangeResourceRecordSets) {
  auto r = parse("POST", "/2013-04-01/hostedzone/GZY7NIGWMBQDOPMR66UMFD/rrset/", "", kBotocoreChange);
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(r->operation, "ChangeResourceRecordSets");
  const json expected = {
      {"HostedZoneId", "GZY7NIGWMBQDOPMR66UMFD"},
      {"ChangeBatch",
       {{"Comment", "ACM DNS validation for r17955947892146.example.test"},
        {"Changes",
         json::array(
             {{{"Action", "UPSERT"},
               {"ResourceRecordSet",
                {{"Name", "_d930b28be6c5927595552b219965053e.r17955947892146.example.test."},
                 {"Type", "CNAME"},
                 {"TTL", 300},
                 {"ResourceRecords",
                  json::array(
                      {{{"Value",
                         "_c9edd76ee4a0e2a74388032f3861cc50.ykybfrwcxw.acm-validations.aws."}}})}}}}})}}}};
  EXPECT_EQ(r->input, expected) << r->input.dump(1);
}

TEST_F(RestXmlTest, ParsesGoChangeWithOtherOrderAndCharacterReferences) {
  auto r = parse("POST", "/2013-04-01/hostedzone/Q5FE2QJD1C9IS49T32R2BH/rrset/", "", kGoChange);
  ASSERT_TRUE(r.ok()) << r.status().toString();
  const json& change = r->input["ChangeBatch"]["Changes"][0];
  EXPECT_EQ(change["Action"], "UPSERT");
  EXPECT_EQ(change["ResourceRecordSet"]["Name"], "_acme-challenge.www.r17955948544378.example.test.");
  EXPECT_EQ(change["ResourceRecordSet"]["Type"], "TXT");
  EXPECT_EQ(change["ResourceRecordSet"]["TTL"], 10);
  EXPECT_EQ(change["ResourceRecordSet"]["ResourceRecords"][0]["Value"],
            "\"4e1_h-FaEsytrbQieu6z8Opcunyk419Kp5s9_EK6KQI\"");
  EXPECT_EQ(r->input["ChangeBatch"]["Comment"], "Managed by Lego");
  EXPECT_EQ(r->input["HostedZoneId"], "Q5FE2QJD1C9IS49T32R2BH");
}

TEST_F(RestXmlTest, ParsesCertbotChangeWithQuotEntityAndNoTrailingDot) {
  // certbot-dns-route53 trace #3 (boto3 1.26): &quot; and a name without the trailing dot.
  constexpr char kBody[] =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ChangeResourceRecordSetsRequest "
      "xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><ChangeBatch><Comment>certbot-dns-route53 "
      "certificate validation UPSERT</Comment><Changes><Change><Action>UPSERT</Action><ResourceRecordSet>"
      "<Name>_acme-challenge.www.r17955948665238.example.test</Name><Type>TXT</Type><TTL>10</TTL>"
      "<ResourceRecords><ResourceRecord><Value>&quot;91Po0knufNsp3ZePr1toDqZ1cC3lSHZQUUn811pxCXU&quot;</"
      "Value>"
      "</ResourceRecord></ResourceRecords></ResourceRecordSet></Change></Changes></ChangeBatch>"
      "</ChangeResourceRecordSetsRequest>";
  auto r = parse("POST", "/2013-04-01/hostedzone/ALQ01WKGHHUM6LIHA8Y55B/rrset/", "", kBody);
  ASSERT_TRUE(r.ok()) << r.status().toString();
  const json& rrset = r->input["ChangeBatch"]["Changes"][0]["ResourceRecordSet"];
  EXPECT_EQ(rrset["Name"], "_acme-challenge.www.r17955948665238.example.test");
  EXPECT_EQ(rrset["ResourceRecords"][0]["Value"], "\"91Po0knufNsp3ZePr1toDqZ1cC3lSHZQUUn811pxCXU\"");
}

TEST_F(RestXmlTest, AcceptsRrsetPathWithoutTrailingSlash) {
  // aws-sdk-js posts to ".../rrset"; the model's requestUri ends in "/".
  auto r = parse("POST", "/2013-04-01/hostedzone/BO2FLTR4EFB4C9Q7UHUYMB/rrset", "", kGoChange);
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(r->operation, "ChangeResourceRecordSets");
  // And GET with a trailing slash still lists.
  auto l = parse("GET", "/2013-04-01/hostedzone/BO2FLTR4EFB4C9Q7UHUYMB/rrset/", "", "");
  ASSERT_TRUE(l.ok()) << l.status().toString();
  EXPECT_EQ(l->operation, "ListResourceRecordSets");
}

TEST_F(RestXmlTest, ParsesListResourceRecordSetsQuery) {
  // lego-route53 trace #3.
  auto r = parse("GET", "/2013-04-01/hostedzone/Q5FE2QJD1C9IS49T32R2BH/rrset",
                 "name=_acme-challenge.www.r17955948544378.example.test.&type=TXT", "");
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(r->operation, "ListResourceRecordSets");
  EXPECT_EQ(r->input, (json{{"HostedZoneId", "Q5FE2QJD1C9IS49T32R2BH"},
                            {"StartRecordName", "_acme-challenge.www.r17955948544378.example.test."},
                            {"StartRecordType", "TXT"}}));
  auto all = parse("GET", "/2013-04-01/hostedzone/Z1/rrset", "maxitems=100&identifier=a%20b", "");
  ASSERT_TRUE(all.ok()) << all.status().toString();
  EXPECT_EQ(all->input["MaxItems"], "100");
  EXPECT_EQ(all->input["StartRecordIdentifier"], "a b");
  auto bad_type = parse("GET", "/2013-04-01/hostedzone/Z1/rrset", "type=BOGUS", "");
  ASSERT_FALSE(bad_type.ok());
  EXPECT_EQ(bad_type.status().code(), Code::kInvalidArgument);
  EXPECT_NE(bad_type.status().message().find("startRecordType"), std::string::npos)
      << bad_type.status().message();
}

TEST_F(RestXmlTest, ParsesListHostedZonesByNameGetChangeAndCreateHostedZone) {
  auto byname = parse("GET", "/2013-04-01/hostedzonesbyname", "dnsname=r17955948544378.example.test", "");
  ASSERT_TRUE(byname.ok()) << byname.status().toString();
  EXPECT_EQ(byname->operation, "ListHostedZonesByName");
  EXPECT_EQ(byname->input, (json{{"DNSName", "r17955948544378.example.test"}}));

  auto change = parse("GET", "/2013-04-01/change/C2682N5HXP0BZ4", "", "");
  ASSERT_TRUE(change.ok()) << change.status().toString();
  EXPECT_EQ(change->operation, "GetChange");
  EXPECT_EQ(change->input, (json{{"Id", "C2682N5HXP0BZ4"}}));

  // lego-route53 trace #1 (aws CLI).
  constexpr char kCreate[] = R"(<?xml version="1.0" ?>
<CreateHostedZoneRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/">
 <Name>r17955948544378.example.test</Name>
 <CallerReference>lego-17955948544378</CallerReference>
</CreateHostedZoneRequest>)";
  auto create = parse("POST", "/2013-04-01/hostedzone", "", kCreate);
  ASSERT_TRUE(create.ok()) << create.status().toString();
  EXPECT_EQ(create->operation, "CreateHostedZone");
  EXPECT_EQ(create->input,
            (json{{"Name", "r17955948544378.example.test"}, {"CallerReference", "lego-17955948544378"}}));

  constexpr char kPrivate[] =
      "<CreateHostedZoneRequest "
      "xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><Name>p.example</Name>"
      "<CallerReference>r1</CallerReference><HostedZoneConfig><Comment>c</Comment><PrivateZone>true</"
      "PrivateZone>"
      "</HostedZoneConfig><VPC><VPCRegion>us-east-1</VPCRegion><VPCId>vpc-1</VPCId></VPC>"
      "</CreateHostedZoneRequest>";
  auto priv = parse("POST", "/2013-04-01/hostedzone", "", kPrivate);
  ASSERT_TRUE(priv.ok()) << priv.status().toString();
  EXPECT_EQ(priv->input["HostedZoneConfig"]["PrivateZone"], true);
  EXPECT_EQ(priv->input["VPC"]["VPCId"], "vpc-1");

  auto list = parse("GET", "/2013-04-01/hostedzone", "", "");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->operation, "ListHostedZones");
  auto get = parse("GET", "/2013-04-01/hostedzone/Z1", "", "");
  ASSERT_TRUE(get.ok());
  EXPECT_EQ(get->operation, "GetHostedZone");
  auto del = parse("DELETE", "/2013-04-01/hostedzone/Z1", "", "");
  ASSERT_TRUE(del.ok());
  EXPECT_EQ(del->operation, "DeleteHostedZone");
}

TEST_F(RestXmlTest, PercentDecodesUriLabels) {
  auto r = parse("GET", "/2013-04-01/hostedzone/%2Fhostedzone%2FZ1/rrset", "", "");
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(r->input["HostedZoneId"], "/hostedzone/Z1");
  EXPECT_FALSE(parse("GET", "/2013-04-01/hostedzone/%zz/rrset", "", "").ok());
}

TEST_F(RestXmlTest, UnknownRoutesAreUnimplemented) {
  for (auto [method, path] :
       std::vector<std::pair<const char*, const char*>>{{"GET", "/"},
                                                        {"GET", "/2013-04-01/nothing"},
                                                        {"PUT", "/2013-04-01/hostedzone"},
                                                        {"POST", "/2013-04-01/hostedzone/Z1/rrset/extra"},
                                                        {"GET", "/2012-12-12/hostedzone"}}) {
    auto r = parse(method, path, "", "");
    ASSERT_FALSE(r.ok()) << method << " " << path;
    EXPECT_EQ(r.status().code(), Code::kUnimplemented) << method << " " << path;
    AwsError e = errorFromStatus(r.status(), Protocol::kRestXml);
    EXPECT_EQ(e.http_status, 404);
    EXPECT_EQ(e.code, "UnknownOperationException");
  }
  auto op = findRestXmlOperation(*model_, "GET", "/2013-04-01/hostedzonecount", "");
  ASSERT_TRUE(op.ok());
  EXPECT_EQ((*op)->name, "GetHostedZoneCount");
}

TEST_F(RestXmlTest, RejectsBadBodiesWithInvalidInput) {
  const std::string path = "/2013-04-01/hostedzone/Z1/rrset/";
  auto with = [](std::string inner) {
    return "<ChangeResourceRecordSetsRequest xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\">" +
           inner + "</ChangeResourceRecordSetsRequest>";
  };
  auto rr = [](std::string rrset_inner) {
    return "<ChangeBatch><Changes><Change><Action>CREATE</Action><ResourceRecordSet>" + rrset_inner +
           "</ResourceRecordSet></Change></Changes></ChangeBatch>";
  };
  struct Case {
    std::string body;
    std::string needle;
  };
  const std::vector<Case> cases = {
      {with(rr("<Name>a.</Name><Type>A</Type><TTL>abc</TTL>")),
       "Value 'abc' at 'changeBatch.changes.1.member.resourceRecordSet.tTL' is not a valid long"},
      {with(rr("<Name>a.</Name><Type>A</Type><TTL>300</TTL><TTL>60</TTL>")), "must not be repeated"},
      {with(rr("<Name>a.</Name><TTL>300</TTL>")),
       "Value null at 'changeBatch.changes.1.member.resourceRecordSet.type' failed to satisfy constraint: "
       "Member "
       "must not be null"},
      {with("<ChangeBatch><Comment>x</Comment></ChangeBatch>"), "Value null at 'changeBatch.changes'"},
      {with(""), "Value null at 'changeBatch'"},
      {"", "Value null at 'changeBatch'"},
      {"<ChangeResourceRecordSetsRequest><ChangeBatch>", "Invalid XML"},
      {"<CreateHostedZoneRequest xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"/>",
       "expected root element <ChangeResourceRecordSetsRequest>"},
      {with(rr("<Name>a.</Name><Type>A</Type><TTL>1</TTL><ResourceRecords><ResourceRecord><Value><b/></Value>"
               "</ResourceRecord></ResourceRecords>")),
       "must be text"},
  };
  for (const Case& c : cases) {
    auto r = parse("POST", path, "", c.body);
    ASSERT_FALSE(r.ok()) << c.body;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << c.body;
    EXPECT_NE(r.status().message().find(c.needle), std::string::npos) << r.status().message();
    AwsError e = errorFromStatus(r.status(), Protocol::kRestXml);
    EXPECT_EQ(e.code, "InvalidInput");
    EXPECT_EQ(e.http_status, 400);
  }
}

TEST_F(RestXmlTest, IgnoresUnknownElementsAndNeverExpandsEntities) {
  const std::string body =
      "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY boom \"BOOM\">]>"
      "<ChangeResourceRecordSetsRequest "
      "xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><Future>1</Future>"
      "<ChangeBatch><Changes><Change><Action>DELETE</Action><ResourceRecordSet><Name>a.</Name><Type>TXT</"
      "Type>"
      "<TTL>1</TTL><ResourceRecords><ResourceRecord><Value>&boom;</Value></ResourceRecord></ResourceRecords>"
      "</ResourceRecordSet></Change></Changes></ChangeBatch></ChangeResourceRecordSetsRequest>";
  auto r = parse("POST", "/2013-04-01/hostedzone/Z1/rrset/", "", body);
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(r->input["ChangeBatch"]["Changes"][0]["ResourceRecordSet"]["ResourceRecords"][0]["Value"],
            "&boom;");
  EXPECT_FALSE(r->input.contains("Future"));
}

json getHostedZoneOutput() {
  return {{"HostedZone",
           {{"Id", "/hostedzone/Z123"},
            {"Name", "example.test."},
            {"CallerReference", "ref-1"},
            {"Config", {{"PrivateZone", false}, {"Comment", "a <b> & \"c\""}}},
            {"ResourceRecordSetCount", 2}}},
          {"DelegationSet", {{"NameServers", json::array({"ns1.example.test", "ns2.example.test"})}}}};
}

TEST_F(RestXmlTest, SerializesGetHostedZoneInModelOrder) {
  ResponseHeaders h;
  auto body = serializeRestXmlResponse(*model_, "GetHostedZone", getHostedZoneOutput(), "req-1", h);
  ASSERT_TRUE(body.ok()) << body.status().toString();
  EXPECT_EQ(h.status, 200);
  ASSERT_NE(h.find("x-amzn-requestid"), nullptr);
  EXPECT_EQ(*h.find("X-Amzn-RequestId"), "req-1");
  EXPECT_EQ(*h.find("content-type"), "text/xml");
  EXPECT_EQ(*body,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<GetHostedZoneResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><HostedZone>"
            "<Id>/hostedzone/Z123</Id><Name>example.test.</Name><CallerReference>ref-1</CallerReference>"
            "<Config><Comment>a &lt;b&gt; &amp; \"c\"</Comment><PrivateZone>false</PrivateZone></Config>"
            "<ResourceRecordSetCount>2</ResourceRecordSetCount></HostedZone><DelegationSet><NameServers>"
            "<NameServer>ns1.example.test</NameServer><NameServer>ns2.example.test</NameServer></NameServers>"
            "</DelegationSet></GetHostedZoneResponse>");
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(body->c_str()));
  EXPECT_STREQ(doc.document_element().attribute("xmlns").value(), kNs);
  EXPECT_STREQ(doc.select_node("/GetHostedZoneResponse/HostedZone/Config/PrivateZone").node().child_value(),
               "false");
}

TEST_F(RestXmlTest, SerializesListResourceRecordSetsAndTimestamps) {
  json out = {
      {"MaxItems", "1"},
      {"NextRecordName", "b.example.test."},
      {"NextRecordType", "TXT"},
      {"IsTruncated", true},
      {"ResourceRecordSets", json::array({{{"Name", "a.example.test."},
                                           {"Type", "TXT"},
                                           {"TTL", 10},
                                           {"ResourceRecords", json::array({{{"Value", "\"v\""}}})}}})}};
  ResponseHeaders h;
  auto body = serializeRestXmlResponse(*model_, "ListResourceRecordSets", out, "r", h);
  ASSERT_TRUE(body.ok()) << body.status().toString();
  const std::string& b = *body;
  // Model order: ResourceRecordSets, IsTruncated, NextRecordName, NextRecordType, MaxItems.
  const size_t p1 = b.find("<ResourceRecordSets>"), p2 = b.find("<IsTruncated>true</IsTruncated>"),
               p3 = b.find("<NextRecordName>b.example.test.</NextRecordName>"),
               p4 = b.find("<NextRecordType>TXT</NextRecordType>"), p5 = b.find("<MaxItems>1</MaxItems>");
  ASSERT_NE(p5, std::string::npos) << b;
  EXPECT_TRUE(p1 < p2 && p2 < p3 && p3 < p4 && p4 < p5) << b;
  EXPECT_NE(
      b.find("<ResourceRecordSet><Name>a.example.test.</Name><Type>TXT</Type><TTL>10</TTL><ResourceRecords>"
             "<ResourceRecord><Value>\"v\"</Value></ResourceRecord></ResourceRecords>"
             "</ResourceRecordSet>"),
      std::string::npos)
      << b;

  json empty = {{"ResourceRecordSets", json::array()}, {"IsTruncated", false}, {"MaxItems", "300"}};
  auto e = serializeRestXmlResponse(*model_, "ListResourceRecordSets", empty, "r", h);
  ASSERT_TRUE(e.ok());
  EXPECT_NE(e->find("<ResourceRecordSets/><IsTruncated>false</IsTruncated>"), std::string::npos) << *e;

  json change = {{"ChangeInfo", {{"Id", "/change/C1"}, {"Status", "INSYNC"}, {"SubmittedAt", 1704164645}}}};
  auto c = serializeRestXmlResponse(*model_, "ChangeResourceRecordSets", change, "r", h);
  ASSERT_TRUE(c.ok());
  EXPECT_NE(c->find("<SubmittedAt>2024-01-02T03:04:05.000Z</SubmittedAt>"), std::string::npos) << *c;
  change["ChangeInfo"]["SubmittedAt"] = "2024-01-02T03:04:05.25Z";
  c = serializeRestXmlResponse(*model_, "GetChange", change, "r", h);
  ASSERT_TRUE(c.ok());
  EXPECT_NE(c->find("<GetChangeResponse xmlns="), std::string::npos) << *c;
  EXPECT_NE(c->find("<SubmittedAt>2024-01-02T03:04:05.250Z</SubmittedAt>"), std::string::npos) << *c;
}

TEST_F(RestXmlTest, CreateHostedZoneIs201WithLocationHeader) {
  json out = getHostedZoneOutput();
  out["ChangeInfo"] = {{"Id", "/change/C1"}, {"Status", "INSYNC"}, {"SubmittedAt", 1704164645}};
  out["Location"] = "https://route53.amazonaws.com/2013-04-01/hostedzone/Z123";
  ResponseHeaders h;
  auto body = serializeRestXmlResponse(*model_, "CreateHostedZone", out, "r", h);
  ASSERT_TRUE(body.ok()) << body.status().toString();
  EXPECT_EQ(h.status, 201);
  ASSERT_NE(h.find("location"), nullptr);
  EXPECT_EQ(*h.find("Location"), "https://route53.amazonaws.com/2013-04-01/hostedzone/Z123");
  EXPECT_EQ(body->find("<Location>"), std::string::npos);
  EXPECT_NE(body->find("<CreateHostedZoneResponse xmlns="), std::string::npos);
}

TEST_F(RestXmlTest, OutputBugsAreInternalErrors) {
  ResponseHeaders h;
  auto unknown = serializeRestXmlResponse(*model_, "GetChange", json{{"Nope", 1}}, "r", h);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), Code::kInternal);
  auto wrong = serializeRestXmlResponse(
      *model_, "GetChange", json{{"ChangeInfo", {{"Id", "C"}, {"Status", "INSYNC"}, {"SubmittedAt", true}}}},
      "r", h);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), Code::kInternal);
  auto list_not_array = serializeRestXmlResponse(*model_, "GetHostedZone",
                                                 json{{"DelegationSet", {{"NameServers", "ns1"}}}}, "r", h);
  EXPECT_FALSE(list_not_array.ok());
  EXPECT_FALSE(serializeRestXmlResponse(*model_, "NoSuchOp", json::object(), "r", h).ok());
}

TEST_F(RestXmlTest, ErrorBodies) {
  ResponseHeaders h;
  std::string body = serializeRestXmlError(
      *model_, modeledError(*model_, "NoSuchHostedZone", "No hosted zone found with ID: Z123"), "rid", h);
  EXPECT_EQ(h.status, 404);
  EXPECT_EQ(*h.find("x-amzn-RequestId"), "rid");
  EXPECT_EQ(
      body,
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<ErrorResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><Error><Type>Sender</Type>"
      "<Code>NoSuchHostedZone</Code><Message>No hosted zone found with ID: Z123</Message></Error>"
      "<RequestId>rid</RequestId></ErrorResponse>");

  AwsError icb =
      invalidChangeBatch({"Tried to create resource record set [name='a.', type='A'] but it already "
                          "exists",
                          "second <problem>"});
  body = serializeRestXmlError(*model_, icb, "rid", h);
  EXPECT_EQ(h.status, 400);
  EXPECT_NE(
      body.find("<Code>InvalidChangeBatch</Code><Message>[Tried to create resource record set [name='a.', "
                "type='A'] but it already exists, second &lt;problem&gt;]</Message>"),
      std::string::npos)
      << body;

  body = serializeInvalidChangeBatchXml(*model_, icb, "rid", h);
  EXPECT_EQ(h.status, 400);
  EXPECT_EQ(
      body,
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<InvalidChangeBatch xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><Messages>"
      "<Message>Tried to create resource record set [name='a.', type='A'] but it already exists</Message>"
      "<Message>second &lt;problem&gt;</Message></Messages><RequestId>rid</RequestId></InvalidChangeBatch>");
}

// ---- botocore reads what we write ----

TEST_F(RestXmlTest, BotocoreParsesOurGetHostedZoneAndListResourceRecordSets) {
  ResponseHeaders h;
  auto body = serializeRestXmlResponse(*model_, "GetHostedZone", getHostedZoneOutput(), "req-42", h);
  ASSERT_TRUE(body.ok());
  auto parsed = testing::botocoreParse("route53", "GetHostedZone", h, *body);
  if (!parsed) GTEST_SKIP() << "python3 with botocore not available";
  ASSERT_FALSE(parsed->contains("__error__")) << (*parsed)["__error__"];
  EXPECT_EQ((*parsed)["ResponseMetadata"]["RequestId"], "req-42");
  EXPECT_EQ((*parsed)["HostedZone"]["Id"], "/hostedzone/Z123");
  EXPECT_EQ((*parsed)["HostedZone"]["Config"]["PrivateZone"], false);
  EXPECT_EQ((*parsed)["HostedZone"]["Config"]["Comment"], "a <b> & \"c\"");
  EXPECT_EQ((*parsed)["HostedZone"]["ResourceRecordSetCount"], 2);
  EXPECT_EQ((*parsed)["DelegationSet"]["NameServers"], json::array({"ns1.example.test", "ns2.example.test"}));

  json out = {
      {"ResourceRecordSets",
       json::array({{{"Name", "a.example.test."},
                     {"Type", "TXT"},
                     {"TTL", 10},
                     {"ResourceRecords", json::array({{{"Value", "\"v1\""}}, {{"Value", "\"v2\""}}})}}})},
      {"IsTruncated", true},
      {"NextRecordName", "b.example.test."},
      {"NextRecordType", "A"},
      {"MaxItems", "1"}};
  body = serializeRestXmlResponse(*model_, "ListResourceRecordSets", out, "req-43", h);
  ASSERT_TRUE(body.ok());
  parsed = testing::botocoreParse("route53", "ListResourceRecordSets", h, *body);
  ASSERT_TRUE(parsed && !parsed->contains("__error__")) << parsed->dump();
  EXPECT_EQ((*parsed)["IsTruncated"], true);
  EXPECT_EQ((*parsed)["NextRecordName"], "b.example.test.");
  EXPECT_EQ((*parsed)["MaxItems"], "1");
  EXPECT_EQ((*parsed)["ResourceRecordSets"][0]["ResourceRecords"][1]["Value"], "\"v2\"");
  EXPECT_EQ((*parsed)["ResourceRecordSets"][0]["TTL"], 10);
}

TEST_F(RestXmlTest, BotocoreParsesChangeInfoLocationAndErrors) {
  json out = getHostedZoneOutput();
  out["ChangeInfo"] = {{"Id", "/change/C1"}, {"Status", "PENDING"}, {"SubmittedAt", 1704164645.5}};
  out["Location"] = "https://route53.amazonaws.com/2013-04-01/hostedzone/Z123";
  ResponseHeaders h;
  auto body = serializeRestXmlResponse(*model_, "CreateHostedZone", out, "req-1", h);
  ASSERT_TRUE(body.ok());
  auto parsed = testing::botocoreParse("route53", "CreateHostedZone", h, *body);
  if (!parsed) GTEST_SKIP() << "python3 with botocore not available";
  ASSERT_FALSE(parsed->contains("__error__")) << (*parsed)["__error__"];
  EXPECT_EQ((*parsed)["Location"], "https://route53.amazonaws.com/2013-04-01/hostedzone/Z123");
  EXPECT_EQ((*parsed)["ChangeInfo"]["Status"], "PENDING");
  EXPECT_EQ((*parsed)["ChangeInfo"]["SubmittedAt"], "2024-01-02T03:04:05.500Z");
  EXPECT_EQ((*parsed)["ResponseMetadata"]["HTTPStatusCode"], 201);

  std::string err =
      serializeRestXmlError(*model_, modeledError(*model_, "NoSuchHostedZone", "No hosted zone"), "req-2", h);
  parsed = testing::botocoreParse("route53", "GetHostedZone", h, err);
  ASSERT_TRUE(parsed && !parsed->contains("__error__")) << parsed->dump();
  EXPECT_EQ((*parsed)["Error"]["Code"], "NoSuchHostedZone");
  EXPECT_EQ((*parsed)["Error"]["Message"], "No hosted zone");
  EXPECT_EQ((*parsed)["ResponseMetadata"]["RequestId"], "req-2");

  err = serializeRestXmlError(*model_, invalidChangeBatch({"m1", "m2"}), "req-3", h);
  parsed = testing::botocoreParse("route53", "ChangeResourceRecordSets", h, err);
  ASSERT_TRUE(parsed && !parsed->contains("__error__")) << parsed->dump();
  EXPECT_EQ((*parsed)["Error"]["Code"], "InvalidChangeBatch");
  EXPECT_EQ((*parsed)["Error"]["Message"], "[m1, m2]");
}

}  // namespace
}  // namespace zk::aws
