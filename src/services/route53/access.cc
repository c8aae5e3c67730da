// Route 53 operation -> IAM action, resource ARN and condition keys.
#include "services/route53/access.h"

#include <algorithm>
#include <cstdio>

#include "services/route53/service.h"

namespace zk::route53 {
namespace {

std::string zoneArn(const nlohmann::json& in, const char* member) {
  return "arn:aws:route53:::hostedzone/" + stripResourcePrefix(in.value(member, ""), "hostedzone");
}

api::AccessRequest on(std::string action, std::string resource) {
  api::AccessRequest r;
  r.action = "route53:" + std::move(action);
  r.resource = std::move(resource);
  return r;
}

void addUnique(std::vector<std::string>& v, std::string s) {
  if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(std::move(s));
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::string normalizedRecordName(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  std::string out;
  for (size_t i = 0; i < name.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    if (c == '\\' && i + 3 < name.size() + 0 && std::isdigit(static_cast<unsigned char>(name[i + 1])) &&
        std::isdigit(static_cast<unsigned char>(name[i + 2])) &&
        std::isdigit(static_cast<unsigned char>(name[i + 3]))) {
      out.append(name.substr(i, 4));  // already an octal escape
      i += 3;
      continue;
    }
    c = static_cast<unsigned char>(std::tolower(c));
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[5];
      std::snprintf(buf, sizeof(buf), "\\%03o", c);
      out += buf;
    }
  }
  return out;
}

std::vector<api::AccessRequest> accessFor(const std::string& op, const nlohmann::json& in,
                                          const api::CallContext& ctx) {
  (void)ctx;
  if (op == "CreateHostedZone" || op == "ListHostedZones" || op == "ListHostedZonesByName" ||
      op == "GetHostedZoneCount" || op == "GetAccountLimit")
    return {on(op, "*")};
  if (op == "GetHostedZone" || op == "DeleteHostedZone" || op == "UpdateHostedZoneComment")
    return {on(op, zoneArn(in, "Id"))};
  if (op == "ListResourceRecordSets" || op == "GetHostedZoneLimit")
    return {on(op, zoneArn(in, "HostedZoneId"))};
  if (op == "GetChange")
    return {on(op, "arn:aws:route53:::change/" + stripResourcePrefix(in.value("Id", ""), "change"))};
  if (op == "ChangeTagsForResource" || op == "ListTagsForResource") {
    const std::string type = in.value("ResourceType", "hostedzone");
    return {on(op, "arn:aws:route53:::" + type + "/" + in.value("ResourceId", ""))};
  }
  if (op == "ListTagsForResources") {
    std::vector<api::AccessRequest> out;
    const std::string type = in.value("ResourceType", "hostedzone");
    if (auto ids = in.find("ResourceIds"); ids != in.end() && ids->is_array())
      for (const auto& id : *ids)
        if (id.is_string()) out.push_back(on(op, "arn:aws:route53:::" + type + "/" + id.get<std::string>()));
    if (out.empty()) out.push_back(on(op, "arn:aws:route53:::" + type + "/*"));
    return out;
  }
  if (op == "ChangeResourceRecordSets") {
    api::AccessRequest r = on(op, zoneArn(in, "HostedZoneId"));
    std::vector<std::string> names, types, actions;
    const nlohmann::json* changes = nullptr;
    if (auto b = in.find("ChangeBatch"); b != in.end() && b->is_object())
      if (auto c = b->find("Changes"); c != b->end() && c->is_array()) changes = &*c;
    if (changes != nullptr) {
      for (const auto& change : *changes) {
        if (!change.is_object()) continue;
        addUnique(actions, upper(change.value("Action", "")));
        if (auto rrs = change.find("ResourceRecordSet"); rrs != change.end() && rrs->is_object()) {
          addUnique(names, normalizedRecordName(rrs->value("Name", "")));
          addUnique(types, upper(rrs->value("Type", "")));
        }
      }
    }
    r.context.push_back({"route53:ChangeResourceRecordSetsNormalizedRecordNames", names});
    r.context.push_back({"route53:ChangeResourceRecordSetsRecordTypes", types});
    r.context.push_back({"route53:ChangeResourceRecordSetsActions", actions});
    return {r};
  }
  // Anything else: its own action on "*" (an operation we do not serve answers UnknownOperation later).
  return {on(op, "*")};
}

}  // namespace zk::route53
