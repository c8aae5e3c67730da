// The service-neutral currency of the API front: who calls (CallContext) and what an operation answers
// (ServiceResult). Every AWS service behind the front (Route 53, IAM, STS, ACM) speaks these.
#pragma once

// Input and output of an operation are the value trees of the botocore model (aws/model.h: structure
// members by member name); the protocol codecs (rest-xml, json, query) stay in the front.

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <variant>

#include "aws/aws_error.h"

namespace zk::api {

// An operation's outcome: the output value tree, or the AWS error to answer with. Two more states
// exist only for callers that set CallContext::deliver / may_block (see there): deferred (the answer
// comes later through deliver) and needsBlockingThread (call again where waiting is allowed).
class ServiceResult {
 public:
  ServiceResult(nlohmann::json output) : v_(std::in_place_index<0>, std::move(output)) {}  // NOLINT
  ServiceResult(aws::AwsError error) : v_(std::in_place_index<1>, std::move(error)) {}     // NOLINT
  static ServiceResult deferred() { return ServiceResult(Later::kDeferred); }
  static ServiceResult blocking() { return ServiceResult(Later::kBlocking); }

  bool ok() const { return v_.index() == 0; }
  bool isError() const { return v_.index() == 1; }
  bool isDeferred() const { return v_.index() == 2 && std::get<2>(v_) == Later::kDeferred; }
  bool needsBlockingThread() const { return v_.index() == 2 && std::get<2>(v_) == Later::kBlocking; }
  const nlohmann::json& output() const { return std::get<0>(v_); }
  nlohmann::json& output() { return std::get<0>(v_); }
  const aws::AwsError& error() const { return std::get<1>(v_); }

 private:
  enum class Later { kDeferred, kBlocking };
  explicit ServiceResult(Later later) : v_(std::in_place_index<2>, later) {}
  std::variant<nlohmann::json, aws::AwsError, Later> v_;
};

// Who calls, and the request id echoed in errors and logs; how the caller takes the answer.
struct CallContext {
  std::string account_id;
  std::string principal_arn;
  std::string request_id;
  // Set by a caller that can take the answer later (the API front): an operation that would wait
  // for a commit (today ChangeResourceRecordSets) instead returns ServiceResult::deferred() at once
  // and calls `deliver` exactly once with its real result, later, on another thread (the store's
  // writer thread, right after the group commit's fsync). Empty: invoke() waits and returns it.
  std::function<void(ServiceResult)> deliver;
  // False: the calling thread must not wait for a commit (an HTTP I/O thread). An operation that
  // would, and cannot defer, then returns ServiceResult::blocking() having done nothing, and the
  // caller runs it again where waiting is fine (with may_block = true).
  bool may_block = true;
};

}  // namespace zk::api
