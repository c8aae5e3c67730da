// StsService: GetCallerIdentity, GetSessionToken, GetAccessKeyInfo, AssumeRole, AssumeRoleWithWebIdentity.
#include "services/sts/service.h"

#include <spdlog/spdlog.h>

#include <regex>

#include "aws/aws_error.h"
#include "aws/timestamp.h"
#include "services/iam/policy_check.h"

namespace zk::sts {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;

int64_t epochMs(system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

aws::AwsError validation(std::string message) {
  return aws::makeAwsError(400, "ValidationError", std::move(message));
}

aws::AwsError accessDenied(std::string message) {
  return aws::makeAwsError(403, "AccessDenied", std::move(message));
}

// RoleSessionName and SourceIdentity: [\w+=,.@-]{2,64}.
bool validSessionName(std::string_view s) {
  if (s.size() < 2 || s.size() > 64) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) ||
          std::string_view("_+=,.@-").find(c) != std::string_view::npos))
      return false;
  return true;
}

nlohmann::json credentialsJson(const IssuedCredentials& c) {
  return {{"AccessKeyId", c.access_key_id},
          {"SecretAccessKey", c.secret_access_key},
          {"SessionToken", c.session_token},
          {"Expiration", aws::timestampToJson(epochMs(c.expiration))}};
}

// The last path segment of an ARN's resource ("user/path/alice" -> "alice").
std::string lastSegment(std::string_view arn) {
  size_t p = arn.rfind('/');
  return std::string(p == std::string_view::npos ? arn : arn.substr(p + 1));
}

// Inline Policy and PolicyArns of an AssumeRole* call: the session policies, or the error.
// The packed size is reported as AWS does, a percentage of the allotted space: the plain-text
// inline policy and the managed policy ARNs together may not exceed 2,048 characters, and at most 10
// ARNs are allowed. https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session
struct SessionPolicies {
  std::vector<std::string> documents;
  int packed_percent = 0;
};
std::variant<SessionPolicies, aws::AwsError> sessionPolicies(const nlohmann::json& in,
                                                             iam::Directory& directory,
                                                             const aws::ServiceModel& model) {
  SessionPolicies out;
  size_t chars = 0;
  if (auto p = in.find("Policy"); p != in.end() && p->is_string()) {
    const std::string text = *p;
    Status s = iam::validatePolicyDocument(text, /*resource_policy=*/false);
    if (!s.isOk()) return aws::modeledError(model, "MalformedPolicyDocumentException", s.message());
    chars += text.size();
    out.documents.push_back(text);
  }
  size_t arns = 0;
  if (auto p = in.find("PolicyArns"); p != in.end() && p->is_array()) {
    for (const auto& d : *p) {
      std::string arn = d.value("arn", "");
      ++arns;
      chars += arn.size();
      auto doc = directory.managedPolicyDocument(arn);
      if (!doc.ok()) return validation("Policy " + arn + " does not exist or is not attachable.");
      out.documents.push_back(std::move(doc).value());
    }
  }
  out.packed_percent = static_cast<int>((chars * 100 + 2047) / 2048);
  if (arns > 10 || chars > 2048) {
    return aws::modeledError(model, "PackedPolicyTooLargeException",
                             "Packed policy consumes " + std::to_string(out.packed_percent) +
                                 "% of allotted space, please use smaller policy for session.");
  }
  return out;
}

// The claims of a new session of `role` named `session_name`, valid for `duration` from `now`.
api::SessionClaims roleClaims(const iam::Role& role, const std::string& session_name,
                              system_clock::time_point now, seconds duration) {
  api::SessionClaims c;
  c.kind = api::SessionClaims::Kind::kAssumedRole;
  c.account_id = role.account_id;
  c.source_arn = role.arn;
  c.source_name = role.name;
  c.source_id = role.id;
  c.session_name = session_name;
  c.issued_at = now;
  c.expires_at = now + duration;
  return c;
}

// A sealed role session: its credentials and the identity GetCallerIdentity shows for them
// (arn:aws:sts::ACCT:assumed-role/ROLE/SESSION, user id ROLEID:SESSION).
struct RoleSession {
  IssuedCredentials credentials;
  std::string arn, user_id;
};
Result<RoleSession> sealRoleSession(const SessionSealer& sealer, const api::SessionClaims& c) {
  RoleSession s;
  s.arn = "arn:aws:sts::" + c.account_id + ":assumed-role/" + c.source_name + "/" + c.session_name;
  s.user_id = c.source_id + ":" + c.session_name;
  auto issued = sealer.issue(c, s.arn, s.user_id);
  if (!issued.ok()) return issued.status();
  s.credentials = std::move(issued).value();
  return s;
}

// AssumeRole*'s common output members.
nlohmann::json roleSessionJson(const RoleSession& s) {
  return {{"Credentials", credentialsJson(s.credentials)},
          {"AssumedRoleUser", {{"AssumedRoleId", s.user_id}, {"Arn", s.arn}}}};
}

// The ValidationError for a RoleSessionName / SourceIdentity outside [\w+=,.@-]{2,64}, or nullopt.
std::optional<aws::AwsError> badSessionName(const std::string& value, const char* member) {
  if (validSessionName(value)) return std::nullopt;
  return validation(
      "1 validation error detected: Value '" + value + "' at '" + member +
      "' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*");
}

}  // namespace

std::vector<api::AccessRequest> accessFor(const std::string& op, const nlohmann::json&,
                                          const api::CallContext&) {
  if (op == "GetAccessKeyInfo") {
    api::AccessRequest r;
    r.action = "sts:GetAccessKeyInfo";
    return {r};
  }
  return {};
}

Result<RoleName> parseRoleArn(std::string_view arn) {
  // arn:aws:iam::123456789012:role/path/Name
  static const std::regex kRole(R"(^arn:aws:iam::(\d{12}):role/(?:[\x21-\x7e]*/)?([\w+=,.@-]{1,64})$)");
  std::cmatch m;
  if (!std::regex_match(arn.begin(), arn.end(), m, kRole)) return invalidArgument("not a role ARN");
  return RoleName{m[1].str(), m[2].str()};
}

StsService::StsService(iam::Directory& directory, api::Authorizer& authorizer, const SessionSealer& sealer,
                       WebIdentityVerifier& web_identity, const Clock& clock)
    : directory_(directory),
      authorizer_(authorizer),
      sealer_(sealer),
      web_identity_(web_identity),
      clock_(clock),
      model_(model()) {}

std::shared_ptr<const aws::ServiceModel> StsService::model() { return aws::ServiceModel::embedded("sts"); }

aws::AwsError StsService::error(std::string_view shape, std::string message) const {
  return aws::modeledError(*model_, shape, std::move(message));
}

api::ServiceResult StsService::invoke(std::string_view op, const nlohmann::json& in,
                                      const api::CallContext& ctx) {
  if (op == "GetCallerIdentity") return getCallerIdentity(ctx);
  if (op == "AssumeRole") return assumeRole(in, ctx);
  if (op == "AssumeRoleWithWebIdentity") return assumeRoleWithWebIdentity(in, ctx);
  if (op == "GetSessionToken") return getSessionToken(in, ctx);
  if (op == "GetAccessKeyInfo") return getAccessKeyInfo(in, ctx);
  return aws::errorFromStatus(
      unimplemented("The action " + std::string(op) + " is not valid for this web service."),
      aws::Protocol::kQuery);
}

api::ServiceResult StsService::getCallerIdentity(const api::CallContext& ctx) {
  // Always allowed, even with every permission denied.
  // https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
  return nlohmann::json{{"UserId", ctx.user_id}, {"Account", ctx.account_id}, {"Arn", ctx.principal_arn}};
}

api::ServiceResult StsService::getAccessKeyInfo(const nlohmann::json& in, const api::CallContext& ctx) {
  const std::string id = in.value("AccessKeyId", "");
  if (id.rfind("ASIA", 0) == 0) {
    auto account = accountOfTemporaryKey(id);
    if (account.ok()) return nlohmann::json{{"Account", *account}};
  } else if (auto account = directory_.accountOfAccessKey(id); account.ok()) {
    return nlohmann::json{{"Account", *account}};
  }
  return validation("The access key ID " + id + " is not valid.");
}

api::ServiceResult StsService::getSessionToken(const nlohmann::json& in, const api::CallContext& ctx) {
  // https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html
  if (ctx.session) return accessDenied("Cannot call GetSessionToken with session credentials");
  const bool root = ctx.principal_arn == "arn:aws:iam::" + ctx.account_id + ":root";
  int64_t duration = in.value("DurationSeconds", root ? 3600 : 43200);
  if (root && duration > 3600) duration = 3600;  // the root user's sessions last at most an hour
  if (duration < 900 || duration > 129600)
    return validation("The requested DurationSeconds is outside the allowed range of 900 to 129600 seconds.");
  api::SessionClaims c;
  c.kind = api::SessionClaims::Kind::kFederatedUser;
  c.account_id = ctx.account_id;
  c.source_arn = ctx.principal_arn;
  c.source_name = root ? "" : lastSegment(ctx.principal_arn);
  c.source_id = ctx.user_id;
  c.issued_at = clock_.now();
  c.expires_at = c.issued_at + seconds(duration);
  auto issued = sealer_.issue(c, ctx.principal_arn, ctx.user_id);
  if (!issued.ok()) return aws::errorFromStatus(issued.status(), aws::Protocol::kQuery);
  return nlohmann::json{{"Credentials", credentialsJson(*issued)}};
}

api::ServiceResult StsService::assumeRole(const nlohmann::json& in, const api::CallContext& ctx) {
  const std::string role_arn = in.value("RoleArn", "");
  const std::string session_name = in.value("RoleSessionName", "");
  const std::string denied =
      "User: " + ctx.principal_arn + " is not authorized to perform: sts:AssumeRole on resource: " + role_arn;
  if (auto bad = badSessionName(session_name, "roleSessionName")) return *bad;
  auto name = parseRoleArn(role_arn);
  if (!name.ok()) return validation("Invalid RoleArn: " + role_arn);
  auto role = directory_.role(name->account_id, name->name);
  if (!role.ok()) return accessDenied(denied);

  const bool chained = ctx.session && ctx.session->kind == api::SessionClaims::Kind::kAssumedRole;
  const int64_t duration = in.value("DurationSeconds", int64_t{3600});
  if (chained && duration > 3600)
    return validation(
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.");
  if (duration > role->max_session_duration)
    return validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");

  std::string source_identity = in.value("SourceIdentity", "");
  if (!source_identity.empty())
    if (auto bad = badSessionName(source_identity, "sourceIdentity")) return *bad;
  // A chained session keeps the source identity it was given; it cannot be changed.
  if (chained && !ctx.session->source_identity.empty()) {
    if (!source_identity.empty() && source_identity != ctx.session->source_identity)
      return accessDenied(denied + " because the source identity cannot be changed in a role chain");
    source_identity = ctx.session->source_identity;
  }

  api::AccessRequest need;
  need.action = "sts:AssumeRole";
  need.resource = role->arn;
  need.resource_account = role->account_id;
  need.context.push_back({"sts:RoleSessionName", {session_name}});
  if (in.contains("ExternalId")) need.context.push_back({"sts:ExternalId", {in.value("ExternalId", "")}});
  if (!source_identity.empty()) need.context.push_back({"sts:SourceIdentity", {source_identity}});
  std::vector<std::pair<std::string, std::string>> tags;
  if (auto t = in.find("Tags"); t != in.end() && t->is_array()) {
    std::vector<std::string> keys;
    for (const auto& tag : *t) {
      tags.emplace_back(tag.value("Key", ""), tag.value("Value", ""));
      keys.push_back(tags.back().first);
      need.context.push_back({"aws:RequestTag/" + tags.back().first, {tags.back().second}});
    }
    need.context.push_back({"aws:TagKeys", keys});
  }
  if (auto refused = authorizer_.authorize(ctx, need, role->trust_policy)) return *refused;
  if (!tags.empty()) {
    api::AccessRequest tag_need = need;
    tag_need.action = "sts:TagSession";
    if (auto refused = authorizer_.authorize(ctx, tag_need, role->trust_policy)) return *refused;
  }

  auto policies = sessionPolicies(in, directory_, *model_);
  if (auto* e = std::get_if<aws::AwsError>(&policies)) return *e;
  SessionPolicies& sp = std::get<SessionPolicies>(policies);

  api::SessionClaims c = roleClaims(*role, session_name, clock_.now(), seconds(duration));
  c.session_policies = std::move(sp.documents);
  c.tags = std::move(tags);
  c.source_identity = source_identity;
  c.chained = chained;
  auto sealed = sealRoleSession(sealer_, c);
  if (!sealed.ok()) return aws::errorFromStatus(sealed.status(), aws::Protocol::kQuery);
  nlohmann::json out = roleSessionJson(*sealed);
  if (in.contains("Policy") || in.contains("PolicyArns")) out["PackedPolicySize"] = sp.packed_percent;
  if (!source_identity.empty()) out["SourceIdentity"] = source_identity;
  return out;
}

api::ServiceResult StsService::assumeRoleWithWebIdentity(const nlohmann::json& in,
                                                         const api::CallContext& ctx) {
  const std::string role_arn = in.value("RoleArn", "");
  const std::string session_name = in.value("RoleSessionName", "");
  const std::string denied = "Not authorized to perform sts:AssumeRoleWithWebIdentity";
  if (auto bad = badSessionName(session_name, "roleSessionName")) return *bad;
  auto name = parseRoleArn(role_arn);
  if (!name.ok()) return validation("Invalid RoleArn: " + role_arn);
  auto providers = directory_.oidcProviders(name->account_id);
  if (!providers.ok()) return aws::errorFromStatus(providers.status(), aws::Protocol::kQuery);
  auto verified = web_identity_.verify(in.value("WebIdentityToken", ""), *providers);
  if (auto* f = std::get_if<WebIdentityFailure>(&verified)) return error(f->code, f->message);
  const WebIdentity& id = std::get<WebIdentity>(verified);

  auto role = directory_.role(name->account_id, name->name);
  if (!role.ok()) return accessDenied(denied);
  const int64_t duration = in.value("DurationSeconds", int64_t{3600});
  if (duration > role->max_session_duration)
    return validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");

  // Trust conditions on <provider url>:sub, :aud, :amr, as in the IRSA trust policy.
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif
  api::AccessRequest need;
  need.action = "sts:AssumeRoleWithWebIdentity";
  need.resource = role->arn;
  need.resource_account = role->account_id;
  need.federated_principal = id.provider_arn;
  need.context.push_back({id.provider_url + ":sub", {id.subject}});
  need.context.push_back({id.provider_url + ":aud", {id.audience}});
  need.context.push_back({id.provider_url + ":oaud", {id.audience}});
  if (!id.amr.empty()) need.context.push_back({id.provider_url + ":amr", id.amr});
  need.context.push_back({"aws:FederatedProvider", {id.provider_arn}});
  need.context.push_back({"sts:RoleSessionName", {session_name}});
  if (auto refused = authorizer_.authorize(ctx, need, role->trust_policy)) {
    (void)refused;
    return accessDenied(denied);
  }

  auto policies = sessionPolicies(in, directory_, *model_);
  if (auto* e = std::get_if<aws::AwsError>(&policies)) return *e;
  SessionPolicies& sp = std::get<SessionPolicies>(policies);

  api::SessionClaims c = roleClaims(*role, session_name, clock_.now(), seconds(duration));
  c.session_policies = std::move(sp.documents);
  c.web_identity_provider = id.provider_arn;
  auto sealed = sealRoleSession(sealer_, c);
  if (!sealed.ok()) return aws::errorFromStatus(sealed.status(), aws::Protocol::kQuery);
  nlohmann::json out = roleSessionJson(*sealed);
  out["SubjectFromWebIdentityToken"] = id.subject;
  out["Provider"] = id.provider_url;
  out["Audience"] = id.audience;
  if (in.contains("Policy") || in.contains("PolicyArns")) out["PackedPolicySize"] = sp.packed_percent;
  return out;
}

Result<IssuedCredentials> StsService::credentialsForService(const std::string& role_arn,
                                                            const std::string& service_principal,
                                                            std::chrono::seconds duration,
                                                            const std::string& session_name) {
  if (!validSessionName(session_name)) return invalidArgument("bad session name: " + session_name);
  auto name = parseRoleArn(role_arn);
  if (!name.ok()) return name.status();
  auto role = directory_.role(name->account_id, name->name);
  if (!role.ok()) return role.status();
  api::CallContext ctx;
  ctx.anonymous = true;
  ctx.now = clock_.now();
  api::AccessRequest need;
  need.action = "sts:AssumeRole";
  need.resource = role->arn;
  need.resource_account = role->account_id;
  need.service_principal = service_principal;
  if (auto refused = authorizer_.authorize(ctx, need, role->trust_policy))
    return permissionDenied("role " + role_arn + " does not trust " + service_principal);
  const seconds capped = std::min<seconds>(duration, seconds(role->max_session_duration));
  api::SessionClaims c = roleClaims(*role, session_name, clock_.now(), capped);
  auto sealed = sealRoleSession(sealer_, c);
  if (!sealed.ok()) return sealed.status();
  return std::move(sealed)->credentials;
}

}  // namespace zk::sts
