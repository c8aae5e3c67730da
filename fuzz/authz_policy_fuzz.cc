// Fuzzes Policy::parse (both kinds) and evaluate() of a fixed request against whatever parsed.
// zk-fuzz-libs: zk_authz
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "authz/evaluator.h"
#include "authz/policy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace zk::authz;  // NOLINT
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  auto identity = Policy::parse(input, Policy::Kind::kIdentity);
  auto resource = Policy::parse(input, Policy::Kind::kResource);
  if (identity.ok() && identity->statementCount() == 0) __builtin_trap();  // a policy has statements
  if (resource.ok() && resource->statementCount() == 0) __builtin_trap();

  RequestContext req;
  req.action = "route53:ChangeResourceRecordSets";
  req.resource = "arn:aws:route53:::hostedzone/Z1";
  req.principal.arn = "arn:aws:sts::111122223333:assumed-role/R/sess";
  req.principal.account = "111122223333";
  req.principal.source_arn = "arn:aws:iam::111122223333:role/R";
  req.set("aws:username", "alice");
  req.set("aws:SourceIp", "192.0.2.10");
  req.set("aws:CurrentTime", "2024-06-01T12:00:00Z");
  req.set("aws:SecureTransport", "true");
  req.set("route53:ChangeResourceRecordSetsRecordTypes", {"TXT", "A"});
  req.set("route53:ChangeResourceRecordSetsNormalizedRecordNames",
          ContextValues{"_acme-challenge.example.com"});
  req.set("oidc.example:sub", "system:serviceaccount:cert-manager:cert-manager");

  PolicySet ps;
  if (identity.ok()) {
    auto p = std::make_shared<const Policy>(std::move(*identity));
    ps.identity.push_back({"identity", p});
    ps.boundary = std::vector<PolicyRef>{{"boundary", p}};
  }
  if (resource.ok())
    ps.resource.push_back({"resource", std::make_shared<const Policy>(std::move(*resource))});
  for (int variant = 0; variant < 3; ++variant) {
    if (variant == 1) ps.resource_account = "444455556666";
    if (variant == 2) {
      req.action = "sts:AssumeRoleWithWebIdentity";
      req.principal = Principal{};
      req.principal.federated = "arn:aws:iam::111122223333:oidc-provider/oidc.example";
    }
    const Evaluation ev = evaluate(req, ps);
    if (ev.decision == Decision::kAllow && ev.reason != DenyReason::kNone) __builtin_trap();
    if (ev.decision != Decision::kAllow && ev.reason == DenyReason::kNone) __builtin_trap();
    if (ev.decision == Decision::kAllow && ev.matched.empty()) __builtin_trap();
  }
  return 0;
}
