// PolicyAuthorizer: gathers a caller's policies and evaluates the request with authz.
#include "services/iam/authorizer.h"

#include <spdlog/spdlog.h>

#include <ctime>

#include "aws/timestamp.h"

namespace zk::iam {
namespace {

using std::chrono::system_clock;

constexpr size_t kMaxCachedPolicies = 4096;

std::string rootArn(const std::string& account) { return "arn:aws:iam::" + account + ":root"; }

std::string lastSegment(std::string_view arn) {
  size_t p = arn.rfind('/');
  return std::string(p == std::string_view::npos ? arn : arn.substr(p + 1));
}

int64_t epochMs(system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

aws::AwsError denied(const api::CallContext& ctx, const api::AccessRequest& r, authz::DenyReason reason) {
  std::string who = ctx.anonymous
                        ? (r.federated_principal.empty() ? r.service_principal : r.federated_principal)
                        : ctx.principal_arn;
  std::string message =
      "User: " + who + " is not authorized to perform: " + r.action + " on resource: " + r.resource;
  std::string why = authz::denyReasonPhrase(reason, r.action);
  if (!why.empty()) message += " " + why;
  return aws::makeAwsError(403, "AccessDenied", std::move(message));
}

}  // namespace

authz::RequestContext requestContext(const api::CallContext& ctx, const api::AccessRequest& r,
                                     system_clock::time_point fallback_now) {
  authz::RequestContext rc;
  rc.action = r.action;
  rc.resource = r.resource;
  if (ctx.anonymous) {
    rc.principal.federated = r.federated_principal;
    rc.principal.service = r.service_principal;
  } else {
    rc.principal.arn = ctx.principal_arn;
    rc.principal.account = ctx.account_id;
    const bool root = ctx.principal_arn == rootArn(ctx.account_id);
    std::string type = root ? "Account" : "User";
    std::string principal_arn = ctx.principal_arn;
    if (ctx.session && ctx.session->kind == api::SessionClaims::Kind::kAssumedRole) {
      type = "AssumedRole";
      rc.principal.source_arn = ctx.session->source_arn;
      principal_arn = ctx.session->source_arn;  // aws:PrincipalArn of a role session is the role's ARN
    }
    rc.set("aws:PrincipalArn", principal_arn);
    rc.set("aws:PrincipalAccount", ctx.account_id);
    rc.set("aws:PrincipalType", type);
    rc.set("aws:userid", ctx.user_id);
    if (type == "User") rc.set("aws:username", lastSegment(ctx.principal_arn));
    if (ctx.session) {
      rc.set("aws:TokenIssueTime", aws::formatIso8601(epochMs(ctx.session->issued_at), false));
      rc.set("aws:MultiFactorAuthPresent", "false");
      for (const auto& [k, v] : ctx.session->tags) rc.set("aws:PrincipalTag/" + k, v);
      if (!ctx.session->source_identity.empty()) rc.set("aws:SourceIdentity", ctx.session->source_identity);
      if (!ctx.session->web_identity_provider.empty())
        rc.set("aws:FederatedProvider", ctx.session->web_identity_provider);
    }
  }
  if (!ctx.source_ip.empty()) rc.set("aws:SourceIp", ctx.source_ip);
  rc.set("aws:SecureTransport", ctx.secure_transport ? "true" : "false");
  rc.set("aws:ViaAWSService", "false");
  const auto now = ctx.now.time_since_epoch().count() == 0 ? fallback_now : ctx.now;
  rc.set("aws:CurrentTime", aws::formatIso8601(epochMs(now), false));
  rc.set("aws:EpochTime", std::to_string(epochMs(now) / 1000));
  if (!ctx.region.empty()) rc.set("aws:RequestedRegion", ctx.region);
  for (const auto& [k, v] : r.context) rc.set(k, v);
  return rc;
}

Result<std::shared_ptr<const authz::Policy>> PolicyAuthorizer::parsed(const std::string& document,
                                                                      authz::Policy::Kind kind) {
  // One cache per kind, keyed by the document itself: a request costs a hash, no copy.
  auto& cache = kind == authz::Policy::Kind::kResource ? resource_cache_ : identity_cache_;
  {
    std::lock_guard lock(mu_);
    if (auto it = cache.find(document); it != cache.end()) return it->second;
  }
  auto p = authz::Policy::parse(document, kind);
  if (!p.ok()) return p.status();
  auto shared = std::make_shared<const authz::Policy>(std::move(p).value());
  std::lock_guard lock(mu_);
  if (cache.size() >= kMaxCachedPolicies) cache.clear();
  cache.emplace(document, shared);
  return shared;
}

Result<std::vector<authz::PolicyRef>> PolicyAuthorizer::refs(const std::vector<PolicyText>& texts) {
  std::vector<authz::PolicyRef> out;
  for (const PolicyText& t : texts) {
    auto p = parsed(t.document, authz::Policy::Kind::kIdentity);
    // A stored policy that no longer parses grants nothing (it cannot be partly understood).
    if (!p.ok()) {
      spdlog::warn("policy {} does not parse: {}", t.id, p.status().message());
      continue;
    }
    out.push_back({t.id, *p});
  }
  return out;
}

Result<PolicyAuthorizer::Prepared> PolicyAuthorizer::prepare(const api::CallContext& ctx,
                                                             const api::AccessRequest& r,
                                                             std::string_view resource_policy) {
  Prepared out;
  out.request = requestContext(ctx, r, clock_.now());
  authz::PolicySet& set = out.policies;
  set.resource_account = r.resource_account;
  if (!resource_policy.empty()) {
    auto p = parsed(std::string(resource_policy), authz::Policy::Kind::kResource);
    if (p.ok()) set.resource.push_back({"resource-policy", *p});
  }
  if (ctx.anonymous) {
    set.require_resource_allow = true;
    set.resource_account = r.resource_account;
    return out;
  }
  const bool same_account = r.resource_account.empty() || r.resource_account == ctx.account_id;
  Result<PrincipalPolicies> policies = PrincipalPolicies{};
  if (ctx.session && ctx.session->kind == api::SessionClaims::Kind::kAssumedRole) {
    policies = directory_.policiesForRole(ctx.session->account_id, ctx.session->source_name);
    std::vector<authz::PolicyRef> session;
    for (size_t i = 0; i < ctx.session->session_policies.size(); ++i) {
      auto p = parsed(ctx.session->session_policies[i], authz::Policy::Kind::kIdentity);
      if (p.ok()) session.push_back({"session-policy/" + std::to_string(i + 1), *p});
    }
    if (!ctx.session->session_policies.empty()) set.session = std::move(session);
  } else if (ctx.principal_arn == rootArn(ctx.account_id)) {
    out.root = same_account;
    return out;
  } else {
    policies = directory_.policiesForUser(ctx.account_id, lastSegment(ctx.principal_arn));
  }
  if (!policies.ok()) {
    // A principal that has disappeared (deleted user or role) holds no permissions.
    if (policies.status().code() == Code::kNotFound) return out;
    return policies.status();
  }
  auto identity = refs(policies->identity);
  if (!identity.ok()) return identity.status();
  set.identity = std::move(identity).value();
  if (policies->boundary) {
    auto boundary = refs(*policies->boundary);
    if (!boundary.ok()) return boundary.status();
    set.boundary = std::move(boundary).value();
  }
  return out;
}

std::optional<aws::AwsError> PolicyAuthorizer::authorize(const api::CallContext& ctx,
                                                         const api::AccessRequest& r,
                                                         std::string_view resource_policy) {
  auto prepared = prepare(ctx, r, resource_policy);
  if (!prepared.ok()) {
    spdlog::error("request {}: cannot gather policies: {}", ctx.request_id, prepared.status().toString());
    return aws::makeAwsError(500, "InternalFailure", "We encountered an internal error.");
  }
  if (prepared->root) {
    // The root user: everything in its own account, unless a resource policy denies it explicitly.
    if (prepared->policies.resource.empty()) return std::nullopt;
    authz::PolicySet only_resource;
    only_resource.resource = prepared->policies.resource;
    authz::Evaluation e = authz::evaluate(prepared->request, only_resource);
    if (e.decision == authz::Decision::kExplicitDeny) return denied(ctx, r, e.reason);
    if (r.action.rfind("sts:AssumeRole", 0) == 0 && e.decision != authz::Decision::kAllow)
      return denied(ctx, r, e.reason);
    return std::nullopt;
  }
  authz::Evaluation e = authz::evaluate(prepared->request, prepared->policies);
  if (e.decision == authz::Decision::kAllow) return std::nullopt;
  return denied(ctx, r, e.reason);
}

}  // namespace zk::iam
