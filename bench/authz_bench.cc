// evaluate() of one request against a 20-statement policy set (identity + boundary + resource policies).
// zk-bench-libs: zk_authz
//
// The set mixes exact and wildcard actions, wildcard and variable resources, and conditions (string,
// set operators, IP, date, Bool). Target: under 5 us per evaluation.
// Run: build/bench/authz_bench --benchmark_min_time=1
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "authz/evaluator.h"
#include "authz/policy.h"

namespace {

using namespace zk::authz;  // NOLINT

std::shared_ptr<const Policy> parse(const char* json, Policy::Kind kind) {
  auto p = Policy::parse(json, kind);
  if (!p.ok()) {
    std::fprintf(stderr, "bench policy refused: %s\n", p.status().message().c_str());
    std::abort();
  }
  return std::make_shared<const Policy>(std::move(*p));
}

// 14 identity statements over two policies, 3 boundary statements, 3 resource-policy statements.
const char* kIdentityA = R"J({"Version":"2012-10-17","Statement":[
  {"Sid":"S3Read","Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":["arn:aws:s3:::logs-*","arn:aws:s3:::logs-*/*"]},
  {"Sid":"Ec2","Effect":"Allow","Action":"ec2:Describe*","Resource":"*"},
  {"Sid":"Kms","Effect":"Allow","Action":["kms:Decrypt","kms:GenerateDataKey"],"Resource":"arn:aws:kms:us-east-1:111122223333:key/*"},
  {"Sid":"SelfKeys","Effect":"Allow","Action":"iam:*AccessKey*","Resource":"arn:aws:iam::111122223333:user/${aws:username}"},
  {"Sid":"Sns","Effect":"Allow","Action":"sns:Publish","Resource":"arn:aws:sns:*:111122223333:alerts-*"},
  {"Sid":"Tagged","Effect":"Allow","Action":"route53:ChangeTagsForResource","Resource":"*",
   "Condition":{"StringEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/team}"}}},
  {"Sid":"NoPlain","Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]})J";
const char* kIdentityB = R"J({"Version":"2012-10-17","Statement":[
  {"Sid":"GetChange","Effect":"Allow","Action":"route53:GetChange","Resource":"arn:aws:route53:::change/*"},
  {"Sid":"List","Effect":"Allow","Action":"route53:ListHostedZonesByName","Resource":"*"},
  {"Sid":"Records","Effect":"Allow","Action":["route53:ListResourceRecordSets","route53:ChangeResourceRecordSets"],
   "Resource":"arn:aws:route53:::hostedzone/*",
   "Condition":{"ForAllValues:StringEquals":{"route53:ChangeResourceRecordSetsRecordTypes":["TXT"]},
                "ForAllValues:StringLike":{"route53:ChangeResourceRecordSetsNormalizedRecordNames":["_acme-challenge.*"]}}},
  {"Sid":"Office","Effect":"Allow","Action":"route53:*","Resource":"arn:aws:route53:::hostedzone/ZOFFICE*",
   "Condition":{"IpAddress":{"aws:SourceIp":["192.0.2.0/24","2001:db8::/32"]}}},
  {"Sid":"Window","Effect":"Allow","Action":"route53:CreateHostedZone","Resource":"*",
   "Condition":{"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}},
  {"Sid":"NoDelete","Effect":"Deny","Action":["route53:Delete*","iam:Delete*"],"Resource":"*"},
  {"Sid":"NoSecret","Effect":"Deny","Action":"route53:*","Resource":"arn:aws:route53:::hostedzone/ZSECRET"}]})J";
const char* kBoundary = R"J({"Version":"2012-10-17","Statement":[
  {"Effect":"Allow","Action":["route53:*","s3:*","ec2:*","kms:*","sns:*"],"Resource":"*"},
  {"Effect":"Allow","Action":"iam:*","Resource":"arn:aws:iam::111122223333:user/*"},
  {"Effect":"Deny","Action":"organizations:*","Resource":"*"}]})J";
const char* kResource = R"J({"Version":"2012-10-17","Statement":[
  {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"route53:List*","Resource":"*"},
  {"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::111122223333:user/alice","111122223333"]},"Action":"route53:Delete*","Resource":"*"},
  {"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"route53:GetChange","Resource":"*"}]})J";

struct Fixture {
  PolicySet ps;
  RequestContext req;
  Fixture() {
    ps.identity.push_back({"user/alice/inline/a", parse(kIdentityA, Policy::Kind::kIdentity)});
    ps.identity.push_back(
        {"arn:aws:iam::111122223333:policy/dns", parse(kIdentityB, Policy::Kind::kIdentity)});
    ps.boundary = std::vector<PolicyRef>{
        {"arn:aws:iam::111122223333:policy/boundary", parse(kBoundary, Policy::Kind::kIdentity)}};
    ps.resource.push_back({"hostedzone/Z1", parse(kResource, Policy::Kind::kResource)});
    req.action = "route53:ChangeResourceRecordSets";
    req.resource = "arn:aws:route53:::hostedzone/Z0123456789ABCDEF";
    req.principal.arn = "arn:aws:iam::111122223333:user/alice";
    req.principal.account = "111122223333";
    req.set("aws:username", "alice");
    req.set("aws:SecureTransport", "true");
    req.set("aws:SourceIp", "192.0.2.44");
    req.set("aws:CurrentTime", "2025-06-01T12:00:00Z");
    req.set("aws:PrincipalTag/team", "dns");
    req.set("route53:ChangeResourceRecordSetsRecordTypes", ContextValues{"TXT"});
    req.set("route53:ChangeResourceRecordSetsNormalizedRecordNames",
            ContextValues{"_acme-challenge.www.example.com"});
    req.set("route53:ChangeResourceRecordSetsActions", ContextValues{"UPSERT"});
  }
};

void BM_Evaluate20Statements(benchmark::State& state) {
  Fixture f;
  if (evaluate(f.req, f.ps).decision != Decision::kAllow) std::abort();
  for (auto _ : state) {
    Evaluation ev = evaluate(f.req, f.ps);
    benchmark::DoNotOptimize(ev);
  }
}
BENCHMARK(BM_Evaluate20Statements);

// The same set, a request nothing allows (every statement is looked at, no early match).
void BM_Evaluate20StatementsDenied(benchmark::State& state) {
  Fixture f;
  f.req.action = "route53:CreateTrafficPolicy";
  if (evaluate(f.req, f.ps).decision != Decision::kImplicitDeny) std::abort();
  for (auto _ : state) {
    Evaluation ev = evaluate(f.req, f.ps);
    benchmark::DoNotOptimize(ev);
  }
}
BENCHMARK(BM_Evaluate20StatementsDenied);

void BM_ParseCertManagerPolicy(benchmark::State& state) {
  for (auto _ : state) {
    auto p = Policy::parse(kIdentityB, Policy::Kind::kIdentity);
    benchmark::DoNotOptimize(p);
  }
}
BENCHMARK(BM_ParseCertManagerPolicy);

}  // namespace

BENCHMARK_MAIN();
