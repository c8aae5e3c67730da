// ApiFront: the one HTTP door for every AWS API: route -> SigV4 -> throttle -> service -> serialize.
#pragma once

// Pipeline for each request (handle()):
//   1. a request id (UUID, echoed as x-amzn-RequestId on EVERY response, errors included);
//   2. route to a service by protocol: rest-xml by path prefix (Route 53: "/2013-04-01/"); json by the
//      X-Amz-Target prefix (ACM later); query by the credential scope's service (STS/IAM later).
//      Services register with addService(); unknown routes get the protocol's UnknownOperation error;
//   3. SigV4 verification (aws/sigv4.h) against the credential lookup; errors as AWS words them
//      (InvalidClientTokenId, SignatureDoesNotMatch, MissingAuthenticationToken, ...);
//   4. per-account throttling (token bucket; off by default) -> 400 Throttling "Rate exceeded";
//   5. the protocol codec parses (operation, input) from the botocore model;
//   6. the service runs the operation; 7. the codec serializes output or error.
// Steps 1-5 run on the HTTP I/O thread (CPU only: the credential lookup is cached). The service is
// then called there with CallContext{may_block = false, deliver}: ChangeResourceRecordSets hands its
// batch to the store's group committer and returns at once (deferred); the committer thread answers
// right after the fsync, and step 7 runs there, posting the response to the connection. So a write
// costs two thread hops (I/O -> committer -> I/O) shared by the whole commit group, and no thread
// waits for a disk. Operations that must wait (the other writes; reads, which block on SQLite) come
// back as needsBlockingThread and go to a pool of worker threads; with workers = 0 they run on the
// I/O threads instead (then raise io_threads).
//
// Threading: handle() is thread-safe. start()/stop() from one thread. The lookup and the services
// must be thread-safe and outlive the front.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "api/service.h"
#include "api/throttle.h"
#include "aws/model.h"
#include "aws/sigv4.h"
#include "base/clock.h"
#include "base/result.h"
#include "http/message.h"
#include "http/server.h"

namespace zk::api {

struct ApiOptions {
  std::string listen = "127.0.0.1:9353";
  std::string tls_cert, tls_key;             // both set: HTTPS
  std::vector<std::string> allowed_regions;  // credential scope regions accepted; empty = any
  int io_threads = 2;
  int workers = 8;  // threads running service calls that wait (reads, zone
                    // writes); 0 = run them on the I/O threads
  size_t max_body_bytes = 1024 * 1024;
  // A request without credentials (no SigV4 Authorization header or presigned query naming a known
  // access key) may carry this much body at most: the HTTP server refuses a larger one (413) before
  // reading it, so unauthenticated clients cannot make it buffer max_body_bytes per connection.
  size_t untrusted_body_bytes = 64 * 1024;
  size_t max_connections = 1024;            // http::ServerConfig::max_connections
  size_t max_connections_per_address = 64;  // 0 = no limit
  std::chrono::milliseconds read_timeout{std::chrono::seconds(30)};
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};
  std::chrono::seconds max_clock_skew{300};
  ThrottleConfig throttle;  // per account; off by default
};

// One AWS service behind the door: its model drives the codec, `invoke` runs an operation.
struct ApiService {
  std::string signing_name;  // credential scope service, e.g. "route53"
  std::shared_ptr<const aws::ServiceModel> model;
  std::string path_prefix;  // rest-xml services: e.g. "/2013-04-01/"
  std::function<ServiceResult(const std::string& operation, const nlohmann::json& input,
                              const CallContext& ctx)>
      invoke;
  // What IAM must allow before `invoke` runs (one request per action/resource pair; empty = nothing to
  // check, e.g. sts:GetCallerIdentity). Unset: the service authorises nothing through the front.
  std::function<std::vector<AccessRequest>(const std::string& operation, const nlohmann::json& input,
                                           const CallContext& ctx)>
      access = {};
  // Query operations that may arrive unsigned (STS AssumeRoleWithWebIdentity); routed by `Action`.
  std::vector<std::string> anonymous_operations = {};
};

// Temporary credentials (ASIA... key ids): the session token unsealed into the credential SigV4 checks
// and the session's claims. kOutOfRange = expired (ExpiredToken); kNotFound = invalid.
struct TemporaryCredential {
  aws::Credential credential;
  std::shared_ptr<const SessionClaims> session;
};
using SessionLookup = std::function<Result<TemporaryCredential>(std::string_view access_key_id,
                                                                std::string_view session_token)>;

class ApiFront {
 public:
  ApiFront(ApiOptions options, aws::CredentialLookup lookup, const Clock& clock);
  ~ApiFront();  // stop()
  ApiFront(const ApiFront&) = delete;
  ApiFront& operator=(const ApiFront&) = delete;

  // Before start().
  void addService(ApiService service);
  // Before start(). Resolves ASIA... keys with the request's X-Amz-Security-Token.
  void setSessionLookup(SessionLookup lookup) { session_lookup_ = std::move(lookup); }
  // Before start(). Told of every long-term key that signed a verified request, with the service and
  // region of its credential scope (IAM's GetAccessKeyLastUsed). Must be cheap and thread-safe.
  using KeyUseRecorder =
      std::function<void(std::string_view access_key_id, std::string_view service, std::string_view region)>;
  void setKeyUseRecorder(KeyUseRecorder recorder) { key_use_ = std::move(recorder); }
  // Before start(). Consulted for every signed call of a service with `access`; must outlive the front.
  void setAuthorizer(Authorizer* authorizer) { authorizer_ = authorizer; }

  // Starts the worker pool and the HTTP(S) listener.
  Status start();
  uint16_t port() const { return http_ ? http_->port() : 0; }
  // Stops listening, finishes queued requests, waits for deferred answers, joins the workers.
  // Idempotent.
  void stop();

  // The HTTP handler: steps 1-5 on the calling thread, then the service (deferred, on a worker, or
  // here); answers through `respond`, possibly from another thread.
  void handle(http::Request&& request, http::Responder respond);
  // The whole pipeline on the calling thread, waiting for commits (tests, tools).
  http::Response process(const http::Request& request);
  // http::ServerConfig::may_send_large_body: the head (no body yet) names a known access key, in a
  // SigV4 Authorization header or a presigned query. The signature is checked later, over the whole
  // request; until then only untrusted_body_bytes of body are read.
  bool carriesCredentials(const http::Request& head) const;

 private:
  // A request through step 5: what the service call and the serializer need.
  struct Call {
    std::string request_id;
    aws::Protocol protocol = aws::Protocol::kRestXml;
    const ApiService* service = nullptr;
    aws::OperationRequest operation;
    CallContext ctx;
  };
  // Steps 1-5: the call, or the error response to send.
  std::variant<Call, http::Response> prepare(const http::Request& request);
  // Step 7 for a final (ok or error) result.
  http::Response finish(const Call& call, const ServiceResult& result) const;
  // Calls the service and answers through `respond`, now or (deferred, counted in deferred_) later.
  // False, having answered nothing, when the service needs a thread that may wait.
  bool invoke(const std::shared_ptr<Call>& call, const http::Responder& respond, bool may_block);
  void releaseDeferred();

  // The service, and whether the request is an unsigned call of one of its anonymous operations.
  const ApiService* route(const http::Request& request, aws::Protocol* protocol, bool* anonymous) const;
  http::Response render(aws::Protocol protocol, const ApiService* service, const aws::AwsError& error,
                        const std::string& request_id) const;
  void workerLoop();

  ApiOptions options_;
  aws::CredentialLookup lookup_;
  SessionLookup session_lookup_;
  KeyUseRecorder key_use_;
  Authorizer* authorizer_ = nullptr;
  const Clock& clock_;
  Throttle throttle_;
  std::vector<ApiService> services_;
  std::unique_ptr<http::Server> http_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;  // guarded by mu_
  bool stopping_ = false;                    // guarded by mu_
  size_t deferred_ = 0;                      // guarded by mu_; answers the service still owes
  std::condition_variable deferred_cv_;      // deferred_ reached 0
  std::vector<std::thread> workers_;
};

// A random request id in the form AWS uses for Route 53 ("8c006a24-e7df-11e7-9162-01963394e1df").
std::string newRequestId();

}  // namespace zk::api
