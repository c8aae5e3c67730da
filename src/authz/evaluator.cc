// evaluate(): the request against identity, resource, boundary and session policies (see README.md).
//
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session
#include "authz/evaluator.h"

#include <algorithm>

#include "authz/policy_data.h"

namespace zk::authz {

using detail::AwsPrincipal;
using detail::BaseOp;
using detail::Cmp;
using detail::Condition;
using detail::CondValue;
using detail::PrincipalSpec;
using detail::SetOp;
using detail::Statement;

// ------------------------------------------------------------------------------------ RequestContext

void RequestContext::set(std::string_view key, ContextValues values) {
  std::string k = detail::toLower(key);
  for (auto& e : entries_) {
    if (e.first == k) {
      e.second = std::move(values);
      return;
    }
  }
  entries_.emplace_back(std::move(k), std::move(values));
}

void RequestContext::set(std::string_view key, std::string value) {
  ContextValues v;
  v.push_back(std::move(value));
  set(key, std::move(v));
}

void RequestContext::erase(std::string_view key) {
  const std::string k = detail::toLower(key);
  entries_.erase(
      std::remove_if(entries_.begin(), entries_.end(), [&](const auto& e) { return e.first == k; }),
      entries_.end());
}

const ContextValues* RequestContext::get(std::string_view key) const {
  for (const auto& e : entries_)
    if (detail::equalsIgnoreCase(e.first, key)) return &e.second;
  return nullptr;
}

const ContextValues* RequestContext::getLowered(std::string_view lowered_key) const {
  for (const auto& e : entries_)
    if (e.first == lowered_key) return &e.second;
  return nullptr;
}

// ------------------------------------------------------------------------------------------ phrases

const char* policyTypeName(DenyReason reason) {
  switch (reason) {
    case DenyReason::kNone:
      return "";
    case DenyReason::kExplicitDenyIdentity:
    case DenyReason::kNoIdentityAllow:
      return "identity-based policy";
    case DenyReason::kExplicitDenyResource:
    case DenyReason::kNoResourceAllow:
      return "resource-based policy";
    case DenyReason::kExplicitDenyBoundary:
    case DenyReason::kNoBoundaryAllow:
      return "permissions boundary";
    case DenyReason::kExplicitDenySession:
    case DenyReason::kNoSessionAllow:
      return "session policy";
  }
  return "";
}

std::string denyReasonPhrase(DenyReason reason, std::string_view action) {
  const std::string type = policyTypeName(reason);
  switch (reason) {
    case DenyReason::kNone:
      return "";
    case DenyReason::kExplicitDenyIdentity:
      return "with an explicit deny in an " + type;
    case DenyReason::kExplicitDenyResource:
    case DenyReason::kExplicitDenyBoundary:
    case DenyReason::kExplicitDenySession:
      return "with an explicit deny in a " + type;
    default:
      return "because no " + type + " allows the " + std::string(action) + " action";
  }
}

// ----------------------------------------------------------------------------------------- matching

namespace {

// How a resource-based policy's Principal names the caller. The kind decides what else must allow
// (denyallow page, "Resource-based policies"): a grant to the caller's own ARN (user or role session),
// to "*" or through NotPrincipal stands alone; a grant to the session's role ARN is still limited by the
// boundary and session policies; a grant to the account only delegates to the account's identity policies.
enum class PMatch { kNone = 0, kAccount = 1, kRole = 2, kDirect = 3 };

PMatch matchAws(const AwsPrincipal& e, const Principal& p) {
  if (e.any) return PMatch::kDirect;
  if (!p.arn.empty() && e.arn == p.arn) return PMatch::kDirect;
  if (e.is_account) return !p.account.empty() && e.account == p.account ? PMatch::kAccount : PMatch::kNone;
  if (!p.source_arn.empty() && e.arn == p.source_arn) return PMatch::kRole;
  return PMatch::kNone;
}

PMatch matchPrincipal(const PrincipalSpec& spec, const Principal& p) {
  if (spec.any) return PMatch::kDirect;
  PMatch best = PMatch::kNone;
  for (const AwsPrincipal& e : spec.aws) best = std::max(best, matchAws(e, p));
  if (!p.service.empty())
    for (const std::string& s : spec.service)
      if (detail::equalsIgnoreCase(s, p.service)) return PMatch::kDirect;
  if (!p.federated.empty())
    for (const std::string& s : spec.federated)
      if (s == p.federated) return PMatch::kDirect;
  return best;  // CanonicalUser entries never match
}

// NotPrincipal:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html A request
// carries several identities (the session, its role, the account); each is checked against the list. A Deny
// applies when any of them is not listed (hence "list the account too"); an Allow applies only when none is
// listed.
bool notPrincipalApplies(const PrincipalSpec& spec, const Principal& p, bool allow, bool boundary_set) {
  if (!allow && boundary_set) return true;  // access_policies_boundaries.html: "will always deny"
  bool any_listed = false, any_unlisted = false;
  auto check = [&](bool listed) { (listed ? any_listed : any_unlisted) = true; };
  auto arnListed = [&](const std::string& arn) {
    return spec.any || std::any_of(spec.aws.begin(), spec.aws.end(),
                                   [&](const AwsPrincipal& e) { return e.any || e.arn == arn; });
  };
  if (!p.arn.empty()) check(arnListed(p.arn));
  if (!p.source_arn.empty()) check(arnListed(p.source_arn));
  if (!p.account.empty())
    check(spec.any || std::any_of(spec.aws.begin(), spec.aws.end(), [&](const AwsPrincipal& e) {
            return e.any || (e.is_account && e.account == p.account);
          }));
  if (!p.service.empty())
    check(spec.any || std::any_of(spec.service.begin(), spec.service.end(), [&](const std::string& s) {
            return detail::equalsIgnoreCase(s, p.service);
          }));
  if (!p.federated.empty())
    check(spec.any ||
          std::find(spec.federated.begin(), spec.federated.end(), p.federated) != spec.federated.end());
  if (!any_listed && !any_unlisted) any_unlisted = true;  // anonymous
  return allow ? !any_listed : any_unlisted;
}

template <typename T>
bool compare(Cmp cmp, T a, T b) {
  switch (cmp) {
    case Cmp::kEq:
      return a == b;
    case Cmp::kLt:
      return a < b;
    case Cmp::kLe:
      return a <= b;
    case Cmp::kGt:
      return a > b;
    case Cmp::kGe:
      return a >= b;
  }
  return false;
}

// Does one request value match one policy value (the positive form of the operator)?
bool valueMatches(const Condition& c, const CondValue& v, std::string_view ctx_value,
                  const RequestContext& req, std::string* scratch) {
  switch (c.op) {
    case BaseOp::kStringEquals:
      if (!v.text.hasVariables()) return ctx_value == v.text.literal();
      return v.text.resolveText(req, scratch) && ctx_value == *scratch;
    case BaseOp::kStringEqualsIgnoreCase:
      if (!v.text.hasVariables()) return detail::equalsIgnoreCase(ctx_value, v.text.literal());
      return v.text.resolveText(req, scratch) && detail::equalsIgnoreCase(ctx_value, *scratch);
    case BaseOp::kStringLike:
      return v.text.matchesGlob(req, ctx_value);
    case BaseOp::kNumeric: {
      double x = 0;
      return detail::parseNumber(ctx_value, &x) && compare(c.cmp, x, v.number);
    }
    case BaseOp::kDate: {
      int64_t t = 0;
      return detail::parseDate(ctx_value, &t) && compare(c.cmp, t, v.time_us);
    }
    case BaseOp::kBool: {
      if (!v.text.resolveText(req, scratch)) return false;
      if (!detail::equalsIgnoreCase(*scratch, "true") && !detail::equalsIgnoreCase(*scratch, "false"))
        return false;
      return detail::equalsIgnoreCase(ctx_value, *scratch);
    }
    case BaseOp::kBinary:
      return ctx_value == v.bytes;
    case BaseOp::kIp: {
      detail::IpNet ip;
      return detail::parseIpNet(ctx_value, &ip) && detail::ipInNet(ip, v.net);
    }
    case BaseOp::kArn:
      return v.arn.matches(req, ctx_value);
    case BaseOp::kNull:
      return false;
  }
  return false;
}

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
// Values of one key are OR'd; a negated operator is true when no value matches. Absent key: false, except
// negated operators (true), ...IfExists (true), ForAllValues (true); ForAnyValue is false.
bool conditionHolds(const Condition& c, const RequestContext& req, std::string* scratch) {
  const ContextValues* vals = detail::lookupKey(req, c.key);
  if (c.op == BaseOp::kNull) {
    const bool absent = vals == nullptr;
    return std::any_of(c.values.begin(), c.values.end(),
                       [&](const CondValue& v) { return v.null_true == absent; });
  }
  if (vals == nullptr) {
    if (c.if_exists || c.set == SetOp::kForAllValues) return true;
    if (c.set == SetOp::kForAnyValue) return false;
    return c.negated;
  }
  auto positive = [&](std::string_view cv) {
    for (const CondValue& v : c.values)
      if (valueMatches(c, v, cv, req, scratch)) return true;
    return false;
  };
  // Plain positive operators behave like ForAnyValue, plain negated ones like ForAllValues.
  const bool all = c.set == SetOp::kForAllValues || (c.set == SetOp::kNone && c.negated);
  for (const std::string& cv : *vals) {
    const bool r = c.negated ? !positive(cv) : positive(cv);
    if (all && !r) return false;
    if (!all && r) return true;
  }
  return all;
}

enum class Slot { kIdentity, kResource, kBoundary, kSession };

struct Context {
  const RequestContext& req;
  std::string action;  // lower-cased
  bool boundary_set = false;
  std::string scratch;
};

// Does the statement apply to the request? *pm says how the principal matched (kDirect when the statement
// has no Principal).
bool applies(const Statement& st, Slot slot, Context& cx, PMatch* pm) {
  bool any = false;
  for (const detail::Glob& g : st.actions)
    if (g.matches(cx.action)) {
      any = true;
      break;
    }
  if (any == st.not_action) return false;

  if (st.has_resource) {
    any = false;
    for (const detail::ArnPattern& r : st.resources)
      if (r.matches(cx.req, cx.req.resource)) {
        any = true;
        break;
      }
    if (any == st.not_resource) return false;
  }

  *pm = PMatch::kDirect;
  if (slot == Slot::kResource) {
    // A statement without a principal in a resource slot (an identity policy put there): its Allow grants
    // nothing, its Deny applies to everyone.
    if (!st.has_principal && st.allow) return false;
  } else if (st.has_principal && st.allow) {
    return false;  // a principal in an identity-type slot: not understood, grants nothing
  }
  if (st.has_principal) {
    if (st.not_principal) {
      if (!notPrincipalApplies(st.principal, cx.req.principal, st.allow, cx.boundary_set)) return false;
    } else {
      *pm = matchPrincipal(st.principal, cx.req.principal);
      if (*pm == PMatch::kNone) return false;
    }
  }

  for (const Condition& c : st.conditions)
    if (!conditionHolds(c, cx.req, &cx.scratch)) return false;
  return true;
}

struct SlotResult {
  bool allow = false;
  bool deny = false;
  PMatch best = PMatch::kNone;  // strongest principal match among allowing statements
};

SlotResult scan(const std::vector<PolicyRef>& refs, Slot slot, Context& cx,
                std::vector<MatchedStatement>* matched) {
  SlotResult r;
  for (const PolicyRef& ref : refs) {
    if (!ref.policy) continue;
    const auto& stmts = ref.policy->data().statements;
    for (size_t i = 0; i < stmts.size(); ++i) {
      const Statement& st = stmts[i];
      PMatch pm = PMatch::kNone;
      if (!applies(st, slot, cx, &pm)) continue;
      matched->push_back(
          MatchedStatement{ref.id, i, st.sid, st.allow ? Decision::kAllow : Decision::kExplicitDeny});
      if (st.allow) {
        r.allow = true;
        r.best = std::max(r.best, pm);
      } else {
        r.deny = true;
      }
    }
  }
  return r;
}

// "arn:PARTITION:iam::ACCOUNT:root" of the caller's own account.
bool isAccountRoot(const Principal& p) {
  std::array<std::string_view, 6> parts;
  return !p.account.empty() && detail::splitArn(p.arn, &parts) && parts[2] == "iam" && parts[3].empty() &&
         parts[4] == p.account && parts[5] == "root";
}

}  // namespace

// --------------------------------------------------------------------------------------- evaluate()

Evaluation evaluate(const RequestContext& request, const PolicySet& policies) {
  Evaluation ev;
  Context cx{request, detail::toLower(request.action), policies.boundary.has_value(), {}};

  // https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html: no permissions are
  // required, and an explicit deny does not stop it.
  if (cx.action == "sts:getcalleridentity") {
    ev.decision = Decision::kAllow;
    ev.reason = DenyReason::kNone;
    return ev;
  }

  const SlotResult id = scan(policies.identity, Slot::kIdentity, cx, &ev.matched);
  const SlotResult res = scan(policies.resource, Slot::kResource, cx, &ev.matched);
  SlotResult bnd, ses;
  if (policies.boundary) bnd = scan(*policies.boundary, Slot::kBoundary, cx, &ev.matched);
  if (policies.session) ses = scan(*policies.session, Slot::kSession, cx, &ev.matched);

  // 1. An explicit deny in any policy wins.
  auto deny = [&](Decision d, DenyReason r) {
    ev.decision = d;
    ev.reason = r;
    return std::move(ev);
  };
  if (id.deny) return deny(Decision::kExplicitDeny, DenyReason::kExplicitDenyIdentity);
  if (res.deny) return deny(Decision::kExplicitDeny, DenyReason::kExplicitDenyResource);
  if (bnd.deny) return deny(Decision::kExplicitDeny, DenyReason::kExplicitDenyBoundary);
  if (ses.deny) return deny(Decision::kExplicitDeny, DenyReason::kExplicitDenySession);

  const Principal& p = request.principal;
  const bool root = isAccountRoot(p);  // the account root user has full access to its own account
  const bool boundary_ok = !policies.boundary || bnd.allow;
  const bool session_ok = !policies.session || ses.allow;
  const bool identity_ok = root || (id.allow && boundary_ok && session_ok);
  // Why the identity side fails (when it does).
  const DenyReason identity_reason = !id.allow && !root ? DenyReason::kNoIdentityAllow
                                     : !boundary_ok     ? DenyReason::kNoBoundaryAllow
                                                        : DenyReason::kNoSessionAllow;
  const bool cross_account =
      !policies.resource_account.empty() && !p.account.empty() && policies.resource_account != p.account;

  if (cross_account) {
    // Cross-account: the identity side (identity policies, narrowed by boundary and session policies)
    // AND a resource-based policy of the resource's account must allow.
    if (!identity_ok) return deny(Decision::kImplicitDeny, identity_reason);
    if (!res.allow) return deny(Decision::kImplicitDeny, DenyReason::kNoResourceAllow);
    ev.decision = Decision::kAllow;
    ev.reason = DenyReason::kNone;
    return ev;
  }

  // Same account. A role trust policy (sts:AssumeRole*) must always allow.
  const bool resource_required =
      policies.require_resource_allow || cx.action.compare(0, 14, "sts:assumerole") == 0;
  if (resource_required && !res.allow) return deny(Decision::kImplicitDeny, DenyReason::kNoResourceAllow);

  const bool allowed = identity_ok || (res.allow && res.best == PMatch::kDirect) ||
                       (res.allow && res.best == PMatch::kRole && boundary_ok && session_ok);
  if (allowed) {
    ev.decision = Decision::kAllow;
    ev.reason = DenyReason::kNone;
    return ev;
  }
  const bool role_grant = res.allow && res.best == PMatch::kRole;
  if (!id.allow && !role_grant) return deny(Decision::kImplicitDeny, DenyReason::kNoIdentityAllow);
  return deny(Decision::kImplicitDeny,
              !boundary_ok ? DenyReason::kNoBoundaryAllow : DenyReason::kNoSessionAllow);
}

}  // namespace zk::authz
