// Shared helpers of the authz tests: principals, context building, policy parsing that must succeed.
#pragma once

#include <gtest/gtest.h>

#include <cctype>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "authz/evaluator.h"
#include "authz/policy.h"

namespace zk::authz::testing {

using Ctx = std::vector<std::pair<std::string, ContextValues>>;

enum class Who {
  kAlice,        // IAM user arn:aws:iam::111122223333:user/alice
  kBob,          // IAM user of another account, arn:aws:iam::444455556666:user/bob
  kSession,      // arn:aws:sts::111122223333:assumed-role/R/sess (role arn:aws:iam::111122223333:role/R)
  kBobSession,   // arn:aws:sts::444455556666:assumed-role/X/s (role arn:aws:iam::444455556666:role/X)
  kRoot,         // arn:aws:iam::111122223333:root
  kService,      // ec2.amazonaws.com
  kWebIdentity,  // federated arn:aws:iam::111122223333:oidc-provider/oidc.example
  kAnonymous,    // nobody
};

inline Principal principalOf(Who who) {
  Principal p;
  switch (who) {
    case Who::kAlice:
      p.arn = "arn:aws:iam::111122223333:user/alice";
      p.account = "111122223333";
      break;
    case Who::kBob:
      p.arn = "arn:aws:iam::444455556666:user/bob";
      p.account = "444455556666";
      break;
    case Who::kSession:
      p.arn = "arn:aws:sts::111122223333:assumed-role/R/sess";
      p.account = "111122223333";
      p.source_arn = "arn:aws:iam::111122223333:role/R";
      break;
    case Who::kBobSession:
      p.arn = "arn:aws:sts::444455556666:assumed-role/X/s";
      p.account = "444455556666";
      p.source_arn = "arn:aws:iam::444455556666:role/X";
      break;
    case Who::kRoot:
      p.arn = "arn:aws:iam::111122223333:root";
      p.account = "111122223333";
      break;
    case Who::kService:
      p.service = "ec2.amazonaws.com";
      break;
    case Who::kWebIdentity:
      p.federated = "arn:aws:iam::111122223333:oidc-provider/oidc.example";
      break;
    case Who::kAnonymous:
      break;
  }
  return p;
}

inline std::shared_ptr<const Policy> mustParse(const std::string& json, Policy::Kind kind) {
  auto p = Policy::parse(json, kind);
  EXPECT_TRUE(p.ok()) << p.status().message() << "\n" << json;
  if (!p.ok()) return nullptr;
  return std::make_shared<const Policy>(std::move(*p));
}

inline const char* decisionName(Decision d) {
  switch (d) {
    case Decision::kAllow:
      return "Allow";
    case Decision::kExplicitDeny:
      return "ExplicitDeny";
    case Decision::kImplicitDeny:
      return "ImplicitDeny";
  }
  return "?";
}

inline std::string caseName(const std::string& s, size_t index) {
  std::string r = std::to_string(index) + "_";
  for (char c : s) r.push_back(std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
  return r;
}

}  // namespace zk::authz::testing
