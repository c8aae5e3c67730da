// Minimal blocking HTTP/1.1 client over a raw socket (optionally OpenSSL) for the server tests.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/message.h"

namespace zk::http::testing {

struct ParsedResponse {
  int status = 0;
  std::string reason;
  HeaderList headers;
  std::string body;

  std::optional<std::string> header(std::string_view name) const {
    for (const auto& [n, v] : headers) {
      if (equalsIgnoreCase(n, name)) return v;
    }
    return std::nullopt;
  }
  size_t headerCount(std::string_view name) const {
    size_t n = 0;
    for (const auto& h : headers) n += equalsIgnoreCase(h.first, name) ? 1 : 0;
    return n;
  }
};

// One TCP connection to 127.0.0.1:port. Reads block for at most `timeout` each (SO_RCVTIMEO).
class TestClient {
 public:
  TestClient() = default;
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;
  ~TestClient() { close(); }

  bool connect(uint16_t port, std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) return false;
    setTimeout(timeout);
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }

  // TLS over the connected socket; verifies the server certificate against `ca_file` for IP
  // 127.0.0.1. `max_version` 0 means no cap.
  bool startTls(const std::string& ca_file, int max_version = 0, int security_level = -1) {
    ctx_ = SSL_CTX_new(TLS_client_method());
    if (!ctx_) return false;
    if (security_level >= 0) SSL_CTX_set_security_level(ctx_, security_level);
    if (max_version != 0) {
      SSL_CTX_set_min_proto_version(ctx_, 0);
      SSL_CTX_set_max_proto_version(ctx_, max_version);
    }
    if (SSL_CTX_load_verify_locations(ctx_, ca_file.c_str(), nullptr) != 1) return false;
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    ssl_ = SSL_new(ctx_);
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), "127.0.0.1");
    SSL_set_fd(ssl_, fd_);
    bool ok = SSL_connect(ssl_) == 1;
    ERR_clear_error();
    return ok;
  }
  int tlsVersion() const { return ssl_ ? SSL_version(ssl_) : 0; }

  void setTimeout(std::chrono::milliseconds timeout) {
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }

  uint16_t localPort() const {
    sockaddr_in addr{};
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    return ntohs(addr.sin_port);
  }

  bool send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ssl_ ? SSL_write(ssl_, data.data(), static_cast<int>(data.size()))
                       : ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads one response (an interim 1xx one too). nullopt on EOF, error or timeout before it is
  // complete. `head`: the request was HEAD, so no body follows whatever Content-Length says.
  std::optional<ParsedResponse> readResponse(bool head = false) {
    size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (!fill()) return std::nullopt;
    }
    std::string head_text = buf_.substr(0, end);
    buf_.erase(0, end + 4);
    ParsedResponse r;
    size_t line_end = head_text.find("\r\n");
    std::string status_line = head_text.substr(0, line_end);
    // "HTTP/1.1 200 OK"
    if (status_line.size() < 12 || status_line.compare(0, 5, "HTTP/") != 0) return std::nullopt;
    r.status = std::atoi(status_line.substr(9, 3).c_str());
    r.reason = status_line.size() > 13 ? status_line.substr(13) : "";
    size_t pos = line_end == std::string::npos ? head_text.size() : line_end + 2;
    while (pos < head_text.size()) {
      size_t e = head_text.find("\r\n", pos);
      if (e == std::string::npos) e = head_text.size();
      std::string line = head_text.substr(pos, e - pos);
      size_t colon = line.find(':');
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      r.headers.emplace_back(line.substr(0, colon), value);
      pos = e + 2;
    }
    if (r.status < 200 || r.status == 204 || r.status == 304 || head) return r;
    auto cl = r.header("Content-Length");
    if (!cl) return std::nullopt;  // the server always sends it
    size_t len = std::stoul(*cl);
    while (buf_.size() < len) {
      if (!fill()) return std::nullopt;
    }
    r.body = buf_.substr(0, len);
    buf_.erase(0, len);
    return r;
  }

  // Sends `request` and reads the response.
  std::optional<ParsedResponse> roundTrip(std::string_view request, bool head = false) {
    if (!send(request)) return std::nullopt;
    return readResponse(head);
  }

  // True when the server closed the connection (EOF or reset) with no further bytes, within the
  // socket timeout. Bytes received before the close make it false.
  bool closedByPeer() {
    if (!buf_.empty()) return false;
    char c;
    ssize_t n = ssl_ ? SSL_read(ssl_, &c, 1) : ::recv(fd_, &c, 1, 0);
    if (n > 0) {
      buf_.push_back(c);
      return false;
    }
    if (ssl_) {
      int err = SSL_get_error(ssl_, static_cast<int>(n));
      ERR_clear_error();
      return err == SSL_ERROR_ZERO_RETURN || err == SSL_ERROR_SYSCALL || err == SSL_ERROR_SSL;
    }
    return n == 0 || errno == ECONNRESET;
  }

  // Everything received until EOF/timeout (for responses we do not parse).
  std::string readAll() {
    while (fill()) {
    }
    return std::exchange(buf_, {});
  }

  void close() {
    if (ssl_) SSL_free(ssl_);
    if (ctx_) SSL_CTX_free(ctx_);
    ssl_ = nullptr;
    ctx_ = nullptr;
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  bool fill() {
    char tmp[16384];
    ssize_t n = ssl_ ? SSL_read(ssl_, tmp, sizeof tmp) : ::recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) {
      ERR_clear_error();
      return false;
    }
    buf_.append(tmp, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  std::string buf_;
};

}  // namespace zk::http::testing
