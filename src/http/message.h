// Plain HTTP request/response values and the async handler signature (no Beast types here).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace zk::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// One parsed HTTP/1.x request, exactly as received: nothing is decoded or normalised.
// A value type; thread-compatible.
struct Request {
  std::string method;          // "GET", "POST", ... (case as received; methods are case-sensitive)
  std::string target;          // raw request-target, e.g. "/2013-04-01/hostedzone?maxitems=1"
  HeaderList headers;          // as received: names keep their case, order kept, repeats kept
  std::string body;            // de-chunked if sent with Transfer-Encoding: chunked (trailer fields, if
                               // any, are appended to `headers`)
  std::string remote_address;  // peer IP ("127.0.0.1", "::1"), no brackets
  uint16_t remote_port = 0;
  bool tls = false;  // arrived over HTTPS

  // Raw path part of `target` (before '?', still percent-encoded). For an absolute-form target
  // ("http://host/p?q", RFC 7230 §5.3.2) the scheme and authority are dropped: "/p". An empty path
  // in absolute form is "/". "*" (asterisk-form) is returned as is.
  std::string path() const;
  // Raw query part (after the first '?'), still encoded; empty when there is none.
  std::string query() const;
  // Value of the first header named `name` (ASCII case-insensitive, RFC 7230 §3.2), or nullopt.
  // The view points into `headers` and is valid while they are unchanged.
  std::optional<std::string_view> header(std::string_view name) const;
};

// What the handler sends back. The server adds Content-Length (computed from `body`; any
// Content-Length/Transfer-Encoding/Connection given here is replaced), and Date and Server unless
// given. Status must be 200..599 and header names/values must not contain CR, LF or NUL; otherwise
// the client gets a 500 instead. 204 and 304 are sent without body and Content-Length (RFC 7230
// §3.3.2); a response to HEAD carries Content-Length of `body` but no body bytes.
struct Response {
  int status = 200;
  HeaderList headers;
  std::string body;
};

// Delivers the response for one request. Call it once, from any thread, now or later; later calls
// are ignored. Copyable; when the last copy is destroyed without having been called, the client
// gets a 500. Calling it after Server::stop() does nothing.
using Responder = std::function<void(Response)>;

// Called on a server thread once per complete request (body fully read). It may respond inline or
// keep the Responder and respond later from another thread; the connection reads no further
// request until the response is written, so pipelined requests are answered in order. An exception
// escaping the handler becomes a 500 (if it had not responded yet).
using Handler = std::function<void(Request&&, Responder)>;

// ASCII case-insensitive equality (header names, tokens).
bool equalsIgnoreCase(std::string_view a, std::string_view b);

// Reason phrase for a status code ("OK", "Not Found"), "Unknown" for unregistered codes.
std::string_view reasonPhrase(int status);

}  // namespace zk::http
