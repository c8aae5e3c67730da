// Test-only JWS signer: OpenSSL keys made in the test, their public JWKs, and compact tokens.
#pragma once

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <string_view>

#include "base/encoding.h"
#include "jose/jwk.h"

namespace zk::jose {
inline void PrintTo(JwtError e, std::ostream* os) { *os << jwtErrorName(e); }
}  // namespace zk::jose

namespace zk::jose::testing {

using nlohmann::json;

inline std::string bnBytes(EVP_PKEY* key, const char* name, size_t pad_to = 0) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &bn) != 1) return "";
  size_t len = std::max<size_t>(size_t(BN_num_bytes(bn)), pad_to);
  std::string out(len, '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), int(len));
  BN_free(bn);
  return out;
}

// A private key with its public JWK.
class TestKey {
 public:
  static TestKey rsa(int bits = 2048) { return TestKey(EVP_RSA_gen(bits), "RSA", "", 0); }
  static TestKey ec256() { return TestKey(EVP_EC_gen("P-256"), "EC", "P-256", 32); }
  static TestKey ec384() { return TestKey(EVP_EC_gen("P-384"), "EC", "P-384", 48); }

  EVP_PKEY* pkey() const { return key_.get(); }
  const std::string& kty() const { return kty_; }

  // The public JWK; kid/alg members only when non-empty.
  json jwk(const std::string& kid = "", const std::string& alg = "") const {
    json j = {{"kty", kty_}};
    if (kty_ == "RSA") {
      j["n"] = base64UrlEncode(bnBytes(pkey(), OSSL_PKEY_PARAM_RSA_N));
      j["e"] = base64UrlEncode(bnBytes(pkey(), OSSL_PKEY_PARAM_RSA_E));
    } else {
      j["crv"] = crv_;
      j["x"] = base64UrlEncode(bnBytes(pkey(), OSSL_PKEY_PARAM_EC_PUB_X, coord_));
      j["y"] = base64UrlEncode(bnBytes(pkey(), OSSL_PKEY_PARAM_EC_PUB_Y, coord_));
    }
    if (!kid.empty()) j["kid"] = kid;
    if (!alg.empty()) j["alg"] = alg;
    return j;
  }

  // Raw JWS signature over `input` for `alg` (RFC 7518 §3.3-3.5); ES* as R||S.
  std::string signRaw(const std::string& alg, std::string_view input) const {
    const EVP_MD* md = alg.ends_with("384")   ? EVP_sha384()
                       : alg.ends_with("512") ? EVP_sha512()
                                              : EVP_sha256();
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX* pctx = nullptr;
    EVP_DigestSignInit(ctx, &pctx, md, nullptr, pkey());
    if (alg.starts_with("PS")) {
      EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
      EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md);
      EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
    }
    size_t len = 0;
    auto in = reinterpret_cast<const unsigned char*>(input.data());
    EVP_DigestSign(ctx, nullptr, &len, in, input.size());
    std::string sig(len, '\0');
    EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len, in, input.size());
    sig.resize(len);
    EVP_MD_CTX_free(ctx);
    if (kty_ != "EC") return sig;
    const unsigned char* p = reinterpret_cast<const unsigned char*>(sig.data());
    ECDSA_SIG* es = d2i_ECDSA_SIG(nullptr, &p, long(sig.size()));
    std::string raw(2 * coord_, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(es), reinterpret_cast<unsigned char*>(raw.data()), int(coord_));
    BN_bn2binpad(ECDSA_SIG_get0_s(es), reinterpret_cast<unsigned char*>(raw.data() + coord_), int(coord_));
    ECDSA_SIG_free(es);
    return raw;
  }

  // header.payload.signature with the given header/claims; the header's "alg" picks the algorithm.
  std::string sign(const json& header, const json& claims) const {
    std::string input = base64UrlEncode(header.dump()) + "." + base64UrlEncode(claims.dump());
    return input + "." + base64UrlEncode(signRaw(header.at("alg").get<std::string>(), input));
  }

 private:
  TestKey(EVP_PKEY* k, std::string kty, std::string crv, size_t coord)
      : key_(k, EVP_PKEY_free), kty_(std::move(kty)), crv_(std::move(crv)), coord_(coord) {}
  std::shared_ptr<EVP_PKEY> key_;
  std::string kty_, crv_;
  size_t coord_;
};

// The token with one bit of its (decoded) signature flipped, still canonical base64url.
inline std::string corruptSignature(const std::string& token) {
  size_t dot = token.rfind('.');
  std::string sig = *base64UrlDecode(token.substr(dot + 1));
  sig[sig.size() / 2] = char(sig[sig.size() / 2] ^ 0x01);
  return token.substr(0, dot + 1) + base64UrlEncode(sig);
}

inline std::string jwksJson(std::initializer_list<json> keys) {
  json arr = json::array();
  for (const auto& k : keys) arr.push_back(k);
  json doc = json::object();
  doc["keys"] = std::move(arr);
  return doc.dump();
}

}  // namespace zk::jose::testing
