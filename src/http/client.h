// Outbound HTTPS GET client (OIDC discovery, JWKS): verified TLS, one connection per call, timeout.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"

namespace zk::http {

struct ClientOptions {
  // PEM CA files trusted in addition to the system default store (serve --tls-trust-file FILE).
  std::vector<std::string> trust_files;
  // Bounds the whole call: resolve, connect, TLS handshake, request and response.
  std::chrono::milliseconds timeout{std::chrono::seconds(5)};
  size_t max_body_bytes = 1 << 20;  // a larger response body fails the call (kResourceExhausted)
};

struct ClientResponse {
  int status = 0;
  std::string body;
  std::string content_type;  // the Content-Type header, "" when absent
};

// URL parts as the client understands them: "https://host[:port][/path][?query]".
struct HttpsUrl {
  std::string host;  // a DNS name, an IPv4 literal, or an IPv6 literal without brackets
  uint16_t port = 443;
  std::string target;  // "/path?query" ("/" when empty); the fragment is dropped
  bool host_is_ip = false;
};
// kInvalidArgument for other schemes, userinfo ("user@host"), an empty host, a bad port, spaces or
// control characters.
Result<HttpsUrl> parseHttpsUrl(const std::string& url);

// HTTPS only. Verifies the certificate chain (system store + trust_files) and the host name
// (RFC 6125 via OpenSSL: DNS names against SAN DNS entries, IP literals against SAN IP entries);
// SNI is sent for DNS names (RFC 6066 §3 forbids IP literals there). TLS 1.2+. Follows no
// redirects: a 3xx comes back as a response. Any status is a response; errors are transport
// failures: kInvalidArgument (URL), kUnavailable (resolve, connect, TLS, verification, timeout,
// malformed response), kResourceExhausted (body over max_body_bytes), kFailedPrecondition (a
// trust file could not be loaded at construction).
// Thread-safe: the TLS context is built once and only read; each get() uses its own connection and
// io_context, and blocks the calling thread for at most about `timeout`.
class HttpsClient {
 public:
  explicit HttpsClient(ClientOptions options);
  ~HttpsClient();
  HttpsClient(const HttpsClient&) = delete;
  HttpsClient& operator=(const HttpsClient&) = delete;

  // Non-ok when the trust files could not be loaded; every get() then fails with it.
  const Status& status() const { return init_status_; }

  Result<ClientResponse> get(const std::string& url) const;

 private:
  struct Impl;
  ClientOptions options_;
  Status init_status_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace zk::http
