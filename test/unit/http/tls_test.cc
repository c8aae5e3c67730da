// Tests for the HTTPS listener with a self-signed certificate generated here through OpenSSL.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <filesystem>

#include "http/server.h"
#include "http_test_client.h"

namespace zk::http {
namespace {

namespace fs = std::filesystem;
using testing::TestClient;

// Writes a P-256 key and a self-signed certificate for 127.0.0.1/localhost into `dir`.
bool writeSelfSigned(const fs::path& dir, const std::string& stem) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  if (!key) return false;
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"),
                             -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* san = X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name,
                                            const_cast<char*>("DNS:localhost,IP:127.0.0.1"));
  bool ok = san && X509_add_ext(cert, san, -1) == 1 && X509_sign(cert, key, EVP_sha256()) > 0;
  X509_EXTENSION_free(san);
  if (ok) {
    FILE* f = std::fopen((dir / (stem + ".crt")).c_str(), "w");
    ok = f && PEM_write_X509(f, cert) == 1;
    if (f) std::fclose(f);
    f = std::fopen((dir / (stem + ".key")).c_str(), "w");
    ok = ok && f && PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
    if (f) std::fclose(f);
  }
  X509_free(cert);
  EVP_PKEY_free(key);
  return ok;
}

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "zk-http-tls-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    ASSERT_TRUE(writeSelfSigned(dir_, "a"));
    ASSERT_TRUE(writeSelfSigned(dir_, "b"));
  }
  void TearDown() override {
    if (server_) server_->stop();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  ServerConfig tlsConfig() {
    ServerConfig config;
    config.listen = "127.0.0.1:0";
    config.tls_cert_file = (dir_ / "a.crt").string();
    config.tls_key_file = (dir_ / "a.key").string();
    return config;
  }

  void startServer(ServerConfig config) {
    server_ = std::make_unique<Server>(std::move(config), [](Request&& req, Responder respond) {
      respond(
          Response{200, {{"X-Tls", req.tls ? "yes" : "no"}}, req.method + " " + req.target + " " + req.body});
    });
    Status s = server_->start();
    ASSERT_TRUE(s.isOk()) << s.toString();
  }

  fs::path dir_;
  std::unique_ptr<Server> server_;
};

TEST_F(TlsTest, RoundTripOverTls) {
  startServer(tlsConfig());
  TestClient c;
  ASSERT_TRUE(c.connect(server_->port()));
  ASSERT_TRUE(c.startTls((dir_ / "a.crt").string()));
  EXPECT_GE(c.tlsVersion(), TLS1_2_VERSION);
  for (int i = 0; i < 2; ++i) {  // keep-alive over TLS
    auto res = c.roundTrip("POST /tls?x=%41 HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nbody");
    ASSERT_TRUE(res) << i;
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->body, "POST /tls?x=%41 body");
    EXPECT_EQ(res->header("X-Tls"), "yes");
    EXPECT_EQ(res->header("Server"), "zonekeeper");
  }
  auto res = c.roundTrip("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  ASSERT_TRUE(res);
  EXPECT_TRUE(c.closedByPeer());
}

TEST_F(TlsTest, ClientTrustingAnotherCertFailsHandshake) {
  startServer(tlsConfig());
  TestClient c;
  ASSERT_TRUE(c.connect(server_->port()));
  EXPECT_FALSE(c.startTls((dir_ / "b.crt").string()));
}

TEST_F(TlsTest, PlainHttpOnTlsListenerGetsNoHttpResponse) {
  startServer(tlsConfig());
  TestClient c;
  ASSERT_TRUE(c.connect(server_->port()));
  ASSERT_TRUE(c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n"));
  std::string got = c.readAll();
  EXPECT_EQ(got.find("HTTP/1.1"), std::string::npos);
}

TEST_F(TlsTest, Tls11Refused) {
  startServer(tlsConfig());
  TestClient c;
  ASSERT_TRUE(c.connect(server_->port()));
  // Security level 0 lets this client offer TLS 1.1 at all; the server must still refuse it.
  EXPECT_FALSE(c.startTls((dir_ / "a.crt").string(), TLS1_1_VERSION, 0));
}

TEST_F(TlsTest, BadCertificateConfigFailsStart) {
  ServerConfig config = tlsConfig();
  config.tls_key_file = (dir_ / "b.key").string();  // does not match a.crt
  Server mismatched(config, [](Request&&, Responder r) { r(Response{}); });
  Status s = mismatched.start();
  EXPECT_EQ(s.code(), Code::kInvalidArgument) << s.toString();

  config = tlsConfig();
  config.tls_cert_file = (dir_ / "missing.crt").string();
  Server missing(config, [](Request&&, Responder r) { r(Response{}); });
  EXPECT_EQ(missing.start().code(), Code::kInvalidArgument);

  config = tlsConfig();
  config.tls_cert_file = (dir_ / "a.key").string();  // a key is not a certificate
  Server swapped(config, [](Request&&, Responder r) { r(Response{}); });
  EXPECT_EQ(swapped.start().code(), Code::kInvalidArgument);

  config = tlsConfig();
  config.tls_key_file.clear();
  Server only_cert(config, [](Request&&, Responder r) { r(Response{}); });
  EXPECT_EQ(only_cert.start().code(), Code::kInvalidArgument);
}

TEST_F(TlsTest, SlowHandshakeClosedAfterReadTimeout) {
  ServerConfig config = tlsConfig();
  config.read_timeout = std::chrono::milliseconds(200);
  startServer(config);
  TestClient c;
  ASSERT_TRUE(c.connect(server_->port()));
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.closedByPeer());  // never sends a ClientHello
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(150));
}

}  // namespace
}  // namespace zk::http
