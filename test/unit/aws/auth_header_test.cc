// Authorization header parser: accepted shapes, AWS's IncompleteSignature texts, and garbage input.
#include "aws/auth_header.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace zk::aws {
namespace {

constexpr std::string_view kSuiteHeader =
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
    "SignedHeaders=host;x-amz-date, "
    "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";

TEST(AuthHeaderTest, ParsesSuiteHeader) {
  auto h = parseAuthorizationHeader(kSuiteHeader);
  ASSERT_TRUE(h.ok()) << h.status().toString();
  EXPECT_EQ(h->algorithm, "AWS4-HMAC-SHA256");
  EXPECT_EQ(h->credential.access_key_id, "AKIDEXAMPLE");
  EXPECT_EQ(h->credential.date, "20150830");
  EXPECT_EQ(h->credential.region, "us-east-1");
  EXPECT_EQ(h->credential.service, "service");
  EXPECT_EQ(h->credential.terminator, "aws4_request");
  EXPECT_EQ(h->credential.scope(), "20150830/us-east-1/service/aws4_request");
  EXPECT_EQ(h->signed_headers, (std::vector<std::string>{"host", "x-amz-date"}));
  EXPECT_EQ(h->signature, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST(AuthHeaderTest, AcceptsSeparatorVariantsAndOrder) {
  // No space after commas (S3 style), other order, surrounding whitespace, tabs.
  for (std::string_view v : {
           "AWS4-HMAC-SHA256 "
           "Credential=AK/20240101/us-east-1/route53/aws4_request,SignedHeaders=host;x-amz-date,"
           "Signature=abc",
           "  AWS4-HMAC-SHA256\tSignature=abc, SignedHeaders=host;x-amz-date,  "
           "Credential=AK/20240101/us-east-1/route53/aws4_request  ",
           "AWS4-HMAC-SHA256 Credential=AK/20240101/us-east-1/route53/aws4_request "
           "SignedHeaders=host;x-amz-date "
           "Signature=abc",
       }) {
    auto h = parseAuthorizationHeader(v);
    ASSERT_TRUE(h.ok()) << v << ": " << h.status().toString();
    EXPECT_EQ(h->credential.access_key_id, "AK");
    EXPECT_EQ(h->credential.service, "route53");
    EXPECT_EQ(h->signature, "abc");
    EXPECT_EQ(h->signed_headers.size(), 2u);
  }
}

TEST(AuthHeaderTest, SignedHeadersAreLowercasedAndEmptyDropped) {
  auto h = parseAuthorizationHeader(
      "AWS4-HMAC-SHA256 Credential=A/20240101/r/s/aws4_request, SignedHeaders=Host;;X-Amz-Date;, "
      "Signature=x");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->signed_headers, (std::vector<std::string>{"host", "x-amz-date"}));
  EXPECT_EQ(splitSignedHeaders(""), std::vector<std::string>{});
  EXPECT_EQ(splitSignedHeaders("content-type;host"), (std::vector<std::string>{"content-type", "host"}));
}

TEST(AuthHeaderTest, JoinSignedHeadersInvertsSplit) {
  EXPECT_EQ(joinSignedHeaders(std::vector<std::string>{}), "");
  EXPECT_EQ(joinSignedHeaders(std::vector<std::string>{"host"}), "host");
  const std::vector<std::string> names = {"content-type", "host", "x-amz-date"};
  EXPECT_EQ(joinSignedHeaders(names), "content-type;host;x-amz-date");
  EXPECT_EQ(splitSignedHeaders(joinSignedHeaders(names)), names);
}

TEST(AuthHeaderTest, ScopeTextAndHelpers) {
  EXPECT_EQ(credentialScopeText("20240101", "us-east-1", "route53", "aws4_request"),
            "20240101/us-east-1/route53/aws4_request");
  EXPECT_EQ(credentialScopeText("", "", "", ""), "///");
  EXPECT_EQ(joinFields('\n', {"a", "", "b"}), "a\n\nb");
  EXPECT_EQ(joinFields('/', {""}), "");
  EXPECT_EQ(joinFields('/', {}), "");
  auto scope = parseCredentialScope("AKID/20150830/eu-west-1/sts/aws4_request");
  ASSERT_TRUE(scope.ok());
  EXPECT_EQ(scope->access_key_id, "AKID");
  EXPECT_EQ(scope->scope(), "20150830/eu-west-1/sts/aws4_request");
  EXPECT_EQ(trimSpaceTab(" \t a b\t "), "a b");
  EXPECT_EQ(trimSpaceTab(" \t"), "");
  EXPECT_EQ(asciiLowercase("X-Amz-Date\xC3\x89"), "x-amz-date\xC3\x89");
}

TEST(AuthHeaderTest, UnknownComponentsIgnoredAlgorithmKept) {
  auto h = parseAuthorizationHeader(
      "AWS4-HMAC-SHA512 Credential=A/20240101/r/s/aws4_request, Foo=bar, SignedHeaders=host, Signature=x");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->algorithm, "AWS4-HMAC-SHA512");  // rejected later by the verifier, with AWS's text
}

TEST(AuthHeaderTest, MissingParametersUseAwsText) {
  auto h = parseAuthorizationHeader("AWS4-HMAC-SHA256");
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(h.status().message(),
            "Authorization header requires 'Credential' parameter. "
            "Authorization header requires 'Signature' parameter. "
            "Authorization header requires 'SignedHeaders' parameter. "
            "Authorization=AWS4-HMAC-SHA256");

  auto no_sig = parseAuthorizationHeader(
      "AWS4-HMAC-SHA256 Credential=A/20240101/r/s/aws4_request, SignedHeaders=host, Signature=");
  ASSERT_FALSE(no_sig.ok());
  EXPECT_EQ(no_sig.status().message(),
            "Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 "
            "Credential=A/20240101/r/s/aws4_request, SignedHeaders=host, Signature=");
}

TEST(AuthHeaderTest, MissingDateJoinsTheList) {
  auto h = parseAuthorizationHeader("AWS4-HMAC-SHA256 Credential=A/20240101/r/s/aws4_request", false);
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.status().message(),
            "Authorization header requires 'Signature' parameter. "
            "Authorization header requires 'SignedHeaders' parameter. "
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
            "Authorization=AWS4-HMAC-SHA256 Credential=A/20240101/r/s/aws4_request");
  auto complete = parseAuthorizationHeader(kSuiteHeader, false);
  ASSERT_FALSE(complete.ok());
  EXPECT_EQ(complete.status().message().rfind("Authorization header requires existence of either", 0), 0u);
}

TEST(AuthHeaderTest, MissingEqualSign) {
  auto h = parseAuthorizationHeader("AWS4-HMAC-SHA256 Signature=b,    Credential,    SignedHeaders");
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.status().message(),
            "'Credential' not a valid key=value pair (missing equal-sign) in Authorization header: "
            "'AWS4-HMAC-SHA256 Signature=b,    Credential,    SignedHeaders'.");
}

TEST(AuthHeaderTest, CredentialMustHaveFiveParts) {
  auto h = parseAuthorizationHeader("AWS4-HMAC-SHA256 Credential=a/b/c/d, SignedHeaders=host, Signature=x");
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.status().message(),
            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, "
            "got 'a/b/c/d'");
  EXPECT_FALSE(parseCredentialScope("a/b/c/d/e/f").ok());
  EXPECT_FALSE(parseCredentialScope("").ok());
  auto empty_parts = parseCredentialScope("////");
  ASSERT_TRUE(empty_parts.ok());  // five (empty) parts; the verifier reports each one
  EXPECT_EQ(empty_parts->region, "");
}

TEST(AuthHeaderTest, DuplicateParameterRejected) {
  auto h = parseAuthorizationHeader(
      "AWS4-HMAC-SHA256 Credential=A/20240101/r/s/aws4_request, Signature=x, SignedHeaders=host, "
      "Signature=y");
  ASSERT_FALSE(h.ok());
  EXPECT_NE(h.status().message().find("duplicate 'Signature'"), std::string::npos);
}

TEST(AuthHeaderTest, PrintableForMessage) {
  EXPECT_EQ(printableForMessage("ok"), "ok");
  EXPECT_EQ(printableForMessage(std::string("a\nb\0c\x7f\xff", 7)), "a?b?c??");
  EXPECT_EQ(printableForMessage(std::string(600, 'x'), 10), "xxxxxxxxxx...");
}

TEST(AuthHeaderTest, EchoedInputIsSanitizedAndBounded) {
  std::string evil = "AWS4-HMAC-SHA256 Credential=\n<x>" + std::string(5000, 'A');
  auto h = parseAuthorizationHeader(evil);
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.status().message().find('\n'), std::string::npos);
  EXPECT_LT(h.status().message().size(), 1200u);
}

TEST(AuthHeaderTest, RandomBytesNeverCrash) {
  std::mt19937 rng(12345);
  std::string alphabet = "AWS4-HMAC-SHA256 Credential=/,;=SignedHeaders Signature \t\x01\xff";
  for (int i = 0; i < 20000; ++i) {
    std::string s(rng() % 120, '\0');
    for (char& c : s)
      c = (rng() % 4 == 0) ? static_cast<char>(rng() % 256) : alphabet[rng() % alphabet.size()];
    auto h = parseAuthorizationHeader(s, rng() % 2);
    if (h.ok()) {
      EXPECT_FALSE(h->signature.empty());
    } else {
      EXPECT_EQ(h.status().code(), Code::kInvalidArgument);
    }
  }
}

}  // namespace
}  // namespace zk::aws
