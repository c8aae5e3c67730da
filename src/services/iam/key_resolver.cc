// Access key creation (sealed secrets) and the cached SigV4 key lookup with last-use recording.
#include "services/iam/key_resolver.h"

#include <utility>
#include <vector>

#include "services/iam/ids.h"

namespace zk::iam {

Result<NewAccessKey> createAccessKey(IamStore& store, const crypto::SecretBox& box,
                                     const crypto::RandomSource& random, const std::string& account_id,
                                     const std::string& user_name, const std::string& principal_arn, Time now,
                                     int max_per_user) {
  // Key ids: "AKIA" + 16 base32 characters; secrets: 40 base64 characters, as AWS issues them.
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids
  NewAccessKey k;
  auto id = randomString(random, kBase32, 16);
  if (!id.ok()) return id.status();
  k.access_key_id = "AKIA" + *id;
  auto secret = randomString(random, kSecretAlphabet, 40);
  if (!secret.ok()) return secret.status();
  k.secret_access_key = std::move(*secret);
  k.account_id = account_id;
  k.user_name = user_name;
  k.principal_arn = principal_arn;
  k.created_at = now;
  auto sealed = box.seal(k.secret_access_key, k.access_key_id);
  if (!sealed.ok()) return sealed.status();
  AccessKey row;
  row.access_key_id = k.access_key_id;
  row.encrypted_secret.assign(sealed->begin(), sealed->end());
  row.account_id = account_id;
  row.user_name = user_name;
  row.principal_arn = principal_arn;
  row.status = KeyStatus::kActive;
  row.created_at = now;
  ZK_RETURN_IF_ERROR(store.createAccessKey(row, max_per_user));
  return k;
}

KeyResolver::KeyResolver(IamStore& store, crypto::SecretBox box, const Clock& clock,
                         std::chrono::milliseconds ttl, std::chrono::milliseconds use_flush_interval)
    : store_(store), box_(std::move(box)), clock_(clock), ttl_(ttl), flush_interval_(use_flush_interval) {}

KeyResolver::~KeyResolver() { flushUses(); }

Result<aws::Credential> KeyResolver::lookup(std::string_view access_key_id) {
  const auto now = clock_.monotonic();
  const std::string id(access_key_id);
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(id);
    if (it != cache_.end() && it->second.expires > now) {
      return it->second.credential;
    }
  }
  auto row = store_.getAccessKey(access_key_id);
  if (!row.ok()) return row.status();
  if (row->status != KeyStatus::kActive) return notFound("access key is inactive");
  std::string sealed(row->encrypted_secret.begin(), row->encrypted_secret.end());
  auto secret = box_.open(sealed, row->access_key_id);
  if (!secret.ok()) return internalError("cannot decrypt the secret of an access key (wrong secret.key?)");
  aws::Credential c;
  c.access_key_id = row->access_key_id;
  c.secret_access_key = std::move(secret).value();
  c.account_id = row->account_id;
  c.principal_arn = row->principal_arn;
  // aws:userid / GetCallerIdentity's UserId: the user's unique id (AIDA...), the account id for root keys.
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#principaltable
  if (row->user_name.empty() || row->principal_arn == "arn:aws:iam::" + row->account_id + ":root") {
    c.user_id = row->account_id;
  } else if (auto user = store_.getUser(row->account_id, row->user_name); user.ok()) {
    c.user_id = user->id;
  }
  std::lock_guard lock(mu_);
  if (cache_.size() > 10000) cache_.clear();  // bound memory; entries are cheap to refill
  cache_[c.access_key_id] = Entry{c, now + ttl_};

  return c;
}

void KeyResolver::noteUse(const std::string& id, std::string_view service, std::string_view region) {
  // mu_ held. Writes at most once per flush interval per key; the store does not wait for the disk.
  const auto mono = clock_.monotonic();
  if (uses_.size() > 10000) uses_.clear();
  Use& u = uses_[id];
  u.when = clock_.now();
  if (!service.empty()) u.service = std::string(service);
  if (!region.empty()) u.region = std::string(region);
  u.dirty = true;
  if (u.flushed == std::chrono::steady_clock::time_point{} || mono - u.flushed >= flush_interval_) {
    (void)store_.recordAccessKeyUse(id, u.when, u.service, u.region);
    u.flushed = mono;
    u.dirty = false;
  }
}

void KeyResolver::recordUse(std::string_view access_key_id, std::string_view service,
                            std::string_view region) {
  std::lock_guard lock(mu_);
  noteUse(std::string(access_key_id), service, region);
}

void KeyResolver::flushUses() {
  std::vector<std::pair<std::string, Use>> pending;
  {
    std::lock_guard lock(mu_);
    const auto mono = clock_.monotonic();
    for (auto& [id, u] : uses_) {
      if (!u.dirty) continue;
      pending.emplace_back(id, u);
      u.dirty = false;
      u.flushed = mono;
    }
  }
  for (const auto& [id, u] : pending) (void)store_.recordAccessKeyUse(id, u.when, u.service, u.region);
}

void KeyResolver::invalidate(std::string_view access_key_id) {
  std::lock_guard lock(mu_);
  cache_.erase(std::string(access_key_id));
}

}  // namespace zk::iam
