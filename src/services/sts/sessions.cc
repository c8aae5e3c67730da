// SessionSealer: temporary credentials whose session token is the sealed session.
#include "services/sts/sessions.h"

#include <nlohmann/json.hpp>

namespace zk::sts {
namespace {

using std::chrono::system_clock;

constexpr std::string_view kBase32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::string_view kSecretAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kTokenPrefix = "ZKS1";  // versions the token format

int64_t epochSeconds(system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}
system_clock::time_point fromEpoch(int64_t s) { return system_clock::time_point(std::chrono::seconds(s)); }

// 10 bytes -> 16 base32 characters (RFC 4648 alphabet, no padding: 80 bits exactly).
std::string base32(const uint8_t (&b)[10]) {
  std::string out;
  uint64_t buf = 0;
  int bits = 0;
  for (uint8_t byte : b) {
    buf = (buf << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out.push_back(kBase32[(buf >> (bits - 5)) & 31]);
      bits -= 5;
    }
  }
  return out;
}

bool unbase32(std::string_view s, uint8_t (&b)[10]) {
  if (s.size() != 16) return false;
  uint64_t buf = 0;
  int bits = 0;
  size_t n = 0;
  for (char c : s) {
    size_t v = kBase32.find(c);
    if (v == std::string_view::npos) return false;
    buf = (buf << 5) | v;
    bits += 5;
    if (bits >= 8) {
      b[n++] = static_cast<uint8_t>(buf >> (bits - 8));
      bits -= 8;
    }
  }
  return n == 10;
}

nlohmann::json claimsJson(const api::SessionClaims& c) {
  nlohmann::json tags = nlohmann::json::array();
  for (const auto& [k, v] : c.tags) tags.push_back({k, v});
  return {{"k", c.kind == api::SessionClaims::Kind::kAssumedRole ? "r" : "u"},
          {"a", c.account_id},
          {"sa", c.source_arn},
          {"sn", c.source_name},
          {"si", c.source_id},
          {"s", c.session_name},
          {"p", c.session_policies},
          {"t", tags},
          {"src", c.source_identity},
          {"w", c.web_identity_provider},
          {"ch", c.chained},
          {"iat", epochSeconds(c.issued_at)},
          {"exp", epochSeconds(c.expires_at)}};
}

bool claimsFromJson(const nlohmann::json& j, api::SessionClaims* c) {
  try {
    c->kind =
        j.at("k") == "r" ? api::SessionClaims::Kind::kAssumedRole : api::SessionClaims::Kind::kFederatedUser;
    c->account_id = j.at("a");
    c->source_arn = j.at("sa");
    c->source_name = j.at("sn");
    c->source_id = j.at("si");
    c->session_name = j.at("s");
    c->session_policies = j.at("p").get<std::vector<std::string>>();
    for (const auto& t : j.at("t")) c->tags.emplace_back(t.at(0), t.at(1));
    c->source_identity = j.at("src");
    c->web_identity_provider = j.at("w");
    c->chained = j.at("ch");
    c->issued_at = fromEpoch(j.at("iat"));
    c->expires_at = fromEpoch(j.at("exp"));
    return true;
  } catch (const nlohmann::json::exception&) {
    return false;
  }
}

}  // namespace

SessionSealer::SessionSealer(crypto::SecretBox box, crypto::RandomSource random)
    : box_(std::move(box)), random_(std::move(random)) {}

Result<IssuedCredentials> SessionSealer::issue(const api::SessionClaims& claims,
                                               const std::string& principal_arn,
                                               const std::string& user_id) const {
  uint8_t raw[10];
  uint64_t account = 0;
  for (char ch : claims.account_id) {
    if (ch < '0' || ch > '9') return invalidArgument("account id is not numeric");
    account = account * 10 + static_cast<uint64_t>(ch - '0');
  }
  for (int i = 0; i < 5; ++i) raw[i] = static_cast<uint8_t>(account >> (8 * (4 - i)));
  ZK_RETURN_IF_ERROR(random_(std::span<uint8_t>(raw + 5, 5)));
  IssuedCredentials out;
  out.access_key_id = "ASIA" + base32(raw);
  auto secret = crypto::randomString(random_, kSecretAlphabet, 40);
  if (!secret.ok()) return secret.status();
  out.secret_access_key = std::move(secret).value();
  out.expiration = claims.expires_at;
  nlohmann::json body = {
      {"c", claimsJson(claims)}, {"sk", out.secret_access_key}, {"arn", principal_arn}, {"uid", user_id}};
  auto sealed = box_.seal(body.dump(), out.access_key_id);
  if (!sealed.ok()) return sealed.status();
  out.session_token = std::string(kTokenPrefix) + crypto::hexEncode(*sealed);
  return out;
}

Result<api::TemporaryCredential> SessionSealer::open(std::string_view access_key_id, std::string_view token,
                                                     system_clock::time_point now) const {
  if (token.substr(0, kTokenPrefix.size()) != kTokenPrefix) return notFound("not a session token");
  auto bytes = crypto::hexDecode(token.substr(kTokenPrefix.size()));
  if (!bytes.ok()) return notFound("not a session token");
  auto plain =
      box_.open(std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()), access_key_id);
  if (!plain.ok()) return notFound("not a session token");
  nlohmann::json body = nlohmann::json::parse(*plain, nullptr, false);
  auto claims = std::make_shared<api::SessionClaims>();
  if (body.is_discarded() || !body.is_object() || !body.contains("c") ||
      !claimsFromJson(body["c"], claims.get()))
    return notFound("not a session token");
  if (now >= claims->expires_at) return outOfRange("the security token included in the request is expired");
  api::TemporaryCredential t;
  t.credential.access_key_id = std::string(access_key_id);
  t.credential.secret_access_key = body.value("sk", "");
  t.credential.session_token = std::string(token);
  t.credential.account_id = claims->account_id;
  t.credential.principal_arn = body.value("arn", "");
  t.credential.user_id = body.value("uid", "");
  t.session = std::move(claims);
  return t;
}

api::SessionLookup SessionSealer::asLookup(const Clock& clock) const {
  return [this, &clock](std::string_view id, std::string_view token) { return open(id, token, clock.now()); };
}

Result<std::string> accountOfTemporaryKey(std::string_view access_key_id) {
  uint8_t raw[10];
  if (access_key_id.substr(0, 4) != "ASIA" || !unbase32(access_key_id.substr(4), raw))
    return invalidArgument("not a temporary access key id");
  uint64_t account = 0;
  for (int i = 0; i < 5; ++i) account = (account << 8) | raw[i];
  if (account > 999999999999ULL) return invalidArgument("not a temporary access key id");
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%012llu", static_cast<unsigned long long>(account));
  return std::string(buf);
}

}  // namespace zk::sts
