// The IAM policy simulator over authz::evaluate.
#include "services/iam/simulate.h"

#include "aws/aws_error.h"

namespace zk::iam {
namespace {

using nlohmann::json;

std::vector<std::string> strings(const json& in, const char* member) {
  std::vector<std::string> out;
  if (auto it = in.find(member); it != in.end() && it->is_array())
    for (const auto& v : *it)
      if (v.is_string()) out.push_back(v);
  return out;
}

const char* decisionText(authz::Decision d) {
  switch (d) {
    case authz::Decision::kAllow:
      return "allowed";
    case authz::Decision::kExplicitDeny:
      return "explicitDeny";
    default:
      return "implicitDeny";
  }
}

// "arn:aws:iam::ACCT:user/path/name" -> (ACCT, "user", name).
bool splitPrincipalArn(const std::string& arn, std::string* account, std::string* kind, std::string* name) {
  constexpr std::string_view kPrefix = "arn:aws:iam::";
  if (arn.compare(0, kPrefix.size(), kPrefix) != 0 || arn.size() < kPrefix.size() + 13) return false;
  *account = arn.substr(kPrefix.size(), 12);
  std::string rest = arn.substr(kPrefix.size() + 13);
  size_t slash = rest.find('/');
  if (slash == std::string::npos) return false;
  *kind = rest.substr(0, slash);
  *name = rest.substr(rest.rfind('/') + 1);
  return !name->empty();
}

}  // namespace

api::ServiceResult simulatePolicy(std::string_view op, const json& in, const api::CallContext& ctx,
                                  PolicyAuthorizer& authorizer, Directory& directory,
                                  const aws::ServiceModel& model) {
  auto invalid = [&](std::string m) {
    return aws::modeledError(model, "InvalidInputException", std::move(m));
  };
  auto malformed = [&](std::string m) {
    return aws::modeledError(model, "PolicyEvaluationException", std::move(m));
  };
  authz::PolicySet base;
  std::string caller_arn = in.value("CallerArn", "");
  std::string caller_account = ctx.account_id;
  int n = 0;
  for (const std::string& doc : strings(in, "PolicyInputList")) {
    auto p = authorizer.parsed(doc, authz::Policy::Kind::kIdentity);
    if (!p.ok()) return aws::modeledError(model, "MalformedPolicyDocumentException", p.status().message());
    base.identity.push_back({"PolicyInputList." + std::to_string(++n), *p});
  }
  n = 0;
  for (const std::string& doc : strings(in, "PermissionsBoundaryPolicyInputList")) {
    auto p = authorizer.parsed(doc, authz::Policy::Kind::kIdentity);
    if (!p.ok()) return aws::modeledError(model, "MalformedPolicyDocumentException", p.status().message());
    if (!base.boundary) base.boundary.emplace();
    base.boundary->push_back({"PermissionsBoundaryPolicyInputList." + std::to_string(++n), *p});
  }
  if (op == "SimulatePrincipalPolicy") {
    const std::string source = in.value("PolicySourceArn", "");
    std::string account, kind, name;
    if (!splitPrincipalArn(source, &account, &kind, &name))
      return invalid("Invalid PolicySourceArn: " + source);
    if (account != ctx.account_id) return invalid("PolicySourceArn must be in the caller's account.");
    Result<PrincipalPolicies> policies = notFound("");
    if (kind == "user") {
      policies = directory.policiesForUser(account, name);
    } else if (kind == "role") {
      policies = directory.policiesForRole(account, name);
    } else {
      return invalid("PolicySourceArn must be a user or role ARN.");
    }
    if (!policies.ok()) {
      if (policies.status().code() == Code::kNotFound)
        return aws::modeledError(model, "NoSuchEntityException",
                                 "The entity " + source + " cannot be found.");
      return aws::makeAwsError(500, "ServiceFailure", "We encountered an internal error.");
    }
    for (const PolicyText& t : policies->identity) {
      auto p = authorizer.parsed(t.document, authz::Policy::Kind::kIdentity);
      if (p.ok()) base.identity.push_back({t.id, *p});
    }
    if (policies->boundary && !base.boundary) {
      base.boundary.emplace();
      for (const PolicyText& t : *policies->boundary) {
        auto p = authorizer.parsed(t.document, authz::Policy::Kind::kIdentity);
        if (p.ok()) base.boundary->push_back({t.id, *p});
      }
    }
    if (caller_arn.empty()) caller_arn = source;
  } else if (base.identity.empty()) {
    return invalid("PolicyInputList must contain at least one policy.");
  }
  if (caller_arn.empty()) caller_arn = "arn:aws:iam::" + caller_account + ":user/simulated";
  if (auto doc = in.find("ResourcePolicy"); doc != in.end() && doc->is_string()) {
    auto p = authorizer.parsed(*doc, authz::Policy::Kind::kResource);
    if (!p.ok()) return aws::modeledError(model, "MalformedPolicyDocumentException", p.status().message());
    base.resource.push_back({"ResourcePolicy", *p});
  }
  std::string owner = in.value("ResourceOwner", "");
  if (!owner.empty()) {
    // "arn:aws:iam::ACCT:root" or a bare account id.
    if (owner.rfind("arn:aws:iam::", 0) == 0 && owner.size() >= 25) owner = owner.substr(13, 12);
    base.resource_account = owner;
  }

  std::vector<std::string> actions = strings(in, "ActionNames");
  if (actions.empty()) return invalid("ActionNames must contain at least one action.");
  std::vector<std::string> resources = strings(in, "ResourceArns");
  if (resources.empty()) resources.push_back("*");

  api::CallContext sim;
  sim.account_id = caller_account;
  sim.principal_arn = caller_arn;
  sim.now = ctx.now;
  json results = json::array();
  for (const std::string& action : actions) {
    for (const std::string& resource : resources) {
      api::AccessRequest need;
      need.action = action;
      need.resource = resource;
      authz::RequestContext rc = requestContext(sim, need, ctx.now);
      if (auto entries = in.find("ContextEntries"); entries != in.end() && entries->is_array()) {
        for (const auto& e : *entries) {
          std::string key = e.value("ContextKeyName", "");
          if (key.empty()) return malformed("ContextKeyName is required.");
          rc.set(key, strings(e, "ContextKeyValues"));
        }
      }
      authz::Evaluation ev = authz::evaluate(rc, base);
      json matched = json::array();
      for (const authz::MatchedStatement& m : ev.matched) {
        const bool deciding = ev.decision == authz::Decision::kAllow
                                  ? m.effect == authz::Decision::kAllow
                                  : m.effect == authz::Decision::kExplicitDeny;
        if (!deciding) continue;
        std::string type = "IAM Policy";
        if (m.source_id == "ResourcePolicy")
          type = "resource";
        else if (m.source_id.rfind("PolicyInputList", 0) == 0)
          type = "user";
        else if (m.source_id.rfind("PermissionsBoundary", 0) == 0)
          type = "none";
        else if (m.source_id.rfind("arn:aws:iam::aws:", 0) == 0)
          type = "aws-managed";
        json st = {{"SourcePolicyId", m.source_id}, {"SourcePolicyType", type}};
        matched.push_back(std::move(st));
      }
      json r = {{"EvalActionName", action},
                {"EvalResourceName", resource},
                {"EvalDecision", decisionText(ev.decision)},
                {"MatchedStatements", matched},
                {"MissingContextValues", json::array()}};
      if (base.boundary)
        r["PermissionsBoundaryDecisionDetail"] = {
            {"AllowedByPermissionsBoundary", ev.reason != authz::DenyReason::kNoBoundaryAllow &&
                                                 ev.reason != authz::DenyReason::kExplicitDenyBoundary}};
      results.push_back(std::move(r));
    }
  }
  return json{{"EvaluationResults", results}, {"IsTruncated", false}};
}

}  // namespace zk::iam
