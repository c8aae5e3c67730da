// JWK Set parsing: RSA (RFC 7518 §6.3.1) and EC (RFC 7518 §6.2.1) public keys to EVP_PKEY.
#include "jose/jwk.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <nlohmann/json.hpp>

#include "base/encoding.h"

namespace zk::jose {
namespace {

using nlohmann::json;

struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct BldFree {
  void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
struct BnFree {
  void operator()(BIGNUM* p) const { BN_free(p); }
};
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
using Bld = std::unique_ptr<OSSL_PARAM_BLD, BldFree>;
using Params = std::unique_ptr<OSSL_PARAM, ParamFree>;
using Bn = std::unique_ptr<BIGNUM, BnFree>;

std::shared_ptr<EVP_PKEY> wrap(EVP_PKEY* p) { return std::shared_ptr<EVP_PKEY>(p, EVP_PKEY_free); }

// What happened to one "keys" entry.
enum class Outcome { kUsed, kSkipped };

Status bad(size_t index, const std::string& what) {
  return invalidArgument("JWKS key " + std::to_string(index) + ": " + what);
}

// Optional string member: absent -> "", present but not a string -> error.
Status optionalString(const json& k, const char* name, size_t index, std::string& out) {
  auto it = k.find(name);
  if (it == k.end()) return Status();
  if (!it->is_string()) return bad(index, std::string("\"") + name + "\" is not a string");
  out = it->get<std::string>();
  return Status();
}

// Required base64url member (RFC 7518 §6.2.1.2, §6.3.1.1: Base64urlUInt / full-size coordinate).
Result<std::string> requiredB64(const json& k, const char* name, size_t index) {
  auto it = k.find(name);
  if (it == k.end() || !it->is_string())
    return bad(index, std::string("\"") + name + "\" missing or not a string");
  auto dec = base64UrlDecode(it->get_ref<const std::string&>());
  if (!dec.ok()) return bad(index, std::string("\"") + name + "\" is not base64url");
  if (dec->empty()) return bad(index, std::string("\"") + name + "\" is empty");
  return std::move(*dec);
}

// Runs the EVP_PKEY_fromdata import and a public-key sanity check.
Result<std::shared_ptr<EVP_PKEY>> fromData(const char* type, OSSL_PARAM* params, size_t index) {
  PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params) != 1 || !raw) {
    ERR_clear_error();
    return bad(index, std::string("not a valid ") + type + " public key");
  }
  auto key = wrap(raw);
  PkeyCtx check(EVP_PKEY_CTX_new_from_pkey(nullptr, raw, nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) {
    ERR_clear_error();
    return bad(index, std::string("not a valid ") + type + " public key");
  }
  return key;
}

Result<Outcome> parseRsa(const json& k, size_t index, Jwk& out) {
  auto n = requiredB64(k, "n", index);
  if (!n.ok()) return n.status();
  auto e = requiredB64(k, "e", index);
  if (!e.ok()) return e.status();
  if (e->size() > 32) return bad(index, "RSA exponent too long");
  Bn bn_n(BN_bin2bn(reinterpret_cast<const unsigned char*>(n->data()), int(n->size()), nullptr));
  Bn bn_e(BN_bin2bn(reinterpret_cast<const unsigned char*>(e->data()), int(e->size()), nullptr));
  if (!bn_n || !bn_e) return internalError("BN_bin2bn failed");
  int bits = BN_num_bits(bn_n.get());
  // RFC 7518 §3.3: "A key of size 2048 bits or larger MUST be used"; very large moduli only cost
  // verification time, so they are not used either.
  if (bits < 2048 || bits > 8192) return Outcome::kSkipped;
  Bld bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
    return internalError("OSSL_PARAM_BLD failed");
  }
  Params params(OSSL_PARAM_BLD_to_param(bld.get()));
  if (!params) return internalError("OSSL_PARAM_BLD_to_param failed");
  auto key = fromData("RSA", params.get(), index);
  if (!key.ok()) return key.status();
  out.type = KeyType::kRsa;
  out.bits = size_t(bits);
  out.key = std::move(*key);
  return Outcome::kUsed;
}

Result<Outcome> parseEc(const json& k, size_t index, Jwk& out) {
  auto crv_it = k.find("crv");
  if (crv_it == k.end() || !crv_it->is_string()) return bad(index, "\"crv\" missing or not a string");
  const std::string& crv = crv_it->get_ref<const std::string&>();
  const char* group;
  size_t coord;
  if (crv == "P-256") {
    group = "prime256v1";
    coord = 32;
  } else if (crv == "P-384") {
    group = "secp384r1";
    coord = 48;
  } else {
    return Outcome::kSkipped;  // P-521, secp256k1, ...: no algorithm of ours uses them
  }
  auto x = requiredB64(k, "x", index);
  if (!x.ok()) return x.status();
  auto y = requiredB64(k, "y", index);
  if (!y.ok()) return y.status();
  // RFC 7518 §6.2.1.2/§6.2.1.3: "The length of this octet string MUST be the full size of a
  // coordinate for the curve specified in the crv parameter."
  if (x->size() != coord || y->size() != coord) return bad(index, "EC coordinate of the wrong length");
  std::string point = "\x04" + *x + *y;  // SEC 1 §2.3.3 uncompressed point
  Bld bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1) {
    return internalError("OSSL_PARAM_BLD failed");
  }
  Params params(OSSL_PARAM_BLD_to_param(bld.get()));
  if (!params) return internalError("OSSL_PARAM_BLD_to_param failed");
  auto key = fromData("EC", params.get(), index);
  if (!key.ok()) return key.status();
  out.type = KeyType::kEc;
  out.crv = crv;
  out.bits = coord * 8;
  out.key = std::move(*key);
  return Outcome::kUsed;
}

Result<Outcome> parseKey(const json& k, size_t index, Jwk& out) {
  if (!k.is_object()) return bad(index, "not a JSON object");
  auto kty = k.find("kty");  // RFC 7517 §4.1: REQUIRED
  if (kty == k.end() || !kty->is_string()) return bad(index, "\"kty\" missing or not a string");
  std::string use;
  ZK_RETURN_IF_ERROR(optionalString(k, "use", index, use));
  ZK_RETURN_IF_ERROR(optionalString(k, "kid", index, out.kid));
  ZK_RETURN_IF_ERROR(optionalString(k, "alg", index, out.alg));
  // RFC 7517 §4.2: "sig" or "enc"; only signature keys verify tokens.
  if (!use.empty() && use != "sig") return Outcome::kSkipped;
  // RFC 7517 §4.3: when key_ops is present it lists what the key may do.
  if (auto ops = k.find("key_ops"); ops != k.end()) {
    if (!ops->is_array()) return bad(index, "\"key_ops\" is not an array");
    bool verify = false;
    for (const auto& op : *ops) {
      if (!op.is_string()) return bad(index, "\"key_ops\" holds a non-string");
      verify = verify || op.get_ref<const std::string&>() == "verify";
    }
    if (!verify) return Outcome::kSkipped;
  }
  const std::string& t = kty->get_ref<const std::string&>();
  if (t == "RSA") return parseRsa(k, index, out);
  if (t == "EC") return parseEc(k, index, out);
  return Outcome::kSkipped;  // "oct" (symmetric: never accepted here), "OKP", unknown types
}

}  // namespace

std::string_view jwtErrorName(JwtError e) {
  switch (e) {
    case JwtError::kMalformed:
      return "Malformed";
    case JwtError::kAlgorithm:
      return "Algorithm";
    case JwtError::kUnknownKey:
      return "UnknownKey";
    case JwtError::kBadSignature:
      return "BadSignature";
    case JwtError::kExpired:
      return "Expired";
    case JwtError::kNotYetValid:
      return "NotYetValid";
    case JwtError::kIssuedInFuture:
      return "IssuedInFuture";
    case JwtError::kIssuerUnreachable:
      return "IssuerUnreachable";
  }
  return "Unknown";
}

Result<Jwks> Jwks::parse(std::string_view text) {
  if (text.size() > kMaxJsonBytes) return invalidArgument("JWKS larger than 1 MiB");
  json doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return invalidArgument("JWKS is not valid JSON");
  // RFC 7517 §5: a JSON object whose "keys" member is an array of JWKs.
  if (!doc.is_object()) return invalidArgument("JWKS is not a JSON object");
  auto keys = doc.find("keys");
  if (keys == doc.end() || !keys->is_array()) return invalidArgument("JWKS has no \"keys\" array");
  if (keys->size() > kMaxKeys) return invalidArgument("JWKS has more than 100 keys");
  Jwks set;
  size_t index = 0;
  for (const auto& k : *keys) {
    Jwk jwk;
    auto outcome = parseKey(k, index++, jwk);
    if (!outcome.ok()) return outcome.status();
    if (*outcome == Outcome::kSkipped) {
      ++set.skipped_;
    } else {
      set.keys_.push_back(std::move(jwk));
    }
  }
  return set;
}

bool Jwks::hasKid(std::string_view kid) const {
  for (const auto& k : keys_) {
    if (k.kid == kid) return true;
  }
  return false;
}

}  // namespace zk::jose
