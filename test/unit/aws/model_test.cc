// Tests for the embedded botocore models, validation, timestamps and the AWS error table.
#include "aws/model.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "aws/aws_error.h"
#include "aws/timestamp.h"

namespace zk::aws {
namespace {

using nlohmann::json;

std::shared_ptr<const ServiceModel> load(std::string_view service) {
  auto m = ServiceModel::loadEmbedded(service);
  EXPECT_TRUE(m.ok()) << m.status().toString();
  return m.ok() ? *m : nullptr;
}

TEST(ModelTest, EmbedsTheFourServices) {
  auto names = embeddedModelNames();
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()),
            (std::set<std::string>{"route53", "acm", "sts", "iam"}));
  EXPECT_TRUE(embeddedModelJson("s3").empty());
  EXPECT_FALSE(ServiceModel::loadEmbedded("s3").ok());
}

TEST(ModelTest, MetadataAndProtocols) {
  auto r53 = load("route53");
  auto acm = load("acm");
  auto sts = load("sts");
  auto iam = load("iam");
  ASSERT_TRUE(r53 && acm && sts && iam);
  EXPECT_EQ(r53->protocol(), Protocol::kRestXml);
  EXPECT_EQ(r53->metadata().api_version, "2013-04-01");
  // Route 53 has no metadata.xmlNamespace; it comes from the input references.
  EXPECT_EQ(r53->metadata().xml_namespace, "https://route53.amazonaws.com/doc/2013-04-01/");
  EXPECT_EQ(acm->protocol(), Protocol::kJson);
  EXPECT_EQ(acm->metadata().target_prefix, "CertificateManager");
  EXPECT_EQ(acm->metadata().json_version, "1.1");
  EXPECT_EQ(sts->protocol(), Protocol::kQuery);
  EXPECT_EQ(sts->metadata().xml_namespace, "https://sts.amazonaws.com/doc/2011-06-15/");
  EXPECT_EQ(iam->metadata().xml_namespace, "https://iam.amazonaws.com/doc/2010-05-08/");
  EXPECT_EQ(iam->metadata().signing_name, "iam");
}

TEST(ModelTest, EmbeddedModelsMatchInstalledBotocoreFiles) {
  // The embedded copy drops documentation only: operations and shapes equal the on-disk model.
  const std::string dir = "/usr/lib/python3/dist-packages/botocore/data/";
  const std::pair<const char*, const char*> kFiles[] = {{"route53", "route53/2013-04-01/service-2.json"},
                                                        {"acm", "acm/2015-12-08/service-2.json"},
                                                        {"sts", "sts/2011-06-15/service-2.json"},
                                                        {"iam", "iam/2010-05-08/service-2.json"}};
  int compared = 0;
  for (const auto& [service, rel] : kFiles) {
    std::ifstream f(dir + rel);
    if (!f) continue;
    std::stringstream ss;
    ss << f.rdbuf();
    auto disk = ServiceModel::parse(ss.str());
    ASSERT_TRUE(disk.ok()) << disk.status().toString();
    auto emb = load(service);
    ASSERT_TRUE(emb);
    EXPECT_EQ((*disk)->operations().size(), emb->operations().size()) << service;
    EXPECT_EQ((*disk)->shapeCount(), emb->shapeCount()) << service;
    for (const auto& op : (*disk)->operations()) {
      const Operation* e = emb->findOperation(op->name);
      ASSERT_NE(e, nullptr) << op->name;
      EXPECT_EQ(e->request_uri, op->request_uri);
      EXPECT_EQ(e->http_method, op->http_method);
    }
    ++compared;
  }
  if (compared == 0) GTEST_SKIP() << "python3-botocore data not installed";
}

TEST(ModelTest, Route53OperationsAndShapes) {
  auto m = load("route53");
  ASSERT_TRUE(m);
  const Operation* crrs = m->findOperation("ChangeResourceRecordSets");
  ASSERT_NE(crrs, nullptr);
  EXPECT_EQ(crrs->http_method, "POST");
  EXPECT_EQ(crrs->request_uri, "/2013-04-01/hostedzone/{Id}/rrset/");
  ASSERT_EQ(crrs->path_segments.size(), 4u);
  EXPECT_TRUE(crrs->path_segments[2].is_label);
  EXPECT_EQ(crrs->path_segments[2].text, "Id");
  ASSERT_TRUE(crrs->input.has_value());
  EXPECT_EQ(crrs->input->location_name, "ChangeResourceRecordSetsRequest");
  EXPECT_EQ(crrs->input->xml_namespace_uri, "https://route53.amazonaws.com/doc/2013-04-01/");
  EXPECT_EQ(crrs->response_code, 200);
  bool lists_invalid_change_batch = false;
  for (const Shape* e : crrs->errors) lists_invalid_change_batch |= e->name == "InvalidChangeBatch";
  EXPECT_TRUE(lists_invalid_change_batch);

  const Operation* chz = m->findOperation("CreateHostedZone");
  ASSERT_NE(chz, nullptr);
  EXPECT_EQ(chz->response_code, 201);
  const Member* loc = chz->output->shape->findMember("Location");
  ASSERT_NE(loc, nullptr);
  EXPECT_EQ(loc->ref.location, Location::kHeader);
  EXPECT_EQ(loc->ref.location_name, "Location");

  const Shape* rrs = m->findShape("ResourceRecordSet");
  ASSERT_NE(rrs, nullptr);
  ASSERT_GE(rrs->members.size(), 3u);
  EXPECT_EQ(rrs->members[0].name, "Name");  // model order kept
  EXPECT_EQ(rrs->members[1].name, "Type");
  EXPECT_TRUE(rrs->members[0].required);
  const Member* records = rrs->findMember("ResourceRecords");
  ASSERT_NE(records, nullptr);
  EXPECT_EQ(records->ref.shape->type, ShapeType::kList);
  EXPECT_EQ(records->ref.shape->member.location_name, "ResourceRecord");
  const Member* ttl = rrs->findMember("TTL");
  ASSERT_NE(ttl, nullptr);
  EXPECT_EQ(ttl->ref.shape->type, ShapeType::kLong);
  EXPECT_EQ(ttl->ref.shape->max, 2147483647.0);
  const Shape* rrtype = m->findShape("RRType");
  ASSERT_NE(rrtype, nullptr);
  EXPECT_NE(std::find(rrtype->enum_values.begin(), rrtype->enum_values.end(), "TXT"),
            rrtype->enum_values.end());

  const Shape* nshz = m->findErrorShape("NoSuchHostedZone");
  ASSERT_NE(nshz, nullptr);
  ASSERT_TRUE(nshz->error.has_value());
  EXPECT_EQ(nshz->error->http_status, 404);
}

TEST(ModelTest, RestXmlRoutesAreUnambiguousWithOrWithoutTrailingSlash) {
  // Accepting ".../rrset" and ".../rrset/" alike must not make two Route 53 operations collide.
  auto m = load("route53");
  ASSERT_TRUE(m);
  std::set<std::string> seen;
  for (const auto& op : m->operations()) {
    std::string key = op->http_method;
    for (const auto& s : op->path_segments) key += "/" + (s.is_label ? std::string("{}") : s.text);
    for (const auto& [k, v] : op->fixed_query) key += "?" + k + "=" + v;
    EXPECT_TRUE(seen.insert(key).second) << "route collision: " << op->name << " " << key;
  }
}

TEST(ModelTest, QueryOutputsHaveResultWrappersAndErrorTraits) {
  auto sts = load("sts");
  auto iam = load("iam");
  ASSERT_TRUE(sts && iam);
  const Operation* gci = sts->findOperation("GetCallerIdentity");
  ASSERT_NE(gci, nullptr);
  ASSERT_TRUE(gci->output.has_value());
  EXPECT_EQ(gci->output->result_wrapper, "GetCallerIdentityResult");
  const Shape* nse = iam->findErrorShape("NoSuchEntity");  // by error code
  ASSERT_NE(nse, nullptr);
  EXPECT_EQ(nse->name, "NoSuchEntityException");
  EXPECT_EQ(nse->error->http_status, 404);
  EXPECT_EQ(iam->findErrorShape("NoSuchEntityException"), nse);  // by shape name
  const Shape* tags = iam->findShape("summaryMapType");
  ASSERT_NE(tags, nullptr);
  EXPECT_EQ(tags->type, ShapeType::kMap);
  EXPECT_NE(tags->key.shape, nullptr);
  EXPECT_NE(tags->value.shape, nullptr);
}

TEST(ModelTest, RejectsBrokenModels) {
  EXPECT_FALSE(ServiceModel::parse("").ok());
  EXPECT_FALSE(ServiceModel::parse("[1,2]").ok());
  EXPECT_FALSE(
      ServiceModel::parse(R"({"metadata":{"protocol":"rest-json"},"shapes":{},"operations":{}})").ok());
  // A member pointing at a shape that does not exist.
  EXPECT_FALSE(ServiceModel::parse(R"({"metadata":{"protocol":"json"},"operations":{},
      "shapes":{"A":{"type":"structure","members":{"x":{"shape":"Missing"}}}}})")
                   .ok());
  EXPECT_FALSE(ServiceModel::parse(R"({"metadata":{"protocol":"json"},"operations":{},
      "shapes":{"A":{"type":"weird"}}})")
                   .ok());
}

TEST(ModelTest, ValidateReportsAwsStyleMessages) {
  auto m = load("route53");
  ASSERT_TRUE(m);
  const ShapeRef& in = *m->findOperation("ChangeResourceRecordSets")->input;
  json ok = {{"HostedZoneId", "Z1"},
             {"ChangeBatch",
              {{"Changes", json::array({{{"Action", "UPSERT"},
                                         {"ResourceRecordSet",
                                          {{"Name", "a.example."},
                                           {"Type", "TXT"},
                                           {"TTL", 60},
                                           {"ResourceRecords", json::array({{{"Value", "\"x\""}}})}}}}})}}}};
  EXPECT_TRUE(m->validate(in, ok).isOk()) << m->validate(in, ok).toString();

  json missing = ok;
  missing.erase("ChangeBatch");
  Status s = m->validate(in, missing);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "1 validation error detected: Value null at 'changeBatch' failed to satisfy constraint: "
            "Member must not be null");

  json bad = ok;
  auto& rrset = bad["ChangeBatch"]["Changes"][0]["ResourceRecordSet"];
  rrset["Type"] = "BOGUS";
  rrset["TTL"] = -1;
  bad["ChangeBatch"]["Changes"][0]["Action"] = "REPLACE";
  s = m->validate(in, bad);
  EXPECT_NE(s.message().find("3 validation errors detected"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("Value 'REPLACE' at 'changeBatch.changes.1.member.action' failed to satisfy "
                             "constraint: Member must satisfy enum value set: [CREATE, DELETE, UPSERT]"),
            std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("at 'changeBatch.changes.1.member.resourceRecordSet.tTL' failed to satisfy "
                             "constraint: Member must have value greater than or equal to 0"),
            std::string::npos)
      << s.message();

  json empty_changes = ok;
  empty_changes["ChangeBatch"]["Changes"] = json::array();
  s = m->validate(in, empty_changes);
  EXPECT_NE(s.message().find("Member must have length greater than or equal to 1"), std::string::npos);

  json long_id = ok;
  long_id["HostedZoneId"] = std::string(40, 'Z');
  s = m->validate(in, long_id);
  EXPECT_NE(
      s.message().find("at 'hostedZoneId' failed to satisfy constraint: Member must have length less than "
                       "or equal to 32"),
      std::string::npos)
      << s.message();
}

TEST(ModelTest, ScalarFromTextChecksTypes) {
  auto m = load("route53");
  ASSERT_TRUE(m);
  const Shape* rrs = m->findShape("ResourceRecordSet");
  const ShapeRef& ttl = rrs->findMember("TTL")->ref;
  auto v = scalarFromText(ttl, " 300\n", TimestampFormat::kIso8601, "tTL");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, json(300));
  EXPECT_FALSE(scalarFromText(ttl, "30x", TimestampFormat::kIso8601, "tTL").ok());
  EXPECT_FALSE(scalarFromText(ttl, "", TimestampFormat::kIso8601, "tTL").ok());
  EXPECT_FALSE(scalarFromText(ttl, "99999999999999999999", TimestampFormat::kIso8601, "tTL").ok());
  const ShapeRef& name = rrs->findMember("Name")->ref;
  EXPECT_FALSE(scalarFromText(name, "\xC3\x28", TimestampFormat::kIso8601, "name").ok());  // bad UTF-8
  EXPECT_TRUE(scalarFromText(name, "\xC3\xA9.example.", TimestampFormat::kIso8601, "name").ok());
}

TEST(ModelTest, Base64AndUtf8Checks) {
  size_t n = 0;
  EXPECT_TRUE(isBase64("aGVsbG8=", &n));
  EXPECT_EQ(n, 5u);
  EXPECT_TRUE(isBase64("aGVsbG8", &n));
  EXPECT_EQ(n, 5u);
  EXPECT_TRUE(isBase64(""));
  EXPECT_FALSE(isBase64("a"));
  EXPECT_FALSE(isBase64("aGV*bG8="));
  EXPECT_FALSE(isBase64("aGVsbG8=="));
  EXPECT_TRUE(isValidUtf8("plain \xE2\x82\xAC \xF0\x9F\x98\x80"));
  EXPECT_FALSE(isValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(isValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(isValidUtf8("\xF4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_EQ(validationName("TTL"), "tTL");
}

TEST(TimestampTest, Iso8601) {
  auto t = parseIso8601("2024-01-02T03:04:05Z");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, 1704164645000);
  EXPECT_EQ(*parseIso8601("2024-01-02T03:04:05.123456Z"), 1704164645123);
  EXPECT_EQ(*parseIso8601("2024-01-02T04:04:05.5+01:00"), 1704164645500);
  EXPECT_EQ(*parseIso8601("2024-01-02t03:04:05z"), 1704164645000);
  EXPECT_EQ(*parseIso8601("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*parseIso8601("1969-12-31T23:59:59.999Z"), -1);
  for (const char* bad : {"", "2024-01-02", "2024-01-02T03:04:05", "2024-13-02T03:04:05Z",
                          "2023-02-29T00:00:00Z", "2024-01-02T24:00:00Z", "2024-01-02T03:04:05.Z",
                          "2024-01-02T03:04:05Zjunk", "2024-01-02 03:04:05Z"}) {
    EXPECT_FALSE(parseIso8601(bad).ok()) << bad;
  }
  EXPECT_TRUE(parseIso8601("2024-02-29T00:00:00Z").ok());
  EXPECT_EQ(formatIso8601(1704164645000), "2024-01-02T03:04:05.000Z");
  EXPECT_EQ(formatIso8601(1704164645123, false), "2024-01-02T03:04:05Z");
  EXPECT_EQ(formatIso8601(-1), "1969-12-31T23:59:59.999Z");
}

TEST(TimestampTest, Rfc822AndEpoch) {
  EXPECT_EQ(formatRfc822(1704164645000), "Tue, 02 Jan 2024 03:04:05 GMT");
  EXPECT_EQ(*parseRfc822("Tue, 02 Jan 2024 03:04:05 GMT"), 1704164645000);
  EXPECT_EQ(formatRfc822(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_FALSE(parseRfc822("Tue, 02 Foo 2024 03:04:05 GMT").ok());
  EXPECT_FALSE(parseRfc822("Tue, 02 Jan 2024 03:04:05 UTC").ok());
  EXPECT_EQ(*parseEpochSeconds("1704164645.5"), 1704164645500);
  EXPECT_FALSE(parseEpochSeconds("1e9").ok());
  EXPECT_EQ(formatEpochSeconds(1704164645500), "1704164645.5");
  EXPECT_EQ(formatEpochSeconds(1704164645000), "1704164645");
  EXPECT_EQ(timestampToJson(1704164645000), json(1704164645));
  EXPECT_EQ(timestampToJson(1704164645250), json(1704164645.25));
  EXPECT_EQ(*timestampFromJson(json(1704164645.25)), 1704164645250);
  EXPECT_EQ(*timestampFromJson(json("2024-01-02T03:04:05Z")), 1704164645000);
  EXPECT_FALSE(timestampFromJson(json(true)).ok());
}

TEST(AwsErrorTest, TableAndModeledErrors) {
  AwsError e = errorFromStatus(invalidArgument("bad"), Protocol::kRestXml);
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(e.code, "InvalidInput");
  EXPECT_EQ(e.type, "Sender");
  EXPECT_EQ(e.message, "bad");
  EXPECT_EQ(errorFromStatus(invalidArgument("x"), Protocol::kJson).code, "ValidationException");
  EXPECT_EQ(errorFromStatus(invalidArgument("x"), Protocol::kQuery).code, "ValidationError");
  EXPECT_EQ(errorFromStatus(unimplemented("x"), Protocol::kRestXml).http_status, 404);
  EXPECT_EQ(errorFromStatus(unimplemented("x"), Protocol::kJson).code, "UnknownOperationException");
  EXPECT_EQ(errorFromStatus(unimplemented("x"), Protocol::kQuery).code, "InvalidAction");
  AwsError internal = errorFromStatus(internalError("boom"), Protocol::kQuery);
  EXPECT_EQ(internal.http_status, 500);
  EXPECT_EQ(internal.type, "Receiver");
  EXPECT_EQ(errorFromStatus(unavailable("x"), Protocol::kJson).http_status, 503);
  // Every non-ok code has a row (none falls through to the 500 default by accident).
  for (Code c : {Code::kInvalidArgument, Code::kNotFound, Code::kAlreadyExists, Code::kFailedPrecondition,
                 Code::kPermissionDenied, Code::kUnauthenticated, Code::kResourceExhausted, Code::kOutOfRange,
                 Code::kUnimplemented, Code::kUnavailable}) {
    for (Protocol p : {Protocol::kRestXml, Protocol::kJson, Protocol::kQuery}) {
      AwsError x = errorFromStatus(Status(c, "m"), p);
      EXPECT_NE(x.code, "InternalFailure") << codeName(c);
      EXPECT_LT(x.http_status, 600);
    }
  }

  auto r53 = load("route53");
  auto iam = load("iam");
  ASSERT_TRUE(r53 && iam);
  AwsError nz = modeledError(*r53, "NoSuchHostedZone", "No hosted zone found with ID: Z123");
  EXPECT_EQ(nz.http_status, 404);
  EXPECT_EQ(nz.code, "NoSuchHostedZone");
  AwsError ne = modeledError(*iam, "NoSuchEntityException", "no role");
  EXPECT_EQ(ne.code, "NoSuchEntity");
  EXPECT_EQ(ne.http_status, 404);
  AwsError sf = modeledError(*iam, "ServiceFailureException", "oops");
  EXPECT_EQ(sf.http_status, 500);
  EXPECT_EQ(sf.type, "Receiver");
  EXPECT_EQ(modeledError(*r53, "NoSuchThing", "x").http_status, 500);

  AwsError icb = invalidChangeBatch({"a", "b"});
  EXPECT_EQ(icb.code, "InvalidChangeBatch");
  EXPECT_EQ(icb.message, "[a, b]");
  EXPECT_EQ(icb.messages.size(), 2u);
}

}  // namespace
}  // namespace zk::aws
