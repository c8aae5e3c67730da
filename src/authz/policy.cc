// Policy::parse: JSON -> validated, compiled PolicyData. Messages follow IAM's MalformedPolicyDocument.
//
// Grammar:   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
// Version:   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html
// Principal: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
// Resource:  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
// Condition:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
#include "authz/policy.h"

#include <cstring>
#include <nlohmann/json.hpp>
#include <set>

#include "authz/policy_data.h"

namespace zk::authz {

using detail::ArnPattern;
using detail::AwsPrincipal;
using detail::BaseOp;
using detail::Cmp;
using detail::Condition;
using detail::CondValue;
using detail::Pattern;
using detail::PolicyData;
using detail::SetOp;
using detail::Statement;
using Json = nlohmann::json;

namespace {

const char kSyntax[] = "Syntax errors in policy.";

Status syntax() { return invalidArgument(kSyntax); }

// A string or a non-empty array of strings.
Status stringList(const Json& v, std::vector<std::string>* out) {
  if (v.is_string()) {
    out->push_back(v.get<std::string>());
    return Status::ok();
  }
  if (!v.is_array() || v.empty()) return syntax();
  for (const Json& e : v) {
    if (!e.is_string()) return syntax();
    out->push_back(e.get<std::string>());
  }
  return Status::ok();
}

bool isVendorChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '*' ||
         c == '?' || c == '.';
}

// "*" or "vendor:pattern".
Status compileAction(const std::string& a, detail::Glob* out) {
  const std::string lower = detail::toLower(a);
  if (lower != "*") {
    const size_t colon = lower.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == lower.size() ||
        lower.find(':', colon + 1) != std::string::npos)
      return invalidArgument("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.");
    for (size_t i = 0; i < colon; ++i)
      if (!isVendorChar(lower[i])) return invalidArgument("Vendor " + a.substr(0, colon) + " is not valid");
    for (size_t i = colon + 1; i < lower.size(); ++i) {
      const unsigned char c = static_cast<unsigned char>(lower[i]);
      if (c <= ' ' || c == 0x7F) return invalidArgument("Action " + a + " is not valid");
    }
  }
  const Pattern p = Pattern::compile(lower, false, true);
  *out = p.glob();
  return Status::ok();
}

// Splits at the first five colons that are not inside "${...}" (when variables are on).
std::vector<std::string> splitArnPattern(const std::string& s, bool variables) {
  std::vector<std::string> parts(1);
  int depth = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (variables && c == '$' && i + 1 < s.size() && s[i + 1] == '{') {
      ++depth;
    } else if (variables && c == '}' && depth > 0) {
      --depth;
    } else if (c == ':' && depth == 0 && parts.size() < 6) {
      parts.emplace_back();
      continue;
    }
    parts.back().push_back(c);
  }
  return parts;
}

// "*" or an ARN of six segments, wildcards and (2012-10-17) variables allowed.
bool compileArn(const std::string& s, bool variables, ArnPattern* out) {
  if (s == "*") {
    out->any = true;
    return true;
  }
  std::vector<std::string> parts = splitArnPattern(s, variables);
  if (parts.size() != 6 || parts[0] != "arn" || parts[1].empty() || parts[2].empty()) return false;
  for (size_t i = 0; i < 6; ++i) out->seg[i] = Pattern::compile(parts[i], variables, true);
  return true;
}

Status compileResource(const std::string& r, bool variables, ArnPattern* out) {
  if (!compileArn(r, variables, out))
    return invalidArgument("Resource " + r + " must be in ARN format or \"*\".");
  return Status::ok();
}

bool allDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

Status invalidPrincipal(const std::string& type, const std::string& v) {
  return invalidArgument("Invalid principal in policy: \"" + type + "\":\"" + v + "\"");
}

Status compileAwsPrincipal(const std::string& v, AwsPrincipal* out) {
  if (v == "*") {
    out->any = true;
    return Status::ok();
  }
  if (v.size() == 12 && allDigits(v)) {
    out->is_account = true;
    out->account = v;
    out->arn = "arn:aws:iam::" + v + ":root";
    return Status::ok();
  }
  std::array<std::string_view, 6> parts;
  if (!detail::splitArn(v, &parts) || parts[1].empty() || (parts[2] != "iam" && parts[2] != "sts") ||
      !parts[3].empty() || !allDigits(parts[4]) || parts[5].empty() ||
      v.find_first_of("*? ") != std::string::npos)
    return invalidPrincipal("AWS", v);
  out->arn = v;
  out->account = std::string(parts[4]);
  out->is_account = parts[2] == "iam" && parts[5] == "root";
  return Status::ok();
}

Status compilePrincipal(const Json& v, detail::PrincipalSpec* out) {
  if (v.is_string()) {
    if (v.get<std::string>() != "*") return invalidPrincipal("AWS", v.get<std::string>());
    out->any = true;
    return Status::ok();
  }
  if (!v.is_object() || v.empty()) return syntax();
  for (auto it = v.begin(); it != v.end(); ++it) {
    std::vector<std::string> values;
    ZK_RETURN_IF_ERROR(stringList(it.value(), &values));
    const std::string& type = it.key();
    for (const std::string& s : values) {
      if (type == "AWS") {
        AwsPrincipal p;
        ZK_RETURN_IF_ERROR(compileAwsPrincipal(s, &p));
        out->aws.push_back(std::move(p));
      } else if (type == "Service") {
        if (s.empty() || s.find_first_of("*? ") != std::string::npos) return invalidPrincipal(type, s);
        out->service.push_back(detail::toLower(s));
      } else if (type == "Federated") {
        if (s.empty() || s.find_first_of("*? ") != std::string::npos) return invalidPrincipal(type, s);
        out->federated.push_back(s);
      } else if (type == "CanonicalUser") {
        out->canonical.push_back(s);
      } else {
        return invalidArgument("Invalid principal in policy: \"" + type + "\"");
      }
    }
  }
  return Status::ok();
}

struct OpInfo {
  const char* name;
  BaseOp op;
  Cmp cmp;
  bool negated;
};

const OpInfo kOps[] = {
    {"StringEquals", BaseOp::kStringEquals, Cmp::kEq, false},
    {"StringNotEquals", BaseOp::kStringEquals, Cmp::kEq, true},
    {"StringEqualsIgnoreCase", BaseOp::kStringEqualsIgnoreCase, Cmp::kEq, false},
    {"StringNotEqualsIgnoreCase", BaseOp::kStringEqualsIgnoreCase, Cmp::kEq, true},
    {"StringLike", BaseOp::kStringLike, Cmp::kEq, false},
    {"StringNotLike", BaseOp::kStringLike, Cmp::kEq, true},
    {"NumericEquals", BaseOp::kNumeric, Cmp::kEq, false},
    {"NumericNotEquals", BaseOp::kNumeric, Cmp::kEq, true},
    {"NumericLessThan", BaseOp::kNumeric, Cmp::kLt, false},
    {"NumericLessThanEquals", BaseOp::kNumeric, Cmp::kLe, false},
    {"NumericGreaterThan", BaseOp::kNumeric, Cmp::kGt, false},
    {"NumericGreaterThanEquals", BaseOp::kNumeric, Cmp::kGe, false},
    {"DateEquals", BaseOp::kDate, Cmp::kEq, false},
    {"DateNotEquals", BaseOp::kDate, Cmp::kEq, true},
    {"DateLessThan", BaseOp::kDate, Cmp::kLt, false},
    {"DateLessThanEquals", BaseOp::kDate, Cmp::kLe, false},
    {"DateGreaterThan", BaseOp::kDate, Cmp::kGt, false},
    {"DateGreaterThanEquals", BaseOp::kDate, Cmp::kGe, false},
    {"Bool", BaseOp::kBool, Cmp::kEq, false},
    {"BinaryEquals", BaseOp::kBinary, Cmp::kEq, false},
    {"IpAddress", BaseOp::kIp, Cmp::kEq, false},
    {"NotIpAddress", BaseOp::kIp, Cmp::kEq, true},
    {"ArnEquals", BaseOp::kArn, Cmp::kEq, false},
    {"ArnLike", BaseOp::kArn, Cmp::kEq, false},
    {"ArnNotEquals", BaseOp::kArn, Cmp::kEq, true},
    {"ArnNotLike", BaseOp::kArn, Cmp::kEq, true},
    {"Null", BaseOp::kNull, Cmp::kEq, false},
};

bool startsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && detail::equalsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

// "[ForAnyValue:|ForAllValues:]Operator[IfExists]".
Status parseOperator(const std::string& name, Condition* c) {
  std::string_view rest = name;
  if (startsWithIgnoreCase(rest, "ForAnyValue:")) {
    c->set = SetOp::kForAnyValue;
    rest.remove_prefix(12);
  } else if (startsWithIgnoreCase(rest, "ForAllValues:")) {
    c->set = SetOp::kForAllValues;
    rest.remove_prefix(13);
  }
  const OpInfo* found = nullptr;
  for (const OpInfo& op : kOps) {
    if (detail::equalsIgnoreCase(rest, op.name)) {
      found = &op;
      break;
    }
    const size_t n = std::strlen(op.name);
    if (op.op != BaseOp::kNull && rest.size() == n + 8 &&
        detail::equalsIgnoreCase(rest.substr(0, n), op.name) &&
        detail::equalsIgnoreCase(rest.substr(n), "IfExists")) {
      found = &op;
      c->if_exists = true;
      break;
    }
  }
  if (found == nullptr) return invalidArgument("Invalid Condition operator: " + name);
  c->op = found->op;
  c->cmp = found->cmp;
  c->negated = found->negated;
  c->op_name = name;
  return Status::ok();
}

// Condition values: strings, numbers and bools (as their JSON text), or a non-empty array of them.
Status conditionValues(const Json& v, std::vector<std::string>* out) {
  auto one = [&](const Json& e) -> bool {
    if (e.is_string()) {
      out->push_back(e.get<std::string>());
    } else if (e.is_boolean()) {
      out->push_back(e.get<bool>() ? "true" : "false");
    } else if (e.is_number()) {
      out->push_back(e.dump());
    } else {
      return false;
    }
    return true;
  };
  if (v.is_array()) {
    if (v.empty()) return syntax();
    for (const Json& e : v)
      if (!one(e)) return syntax();
    return Status::ok();
  }
  return one(v) ? Status::ok() : syntax();
}

Status badValue(const Condition& c, const std::string& v) {
  return invalidArgument("Invalid Condition value for " + c.op_name + ": " + v);
}

Status compileConditionValue(const Condition& c, const std::string& raw, bool variables, CondValue* out) {
  switch (c.op) {
    case BaseOp::kStringEquals:
    case BaseOp::kStringEqualsIgnoreCase:
      out->text = Pattern::compile(raw, variables, false);
      return Status::ok();
    case BaseOp::kStringLike:
      out->text = Pattern::compile(raw, variables, true);
      return Status::ok();
    case BaseOp::kBool: {
      out->text = Pattern::compile(raw, variables, false);
      if (!out->text.hasVariables() && !detail::equalsIgnoreCase(raw, "true") &&
          !detail::equalsIgnoreCase(raw, "false"))
        return badValue(c, raw);
      return Status::ok();
    }
    case BaseOp::kNumeric:
      out->text = Pattern::compile(raw, false, false);
      if (!detail::parseNumber(raw, &out->number)) return badValue(c, raw);
      return Status::ok();
    case BaseOp::kDate:
      out->text = Pattern::compile(raw, false, false);
      if (!detail::parseDate(raw, &out->time_us)) return badValue(c, raw);
      return Status::ok();
    case BaseOp::kBinary:
      out->text = Pattern::compile(raw, false, false);
      if (!detail::base64Decode(raw, &out->bytes)) return badValue(c, raw);
      return Status::ok();
    case BaseOp::kIp:
      out->text = Pattern::compile(raw, false, false);
      if (!detail::parseIpNet(raw, &out->net)) return badValue(c, raw);
      return Status::ok();
    case BaseOp::kArn:
      out->text = Pattern::compile(raw, variables, true);
      if (!compileArn(raw, variables, &out->arn)) return badValue(c, raw);
      return Status::ok();
    case BaseOp::kNull:
      out->text = Pattern::compile(raw, false, false);
      if (detail::equalsIgnoreCase(raw, "true")) {
        out->null_true = true;
      } else if (!detail::equalsIgnoreCase(raw, "false")) {
        return badValue(c, raw);
      }
      return Status::ok();
  }
  return badValue(c, raw);
}

Status compileConditions(const Json& v, bool variables, std::vector<Condition>* out) {
  if (!v.is_object()) return syntax();
  for (auto op = v.begin(); op != v.end(); ++op) {
    Condition proto;
    ZK_RETURN_IF_ERROR(parseOperator(op.key(), &proto));
    if (!op.value().is_object() || op.value().empty()) return syntax();
    for (auto k = op.value().begin(); k != op.value().end(); ++k) {
      Condition c = proto;
      const std::string& key = k.key();
      const size_t colon = key.find(':');
      if (colon == std::string::npos || colon == 0 || colon + 1 == key.size())
        return invalidArgument("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.");
      c.key = detail::toLower(key);
      std::vector<std::string> raws;
      ZK_RETURN_IF_ERROR(conditionValues(k.value(), &raws));
      for (const std::string& raw : raws) {
        CondValue cv;
        ZK_RETURN_IF_ERROR(compileConditionValue(c, raw, variables, &cv));
        c.values.push_back(std::move(cv));
      }
      out->push_back(std::move(c));
    }
  }
  return Status::ok();
}

bool sidOk(const std::string& sid, Policy::Kind kind) {
  if (kind == Policy::Kind::kResource) return true;  // resource policies (S3, KMS, ...) allow spaces etc.
  for (char c : sid)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  return true;
}

Status compileStatement(const Json& s, Policy::Kind kind, bool variables, Statement* st) {
  if (!s.is_object()) return syntax();
  static const std::set<std::string> kElements = {"Sid",       "Effect",       "Action",
                                                  "NotAction", "Resource",     "NotResource",
                                                  "Principal", "NotPrincipal", "Condition"};
  for (auto it = s.begin(); it != s.end(); ++it)
    if (kElements.count(it.key()) == 0) return syntax();

  if (s.contains("Sid")) {
    if (!s["Sid"].is_string()) return syntax();
    st->sid = s["Sid"].get<std::string>();
    if (!sidOk(st->sid, kind))
      return invalidArgument(
          "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression "
          "[0-9A-Za-z]*");
  }

  if (!s.contains("Effect")) return invalidArgument("Missing required field Effect.");
  if (!s["Effect"].is_string()) return syntax();
  const std::string effect = s["Effect"].get<std::string>();
  if (effect == "Allow") {
    st->allow = true;
  } else if (effect != "Deny") {
    return invalidArgument("Invalid effect: " + effect);
  }

  const bool has_p = s.contains("Principal"), has_np = s.contains("NotPrincipal");
  if (has_p && has_np) return syntax();
  if (kind == Policy::Kind::kIdentity && (has_p || has_np))
    return invalidArgument("Policy document should not specify a principal.");
  if (kind == Policy::Kind::kResource) {
    if (!has_p && !has_np) return invalidArgument("Missing required field Principal.");
    st->has_principal = true;
    st->not_principal = has_np;
    ZK_RETURN_IF_ERROR(compilePrincipal(s[has_p ? "Principal" : "NotPrincipal"], &st->principal));
  }

  const bool has_a = s.contains("Action"), has_na = s.contains("NotAction");
  if (has_a && has_na) return syntax();
  if (!has_a && !has_na) return invalidArgument("Policy statement must contain actions.");
  st->not_action = has_na;
  {
    std::vector<std::string> actions;
    ZK_RETURN_IF_ERROR(stringList(s[has_a ? "Action" : "NotAction"], &actions));
    for (const std::string& a : actions) {
      detail::Glob g;
      ZK_RETURN_IF_ERROR(compileAction(a, &g));
      st->actions.push_back(std::move(g));
    }
  }

  const bool has_r = s.contains("Resource"), has_nr = s.contains("NotResource");
  if (has_r && has_nr) return syntax();
  if (!has_r && !has_nr) {
    if (kind == Policy::Kind::kIdentity) return invalidArgument("Policy statement must contain resources.");
  } else {
    st->has_resource = true;
    st->not_resource = has_nr;
    std::vector<std::string> resources;
    ZK_RETURN_IF_ERROR(stringList(s[has_r ? "Resource" : "NotResource"], &resources));
    for (const std::string& r : resources) {
      ArnPattern p;
      ZK_RETURN_IF_ERROR(compileResource(r, variables, &p));
      st->resources.push_back(std::move(p));
    }
  }

  if (s.contains("Condition"))
    ZK_RETURN_IF_ERROR(compileConditions(s["Condition"], variables, &st->conditions));
  return Status::ok();
}

Result<std::shared_ptr<PolicyData>> compile(const Json& doc, Policy::Kind kind) {
  if (!doc.is_object()) return syntax();
  auto data = std::make_shared<PolicyData>();
  data->kind = kind;
  for (auto it = doc.begin(); it != doc.end(); ++it)
    if (it.key() != "Version" && it.key() != "Id" && it.key() != "Statement") return syntax();
  if (doc.contains("Version")) {
    const Json& v = doc["Version"];
    if (!v.is_string()) return invalidArgument("The policy failed legacy parsing");
    const std::string s = v.get<std::string>();
    if (s == "2012-10-17") {
      data->version = Policy::Version::k2012;
    } else if (s == "2008-10-17") {
      data->version = Policy::Version::k2008;
    } else {
      return invalidArgument("The policy failed legacy parsing");
    }
  }
  if (doc.contains("Id")) {
    if (!doc["Id"].is_string()) return syntax();
    data->id = doc["Id"].get<std::string>();
  }
  if (!doc.contains("Statement")) return syntax();
  const Json& stmts = doc["Statement"];
  std::vector<const Json*> list;
  if (stmts.is_object()) {
    list.push_back(&stmts);
  } else if (stmts.is_array() && !stmts.empty()) {
    for (const Json& s : stmts) list.push_back(&s);
  } else {
    return syntax();
  }
  const bool variables = data->version == Policy::Version::k2012;
  std::set<std::string> sids;
  for (const Json* s : list) {
    Statement st;
    ZK_RETURN_IF_ERROR(compileStatement(*s, kind, variables, &st));
    if (!st.sid.empty() && !sids.insert(st.sid).second)
      return invalidArgument("Statement IDs (SID) in a single policy must be unique.");
    data->statements.push_back(std::move(st));
  }
  return data;
}

}  // namespace

Result<Policy> Policy::parse(std::string_view json, Kind kind) {
  try {
    const Json doc = Json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) return syntax();
    auto data = compile(doc, kind);
    if (!data.ok()) return std::move(data).status();
    return Policy(std::move(*data));
  } catch (const std::exception&) {
    return syntax();
  }
}

Policy::Kind Policy::kind() const { return data_->kind; }
Policy::Version Policy::version() const { return data_->version; }
const std::string& Policy::id() const { return data_->id; }
size_t Policy::statementCount() const { return data_->statements.size(); }
const std::string& Policy::statementSid(size_t i) const { return data_->statements.at(i).sid; }
bool Policy::statementAllows(size_t i) const { return data_->statements.at(i).allow; }

}  // namespace zk::authz
