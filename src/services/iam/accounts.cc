// Accounts with their administrator user and key.
#include "services/iam/accounts.h"

#include "services/iam/ids.h"

namespace zk::iam {

Result<User> ensureUser(IamStore& store, const crypto::RandomSource& random, const std::string& account_id,
                        const std::string& name, bool attach_admin, Time now) {
  auto existing = store.getUser(account_id, name);
  User user;
  if (existing.ok()) {
    user = std::move(*existing);
  } else if (existing.status().code() == Code::kNotFound) {
    auto id = newUniqueId(random, "AIDA");
    if (!id.ok()) return id.status();
    user.account_id = account_id;
    user.name = name;
    user.id = *id;
    user.arn = iamArn(account_id, "user", "/", name);
    user.created_at = now;
    Status st = store.createUser(user);
    if (st.code() == Code::kAlreadyExists) {  // created meanwhile by another process
      auto again = store.getUser(account_id, name);
      if (!again.ok()) return again.status();
      user = std::move(*again);
    } else if (!st.isOk()) {
      return st;
    }
  } else {
    return existing.status();
  }
  if (attach_admin)
    ZK_RETURN_IF_ERROR(
        store.attachPolicy(Attachment{account_id, PrincipalKind::kUser, user.name, kAdministratorAccessArn}));
  return user;
}

Result<NewAccessKey> createAdminKey(IamStore& store, const crypto::SecretBox& box,
                                    const crypto::RandomSource& random, const std::string& account_id,
                                    Time now) {
  auto user = ensureUser(store, random, account_id, kAdminUserName, true, now);
  if (!user.ok()) return user.status();
  return createAccessKey(store, box, random, account_id, user->name, user->arn, now);
}

Result<NewAccessKey> createAccountWithAdmin(IamStore& store, const crypto::SecretBox& box,
                                            const crypto::RandomSource& random,
                                            const std::string& account_name, Time now) {
  for (int attempt = 0;; ++attempt) {
    auto id = newAccountId(random);
    if (!id.ok()) return id.status();
    Status st = store.createAccount(Account{*id, account_name, now});
    if (st.code() == Code::kAlreadyExists && attempt < 20) continue;  // 1 in 9e11 per existing account
    if (!st.isOk()) return st;
    return createAdminKey(store, box, random, *id, now);
  }
}

}  // namespace zk::iam
