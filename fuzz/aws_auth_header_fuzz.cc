// Fuzzes the SigV4 Authorization header parser and the verifier's handling of hostile headers/queries.
// zk-fuzz-libs: zk_aws zk_base
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "aws/auth_header.h"
#include "aws/sigv4.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  // 1. The parser alone, with and without a date header.
  auto parsed = zk::aws::parseAuthorizationHeader(input, size % 2 == 0);
  if (parsed.ok()) {
    (void)parsed->credential.scope();
    if (parsed->signature.empty()) __builtin_trap();  // a parsed header always has a signature
  }
  (void)zk::aws::parseCredentialScope(input);
  (void)zk::aws::splitSignedHeaders(input);

  // 2. Canonicalization of the same bytes as a path and as a query.
  (void)zk::aws::canonicalUri(input);
  (void)zk::aws::canonicalQueryString(input, true);
  (void)zk::aws::parseAmzDate(input);
  (void)zk::aws::parseHttpDate(input);

  // 3. The whole verifier, with the input as Authorization header, then as a presigned query string.
  // The lookup knows one key, so inputs that name it reach the signature comparison. The path is not one
  // of the suite's, so no signature in the corpus is valid for it.
  const zk::aws::CredentialLookup lookup = [](std::string_view akid) -> zk::Result<zk::aws::Credential> {
    if (akid != "AKIDEXAMPLE") return zk::notFound("unknown");
    zk::aws::Credential c;
    c.access_key_id = "AKIDEXAMPLE";
    c.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    return c;
  };
  zk::aws::VerifyOptions opts;
  opts.now = zk::aws::parseAmzDate("20150830T123600Z").value();
  const std::string value(input);
  zk::aws::SignedRequest header_req{
      "GET",
      "/fuzz",
      "",
      {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}, {"Authorization", value}},
      ""};
  auto r1 = zk::aws::verify(header_req, lookup, opts);
  if (r1.ok()) __builtin_trap();  // forging a signature from fuzz input would be a bug
  (void)r1.error().detailedMessage();

  zk::aws::SignedRequest query_req{"GET", "/", input, {{"Host", "example.amazonaws.com"}}, ""};
  auto r2 = zk::aws::verify(query_req, lookup, opts);
  if (!r2.ok()) (void)r2.status();
  return 0;
}
