// HttpsClient: Boost.Beast over OpenSSL, one io_context and connection per call, one deadline timer.
#include "http/client.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <cctype>
#include <charconv>

namespace zk::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

bool iequalsPrefix(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

bool validHostChars(std::string_view h) {
  for (char c : h) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != '_') return false;
  }
  return !h.empty();
}

}  // namespace

Result<HttpsUrl> parseHttpsUrl(const std::string& url) {
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
      return invalidArgument("URL has a space or control byte");
  }
  if (!iequalsPrefix(url, "https://")) return invalidArgument("only https:// URLs are fetched");
  std::string_view rest = std::string_view(url).substr(8);
  size_t end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  std::string_view tail = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  if (authority.find('@') != std::string_view::npos) return invalidArgument("URL has userinfo");
  HttpsUrl out;
  std::string_view host, port;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {  // RFC 3986 §3.2.2 IP-literal
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return invalidArgument("URL has an unclosed IPv6 literal");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return invalidArgument("URL has junk after the IPv6 literal");
      port = after.substr(1);
      has_port = true;
    }
    error_code ec;
    auto addr = asio::ip::make_address_v6(std::string(host), ec);
    if (ec || addr.is_v4_mapped()) return invalidArgument("URL has a bad IPv6 literal");
    out.host_is_ip = true;
  } else {
    size_t colon = authority.rfind(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      has_port = true;
    }
    if (!validHostChars(host)) return invalidArgument("URL has a bad host");
    error_code ec;
    asio::ip::make_address_v4(std::string(host), ec);
    out.host_is_ip = !ec;
  }
  if (host.empty()) return invalidArgument("URL has no host");
  out.host = std::string(host);
  for (char& c : out.host) c = char(std::tolower(static_cast<unsigned char>(c)));
  if (has_port) {
    unsigned value = 0;
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || p != port.data() + port.size() || value == 0 || value > 65535) {
      return invalidArgument("URL has a bad port");
    }
    out.port = uint16_t(value);
  }
  tail = tail.substr(0, tail.find('#'));
  out.target = tail.empty() || tail.front() != '/' ? "/" + std::string(tail) : std::string(tail);
  return out;
}

struct HttpsClient::Impl {
  asio::ssl::context ctx{asio::ssl::context::tls_client};
};

HttpsClient::HttpsClient(ClientOptions options)
    : options_(std::move(options)), impl_(std::make_unique<Impl>()) {
  SSL_CTX* ctx = impl_->ctx.native_handle();
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_default_verify_paths(ctx);  // the system store; absent on minimal systems
  for (const auto& file : options_.trust_files) {
    if (SSL_CTX_load_verify_locations(ctx, file.c_str(), nullptr) != 1) {
      init_status_ = failedPrecondition("cannot load TLS trust file " + file);
      break;
    }
  }
  ERR_clear_error();
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
}

HttpsClient::~HttpsClient() = default;

Result<ClientResponse> HttpsClient::get(const std::string& url_text) const {
  if (!init_status_.isOk()) return init_status_;
  auto url = parseHttpsUrl(url_text);
  if (!url.ok()) return url.status();

  asio::io_context ioc(1);
  tcp::resolver resolver(ioc);
  beast::ssl_stream<beast::tcp_stream> stream(ioc, impl_->ctx);
  SSL* ssl = stream.native_handle();
  if (url->host_is_ip) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), url->host.c_str());
  } else {
    SSL_set_tlsext_host_name(ssl, url->host.c_str());  // SNI, RFC 6066 §3
    SSL_set1_host(ssl, url->host.c_str());             // RFC 6125 name check of the leaf
    SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  }

  std::string host_header = url->host.find(':') != std::string::npos ? "[" + url->host + "]" : url->host;
  if (url->port != 443) host_header += ":" + std::to_string(url->port);
  bhttp::request<bhttp::empty_body> req(bhttp::verb::get, url->target, 11);
  req.set(bhttp::field::host, host_header);
  req.set(bhttp::field::user_agent, "zonekeeper");
  req.set(bhttp::field::accept, "*/*");
  req.set(bhttp::field::connection, "close");

  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(options_.max_body_bytes);
  parser.header_limit(64 * 1024);

  // One deadline for the whole exchange: on expiry the resolver and socket are cancelled and closed,
  // so the pending operation completes with an error and run() returns.
  bool timed_out = false;
  error_code result;
  std::string stage;
  asio::steady_timer deadline(ioc);
  deadline.expires_after(options_.timeout);
  deadline.async_wait([&](error_code ec) {
    if (ec) return;
    timed_out = true;
    resolver.cancel();
    error_code ignored;
    beast::get_lowest_layer(stream).socket().cancel(ignored);
    beast::get_lowest_layer(stream).socket().close(ignored);
  });
  auto finish = [&](error_code ec, const char* where) {
    result = ec;
    stage = where;
    deadline.cancel();
  };
  auto on_read = [&](error_code ec, size_t) { finish(ec, "reading the response"); };
  auto on_header = [&](error_code ec, size_t) {
    if (ec) return finish(ec, "reading the response header");
    // Boost 1.74's parser does not apply body_limit to a declared Content-Length (it compares
    // against the optional wrongly; chunked and read-to-EOF bodies are limited), so check here.
    if (auto len = parser.content_length(); len && *len > options_.max_body_bytes) {
      return finish(bhttp::error::body_limit, "reading the response");
    }
    bhttp::async_read(stream, buffer, parser, on_read);
  };
  auto on_write = [&](error_code ec, size_t) {
    if (ec) return finish(ec, "sending the request");
    bhttp::async_read_header(stream, buffer, parser, on_header);
  };
  auto on_handshake = [&](error_code ec) {
    if (ec) return finish(ec, "TLS handshake");
    bhttp::async_write(stream, req, on_write);
  };
  auto on_connect = [&](error_code ec, const tcp::endpoint&) {
    if (ec) return finish(ec, "connecting");
    stream.async_handshake(asio::ssl::stream_base::client, on_handshake);
  };
  auto on_resolve = [&](error_code ec, tcp::resolver::results_type results) {
    if (ec) return finish(ec, "resolving the host");
    if (timed_out) return finish(asio::error::operation_aborted, "resolving the host");
    asio::async_connect(beast::get_lowest_layer(stream).socket(), results, on_connect);
  };
  if (url->host_is_ip) {
    error_code ec;
    tcp::endpoint ep(asio::ip::make_address(url->host, ec), url->port);
    beast::get_lowest_layer(stream).socket().async_connect(ep, [&](error_code e) { on_connect(e, ep); });
  } else {
    resolver.async_resolve(url->host, std::to_string(url->port), on_resolve);
  }
  ioc.run();

  if (timed_out) {
    return unavailable("GET " + url_text + ": timed out after " + std::to_string(options_.timeout.count()) +
                       " ms while " + stage);
  }
  if (result) {
    if (result == bhttp::error::body_limit) {
      return resourceExhausted("GET " + url_text + ": response body larger than " +
                               std::to_string(options_.max_body_bytes) + " bytes");
    }
    std::string detail = result.message();
    long verify = SSL_get_verify_result(ssl);
    if (stage == "TLS handshake" && verify != X509_V_OK) {
      detail = std::string("certificate verification failed: ") + X509_verify_cert_error_string(verify);
    }
    ERR_clear_error();
    return unavailable("GET " + url_text + ": " + stage + ": " + detail);
  }
  error_code ignored;
  beast::get_lowest_layer(stream).socket().close(ignored);
  auto& res = parser.get();
  ClientResponse out;
  out.status = static_cast<int>(res.result_int());
  out.body = std::move(res.body());
  if (auto it = res.find(bhttp::field::content_type); it != res.end())
    out.content_type = std::string(it->value());
  return out;
}

}  // namespace zk::http
