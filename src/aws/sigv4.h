// AWS Signature Version 4: server-side verification over a plain request view, plus a signer for tools/tests.
#pragma once

#include <cassert>
#include <chrono>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "aws/auth_header.h"
#include "base/result.h"
#include "crypto/crypto.h"

namespace zk::aws {

// Spec: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
// Query-string form:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-authentication-methods.html Error texts:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-troubleshooting.html and
// https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html (codes and HTTP statuses).

inline constexpr std::string_view kSigV4Algorithm = "AWS4-HMAC-SHA256";
inline constexpr std::string_view kSigV4Terminator = "aws4_request";
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
inline constexpr std::chrono::seconds kMaxPresignExpiry{604800};  // 7 days

// A request as received, without any HTTP library type. All views must outlive the call using it.
struct SignedRequest {
  std::string_view method;
  std::string_view raw_path;   // as received, percent-encoded, without the query
  std::string_view raw_query;  // after '?', as received ("" when none)
  std::vector<std::pair<std::string, std::string>> headers;  // as received: any case, possibly repeated
  std::string_view body;
};

// What the credential store knows about an access key. Contains a secret: never log it.
struct Credential {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-term keys
  std::string account_id;
  std::string principal_arn;
  std::string user_id;
};

// Returns the credential for an access key id; kNotFound means "unknown key" (→ InvalidClientTokenId),
// kOutOfRange means expired temporary credentials (403 ExpiredToken); any other error becomes a 500
// InternalFailure. Called at most once per verify(), after the cheap checks.
using CredentialLookup = std::function<Result<Credential>(std::string_view access_key_id)>;

// Which wire protocol the error will be rendered in: it changes a few codes and texts the way AWS does
// (JSON services such as ACM answer InvalidSignatureException/UnrecognizedClientException, with HTTP 400).
enum class ErrorStyle { kRestXml, kQuery, kJson };

struct VerifyOptions {
  std::chrono::system_clock::time_point now;
  std::chrono::seconds max_skew{300};
  std::vector<std::string> allowed_regions;  // empty = any region
  std::string expected_service;              // e.g. "route53"; empty = any
  ErrorStyle style = ErrorStyle::kRestXml;
};

enum class AuthErrorKind {
  kMissingAuthenticationToken,  // no Authorization header and no X-Amz-Algorithm
  kIncompleteSignature,         // malformed header/parameters, unsupported algorithm, bad date format
  kInvalidClientTokenId,        // unknown access key, or security token missing/wrong/unexpected
  kSignatureDoesNotMatch,       // any mismatch: signature, scope, skew, unsigned host
  kExpired,                     // presigned URL past X-Amz-Date + X-Amz-Expires
  kExpiredToken,                // temporary credentials past their expiry (lookup answered kOutOfRange)
  kInvalidQueryParameters,      // bad X-Amz-Expires
  kContentSha256Mismatch,       // signed x-amz-content-sha256 differs from the body's hash
  kInternal,                    // credential lookup failed for another reason than NotFound
};

// Everything the HTTP edge needs to render AWS's error: status, code (already in the style of the
// protocol) and message. For a signature mismatch `canonical_request` and `string_to_sign` hold what we
// computed, as AWS shows them to help clients debug (detailedMessage()). They hold no secret but do echo
// request headers such as the session token: return them to the caller only, never log them.
struct AuthError {
  AuthErrorKind kind = AuthErrorKind::kSignatureDoesNotMatch;
  int http_status = 403;
  std::string code;
  std::string message;
  std::string canonical_request;
  std::string string_to_sign;

  // message + "\n\nThe Canonical String for this request should have been\n'...'\n\n
  // The String-to-Sign should have been\n'...'\n" when the two strings are known, else message.
  std::string detailedMessage() const;
  // kUnauthenticated/kInvalidArgument/kPermissionDenied/kInternal with "code: message".
  Status toStatus() const;
};

// Like Result<T>, but the error is an AuthError.
template <typename T>
class [[nodiscard]] AuthResult {
 public:
  AuthResult(T value) : v_(std::in_place_index<0>, std::move(value)) {}          // NOLINT: implicit by design
  AuthResult(AuthError error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  const T& operator*() const& { return value(); }
  const T* operator->() const { return &value(); }
  const AuthError& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }
  Status status() const { return ok() ? Status() : error().toStatus(); }

 private:
  std::variant<T, AuthError> v_;
};

struct VerifiedRequest {
  Credential credential;
  std::string region;
  std::string service;
  std::chrono::system_clock::time_point signed_at;
  bool presigned = false;
  bool unsigned_payload = false;            // x-amz-content-sha256: UNSIGNED-PAYLOAD
  std::vector<std::string> signed_headers;  // lowercased
};

// Verifies a request signed with an Authorization header or a presigned query string. Check order and
// texts follow what AWS services answer. The signature is compared in constant time. Thread-safe;
// nothing is logged. `lookup` is called once, only after the request passed the structural checks.
AuthResult<VerifiedRequest> verify(const SignedRequest& request, const CredentialLookup& lookup,
                                   const VerifyOptions& options);

// ---- Building blocks (shared by verify(), the signer and the golden tests) ----

// RFC 3986 unreserved characters (A-Z a-z 0-9 - _ . ~) stay, every other byte becomes %XX (uppercase).
std::string uriEncode(std::string_view s, bool encode_slash = true);
// %XX → byte; a '%' not followed by two hex digits stays literal. '+' stays '+'.
std::string percentDecode(std::string_view s);

struct QueryParam {
  std::string name;   // percent-decoded
  std::string value;  // percent-decoded ("" for "name" without '=')
};
std::vector<QueryParam> parseQuery(std::string_view raw_query);

// Canonical URI for every service but S3: remove "." and ".." segments and empty segments (RFC 3986
// §5.2.4), then URI-encode each segment of the path *as received*. A received path is already encoded,
// so this is the "double encoding" clients (botocore, Go, JS) apply when signing.
std::string canonicalUri(std::string_view raw_path);
// Sorted by encoded name then value; X-Amz-Signature left out when `presigned`.
std::string canonicalQueryString(std::string_view raw_query, bool presigned);
// Trims and collapses runs of spaces/tabs to one space.
std::string canonicalHeaderValue(std::string_view value);
// "name:v1,v2\n" for each signed name (lowercase), values of repeated headers joined in received order.
std::string canonicalHeaders(const std::vector<std::pair<std::string, std::string>>& headers,
                             std::span<const std::string> signed_headers);
// Method\nCanonicalURI\nCanonicalQuery\nCanonicalHeaders\nSignedHeaders\nPayloadHash
std::string canonicalRequest(const SignedRequest& request, std::span<const std::string> signed_headers,
                             std::string_view payload_hash, bool presigned);
std::string credentialScope(std::string_view date, std::string_view region, std::string_view service);
// AWS4-HMAC-SHA256\n<amz_date>\n<scope>\nhex(sha256(canonical_request))
std::string stringToSign(std::string_view amz_date, std::string_view scope,
                         std::string_view canonical_request);

// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").
// Wiped on destruction; never log it.
class SigningKey {
 public:
  explicit SigningKey(const crypto::Sha256Digest& key) : key_(key) {}
  SigningKey(const SigningKey&) = default;
  SigningKey& operator=(const SigningKey&) = default;
  ~SigningKey() { crypto::secureWipe(key_.data(), key_.size()); }
  std::span<const uint8_t> bytes() const { return key_; }

 private:
  crypto::Sha256Digest key_;
};
SigningKey deriveSigningKey(std::string_view secret_access_key, std::string_view date,
                            std::string_view region, std::string_view service);
// Lowercase hex HMAC-SHA256(signing_key, string_to_sign).
std::string computeSignature(const SigningKey& key, std::string_view string_to_sign);

// ISO 8601 basic format used by SigV4: "20150830T123600Z" (UTC, second precision).
std::string formatAmzDate(std::chrono::system_clock::time_point t);
std::optional<std::chrono::system_clock::time_point> parseAmzDate(std::string_view s);
// RFC 9110 IMF-fixdate, "Sun, 30 Aug 2015 12:36:00 GMT" (the Date header).
std::optional<std::chrono::system_clock::time_point> parseHttpDate(std::string_view s);

// ---- Signer (what a client does; used by tests, tools and benchmarks) ----

struct SignOptions {
  std::string region;
  std::string service;
  std::chrono::system_clock::time_point time;
  // Names to sign (any case). Empty = host, content-type, content-md5 and every x-amz-* header present.
  // host, x-amz-date and (when added) x-amz-security-token / x-amz-content-sha256 are always signed.
  std::vector<std::string> signed_headers;
  bool add_content_sha256 = false;  // send x-amz-content-sha256: <hex sha256(body)>
  bool unsigned_payload = false;    // send and sign x-amz-content-sha256: UNSIGNED-PAYLOAD
  // Neither set and the request already has x-amz-content-sha256: its value is the payload hash.
};

// The headers a client adds. Any X-Amz-Date, X-Amz-Security-Token, X-Amz-Content-Sha256 (when added)
// and Authorization already in the input request are ignored and replaced by these.
struct SignedHeaders {
  std::string authorization;
  std::string amz_date;
  std::string security_token;  // empty for long-term keys
  std::string content_sha256;  // empty unless requested
  std::string signed_headers;  // "host;x-amz-date"
  std::string canonical_request;
  std::string string_to_sign;
  std::vector<std::pair<std::string, std::string>> headers;  // X-Amz-Date, [X-Amz-Security-Token],
                                                             // [X-Amz-Content-Sha256], Authorization
};

// Fails (kInvalidArgument) when the request has no Host header or region/service is empty.
Result<SignedHeaders> sign(const SignedRequest& request, const Credential& credential,
                           const SignOptions& options);
Result<std::string> signAuthorization(const SignedRequest& request, const Credential& credential,
                                      const SignOptions& options);
// Presigned URL: returns the full query string to send (the request's raw_query followed by X-Amz-Algorithm,
// X-Amz-Credential, X-Amz-Date, X-Amz-Expires, [X-Amz-Security-Token], X-Amz-SignedHeaders,
// X-Amz-Signature). Signs host (plus options.signed_headers) and sha256(body) (or the request's own
// x-amz-content-sha256 header when it has one, as the verifier does). 1 s <= expires <= 7 days.
Result<std::string> presignQuery(const SignedRequest& request, const Credential& credential,
                                 const SignOptions& options, std::chrono::seconds expires);

}  // namespace zk::aws
