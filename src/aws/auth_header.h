// Parser for the SigV4 Authorization header and the credential scope (untrusted bytes; fuzzed).
#pragma once

#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace zk::aws {

// "AKID/20150830/us-east-1/route53/aws4_request", split. No field is validated beyond the count of five
// (the verifier checks date/region/service/terminator against the request, with AWS's messages).
struct CredentialScope {
  std::string access_key_id;
  std::string date;  // YYYYMMDD
  std::string region;
  std::string service;
  std::string terminator;  // "aws4_request"

  // "date/region/service/terminator": the scope line of the string to sign.
  std::string scope() const;
};

// "date/region/service/terminator" (SigV4 step 2, the credential scope):
// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
std::string credentialScopeText(std::string_view date, std::string_view region, std::string_view service,
                                std::string_view terminator);

// Authorization: AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/service/aws4_request,
//                SignedHeaders=host;x-amz-date, Signature=<64 hex>
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-authentication-methods.html
struct AuthorizationHeader {
  std::string algorithm;  // as sent; the verifier rejects anything but AWS4-HMAC-SHA256
  CredentialScope credential;
  std::vector<std::string> signed_headers;  // lowercased, in the order sent
  std::string signature;                    // as sent (normally 64 lowercase hex)
};

// Parses the header value. Accepts the components separated by commas and/or spaces/tabs, in any order;
// unknown key=value components are ignored. Never reads out of bounds whatever the bytes (fuzzed).
// Errors are kInvalidArgument whose message is the text AWS returns with IncompleteSignature, e.g.
//   "Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 ..."
//   "'Credential' not a valid key=value pair (missing equal-sign) in Authorization header: '...'."
//   "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '...'"
// `has_date_header` = the request carries X-Amz-Date or Date; when false, AWS's sentence about the missing
// date joins the list of missing parameters (and is an error on its own).
Result<AuthorizationHeader> parseAuthorizationHeader(std::string_view value, bool has_date_header = true);

// Splits a credential ("X-Amz-Credential" value or the Credential= component) into its five parts.
Result<CredentialScope> parseCredentialScope(std::string_view credential);

// Splits "host;x-amz-date" into lowercased names; empty names are dropped.
std::vector<std::string> splitSignedHeaders(std::string_view list);
// The inverse: names joined with ';', as sent in SignedHeaders and the canonical request.
std::string joinSignedHeaders(std::span<const std::string> names);

// Text helpers shared with the SigV4 verifier and signer.
// `fields` joined with `separator`: the scope ('/'), the canonical request and string to sign ('\n').
std::string joinFields(char separator, std::initializer_list<std::string_view> fields);
// `value` without leading and trailing spaces and tabs.
std::string_view trimSpaceTab(std::string_view value);
// ASCII-only lowercase (header names; never locale-dependent).
std::string asciiLowercase(std::string_view s);

// The value with bytes outside printable ASCII replaced by '?', cut to `max_len` (with "..."): for echoing
// client input back in error messages.
std::string printableForMessage(std::string_view value, size_t max_len = 512);

}  // namespace zk::aws
