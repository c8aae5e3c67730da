// The compiled form of a Policy: what parse() produces and evaluate() walks. Internal to the module.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "authz/match.h"
#include "authz/policy.h"

namespace zk::authz::detail {

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
enum class BaseOp : uint8_t {
  kStringEquals,
  kStringEqualsIgnoreCase,
  kStringLike,
  kNumeric,
  kDate,
  kBool,
  kBinary,
  kIp,
  kArn,  // ArnEquals and ArnLike are the same test
  kNull,
};
enum class Cmp : uint8_t { kEq, kLt, kLe, kGt, kGe };
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
enum class SetOp : uint8_t { kNone, kForAnyValue, kForAllValues };

struct CondValue {
  Pattern text;  // string, Bool (lower-cased when literal) and the raw text of every value
  double number = 0;
  int64_t time_us = 0;
  IpNet net;
  std::string bytes;  // BinaryEquals: decoded
  ArnPattern arn;
  bool null_true = false;  // Null: "true" = the key must be absent
};

struct Condition {
  std::string op_name;  // as written, e.g. "ForAllValues:StringLikeIfExists"
  BaseOp op = BaseOp::kStringEquals;
  Cmp cmp = Cmp::kEq;
  bool negated = false;  // the ...Not... forms: true on an absent key
  bool if_exists = false;
  SetOp set = SetOp::kNone;
  std::string key;  // lower-cased
  std::vector<CondValue> values;
};

struct AwsPrincipal {
  bool any = false;         // "*"
  bool is_account = false;  // "111122223333" or "arn:aws:iam::111122223333:root"
  std::string account;
  std::string arn;  // the ARN, or the account's root ARN
};

struct PrincipalSpec {
  bool any = false;  // "Principal": "*"
  std::vector<AwsPrincipal> aws;
  std::vector<std::string> service;  // lower-cased
  std::vector<std::string> federated;
  std::vector<std::string> canonical;  // accepted, never matches
};

struct Statement {
  std::string sid;
  bool allow = false;
  bool not_action = false;
  std::vector<Glob> actions;  // lower-cased
  bool has_resource = false;  // false only in resource-based policies that omit it (trust policies)
  bool not_resource = false;
  std::vector<ArnPattern> resources;
  bool has_principal = false;
  bool not_principal = false;
  PrincipalSpec principal;
  std::vector<Condition> conditions;
};

struct PolicyData {
  Policy::Kind kind = Policy::Kind::kIdentity;
  Policy::Version version = Policy::Version::kNone;
  std::string id;
  std::vector<Statement> statements;
};

}  // namespace zk::authz::detail
