// IamService: operation handlers (IAM API reference 2010-05-08): validation -> store -> output tree.
#include "services/iam/service.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <functional>
#include <map>
#include <set>
#include <unordered_map>

#include "aws/sigv4.h"
#include "aws/timestamp.h"
#include "services/iam/directory.h"
#include "services/iam/ids.h"
#include "services/iam/key_resolver.h"
#include "services/iam/policy_check.h"
#include "services/iam/simulate.h"

namespace zk::iam {

using nlohmann::json;

// Inside this file a handler gives up by throwing the AWS error it answers with; invoke() catches it.
// Nothing is thrown across the module's interface.
struct Fail {
  aws::AwsError error;
};

struct IamService::Handlers {
  IamService& s;
  const json& in;
  const CallContext& ctx;

  // ---- errors

  [[noreturn]] void fail(std::string_view shape, std::string message) const {
    throw Fail{s.error(shape, std::move(message))};
  }
  [[noreturn]] void noSuchEntity(std::string message) const {
    fail("NoSuchEntityException", std::move(message));
  }
  [[noreturn]] void invalidInput(std::string message) const {
    fail("InvalidInputException", std::move(message));
  }
  [[noreturn]] void limitExceeded(std::string message) const {
    fail("LimitExceededException", std::move(message));
  }
  [[noreturn]] void validation(std::string message) const {
    throw Fail{aws::makeAwsError(400, "ValidationError", std::move(message))};
  }
  [[noreturn]] void storeFailed(const Status& st) const { throw Fail{s.fromStore(st, ctx)}; }
  void check(const Status& st) const {
    if (!st.isOk()) storeFailed(st);
  }
  template <typename T>
  T take(Result<T> r) const {
    if (!r.ok()) storeFailed(r.status());
    return std::move(r).value();
  }

  // ---- input

  bool has(const char* k) const { return in.contains(k) && !in.at(k).is_null(); }
  std::string str(const char* k) const {
    auto it = in.find(k);
    return it != in.end() && it->is_string() ? it->get<std::string>() : std::string();
  }
  std::string required(const char* k) const {
    if (!has(k))
      validation("1 validation error detected: Value null at '" + aws::validationName(k) +
                 "' failed to satisfy constraint: Member must not be null");
    return str(k);
  }
  // [\w+=,.@-]+ (userNameType, roleNameType, groupNameType, policyNameType, instanceProfileNameType).
  std::string name(const char* k) const {
    std::string v = required(k);
    checkName(k, v);
    return v;
  }
  void checkName(const char* k, const std::string& v) const {
    bool ok = !v.empty();
    for (char c : v) {
      const bool word =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
      if (!word && std::string_view("+=,.@-").find(c) == std::string_view::npos) ok = false;
    }
    if (!ok)
      validation(
          "1 validation error detected: Value '" + v + "' at '" + aws::validationName(k) +
          "' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+");
  }
  // pathType: "/" or "/x/.../" of printable ASCII.
  std::string path(const char* k) const {
    if (!has(k)) return "/";
    std::string v = str(k);
    bool ok = !v.empty() && v.front() == '/' && v.back() == '/' && v.size() <= 512;
    for (char c : v)
      if (c < 0x21 || c > 0x7e) ok = false;
    if (!ok)
      validation("1 validation error detected: Value '" + v + "' at '" + aws::validationName(k) +
                 "' failed to satisfy constraint: Member must satisfy regular expression pattern: "
                 "(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)");
    return v;
  }
  std::string document(const char* k, bool resource_policy) const {
    std::string doc = required(k);
    Status st = validatePolicyDocument(doc, resource_policy);
    if (!st.isOk()) fail("MalformedPolicyDocumentException", st.message());
    return doc;
  }
  Tags tagsIn(const char* k = "Tags") const {
    Tags out;
    if (!has(k)) return out;
    for (const json& t : in.at(k)) out.emplace_back(t.value("Key", ""), t.value("Value", ""));
    if (out.size() > s.config_.max_tags)
      limitExceeded("The number of tags has reached the maximum limit of " +
                    std::to_string(s.config_.max_tags) + ".");
    return out;
  }

  // ---- output

  static json ts(Time t) {
    return aws::timestampToJson(
        std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count());
  }
  static json tagsJson(const Tags& tags) {
    json out = json::array();
    for (const auto& [k, v] : tags) out.push_back({{"Key", k}, {"Value", v}});
    return out;
  }
  static std::string encoded(std::string_view doc) { return aws::uriEncode(doc); }
  static json boundaryJson(const std::string& arn) {
    return {{"PermissionsBoundaryType", "Policy"}, {"PermissionsBoundaryArn", arn}};
  }
  static json userJson(const User& u) {
    json j = {{"Path", u.path},
              {"UserName", u.name},
              {"UserId", u.id},
              {"Arn", u.arn},
              {"CreateDate", ts(u.created_at)}};
    if (!u.permissions_boundary.empty()) j["PermissionsBoundary"] = boundaryJson(u.permissions_boundary);
    if (!u.tags.empty()) j["Tags"] = tagsJson(u.tags);
    return j;
  }
  static json groupJson(const Group& g) {
    return {{"Path", g.path},
            {"GroupName", g.name},
            {"GroupId", g.id},
            {"Arn", g.arn},
            {"CreateDate", ts(g.created_at)}};
  }
  static json roleJson(const Role& r) {
    json j = {{"Path", r.path},
              {"RoleName", r.name},
              {"RoleId", r.id},
              {"Arn", r.arn},
              {"CreateDate", ts(r.created_at)},
              {"AssumeRolePolicyDocument", encoded(r.trust_policy)},
              {"MaxSessionDuration", r.max_session_duration},
              {"RoleLastUsed", json::object()}};
    if (!r.description.empty()) j["Description"] = r.description;
    if (!r.permissions_boundary.empty()) j["PermissionsBoundary"] = boundaryJson(r.permissions_boundary);
    if (!r.tags.empty()) j["Tags"] = tagsJson(r.tags);
    return j;
  }
  static json keyMetadataJson(const AccessKey& k) {
    return {{"UserName", k.user_name},
            {"AccessKeyId", k.access_key_id},
            {"Status", k.status == KeyStatus::kActive ? "Active" : "Inactive"},
            {"CreateDate", ts(k.created_at)}};
  }
  static json versionJson(const PolicyVersion& v, bool with_document) {
    json j = {
        {"VersionId", v.version_id}, {"IsDefaultVersion", v.is_default}, {"CreateDate", ts(v.created_at)}};
    if (with_document) j["Document"] = encoded(v.document);
    return j;
  }

  // Marker/MaxItems over an already ordered list; the marker is the offset of the next item.
  json page(json items, const char* list_member) const {
    size_t max = 100;
    if (has("MaxItems")) {
      int64_t m = in.at("MaxItems").is_number_integer() ? in.at("MaxItems").get<int64_t>() : 0;
      if (m < 1 || m > 1000)
        validation("1 validation error detected: Value '" + in.at("MaxItems").dump() +
                   "' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000");
      max = size_t(m);
    }
    size_t start = 0;
    if (has("Marker")) {
      const std::string m = str("Marker");
      auto [p, ec] = std::from_chars(m.data(), m.data() + m.size(), start);
      if (ec != std::errc() || p != m.data() + m.size() || start > items.size())
        invalidInput("Invalid Marker.");
    }
    json out = json::array();
    for (size_t i = start; i < items.size() && i < start + max; ++i) out.push_back(std::move(items[i]));
    const bool truncated = start + max < items.size();
    json j = {{list_member, std::move(out)}, {"IsTruncated", truncated}};
    if (truncated) j["Marker"] = std::to_string(start + max);
    return j;
  }
  static bool underPath(const std::string& p, const std::string& prefix) {
    return prefix.empty() || p.compare(0, prefix.size(), prefix) == 0;
  }

  // ---- lookups (NoSuchEntity in AWS words)

  User user(const std::string& n) const {
    auto u = s.store_.getUser(ctx.account_id, n);
    if (!u.ok() && u.status().code() == Code::kNotFound)
      noSuchEntity("The user with name " + n + " cannot be found.");
    return take(std::move(u));
  }
  Group group(const std::string& n) const {
    auto g = s.store_.getGroup(ctx.account_id, n);
    if (!g.ok() && g.status().code() == Code::kNotFound)
      noSuchEntity("The group with name " + n + " cannot be found.");
    return take(std::move(g));
  }
  Role role(const std::string& n) const {
    auto r = s.store_.getRole(ctx.account_id, n);
    if (!r.ok() && r.status().code() == Code::kNotFound)
      noSuchEntity("The role with name " + n + " cannot be found.");
    return take(std::move(r));
  }
  // The caller's user name (GetUser / CreateAccessKey / ListAccessKeys without UserName); "" for the root.
  std::string callerUserName() const {
    const std::string& arn = ctx.principal_arn;
    if (arn.empty() || arn == rootArn(ctx.account_id)) return "";
    const std::string prefix = "arn:aws:iam::" + ctx.account_id + ":user/";
    if (arn.compare(0, prefix.size(), prefix) != 0)
      validation("Must specify userName when calling with non-User credentials");
    return arn.substr(arn.rfind('/') + 1);
  }
  std::string userOrCaller() const { return has("UserName") ? name("UserName") : callerUserName(); }

  // A managed policy by ARN: AWS managed (built in) or this account's.
  ManagedPolicy policy(const std::string& arn) const {
    for (const ManagedPolicy& p : awsManagedPolicies())
      if (p.arn == arn) return p;
    if (arn.compare(0, 4, "arn:") != 0) invalidInput("ARN " + arn + " is not valid.");
    const std::string mine = "arn:aws:iam::" + ctx.account_id + ":policy/";
    const std::string missing = "Policy " + arn + " does not exist or is not attachable.";
    if (arn.compare(0, mine.size(), mine) != 0) noSuchEntity(missing);
    auto p = s.store_.getPolicy(arn);
    if (!p.ok() && p.status().code() == Code::kNotFound) noSuchEntity(missing);
    return take(std::move(p));
  }
  static bool isAwsManaged(const std::string& arn) {
    return arn.compare(0, kAwsPolicyArnPrefix.size(), kAwsPolicyArnPrefix) == 0;
  }
  std::string boundaryArn(const char* k) const {
    std::string arn = required(k);
    (void)policy(arn);  // must exist
    return arn;
  }

  json policyJson(const ManagedPolicy& p) const {
    auto entities = take(s.store_.listEntitiesForPolicy(ctx.account_id, p.arn));
    int64_t boundary_uses = 0;
    for (const User& u : take(s.store_.listUsers(ctx.account_id)))
      if (u.permissions_boundary == p.arn) ++boundary_uses;
    for (const Role& r : take(s.store_.listRoles(ctx.account_id)))
      if (r.permissions_boundary == p.arn) ++boundary_uses;
    json j = {{"PolicyName", p.name},
              {"PolicyId", p.id},
              {"Arn", p.arn},
              {"Path", p.path},
              {"DefaultVersionId", p.default_version_id},
              {"AttachmentCount", int64_t(entities.size())},
              {"PermissionsBoundaryUsageCount", boundary_uses},
              {"IsAttachable", true},
              {"CreateDate", ts(p.created_at)},
              {"UpdateDate", ts(p.updated_at)}};
    if (!p.description.empty()) j["Description"] = p.description;
    if (!p.tags.empty()) j["Tags"] = tagsJson(p.tags);
    return j;
  }

  static Tags mergeTags(Tags current, const Tags& add) {
    for (const auto& tag : add) {
      auto it =
          std::find_if(current.begin(), current.end(), [&](const auto& t) { return t.first == tag.first; });
      if (it != current.end()) {
        it->second = tag.second;
      } else {
        current.push_back(tag);
      }
    }
    return current;
  }
  Tags untag(Tags current) const {
    std::set<std::string> remove;
    for (const json& k : in.value("TagKeys", json::array())) remove.insert(k.get<std::string>());
    current.erase(std::remove_if(current.begin(), current.end(),
                                 [&](const auto& t) { return remove.count(t.first) > 0; }),
                  current.end());
    return current;
  }
  Tags tagged(Tags current) const {
    Tags merged = mergeTags(std::move(current), tagsIn());
    if (merged.size() > s.config_.max_tags)
      limitExceeded("The number of tags has reached the maximum limit of " +
                    std::to_string(s.config_.max_tags) + ".");
    return merged;
  }

  // ================= users

  json createUser() const {
    const std::string n = name("UserName");
    User u;
    u.account_id = ctx.account_id;
    u.name = n;
    u.path = path("Path");
    u.id = take(newUniqueId(s.random_, "AIDA"));
    u.arn = iamArn(ctx.account_id, "user", u.path, n);
    if (has("PermissionsBoundary")) u.permissions_boundary = boundaryArn("PermissionsBoundary");
    u.tags = tagsIn();
    u.created_at = s.clock_.now();
    check(s.store_.createUser(u));
    return {{"User", userJson(u)}};
  }
  json getUser() const {
    const std::string n = userOrCaller();
    if (n.empty()) {  // the account's root user
      auto a = take(s.store_.getAccount(ctx.account_id));
      return {
          {"User",
           {{"UserId", ctx.account_id}, {"Arn", rootArn(ctx.account_id)}, {"CreateDate", ts(a.created_at)}}}};
    }
    return {{"User", userJson(user(n))}};
  }
  json listUsers() const {
    const std::string prefix = str("PathPrefix");
    json items = json::array();
    for (const User& u : take(s.store_.listUsers(ctx.account_id)))
      if (underPath(u.path, prefix)) items.push_back(userJson(u));
    return page(std::move(items), "Users");
  }
  json updateUser() const {
    User u = user(name("UserName"));
    if (has("NewPath")) u.path = path("NewPath");
    if (has("NewUserName")) u.name = name("NewUserName");
    u.arn = iamArn(ctx.account_id, "user", u.path, u.name);
    check(s.store_.updateUser(u));
    return json::object();
  }
  json deleteUser() const {
    const std::string n = name("UserName");
    (void)user(n);
    check(s.store_.deleteUser(ctx.account_id, n));
    return json::object();
  }
  json tagUser() const {
    User u = user(name("UserName"));
    u.tags = tagged(u.tags);
    check(s.store_.updateUser(u));
    return json::object();
  }
  json untagUser() const {
    User u = user(name("UserName"));
    u.tags = untag(u.tags);
    check(s.store_.updateUser(u));
    return json::object();
  }
  json listUserTags() const { return page(tagsJson(user(name("UserName")).tags), "Tags"); }
  json putUserPermissionsBoundary() const {
    User u = user(name("UserName"));
    u.permissions_boundary = boundaryArn("PermissionsBoundary");
    check(s.store_.updateUser(u));
    return json::object();
  }
  json deleteUserPermissionsBoundary() const {
    User u = user(name("UserName"));
    u.permissions_boundary.clear();
    check(s.store_.updateUser(u));
    return json::object();
  }

  // ================= access keys

  AccessKey key(const std::string& id, const std::string& user_name) const {
    auto k = s.store_.getAccessKey(id);
    const std::string missing = "The Access Key with id " + id + " cannot be found.";
    if (!k.ok() && k.status().code() == Code::kNotFound) noSuchEntity(missing);
    AccessKey row = take(std::move(k));
    std::string a = row.user_name, b = user_name;
    std::transform(a.begin(), a.end(), a.begin(), ::tolower);
    std::transform(b.begin(), b.end(), b.begin(), ::tolower);
    if (row.account_id != ctx.account_id || a != b) noSuchEntity(missing);
    return row;
  }
  json createAccessKey() const {
    const std::string n = userOrCaller();
    std::string arn = rootArn(ctx.account_id), user_name;
    if (!n.empty()) {
      User u = user(n);
      arn = u.arn;
      user_name = u.name;
    }
    auto created = iam::createAccessKey(s.store_, s.box_, s.random_, ctx.account_id, user_name, arn,
                                        s.clock_.now(), s.config_.max_access_keys_per_user);
    if (!created.ok() && created.status().code() == Code::kResourceExhausted)
      limitExceeded("Cannot exceed quota for AccessKeysPerUser: " +
                    std::to_string(s.config_.max_access_keys_per_user));
    NewAccessKey k = take(std::move(created));
    return {{"AccessKey",
             {{"UserName", k.user_name},
              {"AccessKeyId", k.access_key_id},
              {"Status", "Active"},
              {"SecretAccessKey", k.secret_access_key},
              {"CreateDate", ts(k.created_at)}}}};
  }
  json listAccessKeys() const {
    const std::string n = userOrCaller();
    std::string user_name;
    if (!n.empty()) user_name = user(n).name;
    json items = json::array();
    for (const AccessKey& k : take(s.store_.listAccessKeys(ctx.account_id, user_name)))
      items.push_back(keyMetadataJson(k));
    return page(std::move(items), "AccessKeyMetadata");
  }
  json updateAccessKey() const {
    const std::string n = userOrCaller();
    std::string user_name;
    if (!n.empty()) user_name = user(n).name;
    const std::string id = required("AccessKeyId");
    (void)key(id, user_name);
    const std::string status = required("Status");
    if (status != "Active" && status != "Inactive") invalidInput("Status must be Active or Inactive.");
    check(s.store_.setAccessKeyStatus(id, status == "Active" ? KeyStatus::kActive : KeyStatus::kInactive));
    return json::object();
  }
  json deleteAccessKey() const {
    const std::string n = userOrCaller();
    std::string user_name;
    if (!n.empty()) user_name = user(n).name;
    const std::string id = required("AccessKeyId");
    (void)key(id, user_name);
    check(s.store_.deleteAccessKey(id));
    return json::object();
  }
  json getAccessKeyLastUsed() const {
    const std::string id = required("AccessKeyId");
    auto k = s.store_.getAccessKey(id);
    if ((!k.ok() && k.status().code() == Code::kNotFound) || (k.ok() && k->account_id != ctx.account_id))
      noSuchEntity("The Access Key with id " + id + " cannot be found.");
    AccessKey row = take(std::move(k));
    // API_AccessKeyLastUsed.html: ServiceName and Region are "N/A" until the key was used.
    json last = {{"ServiceName", row.last_used_service.empty() ? "N/A" : row.last_used_service},
                 {"Region", row.last_used_region.empty() ? "N/A" : row.last_used_region}};
    if (row.last_used) last["LastUsedDate"] = ts(*row.last_used);
    json out = {{"AccessKeyLastUsed", std::move(last)}};
    if (!row.user_name.empty()) out["UserName"] = row.user_name;
    return out;
  }

  // ================= groups

  json createGroup() const {
    Group g;
    g.account_id = ctx.account_id;
    g.name = name("GroupName");
    g.path = path("Path");
    g.id = take(newUniqueId(s.random_, "AGPA"));
    g.arn = iamArn(ctx.account_id, "group", g.path, g.name);
    g.created_at = s.clock_.now();
    check(s.store_.createGroup(g));
    return {{"Group", groupJson(g)}};
  }
  json getGroup() const {
    Group g = group(name("GroupName"));
    json users = json::array();
    for (const User& u : take(s.store_.listUsersInGroup(ctx.account_id, g.name)))
      users.push_back(userJson(u));
    json out = page(std::move(users), "Users");
    out["Group"] = groupJson(g);
    return out;
  }
  json listGroups() const {
    const std::string prefix = str("PathPrefix");
    json items = json::array();
    for (const Group& g : take(s.store_.listGroups(ctx.account_id)))
      if (underPath(g.path, prefix)) items.push_back(groupJson(g));
    return page(std::move(items), "Groups");
  }
  json deleteGroup() const {
    Group g = group(name("GroupName"));
    check(s.store_.deleteGroup(ctx.account_id, g.name));
    return json::object();
  }
  json addUserToGroup() const {
    Group g = group(name("GroupName"));
    User u = user(name("UserName"));
    auto groups = take(s.store_.listGroupsForUser(ctx.account_id, u.name));
    const bool member =
        std::any_of(groups.begin(), groups.end(), [&](const Group& x) { return x.id == g.id; });
    if (!member && int(groups.size()) >= s.config_.max_groups_per_user)
      limitExceeded("Cannot exceed quota for GroupsPerUser: " +
                    std::to_string(s.config_.max_groups_per_user));
    check(s.store_.addUserToGroup(ctx.account_id, g.name, u.name));
    return json::object();
  }
  json removeUserFromGroup() const {
    Group g = group(name("GroupName"));
    User u = user(name("UserName"));
    check(s.store_.removeUserFromGroup(ctx.account_id, g.name, u.name));
    return json::object();
  }
  json listGroupsForUser() const {
    User u = user(name("UserName"));
    json items = json::array();
    for (const Group& g : take(s.store_.listGroupsForUser(ctx.account_id, u.name)))
      items.push_back(groupJson(g));
    return page(std::move(items), "Groups");
  }

  // ================= roles

  int64_t sessionDuration(int64_t fallback) const {
    if (!has("MaxSessionDuration")) return fallback;
    const json& v = in.at("MaxSessionDuration");
    int64_t d = v.is_number_integer() ? v.get<int64_t>() : 0;
    // roleMaxSessionDurationType: 3600..43200 seconds.
    if (d < 3600 || d > 43200)
      validation(
          "1 validation error detected: Value '" + v.dump() +
          "' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or "
          "equal to 3600 and less than or equal to 43200");
    return d;
  }
  json createRole() const {
    Role r;
    r.account_id = ctx.account_id;
    r.name = name("RoleName");
    r.path = path("Path");
    r.trust_policy = document("AssumeRolePolicyDocument", true);
    r.description = str("Description");
    r.max_session_duration = sessionDuration(3600);
    if (has("PermissionsBoundary")) r.permissions_boundary = boundaryArn("PermissionsBoundary");
    r.tags = tagsIn();
    r.id = take(newUniqueId(s.random_, "AROA"));
    r.arn = iamArn(ctx.account_id, "role", r.path, r.name);
    r.created_at = s.clock_.now();
    check(s.store_.createRole(r));
    return {{"Role", roleJson(r)}};
  }
  json getRole() const { return {{"Role", roleJson(role(name("RoleName")))}}; }
  json listRoles() const {
    const std::string prefix = str("PathPrefix");
    json items = json::array();
    for (const Role& r : take(s.store_.listRoles(ctx.account_id)))
      if (underPath(r.path, prefix)) items.push_back(roleJson(r));
    return page(std::move(items), "Roles");
  }
  json updateRole() const {
    Role r = role(name("RoleName"));
    if (has("Description")) r.description = str("Description");
    r.max_session_duration = sessionDuration(r.max_session_duration);
    check(s.store_.updateRole(r));
    return json::object();
  }
  json updateAssumeRolePolicy() const {
    Role r = role(name("RoleName"));
    r.trust_policy = document("PolicyDocument", true);
    check(s.store_.updateRole(r));
    return json::object();
  }
  json deleteRole() const {
    Role r = role(name("RoleName"));
    check(s.store_.deleteRole(ctx.account_id, r.name));
    return json::object();
  }
  json tagRole() const {
    Role r = role(name("RoleName"));
    r.tags = tagged(r.tags);
    check(s.store_.updateRole(r));
    return json::object();
  }
  json untagRole() const {
    Role r = role(name("RoleName"));
    r.tags = untag(r.tags);
    check(s.store_.updateRole(r));
    return json::object();
  }
  json listRoleTags() const { return page(tagsJson(role(name("RoleName")).tags), "Tags"); }
  json putRolePermissionsBoundary() const {
    Role r = role(name("RoleName"));
    r.permissions_boundary = boundaryArn("PermissionsBoundary");
    check(s.store_.updateRole(r));
    return json::object();
  }
  json deleteRolePermissionsBoundary() const {
    Role r = role(name("RoleName"));
    r.permissions_boundary.clear();
    check(s.store_.updateRole(r));
    return json::object();
  }

  // ================= inline policies

  // The principal's stored name (NoSuchEntity when it does not exist).
  std::string principal(PrincipalKind kind) const {
    switch (kind) {
      case PrincipalKind::kUser:
        return user(name("UserName")).name;
      case PrincipalKind::kGroup:
        return group(name("GroupName")).name;
      case PrincipalKind::kRole:
        return role(name("RoleName")).name;
    }
    return {};
  }
  static const char* nameMember(PrincipalKind kind) {
    return kind == PrincipalKind::kUser    ? "UserName"
           : kind == PrincipalKind::kGroup ? "GroupName"
                                           : "RoleName";
  }
  json putPolicy(PrincipalKind kind) const {
    const std::string p = principal(kind);
    InlinePolicy ip{ctx.account_id, kind, p, name("PolicyName"), document("PolicyDocument", false)};
    check(s.store_.putInlinePolicy(ip));
    return json::object();
  }
  json getPolicyInline(PrincipalKind kind) const {
    const std::string p = principal(kind);
    const std::string pn = name("PolicyName");
    auto ip = s.store_.getInlinePolicy(ctx.account_id, kind, p, pn);
    if (!ip.ok() && ip.status().code() == Code::kNotFound)
      noSuchEntity("The " +
                   std::string(kind == PrincipalKind::kUser    ? "user"
                               : kind == PrincipalKind::kGroup ? "group"
                                                               : "role") +
                   " policy with name " + pn + " cannot be found.");
    InlinePolicy got = take(std::move(ip));
    return {
        {nameMember(kind), p}, {"PolicyName", got.policy_name}, {"PolicyDocument", encoded(got.document)}};
  }
  json listPoliciesInline(PrincipalKind kind) const {
    const std::string p = principal(kind);
    json names = json::array();
    for (const InlinePolicy& ip : take(s.store_.listInlinePolicies(ctx.account_id, kind, p)))
      names.push_back(ip.policy_name);
    return page(std::move(names), "PolicyNames");
  }
  json deletePolicyInline(PrincipalKind kind) const {
    const std::string p = principal(kind);
    const std::string pn = name("PolicyName");
    Status st = s.store_.deleteInlinePolicy(ctx.account_id, kind, p, pn);
    if (st.code() == Code::kNotFound) noSuchEntity("The policy with name " + pn + " cannot be found.");
    check(st);
    return json::object();
  }

  // ================= managed policies

  json createPolicy() const {
    ManagedPolicy p;
    p.account_id = ctx.account_id;
    p.name = name("PolicyName");
    p.path = path("Path");
    p.id = take(newUniqueId(s.random_, "ANPA"));
    p.arn = iamArn(ctx.account_id, "policy", p.path, p.name);
    p.description = str("Description");
    p.tags = tagsIn();
    p.created_at = p.updated_at = s.clock_.now();
    PolicyVersion v1{"v1", document("PolicyDocument", false), true, p.created_at};
    check(s.store_.createPolicy(p, v1));
    json j = policyJson(p);
    return {{"Policy", std::move(j)}};
  }
  json getPolicy() const { return {{"Policy", policyJson(policy(required("PolicyArn")))}}; }
  json listPolicies() const {
    const std::string scope = has("Scope") ? str("Scope") : "All";
    const bool only_attached = in.value("OnlyAttached", false);
    const std::string prefix = str("PathPrefix");
    json items = json::array();
    std::vector<ManagedPolicy> all;
    if (scope == "All" || scope == "AWS") all = awsManagedPolicies();
    if (scope == "All" || scope == "Local")
      for (ManagedPolicy& p : take(s.store_.listPolicies(ctx.account_id))) all.push_back(std::move(p));
    for (const ManagedPolicy& p : all) {
      if (!underPath(p.path, prefix)) continue;
      json j = policyJson(p);
      if (only_attached && j["AttachmentCount"].get<int64_t>() == 0) continue;
      items.push_back(std::move(j));
    }
    return page(std::move(items), "Policies");
  }
  json deletePolicy() const {
    const std::string arn = required("PolicyArn");
    ManagedPolicy p = policy(arn);
    if (isAwsManaged(arn)) invalidInput("Cannot delete an AWS managed policy.");
    check(s.store_.deletePolicy(p.arn));
    return json::object();
  }
  json createPolicyVersion() const {
    const std::string arn = required("PolicyArn");
    if (isAwsManaged(arn)) invalidInput("Cannot modify an AWS managed policy.");
    const std::string doc = document("PolicyDocument", false);
    std::lock_guard lock(s.policy_mu_);
    ManagedPolicy p = policy(arn);
    PolicyVersion v{"v" + std::to_string(p.next_version), doc, in.value("SetAsDefault", false),
                    s.clock_.now()};
    Status st = s.store_.createPolicyVersion(arn, v, s.config_.max_policy_versions);
    if (st.code() == Code::kResourceExhausted)
      limitExceeded("A managed policy can have up to " + std::to_string(s.config_.max_policy_versions) +
                    " versions. Before you create a new version, you must delete an existing version.");
    check(st);
    return {{"PolicyVersion", versionJson(v, false)}};
  }
  json getPolicyVersion() const {
    const std::string arn = required("PolicyArn");
    const std::string vid = required("VersionId");
    ManagedPolicy p = policy(arn);
    const std::string missing = "Policy " + arn + " version " + vid + " does not exist or is not attachable.";
    if (isAwsManaged(arn)) {
      if (vid != p.default_version_id) noSuchEntity(missing);
      return {{"PolicyVersion",
               versionJson(PolicyVersion{vid, *awsManagedPolicyDocument(arn), true, p.created_at}, true)}};
    }
    auto v = s.store_.getPolicyVersion(arn, vid);
    if (!v.ok() && v.status().code() == Code::kNotFound) noSuchEntity(missing);
    return {{"PolicyVersion", versionJson(take(std::move(v)), true)}};
  }
  json listPolicyVersions() const {
    const std::string arn = required("PolicyArn");
    ManagedPolicy p = policy(arn);
    json items = json::array();
    if (isAwsManaged(arn)) {
      items.push_back(versionJson(PolicyVersion{p.default_version_id, "", true, p.created_at}, false));
    } else {
      for (const PolicyVersion& v : take(s.store_.listPolicyVersions(arn)))
        items.push_back(versionJson(v, false));
    }
    return page(std::move(items), "Versions");
  }
  json setDefaultPolicyVersion() const {
    const std::string arn = required("PolicyArn");
    const std::string vid = required("VersionId");
    (void)policy(arn);
    if (isAwsManaged(arn)) invalidInput("Cannot modify an AWS managed policy.");
    Status st = s.store_.setDefaultPolicyVersion(arn, vid);
    if (st.code() == Code::kNotFound)
      noSuchEntity("Policy " + arn + " version " + vid + " does not exist or is not attachable.");
    check(st);
    return json::object();
  }
  json deletePolicyVersion() const {
    const std::string arn = required("PolicyArn");
    const std::string vid = required("VersionId");
    (void)policy(arn);
    if (isAwsManaged(arn)) invalidInput("Cannot modify an AWS managed policy.");
    Status st = s.store_.deletePolicyVersion(arn, vid);
    if (st.code() == Code::kNotFound)
      noSuchEntity("Policy " + arn + " version " + vid + " does not exist or is not attachable.");
    if (st.code() == Code::kFailedPrecondition)
      fail("DeleteConflictException", "Cannot delete the default version of a policy.");
    check(st);
    return json::object();
  }
  json attach(PrincipalKind kind) const {
    const std::string p = principal(kind);
    const std::string arn = required("PolicyArn");
    (void)policy(arn);
    auto attached = take(s.store_.listAttachedPolicies(ctx.account_id, kind, p));
    const bool already = std::any_of(attached.begin(), attached.end(),
                                     [&](const Attachment& a) { return a.policy_arn == arn; });
    if (!already && int(attached.size()) >= s.config_.max_managed_policies_per_entity)
      limitExceeded("Cannot exceed quota for PoliciesPer" +
                    std::string(kind == PrincipalKind::kUser    ? "User"
                                : kind == PrincipalKind::kGroup ? "Group"
                                                                : "Role") +
                    ": " + std::to_string(s.config_.max_managed_policies_per_entity));
    check(s.store_.attachPolicy(Attachment{ctx.account_id, kind, p, arn}));
    return json::object();
  }
  json detach(PrincipalKind kind) const {
    const std::string p = principal(kind);
    const std::string arn = required("PolicyArn");
    Status st = s.store_.detachPolicy(Attachment{ctx.account_id, kind, p, arn});
    if (st.code() == Code::kNotFound) noSuchEntity("Policy " + arn + " was not found.");
    check(st);
    return json::object();
  }
  json listAttached(PrincipalKind kind) const {
    const std::string p = principal(kind);
    const std::string prefix = str("PathPrefix");
    json items = json::array();
    for (const Attachment& a : take(s.store_.listAttachedPolicies(ctx.account_id, kind, p))) {
      const std::string rest = a.policy_arn.substr(a.policy_arn.find(":policy") + 7);  // path + name
      if (!underPath(rest.substr(0, rest.rfind('/') + 1), prefix)) continue;
      items.push_back({{"PolicyName", rest.substr(rest.rfind('/') + 1)}, {"PolicyArn", a.policy_arn}});
    }
    return page(std::move(items), "AttachedPolicies");
  }
  json listEntitiesForPolicy() const {
    const std::string arn = required("PolicyArn");
    (void)policy(arn);
    const std::string filter = str("EntityFilter");
    json groups = json::array(), users = json::array(), roles = json::array();
    for (const Attachment& a : take(s.store_.listEntitiesForPolicy(ctx.account_id, arn))) {
      if (a.kind == PrincipalKind::kUser && (filter.empty() || filter == "User")) {
        auto u = s.store_.getUser(ctx.account_id, a.principal_name);
        if (u.ok()) users.push_back({{"UserName", u->name}, {"UserId", u->id}});
      } else if (a.kind == PrincipalKind::kGroup && (filter.empty() || filter == "Group")) {
        auto g = s.store_.getGroup(ctx.account_id, a.principal_name);
        if (g.ok()) groups.push_back({{"GroupName", g->name}, {"GroupId", g->id}});
      } else if (a.kind == PrincipalKind::kRole && (filter.empty() || filter == "Role")) {
        auto r = s.store_.getRole(ctx.account_id, a.principal_name);
        if (r.ok()) roles.push_back({{"RoleName", r->name}, {"RoleId", r->id}});
      }
    }
    return {{"PolicyGroups", groups}, {"PolicyUsers", users}, {"PolicyRoles", roles}, {"IsTruncated", false}};
  }

  // ================= instance profiles

  InstanceProfile profile(const std::string& n) const {
    auto p = s.store_.getInstanceProfile(ctx.account_id, n);
    if (!p.ok() && p.status().code() == Code::kNotFound)
      noSuchEntity("Instance Profile " + n + " cannot be found.");
    return take(std::move(p));
  }
  json profileJson(const InstanceProfile& p) const {
    json roles = json::array();
    for (const std::string& r : p.role_names) {
      auto role = s.store_.getRole(ctx.account_id, r);
      if (role.ok()) roles.push_back(roleJson(*role));
    }
    return {{"Path", p.path}, {"InstanceProfileName", p.name},  {"InstanceProfileId", p.id},
            {"Arn", p.arn},   {"CreateDate", ts(p.created_at)}, {"Roles", std::move(roles)}};
  }
  json createInstanceProfile() const {
    InstanceProfile p;
    p.account_id = ctx.account_id;
    p.name = name("InstanceProfileName");
    p.path = path("Path");
    p.id = take(newUniqueId(s.random_, "AIPA"));
    p.arn = iamArn(ctx.account_id, "instance-profile", p.path, p.name);
    p.created_at = s.clock_.now();
    check(s.store_.createInstanceProfile(p));
    return {{"InstanceProfile", profileJson(p)}};
  }
  json getInstanceProfile() const {
    return {{"InstanceProfile", profileJson(profile(name("InstanceProfileName")))}};
  }
  json listInstanceProfiles() const {
    const std::string prefix = str("PathPrefix");
    json items = json::array();
    for (const InstanceProfile& p : take(s.store_.listInstanceProfiles(ctx.account_id)))
      if (underPath(p.path, prefix)) items.push_back(profileJson(p));
    return page(std::move(items), "InstanceProfiles");
  }
  json deleteInstanceProfile() const {
    InstanceProfile p = profile(name("InstanceProfileName"));
    check(s.store_.deleteInstanceProfile(ctx.account_id, p.name));
    return json::object();
  }
  json addRoleToInstanceProfile() const {
    InstanceProfile p = profile(name("InstanceProfileName"));
    Role r = role(name("RoleName"));
    for (const std::string& n : p.role_names) {
      std::string a = n, b = r.name;
      std::transform(a.begin(), a.end(), a.begin(), ::tolower);
      std::transform(b.begin(), b.end(), b.begin(), ::tolower);
      if (a == b)
        fail("EntityAlreadyExistsException",
             "Role " + r.name + " is already in instance profile " + p.name + ".");
    }
    if (int(p.role_names.size()) >= s.config_.max_roles_per_instance_profile)
      limitExceeded("Cannot exceed quota for InstanceSessionsPerInstanceProfile: " +
                    std::to_string(s.config_.max_roles_per_instance_profile));
    p.role_names.push_back(r.name);
    check(s.store_.setInstanceProfileRoles(ctx.account_id, p.name, p.role_names));
    return json::object();
  }
  json removeRoleFromInstanceProfile() const {
    InstanceProfile p = profile(name("InstanceProfileName"));
    const std::string rn = name("RoleName");
    std::string b = rn;
    std::transform(b.begin(), b.end(), b.begin(), ::tolower);
    std::vector<std::string> kept;
    for (const std::string& n : p.role_names) {
      std::string a = n;
      std::transform(a.begin(), a.end(), a.begin(), ::tolower);
      if (a != b) kept.push_back(n);
    }
    if (kept.size() == p.role_names.size()) noSuchEntity("The role with name " + rn + " cannot be found.");
    check(s.store_.setInstanceProfileRoles(ctx.account_id, p.name, kept));
    return json::object();
  }

  // ================= OIDC providers

  OidcProvider provider(const std::string& arn) const {
    const std::string mine = "arn:aws:iam::" + ctx.account_id + ":oidc-provider/";
    const std::string missing = "OpenIDConnect Provider not found for arn " + arn;
    if (arn.compare(0, mine.size(), mine) != 0) noSuchEntity(missing);
    auto p = s.store_.getOidcProvider(arn);
    if (!p.ok() && p.status().code() == Code::kNotFound) noSuchEntity(missing);
    return take(std::move(p));
  }
  std::vector<std::string> strings(const char* k) const {
    std::vector<std::string> out;
    for (const json& v : in.value(k, json::array())) out.push_back(v.get<std::string>());
    return out;
  }
  json createOpenIDConnectProvider() const {
    const std::string url = required("Url");
    // API_CreateOpenIDConnectProvider.html: "The URL must begin with https://"; stored without it.
    if (url.compare(0, 8, "https://") != 0 || url.size() <= 8)
      invalidInput("Invalid Open ID Connect Provider URL");
    OidcProvider p;
    p.account_id = ctx.account_id;
    p.url = url.substr(8);
    p.arn = "arn:aws:iam::" + ctx.account_id + ":oidc-provider/" + p.url;
    p.client_ids = strings("ClientIDList");
    p.thumbprints = strings("ThumbprintList");
    if (p.thumbprints.size() > 5) limitExceeded("Thumbprint list must contain at most 5 entries.");
    p.tags = tagsIn();
    p.created_at = s.clock_.now();
    check(s.store_.createOidcProvider(p));
    json out = {{"OpenIDConnectProviderArn", p.arn}};
    if (!p.tags.empty()) out["Tags"] = tagsJson(p.tags);
    return out;
  }
  json getOpenIDConnectProvider() const {
    OidcProvider p = provider(required("OpenIDConnectProviderArn"));
    json out = {{"Url", p.url},
                {"ClientIDList", p.client_ids},
                {"ThumbprintList", p.thumbprints},
                {"CreateDate", ts(p.created_at)}};
    if (!p.tags.empty()) out["Tags"] = tagsJson(p.tags);
    return out;
  }
  json listOpenIDConnectProviders() const {
    json list = json::array();
    for (const OidcProvider& p : take(s.store_.listOidcProviders(ctx.account_id)))
      list.push_back({{"Arn", p.arn}});
    return {{"OpenIDConnectProviderList", std::move(list)}};
  }
  json addClientID() const {
    OidcProvider p = provider(required("OpenIDConnectProviderArn"));
    const std::string id = required("ClientID");
    if (std::find(p.client_ids.begin(), p.client_ids.end(), id) == p.client_ids.end())
      p.client_ids.push_back(id);
    check(s.store_.updateOidcProvider(p));
    return json::object();
  }
  json removeClientID() const {
    OidcProvider p = provider(required("OpenIDConnectProviderArn"));
    const std::string id = required("ClientID");
    p.client_ids.erase(std::remove(p.client_ids.begin(), p.client_ids.end(), id), p.client_ids.end());
    check(s.store_.updateOidcProvider(p));
    return json::object();
  }
  json updateThumbprint() const {
    OidcProvider p = provider(required("OpenIDConnectProviderArn"));
    p.thumbprints = strings("ThumbprintList");
    check(s.store_.updateOidcProvider(p));
    return json::object();
  }
  json deleteOpenIDConnectProvider() const {
    OidcProvider p = provider(required("OpenIDConnectProviderArn"));
    check(s.store_.deleteOidcProvider(p.arn));
    return json::object();
  }

  // ================= account

  json getAccountSummary() const {
    const std::string& a = ctx.account_id;
    const int64_t users = int64_t(take(s.store_.listUsers(a)).size());
    const int64_t groups = int64_t(take(s.store_.listGroups(a)).size());
    const int64_t roles = int64_t(take(s.store_.listRoles(a)).size());
    const auto policies = take(s.store_.listPolicies(a));
    const int64_t profiles = int64_t(take(s.store_.listInstanceProfiles(a)).size());
    const int64_t providers = int64_t(take(s.store_.listOidcProviders(a)).size());
    int64_t versions = 0;
    for (const ManagedPolicy& p : policies)
      versions += int64_t(take(s.store_.listPolicyVersions(p.arn)).size());
    const bool root_keys = !take(s.store_.listAccessKeys(a, "")).empty();
    const IamConfig& c = s.config_;
    return {{"SummaryMap",
             {{"Users", users},
              {"UsersQuota", c.users_quota},
              {"Groups", groups},
              {"GroupsQuota", c.groups_quota},
              {"Roles", roles},
              {"RolesQuota", c.roles_quota},
              {"Policies", int64_t(policies.size())},
              {"PoliciesQuota", c.policies_quota},
              {"PolicyVersionsInUse", versions},
              {"PolicyVersionsInUseQuota", 10000},
              {"VersionsPerPolicyQuota", c.max_policy_versions},
              {"InstanceProfiles", profiles},
              {"InstanceProfilesQuota", c.instance_profiles_quota},
              {"Providers", providers},
              {"AccessKeysPerUserQuota", c.max_access_keys_per_user},
              {"AccountAccessKeysPresent", root_keys ? 1 : 0},
              {"AccountMFAEnabled", 0},
              {"AttachedPoliciesPerGroupQuota", c.max_managed_policies_per_entity},
              {"AttachedPoliciesPerRoleQuota", c.max_managed_policies_per_entity},
              {"AttachedPoliciesPerUserQuota", c.max_managed_policies_per_entity},
              {"GroupsPerUserQuota", c.max_groups_per_user},
              {"PolicySizeQuota", 6144},
              {"UserPolicySizeQuota", 2048},
              {"GroupPolicySizeQuota", 5120},
              {"RolePolicySizeQuota", 10240},
              {"AssumeRolePolicySizeQuota", 2048},
              {"MFADevices", 0},
              {"MFADevicesInUse", 0},
              {"ServerCertificates", 0},
              {"ServerCertificatesQuota", 20},
              {"SigningCertificatesPerUserQuota", 2},
              {"GlobalEndpointTokenVersion", 1}}}};
  }
  json listAccountAliases() const { return {{"AccountAliases", json::array()}, {"IsTruncated", false}}; }
};

// ---- service

std::shared_ptr<const aws::ServiceModel> IamService::model() { return aws::ServiceModel::embedded("iam"); }

IamService::IamService(IamStore& store, const Clock& clock, crypto::SecretBox box,
                       crypto::RandomSource random, IamConfig config)
    : store_(store),
      clock_(clock),
      box_(std::move(box)),
      random_(std::move(random)),
      config_(config),
      model_(model()) {}

aws::AwsError IamService::error(std::string_view shape, std::string message) const {
  if (!model_) return aws::makeAwsError(500, "InternalFailure", std::move(message));
  return aws::modeledError(*model_, shape, std::move(message));
}

aws::AwsError IamService::fromStore(const Status& s, const CallContext& ctx) const {
  switch (s.code()) {
    case Code::kNotFound:
      return error("NoSuchEntityException", s.message());
    case Code::kAlreadyExists:
      return error("EntityAlreadyExistsException", s.message());
    case Code::kFailedPrecondition:
      return error("DeleteConflictException", s.message());
    case Code::kResourceExhausted:
      return error("LimitExceededException", s.message());
    case Code::kInvalidArgument:
      return error("InvalidInputException", s.message());
    default:
      spdlog::error("iam request {}: {}", ctx.request_id, s.toString());
      return error("ServiceFailureException",
                   "The request processing has failed because of an unknown error.");
  }
}

ServiceResult IamService::invoke(std::string_view op, const json& in, const CallContext& ctx) {
  using H = Handlers;
  using Fn = std::function<json(const H&)>;
  using K = PrincipalKind;
  static const std::unordered_map<std::string_view, Fn> kOps = {
      {"CreateUser", &H::createUser},
      {"GetUser", &H::getUser},
      {"ListUsers", &H::listUsers},
      {"UpdateUser", &H::updateUser},
      {"DeleteUser", &H::deleteUser},
      {"TagUser", &H::tagUser},
      {"UntagUser", &H::untagUser},
      {"ListUserTags", &H::listUserTags},
      {"PutUserPermissionsBoundary", &H::putUserPermissionsBoundary},
      {"DeleteUserPermissionsBoundary", &H::deleteUserPermissionsBoundary},
      {"CreateAccessKey", &H::createAccessKey},
      {"ListAccessKeys", &H::listAccessKeys},
      {"UpdateAccessKey", &H::updateAccessKey},
      {"DeleteAccessKey", &H::deleteAccessKey},
      {"GetAccessKeyLastUsed", &H::getAccessKeyLastUsed},
      {"CreateGroup", &H::createGroup},
      {"GetGroup", &H::getGroup},
      {"ListGroups", &H::listGroups},
      {"DeleteGroup", &H::deleteGroup},
      {"AddUserToGroup", &H::addUserToGroup},
      {"RemoveUserFromGroup", &H::removeUserFromGroup},
      {"ListGroupsForUser", &H::listGroupsForUser},
      {"CreateRole", &H::createRole},
      {"GetRole", &H::getRole},
      {"ListRoles", &H::listRoles},
      {"UpdateRole", &H::updateRole},
      {"UpdateAssumeRolePolicy", &H::updateAssumeRolePolicy},
      {"DeleteRole", &H::deleteRole},
      {"TagRole", &H::tagRole},
      {"UntagRole", &H::untagRole},
      {"ListRoleTags", &H::listRoleTags},
      {"PutRolePermissionsBoundary", &H::putRolePermissionsBoundary},
      {"DeleteRolePermissionsBoundary", &H::deleteRolePermissionsBoundary},
      {"PutUserPolicy", [](const H& h) { return h.putPolicy(K::kUser); }},
      {"PutGroupPolicy", [](const H& h) { return h.putPolicy(K::kGroup); }},
      {"PutRolePolicy", [](const H& h) { return h.putPolicy(K::kRole); }},
      {"GetUserPolicy", [](const H& h) { return h.getPolicyInline(K::kUser); }},
      {"GetGroupPolicy", [](const H& h) { return h.getPolicyInline(K::kGroup); }},
      {"GetRolePolicy", [](const H& h) { return h.getPolicyInline(K::kRole); }},
      {"ListUserPolicies", [](const H& h) { return h.listPoliciesInline(K::kUser); }},
      {"ListGroupPolicies", [](const H& h) { return h.listPoliciesInline(K::kGroup); }},
      {"ListRolePolicies", [](const H& h) { return h.listPoliciesInline(K::kRole); }},
      {"DeleteUserPolicy", [](const H& h) { return h.deletePolicyInline(K::kUser); }},
      {"DeleteGroupPolicy", [](const H& h) { return h.deletePolicyInline(K::kGroup); }},
      {"DeleteRolePolicy", [](const H& h) { return h.deletePolicyInline(K::kRole); }},
      {"CreatePolicy", &H::createPolicy},
      {"GetPolicy", &H::getPolicy},
      {"ListPolicies", &H::listPolicies},
      {"DeletePolicy", &H::deletePolicy},
      {"CreatePolicyVersion", &H::createPolicyVersion},
      {"GetPolicyVersion", &H::getPolicyVersion},
      {"ListPolicyVersions", &H::listPolicyVersions},
      {"SetDefaultPolicyVersion", &H::setDefaultPolicyVersion},
      {"DeletePolicyVersion", &H::deletePolicyVersion},
      {"AttachUserPolicy", [](const H& h) { return h.attach(K::kUser); }},
      {"AttachGroupPolicy", [](const H& h) { return h.attach(K::kGroup); }},
      {"AttachRolePolicy", [](const H& h) { return h.attach(K::kRole); }},
      {"DetachUserPolicy", [](const H& h) { return h.detach(K::kUser); }},
      {"DetachGroupPolicy", [](const H& h) { return h.detach(K::kGroup); }},
      {"DetachRolePolicy", [](const H& h) { return h.detach(K::kRole); }},
      {"ListAttachedUserPolicies", [](const H& h) { return h.listAttached(K::kUser); }},
      {"ListAttachedGroupPolicies", [](const H& h) { return h.listAttached(K::kGroup); }},
      {"ListAttachedRolePolicies", [](const H& h) { return h.listAttached(K::kRole); }},
      {"ListEntitiesForPolicy", &H::listEntitiesForPolicy},
      {"CreateInstanceProfile", &H::createInstanceProfile},
      {"GetInstanceProfile", &H::getInstanceProfile},
      {"ListInstanceProfiles", &H::listInstanceProfiles},
      {"DeleteInstanceProfile", &H::deleteInstanceProfile},
      {"AddRoleToInstanceProfile", &H::addRoleToInstanceProfile},
      {"RemoveRoleFromInstanceProfile", &H::removeRoleFromInstanceProfile},
      {"CreateOpenIDConnectProvider", &H::createOpenIDConnectProvider},
      {"GetOpenIDConnectProvider", &H::getOpenIDConnectProvider},
      {"ListOpenIDConnectProviders", &H::listOpenIDConnectProviders},
      {"AddClientIDToOpenIDConnectProvider", &H::addClientID},
      {"RemoveClientIDFromOpenIDConnectProvider", &H::removeClientID},
      {"UpdateOpenIDConnectProviderThumbprint", &H::updateThumbprint},
      {"DeleteOpenIDConnectProvider", &H::deleteOpenIDConnectProvider},
      {"GetAccountSummary", &H::getAccountSummary},
      {"ListAccountAliases", &H::listAccountAliases},
  };
  if (!model_) return aws::makeAwsError(500, "InternalFailure", "IAM model unavailable");
  auto it = kOps.find(op);
  if ((op == "SimulateCustomPolicy" || op == "SimulatePrincipalPolicy") && authorizer_ && directory_) {
    if (!ctx.may_block) return ServiceResult::blocking();
    return simulatePolicy(op, in, ctx, *authorizer_, *directory_, *model_);
  }
  if (it == kOps.end()) {
    return aws::errorFromStatus(unimplemented("The operation " + std::string(op) + " is not supported."),
                                aws::Protocol::kQuery);
  }
  if (!ctx.may_block) return ServiceResult::blocking();
  // The model's constraints (required members, lengths, ranges, enums) as the query codec checks them.
  // ThumbprintList is optional since IAM fetches the certificate itself
  // (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateOpenIDConnectProvider.html); older
  // models still mark it required.
  if (const aws::Operation* o = model_->findOperation(op); o != nullptr && o->input) {
    json checked;
    const json* v_in = &in;
    if (op == "CreateOpenIDConnectProvider" && in.is_object() && !in.contains("ThumbprintList")) {
      checked = in;
      checked["ThumbprintList"] = json::array();
      v_in = &checked;
    }
    Status v = model_->validate(*o->input, *v_in);
    if (!v.isOk()) return aws::makeAwsError(400, "ValidationError", v.message());
  }
  try {
    Handlers h{*this, in, ctx};
    return it->second(h);
  } catch (const Fail& f) {
    return f.error;
  } catch (const std::exception& e) {  // nlohmann::json type errors on malformed value trees
    return error("InvalidInputException", std::string("Invalid request: ") + e.what());
  }
}

}  // namespace zk::iam
