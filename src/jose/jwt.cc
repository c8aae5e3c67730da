// JWS compact serialization decoding and signature/claims verification (RFC 7515, 7518, 7519).
#include "jose/jwt.h"

#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <cmath>
#include <memory>

#include "base/encoding.h"

namespace zk::jose {
namespace {

using nlohmann::json;

JwtFailure fail(JwtError e, std::string m) { return JwtFailure{e, std::move(m)}; }

// RFC 7518 §3.1 names and what each needs.
struct AlgSpec {
  std::string_view name;
  KeyType type;
  const EVP_MD* (*md)();
  bool pss;              // RSASSA-PSS (§3.5) rather than PKCS#1 v1.5 (§3.3)
  std::string_view crv;  // ES*: the curve (§3.4)
  size_t coord;          // ES*: octets of R and of S
};

constexpr AlgSpec kAlgs[] = {
    {"RS256", KeyType::kRsa, EVP_sha256, false, "", 0},
    {"RS384", KeyType::kRsa, EVP_sha384, false, "", 0},
    {"RS512", KeyType::kRsa, EVP_sha512, false, "", 0},
    {"PS256", KeyType::kRsa, EVP_sha256, true, "", 0},
    {"ES256", KeyType::kEc, EVP_sha256, false, "P-256", 32},
    {"ES384", KeyType::kEc, EVP_sha384, false, "P-384", 48},
};

const AlgSpec* findAlg(std::string_view name) {
  for (const auto& a : kAlgs) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct SigFree {
  void operator()(ECDSA_SIG* p) const { ECDSA_SIG_free(p); }
};

// RFC 7518 §3.4: the JWS signature is R || S, each exactly `coord` octets big-endian; OpenSSL wants
// a DER ECDSA-Sig-Value (RFC 3279 §2.2.3).
bool rawToDer(std::string_view raw, size_t coord, std::string& der) {
  if (raw.size() != 2 * coord) return false;
  std::unique_ptr<ECDSA_SIG, SigFree> sig(ECDSA_SIG_new());
  if (!sig) return false;
  BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), int(coord), nullptr);
  BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data() + coord), int(coord), nullptr);
  if (!r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return false;
  }
  unsigned char* out = nullptr;
  int len = i2d_ECDSA_SIG(sig.get(), &out);
  if (len <= 0) return false;
  der.assign(reinterpret_cast<char*>(out), size_t(len));
  OPENSSL_free(out);
  return true;
}

bool verifySignature(const AlgSpec& alg, EVP_PKEY* key, std::string_view input, std::string_view sig) {
  std::string der;
  if (alg.type == KeyType::kEc) {
    if (!rawToDer(sig, alg.coord, der)) return false;
    sig = der;
  }
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  bool ok = ctx && EVP_DigestVerifyInit(ctx.get(), &pctx, alg.md(), nullptr, key) == 1;
  if (ok && alg.pss) {
    // RFC 7518 §3.5: MGF1 with the same hash, salt as long as the hash output.
    ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, alg.md()) == 1 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1;
  } else if (ok && alg.type == KeyType::kRsa) {
    ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1;
  }
  ok = ok && EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                              reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
  ERR_clear_error();
  return ok;
}

// RFC 7519 §2 NumericDate: seconds since the epoch, possibly fractional. Bounded to year 9999 so the
// conversion cannot overflow.
std::optional<std::chrono::system_clock::time_point> numericDate(const json& v) {
  if (!v.is_number()) return std::nullopt;
  double d = v.get<double>();
  if (!std::isfinite(d) || d < 0 || d > 253402300799.0) return std::nullopt;
  auto us = std::chrono::microseconds(static_cast<int64_t>(std::floor(d * 1e6)));
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(us));
}

std::optional<json> decodeJsonObject(std::string_view b64) {
  auto bytes = base64UrlDecode(b64);
  if (!bytes.ok()) return std::nullopt;
  json j = json::parse(bytes->begin(), bytes->end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  return j;
}

struct Parts {
  std::string_view header, payload, signature, signing_input;
};

std::variant<UnverifiedJwt, JwtFailure> decodeParts(std::string_view compact, Parts& parts) {
  if (compact.size() > kMaxTokenBytes) return fail(JwtError::kMalformed, "token larger than 16 KiB");
  // RFC 7515 §7.1: BASE64URL(header) '.' BASE64URL(payload) '.' BASE64URL(signature).
  size_t d1 = compact.find('.');
  size_t d2 = d1 == std::string_view::npos ? d1 : compact.find('.', d1 + 1);
  if (d2 == std::string_view::npos || compact.find('.', d2 + 1) != std::string_view::npos) {
    return fail(JwtError::kMalformed, "token does not have three parts");
  }
  parts.header = compact.substr(0, d1);
  parts.payload = compact.substr(d1 + 1, d2 - d1 - 1);
  parts.signature = compact.substr(d2 + 1);
  parts.signing_input = compact.substr(0, d2);
  UnverifiedJwt out;
  auto header = decodeJsonObject(parts.header);
  if (!header) return fail(JwtError::kMalformed, "header is not base64url of a JSON object");
  auto claims = decodeJsonObject(parts.payload);
  if (!claims) return fail(JwtError::kMalformed, "payload is not base64url of a JSON object");
  out.header = std::move(*header);
  out.claims = std::move(*claims);
  auto alg = out.header.find("alg");
  if (alg == out.header.end() || !alg->is_string() || alg->get_ref<const std::string&>().empty()) {
    return fail(JwtError::kMalformed, "header has no \"alg\" string");
  }
  out.alg = alg->get<std::string>();
  if (auto kid = out.header.find("kid"); kid != out.header.end()) {
    if (!kid->is_string()) return fail(JwtError::kMalformed, "header \"kid\" is not a string");
    out.kid = kid->get<std::string>();
  }
  if (auto iss = out.claims.find("iss"); iss != out.claims.end()) {
    if (!iss->is_string()) return fail(JwtError::kMalformed, "claim \"iss\" is not a string");
    out.iss = iss->get<std::string>();
  }
  return out;
}

}  // namespace

std::variant<UnverifiedJwt, JwtFailure> decode(std::string_view compact) {
  Parts parts;
  return decodeParts(compact, parts);
}

std::variant<VerifiedJwt, JwtFailure> verify(std::string_view compact, const Jwks& keys,
                                             std::chrono::system_clock::time_point now,
                                             const VerifyOptions& options) {
  Parts parts;
  auto decoded = decodeParts(compact, parts);
  if (auto* f = std::get_if<JwtFailure>(&decoded)) return std::move(*f);
  UnverifiedJwt& u = std::get<UnverifiedJwt>(decoded);

  // RFC 7518 §3.1 / RFC 8725 §3.1: only the asymmetric algorithms we list; never "none" or HMAC
  // (an HMAC keyed with a public key is the classic confusion attack).
  const AlgSpec* alg = findAlg(u.alg);
  if (!alg) return fail(JwtError::kAlgorithm, "unsupported alg \"" + u.alg.substr(0, 32) + "\"");
  if (u.header.contains("crit")) return fail(JwtError::kMalformed, "unsupported \"crit\" header");
  auto sig = base64UrlDecode(parts.signature);
  if (!sig.ok() || sig->empty()) return fail(JwtError::kMalformed, "signature is not base64url");

  // Key selection (RFC 7515 §4.1.4 kid; RFC 7517 §4.4 alg; §4.5 kid may repeat across kty).
  std::vector<const Jwk*> candidates;
  bool kid_seen = false;
  bool alg_mismatch = false;
  for (const auto& k : keys.keys()) {
    if (!u.kid.empty() && k.kid != u.kid) continue;
    kid_seen = true;
    if (k.type != alg->type || (alg->type == KeyType::kEc && k.crv != alg->crv)) continue;
    if (!k.alg.empty() && k.alg != u.alg) {
      alg_mismatch = true;
      continue;
    }
    candidates.push_back(&k);
  }
  if (candidates.empty()) {
    if (u.kid.empty() && !alg_mismatch)
      return fail(JwtError::kUnknownKey, "no key for " + u.alg + " in the JWKS");
    if (!kid_seen) return fail(JwtError::kUnknownKey, "no key with the token's kid");
    return fail(JwtError::kAlgorithm, alg_mismatch
                                          ? "the key's alg differs from the token's alg"
                                          : "the key with the token's kid does not fit alg " + u.alg);
  }
  if (u.kid.empty() && candidates.size() != 1) {
    return fail(JwtError::kUnknownKey, "token has no kid and the JWKS has several " + u.alg + " keys");
  }
  bool good = false;
  for (const Jwk* k : candidates) {
    if (verifySignature(*alg, k->key.get(), parts.signing_input, *sig)) {
      good = true;
      break;
    }
  }
  if (!good) return fail(JwtError::kBadSignature, "signature does not verify");

  VerifiedJwt out;
  out.alg = u.alg;
  out.kid = u.kid;
  out.iss = u.iss;
  const json& c = u.claims;
  if (auto sub = c.find("sub"); sub != c.end()) {
    if (!sub->is_string()) return fail(JwtError::kMalformed, "claim \"sub\" is not a string");
    out.sub = sub->get<std::string>();
  }
  // RFC 7519 §4.1.3: "In the special case when the JWT has one audience, the aud value MAY be a
  // single case-sensitive string".
  if (auto aud = c.find("aud"); aud != c.end()) {
    if (aud->is_string()) {
      out.aud.push_back(aud->get<std::string>());
    } else if (aud->is_array()) {
      for (const auto& a : *aud) {
        if (!a.is_string()) return fail(JwtError::kMalformed, "claim \"aud\" holds a non-string");
        out.aud.push_back(a.get<std::string>());
      }
    } else {
      return fail(JwtError::kMalformed, "claim \"aud\" is neither a string nor an array");
    }
  }
  for (auto [name, slot] :
       {std::pair{"exp", &out.exp}, std::pair{"nbf", &out.nbf}, std::pair{"iat", &out.iat}}) {
    auto it = c.find(name);
    if (it == c.end()) continue;
    *slot = numericDate(*it);
    if (!*slot) return fail(JwtError::kMalformed, std::string("claim \"") + name + "\" is not a NumericDate");
  }
  if (!out.exp && options.require_exp) return fail(JwtError::kMalformed, "token has no \"exp\" claim");
  // RFC 7519 §4.1.4: the current time MUST be before exp ("some small leeway" allowed).
  if (out.exp && now >= *out.exp + options.skew) return fail(JwtError::kExpired, "token has expired");
  // RFC 7519 §4.1.5: the current time MUST be after or equal to nbf.
  if (out.nbf && now < *out.nbf - options.skew) return fail(JwtError::kNotYetValid, "token is not yet valid");
  // RFC 7519 §4.1.6 defines iat without a check; a token issued in the future is refused.
  if (out.iat && *out.iat > now + options.skew)
    return fail(JwtError::kIssuedInFuture, "token issued in the future");
  out.header = std::move(u.header);
  out.claims = std::move(u.claims);
  return out;
}

}  // namespace zk::jose
