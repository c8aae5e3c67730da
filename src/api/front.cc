// ApiFront: request ids, routing by protocol, SigV4, throttling, codecs, deferred answers, worker pool.
#include "api/front.h"

#include <spdlog/spdlog.h>

#include <cctype>
#include <cstdio>
#include <random>

#include "aws/auth_header.h"
#include "aws/json_protocol.h"
#include "aws/query_protocol.h"
#include "aws/rest_xml.h"

namespace zk::api {
namespace {

aws::ErrorStyle styleOf(aws::Protocol p) {
  switch (p) {
    case aws::Protocol::kJson:
      return aws::ErrorStyle::kJson;
    case aws::Protocol::kQuery:
      return aws::ErrorStyle::kQuery;
    default:
      return aws::ErrorStyle::kRestXml;
  }
}

// The service named in the credential scope (Authorization header or X-Amz-Credential), or "".
std::string scopeService(const http::Request& r) {
  std::string_view cred;
  std::string query_cred;
  if (auto auth = r.header("Authorization")) {
    size_t p = auth->find("Credential=");
    if (p == std::string_view::npos) return "";
    cred = auth->substr(p + 11);
    size_t end = cred.find_first_of(", ");
    if (end != std::string_view::npos) cred = cred.substr(0, end);
  } else {
    for (const auto& q : aws::parseQuery(r.query()))
      if (q.name == "X-Amz-Credential") query_cred = q.value;
    cred = query_cred;
  }
  // AKID/date/region/service/aws4_request
  size_t parts[4];
  size_t n = 0;
  for (size_t i = 0; i < cred.size() && n < 4; ++i)
    if (cred[i] == '/') parts[n++] = i;
  if (n < 4) return "";
  return std::string(cred.substr(parts[2] + 1, parts[3] - parts[2] - 1));
}

// The Action of a query request (form body or query string), or "".
std::string queryAction(const http::Request& r) {
  auto ct = r.header("Content-Type").value_or("");
  if (ct.find("application/x-www-form-urlencoded") != std::string_view::npos)
    for (const auto& q : aws::parseQuery(r.body))
      if (q.name == "Action") return q.value;
  for (const auto& q : aws::parseQuery(r.query()))
    if (q.name == "Action") return q.value;
  return "";
}

// The session token a request carries (header, or presigned query parameter), or "".
std::string securityToken(const http::Request& r) {
  if (auto h = r.header("X-Amz-Security-Token")) return std::string(*h);
  for (const auto& q : aws::parseQuery(r.query()))
    if (q.name == "X-Amz-Security-Token") return q.value;
  return "";
}

}  // namespace

std::string newRequestId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t a = rng(), b = rng();
  a = (a & ~0xF000ULL) | 0x4000ULL;                            // version 4
  b = (b & ~(0xC000000000000000ULL)) | 0x8000000000000000ULL;  // RFC 4122 variant
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xFFFF), static_cast<unsigned>(a & 0xFFFF),
                static_cast<unsigned>(b >> 48), static_cast<unsigned long long>(b & 0xFFFFFFFFFFFFULL));
  return buf;
}

ApiFront::ApiFront(ApiOptions options, aws::CredentialLookup lookup, const Clock& clock)
    : options_(std::move(options)),
      lookup_(std::move(lookup)),
      clock_(clock),
      throttle_(options_.throttle, clock) {}

ApiFront::~ApiFront() { stop(); }

void ApiFront::addService(ApiService service) { services_.push_back(std::move(service)); }

Status ApiFront::start() {
  {
    std::lock_guard lock(mu_);
    stopping_ = false;
  }
  for (int i = 0; i < options_.workers; ++i) workers_.emplace_back([this] { workerLoop(); });
  http::ServerConfig cfg;
  cfg.listen = options_.listen;
  cfg.threads = options_.io_threads;
  cfg.max_body_bytes = options_.max_body_bytes;
  cfg.untrusted_body_bytes = options_.untrusted_body_bytes;
  cfg.may_send_large_body = [this](const http::Request& head) { return carriesCredentials(head); };
  cfg.max_connections = options_.max_connections;
  cfg.max_connections_per_address = options_.max_connections_per_address;
  cfg.read_timeout = options_.read_timeout;
  cfg.idle_timeout = options_.idle_timeout;
  cfg.tls_cert_file = options_.tls_cert;
  cfg.tls_key_file = options_.tls_key;
  http_ = std::make_unique<http::Server>(
      cfg, [this](http::Request&& r, http::Responder respond) { handle(std::move(r), std::move(respond)); });
  Status s = http_->start();
  if (!s.isOk()) {
    http_.reset();
    stop();
  }
  return s;
}

void ApiFront::stop() {
  if (http_) http_->stop();
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : workers_)
    if (t.joinable()) t.join();
  workers_.clear();
  {
    // Deferred answers run on the store's writer thread and use this object: wait for them (their
    // commits finish on their own; the responses go nowhere once the server has stopped).
    std::unique_lock lock(mu_);
    deferred_cv_.wait(lock, [this] { return deferred_ == 0; });
  }
  http_.reset();
}

void ApiFront::workerLoop() {
  while (true) {
    std::function<void()> task;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task();
  }
}

void ApiFront::releaseDeferred() {
  bool last;
  {
    std::lock_guard lock(mu_);
    last = --deferred_ == 0;
  }
  if (last) deferred_cv_.notify_all();
}

bool ApiFront::invoke(const std::shared_ptr<Call>& call, const http::Responder& respond, bool may_block) {
  {
    std::lock_guard lock(mu_);
    ++deferred_;
  }
  call->ctx.may_block = may_block;
  // Called at most once, by the service that returned ServiceResult::deferred(), from its thread.
  call->ctx.deliver = [this, call, respond](ServiceResult result) {
    respond(finish(*call, result));
    releaseDeferred();
  };
  ServiceResult result = call->service->invoke(call->operation.operation, call->operation.input, call->ctx);
  call->ctx.deliver = nullptr;  // the service keeps its own copy; this one would keep `call` alive forever
  if (result.isDeferred()) return true;
  releaseDeferred();
  if (result.needsBlockingThread()) return false;
  respond(finish(*call, result));
  return true;
}

void ApiFront::handle(http::Request&& request, http::Responder respond) {
  std::variant<Call, http::Response> prepared = prepare(request);
  if (auto* response = std::get_if<http::Response>(&prepared)) {
    respond(std::move(*response));
    return;
  }
  auto call = std::make_shared<Call>(std::get<Call>(std::move(prepared)));
  // workers = 0: the I/O thread itself may wait. Otherwise nothing waits here: a record change
  // answers later from the committer thread, and what must wait goes to a worker.
  if (invoke(call, respond, workers_.empty())) return;
  std::function<void()> task = [this, call, respond] {
    if (!invoke(call, respond, true)) respond(finish(*call, ServiceResult::blocking()));
  };
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      queue_.push_back(std::move(task));
      cv_.notify_one();
      return;
    }
  }
  respond(http::Response{503, {}, ""});
}

bool ApiFront::carriesCredentials(const http::Request& head) const {
  std::string access_key_id;
  if (std::optional<std::string_view> auth = head.header("Authorization")) {
    auto parsed = aws::parseAuthorizationHeader(*auth);
    if (!parsed.ok() || parsed->algorithm != "AWS4-HMAC-SHA256") return false;
    access_key_id = parsed->credential.access_key_id;
  } else {
    // Presigned: X-Amz-Credential in the query (percent-encoded '/' as %2F).
    const std::string query = head.query();
    const size_t at = query.find("X-Amz-Credential=");
    if (at == std::string::npos || query.find("X-Amz-Signature=") == std::string::npos) return false;
    // The access key id is the credential's first field: alphanumerics up to '/' (or "%2F").
    for (size_t i = at + 17; i < query.size() && std::isalnum(static_cast<unsigned char>(query[i])); ++i)
      access_key_id.push_back(query[i]);
  }
  if (access_key_id.empty()) return false;
  if (access_key_id.rfind("ASIA", 0) == 0 && session_lookup_) {
    // Temporary keys vouch with their session token.
    std::optional<std::string_view> token = head.header("X-Amz-Security-Token");
    return token && session_lookup_(access_key_id, *token).ok();
  }
  return lookup_(access_key_id).ok();
}

const ApiService* ApiFront::route(const http::Request& r, aws::Protocol* protocol, bool* anonymous) const {
  *anonymous = false;
  const std::string path = r.path();
  for (const ApiService& s : services_) {
    if (!s.path_prefix.empty() && path.compare(0, s.path_prefix.size(), s.path_prefix) == 0) {
      *protocol = aws::Protocol::kRestXml;
      return &s;
    }
  }
  if (auto target = r.header("X-Amz-Target")) {
    *protocol = aws::Protocol::kJson;
    std::string_view prefix = target->substr(0, target->find('.'));
    for (const ApiService& s : services_)
      if (s.model && s.model->protocol() == aws::Protocol::kJson &&
          s.model->metadata().target_prefix == prefix)
        return &s;
    return nullptr;
  }
  *protocol = path.rfind("/20", 0) == 0 ? aws::Protocol::kRestXml : aws::Protocol::kQuery;
  const std::string service = scopeService(r);
  for (const ApiService& s : services_)
    if (s.model && s.model->protocol() == aws::Protocol::kQuery && s.signing_name == service) return &s;
  if (service.empty() && *protocol == aws::Protocol::kQuery && !r.header("Authorization")) {
    // Unsigned: only an operation a service declares anonymous, found by its Action.
    std::string action = queryAction(r);
    for (const ApiService& s : services_)
      for (const std::string& op : s.anonymous_operations)
        if (op == action) {
          *anonymous = true;
          return &s;
        }
  }
  return nullptr;
}

http::Response ApiFront::render(aws::Protocol protocol, const ApiService* service, const aws::AwsError& error,
                                const std::string& request_id) const {
  // Unrouted requests have no service: borrow a model of the same protocol for the error body.
  const aws::ServiceModel* model = service && service->model ? service->model.get() : nullptr;
  if (!model)
    for (const ApiService& s : services_)
      if (s.model && s.model->protocol() == protocol) model = s.model.get();
  if (!model && !services_.empty() && services_.front().model) model = services_.front().model.get();
  aws::ResponseHeaders rh;
  std::string body;
  if (!model) {
    rh.status = error.http_status;
    rh.set("x-amzn-RequestId", request_id);
    rh.set("Content-Type", "text/plain");
    body = error.code + ": " + error.message + "\n";
  } else if (model->protocol() == aws::Protocol::kJson) {
    body = aws::serializeJsonError(*model, error, request_id, rh);
  } else if (model->protocol() == aws::Protocol::kQuery) {
    body = aws::serializeQueryError(*model, error, request_id, rh);
  } else {
    body = aws::serializeRestXmlError(*model, error, request_id, rh);
  }
  return http::Response{rh.status, std::move(rh.fields), std::move(body)};
}

std::variant<ApiFront::Call, http::Response> ApiFront::prepare(const http::Request& r) {
  Call call;
  call.request_id = newRequestId();
  const std::string& request_id = call.request_id;
  aws::Protocol& protocol = call.protocol;
  bool anonymous = false;
  const ApiService* svc = route(r, &protocol, &anonymous);
  call.service = svc;
  if (svc == nullptr) {
    return render(
        protocol, nullptr,
        aws::errorFromStatus(unimplemented("No operation matches " + r.method + " " + r.path()), protocol),
        request_id);
  }
  const std::string path = r.path();
  const std::string query = r.query();

  // SigV4 (Authorization header or presigned query), against the Host the request arrived with.
  aws::SignedRequest sr{r.method, path, query, r.headers, r.body};
  aws::VerifyOptions vo;
  vo.now = clock_.now();
  vo.max_skew = options_.max_clock_skew;
  vo.allowed_regions = options_.allowed_regions;
  vo.expected_service = svc->signing_name;
  vo.style = styleOf(protocol);
  std::shared_ptr<const SessionClaims> session;
  aws::Credential cred;
  if (!anonymous) {
    // Temporary keys (ASIA...) carry their session in the token; long-term keys come from IAM.
    std::string token;
    aws::CredentialLookup per_request = lookup_;
    if (session_lookup_) {
      token = securityToken(r);
      per_request = [&](std::string_view id) -> Result<aws::Credential> {
        if (id.substr(0, 4) != "ASIA") return lookup_(id);
        auto t = session_lookup_(id, token);
        if (!t.ok()) return t.status();
        session = std::move(t->session);
        return std::move(t->credential);
      };
    }
    auto verified = aws::verify(sr, per_request, vo);
    if (!verified.ok()) {
      const aws::AuthError& e = verified.error();
      return render(protocol, svc, aws::makeAwsError(e.http_status, e.code, e.message), request_id);
    }
    cred = std::move(verified->credential);
    call.ctx.region = verified->region;
    if (key_use_ && !session) key_use_(cred.access_key_id, verified->service, verified->region);
  }
  if (!throttle_.tryAcquire(anonymous ? r.remote_address : cred.account_id)) {
    // Route 53: HTTP 400, code Throttling, "Rate exceeded" (retried by every SDK).
    return render(protocol, svc, aws::makeAwsError(400, "Throttling", "Rate exceeded"), request_id);
  }

  Result<aws::OperationRequest> parsed = unimplemented("unsupported protocol");
  switch (protocol) {
    case aws::Protocol::kRestXml: {
      aws::HeaderLookup headers = [&r](std::string_view name) { return r.header(name); };
      parsed = aws::parseRestXmlRequest(*svc->model, r.method, path, query, headers, r.body);
      break;
    }
    case aws::Protocol::kJson:
      parsed = aws::parseJsonRequest(*svc->model, r.header("X-Amz-Target").value_or(""), r.body);
      break;
    case aws::Protocol::kQuery: {
      auto ct = r.header("Content-Type").value_or("");
      const bool form = ct.find("application/x-www-form-urlencoded") != std::string_view::npos;
      parsed =
          aws::parseQueryRequest(*svc->model, query, form ? std::string_view(r.body) : std::string_view());
      break;
    }
  }
  if (!parsed.ok()) return render(protocol, svc, aws::errorFromStatus(parsed.status(), protocol), request_id);
  call.operation = std::move(parsed).value();
  call.ctx.account_id = cred.account_id;
  call.ctx.principal_arn = cred.principal_arn;
  call.ctx.user_id = cred.user_id;
  call.ctx.access_key_id = cred.access_key_id;
  call.ctx.session = std::move(session);
  call.ctx.request_id = request_id;
  call.ctx.source_ip = r.remote_address;
  call.ctx.secure_transport = r.tls;
  call.ctx.now = vo.now;
  call.ctx.anonymous = anonymous;
  if (!anonymous && authorizer_ != nullptr && svc->access) {
    for (const AccessRequest& need : svc->access(call.operation.operation, call.operation.input, call.ctx)) {
      if (auto denied = authorizer_->authorize(call.ctx, need)) {
        // JSON services (ACM) name it AccessDeniedException.
        if (protocol == aws::Protocol::kJson && denied->code == "AccessDenied")
          denied->code = "AccessDeniedException";
        return render(protocol, svc, *denied, request_id);
      }
    }
  }
  return call;
}

http::Response ApiFront::finish(const Call& call, const ServiceResult& result) const {
  const ApiService* svc = call.service;
  const aws::Protocol protocol = call.protocol;
  const std::string& request_id = call.request_id;
  const std::string& operation = call.operation.operation;
  if (result.isError()) return render(protocol, svc, result.error(), request_id);
  if (!result.ok()) {  // deferred/blocking reached the serializer: a bug in the caller
    spdlog::error("request {}: {} gave no answer", request_id, operation);
    return render(protocol, svc,
                  aws::makeAwsError(500, "InternalFailure", "We encountered an internal error."), request_id);
  }
  aws::ResponseHeaders rh;
  Result<std::string> body = internalError("unsupported protocol");
  switch (protocol) {
    case aws::Protocol::kRestXml:
      body = aws::serializeRestXmlResponse(*svc->model, operation, result.output(), request_id, rh);
      break;
    case aws::Protocol::kJson:
      body = aws::serializeJsonResponse(*svc->model, operation, result.output(), request_id, rh);
      break;
    case aws::Protocol::kQuery:
      body = aws::serializeQueryResponse(*svc->model, operation, result.output(), request_id, rh);
      break;
  }
  if (!body.ok()) {
    spdlog::error("request {}: cannot serialize {} output: {}", request_id, operation,
                  body.status().toString());
    return render(protocol, svc,
                  aws::makeAwsError(500, "InternalFailure", "We encountered an internal error."), request_id);
  }
  return http::Response{rh.status, std::move(rh.fields), std::move(body).value()};
}

http::Response ApiFront::process(const http::Request& r) {
  std::variant<Call, http::Response> prepared = prepare(r);
  if (auto* response = std::get_if<http::Response>(&prepared)) return std::move(*response);
  Call& call = std::get<Call>(prepared);
  ServiceResult result = call.service->invoke(call.operation.operation, call.operation.input, call.ctx);
  return finish(call, result);
}

}  // namespace zk::api
