// SigV4 Authorization header parsing; error texts follow what AWS services answer with IncompleteSignature.
#include "aws/auth_header.h"

#include <optional>

namespace zk::aws {

namespace {

bool isSeparator(char c) { return c == ',' || c == ' ' || c == '\t'; }

}  // namespace

std::string_view trimSpaceTab(std::string_view s) {
  size_t b = 0;
  while (b < s.size() && (s[b] == ' ' || s[b] == '\t')) ++b;
  size_t e = s.size();
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
  return s.substr(b, e - b);
}

std::string asciiLowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string joinFields(char separator, std::initializer_list<std::string_view> fields) {
  size_t size = fields.size();
  for (std::string_view f : fields) size += f.size();
  std::string out;
  out.reserve(size);
  bool first = true;
  for (std::string_view f : fields) {
    if (!first) out += separator;
    first = false;
    out += f;
  }
  return out;
}

std::string credentialScopeText(std::string_view date, std::string_view region, std::string_view service,
                                std::string_view terminator) {
  return joinFields('/', {date, region, service, terminator});
}

std::string CredentialScope::scope() const { return credentialScopeText(date, region, service, terminator); }

std::string printableForMessage(std::string_view value, size_t max_len) {
  std::string out;
  const bool cut = value.size() > max_len;
  if (cut) value = value.substr(0, max_len);
  out.reserve(value.size() + 3);
  for (char c : value) {
    auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u >= 0x7f) ? '?' : c;
  }
  if (cut) out += "...";
  return out;
}

Result<CredentialScope> parseCredentialScope(std::string_view credential) {
  std::string_view parts[5];
  size_t n = 0;
  size_t start = 0;
  for (size_t i = 0; i <= credential.size(); ++i) {
    if (i == credential.size() || credential[i] == '/') {
      if (n < 5) parts[n] = credential.substr(start, i - start);
      ++n;
      start = i + 1;
    }
  }
  if (n != 5) {
    // Text as returned by AWS (IncompleteSignature).
    return invalidArgument(
        "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got "
        "'" +
        printableForMessage(credential) + "'");
  }
  CredentialScope c;
  c.access_key_id = std::string(parts[0]);
  c.date = std::string(parts[1]);
  c.region = std::string(parts[2]);
  c.service = std::string(parts[3]);
  c.terminator = std::string(parts[4]);
  return c;
}

std::vector<std::string> splitSignedHeaders(std::string_view list) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t i = 0; i <= list.size(); ++i) {
    if (i == list.size() || list[i] == ';') {
      std::string_view name = trimSpaceTab(list.substr(start, i - start));
      if (!name.empty()) out.push_back(asciiLowercase(name));
      start = i + 1;
    }
  }
  return out;
}

std::string joinSignedHeaders(std::span<const std::string> names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ';';
    out += names[i];
  }
  return out;
}

Result<AuthorizationHeader> parseAuthorizationHeader(std::string_view value, bool has_date_header) {
  const std::string_view whole = trimSpaceTab(value);
  // The algorithm is the first token; the rest are key=value components separated by ',' and/or
  // whitespace (AWS documents ", " but clients also send "," alone).
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-authentication-methods.html
  size_t i = 0;
  while (i < whole.size() && !isSeparator(whole[i])) ++i;
  AuthorizationHeader out;
  out.algorithm = std::string(whole.substr(0, i));

  std::optional<std::string_view> credential, signed_headers, signature;
  while (i < whole.size()) {
    while (i < whole.size() && isSeparator(whole[i])) ++i;
    if (i >= whole.size()) break;
    size_t start = i;
    while (i < whole.size() && !isSeparator(whole[i])) ++i;
    std::string_view component = whole.substr(start, i - start);
    size_t eq = component.find('=');
    if (eq == std::string_view::npos) {
      return invalidArgument("'" + printableForMessage(component, 64) +
                             "' not a valid key=value pair (missing equal-sign) in Authorization header: '" +
                             printableForMessage(whole) + "'.");
    }
    std::string_view key = component.substr(0, eq);
    std::string_view val = component.substr(eq + 1);
    std::optional<std::string_view>* slot = nullptr;
    if (key == "Credential")
      slot = &credential;
    else if (key == "SignedHeaders")
      slot = &signed_headers;
    else if (key == "Signature")
      slot = &signature;
    if (slot == nullptr) continue;  // unknown components are ignored
    if (slot->has_value()) {
      return invalidArgument("Authorization header has duplicate '" + std::string(key) +
                             "' parameter. Authorization=" + printableForMessage(whole));
    }
    *slot = val;
  }

  // AWS lists every missing part in one message, then echoes the header.
  std::string missing;
  if (!credential || credential->empty()) missing += "Authorization header requires 'Credential' parameter. ";
  if (!signature || signature->empty()) missing += "Authorization header requires 'Signature' parameter. ";
  if (!signed_headers) missing += "Authorization header requires 'SignedHeaders' parameter. ";
  if (!has_date_header) {
    missing += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
  }
  if (!missing.empty()) return invalidArgument(missing + "Authorization=" + printableForMessage(whole));

  auto scope = parseCredentialScope(*credential);
  if (!scope.ok()) return scope.status();
  out.credential = std::move(*scope);
  out.signed_headers = splitSignedHeaders(*signed_headers);
  out.signature = std::string(*signature);
  return out;
}

}  // namespace zk::aws
