// HTTP/1.1 server on Boost.Beast/Asio: accept loop, per-connection sessions (plain or TLS), limits.
#include "http/server.h"

#include <malloc.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <vector>

namespace zk::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr size_t kReadChunk = 16 * 1024;            // first read of a keep-alive request
constexpr size_t kMaxDrainBytes = 4 * 1024 * 1024;  // discarded after a final response, before close
constexpr std::chrono::milliseconds kMaxLingerTime{2000};

std::string_view sv(beast::string_view s) { return {s.data(), s.size()}; }

// State shared by the server, its sessions and every Responder (which may outlive the server).
struct Core {
  ServerConfig config;
  Handler handler;
  std::unique_ptr<ssl::context> tls;
  std::atomic<size_t> connections{0};
  std::mutex addresses_mu;
  std::unordered_map<std::string, size_t> per_address;  // open connections by peer address; guarded
  std::mutex mu;                                        // held while posting into the io_context
  bool stopped = false;  // guarded by mu; once true, nothing is posted any more
};

// A connection from `address` ended (the acceptor counted it in Core::per_address).
void releaseAddress(Core& core, const std::string& address) {
  std::lock_guard lock(core.addresses_mu);
  auto it = core.per_address.find(address);
  if (it != core.per_address.end() && --it->second == 0) core.per_address.erase(it);
}

// RFC 7231 §7.1.1.1 IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT" (locale-independent).
std::string httpDate(std::chrono::system_clock::time_point now) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday], tm.tm_mday,
                kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

// RFC 7230 §3.2.6 token characters.
bool isToken(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

// RFC 7230 §3.2: field-value = *( field-content / obs-fold ); we refuse anything that could split
// the response (CR, LF) or that no client accepts (NUL, other controls except HTAB).
bool isFieldValue(std::string_view s) {
  for (unsigned char c : s) {
    if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
  }
  return true;
}

Result<tcp::endpoint> parseListen(const std::string& listen) {
  std::string_view s = listen;
  std::string_view host, port;
  if (!s.empty() && s.front() == '[') {
    size_t close = s.find(']');
    if (close == std::string_view::npos || close + 1 >= s.size() || s[close + 1] != ':') {
      return invalidArgument("listen address '" + listen + "': expected [v6]:port");
    }
    host = s.substr(1, close - 1);
    port = s.substr(close + 2);
  } else {
    size_t colon = s.rfind(':');
    if (colon == std::string_view::npos || s.find(':') != colon) {
      return invalidArgument("listen address '" + listen + "': expected host:port or [v6]:port");
    }
    host = s.substr(0, colon);
    port = s.substr(colon + 1);
  }
  unsigned port_num = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), port_num);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || port_num > 65535) {
    return invalidArgument("listen address '" + listen + "': bad port");
  }
  if (host == "localhost") host = "127.0.0.1";
  error_code aec;
  asio::ip::address addr = asio::ip::make_address(std::string(host), aec);
  if (aec) return invalidArgument("listen address '" + listen + "': bad IP address");
  return tcp::endpoint(addr, static_cast<uint16_t>(port_num));
}

Result<std::unique_ptr<ssl::context>> makeTlsContext(const ServerConfig& config) {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                   ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::no_compression);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  error_code ec;
  ctx->use_certificate_chain_file(config.tls_cert_file, ec);
  if (ec) {
    return invalidArgument("tls: cannot load certificate chain '" + config.tls_cert_file +
                           "': " + ec.message());
  }
  ctx->use_private_key_file(config.tls_key_file, ssl::context::pem, ec);
  if (ec)
    return invalidArgument("tls: cannot load private key '" + config.tls_key_file + "': " + ec.message());
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    return invalidArgument("tls: private key does not match the certificate");
  }
  return ctx;
}

Response plainResponse(int status, std::string text) {
  return Response{status, {{"Content-Type", "text/plain; charset=utf-8"}}, std::move(text) + "\n"};
}

// Beast's parser feeding our Request directly, so fields keep their exact order (Beast's own
// `fields` container groups repeated names together). Chunked-body trailer fields are appended to
// the headers after the header fields.
class RequestParser final : public bhttp::basic_parser<true> {
 public:
  Request& request() { return req_; }
  int version() const { return version_; }

 private:
  void on_request_impl(bhttp::verb, beast::string_view method, beast::string_view target, int version,
                       error_code&) override {
    req_.method.assign(method.data(), method.size());
    req_.target.assign(target.data(), target.size());
    version_ = version;
  }
  void on_response_impl(int, beast::string_view, int, error_code&) override {}
  void on_field_impl(bhttp::field, beast::string_view name, beast::string_view value, error_code&) override {
    req_.headers.emplace_back(sv(name), sv(value));
  }
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code&) override {
    // Already checked against body_limit by the parser, so reserving is bounded.
    if (length) req_.body.reserve(static_cast<size_t>(*length));
  }
  size_t on_body_impl(beast::string_view body, error_code&) override {
    req_.body.append(body.data(), body.size());
    return body.size();
  }
  void on_chunk_header_impl(std::uint64_t, beast::string_view, error_code&) override {}
  size_t on_chunk_body_impl(std::uint64_t, beast::string_view body, error_code&) override {
    req_.body.append(body.data(), body.size());
    return body.size();
  }
  void on_finish_impl(error_code&) override {}

  Request req_;
  int version_ = 11;
};

// True when the buffered request line names an HTTP major version we do not speak ("HTTP/2.0").
bool isUnsupportedVersion(std::string_view buffered) {
  std::string_view line = buffered.substr(0, buffered.find("\r\n"));
  if (line.size() < 9) return false;
  std::string_view v = line.substr(line.size() - 8);  // "HTTP/d.d"
  return v.substr(0, 5) == "HTTP/" && v[5] >= '2' && v[5] <= '9' && v[6] == '.' && v[7] >= '0' && v[7] <= '9';
}

// A connection as seen by Responders: lets them post a response into the connection's strand.
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Posts onto the session's strand. Caller holds Core::mu and has checked Core::stopped.
  virtual void postResponse(std::shared_ptr<SessionBase> self, uint64_t seq, Response response) = 0;
};

// Shared by all copies of one Responder: enforces "once" and turns a dropped responder into a 500.
class ResponderState {
 public:
  ResponderState(std::shared_ptr<Core> core, std::weak_ptr<SessionBase> session, uint64_t seq)
      : core_(std::move(core)), session_(std::move(session)), seq_(seq) {}
  ~ResponderState() {
    if (!done_.exchange(true)) send(plainResponse(500, "request dropped by handler"));
  }
  ResponderState(const ResponderState&) = delete;
  ResponderState& operator=(const ResponderState&) = delete;

  void respond(Response response) {
    if (!done_.exchange(true)) send(std::move(response));
  }

 private:
  void send(Response response) noexcept {
    try {
      std::lock_guard lock(core_->mu);
      if (core_->stopped) return;
      std::shared_ptr<SessionBase> session = session_.lock();
      if (!session) return;
      SessionBase* raw = session.get();
      raw->postResponse(std::move(session), seq_, std::move(response));
    } catch (...) {
      // Out of memory while posting: the handler timeout closes the connection.
    }
  }

  std::shared_ptr<Core> core_;
  std::weak_ptr<SessionBase> session_;
  uint64_t seq_;
  std::atomic<bool> done_{false};
};

// One connection. Every member runs on the connection's strand (the stream's executor).
// Life: handshake (TLS) -> [read header -> (100 Continue) -> read body -> handler -> write] * -> close.
template <bool kTls>
class Session final : public SessionBase, public std::enable_shared_from_this<Session<kTls>> {
  using Stream = std::conditional_t<kTls, beast::ssl_stream<beast::tcp_stream>, beast::tcp_stream>;
  enum class Phase { kReading, kHandling, kWriting, kClosing };

 public:
  // `remote` is the peer, already counted in Core::per_address by the acceptor (released here).
  Session(tcp::socket&& socket, std::shared_ptr<Core> core, std::string remote_address, uint16_t remote_port)
      : core_(std::move(core)),
        stream_(makeStream(std::move(socket), *core_)),
        handler_timer_(stream_.get_executor()),
        remote_address_(std::move(remote_address)),
        remote_port_(remote_port) {
    ++core_->connections;
  }
  ~Session() override {
    releaseAddress(*core_, remote_address_);
    // The last connection gone: give its buffers' pages back (glibc keeps freed heap otherwise, so
    // the process would stay at the size of its largest burst of connections).
    if (--core_->connections == 0 && config().trim_memory_when_idle) ::malloc_trim(0);
  }

  void run() {
    asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] { self->start(); });
  }

  void postResponse(std::shared_ptr<SessionBase> self, uint64_t seq, Response response) override {
    asio::post(stream_.get_executor(),
               [this, self = std::move(self), seq, r = std::move(response)]() mutable {
                 onResponse(seq, std::move(r));
               });
  }

 private:
  static Stream makeStream(tcp::socket&& socket, Core& core) {
    if constexpr (kTls) {
      return Stream(std::move(socket), *core.tls);
    } else {
      return Stream(std::move(socket));
    }
  }

  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }
  const ServerConfig& config() const { return core_->config; }

  void start() {
    // The first request's read deadline runs from accept and covers the TLS handshake.
    lowest().expires_after(config().read_timeout);
    if constexpr (kTls) {
      stream_.async_handshake(ssl::stream_base::server, [self = this->shared_from_this()](error_code ec) {
        if (!ec) self->readHeader();
      });
    } else {
      readHeader();
    }
  }

  // Keep-alive: wait up to idle_timeout for the next request's first byte (unless pipelined bytes
  // are already buffered), then give the whole request read_timeout.
  void awaitNext() {
    phase_ = Phase::kReading;
    if (buffer_.size() > 0) {
      lowest().expires_after(config().read_timeout);
      readHeader();
      return;
    }
    lowest().expires_after(config().idle_timeout);
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            [self = this->shared_from_this()](error_code ec, size_t n) {
                              if (ec) return;  // idle timeout, peer closed, or stop
                              self->buffer_.commit(n);
                              self->lowest().expires_after(self->config().read_timeout);
                              self->readHeader();
                            });
  }

  void readHeader() {
    phase_ = Phase::kReading;
    head_ = false;
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(
        std::min<size_t>(config().max_header_bytes, std::numeric_limits<uint32_t>::max())));
    parser_->body_limit(config().max_body_bytes);
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](error_code ec, size_t) { self->onHeader(ec); });
  }

  void onHeader(error_code ec) {
    if (ec) return onReadError(ec);
    // Until the layer above vouches for the request (e.g. it carries credentials), only a small body
    // is read: a client cannot make us buffer max_body_bytes per connection for free.
    if (config().may_send_large_body && !parser_->is_done() && !trustedHead()) {
      const auto declared = parser_->content_length();
      if (declared && *declared > config().untrusted_body_bytes)
        return writeResponse(plainResponse(413, "request body too large for a request without credentials"),
                             true);
      if (!declared)
        parser_->body_limit(config().untrusted_body_bytes);  // chunked: counted while de-chunking
    }
    // RFC 7231 §5.1.1: answer "100-continue" (ignored for HTTP/1.0) before reading the body, unless
    // the body is absent or already refused (413 came from the declared Content-Length).
    std::optional<std::string_view> expect = parser_->request().header("Expect");
    if (expect && parser_->version() == 11 && !parser_->is_done()) {
      if (!equalsIgnoreCase(*expect, "100-continue")) {
        return writeResponse(plainResponse(417, "unsupported expectation"), true);
      }
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                        [self = this->shared_from_this()](error_code ec, size_t) {
                          if (!ec) self->readBody();
                        });
      return;
    }
    readBody();
  }

  bool trustedHead() {
    try {
      return config().may_send_large_body(parser_->request());
    } catch (...) {
      return false;
    }
  }

  void readBody() {
    if (parser_->is_done()) return onRequest();
    bhttp::async_read(stream_, buffer_, *parser_, [self = this->shared_from_this()](error_code ec, size_t) {
      if (ec) return self->onReadError(ec);
      self->onRequest();
    });
  }

  void onReadError(error_code ec) {
    if (ec == bhttp::error::header_limit) {
      return writeResponse(plainResponse(431, "request header fields too large"), true);
    }
    if (ec == bhttp::error::body_limit)
      return writeResponse(plainResponse(413, "request body too large"), true);
    // end_of_stream: clean close between requests; partial_message: peer went away mid-request.
    if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) return;
    if (ec == bhttp::error::bad_version) {
      const auto data = buffer_.cdata();
      if (isUnsupportedVersion(std::string_view(static_cast<const char*>(data.data()), data.size()))) {
        return writeResponse(plainResponse(505, "only HTTP/1.0 and HTTP/1.1 are supported"), true);
      }
    }
    if (ec.category() == error_code(bhttp::error::bad_method).category() ||
        ec == bhttp::error::buffer_overflow) {
      return writeResponse(plainResponse(400, "malformed request"), true);
    }
    // Timeout (the stream already closed the socket), reset, TLS failure, stop: just drop.
  }

  void onRequest() {
    version_ = parser_->version();
    bool keep_alive = parser_->keep_alive();
    Request req = std::move(parser_->request());
    parser_.reset();
    head_ = req.method == "HEAD";
    // RFC 7230 §5.4: 400 for an HTTP/1.1 request without Host, and for any with more than one.
    size_t hosts = 0;
    for (const auto& h : req.headers) hosts += equalsIgnoreCase(h.first, "Host") ? 1 : 0;
    if (hosts > 1 || (hosts == 0 && version_ == 11)) {
      return writeResponse(plainResponse(400, "missing or repeated Host header"), true);
    }
    req.remote_address = remote_address_;
    req.remote_port = remote_port_;
    req.tls = kTls;

    close_after_ = !keep_alive;
    phase_ = Phase::kHandling;
    uint64_t seq = ++seq_;
    lowest().expires_never();
    handler_timer_.expires_after(config().handler_timeout);
    handler_timer_.async_wait([self = this->shared_from_this(), seq](error_code ec) {
      if (!ec) self->onHandlerTimeout(seq);
    });

    auto state = std::make_shared<ResponderState>(core_, this->weak_from_this(), seq);
    try {
      core_->handler(std::move(req), [state](Response r) { state->respond(std::move(r)); });
    } catch (...) {
      state->respond(plainResponse(500, "internal error"));
    }
  }

  void onResponse(uint64_t seq, Response response) {
    if (phase_ != Phase::kHandling || seq != seq_) return;
    handler_timer_.cancel();
    writeResponse(std::move(response), close_after_);
  }

  void onHandlerTimeout(uint64_t seq) {
    if (phase_ != Phase::kHandling || seq != seq_) return;
    writeResponse(plainResponse(503, "handler did not respond in time"), true);
  }

  static bool validResponse(const Response& r) {
    if (r.status < 200 || r.status > 599) return false;
    for (const auto& [name, value] : r.headers) {
      if (!isToken(name) || !isFieldValue(value)) return false;
    }
    return true;
  }

  // RFC 7230 §3.1.2 status-line, §3.2 header fields; fields keep the handler's order.
  void serialize(Response r, bool close) {
    std::string& out = out_head_;
    out.clear();
    out += "HTTP/1.1 ";
    out += std::to_string(r.status);
    out += ' ';
    out += reasonPhrase(r.status);
    out += "\r\n";
    bool has_date = false, has_server = false;
    for (const auto& [name, value] : r.headers) {
      if (equalsIgnoreCase(name, "Content-Length") || equalsIgnoreCase(name, "Transfer-Encoding") ||
          equalsIgnoreCase(name, "Connection")) {
        continue;
      }
      has_date = has_date || equalsIgnoreCase(name, "Date");
      has_server = has_server || equalsIgnoreCase(name, "Server");
      out += name;
      out += ": ";
      out += value;
      out += "\r\n";
    }
    // RFC 7231 §7.1.1.2: an origin server with a clock MUST send Date.
    if (!has_date) out += "Date: " + httpDate(std::chrono::system_clock::now()) + "\r\n";
    if (!has_server) out += "Server: zonekeeper\r\n";
    if (close) {
      out += "Connection: close\r\n";
    } else if (version_ == 10) {
      out += "Connection: keep-alive\r\n";
    }
    // RFC 7230 §3.3.2: no Content-Length in 204; a 304 has no body. HEAD gets the length only.
    out_body_.clear();
    if (r.status != 204 && r.status != 304) {
      out += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
      if (!head_) out_body_ = std::move(r.body);
    }
    out += "\r\n";
  }

  void writeResponse(Response response, bool close) {
    phase_ = Phase::kWriting;
    close_after_ = close;
    try {
      if (validResponse(response)) {
        serialize(std::move(response), close);
      } else {
        serialize(plainResponse(500, "handler produced an invalid response"), close);
      }
    } catch (...) {
      return;  // out of memory: drop the connection
    }
    lowest().expires_after(config().read_timeout);
    std::array<asio::const_buffer, 2> buffers{asio::buffer(out_head_), asio::buffer(out_body_)};
    asio::async_write(stream_, buffers, [self = this->shared_from_this()](error_code ec, size_t) {
      self->out_body_ = std::string();
      if (ec) return;
      if (self->close_after_) return self->closeGracefully();
      self->awaitNext();
    });
  }

  // RFC 7230 §6.6: half-close, then read and discard for a while so that unread request bytes do
  // not make the kernel reset the connection before the client has read our final response.
  void closeGracefully() {
    phase_ = Phase::kClosing;
    lowest().expires_after(std::min(config().read_timeout, kMaxLingerTime));
    if constexpr (kTls) {
      stream_.async_shutdown([self = this->shared_from_this()](error_code) {});
    } else {
      error_code ec;
      lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
      if (ec) return;
      buffer_.clear();
      drain();
    }
  }

  void drain() {
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            [self = this->shared_from_this()](error_code ec, size_t n) {
                              self->drained_ += n;
                              if (ec || self->drained_ > kMaxDrainBytes) return;
                              self->drain();
                            });
  }

  std::shared_ptr<Core> core_;
  Stream stream_;
  asio::steady_timer handler_timer_;
  beast::flat_buffer buffer_;
  std::optional<RequestParser> parser_;
  std::string out_head_, out_body_;
  std::string remote_address_;
  uint16_t remote_port_ = 0;
  Phase phase_ = Phase::kReading;
  uint64_t seq_ = 0;  // request number on this connection; ties a Responder to its request
  int version_ = 11;
  bool head_ = false;
  bool close_after_ = false;
  size_t drained_ = 0;
};

}  // namespace

class Server::Impl {
 public:
  Impl(ServerConfig config, Handler handler) : core_(std::make_shared<Core>()) {
    core_->config = std::move(config);
    core_->handler = std::move(handler);
  }

  Status start() {
    if (started_) return failedPrecondition("http server already started");
    {
      std::lock_guard lock(core_->mu);
      if (core_->stopped) return failedPrecondition("http server was stopped");
    }
    try {
      Status s = startImpl();
      started_ = s.isOk();  // a failed start leaves nothing behind and may be retried
      return s;
    } catch (const std::exception& e) {
      started_ = true;  // threads may be half started: stop them, and refuse to start again
      stop();
      return internalError(std::string("http server start: ") + e.what());
    }
  }

  uint16_t port() const { return port_.load(); }

  void stop() {
    {
      std::lock_guard lock(core_->mu);
      core_->stopped = true;
    }
    if (ioc_) ioc_->stop();
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
    threads_.clear();
    // No thread runs now: closing here is safe. Destroying the io_context destroys the pending
    // operations, which own the sessions, which close their sockets.
    accept_timer_.reset();
    acceptor_.reset();
    ioc_.reset();
    port_ = 0;
  }

 private:
  Status startImpl() {
    const ServerConfig& config = core_->config;
    if (config.tls_cert_file.empty() != config.tls_key_file.empty()) {
      return invalidArgument("tls: tls_cert_file and tls_key_file must be set together");
    }
    if (!config.tls_cert_file.empty()) {
      auto ctx = makeTlsContext(config);
      if (!ctx.ok()) return ctx.status();
      core_->tls = std::move(ctx).value();
    }
    auto endpoint = parseListen(config.listen);
    if (!endpoint.ok()) return endpoint.status();

    int threads = std::max(1, config.threads);
    ioc_.emplace(threads);
    acceptor_.emplace(asio::make_strand(*ioc_));
    accept_timer_.emplace(acceptor_->get_executor());
    error_code ec;
    auto fail = [&](const char* what) {
      Status s = unavailable(std::string("http listen ") + config.listen + ": " + what + ": " + ec.message());
      acceptor_.reset();
      accept_timer_.reset();
      ioc_.reset();
      return s;
    };
    if (acceptor_->open(endpoint->protocol(), ec); ec) return fail("open");
    if (acceptor_->set_option(asio::socket_base::reuse_address(true), ec); ec) return fail("setsockopt");
    if (acceptor_->bind(*endpoint, ec); ec) return fail("bind");
    if (acceptor_->listen(asio::socket_base::max_listen_connections, ec); ec) return fail("listen");
    tcp::endpoint local = acceptor_->local_endpoint(ec);
    if (ec) return fail("local_endpoint");
    port_ = local.port();

    accept();
    threads_.reserve(static_cast<size_t>(threads));
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { runLoop(); });
    return Status::ok();
  }

  void runLoop() {
    for (;;) {
      try {
        ioc_->run();
        return;
      } catch (...) {
        // A completion handler threw (only std::bad_alloc is plausible): keep serving.
      }
    }
  }

  void accept() {
    acceptor_->async_accept(asio::make_strand(*ioc_), [this](error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted) return;
      if (ec) {
        // E.g. EMFILE: back off briefly instead of spinning.
        accept_timer_->expires_after(std::chrono::milliseconds(20));
        accept_timer_->async_wait([this](error_code wec) {
          if (!wec) accept();
        });
        return;
      }
      onAccepted(std::move(socket));
      accept();
    });
  }

  void onAccepted(tcp::socket socket) {
    error_code ec;
    if (core_->connections.load() >= core_->config.max_connections) {
      socket.close(ec);
      return;
    }
    tcp::endpoint remote = socket.remote_endpoint(ec);
    if (ec) {
      socket.close(ec);
      return;
    }
    std::string address = remote.address().to_string();
    {
      // Counted here, on the acceptor's strand, so the check and the increment cannot interleave with
      // another accept; the session releases it when it ends.
      std::lock_guard lock(core_->addresses_mu);
      size_t& n = core_->per_address[address];
      if (core_->config.max_connections_per_address > 0 && n >= core_->config.max_connections_per_address) {
        if (n == 0) core_->per_address.erase(address);
        socket.close(ec);
        return;
      }
      ++n;
    }
    socket.set_option(tcp::no_delay(true), ec);
    if (core_->config.ip_ttl > 0) {
      // The hop limit of every packet sent back (IMDS: 1, so answers cannot cross a router).
      const int ttl = core_->config.ip_ttl;
      if (socket.local_endpoint(ec).address().is_v6())
        ::setsockopt(socket.native_handle(), IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof(ttl));
      else
        ::setsockopt(socket.native_handle(), IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl));
    }
    if (core_->tls) {
      startSession<true>(std::move(socket), address, remote.port());
    } else {
      startSession<false>(std::move(socket), address, remote.port());
    }
  }

  template <bool kTls>
  void startSession(tcp::socket&& socket, const std::string& address, uint16_t port) {
    std::shared_ptr<Session<kTls>> session;
    try {
      session = std::make_shared<Session<kTls>>(std::move(socket), core_, address, port);
    } catch (...) {
      releaseAddress(*core_, address);  // no session to release it; the socket closes with it
      return;
    }
    try {
      session->run();
    } catch (...) {
      // Allocation failure: the socket closes with the failed session, which releases the address.
    }
  }

  std::shared_ptr<Core> core_;
  bool started_ = false;
  std::atomic<uint16_t> port_{0};
  std::optional<asio::io_context> ioc_;
  std::optional<tcp::acceptor> acceptor_;
  std::optional<asio::steady_timer> accept_timer_;
  std::vector<std::thread> threads_;
};

Server::Server(ServerConfig config, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(handler))) {}

Server::~Server() { stop(); }

Status Server::start() { return impl_->start(); }

uint16_t Server::port() const { return impl_->port(); }

void Server::stop() { impl_->stop(); }

}  // namespace zk::http
