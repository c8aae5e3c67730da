// IamService: the IAM API operations (2010-05-08, query protocol) over the IAM store.
#pragma once

// Input and output are value trees of the botocore model (aws/model.h: members by member name); the
// query codec stays in the API front. Every operation acts within CallContext::account_id; another
// account's entity looks exactly like one that does not exist (NoSuchEntity).
//
// Errors are the model's shapes: NoSuchEntity 404, EntityAlreadyExists 409, LimitExceeded 409,
// DeleteConflict 409, MalformedPolicyDocument 400, InvalidInput 400; name patterns, lengths and ranges
// (the model's constraints, checked again here so a caller of invoke() gets them too) are 400
// ValidationError. Policy documents pass validatePolicyDocument (policy_check.h); documents in
// responses are URL-encoded (RFC 3986) as IAM sends them, which the SDKs decode.
//
// Lists honour Marker/MaxItems (default 100, the marker is opaque to clients).
//
// Threading: thread-safe; invoke() may run on many threads at once and blocks while the store commits.
// It never runs on a thread that must not wait (CallContext::may_block false -> blocking()).

#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "api/service.h"
#include "aws/aws_error.h"
#include "aws/model.h"
#include "base/clock.h"
#include "base/result.h"
#include "crypto/crypto.h"
#include "crypto/secret_box.h"
#include "services/iam/store.h"

namespace zk::iam {

class PolicyAuthorizer;
class Directory;

// Quotas: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
struct IamConfig {
  int max_access_keys_per_user = 2;          // Access keys assigned to an IAM user
  int max_policy_versions = 5;               // Versions of a managed policy that you can save
  int max_managed_policies_per_entity = 10;  // Managed policies attached to a user, group or role
  int max_groups_per_user = 10;              // IAM groups an IAM user can be a member of
  int max_roles_per_instance_profile = 1;
  size_t max_tags = 50;  // Tags per IAM resource
  int64_t users_quota = 5000, groups_quota = 300, roles_quota = 1000, policies_quota = 1500,
          instance_profiles_quota = 1000;
};

using api::CallContext;
using api::ServiceResult;

class IamService {
 public:
  // The store must outlive the service. `box` seals new secret access keys; `random` makes ids and keys.
  IamService(IamStore& store, const Clock& clock, crypto::SecretBox box, crypto::RandomSource random,
             IamConfig config = {});
  IamService(const IamService&) = delete;
  IamService& operator=(const IamService&) = delete;

  // The IAM model (parsed once per process, shared).
  static std::shared_ptr<const aws::ServiceModel> model();

  // Runs one operation ("CreateUser", ...) with its input value tree.
  ServiceResult invoke(std::string_view operation, const nlohmann::json& input, const CallContext& ctx);

  // SimulateCustomPolicy / SimulatePrincipalPolicy evaluate with these (both must outlive the service).
  void setPolicySimulator(PolicyAuthorizer* authorizer, Directory* directory) {
    authorizer_ = authorizer;
    directory_ = directory;
  }

  struct Handlers;  // the operation table (service.cc)

 private:
  friend struct Handlers;
  aws::AwsError error(std::string_view shape, std::string message) const;
  aws::AwsError fromStore(const Status& s, const CallContext& ctx) const;

  IamStore& store_;
  const Clock& clock_;
  crypto::SecretBox box_;
  crypto::RandomSource random_;
  IamConfig config_;
  std::shared_ptr<const aws::ServiceModel> model_;
  std::mutex policy_mu_;  // serializes CreatePolicyVersion (version numbers)
  PolicyAuthorizer* authorizer_ = nullptr;
  Directory* directory_ = nullptr;
};

}  // namespace zk::iam
