// StsService: the STS API (2011-06-15, query protocol): caller identity and temporary credentials.
#pragma once

// Operations: GetCallerIdentity, GetSessionToken, GetAccessKeyInfo, AssumeRole,
// AssumeRoleWithWebIdentity. Credentials are issued by the SessionSealer (sessions.h): nothing is
// stored per session. Rules as AWS documents them:
//   https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
//   https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html
//   https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html (role chaining: 1 h)
// A role's trust policy is the resource policy of sts:AssumeRole*: the Authorizer evaluates it together
// with the caller's identity policies (cross-account needs both). A role that does not exist is refused
// exactly like one that does not trust the caller (AccessDenied), as AWS does.
//
// Threading: thread-safe; invoke() may block on IAM reads and on fetching an issuer's JWKS.

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "api/service.h"
#include "aws/model.h"
#include "base/clock.h"
#include "services/iam/directory.h"
#include "services/sts/sessions.h"
#include "services/sts/web_identity.h"

namespace zk::sts {

class StsService {
 public:
  // All references must outlive the service.
  StsService(iam::Directory& directory, api::Authorizer& authorizer, const SessionSealer& sealer,
             WebIdentityVerifier& web_identity, const Clock& clock);

  static std::shared_ptr<const aws::ServiceModel> model();

  api::ServiceResult invoke(std::string_view operation, const nlohmann::json& input,
                            const api::CallContext& ctx);

  // Credentials for a role of this server's choosing (IMDS): the role must trust `service_principal`.
  // `session_name`: what EC2 uses, the instance id.
  Result<IssuedCredentials> credentialsForService(const std::string& role_arn,
                                                  const std::string& service_principal,
                                                  std::chrono::seconds duration,
                                                  const std::string& session_name);

 private:
  api::ServiceResult getCallerIdentity(const api::CallContext& ctx);
  api::ServiceResult getSessionToken(const nlohmann::json& in, const api::CallContext& ctx);
  api::ServiceResult getAccessKeyInfo(const nlohmann::json& in, const api::CallContext& ctx);
  api::ServiceResult assumeRole(const nlohmann::json& in, const api::CallContext& ctx);
  api::ServiceResult assumeRoleWithWebIdentity(const nlohmann::json& in, const api::CallContext& ctx);

  aws::AwsError error(std::string_view shape, std::string message) const;

  iam::Directory& directory_;
  api::Authorizer& authorizer_;
  const SessionSealer& sealer_;
  WebIdentityVerifier& web_identity_;
  const Clock& clock_;
  std::shared_ptr<const aws::ServiceModel> model_;
};

// What the front authorises before invoke(): sts:GetAccessKeyInfo on "*"; GetCallerIdentity and
// GetSessionToken need no permission
// (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html); AssumeRole* are authorised
// inside the service, against the role's trust policy.
std::vector<api::AccessRequest> accessFor(const std::string& operation, const nlohmann::json& input,
                                          const api::CallContext& ctx);

// "arn:aws:iam::123456789012:role/path/Name" -> {account, name}; kInvalidArgument otherwise.
struct RoleName {
  std::string account_id, name;
};
Result<RoleName> parseRoleArn(std::string_view arn);

}  // namespace zk::sts
