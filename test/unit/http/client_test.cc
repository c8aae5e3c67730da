// HttpsClient against the real http::Server over TLS with a CA and leaf certificates made here.
#include "http/client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <mutex>

#include "http/server.h"

namespace zk::http {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

void addExt(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, const_cast<char*>(value));
  ASSERT_NE(ext, nullptr) << value;
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

bool writePem(const fs::path& path, X509* cert, EVP_PKEY* key) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (!f) return false;
  bool ok = cert ? PEM_write_X509(f, cert) == 1
                 : PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  std::fclose(f);
  return ok;
}

// A certificate for `key` named `cn`, signed by `issuer_key` (self-signed when issuer is null).
X509* makeCert(EVP_PKEY* key, const char* cn, X509* issuer, EVP_PKEY* issuer_key, const char* san, bool ca,
               long serial) {
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
  X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer) : name);
  X509* iss = issuer ? issuer : cert;
  if (ca) {
    addExt(cert, iss, NID_basic_constraints, "critical,CA:TRUE");
    addExt(cert, iss, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    addExt(cert, iss, NID_basic_constraints, "critical,CA:FALSE");
    addExt(cert, iss, NID_ext_key_usage, "serverAuth");
    addExt(cert, iss, NID_subject_alt_name, san);
  }
  addExt(cert, iss, NID_subject_key_identifier, "hash");
  X509_sign(cert, issuer_key ? issuer_key : key, EVP_sha256());
  return cert;
}

class ClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "zk-http-client-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    EVP_PKEY* ca_key = EVP_EC_gen("P-256");
    X509* ca = makeCert(ca_key, "zk test CA", nullptr, nullptr, nullptr, true, 1);
    ASSERT_TRUE(writePem(dir_ / "ca.crt", ca, nullptr));
    long serial = 2;
    for (auto [stem, san] :
         {std::pair{"leaf", "DNS:localhost,IP:127.0.0.1"}, std::pair{"other", "DNS:other.example"}}) {
      EVP_PKEY* key = EVP_EC_gen("P-256");
      X509* cert = makeCert(key, stem, ca, ca_key, san, false, serial++);
      ASSERT_TRUE(writePem(dir_ / (std::string(stem) + ".crt"), cert, nullptr));
      ASSERT_TRUE(writePem(dir_ / (std::string(stem) + ".key"), nullptr, key));
      X509_free(cert);
      EVP_PKEY_free(key);
    }
    X509_free(ca);
    EVP_PKEY_free(ca_key);
  }
  void TearDown() override {
    if (server_) server_->stop();
    {
      std::lock_guard lock(mu_);
      held_.clear();
    }
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // Starts an HTTPS server with the `stem` certificate. Paths: /hold never answers, /big answers
  // 100 bytes, /redirect 302, /missing 404, anything else 200 echoing method, target and Host.
  void startServer(const std::string& stem = "leaf") {
    ServerConfig config;
    config.listen = "127.0.0.1:0";
    config.tls_cert_file = (dir_ / (stem + ".crt")).string();
    config.tls_key_file = (dir_ / (stem + ".key")).string();
    server_ = std::make_unique<Server>(std::move(config), [this](Request&& req, Responder respond) {
      if (req.path() == "/hold") {
        std::lock_guard lock(mu_);
        held_.push_back(std::move(respond));
        return;
      }
      if (req.path() == "/big") return respond(Response{200, {}, std::string(100, 'x')});
      if (req.path() == "/redirect")
        return respond(Response{302, {{"Location", "https://127.0.0.1/"}}, "moved"});
      if (req.path() == "/missing") return respond(Response{404, {}, "nope"});
      std::string host(req.header("Host").value_or(""));
      respond(
          Response{200, {{"Content-Type", "application/json"}}, req.method + " " + req.target + " " + host});
    });
    Status s = server_->start();
    ASSERT_TRUE(s.isOk()) << s.toString();
  }
  std::string url(const std::string& host, const std::string& path) {
    return "https://" + host + ":" + std::to_string(server_->port()) + path;
  }
  ClientOptions trusting() {
    ClientOptions o;
    o.trust_files = {(dir_ / "ca.crt").string()};
    return o;
  }

  fs::path dir_;
  std::unique_ptr<Server> server_;
  std::mutex mu_;
  std::vector<Responder> held_;
};

TEST_F(ClientTest, GetWithTrustedCa) {
  startServer();
  HttpsClient client(trusting());
  ASSERT_TRUE(client.status().isOk());
  const std::string port = std::to_string(server_->port());
  auto r = client.get(url("127.0.0.1", "/.well-known/openid-configuration?x=1#frag"));
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "GET /.well-known/openid-configuration?x=1 127.0.0.1:" + port);
  EXPECT_EQ(r->content_type, "application/json");
  r = client.get(url("LocalHost", ""));  // DNS name (SNI + name check), empty path
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(r->body, "GET / localhost:" + port);
  // Several calls from several threads, each its own connection.
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      auto x = client.get(url("127.0.0.1", "/t"));
      if (x.ok() && x->status == 200) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 4);
}

TEST_F(ClientTest, StatusesComeBackAndRedirectsAreNotFollowed) {
  startServer();
  HttpsClient client(trusting());
  auto r = client.get(url("127.0.0.1", "/missing"));
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->body, "nope");
  r = client.get(url("127.0.0.1", "/redirect"));
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(r->status, 302);
  EXPECT_EQ(r->body, "moved");
}

TEST_F(ClientTest, UntrustedCertificateFails) {
  startServer();
  HttpsClient client(ClientOptions{});  // system store only
  auto r = client.get(url("127.0.0.1", "/"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kUnavailable);
  EXPECT_NE(r.status().message().find("certificate verification failed"), std::string::npos)
      << r.status().message();
}

TEST_F(ClientTest, WrongHostNameFails) {
  startServer("other");  // SAN DNS:other.example only
  HttpsClient client(trusting());
  for (const char* host : {"localhost", "127.0.0.1"}) {
    auto r = client.get(url(host, "/"));
    ASSERT_FALSE(r.ok()) << host;
    EXPECT_EQ(r.status().code(), Code::kUnavailable);
    EXPECT_NE(r.status().message().find("certificate verification failed"), std::string::npos)
        << r.status().message();
  }
}

TEST_F(ClientTest, TimeoutWhenTheServerNeverAnswers) {
  startServer();
  ClientOptions o = trusting();
  o.timeout = 300ms;
  HttpsClient client(o);
  auto start = std::chrono::steady_clock::now();
  auto r = client.get(url("127.0.0.1", "/hold"));
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kUnavailable);
  EXPECT_NE(r.status().message().find("timed out"), std::string::npos) << r.status().message();
  EXPECT_GE(took, 290ms);
  EXPECT_LT(took, 5s);
  std::lock_guard lock(mu_);
  EXPECT_EQ(held_.size(), 1u);  // the request did reach the handler
}

TEST_F(ClientTest, TimeoutDuringTlsHandshake) {
  // A listener that never accepts: the kernel completes the TCP handshake, nobody answers TLS.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 4), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ClientOptions o = trusting();
  o.timeout = 200ms;
  HttpsClient client(o);
  auto r = client.get("https://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/");
  ::close(fd);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("timed out"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("TLS handshake"), std::string::npos) << r.status().message();
}

TEST_F(ClientTest, BodyLimit) {
  startServer();
  ClientOptions o = trusting();
  o.max_body_bytes = 10;
  HttpsClient client(o);
  auto r = client.get(url("127.0.0.1", "/big"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kResourceExhausted) << r.status().toString();
  o.max_body_bytes = 100;
  HttpsClient exact(o);
  r = exact.get(url("127.0.0.1", "/big"));
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(r->body.size(), 100u);
}

TEST_F(ClientTest, ConnectionRefused) {
  startServer();
  uint16_t port = server_->port();
  server_->stop();
  HttpsClient client(trusting());
  auto r = client.get("https://127.0.0.1:" + std::to_string(port) + "/");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kUnavailable);
}

TEST_F(ClientTest, BadTrustFile) {
  ClientOptions o;
  o.trust_files = {(dir_ / "missing.crt").string()};
  HttpsClient client(o);
  EXPECT_EQ(client.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(client.get("https://127.0.0.1/").status().code(), Code::kFailedPrecondition);
  o.trust_files = {(dir_ / "leaf.key").string()};  // no certificate in it
  EXPECT_FALSE(HttpsClient(o).status().isOk());
}

TEST(HttpsUrlTest, Parse) {
  auto u = parseHttpsUrl("https://Example.COM/a/b?c=d#e");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "example.com");
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->target, "/a/b?c=d");
  EXPECT_FALSE(u->host_is_ip);
  u = parseHttpsUrl("HTTPS://10.0.0.1:8443");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->port, 8443);
  EXPECT_EQ(u->target, "/");
  EXPECT_TRUE(u->host_is_ip);
  u = parseHttpsUrl("https://[::1]:9/x");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 9);
  EXPECT_TRUE(u->host_is_ip);
  u = parseHttpsUrl("https://h?q");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->target, "/?q");
  for (const char* bad :
       {"http://example.com/", "ftp://x", "https://", "https:///path", "https://user@host/", "https://host:/",
        "https://host:0/", "https://host:65536/", "https://host:12a/", "https://[::1/", "https://[::1]x/",
        "https://[zz]/", "https://ho st/", "https://host/a b", "https://ho%2fst/", "https://host\r\n/"}) {
    EXPECT_FALSE(parseHttpsUrl(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace zk::http
