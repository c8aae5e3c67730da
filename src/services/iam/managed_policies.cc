// The AWS managed policies users attach by ARN, with the documents AWS publishes for them.
#include <string>
#include <utility>
#include <vector>

#include "services/iam/directory.h"

namespace zk::iam {
namespace {

struct Builtin {
  const char* name;
  const char* id;
  const char* description;
  const char* document;
};

// Documents from the AWS Managed Policy Reference Guide,
// https://docs.aws.amazon.com/aws-managed-policy/latest/reference/<Name>.html (default versions as
// published; AmazonRoute53FullAccess v7 is abridged to its first statement's actions zonekeeper or its
// clients touch, the rest naming services zonekeeper does not have).
const Builtin kBuiltins[] = {
    {"AdministratorAccess", "ANPAIWMBCKSKIEE64ZLYK", "Provides full access to AWS services and resources.",
     R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})"},
    {"AmazonRoute53FullAccess", "ANPAJWVDLG5RPST6PHQ3A",
     "Provides full access to all Amazon Route 53 via the AWS Management Console.",
     R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["route53:*","route53domains:*",)"
     R"("cloudfront:ListDistributions","cloudwatch:DescribeAlarms","cloudwatch:GetMetricStatistics",)"
     R"("cloudwatch:GetMetricData","ec2:DescribeVpcs","ec2:DescribeVpcEndpoints","ec2:DescribeRegions",)"
     R"("elasticloadbalancing:DescribeLoadBalancers","elasticbeanstalk:DescribeEnvironments",)"
     R"("es:ListDomainNames","es:DescribeDomains","lightsail:GetContainerServices","s3:ListBucket",)"
     R"("s3:GetBucketLocation","s3:GetBucketWebsite","sns:ListTopics","sns:ListSubscriptionsByTopic",)"
     R"("tag:GetResources"],"Resource":"*"}]})"},
    {"AmazonRoute53ReadOnlyAccess", "ANPAITOYK2ZAOQFXV2JNC",
     "Provides read only access to all Amazon Route 53 via the AWS Management Console.",
     R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["route53:Get*","route53:List*",)"
     R"("route53:TestDNSAnswer"],"Resource":["*"]}]})"},
    {"AWSCertificateManagerFullAccess", "ANPAJYCHABBP6VQIVBCBQ",
     "Provides full access to AWS Certificate Manager (ACM)",
     R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["acm:*"],"Resource":"*"},)"
     R"({"Effect":"Allow","Action":"iam:CreateServiceLinkedRole","Resource":)"
     R"("arn:aws:iam::*:role/aws-service-role/acm.amazonaws.com/AWSServiceRoleForCertificateManager*",)"
     R"("Condition":{"StringEquals":{"iam:AWSServiceName":"acm.amazonaws.com"}}},)"
     R"({"Effect":"Allow","Action":["iam:DeleteServiceLinkedRole","iam:GetServiceLinkedRoleDeletionStatus",)"
     R"("iam:GetRole"],"Resource":)"
     R"("arn:aws:iam::*:role/aws-service-role/acm.amazonaws.com/AWSServiceRoleForCertificateManager*"}]})"},
    {"AWSCertificateManagerReadOnly", "ANPAI4GSWX6S4MESJ3EWC",
     "Provides read only access to AWS Certificate Manager (ACM).",
     R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["acm:DescribeCertificate",)"
     R"("acm:ListCertificates","acm:GetCertificate","acm:ListTagsForCertificate",)"
     R"("acm:GetAccountConfiguration"],"Resource":"*"}})"},
    {"IAMFullAccess", "ANPAI7XKCFMBPM3QQRRVQ", "Provides full access to IAM via the AWS Management Console.",
     R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:*",)"
     R"("organizations:DescribeAccount","organizations:DescribeOrganization",)"
     R"("organizations:DescribeOrganizationalUnit","organizations:DescribePolicy","organizations:ListChildren",)"
     R"("organizations:ListParents","organizations:ListPoliciesForTarget","organizations:ListRoots",)"
     R"("organizations:ListPolicies","organizations:ListTargetsForPolicy"],"Resource":"*"}]})"},
    {"IAMReadOnlyAccess", "ANPAJKSO7NDY4T57MWDSQ",
     "Provides read only access to IAM via the AWS Management Console.",
     R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GenerateCredentialReport",)"
     R"("iam:GenerateServiceLastAccessedDetails","iam:Get*","iam:List*","iam:SimulateCustomPolicy",)"
     R"("iam:SimulatePrincipalPolicy"],"Resource":"*"}]})"},
};

}  // namespace

const std::vector<ManagedPolicy>& awsManagedPolicies() {
  static const std::vector<ManagedPolicy> kPolicies = [] {
    std::vector<ManagedPolicy> out;
    // 2015-02-06T18:40:00Z, when AWS created most of these.
    const Time created{std::chrono::seconds(1423248000)};
    for (const Builtin& b : kBuiltins) {
      ManagedPolicy p;
      p.account_id = "aws";
      p.name = b.name;
      p.id = b.id;
      p.arn = std::string("arn:aws:iam::aws:policy/") + b.name;
      p.description = b.description;
      p.default_version_id = "v1";
      p.next_version = 2;
      p.created_at = created;
      p.updated_at = created;
      out.push_back(std::move(p));
    }
    return out;
  }();
  return kPolicies;
}

std::optional<std::string> awsManagedPolicyDocument(std::string_view arn) {
  for (const Builtin& b : kBuiltins)
    if (arn == std::string("arn:aws:iam::aws:policy/") + b.name) return std::string(b.document);
  return std::nullopt;
}

}  // namespace zk::iam
