// Policy evaluation, one table: policies of each type, a request, the expected Decision and DenyReason.
// Rules and examples from:
//   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
//   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
//   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
//   https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
//   https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session
//   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
//   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html
//   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
//   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
//   https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html (IRSA trust)
//   https://cert-manager.io/docs/configuration/acme/dns01/route53/ (cert-manager policy)
#include <gtest/gtest.h>

#include <algorithm>

#include "test_util.h"

namespace zk::authz::testing {
namespace {

using D = Decision;
using R = DenyReason;

constexpr const char* kEmpty = "<set, no policies>";

// ---- identity policies
const char* kAllowAll = R"J({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})J";
const char* kAllowR53 = R"J({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"route53:*","Resource":"*"}]})J";
const char* kAllowS3 = R"J({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]})J";
const char* kAllowAssume = R"J({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::*:role/*"}]})J";
const char* kCertManager = R"J({"Version":"2012-10-17","Statement":[
  {"Effect":"Allow","Action":"route53:GetChange","Resource":"arn:aws:route53:::change/*"},
  {"Effect":"Allow","Action":["route53:ChangeResourceRecordSets","route53:ListResourceRecordSets"],"Resource":"arn:aws:route53:::hostedzone/*"},
  {"Effect":"Allow","Action":"route53:ListHostedZonesByName","Resource":"*"}]})J";
const char* kAcmeOnly = R"J({"Version":"2012-10-17","Statement":[{"Effect":"Allow",
  "Action":"route53:ChangeResourceRecordSets","Resource":"arn:aws:route53:::hostedzone/*",
  "Condition":{"ForAllValues:StringEquals":{"route53:ChangeResourceRecordSetsRecordTypes":["TXT"]},
               "ForAllValues:StringLike":{"route53:ChangeResourceRecordSetsNormalizedRecordNames":["_acme-challenge.*"]}}}]})J";
const char* kAcmeOnlyGuarded = R"J({"Version":"2012-10-17","Statement":[{"Effect":"Allow",
  "Action":"route53:ChangeResourceRecordSets","Resource":"arn:aws:route53:::hostedzone/*",
  "Condition":{"ForAllValues:StringEquals":{"route53:ChangeResourceRecordSetsRecordTypes":["TXT"]},
               "Null":{"route53:ChangeResourceRecordSetsRecordTypes":"false"}}}]})J";
const char* kDenyDelete = R"J({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"route53:Delete*","Resource":"*"}]})J";
const char* kDenyR53IfNotTls = R"J({"Version":"2012-10-17","Statement":[{"Sid":"NoPlain","Effect":"Deny","Action":"route53:*","Resource":"*",
  "Condition":{"Bool":{"aws:SecureTransport":"false"}}}]})J";
const char* kDenyAllButIam = R"J({"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":"iam:*","Resource":"*"}]})J";
const char* kAllowNotIam = R"J({"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":["iam:*","organizations:*"],"Resource":"*"}]})J";
const char* kAllowNotSecretZone = R"J({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"route53:*",
  "NotResource":"arn:aws:route53:::hostedzone/ZSECRET"}]})J";
const char* kDenyNotZone1 = R"J({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"route53:ChangeResourceRecordSets",
  "NotResource":["arn:aws:route53:::hostedzone/Z1","arn:aws:route53:::hostedzone/Z2"]}]})J";
const char* kZoneQ = R"J({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"route53:*","Resource":"arn:aws:route53:::hostedzone/Z?"}]})J";
const char* kAnyArn = R"J({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:*:*:*:*"}]})J";
const char* kBucketStar = R"J({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"}]})J";
const char* kUsersAnyAcct = R"J({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam::*:user/*"}]})J";
const char* kSnsRegion = R"J({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sns:Publish","Resource":"arn:aws:sns:us-*:111122223333:t"}]})J";
const char* kR53All = R"J({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"route53:*","Resource":"arn:aws:route53:::*"}]})J";
const char* kSelfUser = R"J({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*AccessKey*",
  "Resource":"arn:aws:iam::111122223333:user/${aws:username}"}]})J";
const char* kSelfUser2008 = R"J({"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"iam:*AccessKey*",
  "Resource":"arn:aws:iam::111122223333:user/${aws:username}"}]})J";
const char* kHomeDefault = R"J({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject",
  "Resource":"arn:aws:s3:::home/${aws:PrincipalTag/team, 'shared'}/*"}]})J";
const char* kActionQ = R"J({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"route53:Get?hange","Resource":"*"}]})J";
const char* kListStar = R"J({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["route53:List*","route53:Get*"],"Resource":"*"}]})J";
const char* kTwoSids = R"J({"Version":"2012-10-17","Statement":[
  {"Sid":"A","Effect":"Allow","Action":"route53:GetChange","Resource":"*"},
  {"Sid":"B","Effect":"Allow","Action":"route53:*","Resource":"*"}]})J";
const char* kTlsOnly = R"J({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*",
  "Condition":{"Bool":{"aws:SecureTransport":"true"},"IpAddress":{"aws:SourceIp":["192.0.2.0/24","2001:db8::/32"]}}}]})J";
const char* kTagMatch = R"J({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"route53:*","Resource":"*",
  "Condition":{"StringEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/team}"}}}]})J";
const char* kBeforeDate = R"J({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*",
  "Condition":{"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"},"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}}]})J";
const char* kPrincipalInIdentitySlot = R"J({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]})J";
const char* kDenyTagKeys = R"J({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*",
  "Condition":{"ForAnyValue:StringLike":{"aws:TagKeys":["aws:*","internal*"]}}}]})J";

// ---- resource-based policies / trust policies
const char* kResAlice = R"J({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"route53:*","Resource":"*"}]})J";
const char* kResAccount = R"J({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"route53:*","Resource":"*"}]})J";
const char* kResAccountId = R"J({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"route53:*","Resource":"*"}]})J";
const char* kResStar = R"J({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"route53:*","Resource":"*"}]})J";
const char* kResAwsStar = R"J({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"route53:*"}]})J";
const char* kResSession = R"J({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:sts::111122223333:assumed-role/R/sess"},"Action":"route53:*","Resource":"*"}]})J";
const char* kResRole = R"J({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/R"},"Action":"route53:*","Resource":"*"}]})J";
const char* kResBob = R"J({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::444455556666:user/bob"]},"Action":"route53:*","Resource":"*"}]})J";
const char* kResBobAccount = R"J({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"route53:*","Resource":"*"}]})J";
const char* kResBobRole = R"J({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:role/X"},"Action":"route53:*","Resource":"*"}]})J";
const char* kResDenyAll = R"J({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]})J";
const char* kResDenyDeleteAlice = R"J({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"route53:Delete*","Resource":"*"}]})J";
const char* kResNotPrincipalAliceAndAccount = R"J({"Version":"2012-10-17","Statement":[
  {"Effect":"Allow","Principal":"*","Action":"route53:*","Resource":"*"},
  {"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::111122223333:user/alice","arn:aws:iam::111122223333:root"]},"Action":"route53:*","Resource":"*"}]})J";
const char* kResNotPrincipalAliceOnly = R"J({"Version":"2012-10-17","Statement":[
  {"Effect":"Allow","Principal":"*","Action":"route53:*","Resource":"*"},
  {"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"route53:*","Resource":"*"}]})J";
const char* kResNotPrincipalSessionChain = R"J({"Version":"2012-10-17","Statement":[
  {"Effect":"Allow","Principal":"*","Action":"route53:*","Resource":"*"},
  {"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:sts::111122223333:assumed-role/R/sess","arn:aws:iam::111122223333:role/R","111122223333"]},"Action":"route53:*","Resource":"*"}]})J";
const char* kResNotPrincipalSessionOnly = R"J({"Version":"2012-10-17","Statement":[
  {"Effect":"Allow","Principal":"*","Action":"route53:*","Resource":"*"},
  {"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:sts::111122223333:assumed-role/R/sess"},"Action":"route53:*","Resource":"*"}]})J";
const char* kResAllowNotBob = R"J({"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::444455556666:user/bob"},"Action":"route53:*","Resource":"*"}]})J";
const char* kResCanonical = R"J({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},"Action":"*","Resource":"*"}]})J";
const char* kResZone1Only = R"J({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"route53:*","Resource":"arn:aws:route53:::hostedzone/Z1"}]})J";
const char* kResStarOrgCond = R"J({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"route53:*","Resource":"*",
  "Condition":{"StringEquals":{"aws:PrincipalAccount":["444455556666"]}}}]})J";
const char* kTrustAccount = R"J({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]})J";
const char* kTrustAlice = R"J({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":["sts:AssumeRole","sts:TagSession"]}]})J";
const char* kTrustBobAccount = R"J({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"sts:AssumeRole",
  "Condition":{"StringEquals":{"sts:ExternalId":"xyzzy"}}}]})J";
const char* kTrustBob = R"J({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:user/bob"},"Action":"sts:AssumeRole"}]})J";
const char* kTrustEc2 = R"J({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["ec2.amazonaws.com","lambda.amazonaws.com"]},"Action":"sts:AssumeRole"}]})J";
const char* kTrustRole = R"J({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/R"},"Action":"sts:AssumeRole"}]})J";
const char* kTrustIrsa = R"J({"Version":"2012-10-17","Statement":[{"Effect":"Allow",
  "Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/oidc.example"},
  "Action":"sts:AssumeRoleWithWebIdentity",
  "Condition":{"StringEquals":{"oidc.example:sub":"system:serviceaccount:cert-manager:cert-manager","oidc.example:aud":"sts.amazonaws.com"}}}]})J";
const char* kTrustIrsaLike = R"J({"Version":"2012-10-17","Statement":[{"Effect":"Allow",
  "Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/oidc.example"},
  "Action":"sts:AssumeRoleWithWebIdentity",
  "Condition":{"StringLike":{"oidc.example:sub":"system:serviceaccount:cert-manager:*"},"StringEquals":{"oidc.example:aud":"sts.amazonaws.com"}}}]})J";

const char* kZ1 = "arn:aws:route53:::hostedzone/Z1";
const char* kRoleArn = "arn:aws:iam::111122223333:role/Target";
const char* kCrr = "route53:ChangeResourceRecordSets";
const char* kA = "111122223333";
const char* kB = "444455556666";

const Ctx kAcmeCtx = {{"route53:ChangeResourceRecordSetsRecordTypes", {"TXT"}},
                      {"route53:ChangeResourceRecordSetsNormalizedRecordNames", {"_acme-challenge.example.com"}}};
const Ctx kIrsaCtx = {{"oidc.example:sub", {"system:serviceaccount:cert-manager:cert-manager"}},
                      {"oidc.example:aud", {"sts.amazonaws.com"}}};

struct EvalCase {
  const char* name;
  std::vector<const char*> identity;
  std::vector<const char*> resource;
  Who who;
  const char* action;
  const char* resource_arn;
  Decision want;
  DenyReason reason = DenyReason::kNone;
  Ctx ctx = {};
  std::vector<const char*> boundary = {};  // non-empty = set; {kEmpty} = set without policies
  std::vector<const char*> session = {};
  const char* resource_account = "";
};

const std::vector<EvalCase>& cases() {
  static const std::vector<EvalCase> kCases = {
      // ---- defaults and the always-allowed GetCallerIdentity
      {"nothing attached", {}, {}, Who::kAlice, kCrr, kZ1, D::kImplicitDeny, R::kNoIdentityAllow},
      {"allow all", {kAllowAll}, {}, Who::kAlice, kCrr, kZ1, D::kAllow},
      {"other service", {kAllowS3}, {}, Who::kAlice, kCrr, kZ1, D::kImplicitDeny, R::kNoIdentityAllow},
      {"GetCallerIdentity no policies", {}, {}, Who::kAlice, "sts:GetCallerIdentity", "*", D::kAllow},
      {"GetCallerIdentity explicit deny", {R"J({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"sts:*","Resource":"*"}]})J"}, {}, Who::kAlice, "sts:GetCallerIdentity", "*", D::kAllow},
      {"GetCallerIdentity case", {}, {}, Who::kSession, "STS:getcalleridentity", "*", D::kAllow},
      {"GetCallerIdentity anonymous", {}, {}, Who::kAnonymous, "sts:GetCallerIdentity", "*", D::kAllow},
      {"GetCallerIdentity boundary", {}, {}, Who::kAlice, "sts:GetCallerIdentity", "*", D::kAllow, R::kNone, {}, {kEmpty}},
      {"GetSessionToken needs a policy", {}, {}, Who::kAlice, "sts:GetSessionToken", "*", D::kImplicitDeny, R::kNoIdentityAllow},
      // ---- the cert-manager Route 53 policy
      {"cm GetChange", {kCertManager}, {}, Who::kAlice, "route53:GetChange", "arn:aws:route53:::change/C2QLWO1MB4J3TE", D::kAllow},
      {"cm GetChange on zone", {kCertManager}, {}, Who::kAlice, "route53:GetChange", kZ1, D::kImplicitDeny, R::kNoIdentityAllow},
      {"cm GetChange on *", {kCertManager}, {}, Who::kAlice, "route53:GetChange", "*", D::kImplicitDeny, R::kNoIdentityAllow},
      {"cm ChangeResourceRecordSets", {kCertManager}, {}, Who::kAlice, kCrr, kZ1, D::kAllow},
      {"cm ChangeResourceRecordSets on change", {kCertManager}, {}, Who::kAlice, kCrr, "arn:aws:route53:::change/C1", D::kImplicitDeny, R::kNoIdentityAllow},
      {"cm ListResourceRecordSets", {kCertManager}, {}, Who::kAlice, "route53:ListResourceRecordSets", kZ1, D::kAllow},
      {"cm ListHostedZonesByName", {kCertManager}, {}, Who::kAlice, "route53:ListHostedZonesByName", "*", D::kAllow},
      {"cm ListHostedZones", {kCertManager}, {}, Who::kAlice, "route53:ListHostedZones", "*", D::kImplicitDeny, R::kNoIdentityAllow},
      {"cm CreateHostedZone", {kCertManager}, {}, Who::kAlice, "route53:CreateHostedZone", "*", D::kImplicitDeny, R::kNoIdentityAllow},
      {"cm DeleteHostedZone", {kCertManager}, {}, Who::kAlice, "route53:DeleteHostedZone", kZ1, D::kImplicitDeny, R::kNoIdentityAllow},
      {"cm action case-insensitive", {kCertManager}, {}, Who::kAlice, "Route53:getchange", "arn:aws:route53:::change/C1", D::kAllow},
      {"cm resource case-sensitive", {kCertManager}, {}, Who::kAlice, kCrr, "arn:aws:route53:::HostedZone/Z1", D::kImplicitDeny, R::kNoIdentityAllow},
      {"cm from a role session", {kCertManager}, {}, Who::kSession, kCrr, kZ1, D::kAllow},
      {"cm other partition", {kCertManager}, {}, Who::kAlice, kCrr, "arn:aws-cn:route53:::hostedzone/Z1", D::kImplicitDeny, R::kNoIdentityAllow},
      {"cm resource not an ARN", {kCertManager}, {}, Who::kAlice, kCrr, "hostedzone/Z1", D::kImplicitDeny, R::kNoIdentityAllow},
      // ---- confining ChangeResourceRecordSets to _acme-challenge TXT records
      {"acme TXT challenge", {kAcmeOnly}, {}, Who::kAlice, kCrr, kZ1, D::kAllow, R::kNone, kAcmeCtx},
      {"acme two challenges", {kAcmeOnly}, {}, Who::kAlice, kCrr, kZ1, D::kAllow, R::kNone,
       {{"route53:ChangeResourceRecordSetsRecordTypes", {"TXT", "TXT"}},
        {"route53:ChangeResourceRecordSetsNormalizedRecordNames", {"_acme-challenge.a.example.com", "_acme-challenge.b.example.com"}}}},
      {"acme A record", {kAcmeOnly}, {}, Who::kAlice, kCrr, kZ1, D::kImplicitDeny, R::kNoIdentityAllow,
       {{"route53:ChangeResourceRecordSetsRecordTypes", {"A"}},
        {"route53:ChangeResourceRecordSetsNormalizedRecordNames", {"_acme-challenge.example.com"}}}},
      {"acme TXT plus A", {kAcmeOnly}, {}, Who::kAlice, kCrr, kZ1, D::kImplicitDeny, R::kNoIdentityAllow,
       {{"route53:ChangeResourceRecordSetsRecordTypes", {"TXT", "A"}},
        {"route53:ChangeResourceRecordSetsNormalizedRecordNames", {"_acme-challenge.example.com", "_acme-challenge.example.com"}}}},
      {"acme TXT elsewhere", {kAcmeOnly}, {}, Who::kAlice, kCrr, kZ1, D::kImplicitDeny, R::kNoIdentityAllow,
       {{"route53:ChangeResourceRecordSetsRecordTypes", {"TXT"}},
        {"route53:ChangeResourceRecordSetsNormalizedRecordNames", {"www.example.com"}}}},
      {"acme one name elsewhere", {kAcmeOnly}, {}, Who::kAlice, kCrr, kZ1, D::kImplicitDeny, R::kNoIdentityAllow,
       {{"route53:ChangeResourceRecordSetsRecordTypes", {"TXT", "TXT"}},
        {"route53:ChangeResourceRecordSetsNormalizedRecordNames", {"_acme-challenge.example.com", "example.com"}}}},
      {"acme name case-sensitive", {kAcmeOnly}, {}, Who::kAlice, kCrr, kZ1, D::kImplicitDeny, R::kNoIdentityAllow,
       {{"route53:ChangeResourceRecordSetsRecordTypes", {"TXT"}},
        {"route53:ChangeResourceRecordSetsNormalizedRecordNames", {"_ACME-challenge.example.com"}}}},
      {"acme keys absent: ForAllValues is vacuously true", {kAcmeOnly}, {}, Who::kAlice, kCrr, kZ1, D::kAllow},
      {"acme guarded by Null, keys absent", {kAcmeOnlyGuarded}, {}, Who::kAlice, kCrr, kZ1, D::kImplicitDeny, R::kNoIdentityAllow},
      {"acme guarded by Null, TXT", {kAcmeOnlyGuarded}, {}, Who::kAlice, kCrr, kZ1, D::kAllow, R::kNone, kAcmeCtx},
      {"acme other action", {kAcmeOnly}, {}, Who::kAlice, "route53:GetChange", "arn:aws:route53:::change/C", D::kImplicitDeny, R::kNoIdentityAllow, kAcmeCtx},
      {"acme plus cert-manager", {kAcmeOnly, kCertManager}, {}, Who::kAlice, kCrr, kZ1, D::kAllow, R::kNone,
       {{"route53:ChangeResourceRecordSetsRecordTypes", {"A"}}}},
      // ---- explicit deny wins
      {"deny beats allow", {kAllowAll, kDenyDelete}, {}, Who::kAlice, "route53:DeleteHostedZone", kZ1, D::kExplicitDeny, R::kExplicitDenyIdentity},
      {"deny does not touch others", {kAllowAll, kDenyDelete}, {}, Who::kAlice, kCrr, kZ1, D::kAllow},
      {"deny alone", {kDenyDelete}, {}, Who::kAlice, "route53:DeleteHostedZone", kZ1, D::kExplicitDeny, R::kExplicitDenyIdentity},
      {"deny with condition met", {kAllowAll, kDenyR53IfNotTls}, {}, Who::kAlice, kCrr, kZ1, D::kExplicitDeny, R::kExplicitDenyIdentity,
       {{"aws:SecureTransport", {"false"}}}},
      {"deny with condition unmet", {kAllowAll, kDenyR53IfNotTls}, {}, Who::kAlice, kCrr, kZ1, D::kAllow, R::kNone,
       {{"aws:SecureTransport", {"true"}}}},
      {"deny Bool false on absent key does not apply", {kAllowAll, kDenyR53IfNotTls}, {}, Who::kAlice, kCrr, kZ1, D::kAllow},
      {"deny in resource policy", {kAllowAll}, {kResDenyAll}, Who::kAlice, kCrr, kZ1, D::kExplicitDeny, R::kExplicitDenyResource},
      {"deny in resource policy by ARN", {kAllowAll}, {kResDenyDeleteAlice}, Who::kAlice, "route53:DeleteHostedZone", kZ1, D::kExplicitDeny, R::kExplicitDenyResource},
      {"deny in resource policy other principal", {kAllowAll}, {kResDenyDeleteAlice}, Who::kSession, "route53:DeleteHostedZone", kZ1, D::kAllow},
      {"deny in boundary", {kAllowAll}, {}, Who::kAlice, "route53:DeleteHostedZone", kZ1, D::kExplicitDeny, R::kExplicitDenyBoundary, {}, {kAllowAll, kDenyDelete}},
      {"deny in session policy", {kAllowAll}, {}, Who::kSession, "route53:DeleteHostedZone", kZ1, D::kExplicitDeny, R::kExplicitDenySession, {}, {}, {kAllowAll, kDenyDelete}},
      {"identity deny reported before resource deny", {kDenyDelete}, {kResDenyAll}, Who::kAlice, "route53:DeleteHostedZone", kZ1, D::kExplicitDeny, R::kExplicitDenyIdentity},
      {"deny beats resource grant to the ARN", {kDenyDelete}, {kResAlice}, Who::kAlice, "route53:DeleteHostedZone", kZ1, D::kExplicitDeny, R::kExplicitDenyIdentity},
      {"deny NotAction", {kAllowAll, kDenyAllButIam}, {}, Who::kAlice, kCrr, kZ1, D::kExplicitDeny, R::kExplicitDenyIdentity},
      {"deny NotAction spares listed", {kAllowAll, kDenyAllButIam}, {}, Who::kAlice, "iam:CreateUser", "arn:aws:iam::111122223333:user/x", D::kAllow},
      {"deny NotResource hits others", {kAllowAll, kDenyNotZone1}, {}, Who::kAlice, kCrr, "arn:aws:route53:::hostedzone/Z3", D::kExplicitDeny, R::kExplicitDenyIdentity},
      {"deny NotResource spares listed", {kAllowAll, kDenyNotZone1}, {}, Who::kAlice, kCrr, "arn:aws:route53:::hostedzone/Z2", D::kAllow},
      {"deny tag keys any", {kAllowAll, kDenyTagKeys}, {}, Who::kAlice, "route53:ChangeTagsForResource", kZ1, D::kExplicitDeny, R::kExplicitDenyIdentity,
       {{"aws:TagKeys", {"team", "internal-cost"}}}},
      {"deny tag keys none", {kAllowAll, kDenyTagKeys}, {}, Who::kAlice, "route53:ChangeTagsForResource", kZ1, D::kAllow, R::kNone,
       {{"aws:TagKeys", {"team"}}}},
      {"deny tag keys absent", {kAllowAll, kDenyTagKeys}, {}, Who::kAlice, "route53:ChangeTagsForResource", kZ1, D::kAllow},
      // ---- NotAction / NotResource in Allow
      {"allow NotAction", {kAllowNotIam}, {}, Who::kAlice, "route53:GetChange", "*", D::kAllow},
      {"allow NotAction excludes", {kAllowNotIam}, {}, Who::kAlice, "iam:CreateUser", "*", D::kImplicitDeny, R::kNoIdentityAllow},
      {"allow NotAction excludes case", {kAllowNotIam}, {}, Who::kAlice, "IAM:createuser", "*", D::kImplicitDeny, R::kNoIdentityAllow},
      {"allow NotAction second", {kAllowNotIam}, {}, Who::kAlice, "organizations:ListAccounts", "*", D::kImplicitDeny, R::kNoIdentityAllow},
      {"allow NotResource", {kAllowNotSecretZone}, {}, Who::kAlice, kCrr, kZ1, D::kAllow},
      {"allow NotResource excluded", {kAllowNotSecretZone}, {}, Who::kAlice, kCrr, "arn:aws:route53:::hostedzone/ZSECRET", D::kImplicitDeny, R::kNoIdentityAllow},
      {"allow NotResource on *", {kAllowNotSecretZone}, {}, Who::kAlice, "route53:ListHostedZones", "*", D::kAllow},
      {"allow NotResource other action", {kAllowNotSecretZone}, {}, Who::kAlice, "s3:GetObject", kZ1, D::kImplicitDeny, R::kNoIdentityAllow},
      // ---- action and resource wildcards
      {"action ?", {kActionQ}, {}, Who::kAlice, "route53:GetChange", "*", D::kAllow},
      {"action ? one char", {kActionQ}, {}, Who::kAlice, "route53:GetXXhange", "*", D::kImplicitDeny, R::kNoIdentityAllow},
      {"action prefix star", {kListStar}, {}, Who::kAlice, "route53:ListTagsForResource", kZ1, D::kAllow},
      {"action prefix star other", {kListStar}, {}, Who::kAlice, "route53:DeleteHostedZone", kZ1, D::kImplicitDeny, R::kNoIdentityAllow},
      {"action service must match", {kListStar}, {}, Who::kAlice, "route53domains:ListDomains", "*", D::kImplicitDeny, R::kNoIdentityAllow},
      {"resource ? one char", {kZoneQ}, {}, Who::kAlice, kCrr, kZ1, D::kAllow},
      {"resource ? not two", {kZoneQ}, {}, Who::kAlice, kCrr, "arn:aws:route53:::hostedzone/Z12", D::kImplicitDeny, R::kNoIdentityAllow},
      {"resource every ARN", {kAnyArn}, {}, Who::kAlice, kCrr, kZ1, D::kAllow},
      {"resource every ARN not *", {kAnyArn}, {}, Who::kAlice, "route53:ListHostedZones", "*", D::kImplicitDeny, R::kNoIdentityAllow},
      {"resource star spans slash and colon", {kBucketStar}, {}, Who::kAlice, "s3:GetObject", "arn:aws:s3:::bucket/a/b:c", D::kAllow},
      {"resource star needs prefix", {kBucketStar}, {}, Who::kAlice, "s3:GetObject", "arn:aws:s3:::bucket2/a", D::kImplicitDeny, R::kNoIdentityAllow},
      {"resource account wildcard", {kUsersAnyAcct}, {}, Who::kAlice, "iam:GetUser", "arn:aws:iam::999988887777:user/x", D::kAllow},
      {"resource account wildcard wrong service", {kUsersAnyAcct}, {}, Who::kAlice, "iam:GetUser", "arn:aws:sts::999988887777:user/x", D::kImplicitDeny, R::kNoIdentityAllow},
      {"resource region prefix", {kSnsRegion}, {}, Who::kAlice, "sns:Publish", "arn:aws:sns:us-east-1:111122223333:t", D::kAllow},
      {"resource region prefix other", {kSnsRegion}, {}, Who::kAlice, "sns:Publish", "arn:aws:sns:eu-west-1:111122223333:t", D::kImplicitDeny, R::kNoIdentityAllow},
      {"resource region star not across colon", {kSnsRegion}, {}, Who::kAlice, "sns:Publish", "arn:aws:sns:us-east-1:x:111122223333:t", D::kImplicitDeny, R::kNoIdentityAllow},
      {"resource route53 all", {kR53All}, {}, Who::kAlice, "route53:GetChange", "arn:aws:route53:::change/C1", D::kAllow},
      {"resource route53 all not *", {kR53All}, {}, Who::kAlice, "route53:ListHostedZones", "*", D::kImplicitDeny, R::kNoIdentityAllow},
      // ---- variables in Resource
      {"resource var self", {kSelfUser}, {}, Who::kAlice, "iam:CreateAccessKey", "arn:aws:iam::111122223333:user/alice", D::kAllow, R::kNone, {{"aws:username", {"alice"}}}},
      {"resource var other user", {kSelfUser}, {}, Who::kAlice, "iam:CreateAccessKey", "arn:aws:iam::111122223333:user/bob", D::kImplicitDeny, R::kNoIdentityAllow, {{"aws:username", {"alice"}}}},
      {"resource var absent", {kSelfUser}, {}, Who::kSession, "iam:CreateAccessKey", "arn:aws:iam::111122223333:user/alice", D::kImplicitDeny, R::kNoIdentityAllow},
      {"resource var value with star is literal", {kSelfUser}, {}, Who::kAlice, "iam:CreateAccessKey", "arn:aws:iam::111122223333:user/alice", D::kImplicitDeny, R::kNoIdentityAllow, {{"aws:username", {"*"}}}},
      {"resource var 2008 literal", {kSelfUser2008}, {}, Who::kAlice, "iam:CreateAccessKey", "arn:aws:iam::111122223333:user/alice", D::kImplicitDeny, R::kNoIdentityAllow, {{"aws:username", {"alice"}}}},
      {"resource var 2008 literal text matches", {kSelfUser2008}, {}, Who::kAlice, "iam:CreateAccessKey", "arn:aws:iam::111122223333:user/${aws:username}", D::kAllow, R::kNone, {{"aws:username", {"alice"}}}},
      {"resource var default", {kHomeDefault}, {}, Who::kAlice, "s3:GetObject", "arn:aws:s3:::home/shared/f", D::kAllow},
      {"resource var default not used", {kHomeDefault}, {}, Who::kAlice, "s3:GetObject", "arn:aws:s3:::home/shared/f", D::kImplicitDeny, R::kNoIdentityAllow, {{"aws:PrincipalTag/team", {"dns"}}}},
      {"resource var tag", {kHomeDefault}, {}, Who::kAlice, "s3:GetObject", "arn:aws:s3:::home/dns/f", D::kAllow, R::kNone, {{"aws:PrincipalTag/team", {"dns"}}}},
      // ---- conditions in full policies
      {"tls and ip", {kTlsOnly}, {}, Who::kAlice, kCrr, kZ1, D::kAllow, R::kNone, {{"aws:SecureTransport", {"true"}}, {"aws:SourceIp", {"192.0.2.10"}}}},
      {"tls and ip v6", {kTlsOnly}, {}, Who::kAlice, kCrr, kZ1, D::kAllow, R::kNone, {{"aws:SecureTransport", {"true"}}, {"aws:SourceIp", {"2001:db8::5"}}}},
      {"tls but wrong ip", {kTlsOnly}, {}, Who::kAlice, kCrr, kZ1, D::kImplicitDeny, R::kNoIdentityAllow, {{"aws:SecureTransport", {"true"}}, {"aws:SourceIp", {"198.51.100.1"}}}},
      {"no tls", {kTlsOnly}, {}, Who::kAlice, kCrr, kZ1, D::kImplicitDeny, R::kNoIdentityAllow, {{"aws:SecureTransport", {"false"}}, {"aws:SourceIp", {"192.0.2.10"}}}},
      {"tag match", {kTagMatch}, {}, Who::kAlice, kCrr, kZ1, D::kAllow, R::kNone, {{"aws:ResourceTag/team", {"dns"}}, {"aws:PrincipalTag/team", {"dns"}}}},
      {"tag mismatch", {kTagMatch}, {}, Who::kAlice, kCrr, kZ1, D::kImplicitDeny, R::kNoIdentityAllow, {{"aws:ResourceTag/team", {"dns"}}, {"aws:PrincipalTag/team", {"web"}}}},
      {"tag untagged principal", {kTagMatch}, {}, Who::kAlice, kCrr, kZ1, D::kImplicitDeny, R::kNoIdentityAllow, {{"aws:ResourceTag/team", {"dns"}}}},
      {"date window", {kBeforeDate}, {}, Who::kAlice, kCrr, kZ1, D::kAllow, R::kNone, {{"aws:CurrentTime", {"2025-06-01T00:00:00Z"}}}},
      {"date window after", {kBeforeDate}, {}, Who::kAlice, kCrr, kZ1, D::kImplicitDeny, R::kNoIdentityAllow, {{"aws:CurrentTime", {"2031-06-01T00:00:00Z"}}}},
      {"date window no time", {kBeforeDate}, {}, Who::kAlice, kCrr, kZ1, D::kImplicitDeny, R::kNoIdentityAllow},
      // ---- same-account resource-based policies
      {"resource grants user ARN alone", {}, {kResAlice}, Who::kAlice, kCrr, kZ1, D::kAllow},
      {"resource grants user ARN, other action", {}, {kResAlice}, Who::kAlice, "s3:GetObject", kZ1, D::kImplicitDeny, R::kNoIdentityAllow},
      {"resource grant to account needs identity", {}, {kResAccount}, Who::kAlice, kCrr, kZ1, D::kImplicitDeny, R::kNoIdentityAllow},
      {"resource grant to account plus identity", {kAllowR53}, {kResAccount}, Who::kAlice, kCrr, kZ1, D::kAllow},
      {"resource grant to account id needs identity", {}, {kResAccountId}, Who::kAlice, kCrr, kZ1, D::kImplicitDeny, R::kNoIdentityAllow},
      {"resource grant to *", {}, {kResStar}, Who::kAlice, kCrr, kZ1, D::kAllow},
      {"resource grant to AWS *", {}, {kResAwsStar}, Who::kSession, kCrr, kZ1, D::kAllow},
      {"resource grant to * anonymous", {}, {kResStar}, Who::kAnonymous, kCrr, kZ1, D::kAllow},
      {"resource names another user", {}, {kResAlice}, Who::kSession, kCrr, kZ1, D::kImplicitDeny, R::kNoIdentityAllow},
      {"identity alone suffices in account", {kAllowR53}, {kResBob}, Who::kAlice, kCrr, kZ1, D::kAllow},
      {"resource on one zone", {}, {kResZone1Only}, Who::kAlice, kCrr, kZ1, D::kAllow},
      {"resource on one zone other", {}, {kResZone1Only}, Who::kAlice, kCrr, "arn:aws:route53:::hostedzone/Z2", D::kImplicitDeny, R::kNoIdentityAllow},
      {"resource canonical user never matches", {}, {kResCanonical}, Who::kAlice, kCrr, kZ1, D::kImplicitDeny, R::kNoIdentityAllow},
      {"resource grants session ARN", {}, {kResSession}, Who::kSession, kCrr, kZ1, D::kAllow},
      {"resource grants role ARN to its session", {}, {kResRole}, Who::kSession, kCrr, kZ1, D::kAllow},
      {"resource role ARN not for users", {}, {kResRole}, Who::kAlice, kCrr, kZ1, D::kImplicitDeny, R::kNoIdentityAllow},
      {"resource condition on principal account", {}, {kResStarOrgCond}, Who::kAlice, kCrr, kZ1, D::kImplicitDeny, R::kNoIdentityAllow},
      {"resource identity-type policy grants nothing", {}, {kAllowAll}, Who::kAlice, kCrr, kZ1, D::kImplicitDeny, R::kNoIdentityAllow},
      {"identity slot principal statement grants nothing", {kPrincipalInIdentitySlot}, {}, Who::kAlice, kCrr, kZ1, D::kImplicitDeny, R::kNoIdentityAllow},
      // ---- NotPrincipal
      {"NotPrincipal deny spares listed user and account", {}, {kResNotPrincipalAliceAndAccount}, Who::kAlice, kCrr, kZ1, D::kAllow},
      {"NotPrincipal deny hits others", {}, {kResNotPrincipalAliceAndAccount}, Who::kSession, kCrr, kZ1, D::kExplicitDeny, R::kExplicitDenyResource},
      {"NotPrincipal deny hits other account", {kAllowR53}, {kResNotPrincipalAliceAndAccount}, Who::kBob, kCrr, kZ1, D::kExplicitDeny, R::kExplicitDenyResource, {}, {}, {}, kA},
      {"NotPrincipal deny without the account hits the user", {}, {kResNotPrincipalAliceOnly}, Who::kAlice, kCrr, kZ1, D::kExplicitDeny, R::kExplicitDenyResource},
      {"NotPrincipal deny listing the session chain", {}, {kResNotPrincipalSessionChain}, Who::kSession, kCrr, kZ1, D::kAllow},
      {"NotPrincipal deny listing only the session", {}, {kResNotPrincipalSessionOnly}, Who::kSession, kCrr, kZ1, D::kExplicitDeny, R::kExplicitDenyResource},
      {"NotPrincipal deny other action", {}, {kResNotPrincipalAliceOnly}, Who::kAlice, "s3:GetObject", kZ1, D::kImplicitDeny, R::kNoIdentityAllow},
      {"NotPrincipal deny with a boundary always denies", {kAllowR53}, {kResNotPrincipalAliceAndAccount}, Who::kAlice, kCrr, kZ1, D::kExplicitDeny, R::kExplicitDenyResource, {}, {kAllowAll}},
      {"NotPrincipal deny hits anonymous", {}, {kResNotPrincipalAliceAndAccount}, Who::kAnonymous, kCrr, kZ1, D::kExplicitDeny, R::kExplicitDenyResource},
      {"NotPrincipal deny hits service", {}, {kResNotPrincipalAliceAndAccount}, Who::kService, kCrr, kZ1, D::kExplicitDeny, R::kExplicitDenyResource},
      {"NotPrincipal allow others", {}, {kResAllowNotBob}, Who::kAlice, kCrr, kZ1, D::kAllow},
      {"NotPrincipal allow excludes listed", {kAllowR53}, {kResAllowNotBob}, Who::kBob, kCrr, kZ1, D::kImplicitDeny, R::kNoResourceAllow, {}, {}, {}, kA},
      // ---- permissions boundaries
      {"boundary allows", {kAllowR53}, {}, Who::kAlice, kCrr, kZ1, D::kAllow, R::kNone, {}, {kAllowAll}},
      {"boundary narrower", {kAllowAll}, {}, Who::kAlice, "s3:GetObject", "arn:aws:s3:::b/k", D::kImplicitDeny, R::kNoBoundaryAllow, {}, {kAllowR53}},
      {"boundary narrower allows inside", {kAllowAll}, {}, Who::kAlice, kCrr, kZ1, D::kAllow, R::kNone, {}, {kAllowR53}},
      {"boundary grants nothing by itself", {}, {}, Who::kAlice, kCrr, kZ1, D::kImplicitDeny, R::kNoIdentityAllow, {}, {kAllowAll}},
      {"boundary set empty", {kAllowAll}, {}, Who::kAlice, kCrr, kZ1, D::kImplicitDeny, R::kNoBoundaryAllow, {}, {kEmpty}},
      {"boundary with condition", {kAllowAll}, {}, Who::kAlice, kCrr, kZ1, D::kAllow, R::kNone, kAcmeCtx, {kAcmeOnly}},
      {"boundary with condition unmet", {kAllowAll}, {}, Who::kAlice, kCrr, kZ1, D::kImplicitDeny, R::kNoBoundaryAllow,
       {{"route53:ChangeResourceRecordSetsRecordTypes", {"A"}}}, {kAcmeOnly}},
      {"boundary does not limit resource grant to user ARN", {}, {kResAlice}, Who::kAlice, kCrr, kZ1, D::kAllow, R::kNone, {}, {kAllowS3}},
      {"boundary limits resource grant to account", {kAllowAll}, {kResAccount}, Who::kAlice, kCrr, kZ1, D::kImplicitDeny, R::kNoBoundaryAllow, {}, {kAllowS3}},
      {"boundary limits resource grant to role ARN", {}, {kResRole}, Who::kSession, kCrr, kZ1, D::kImplicitDeny, R::kNoBoundaryAllow, {}, {kAllowS3}},
      {"boundary allows resource grant to role ARN", {}, {kResRole}, Who::kSession, kCrr, kZ1, D::kAllow, R::kNone, {}, {kAllowR53}},
      {"boundary does not limit grant to session ARN", {}, {kResSession}, Who::kSession, kCrr, kZ1, D::kAllow, R::kNone, {}, {kAllowS3}},
      {"boundary several policies", {kAllowAll}, {}, Who::kAlice, "s3:GetObject", "arn:aws:s3:::b/k", D::kAllow, R::kNone, {}, {kAllowR53, kAllowS3}},
      {"boundary on a role session", {kAllowAll}, {}, Who::kSession, "s3:GetObject", "arn:aws:s3:::b/k", D::kImplicitDeny, R::kNoBoundaryAllow, {}, {kCertManager}},
      // ---- session policies
      {"session allows", {kAllowAll}, {}, Who::kSession, kCrr, kZ1, D::kAllow, R::kNone, {}, {}, {kAllowR53}},
      {"session narrower", {kAllowAll}, {}, Who::kSession, "s3:GetObject", "arn:aws:s3:::b/k", D::kImplicitDeny, R::kNoSessionAllow, {}, {}, {kAllowR53}},
      {"session grants nothing by itself", {}, {}, Who::kSession, kCrr, kZ1, D::kImplicitDeny, R::kNoIdentityAllow, {}, {}, {kAllowAll}},
      {"session set empty", {kAllowAll}, {}, Who::kSession, kCrr, kZ1, D::kImplicitDeny, R::kNoSessionAllow, {}, {}, {kEmpty}},
      {"session is intersection", {kAllowR53}, {}, Who::kSession, "s3:GetObject", "arn:aws:s3:::b/k", D::kImplicitDeny, R::kNoIdentityAllow, {}, {}, {kAllowS3}},
      {"session limits resource grant to role ARN", {}, {kResRole}, Who::kSession, kCrr, kZ1, D::kImplicitDeny, R::kNoSessionAllow, {}, {}, {kAllowS3}},
      {"session allows resource grant to role ARN", {}, {kResRole}, Who::kSession, kCrr, kZ1, D::kAllow, R::kNone, {}, {}, {kCertManager}},
      {"session does not limit grant to session ARN", {}, {kResSession}, Who::kSession, kCrr, kZ1, D::kAllow, R::kNone, {}, {}, {kAllowS3}},
      {"session limits grant to account", {kAllowAll}, {kResAccount}, Who::kSession, kCrr, kZ1, D::kImplicitDeny, R::kNoSessionAllow, {}, {}, {kAllowS3}},
      {"session and boundary both allow", {kAllowAll}, {}, Who::kSession, kCrr, kZ1, D::kAllow, R::kNone, {}, {kAllowR53}, {kCertManager}},
      {"session and boundary, boundary fails", {kAllowAll}, {}, Who::kSession, kCrr, kZ1, D::kImplicitDeny, R::kNoBoundaryAllow, {}, {kAllowS3}, {kCertManager}},
      {"session and boundary, session fails", {kAllowAll}, {}, Who::kSession, kCrr, kZ1, D::kImplicitDeny, R::kNoSessionAllow, {}, {kAllowR53}, {kAllowS3}},
      {"session with acme condition", {kAllowAll}, {}, Who::kSession, kCrr, kZ1, D::kAllow, R::kNone, kAcmeCtx, {}, {kAcmeOnly}},
      // ---- cross-account: both sides must allow
      {"cross both allow", {kAllowR53}, {kResBob}, Who::kBob, kCrr, kZ1, D::kAllow, R::kNone, {}, {}, {}, kA},
      {"cross resource names account", {kAllowR53}, {kResBobAccount}, Who::kBob, kCrr, kZ1, D::kAllow, R::kNone, {}, {}, {}, kA},
      {"cross no resource policy", {kAllowR53}, {}, Who::kBob, kCrr, kZ1, D::kImplicitDeny, R::kNoResourceAllow, {}, {}, {}, kA},
      {"cross resource names someone else", {kAllowR53}, {kResAlice}, Who::kBob, kCrr, kZ1, D::kImplicitDeny, R::kNoResourceAllow, {}, {}, {}, kA},
      {"cross no identity allow", {}, {kResBob}, Who::kBob, kCrr, kZ1, D::kImplicitDeny, R::kNoIdentityAllow, {}, {}, {}, kA},
      {"cross identity other action", {kAllowS3}, {kResBob}, Who::kBob, kCrr, kZ1, D::kImplicitDeny, R::kNoIdentityAllow, {}, {}, {}, kA},
      {"cross resource star", {kAllowR53}, {kResStar}, Who::kBob, kCrr, kZ1, D::kAllow, R::kNone, {}, {}, {}, kA},
      {"cross resource star with account condition", {kAllowR53}, {kResStarOrgCond}, Who::kBob, kCrr, kZ1, D::kAllow, R::kNone, {}, {}, {}, kA},
      {"cross boundary fails", {kAllowR53}, {kResBob}, Who::kBob, kCrr, kZ1, D::kImplicitDeny, R::kNoBoundaryAllow, {}, {kAllowS3}, {}, kA},
      {"cross session role ARN", {kAllowR53}, {kResBobRole}, Who::kBobSession, kCrr, kZ1, D::kAllow, R::kNone, {}, {}, {}, kA},
      {"cross session policy fails", {kAllowR53}, {kResBobRole}, Who::kBobSession, kCrr, kZ1, D::kImplicitDeny, R::kNoSessionAllow, {}, {}, {kAllowS3}, kA},
      {"cross session policy allows", {kAllowR53}, {kResBobRole}, Who::kBobSession, kCrr, kZ1, D::kAllow, R::kNone, {}, {}, {kAllowR53}, kA},
      {"cross explicit deny in resource", {kAllowR53}, {kResBob, kResDenyAll}, Who::kBob, kCrr, kZ1, D::kExplicitDeny, R::kExplicitDenyResource, {}, {}, {}, kA},
      {"cross explicit deny in identity", {kAllowR53, kDenyDelete}, {kResBob}, Who::kBob, "route53:DeleteHostedZone", kZ1, D::kExplicitDeny, R::kExplicitDenyIdentity, {}, {}, {}, kA},
      {"same account named explicitly", {kAllowR53}, {}, Who::kAlice, kCrr, kZ1, D::kAllow, R::kNone, {}, {}, {}, kA},
      {"resource account in principal's account", {}, {kResAlice}, Who::kAlice, kCrr, kZ1, D::kAllow, R::kNone, {}, {}, {}, kA},
      {"alice into bob's account", {kAllowR53}, {}, Who::kAlice, kCrr, kZ1, D::kImplicitDeny, R::kNoResourceAllow, {}, {}, {}, kB},
      // ---- role trust policies (sts:AssumeRole*): the trust policy must always allow
      {"trust names account, no identity", {}, {kTrustAccount}, Who::kAlice, "sts:AssumeRole", kRoleArn, D::kImplicitDeny, R::kNoIdentityAllow, {}, {}, {}, kA},
      {"trust names account, identity allows", {kAllowAssume}, {kTrustAccount}, Who::kAlice, "sts:AssumeRole", kRoleArn, D::kAllow, R::kNone, {}, {}, {}, kA},
      {"trust names user, no identity", {}, {kTrustAlice}, Who::kAlice, "sts:AssumeRole", kRoleArn, D::kAllow, R::kNone, {}, {}, {}, kA},
      {"trust names user, TagSession", {}, {kTrustAlice}, Who::kAlice, "sts:TagSession", kRoleArn, D::kAllow, R::kNone, {}, {}, {}, kA},
      {"trust names other user", {kAllowAssume}, {kTrustAlice}, Who::kSession, "sts:AssumeRole", kRoleArn, D::kImplicitDeny, R::kNoResourceAllow, {}, {}, {}, kA},
      {"no trust policy, identity allows", {kAllowAssume}, {}, Who::kAlice, "sts:AssumeRole", kRoleArn, D::kImplicitDeny, R::kNoResourceAllow, {}, {}, {}, kA},
      {"trust names other action", {kAllowAll}, {kTrustIrsa}, Who::kAlice, "sts:AssumeRole", kRoleArn, D::kImplicitDeny, R::kNoResourceAllow, {}, {}, {}, kA},
      {"trust role chaining by role ARN", {}, {kTrustRole}, Who::kSession, "sts:AssumeRole", kRoleArn, D::kAllow, R::kNone, {}, {}, {}, kA},
      {"trust role chaining limited by session policy", {}, {kTrustRole}, Who::kSession, "sts:AssumeRole", kRoleArn, D::kImplicitDeny, R::kNoSessionAllow, {}, {}, {kAllowS3}, kA},
      {"trust cross-account with external id", {kAllowAssume}, {kTrustBobAccount}, Who::kBob, "sts:AssumeRole", kRoleArn, D::kAllow, R::kNone, {{"sts:ExternalId", {"xyzzy"}}}, {}, {}, kA},
      {"trust cross-account wrong external id", {kAllowAssume}, {kTrustBobAccount}, Who::kBob, "sts:AssumeRole", kRoleArn, D::kImplicitDeny, R::kNoResourceAllow, {{"sts:ExternalId", {"nope"}}}, {}, {}, kA},
      {"trust cross-account no external id", {kAllowAssume}, {kTrustBobAccount}, Who::kBob, "sts:AssumeRole", kRoleArn, D::kImplicitDeny, R::kNoResourceAllow, {}, {}, {}, kA},
      {"trust cross-account no identity", {}, {kTrustBobAccount}, Who::kBob, "sts:AssumeRole", kRoleArn, D::kImplicitDeny, R::kNoIdentityAllow, {{"sts:ExternalId", {"xyzzy"}}}, {}, {}, kA},
      {"trust cross-account names user, still needs identity", {}, {kTrustBob}, Who::kBob, "sts:AssumeRole", kRoleArn, D::kImplicitDeny, R::kNoIdentityAllow, {}, {}, {}, kA},
      {"trust cross-account names user with identity", {kAllowAssume}, {kTrustBob}, Who::kBob, "sts:AssumeRole", kRoleArn, D::kAllow, R::kNone, {}, {}, {}, kA},
      {"trust cross-account identity resource mismatch", {R"J({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::444455556666:role/*"}]})J"}, {kTrustBob}, Who::kBob, "sts:AssumeRole", kRoleArn, D::kImplicitDeny, R::kNoIdentityAllow, {}, {}, {}, kA},
      {"trust service", {}, {kTrustEc2}, Who::kService, "sts:AssumeRole", kRoleArn, D::kAllow, R::kNone, {}, {}, {}, kA},
      {"trust service case-insensitive", {}, {kTrustEc2}, Who::kService, "STS:ASSUMEROLE", kRoleArn, D::kAllow, R::kNone, {}, {}, {}, kA},
      {"trust service not a user", {kAllowAll}, {kTrustEc2}, Who::kAlice, "sts:AssumeRole", kRoleArn, D::kImplicitDeny, R::kNoResourceAllow, {}, {}, {}, kA},
      {"trust user not a service", {}, {kTrustAlice}, Who::kService, "sts:AssumeRole", kRoleArn, D::kImplicitDeny, R::kNoResourceAllow, {}, {}, {}, kA},
      {"non-sts action needs no resource policy", {kAllowR53}, {}, Who::kAlice, kCrr, kZ1, D::kAllow},
      // ---- IRSA: web identity trust policy with sub/aud conditions
      {"irsa ok", {}, {kTrustIrsa}, Who::kWebIdentity, "sts:AssumeRoleWithWebIdentity", kRoleArn, D::kAllow, R::kNone, kIrsaCtx, {}, {}, kA},
      {"irsa wrong sub", {}, {kTrustIrsa}, Who::kWebIdentity, "sts:AssumeRoleWithWebIdentity", kRoleArn, D::kImplicitDeny, R::kNoResourceAllow,
       {{"oidc.example:sub", {"system:serviceaccount:default:default"}}, {"oidc.example:aud", {"sts.amazonaws.com"}}}, {}, {}, kA},
      {"irsa wrong aud", {}, {kTrustIrsa}, Who::kWebIdentity, "sts:AssumeRoleWithWebIdentity", kRoleArn, D::kImplicitDeny, R::kNoResourceAllow,
       {{"oidc.example:sub", {"system:serviceaccount:cert-manager:cert-manager"}}, {"oidc.example:aud", {"other"}}}, {}, {}, kA},
      {"irsa no aud", {}, {kTrustIrsa}, Who::kWebIdentity, "sts:AssumeRoleWithWebIdentity", kRoleArn, D::kImplicitDeny, R::kNoResourceAllow,
       {{"oidc.example:sub", {"system:serviceaccount:cert-manager:cert-manager"}}}, {}, {}, kA},
      {"irsa no claims", {}, {kTrustIrsa}, Who::kWebIdentity, "sts:AssumeRoleWithWebIdentity", kRoleArn, D::kImplicitDeny, R::kNoResourceAllow, {}, {}, {}, kA},
      {"irsa key case", {}, {kTrustIrsa}, Who::kWebIdentity, "sts:AssumeRoleWithWebIdentity", kRoleArn, D::kAllow, R::kNone,
       {{"OIDC.EXAMPLE:SUB", {"system:serviceaccount:cert-manager:cert-manager"}}, {"oidc.example:Aud", {"sts.amazonaws.com"}}}, {}, {}, kA},
      {"irsa other provider", {}, {kTrustIrsa}, Who::kAnonymous, "sts:AssumeRoleWithWebIdentity", kRoleArn, D::kImplicitDeny, R::kNoResourceAllow, kIrsaCtx, {}, {}, kA},
      {"irsa plain AssumeRole", {}, {kTrustIrsa}, Who::kWebIdentity, "sts:AssumeRole", kRoleArn, D::kImplicitDeny, R::kNoResourceAllow, kIrsaCtx, {}, {}, kA},
      {"irsa user cannot", {kAllowAll}, {kTrustIrsa}, Who::kAlice, "sts:AssumeRoleWithWebIdentity", kRoleArn, D::kImplicitDeny, R::kNoResourceAllow, kIrsaCtx, {}, {}, kA},
      {"irsa StringLike any service account of namespace", {}, {kTrustIrsaLike}, Who::kWebIdentity, "sts:AssumeRoleWithWebIdentity", kRoleArn, D::kAllow, R::kNone,
       {{"oidc.example:sub", {"system:serviceaccount:cert-manager:other"}}, {"oidc.example:aud", {"sts.amazonaws.com"}}}, {}, {}, kA},
      {"irsa StringLike other namespace", {}, {kTrustIrsaLike}, Who::kWebIdentity, "sts:AssumeRoleWithWebIdentity", kRoleArn, D::kImplicitDeny, R::kNoResourceAllow,
       {{"oidc.example:sub", {"system:serviceaccount:kube-system:x"}}, {"oidc.example:aud", {"sts.amazonaws.com"}}}, {}, {}, kA},
      {"irsa session then uses cert-manager policy", {kCertManager}, {}, Who::kSession, kCrr, kZ1, D::kAllow},
      // ---- the account root user
      {"root full access", {}, {}, Who::kRoot, kCrr, kZ1, D::kAllow},
      {"root explicit resource deny", {}, {kResDenyAll}, Who::kRoot, kCrr, kZ1, D::kExplicitDeny, R::kExplicitDenyResource},
      {"root cross-account needs resource", {}, {}, Who::kRoot, kCrr, kZ1, D::kImplicitDeny, R::kNoResourceAllow, {}, {}, {}, kB},
      {"root cross-account resource allows account", {}, {R"J({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"*","Resource":"*"}]})J"}, Who::kRoot, kCrr, kZ1, D::kAllow, R::kNone, {}, {}, {}, kB},
      {"root of other account is not root here", {}, {}, Who::kBob, kCrr, kZ1, D::kImplicitDeny, R::kNoIdentityAllow},
      // ---- others: anonymous, services, several policies
      {"anonymous nothing", {}, {}, Who::kAnonymous, kCrr, kZ1, D::kImplicitDeny, R::kNoIdentityAllow},
      {"service principal resource grant", {}, {R"J({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"route53:*","Resource":"*"}]})J"}, Who::kService, kCrr, kZ1, D::kAllow},
      {"several identity policies union", {kAllowS3, kCertManager}, {}, Who::kAlice, kCrr, kZ1, D::kAllow},
      {"two statements both match", {kTwoSids}, {}, Who::kAlice, "route53:GetChange", "*", D::kAllow},
  };
  return kCases;
}

std::shared_ptr<const Policy> parseFor(const char* json, Policy::Kind kind) { return mustParse(json, kind); }

std::vector<PolicyRef> refs(const std::vector<const char*>& docs, Policy::Kind kind, const std::string& prefix) {
  std::vector<PolicyRef> r;
  for (size_t i = 0; i < docs.size(); ++i) {
    if (std::string(docs[i]) == kEmpty) continue;
    // A resource-slot document without any "Principal" is an identity policy put there on purpose.
    const bool has_principal = std::string(docs[i]).find("Principal\"") != std::string::npos;
    const Policy::Kind k = kind == Policy::Kind::kResource && !has_principal ? Policy::Kind::kIdentity
                           : kind == Policy::Kind::kIdentity && has_principal ? Policy::Kind::kResource
                                                                              : kind;
    r.push_back({prefix + std::to_string(i), parseFor(docs[i], k)});
  }
  return r;
}

class EvaluationTable : public ::testing::TestWithParam<size_t> {};

TEST_P(EvaluationTable, Case) {
  const EvalCase& c = cases()[GetParam()];
  PolicySet ps;
  ps.identity = refs(c.identity, Policy::Kind::kIdentity, "identity/");
  ps.resource = refs(c.resource, Policy::Kind::kResource, "resource/");
  if (!c.boundary.empty()) ps.boundary = refs(c.boundary, Policy::Kind::kIdentity, "boundary/");
  if (!c.session.empty()) ps.session = refs(c.session, Policy::Kind::kIdentity, "session/");
  ps.resource_account = c.resource_account;
  RequestContext req;
  req.action = c.action;
  req.resource = c.resource_arn;
  req.principal = principalOf(c.who);
  for (const auto& [k, v] : c.ctx) req.set(k, v);
  const Evaluation ev = evaluate(req, ps);
  EXPECT_STREQ(decisionName(ev.decision), decisionName(c.want)) << c.name;
  EXPECT_EQ(static_cast<int>(ev.reason), static_cast<int>(c.reason))
      << c.name << ": got \"" << denyReasonPhrase(ev.reason, c.action) << "\" want \""
      << denyReasonPhrase(c.reason, c.action) << "\"";
  if (ev.decision == Decision::kAllow && c.action != std::string_view("sts:GetCallerIdentity") &&
      c.who != Who::kRoot && std::string_view(c.action).find("etcalleridentity") == std::string_view::npos) {
    EXPECT_TRUE(std::any_of(ev.matched.begin(), ev.matched.end(),
                            [](const MatchedStatement& m) { return m.effect == Decision::kAllow; }))
        << c.name;
  }
  if (ev.decision == Decision::kExplicitDeny) {
    EXPECT_TRUE(std::any_of(ev.matched.begin(), ev.matched.end(),
                            [](const MatchedStatement& m) { return m.effect == Decision::kExplicitDeny; }))
        << c.name;
  }
}

INSTANTIATE_TEST_SUITE_P(Authz, EvaluationTable, ::testing::Range<size_t>(0, cases().size()),
                         [](const ::testing::TestParamInfo<size_t>& info) {
                           return caseName(cases()[info.param].name, info.param);
                         });

}  // namespace
}  // namespace zk::authz::testing
