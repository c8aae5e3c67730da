// End to end: JwksCache + httpsFetcher + HttpsClient against an http::Server serving discovery and
// JWKS over TLS (self-signed certificate made here, trusted through trust_files).
#include "jose/https_fetcher.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <filesystem>

#include "http/server.h"
#include "jose_test_util.h"

namespace zk::jose {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::jwksJson;
using testing::TestKey;

bool writeSelfSigned(const fs::path& dir) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 7);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("idp"), -1, -1,
                             0);
  X509_set_issuer_name(cert, name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* san =
      X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, const_cast<char*>("IP:127.0.0.1"));
  bool ok = san && X509_add_ext(cert, san, -1) == 1 && X509_sign(cert, key, EVP_sha256()) > 0;
  X509_EXTENSION_free(san);
  FILE* f = std::fopen((dir / "idp.crt").c_str(), "w");
  ok = ok && f && PEM_write_X509(f, cert) == 1;
  if (f) std::fclose(f);
  f = std::fopen((dir / "idp.key").c_str(), "w");
  ok = ok && f && PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  if (f) std::fclose(f);
  X509_free(cert);
  EVP_PKEY_free(key);
  return ok;
}

TEST(HttpsFetcherTest, DiscoveryAndJwksOverTls) {
  std::string tmpl = (fs::temp_directory_path() / "zk-jose-idp-XXXXXX").string();
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  fs::path dir = tmpl;
  ASSERT_TRUE(writeSelfSigned(dir));
  TestKey key = TestKey::ec256();
  std::string issuer;  // set once the port is known; read by the handler only after that
  http::ServerConfig config;
  config.listen = "127.0.0.1:0";
  config.tls_cert_file = (dir / "idp.crt").string();
  config.tls_key_file = (dir / "idp.key").string();
  const std::string jwks = jwksJson({key.jwk("k1")});
  http::Server server(config, [&](http::Request&& req, http::Responder respond) {
    if (req.path() == "/.well-known/openid-configuration") {
      return respond(http::Response{200,
                                    {{"Content-Type", "application/json"}},
                                    json({{"issuer", issuer}, {"jwks_uri", issuer + "/keys"}}).dump()});
    }
    if (req.path() == "/keys")
      return respond(http::Response{200, {{"Content-Type", "application/json"}}, jwks});
    respond(http::Response{404, {}, "no"});
  });
  ASSERT_TRUE(server.start().isOk());
  issuer = "https://127.0.0.1:" + std::to_string(server.port());

  http::ClientOptions options;
  options.trust_files = {(dir / "idp.crt").string()};
  auto client = std::make_shared<const http::HttpsClient>(options);
  FakeClock clock;
  JwksCache cache(httpsFetcher(client), clock);
  const int64_t t = std::chrono::duration_cast<std::chrono::seconds>(clock.now().time_since_epoch()).count();
  std::string token =
      key.sign({{"alg", "ES256"}, {"kid", "k1"}}, {{"iss", issuer}, {"sub", "s"}, {"exp", t + 60}});
  auto r = verifyWithIssuer(token, cache, clock.now());
  ASSERT_TRUE(std::holds_alternative<VerifiedJwt>(r)) << std::get<JwtFailure>(r).message;
  EXPECT_EQ(std::get<VerifiedJwt>(r).sub, "s");

  // A non-200 is an error for the fetcher; an untrusted server is unreachable for the cache.
  auto fetch = httpsFetcher(client);
  auto missing = fetch(issuer + "/nothing");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("HTTP 404"), std::string::npos);
  JwksCache untrusted(httpsFetcher(std::make_shared<const http::HttpsClient>(http::ClientOptions{})), clock);
  r = verifyWithIssuer(token, untrusted, clock.now());
  ASSERT_TRUE(std::holds_alternative<JwtFailure>(r));
  EXPECT_EQ(std::get<JwtFailure>(r).error, JwtError::kIssuerUnreachable);

  server.stop();
  std::error_code ec;
  fs::remove_all(dir, ec);
}

}  // namespace
}  // namespace zk::jose
