// HTTP/1.1 server (plain or TLS) calling one async Handler per request; Beast stays behind a pimpl.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "base/result.h"
#include "http/message.h"

namespace zk::http {

struct ServerConfig {
  // "host:port" or "[v6]:port"; host is an IPv4/IPv6 literal or "localhost" (127.0.0.1).
  // Port 0 binds an ephemeral port (see Server::port()).
  std::string listen = "127.0.0.1:9353";
  int threads = 2;                          // I/O threads; handlers run on them (values < 1 mean 1)
  size_t max_body_bytes = 2 * 1024 * 1024;  // larger (declared or chunked) body -> 413, close
  size_t max_header_bytes = 64 * 1024;      // request line + header fields -> 431, close
  // Timeouts are milliseconds so tests can use short ones; `std::chrono::seconds(5)` converts.
  // read: from the first byte of a request (from accept, incl. TLS handshake, for the first one)
  // until its body is complete; also bounds writing each response. Expiry closes the connection.
  std::chrono::milliseconds read_timeout{std::chrono::seconds(30)};
  // idle: keep-alive wait for the first byte of the next request; expiry closes silently.
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};
  // handler: how long a request may wait for its Responder; expiry sends 503 and closes, and a
  // later call of that Responder is ignored.
  std::chrono::milliseconds handler_timeout{std::chrono::seconds(60)};
  size_t max_connections = 1024;  // further accepted connections are closed at once
  int ip_ttl = 0;                 // IP TTL / hop limit of accepted connections; 0 = the system default
  // Open connections from one peer address at most (further ones are closed at once); 0 = no limit.
  size_t max_connections_per_address = 64;
  // Bytes a request may carry before the layer above vouches for it: when `may_send_large_body` is
  // set and answers false for a request's head (request line and header fields, before any body byte
  // is read), a body larger than `untrusted_body_bytes` (declared, or while de-chunking) gets 413 and
  // a close, without 100 Continue. Empty: every request may send up to max_body_bytes. Called on the
  // I/O thread; must be thread-safe and must not block.
  size_t untrusted_body_bytes = 64 * 1024;
  std::function<bool(const Request& head)> may_send_large_body;
  // Hand freed heap pages back to the system (malloc_trim) when the last open connection closes, so
  // a burst of connections does not leave the process at its peak size.
  bool trim_memory_when_idle = true;
  // Both set -> this listener speaks HTTPS only (TLS 1.2+), PEM files. One set -> start() fails.
  std::string tls_cert_file, tls_key_file;
};

// Thread-safety: start(), stop() and port() may be called from any thread but not concurrently
// with each other, and never from inside a handler (stop() joins the server threads).
// The Handler is called concurrently for different connections; it must be thread-safe.
// Never throws.
class Server {
 public:
  Server(ServerConfig config, Handler handler);
  ~Server();  // calls stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Loads the certificate (if configured), binds, listens and starts the threads. Errors:
  // kInvalidArgument (bad listen address, unreadable or mismatched cert/key, only one TLS file),
  // kUnavailable (bind/listen failed, e.g. port in use), kFailedPrecondition (already started or
  // stopped). After a failed start nothing is left bound and start() may be called again.
  Status start();
  // The bound port while running (the real one when configured with port 0); 0 before a
  // successful start() and after stop().
  uint16_t port() const;
  // Prompt: stops accepting, closes every connection (idle or busy) without waiting for pending
  // Responders, waits for handler calls currently running to return, joins the threads.
  // Idempotent. A Server cannot be restarted.
  void stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace zk::http
