// SigV4 canonicalization, signing-key derivation, verification with AWS's error texts, and the signer.
#include "aws/sigv4.h"

#include <algorithm>
#include <cstdio>

#include "crypto/crypto.h"

namespace zk::aws {

using crypto::constantTimeEquals;
using crypto::hexEncode;
using crypto::hmacSha256;
using crypto::secureWipe;
using crypto::sha256;
using crypto::Sha256Digest;
using crypto::sha256Hex;

namespace {

using std::chrono::system_clock;

char asciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (asciiLower(a[i]) != asciiLower(b[i])) return false;
  }
  return true;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool isUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.' || c == '~';
}

// First header with this (case-insensitive) name.
const std::string* findHeader(const std::vector<std::pair<std::string, std::string>>& headers,
                              std::string_view name) {
  for (const auto& h : headers) {
    if (iequals(h.first, name)) return &h.second;
  }
  return nullptr;
}

const QueryParam* findParam(const std::vector<QueryParam>& params, std::string_view name) {
  for (const auto& p : params) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

bool isLowerHex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// "5 min." as AWS writes the allowed skew in its expiry messages.
std::string skewText(std::chrono::seconds skew) {
  if (skew.count() % 60 == 0) return std::to_string(skew.count() / 60) + " min.";
  return std::to_string(skew.count()) + " sec.";
}

std::string scopeDate(system_clock::time_point t) { return formatAmzDate(t).substr(0, 8); }

// Builds AuthErrors with the codes/statuses of one protocol style.
class Errors {
 public:
  explicit Errors(ErrorStyle style) : style_(style) {}

  AuthError missingToken() const {
    // Route 53 (REST) answers "Missing Authentication Token"; query/JSON services
    // "Request is missing Authentication Token". Status 403 per the common errors page; JSON services 400.
    if (style_ == ErrorStyle::kRestXml) {
      return make(AuthErrorKind::kMissingAuthenticationToken, 403, "MissingAuthenticationToken",
                  "Missing Authentication Token");
    }
    if (style_ == ErrorStyle::kQuery) {
      return make(AuthErrorKind::kMissingAuthenticationToken, 403, "MissingAuthenticationToken",
                  "Request is missing Authentication Token");
    }
    return make(AuthErrorKind::kMissingAuthenticationToken, 400, "MissingAuthenticationTokenException",
                "Request is missing Authentication Token");
  }
  AuthError incomplete(std::string message) const {
    return make(AuthErrorKind::kIncompleteSignature, 400,
                json() ? "IncompleteSignatureException" : "IncompleteSignature", std::move(message));
  }
  AuthError mismatch(std::string message, int status = 403) const {
    return make(AuthErrorKind::kSignatureDoesNotMatch, json() ? 400 : status,
                json() ? "InvalidSignatureException" : "SignatureDoesNotMatch", std::move(message));
  }
  AuthError invalidToken() const {
    return make(AuthErrorKind::kInvalidClientTokenId, json() ? 400 : 403,
                json() ? "UnrecognizedClientException" : "InvalidClientTokenId",
                "The security token included in the request is invalid.");
  }
  AuthError expired() const {
    return make(AuthErrorKind::kExpired, json() ? 400 : 403,
                json() ? "AccessDeniedException" : "AccessDenied", "Request has expired");
  }
  // Temporary credentials past their expiry (the lookup answered kOutOfRange).
  AuthError expiredToken() const {
    return make(AuthErrorKind::kExpiredToken, json() ? 400 : 403,
                json() ? "ExpiredTokenException" : "ExpiredToken",
                "The security token included in the request is expired");
  }
  AuthError badQuery(std::string message) const {
    return make(AuthErrorKind::kInvalidQueryParameters, 400, "AuthorizationQueryParametersError",
                std::move(message));
  }
  AuthError contentMismatch() const {
    return make(AuthErrorKind::kContentSha256Mismatch, 400, "XAmzContentSHA256Mismatch",
                "The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
  AuthError internal() const {
    return make(AuthErrorKind::kInternal, 500, "InternalFailure",
                "The request processing has failed because of an unknown error, exception or failure.");
  }

 private:
  bool json() const { return style_ == ErrorStyle::kJson; }
  static AuthError make(AuthErrorKind kind, int status, std::string code, std::string message) {
    AuthError e;
    e.kind = kind;
    e.http_status = status;
    e.code = std::move(code);
    e.message = std::move(message);
    return e;
  }
  ErrorStyle style_;
};

constexpr std::string_view kSignatureMismatchText =
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
    "Access Key and signing method. Consult the service documentation for details.";

constexpr std::string_view kDateFormatPrefix = "Date must be in ISO-8601 'basic format'. Got '";
constexpr std::string_view kDateFormatSuffix = "'. See http://en.wikipedia.org/wiki/ISO_8601";

// What both forms (header, query) reduce to before the common checks.
struct AuthInput {
  std::string algorithm;
  CredentialScope scope;
  std::vector<std::string> signed_headers;
  std::string signature;
  system_clock::time_point time;
  std::optional<std::chrono::seconds> expires;  // presigned only
  std::optional<std::string> security_token;
  bool presigned = false;
};

bool parseDigits(std::string_view s, size_t pos, size_t n, int* out) {
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

std::optional<system_clock::time_point> makeTime(int y, int mo, int d, int h, int mi, int s) {
  using namespace std::chrono;
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  // system_clock counts int64 nanoseconds (years 1677..2262): keep well inside to never overflow.
  if (y < 1900 || y > 2200 || !ymd.ok() || h > 23 || mi > 59 || s > 59) return std::nullopt;
  return system_clock::time_point(sys_days(ymd)) + hours(h) + minutes(mi) + seconds(s);
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------
// AuthError

std::string AuthError::detailedMessage() const {
  if (canonical_request.empty() && string_to_sign.empty()) return message;
  // The shape AWS uses when it shows what it computed (see the troubleshooting page).
  return message + "\n\nThe Canonical String for this request should have been\n'" + canonical_request +
         "'\n\nThe String-to-Sign should have been\n'" + string_to_sign + "'\n";
}

Status AuthError::toStatus() const {
  Code c = Code::kUnauthenticated;
  switch (kind) {
    case AuthErrorKind::kIncompleteSignature:
    case AuthErrorKind::kInvalidQueryParameters:
    case AuthErrorKind::kContentSha256Mismatch:
      c = Code::kInvalidArgument;
      break;
    case AuthErrorKind::kExpired:
      c = Code::kPermissionDenied;
      break;
    case AuthErrorKind::kInternal:
      c = Code::kInternal;
      break;
    default:
      break;
  }
  return Status(c, code + ": " + message);
}

// ---------------------------------------------------------------------------------------------------------
// Encoding and canonicalization (SigV4 step 1: canonical request)

std::string uriEncode(std::string_view s, bool encode_slash) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3 / 2 + 4);
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (isUnreserved(c) || (c == '/' && !encode_slash)) {
      out += ch;
    } else {
      out += '%';
      out += kDigits[c >> 4];
      out += kDigits[c & 0x0f];
    }
  }
  return out;
}

std::string percentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int hi = hexValue(s[i + 1]);
      int lo = hexValue(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi << 4 | lo);
        i += 2;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

std::vector<QueryParam> parseQuery(std::string_view raw_query) {
  std::vector<QueryParam> out;
  size_t start = 0;
  for (size_t i = 0; i <= raw_query.size(); ++i) {
    if (i == raw_query.size() || raw_query[i] == '&') {
      std::string_view piece = raw_query.substr(start, i - start);
      start = i + 1;
      if (piece.empty()) continue;
      size_t eq = piece.find('=');
      QueryParam p;
      if (eq == std::string_view::npos) {
        p.name = percentDecode(piece);
      } else {
        p.name = percentDecode(piece.substr(0, eq));
        p.value = percentDecode(piece.substr(eq + 1));
      }
      out.push_back(std::move(p));
    }
  }
  return out;
}

std::string canonicalUri(std::string_view raw_path) {
  // Normalize (RFC 3986 §5.2.4 dot-segment removal, empty segments dropped) on the path as received,
  // then encode each segment once more: the canonical URI of every service except S3.
  std::vector<std::string_view> kept;
  bool trailing_slash = false;
  size_t start = 0;
  for (size_t i = 0; i <= raw_path.size(); ++i) {
    if (i == raw_path.size() || raw_path[i] == '/') {
      std::string_view seg = raw_path.substr(start, i - start);
      start = i + 1;
      const bool last = i == raw_path.size();
      if (seg.empty()) {
        if (last) trailing_slash = true;
        continue;
      }
      if (seg == ".") {
        if (last) trailing_slash = true;
        continue;
      }
      if (seg == "..") {
        if (!kept.empty()) kept.pop_back();
        if (last) trailing_slash = true;
        continue;
      }
      kept.push_back(seg);
    }
  }
  std::string out = "/";
  for (size_t i = 0; i < kept.size(); ++i) {
    if (i > 0) out += '/';
    out += uriEncode(kept[i], true);
  }
  if (trailing_slash && !kept.empty()) out += '/';
  return out;
}

std::string canonicalQueryString(std::string_view raw_query, bool presigned) {
  std::vector<std::pair<std::string, std::string>> encoded;
  for (const QueryParam& p : parseQuery(raw_query)) {
    if (presigned && p.name == "X-Amz-Signature") continue;
    encoded.emplace_back(uriEncode(p.name, true), uriEncode(p.value, true));
  }
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (size_t i = 0; i < encoded.size(); ++i) {
    if (i > 0) out += '&';
    out += encoded[i].first;
    out += '=';
    out += encoded[i].second;
  }
  return out;
}

std::string canonicalHeaderValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  bool in_space = false;
  for (char c : trimSpaceTab(value)) {
    if (c == ' ' || c == '\t') {
      in_space = true;
      continue;
    }
    if (in_space) out += ' ';
    in_space = false;
    out += c;
  }
  return out;
}

std::string canonicalHeaders(const std::vector<std::pair<std::string, std::string>>& headers,
                             std::span<const std::string> signed_headers) {
  std::string out;
  for (const std::string& name : signed_headers) {
    out += name;
    out += ':';
    bool first = true;
    for (const auto& h : headers) {
      if (!iequals(h.first, name)) continue;
      if (!first) out += ',';
      out += canonicalHeaderValue(h.second);
      first = false;
    }
    out += '\n';
  }
  return out;
}

std::string canonicalRequest(const SignedRequest& request, std::span<const std::string> signed_headers,
                             std::string_view payload_hash, bool presigned) {
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html (step 1)
  return joinFields(
      '\n',
      {request.method, canonicalUri(request.raw_path), canonicalQueryString(request.raw_query, presigned),
       canonicalHeaders(request.headers, signed_headers), joinSignedHeaders(signed_headers), payload_hash});
}

std::string credentialScope(std::string_view date, std::string_view region, std::string_view service) {
  return credentialScopeText(date, region, service, kSigV4Terminator);
}

std::string stringToSign(std::string_view amz_date, std::string_view scope,
                         std::string_view canonical_request) {
  return joinFields('\n', {kSigV4Algorithm, amz_date, scope, sha256Hex(canonical_request)});
}

SigningKey deriveSigningKey(std::string_view secret_access_key, std::string_view date,
                            std::string_view region, std::string_view service) {
  std::string k_secret = "AWS4";
  k_secret += secret_access_key;
  Sha256Digest k_date = hmacSha256(k_secret, date);
  secureWipe(k_secret.data(), k_secret.size());
  Sha256Digest k_region = hmacSha256(k_date, region);
  Sha256Digest k_service = hmacSha256(k_region, service);
  SigningKey key(hmacSha256(k_service, kSigV4Terminator));
  secureWipe(k_date.data(), k_date.size());
  secureWipe(k_region.data(), k_region.size());
  secureWipe(k_service.data(), k_service.size());
  return key;
}

std::string computeSignature(const SigningKey& key, std::string_view string_to_sign) {
  Sha256Digest mac = hmacSha256(key.bytes(), string_to_sign);
  return hexEncode(mac);
}

// ---------------------------------------------------------------------------------------------------------
// Dates

std::string formatAmzDate(system_clock::time_point t) {
  using namespace std::chrono;
  auto secs = floor<seconds>(t);
  auto d = floor<days>(secs);
  year_month_day ymd{d};
  hh_mm_ss<seconds> hms{secs - d};
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04d%02u%02uT%02d%02d%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

std::optional<system_clock::time_point> parseAmzDate(std::string_view s) {
  // YYYYMMDD'T'HHMMSS'Z'
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return std::nullopt;
  int y, mo, d, h, mi, sec;
  if (!parseDigits(s, 0, 4, &y) || !parseDigits(s, 4, 2, &mo) || !parseDigits(s, 6, 2, &d) ||
      !parseDigits(s, 9, 2, &h) || !parseDigits(s, 11, 2, &mi) || !parseDigits(s, 13, 2, &sec)) {
    return std::nullopt;
  }
  return makeTime(y, mo, d, h, mi, sec);
}

std::optional<system_clock::time_point> parseHttpDate(std::string_view s) {
  // IMF-fixdate (RFC 9110 §5.6.7): "Sun, 06 Nov 1994 08:49:37 GMT" — exactly 29 characters.
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  s = trimSpaceTab(s);
  if (s.size() != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' ||
      s[19] != ':' || s[22] != ':' || s.substr(25) != " GMT") {
    return std::nullopt;
  }
  int d, y, h, mi, sec;
  if (!parseDigits(s, 5, 2, &d) || !parseDigits(s, 12, 4, &y) || !parseDigits(s, 17, 2, &h) ||
      !parseDigits(s, 20, 2, &mi) || !parseDigits(s, 23, 2, &sec)) {
    return std::nullopt;
  }
  std::string_view mon = s.substr(8, 3);
  int mo = 0;
  for (int i = 0; i < 12; ++i) {
    if (kMonths[i] == mon) mo = i + 1;
  }
  if (mo == 0) return std::nullopt;
  return makeTime(y, mo, d, h, mi, sec);
}

// ---------------------------------------------------------------------------------------------------------
// Verification

AuthResult<VerifiedRequest> verify(const SignedRequest& request, const CredentialLookup& lookup,
                                   const VerifyOptions& options) {
  const Errors err(options.style);

  const std::string* auth_header = nullptr;
  size_t auth_count = 0;
  for (const auto& h : request.headers) {
    if (iequals(h.first, "authorization")) {
      if (auth_header == nullptr) auth_header = &h.second;
      ++auth_count;
    }
  }
  const std::vector<QueryParam> params = parseQuery(request.raw_query);
  const bool query_auth = findParam(params, "X-Amz-Algorithm") != nullptr;

  // The order of the checks below is the order in which AWS services report problems.
  if (auth_header != nullptr && query_auth) {
    return err.mismatch(
        "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.", 400);
  }
  if (auth_header == nullptr && !query_auth) return err.missingToken();

  AuthInput in;
  if (auth_header != nullptr) {
    const std::string_view value = trimSpaceTab(*auth_header);
    if (value.substr(0, 5) != "AWS4-") return err.missingToken();
    if (auth_count > 1) return err.incomplete("Found multiple Authorization headers.");
    // X-Amz-Date wins over Date
    // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-signing-elements.html).
    const std::string* amz_date = findHeader(request.headers, "x-amz-date");
    const std::string* date = amz_date != nullptr ? amz_date : findHeader(request.headers, "date");
    auto parsed = parseAuthorizationHeader(value, date != nullptr);
    if (!parsed.ok()) return err.incomplete(parsed.status().message());
    std::string_view date_text = trimSpaceTab(*date);
    std::optional<system_clock::time_point> t = parseAmzDate(date_text);
    if (!t && amz_date == nullptr) t = parseHttpDate(date_text);
    if (!t) {
      return err.incomplete(std::string(kDateFormatPrefix) + printableForMessage(date_text, 64) +
                            std::string(kDateFormatSuffix));
    }
    in.algorithm = std::move(parsed->algorithm);
    in.scope = std::move(parsed->credential);
    in.signed_headers = std::move(parsed->signed_headers);
    in.signature = std::move(parsed->signature);
    in.time = *t;
    if (const std::string* token = findHeader(request.headers, "x-amz-security-token")) {
      in.security_token = std::string(trimSpaceTab(*token));
    }
  } else {
    // Presigned: https://docs.aws.amazon.com/STS/latest/APIReference/CommonParameters.html
    in.presigned = true;
    std::string missing;
    for (std::string_view name :
         {"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date"}) {
      const QueryParam* p = findParam(params, name);
      if (p == nullptr || (p->value.empty() && name != "X-Amz-SignedHeaders")) {
        missing += "AWS query-string parameters must include '" + std::string(name) + "'. ";
      }
    }
    if (!missing.empty()) return err.incomplete(missing + "Re-examine the query-string parameters.");
    auto scope = parseCredentialScope(findParam(params, "X-Amz-Credential")->value);
    if (!scope.ok()) return err.incomplete(scope.status().message());
    const std::string& date_text = findParam(params, "X-Amz-Date")->value;
    std::optional<system_clock::time_point> t = parseAmzDate(date_text);
    if (!t) {
      return err.incomplete(std::string(kDateFormatPrefix) + printableForMessage(date_text, 64) +
                            std::string(kDateFormatSuffix));
    }
    if (const QueryParam* e = findParam(params, "X-Amz-Expires")) {
      // S3's texts for a bad X-Amz-Expires (AuthorizationQueryParametersError).
      long long v = 0;
      bool numeric = !e->value.empty() && e->value.size() <= 12;
      for (char c : e->value) {
        if (c < '0' || c > '9') numeric = false;
      }
      if (!numeric) return err.badQuery("X-Amz-Expires should be a number");
      for (char c : e->value) v = v * 10 + (c - '0');
      if (v > kMaxPresignExpiry.count()) {
        return err.badQuery("X-Amz-Expires must be less than a week (in seconds) that is 604800");
      }
      in.expires = std::chrono::seconds(v);
    }
    in.algorithm = findParam(params, "X-Amz-Algorithm")->value;
    in.scope = std::move(*scope);
    in.signed_headers = splitSignedHeaders(findParam(params, "X-Amz-SignedHeaders")->value);
    in.signature = findParam(params, "X-Amz-Signature")->value;
    in.time = *t;
    if (const QueryParam* token = findParam(params, "X-Amz-Security-Token")) {
      in.security_token = token->value;
    } else if (const std::string* htoken = findHeader(request.headers, "x-amz-security-token")) {
      in.security_token = std::string(trimSpaceTab(*htoken));
    }
  }

  // Time: "Signature expired: <t> is now earlier than <now-skew> (<now> - 5 min.)" and the future case,
  // as worded by AWS; a presigned URL instead expires at X-Amz-Date + X-Amz-Expires (403 AccessDenied).
  const auto now = std::chrono::floor<std::chrono::seconds>(options.now);
  const auto earliest = now - options.max_skew;
  const auto latest = now + options.max_skew;
  if (in.time > latest) {
    return err.mismatch("Signature not yet current: " + formatAmzDate(in.time) + " is still later than " +
                        formatAmzDate(latest) + " (" + formatAmzDate(now) + " + " +
                        skewText(options.max_skew) + ")");
  }
  if (in.expires) {
    if (now > in.time + *in.expires) return err.expired();
  } else if (in.time < earliest) {
    return err.mismatch("Signature expired: " + formatAmzDate(in.time) + " is now earlier than " +
                        formatAmzDate(earliest) + " (" + formatAmzDate(now) + " - " +
                        skewText(options.max_skew) + ")");
  }

  if (std::find(in.signed_headers.begin(), in.signed_headers.end(), "host") == in.signed_headers.end()) {
    return err.mismatch("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }
  if (in.algorithm != kSigV4Algorithm) {
    return err.incomplete("Unsupported AWS 'algorithm': '" + printableForMessage(in.algorithm, 64) +
                          "' (only AWS4-HMAC-SHA256 for now). ");
  }

  // Credential scope: all problems in one message, as AWS does.
  std::string scope_errors;
  auto add = [&scope_errors](const std::string& s) {
    if (!scope_errors.empty()) scope_errors += ' ';
    scope_errors += s;
  };
  const bool region_ok =
      !in.scope.region.empty() && (options.allowed_regions.empty() ||
                                   std::find(options.allowed_regions.begin(), options.allowed_regions.end(),
                                             in.scope.region) != options.allowed_regions.end());
  if (!region_ok) {
    add("Credential should be scoped to a valid region, not '" + printableForMessage(in.scope.region, 64) +
        "'.");
  }
  if (!options.expected_service.empty() ? in.scope.service != options.expected_service
                                        : in.scope.service.empty()) {
    add("Credential should be scoped to correct service: '" +
        (options.expected_service.empty() ? std::string() : options.expected_service) + "'.");
  }
  if (in.scope.terminator != kSigV4Terminator) {
    add("Credential should be scoped with a valid terminator: 'aws4_request', not '" +
        printableForMessage(in.scope.terminator, 64) + "'.");
  }
  const std::string request_date = scopeDate(in.time);
  if (in.scope.date != request_date) {
    add("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" +
        printableForMessage(in.scope.date, 64) + "' != '" + request_date + "', from '" +
        formatAmzDate(in.time) + "'.");
  }
  if (!scope_errors.empty()) return err.mismatch(scope_errors);

  if (!lookup) return err.internal();
  Result<Credential> cred = lookup(in.scope.access_key_id);
  if (!cred.ok()) {
    if (cred.status().code() == Code::kNotFound) return err.invalidToken();
    if (cred.status().code() == Code::kOutOfRange) return err.expiredToken();
    return err.internal();
  }

  // Payload hash: the signed x-amz-content-sha256 when sent, else our own hash of the body (botocore and
  // Go send Route 53 bodies without that header).
  std::string payload_hash;
  const std::string* content_sha = findHeader(request.headers, "x-amz-content-sha256");
  if (content_sha != nullptr) {
    payload_hash = std::string(trimSpaceTab(*content_sha));
  } else {
    payload_hash = sha256Hex(request.body);
  }

  std::string canonical = canonicalRequest(request, in.signed_headers, payload_hash, in.presigned);
  std::string sts = stringToSign(formatAmzDate(in.time), in.scope.scope(), canonical);
  {
    const SigningKey key =
        deriveSigningKey(cred->secret_access_key, in.scope.date, in.scope.region, in.scope.service);
    std::string expected = computeSignature(key, sts);
    const bool match = constantTimeEquals(expected, in.signature);
    secureWipe(expected.data(), expected.size());
    if (!match) {
      AuthError e = err.mismatch(std::string(kSignatureMismatchText));
      e.canonical_request = std::move(canonical);
      e.string_to_sign = std::move(sts);
      return e;
    }
  }

  const bool unsigned_payload = payload_hash == kUnsignedPayload;
  if (content_sha != nullptr && !unsigned_payload) {
    const std::string actual = sha256Hex(request.body);
    const std::string given = asciiLowercase(payload_hash);
    if (!isLowerHex64(given) || given != actual) return err.contentMismatch();
  }

  // Temporary credentials need their token; a token sent with a long-term key is rejected too.
  const std::string& expected_token = cred->session_token;
  if (expected_token.empty()
          ? in.security_token.has_value()
          : (!in.security_token || !constantTimeEquals(*in.security_token, expected_token))) {
    return err.invalidToken();
  }

  VerifiedRequest out;
  out.credential = std::move(*cred);
  out.region = in.scope.region;
  out.service = in.scope.service;
  out.signed_at = in.time;
  out.presigned = in.presigned;
  out.unsigned_payload = unsigned_payload;
  out.signed_headers = std::move(in.signed_headers);
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Signer

namespace {

struct Prepared {
  std::vector<std::pair<std::string, std::string>> headers;  // request headers as they will be sent
  std::vector<std::string> signed_names;                     // lowercased, sorted, unique
  std::string payload_hash;
};

bool defaultSigned(std::string_view lower_name) {
  return lower_name == "host" || lower_name == "content-type" || lower_name == "content-md5" ||
         lower_name.substr(0, 6) == "x-amz-";
}

}  // namespace

Result<SignedHeaders> sign(const SignedRequest& request, const Credential& credential,
                           const SignOptions& options) {
  if (options.region.empty() || options.service.empty())
    return invalidArgument("sign: region and service required");
  if (findHeader(request.headers, "host") == nullptr)
    return invalidArgument("sign: request has no Host header");

  SignedHeaders out;
  out.amz_date = formatAmzDate(options.time);
  const bool add_sha = options.add_content_sha256 || options.unsigned_payload;
  // A caller-supplied x-amz-content-sha256 is what the verifier will use as the payload hash.
  const std::string* given_sha = findHeader(request.headers, "x-amz-content-sha256");
  std::string payload_hash = options.unsigned_payload             ? std::string(kUnsignedPayload)
                             : (given_sha != nullptr && !add_sha) ? std::string(trimSpaceTab(*given_sha))
                                                                  : sha256Hex(request.body);

  SignedRequest working;
  working.method = request.method;
  working.raw_path = request.raw_path;
  working.raw_query = request.raw_query;
  working.body = request.body;
  for (const auto& h : request.headers) {
    if (iequals(h.first, "authorization") || iequals(h.first, "x-amz-date") ||
        iequals(h.first, "x-amz-security-token") || (add_sha && iequals(h.first, "x-amz-content-sha256"))) {
      continue;
    }
    working.headers.push_back(h);
  }
  out.headers.emplace_back("X-Amz-Date", out.amz_date);
  if (!credential.session_token.empty()) {
    out.security_token = credential.session_token;
    out.headers.emplace_back("X-Amz-Security-Token", credential.session_token);
  }
  if (add_sha) {
    out.content_sha256 = payload_hash;
    out.headers.emplace_back("X-Amz-Content-Sha256", payload_hash);
  }
  for (const auto& h : out.headers) working.headers.push_back(h);

  std::vector<std::string> names;
  if (options.signed_headers.empty()) {
    for (const auto& h : working.headers) {
      std::string lower = asciiLowercase(h.first);
      if (defaultSigned(lower)) names.push_back(std::move(lower));
    }
  } else {
    for (const auto& n : options.signed_headers) names.push_back(asciiLowercase(n));
    names.push_back("host");
    for (const auto& h : out.headers) names.push_back(asciiLowercase(h.first));
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());

  out.canonical_request = canonicalRequest(working, names, payload_hash, false);
  const std::string scope = credentialScope(out.amz_date.substr(0, 8), options.region, options.service);
  out.string_to_sign = stringToSign(out.amz_date, scope, out.canonical_request);
  const SigningKey key = deriveSigningKey(credential.secret_access_key, out.amz_date.substr(0, 8),
                                          options.region, options.service);
  out.signed_headers = joinSignedHeaders(names);
  out.authorization = std::string(kSigV4Algorithm) + " Credential=" + credential.access_key_id + "/" + scope +
                      ", SignedHeaders=" + out.signed_headers +
                      ", Signature=" + computeSignature(key, out.string_to_sign);
  out.headers.emplace_back("Authorization", out.authorization);
  return out;
}

Result<std::string> signAuthorization(const SignedRequest& request, const Credential& credential,
                                      const SignOptions& options) {
  auto s = sign(request, credential, options);
  if (!s.ok()) return s.status();
  return std::move(s->authorization);
}

Result<std::string> presignQuery(const SignedRequest& request, const Credential& credential,
                                 const SignOptions& options, std::chrono::seconds expires) {
  if (options.region.empty() || options.service.empty())
    return invalidArgument("presign: region and service required");
  if (findHeader(request.headers, "host") == nullptr)
    return invalidArgument("presign: request has no Host header");
  if (expires < std::chrono::seconds(1) || expires > kMaxPresignExpiry) {
    return invalidArgument("presign: expires must be between 1 second and 7 days");
  }
  const std::string amz_date = formatAmzDate(options.time);
  const std::string scope = credentialScope(amz_date.substr(0, 8), options.region, options.service);

  std::vector<std::string> names;
  names.push_back("host");
  for (const auto& n : options.signed_headers) names.push_back(asciiLowercase(n));
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  const std::string signed_list = joinSignedHeaders(names);

  std::string query(request.raw_query);
  auto append = [&query](std::string_view name, std::string_view value) {
    if (!query.empty()) query += '&';
    query += name;
    query += '=';
    query += uriEncode(value, true);
  };
  append("X-Amz-Algorithm", kSigV4Algorithm);
  append("X-Amz-Credential", credential.access_key_id + "/" + scope);
  append("X-Amz-Date", amz_date);
  append("X-Amz-Expires", std::to_string(expires.count()));
  if (!credential.session_token.empty()) append("X-Amz-Security-Token", credential.session_token);
  append("X-Amz-SignedHeaders", signed_list);

  SignedRequest working = request;
  working.raw_query = query;
  const std::string* given_sha = findHeader(request.headers, "x-amz-content-sha256");
  const std::string payload_hash =
      given_sha != nullptr ? std::string(trimSpaceTab(*given_sha)) : sha256Hex(request.body);
  const std::string canonical = canonicalRequest(working, names, payload_hash, true);
  const std::string sts = stringToSign(amz_date, scope, canonical);
  const SigningKey key =
      deriveSigningKey(credential.secret_access_key, amz_date.substr(0, 8), options.region, options.service);
  append("X-Amz-Signature", computeSignature(key, sts));
  return query;
}

}  // namespace zk::aws
