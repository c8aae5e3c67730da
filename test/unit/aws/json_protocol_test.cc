// Tests for the JSON 1.1 codec (ACM) with requests recorded from the aws CLI and boto3.
#include "aws/json_protocol.h"

#include <gtest/gtest.h>

#include "botocore_oracle.h"

namespace zk::aws {
namespace {

using nlohmann::json;

constexpr char kArn[] = "arn:aws:acm:us-east-1:123456789012:certificate/ff25c138-e849-4cfa-96bd-f8604d9a3534";

class JsonProtocolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto m = ServiceModel::loadEmbedded("acm");
    ASSERT_TRUE(m.ok()) << m.status().toString();
    model_ = *m;
  }
  std::shared_ptr<const ServiceModel> model_;
};

TEST_F(JsonProtocolTest, ParsesRecordedRequests) {
  // awscli-v1-runbook trace #4.
  auto r = parseJsonRequest(*model_, "CertificateManager.RequestCertificate", R"({
 "DomainName": "r17955947892146.example.test",
 "ValidationMethod": "DNS",
 "SubjectAlternativeNames": [
  "*.r17955947892146.example.test"
 ]
})");
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(r->operation, "RequestCertificate");
  EXPECT_EQ(r->input, (json{{"DomainName", "r17955947892146.example.test"},
                            {"ValidationMethod", "DNS"},
                            {"SubjectAlternativeNames", json::array({"*.r17955947892146.example.test"})}}));

  auto d = parseJsonRequest(*model_, "CertificateManager.DescribeCertificate",
                            std::string(R"({"CertificateArn": ")") + kArn + "\"}");
  ASSERT_TRUE(d.ok()) << d.status().toString();
  EXPECT_EQ(d->operation, "DescribeCertificate");
  EXPECT_EQ(d->input, (json{{"CertificateArn", kArn}}));

  // Unknown keys are ignored, null means absent, an empty body is {}.
  auto l = parseJsonRequest(*model_, "CertificateManager.ListCertificates",
                            R"({"MaxItems": 10, "NextToken": null, "FutureField": {"x": 1}})");
  ASSERT_TRUE(l.ok()) << l.status().toString();
  EXPECT_EQ(l->input, (json{{"MaxItems", 10}}));
  auto empty = parseJsonRequest(*model_, "CertificateManager.ListCertificates", "");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->input, json::object());
}

TEST_F(JsonProtocolTest, UnknownTargetsAreUnimplemented) {
  for (const char* target : {"", "CertificateManager.Nope", "Other.RequestCertificate", "RequestCertificate",
                             "CertificateManager."}) {
    auto r = parseJsonRequest(*model_, target, "{}");
    ASSERT_FALSE(r.ok()) << target;
    EXPECT_EQ(r.status().code(), Code::kUnimplemented) << target;
    AwsError e = errorFromStatus(r.status(), Protocol::kJson);
    EXPECT_EQ(e.code, "UnknownOperationException");
    EXPECT_EQ(e.http_status, 400);
  }
}

TEST_F(JsonProtocolTest, RejectsBadInputWithValidationException) {
  struct Case {
    const char* target;
    std::string body;
    const char* needle;
  };
  const std::vector<Case> cases = {
      {"RequestCertificate", R"({"DomainName": 5})", "Value at 'domainName' must be a string"},
      {"RequestCertificate", R"({"DomainName": "a.example", "SubjectAlternativeNames": "b.example"})",
       "'subjectAlternativeNames' must be a list"},
      {"RequestCertificate", R"({"ValidationMethod": "DNS"})",
       "Value null at 'domainName' failed to satisfy constraint: Member must not be null"},
      {"RequestCertificate", R"({"DomainName": "a.example", "ValidationMethod": "CARRIER_PIGEON"})",
       "Member must satisfy enum value set"},
      {"RequestCertificate", R"({"DomainName": "a.example", "Options": []})",
       "'options' must be a structure"},
      {"ListCertificates", R"({"MaxItems": 1.5})", "'maxItems' must be an integer"},
      {"ListCertificates", R"({"MaxItems": 4294967296})", "32-bit integer"},
      {"ListCertificates", R"({"MaxItems": 0})", "Member must have value greater than or equal to 1"},
      {"ImportCertificate", R"({"Certificate": "not base64!", "PrivateKey": "QQ=="})", "base64"},
      {"ImportCertificate", R"({"Certificate": "QQ=="})", "Value null at 'privateKey'"},
      {"RequestCertificate", "{\"DomainName\": ", "not valid JSON"},
      {"RequestCertificate", "[1]", "must be a JSON object"},
      {"RequestCertificate", "{\"DomainName\": \"\xC3\x28\"}", "not valid JSON"},
      {"RequestCertificate", std::string(100, '[') + std::string(100, ']'), "nested too deeply"},
  };
  for (const Case& c : cases) {
    auto r = parseJsonRequest(*model_, std::string("CertificateManager.") + c.target, c.body);
    ASSERT_FALSE(r.ok()) << c.body;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << c.body;
    EXPECT_NE(r.status().message().find(c.needle), std::string::npos)
        << c.body << " -> " << r.status().message();
    EXPECT_EQ(errorFromStatus(r.status(), Protocol::kJson).code, "ValidationException");
  }
}

json describeOutput() {
  return {
      {"Certificate",
       {{"CertificateArn", kArn},
        {"DomainName", "r17955947892146.example.test"},
        {"SubjectAlternativeNames",
         json::array({"r17955947892146.example.test", "*.r17955947892146.example.test"})},
        {"Status", "ISSUED"},
        {"Type", "AMAZON_ISSUED"},
        {"KeyAlgorithm", "RSA_2048"},
        {"InUseBy", json::array()},
        {"NotBefore", 1795594793},
        {"NotAfter", "2027-11-25T08:19:53Z"},
        {"CreatedAt", 1795594793.25},
        {"DomainValidationOptions",
         json::array({{{"DomainName", "r17955947892146.example.test"},
                       {"ValidationDomain", "r17955947892146.example.test"},
                       {"ValidationStatus", "SUCCESS"},
                       {"ValidationMethod", "DNS"},
                       {"ResourceRecord",
                        {{"Name", "_d930b28be6c5927595552b219965053e.r17955947892146.example.test."},
                         {"Type", "CNAME"},
                         {"Value", "_c9edd76ee4a0e2a74388032f3861cc50.ykybfrwcxw.acm-validations.aws."}}}}})},
        {"Options", {{"CertificateTransparencyLoggingPreference", "ENABLED"}}}}}};
}

TEST_F(JsonProtocolTest, SerializesDescribeCertificate) {
  ResponseHeaders h;
  auto body = serializeJsonResponse(*model_, "DescribeCertificate", describeOutput(), "req-7", h);
  ASSERT_TRUE(body.ok()) << body.status().toString();
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(*h.find("content-type"), "application/x-amz-json-1.1");
  EXPECT_EQ(*h.find("x-amzn-requestid"), "req-7");
  json doc = json::parse(*body);
  const json& c = doc["Certificate"];
  EXPECT_EQ(c["NotBefore"], 1795594793);
  EXPECT_EQ(c["NotAfter"], 1827130793);  // ISO string in, epoch seconds out
  EXPECT_EQ(c["CreatedAt"], 1795594793.25);
  EXPECT_EQ(c["DomainValidationOptions"][0]["ResourceRecord"]["Type"], "CNAME");
  EXPECT_EQ(c["InUseBy"], json::array());
  // Keys come out in model order: CertificateArn first, DomainName second.
  EXPECT_LT(body->find("\"CertificateArn\""), body->find("\"DomainName\""));
  EXPECT_LT(body->find("\"Status\""), body->find("\"NotBefore\""));

  ResponseHeaders h2;
  auto none = serializeJsonResponse(*model_, "DeleteCertificate", json::object(), "r", h2);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, "{}");

  auto bad =
      serializeJsonResponse(*model_, "DescribeCertificate", json{{"Certificate", {{"Bogus", 1}}}}, "r", h2);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kInternal);
  bad = serializeJsonResponse(*model_, "DescribeCertificate", json{{"Certificate", {{"NotAfter", "soon"}}}},
                              "r", h2);
  EXPECT_FALSE(bad.ok());
}

TEST_F(JsonProtocolTest, ErrorBody) {
  ResponseHeaders h;
  std::string body = serializeJsonError(
      *model_, modeledError(*model_, "ResourceNotFoundException", "Could not find certificate"), "rid", h);
  EXPECT_EQ(h.status, 400);
  EXPECT_EQ(*h.find("x-amzn-ErrorType"), "ResourceNotFoundException");
  EXPECT_EQ(*h.find("x-amzn-RequestId"), "rid");
  EXPECT_EQ(body, R"({"__type":"ResourceNotFoundException","message":"Could not find certificate"})");
}

TEST_F(JsonProtocolTest, BotocoreParsesOurResponses) {
  ResponseHeaders h;
  auto body = serializeJsonResponse(*model_, "DescribeCertificate", describeOutput(), "req-9", h);
  ASSERT_TRUE(body.ok());
  auto parsed = testing::botocoreParse("acm", "DescribeCertificate", h, *body);
  if (!parsed) GTEST_SKIP() << "python3 with botocore not available";
  ASSERT_FALSE(parsed->contains("__error__")) << (*parsed)["__error__"];
  const json& c = (*parsed)["Certificate"];
  EXPECT_EQ(c["CertificateArn"], kArn);
  EXPECT_EQ(c["NotAfter"], "2027-11-25T08:19:53.000Z");
  EXPECT_EQ(c["CreatedAt"], "2026-11-25T08:19:53.250Z");
  EXPECT_EQ(c["DomainValidationOptions"][0]["ResourceRecord"]["Name"],
            "_d930b28be6c5927595552b219965053e.r17955947892146.example.test.");
  EXPECT_EQ((*parsed)["ResponseMetadata"]["RequestId"], "req-9");

  std::string err =
      serializeJsonError(*model_, makeAwsError(400, "InvalidArnException", "bad arn"), "req-10", h);
  parsed = testing::botocoreParse("acm", "DescribeCertificate", h, err);
  ASSERT_TRUE(parsed && !parsed->contains("__error__")) << parsed->dump();
  EXPECT_EQ((*parsed)["Error"]["Code"], "InvalidArnException");
  EXPECT_EQ((*parsed)["Error"]["Message"], "bad arn");
  EXPECT_EQ((*parsed)["ResponseMetadata"]["RequestId"], "req-10");
}

}  // namespace
}  // namespace zk::aws
