// Tests for the HTTP/1.1 server over real loopback sockets: framing, keep-alive, limits, timeouts.
#include "http/server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <regex>
#include <thread>

#include "http_test_client.h"

namespace zk::http {
namespace {

using namespace std::chrono_literals;
using testing::ParsedResponse;
using testing::TestClient;
using Clock = std::chrono::steady_clock;

// Records every request and answers 200 with the request body echoed and a few facts as headers.
struct Recorder {
  std::mutex mu;
  std::vector<Request> requests;

  Handler echo() {
    return [this](Request&& req, Responder respond) {
      Response res;
      res.headers = {{"X-Method", req.method}, {"X-Target", req.target}};
      res.body = req.body;
      {
        std::lock_guard lock(mu);
        requests.push_back(std::move(req));
      }
      respond(std::move(res));
    };
  }
  Request last() {
    std::lock_guard lock(mu);
    return requests.back();
  }
  size_t count() {
    std::lock_guard lock(mu);
    return requests.size();
  }
};

class ServerTest : public ::testing::Test {
 protected:
  static ServerConfig baseConfig() {
    ServerConfig config;
    config.listen = "127.0.0.1:0";
    config.threads = 2;
    return config;
  }

  void startServer(ServerConfig config, Handler handler) {
    server_ = std::make_unique<Server>(std::move(config), std::move(handler));
    Status s = server_->start();
    ASSERT_TRUE(s.isOk()) << s.toString();
    port_ = server_->port();
    ASSERT_NE(port_, 0);
  }

  void startEcho(ServerConfig config = baseConfig()) { startServer(std::move(config), recorder_.echo()); }

  // Runs `f` on a helper thread joined in TearDown (for responders called later, elsewhere).
  void spawn(std::function<void()> f) {
    std::lock_guard lock(threads_mu_);
    threads_.emplace_back(std::move(f));
  }

  void TearDown() override {
    if (server_) server_->stop();
    std::lock_guard lock(threads_mu_);
    for (auto& t : threads_) t.join();
  }

  std::unique_ptr<TestClient> connect() {
    auto c = std::make_unique<TestClient>();
    EXPECT_TRUE(c->connect(port_));
    return c;
  }

  Recorder recorder_;
  std::unique_ptr<Server> server_;
  uint16_t port_ = 0;
  std::mutex threads_mu_;
  std::vector<std::thread> threads_;
};

std::string get(std::string_view target, std::string_view extra_headers = "") {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: test\r\n" + std::string(extra_headers) + "\r\n";
}

TEST_F(ServerTest, PostRoundTripPreservesEverythingExactly) {
  startEcho();
  auto c = connect();
  std::string body("a\0b\r\n\r\nc\xff", 9);
  std::string target = "/2013-04-01/hostedzone/Z%2F1/rrset?maxitems=1&name=a%20b.&name=c";
  std::string request = "POST " + target + " HTTP/1.1\r\n" +
                        "Host: route53.local\r\n"
                        "X-Amz-Date: 20240101T000000Z\r\n"
                        "x-repeat: one\r\n"
                        "Content-Type: text/xml\r\n"
                        "X-Repeat: two, three\r\n"
                        "Content-Length: 9\r\n\r\n" +
                        body;
  auto res = c->roundTrip(request);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, body);
  EXPECT_EQ(res->header("X-Method"), "POST");
  EXPECT_EQ(res->header("X-Target"), target);

  Request req = recorder_.last();
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.target, target);
  EXPECT_EQ(req.path(), "/2013-04-01/hostedzone/Z%2F1/rrset");
  EXPECT_EQ(req.query(), "maxitems=1&name=a%20b.&name=c");
  HeaderList expected = {{"Host", "route53.local"},  {"X-Amz-Date", "20240101T000000Z"},
                         {"x-repeat", "one"},        {"Content-Type", "text/xml"},
                         {"X-Repeat", "two, three"}, {"Content-Length", "9"}};
  EXPECT_EQ(req.headers, expected);
  EXPECT_EQ(req.header("X-REPEAT"), "one");
  EXPECT_EQ(req.body, body);
  EXPECT_EQ(req.remote_address, "127.0.0.1");
  EXPECT_EQ(req.remote_port, c->localPort());
  EXPECT_FALSE(req.tls);
}

TEST_F(ServerTest, ResponseHeadersAddedAndKept) {
  startServer(baseConfig(), [](Request&&, Responder respond) {
    respond(Response{201,
                     {{"X-Multi", "1"}, {"x-multi", "2"}, {"Content-Length", "999"}, {"Content-Type", "a/b"}},
                     "created"});
  });
  auto c = connect();
  auto res = c->roundTrip(get("/"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 201);
  EXPECT_EQ(res->reason, "Created");
  EXPECT_EQ(res->body, "created");
  EXPECT_EQ(res->headerCount("Content-Length"), 1u);
  EXPECT_EQ(res->header("Content-Length"), "7");
  ASSERT_GE(res->headers.size(), 3u);  // handler's fields first, in the handler's order
  EXPECT_EQ(res->headers[0], (std::pair<std::string, std::string>("X-Multi", "1")));
  EXPECT_EQ(res->headers[1], (std::pair<std::string, std::string>("x-multi", "2")));
  EXPECT_EQ(res->headers[2], (std::pair<std::string, std::string>("Content-Type", "a/b")));
  EXPECT_EQ(res->header("Content-Type"), "a/b");
  EXPECT_EQ(res->header("Server"), "zonekeeper");
  ASSERT_TRUE(res->header("Date"));
  // RFC 7231 §7.1.1.1 IMF-fixdate.
  EXPECT_TRUE(std::regex_match(*res->header("Date"),
                               std::regex(R"((Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|)"
                                          R"(Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT)")))
      << *res->header("Date");
}

TEST_F(ServerTest, HandlerMayOverrideServerAndDate) {
  startServer(baseConfig(), [](Request&&, Responder respond) {
    respond(Response{200, {{"Server", "AmazonS3"}, {"Date", "Sun, 06 Nov 1994 08:49:37 GMT"}}, ""});
  });
  auto c = connect();
  auto res = c->roundTrip(get("/"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->headerCount("Server"), 1u);
  EXPECT_EQ(res->header("Server"), "AmazonS3");
  EXPECT_EQ(res->header("Date"), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(res->header("Content-Length"), "0");
}

TEST_F(ServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  startEcho();
  auto c = connect();
  for (int i = 0; i < 5; ++i) {
    std::string body = "body" + std::to_string(i);
    auto res = c->roundTrip("PUT /k/" + std::to_string(i) + " HTTP/1.1\r\nHost: t\r\nContent-Length: " +
                            std::to_string(body.size()) + "\r\n\r\n" + body);
    ASSERT_TRUE(res) << i;
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->body, body);
    EXPECT_FALSE(res->header("Connection"));
  }
  ASSERT_EQ(recorder_.count(), 5u);
  std::lock_guard lock(recorder_.mu);
  for (const auto& r : recorder_.requests) EXPECT_EQ(r.remote_port, c->localPort());
}

TEST_F(ServerTest, PipelinedRequestsAnsweredInOrder) {
  // The first request is answered last in wall time; order on the wire must still follow requests.
  startServer(baseConfig(), [this](Request&& req, Responder respond) {
    std::string target = req.target;
    std::chrono::milliseconds delay = target == "/slow" ? 150ms : 0ms;
    spawn([target, delay, respond] {
      std::this_thread::sleep_for(delay);
      respond(Response{200, {}, target});
    });
  });
  auto c = connect();
  ASSERT_TRUE(c->send(get("/slow") + get("/fast") +
                      "POST /post HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nhi" + get("/last")));
  for (const char* want : {"/slow", "/fast", "/post", "/last"}) {
    auto res = c->readResponse();
    ASSERT_TRUE(res) << want;
    EXPECT_EQ(res->body, want);
  }
}

TEST_F(ServerTest, AsyncResponderFromAnotherThreadAfterDelay) {
  std::atomic<std::thread::id> handler_thread;
  startServer(baseConfig(), [&, this](Request&& req, Responder respond) {
    handler_thread = std::this_thread::get_id();
    spawn([respond, body = req.body] {
      std::this_thread::sleep_for(100ms);
      respond(Response{202, {{"X-From", "worker"}}, "late:" + body});
    });
  });
  auto c = connect();
  auto start = Clock::now();
  auto res = c->roundTrip("POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc");
  auto elapsed = Clock::now() - start;
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 202);
  EXPECT_EQ(res->body, "late:abc");
  EXPECT_EQ(res->header("X-From"), "worker");
  EXPECT_GE(elapsed, 100ms);
  EXPECT_NE(handler_thread.load(), std::this_thread::get_id());
  // The connection is still usable afterwards.
  res = c->roundTrip("POST /y HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\n\r\nz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body, "late:z");
}

TEST_F(ServerTest, ManyRequestsInFlightWithoutThreadPerRequest) {
  // One server thread, 8 connections, all handlers park their responders: group-commit style.
  std::mutex mu;
  std::vector<std::pair<Responder, std::string>> parked;
  std::condition_variable cv;
  ServerConfig config = baseConfig();
  config.threads = 1;
  startServer(config, [&](Request&& req, Responder respond) {
    std::lock_guard lock(mu);
    parked.emplace_back(std::move(respond), req.target);
    cv.notify_all();
  });
  std::vector<std::unique_ptr<TestClient>> clients;
  for (int i = 0; i < 8; ++i) {
    clients.push_back(connect());
    ASSERT_TRUE(clients.back()->send(get("/r" + std::to_string(i))));
  }
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, 5s, [&] { return parked.size() == 8; }));
    for (auto& [respond, target] : parked) respond(Response{200, {}, "done " + target});
  }
  for (int i = 0; i < 8; ++i) {
    auto res = clients[i]->readResponse();
    ASSERT_TRUE(res) << i;
    EXPECT_EQ(res->body, "done /r" + std::to_string(i));
  }
}

TEST_F(ServerTest, Http10ClosesAfterResponse) {
  startEcho();
  auto c = connect();
  auto res = c->roundTrip("GET /old HTTP/1.0\r\n\r\n");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->header("Connection"), "close");
  EXPECT_TRUE(c->closedByPeer());
}

TEST_F(ServerTest, Http10KeepAliveHonoured) {
  startEcho();
  auto c = connect();
  for (int i = 0; i < 2; ++i) {
    auto res = c->roundTrip("GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    ASSERT_TRUE(res) << i;
    EXPECT_EQ(res->header("Connection"), "keep-alive");
  }
}

TEST_F(ServerTest, ConnectionCloseRequestHonoured) {
  startEcho();
  auto c = connect();
  auto res = c->roundTrip(get("/", "Connection: close\r\n"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->header("Connection"), "close");
  EXPECT_TRUE(c->closedByPeer());
}

TEST_F(ServerTest, HeadGetsLengthButNoBody) {
  startServer(baseConfig(), [](Request&&, Responder respond) { respond(Response{200, {}, "0123456789"}); });
  auto c = connect();
  auto res = c->roundTrip("HEAD / HTTP/1.1\r\nHost: t\r\n\r\n", /*head=*/true);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->header("Content-Length"), "10");
  // No body bytes: the next response starts right away.
  res = c->roundTrip(get("/"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "0123456789");
}

TEST_F(ServerTest, NoContentHasNoLengthOrBody) {
  startServer(baseConfig(), [](Request&&, Responder respond) { respond(Response{204, {}, "ignored"}); });
  auto c = connect();
  auto res = c->roundTrip(get("/"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 204);
  EXPECT_FALSE(res->header("Content-Length"));
  res = c->roundTrip(get("/"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 204);
}

TEST_F(ServerTest, OversizedContentLengthGets413WithoutReadingBody) {
  ServerConfig config = baseConfig();
  config.max_body_bytes = 1000;
  startEcho(config);
  auto c = connect();
  auto res = c->roundTrip("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1001\r\n\r\n");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  EXPECT_FALSE(res->body.empty());
  EXPECT_EQ(res->header("Connection"), "close");
  EXPECT_TRUE(c->closedByPeer());
  EXPECT_EQ(recorder_.count(), 0u);

  // Exactly at the limit is fine.
  auto c2 = connect();
  res = c2->roundTrip("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n" + std::string(1000, 'x'));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body.size(), 1000u);
}

TEST_F(ServerTest, OversizedBodySentAnyway413StillArrives) {
  // The client does not wait: 256 KiB follow the header at once. The server must not reset the
  // connection under the client before it has read the 413 (lingering close, RFC 7230 §6.6).
  ServerConfig config = baseConfig();
  config.max_body_bytes = 1000;
  startEcho(config);
  auto c = connect();
  std::string body(256 * 1024, 'z');
  std::thread sender([&] { c->send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 262144\r\n\r\n" + body); });
  auto res = c->readResponse();
  sender.join();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  EXPECT_TRUE(c->closedByPeer());
}

TEST_F(ServerTest, OversizedChunkedBodyGets413) {
  ServerConfig config = baseConfig();
  config.max_body_bytes = 1000;
  startEcho(config);
  auto c = connect();
  std::string chunk(600, 'y');
  auto res = c->roundTrip("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n258\r\n" + chunk +
                          "\r\n258\r\n" + chunk + "\r\n0\r\n\r\n");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  EXPECT_TRUE(c->closedByPeer());
  EXPECT_EQ(recorder_.count(), 0u);
}

TEST_F(ServerTest, OversizedHeadersGet431) {
  ServerConfig config = baseConfig();
  config.max_header_bytes = 2048;
  startEcho(config);
  auto c = connect();
  auto res = c->roundTrip(get("/", "X-Big: " + std::string(4096, 'h') + "\r\n"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 431);
  EXPECT_EQ(res->reason, "Request Header Fields Too Large");
  EXPECT_TRUE(c->closedByPeer());

  auto c2 = connect();
  res = c2->roundTrip(get("/", "X-Small: " + std::string(1500, 'h') + "\r\n"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(recorder_.count(), 1u);
}

TEST_F(ServerTest, GarbageGets400AndClose) {
  startEcho();
  for (std::string garbage : {"\x16\x03\x01\x02\x05\x01\x05\x01\xfc\x03\x03 junk\r\n\r\n",
                              "GET / HTTP/1.1\r\nHost: t\r\nBad Header\r\n\r\n",
                              "GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 12x\r\n\r\n",
                              "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"}) {
    auto c = connect();
    auto res = c->roundTrip(garbage);
    ASSERT_TRUE(res) << garbage;
    EXPECT_EQ(res->status, 400) << garbage;
    EXPECT_EQ(res->header("Connection"), "close");
    EXPECT_TRUE(c->closedByPeer()) << garbage;
  }
  EXPECT_EQ(recorder_.count(), 0u);
}

TEST_F(ServerTest, MissingOrRepeatedHostGets400) {
  startEcho();
  auto c = connect();
  auto res = c->roundTrip("GET / HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_TRUE(c->closedByPeer());
  auto c2 = connect();
  res = c2->roundTrip("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(recorder_.count(), 0u);
}

TEST_F(ServerTest, UnsupportedVersionGets505) {
  startEcho();
  auto c = connect();
  auto res = c->roundTrip("GET / HTTP/2.0\r\nHost: t\r\n\r\n");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 505);
}

TEST_F(ServerTest, Expect100ContinueSendsInterimThenFinal) {
  startEcho();
  auto c = connect();
  ASSERT_TRUE(c->send("PUT /obj HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"));
  auto interim = c->readResponse();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  EXPECT_EQ(recorder_.count(), 0u);
  auto res = c->roundTrip("hello");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "hello");
  EXPECT_EQ(recorder_.last().header("Expect"), "100-continue");
  // Keep-alive continues after it.
  res = c->roundTrip(get("/next"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->header("X-Target"), "/next");
}

TEST_F(ServerTest, Expect100ContinueWithOversizedBodyGets413Only) {
  ServerConfig config = baseConfig();
  config.max_body_bytes = 10;
  startEcho(config);
  auto c = connect();
  auto res = c->roundTrip("PUT / HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 11\r\n\r\n");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
}

TEST_F(ServerTest, ChunkedBodyIsDechunked) {
  startEcho();
  auto c = connect();
  auto res = c->roundTrip(
      "POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n1;ext=1\r\n \r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "hello 0123456789");
  EXPECT_EQ(recorder_.last().body, "hello 0123456789");
  EXPECT_EQ(recorder_.last().header("Transfer-Encoding"), "chunked");
  EXPECT_EQ(recorder_.last().headers.back(), (std::pair<std::string, std::string>("X-Trailer", "t")));
  // Next request on the same connection parses cleanly after the trailer.
  res = c->roundTrip(get("/after"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->header("X-Target"), "/after");
}

TEST_F(ServerTest, SlowClientClosedAfterReadTimeout) {
  // A client trickling bytes never completes its header: the deadline covers the whole request,
  // not each read.
  ServerConfig config = baseConfig();
  config.read_timeout = 300ms;
  startEcho(config);
  auto c = connect();
  std::string request = get("/never-finished", "X-Slow: " + std::string(200, 's') + "\r\n");
  auto start = Clock::now();
  bool closed = false;
  for (size_t i = 0; i < request.size() - 2 && Clock::now() - start < 3s; ++i) {
    if (!c->send(request.substr(i, 1))) {
      closed = true;
      break;
    }
    std::this_thread::sleep_for(20ms);
  }
  if (!closed) closed = c->closedByPeer();
  auto elapsed = Clock::now() - start;
  EXPECT_TRUE(closed);
  EXPECT_GE(elapsed, 250ms);
  EXPECT_LT(elapsed, 2s);
  EXPECT_EQ(recorder_.count(), 0u);
}

TEST_F(ServerTest, SilentConnectionClosedAfterReadTimeout) {
  ServerConfig config = baseConfig();
  config.read_timeout = 200ms;
  startEcho(config);
  auto c = connect();
  auto start = Clock::now();
  EXPECT_TRUE(c->closedByPeer());
  EXPECT_GE(Clock::now() - start, 150ms);
}

TEST_F(ServerTest, IdleKeepAliveClosedAfterIdleTimeout) {
  ServerConfig config = baseConfig();
  config.idle_timeout = 400ms;
  startEcho(config);
  auto c = connect();
  ASSERT_TRUE(c->roundTrip(get("/1")));
  std::this_thread::sleep_for(150ms);  // shorter than idle: still open
  ASSERT_TRUE(c->roundTrip(get("/2")));
  auto start = Clock::now();
  EXPECT_TRUE(c->closedByPeer());
  auto elapsed = Clock::now() - start;
  EXPECT_GE(elapsed, 300ms);
  EXPECT_LT(elapsed, 3s);
}

TEST_F(ServerTest, ConnectionLimitClosesExtraConnections) {
  ServerConfig config = baseConfig();
  config.max_connections = 2;
  startEcho(config);
  auto a = connect();
  auto b = connect();
  ASSERT_TRUE(a->roundTrip(get("/a")));
  ASSERT_TRUE(b->roundTrip(get("/b")));
  auto extra = connect();
  extra->send(get("/extra"));
  EXPECT_TRUE(extra->closedByPeer());
  // Freeing a slot lets a new connection in (the server notices the close asynchronously).
  a->close();
  bool served = false;
  for (auto deadline = Clock::now() + 3s; !served && Clock::now() < deadline;) {
    auto c = connect();
    served = c->roundTrip(get("/again")).has_value();
    if (!served) std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(served);
  EXPECT_TRUE(b->roundTrip(get("/b2")));
}

// One peer address may hold max_connections_per_address connections; the next is closed at once.
TEST_F(ServerTest, PerAddressLimitClosesTheNextConnection) {
  ServerConfig config = baseConfig();
  config.max_connections_per_address = 3;
  startEcho(config);
  std::vector<std::unique_ptr<TestClient>> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(connect());
    ASSERT_TRUE(held.back()->roundTrip(get("/held")));
  }
  auto extra = connect();
  extra->send(get("/extra"));
  EXPECT_TRUE(extra->closedByPeer());
  // Closing one frees the address's slot (noticed asynchronously).
  held.front()->close();
  bool served = false;
  for (auto deadline = Clock::now() + 3s; !served && Clock::now() < deadline;) {
    auto c = connect();
    served = c->roundTrip(get("/again")).has_value();
    if (!served) std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(served);
  EXPECT_TRUE(held.back()->roundTrip(get("/still")));
}

// Before the layer above vouches for a request (may_send_large_body), its body is bounded by
// untrusted_body_bytes: a larger declared body gets 413 right after the header, before any body byte
// is sent (no 100 Continue), and a chunked one once it grows past the bound.
TEST_F(ServerTest, UntrustedLargeBodyRefusedBeforeItIsRead) {
  ServerConfig config = baseConfig();
  config.untrusted_body_bytes = 1000;
  config.may_send_large_body = [](const Request& head) { return head.header("X-Trusted").has_value(); };
  startEcho(config);
  auto c = connect();
  auto res =
      c->roundTrip("POST / HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 500000\r\n\r\n");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  EXPECT_EQ(res->header("Connection"), "close");
  EXPECT_TRUE(c->closedByPeer());
  EXPECT_EQ(recorder_.count(), 0u);

  auto chunked = connect();
  std::string body = "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 3; ++i) body += "200\r\n" + std::string(512, 'x') + "\r\n";
  res = chunked->roundTrip(body + "0\r\n\r\n");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  EXPECT_EQ(recorder_.count(), 0u);

  // Up to the bound without credentials, and the full max_body_bytes with them.
  auto small = connect();
  res =
      small->roundTrip("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n" + std::string(1000, 'x'));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  auto trusted = connect();
  res = trusted->roundTrip("POST / HTTP/1.1\r\nHost: t\r\nX-Trusted: 1\r\nContent-Length: 500000\r\n\r\n" +
                           std::string(500000, 'y'));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body.size(), 500000u);
}

TEST_F(ServerTest, HandlerThatNeverRespondsGets503AfterHandlerTimeout) {
  ServerConfig config = baseConfig();
  config.handler_timeout = 200ms;
  std::mutex mu;
  std::vector<Responder> kept;
  startServer(config, [&](Request&&, Responder respond) {
    std::lock_guard lock(mu);
    kept.push_back(std::move(respond));
  });
  auto c = connect();
  auto start = Clock::now();
  auto res = c->roundTrip(get("/"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_GE(Clock::now() - start, 150ms);
  EXPECT_TRUE(c->closedByPeer());
  // A late answer is ignored (and must not crash).
  std::lock_guard lock(mu);
  ASSERT_EQ(kept.size(), 1u);
  kept[0](Response{200, {}, "too late"});
}

TEST_F(ServerTest, DroppedResponderGets500) {
  startServer(baseConfig(), [](Request&&, Responder) {});
  auto c = connect();
  auto res = c->roundTrip(get("/"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 500);
  // The connection stays usable: the handler failed, not the protocol.
  res = c->roundTrip(get("/"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 500);
}

TEST_F(ServerTest, ThrowingHandlerGets500) {
  startServer(baseConfig(), [](Request&& req, Responder respond) {
    if (req.target == "/throw") throw std::runtime_error("boom");
    respond(Response{200, {}, "fine"});
  });
  auto c = connect();
  auto res = c->roundTrip(get("/throw"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 500);
  res = c->roundTrip(get("/ok"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body, "fine");
}

TEST_F(ServerTest, SecondRespondIsIgnored) {
  startServer(baseConfig(), [](Request&& req, Responder respond) {
    respond(Response{200, {}, "first " + req.target});
    respond(Response{201, {}, "second"});
  });
  auto c = connect();
  for (const char* target : {"/1", "/2"}) {
    auto res = c->roundTrip(get(target));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->body, std::string("first ") + target);
  }
}

TEST_F(ServerTest, InvalidResponseBecomes500) {
  startServer(baseConfig(), [](Request&& req, Responder respond) {
    if (req.target == "/crlf") return respond(Response{200, {{"X-Evil", "a\r\nSet-Cookie: x"}}, "body"});
    if (req.target == "/name") return respond(Response{200, {{"Bad Name", "v"}}, "body"});
    respond(Response{99, {}, "body"});
  });
  auto c = connect();
  for (const char* target : {"/crlf", "/name", "/status"}) {
    auto res = c->roundTrip(get(target));
    ASSERT_TRUE(res) << target;
    EXPECT_EQ(res->status, 500) << target;
    EXPECT_FALSE(res->header("Set-Cookie"));
    EXPECT_NE(res->body, "body");
  }
}

TEST_F(ServerTest, StopIsPromptWithIdleAndBusyConnections) {
  std::mutex mu;
  std::vector<Responder> kept;
  ServerConfig config = baseConfig();
  config.idle_timeout = 60s;
  config.read_timeout = 60s;
  config.handler_timeout = 60s;
  startServer(config, [&](Request&& req, Responder respond) {
    if (req.target == "/hold") {
      std::lock_guard lock(mu);
      kept.push_back(std::move(respond));
      return;
    }
    respond(Response{200, {}, "ok"});
  });
  std::vector<std::unique_ptr<TestClient>> idle;
  for (int i = 0; i < 3; ++i) {
    idle.push_back(connect());
    ASSERT_TRUE(idle.back()->roundTrip(get("/")));
  }
  auto busy = connect();
  ASSERT_TRUE(busy->send(get("/hold")));
  auto half = connect();
  ASSERT_TRUE(half->send("GET / HTTP/1.1\r\nHo"));
  for (auto deadline = Clock::now() + 3s; Clock::now() < deadline;) {
    {
      std::lock_guard lock(mu);
      if (!kept.empty()) break;
    }
    std::this_thread::sleep_for(5ms);
  }

  auto start = Clock::now();
  server_->stop();
  EXPECT_LT(Clock::now() - start, 1s);
  for (auto& c : idle) EXPECT_TRUE(c->closedByPeer());
  EXPECT_TRUE(busy->closedByPeer());
  EXPECT_TRUE(half->closedByPeer());
  // Responding after stop is a no-op; destroying the responders too.
  std::lock_guard lock(mu);
  ASSERT_EQ(kept.size(), 1u);
  kept[0](Response{200, {}, "after stop"});
  kept.clear();
  // Nothing listens any more.
  TestClient late;
  EXPECT_FALSE(late.connect(port_));
  server_->stop();  // idempotent
}

TEST_F(ServerTest, ResponderOutlivingServerIsSafe) {
  Responder kept;
  std::mutex mu;
  std::condition_variable cv;
  {
    Server server(baseConfig(), [&](Request&&, Responder respond) {
      std::lock_guard lock(mu);
      kept = std::move(respond);
      cv.notify_all();
    });
    ASSERT_TRUE(server.start().isOk());
    TestClient c;
    ASSERT_TRUE(c.connect(server.port()));
    ASSERT_TRUE(c.send(get("/")));
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, 5s, [&] { return static_cast<bool>(kept); }));
  }  // ~Server
  kept(Response{});
  kept = nullptr;
}

TEST_F(ServerTest, StartErrors) {
  ServerConfig config = baseConfig();
  for (const char* bad : {"127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:x", "300.0.0.1:80",
                          "[::1:80", "::1:80", "example.invalid:80"}) {
    config.listen = bad;
    Server s(config, recorder_.echo());
    Status st = s.start();
    EXPECT_EQ(st.code(), Code::kInvalidArgument) << bad << " " << st.toString();
    EXPECT_EQ(s.port(), 0);
  }

  startEcho();
  config.listen = "127.0.0.1:" + std::to_string(port_);
  Server clash(config, recorder_.echo());
  Status st = clash.start();
  EXPECT_EQ(st.code(), Code::kUnavailable) << st.toString();

  EXPECT_EQ(server_->start().code(), Code::kFailedPrecondition);
  // A failed start may be retried once the port is free.
  server_->stop();
  EXPECT_EQ(server_->start().code(), Code::kFailedPrecondition);  // stopped servers stay stopped
  st = clash.start();
  EXPECT_TRUE(st.isOk()) << st.toString();
  EXPECT_EQ(clash.port(), port_);
  TestClient c;
  ASSERT_TRUE(c.connect(port_));
  auto res = c.roundTrip(get("/retry"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  clash.stop();

  config.listen = "127.0.0.1:0";
  config.tls_cert_file = "/nonexistent/cert.pem";
  Server half_tls(config, recorder_.echo());
  EXPECT_EQ(half_tls.start().code(), Code::kInvalidArgument);
}

TEST_F(ServerTest, ListensOnIpv6Loopback) {
  ServerConfig config = baseConfig();
  config.listen = "[::1]:0";
  Server server(config, recorder_.echo());
  Status st = server.start();
  if (!st.isOk()) GTEST_SKIP() << "no IPv6 loopback: " << st.toString();
  int fd = ::socket(AF_INET6, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in6 addr{};
  addr.sin6_family = AF_INET6;
  addr.sin6_port = htons(server.port());
  addr.sin6_addr = in6addr_loopback;
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  std::string req = get("/v6");
  ASSERT_EQ(::send(fd, req.data(), req.size(), MSG_NOSIGNAL), static_cast<ssize_t>(req.size()));
  char buf[512];
  ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  ::close(fd);
  ASSERT_GT(n, 12);
  EXPECT_EQ(std::string(buf, 12), "HTTP/1.1 200");
  EXPECT_EQ(recorder_.last().remote_address, "::1");
}

}  // namespace
}  // namespace zk::http
