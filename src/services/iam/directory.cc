// Directory: principals' policies for authorization, cached briefly.
#include "services/iam/directory.h"

#include <functional>

namespace zk::iam {
namespace {
const char* kindPath(PrincipalKind k) {
  return k == PrincipalKind::kUser ? "user/" : k == PrincipalKind::kGroup ? "group/" : "role/";
}
}  // namespace

Directory::Directory(IamStore& store, const Clock& clock, std::chrono::milliseconds ttl)
    : store_(store), clock_(clock), ttl_(ttl) {}

void Directory::invalidate() {
  std::lock_guard lock(mu_);
  cache_.clear();
}

Result<std::string> Directory::managedPolicyDocument(std::string_view policy_arn) {
  if (auto doc = awsManagedPolicyDocument(policy_arn)) return *doc;
  auto p = store_.getPolicy(policy_arn);
  if (!p.ok()) return p.status();
  auto v = store_.getPolicyVersion(policy_arn, p->default_version_id);
  if (!v.ok()) return v.status();
  return v->document;
}

Status Directory::addAttached(std::string_view account_id, PrincipalKind kind, std::string_view name,
                              std::vector<PolicyText>& out) {
  auto attached = store_.listAttachedPolicies(account_id, kind, name);
  if (!attached.ok()) return attached.status();
  for (const Attachment& a : *attached) {
    auto doc = managedPolicyDocument(a.policy_arn);
    if (!doc.ok()) {
      if (doc.status().code() == Code::kNotFound) continue;  // deleted meanwhile
      return doc.status();
    }
    out.push_back(PolicyText{a.policy_arn, std::move(*doc)});
  }
  return Status();
}

Status Directory::addInline(std::string_view account_id, PrincipalKind kind, std::string_view name,
                            std::vector<PolicyText>& out) {
  auto policies = store_.listInlinePolicies(account_id, kind, name);
  if (!policies.ok()) return policies.status();
  for (InlinePolicy& p : *policies)
    out.push_back(PolicyText{kindPath(kind) + p.principal_name + "/" + p.policy_name, std::move(p.document)});
  return Status();
}

Result<std::optional<std::vector<PolicyText>>> Directory::boundary(const std::string& arn) {
  if (arn.empty()) return std::optional<std::vector<PolicyText>>();
  auto doc = managedPolicyDocument(arn);
  // A boundary whose policy is gone allows nothing (the evaluation sees an empty boundary).
  if (!doc.ok() && doc.status().code() != Code::kNotFound) return doc.status();
  std::vector<PolicyText> out;
  if (doc.ok()) out.push_back(PolicyText{arn, std::move(*doc)});
  return std::optional<std::vector<PolicyText>>(std::move(out));
}

Result<PrincipalPolicies> Directory::cached(const std::string& key,
                                            const std::function<Result<PrincipalPolicies>()>& load) {
  const auto now = clock_.monotonic();
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(key);
    if (it != cache_.end() && it->second.expires > now) return it->second.policies;
  }
  auto loaded = load();
  if (!loaded.ok()) return loaded;
  std::lock_guard lock(mu_);
  if (cache_.size() > 10000) cache_.clear();
  cache_[key] = Entry{*loaded, now + ttl_};
  return loaded;
}

Result<PrincipalPolicies> Directory::policiesForUser(std::string_view account_id,
                                                     std::string_view user_name) {
  return cached("u|" + std::string(account_id) + "|" + std::string(user_name),
                [&]() -> Result<PrincipalPolicies> {
                  auto u = store_.getUser(account_id, user_name);
                  if (!u.ok()) return u.status();
                  PrincipalPolicies out;
                  ZK_RETURN_IF_ERROR(addInline(account_id, PrincipalKind::kUser, u->name, out.identity));
                  ZK_RETURN_IF_ERROR(addAttached(account_id, PrincipalKind::kUser, u->name, out.identity));
                  auto groups = store_.listGroupsForUser(account_id, u->name);
                  if (!groups.ok()) return groups.status();
                  for (const Group& g : *groups) {
                    ZK_RETURN_IF_ERROR(addInline(account_id, PrincipalKind::kGroup, g.name, out.identity));
                    ZK_RETURN_IF_ERROR(addAttached(account_id, PrincipalKind::kGroup, g.name, out.identity));
                  }
                  auto b = boundary(u->permissions_boundary);
                  if (!b.ok()) return b.status();
                  out.boundary = std::move(*b);
                  return out;
                });
}

Result<PrincipalPolicies> Directory::policiesForRole(std::string_view account_id,
                                                     std::string_view role_name) {
  return cached("r|" + std::string(account_id) + "|" + std::string(role_name),
                [&]() -> Result<PrincipalPolicies> {
                  auto r = store_.getRole(account_id, role_name);
                  if (!r.ok()) return r.status();
                  PrincipalPolicies out;
                  ZK_RETURN_IF_ERROR(addInline(account_id, PrincipalKind::kRole, r->name, out.identity));
                  ZK_RETURN_IF_ERROR(addAttached(account_id, PrincipalKind::kRole, r->name, out.identity));
                  auto b = boundary(r->permissions_boundary);
                  if (!b.ok()) return b.status();
                  out.boundary = std::move(*b);
                  return out;
                });
}

Result<Role> Directory::role(std::string_view account_id, std::string_view role_name) {
  return store_.getRole(account_id, role_name);
}

Result<std::vector<OidcProvider>> Directory::oidcProviders(std::string_view account_id) {
  return store_.listOidcProviders(account_id);
}

Result<User> Directory::user(std::string_view account_id, std::string_view user_name) {
  return store_.getUser(account_id, user_name);
}

Result<std::string> Directory::accountOfAccessKey(std::string_view access_key_id) {
  auto key = store_.getAccessKey(access_key_id);
  if (!key.ok()) return key.status();
  return key->account_id;
}

}  // namespace zk::iam
