// The service-neutral currency of the API front: who calls (CallContext) and what an operation answers
// (ServiceResult). Every AWS service behind the front (Route 53, IAM, STS, ACM) speaks these.
#pragma once

// Input and output of an operation are the value trees of the botocore model (aws/model.h: structure
// members by member name); the protocol codecs (rest-xml, json, query) stay in the front.

#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

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
// A temporary session (STS AssumeRole*, GetSessionToken): what its sealed token says. Shared, immutable.
struct SessionClaims {
  enum class Kind { kAssumedRole, kFederatedUser /* GetSessionToken of a user */ };
  Kind kind = Kind::kAssumedRole;
  std::string account_id;   // the role's (or user's) account
  std::string source_arn;   // arn:aws:iam::ACCT:role/PATH/NAME (or the user's ARN)
  std::string source_name;  // role (or user) name
  std::string source_id;    // the role's (or user's) unique id (AROA... / AIDA...)
  std::string session_name;
  std::vector<std::string> session_policies;  // inline Policy text and the PolicyArns, each "arn:..." or JSON
  std::vector<std::pair<std::string, std::string>> tags;  // session tags (aws:PrincipalTag)
  std::string source_identity;
  std::string web_identity_provider;  // AssumeRoleWithWebIdentity: the OIDC provider ARN; else ""
  bool chained = false;               // assumed with role (session) credentials
  std::chrono::system_clock::time_point issued_at{}, expires_at{};
};

// Who calls (after SigV4), the request id echoed in errors and logs, how the caller takes the answer.
struct CallContext {
  std::string account_id;     // the caller's account
  std::string principal_arn;  // user ARN, "arn:aws:iam::ACCT:root", or "arn:aws:sts::ACCT:assumed-role/R/S"
  std::string request_id;
  std::string user_id;  // aws:userid: AIDA... for users, "AROA...:session" for role sessions, ACCT for root
  std::string access_key_id;
  std::shared_ptr<const SessionClaims> session;  // set for temporary credentials
  std::string source_ip;                         // aws:SourceIp
  bool secure_transport = false;
  std::string region;                           // the credential scope's region (aws:RequestedRegion)
  std::chrono::system_clock::time_point now{};  // when the request was accepted (aws:CurrentTime)
  bool anonymous = false;                       // an unsigned call (AssumeRoleWithWebIdentity)
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

// What an operation asks of IAM, in the Service Authorization Reference's words: the action, the
// resource ARN and the service's own condition keys.
// https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
struct AccessRequest {
  std::string action;          // "route53:ChangeResourceRecordSets"
  std::string resource = "*";  // "arn:aws:route53:::hostedzone/Z1", or "*"
  std::vector<std::pair<std::string, std::vector<std::string>>> context;  // e.g. route53:...RecordTypes
  std::string resource_account;  // owner of the resource when not the caller's account
  // For calls with no signed caller (CallContext::anonymous), the principal the resource policy must
  // name: a web identity provider's ARN ({"Federated": ...}) or a service ({"Service": ...}).
  std::string federated_principal;
  std::string service_principal;
};

// The policy decision point the front consults before every signed call (services that evaluate a
// resource policy themselves, such as STS's trust policies, call it with one).
class Authorizer {
 public:
  virtual ~Authorizer() = default;
  // nullopt: allowed. Else the AWS error to answer (403 AccessDenied, worded as AWS does; the
  // front renders it in the protocol's shape). `resource_policy`: a JSON resource-based policy of the
  // target (a role's trust policy for sts:AssumeRole*), or empty. Thread-safe.
  virtual std::optional<aws::AwsError> authorize(const CallContext& ctx, const AccessRequest& request,
                                                 std::string_view resource_policy = {}) = 0;
};

}  // namespace zk::api
